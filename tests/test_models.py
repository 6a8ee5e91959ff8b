"""Gravity models: pyfixest against the previous engine, separation, convergence, reported cells, panels."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
import ppml_previous  # the hand-written engine migstats used before pyfixest (tests/ppml_previous.py)
import pytest

from migstats import models
from migstats.exceptions import DataNotAvailableError
from migstats.geography import haversine_km

TRUE = {"log_distance": -1.2, "contiguous": 0.9, "log_origin_population": 0.8,
        "log_destination_population": 0.6, "log_origin_gdp_pc": -0.3, "log_destination_gdp_pc": 0.7}
CONST = -13.0
CSV_2019 = "undesa_ims/UN_MigrantStockByOriginAndDestination_2019_clean.csv"  # MANIFEST, 2019 O-D CSV


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    """Poisson counts from a known log-linear gravity model on 50 countries (2,450 pairs)."""
    rng = np.random.default_rng(42)
    n = 50
    lon, lat = rng.uniform(-180, 180, n), rng.uniform(-60, 70, n)
    pop, gdp = np.exp(rng.normal(16, 1.5, n)), np.exp(rng.normal(9, 1, n))
    o, d = np.divmod(np.arange(n * n), n)
    keep = o != d
    o, d = o[keep], d[keep]
    dist = haversine_km(lon[o], lat[o], lon[d], lat[d])
    close = dist < np.quantile(dist, 0.05)
    data = pd.DataFrame({
        "origin_code": o + 1, "destination_code": d + 1, "log_distance": np.log(dist),
        "contiguous": close.astype("int8"),
        "log_origin_population": np.log(pop[o]), "log_destination_population": np.log(pop[d]),
        "log_origin_gdp_pc": np.log(gdp[o]), "log_destination_gdp_pc": np.log(gdp[d]),
    })
    data["pair_code"] = np.minimum(o, d) * 1000 + np.maximum(o, d)
    eta = CONST + sum(beta * data[term] for term, beta in TRUE.items())
    data["migrants"] = rng.poisson(np.exp(eta)).astype("float64")
    assert (data["migrants"] == 0).mean() > 0.1  # zeros are part of the test
    return data


def test_coefficients_recovered(simulated):
    r = models.fit_gravity(simulated, cov="HC1")
    est = r.coefficients.set_index("term")
    assert est.at["Intercept", "estimate"] == pytest.approx(CONST, abs=0.5)
    for term, beta in TRUE.items():
        assert est.at[term, "estimate"] == pytest.approx(beta, abs=0.05), term
        assert est.at[term, "conf_low"] < est.at[term, "estimate"] < est.at[term, "conf_high"]
    assert list(r.coefficients.columns) == ["term", "estimate", "std_error", "z", "p_value", "conf_low",
                                            "conf_high"]
    assert r.nobs == len(simulated) and 0 < r.pseudo_r2 <= 1 and r.converged
    assert r.engine == "pyfixest.fepois"
    # Poisson score equations: with an intercept, predicted and observed totals agree
    assert r.fitted["predicted"].sum() == pytest.approx(r.fitted["observed"].sum(), rel=1e-6)


# the specifications the previous engine supported, as its tests ran them
PREVIOUS_SPECS = [
    (False, "HC1", "pair"), (False, "cluster", "pair"), (False, "cluster", "origin"),
    ("origin", "cluster", "pair"), ("destination", "cluster", "pair"), ("both", "cluster", "pair"),
    ("both", "HC1", "pair"),
]


@pytest.mark.parametrize("fe, cov, cluster", PREVIOUS_SPECS)
def test_pyfixest_matches_previous_engine(simulated, fe, cov, cluster):
    new = models.fit_gravity(simulated, fixed_effects=fe, cov=cov, cluster=cluster)
    old = ppml_previous.fit_gravity(simulated, fixed_effects=fe, cov=cov, cluster=cluster)
    old_coef = old.coefficients.assign(term=old.coefficients["term"].replace({"const": "Intercept"}))
    assert list(new.coefficients["term"]) == list(old_coef["term"])
    np.testing.assert_allclose(new.coefficients["estimate"], old_coef["estimate"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(new.coefficients["std_error"], old_coef["std_error"], rtol=1e-6)
    np.testing.assert_allclose(new.fitted["predicted"], old.fitted["predicted"], rtol=1e-7)
    assert new.nobs == old.nobs
    if fe is False and cov == "HC1":  # and the dense statsmodels reference of the previous engine
        ref = ppml_previous.fit_gravity(simulated, fe, cov, engine="statsmodels")
        np.testing.assert_allclose(new.coefficients["std_error"], ref.coefficients["std_error"], rtol=1e-6)


def test_world_model_matches_previous_engine(world):
    # the previous default: every cell of the 2019 table, unreported ones as zeros
    new = models.fit_gravity(world, "both", "cluster", cells="all")
    old = ppml_previous.fit_gravity(world.assign(migrants=world["migrants"].fillna(0.0)), "both", "cluster")
    np.testing.assert_allclose(new.coefficients["estimate"], old.coefficients["estimate"], rtol=1e-9)
    np.testing.assert_allclose(new.coefficients["std_error"], old.coefficients["std_error"], rtol=1e-6)
    # the previous engine dropped fixed-effect groups with only zeros; pyfixest's "fe" check does the same
    assert new.n_dropped["separation"] == old.n_dropped["all_zero_fixed_effect"] > 0
    assert new.nobs == old.nobs


def test_convergence_is_reported(simulated):
    full = models.fit_gravity(simulated, "both")
    with pytest.warns(models.GravityWarning, match="did not converge in max_iter=3"):
        short = models.fit_gravity(simulated, "both", max_iter=3)
    assert full.converged and not short.converged
    assert "converged=False" in short.summary()
    assert abs(short.estimate("log_distance") - full.estimate("log_distance")) > 1e-4


@pytest.mark.parametrize("fe", [False, "both"])
def test_separated_regressor_dropped_with_warning(simulated, fe):
    # a dummy that is 1 only on some zero corridors has no finite estimate (its fitted value
    # wants -infinity); the previous engine reported a huge negative coefficient with a huge z
    d = simulated.copy()
    zero = d.index[d["migrants"] == 0][:40]
    d["only_on_zeros"] = 0
    d.loc[zero, "only_on_zeros"] = 1
    terms = ["log_distance", "contiguous", "only_on_zeros"] + ([] if fe else list(TRUE)[2:])
    old = ppml_previous.fit_gravity(d, fe, "HC1", terms=terms, max_iter=50)
    assert old.estimate("only_on_zeros") < -10
    with pytest.warns(models.GravityWarning, match="separated") as rec:
        r = models.fit_gravity(d, fe, "HC1", terms=terms)
    assert "only_on_zeros" in str(rec[0].message)
    assert "only_on_zeros" in r.dropped_terms and "only_on_zeros" not in set(r.coefficients["term"])
    assert r.n_dropped["separation"] >= 40
    assert np.isfinite(r.coefficients["estimate"]).all()
    assert r.estimate("log_distance") == pytest.approx(TRUE["log_distance"], abs=0.06)


def test_zero_fixed_effect_groups_dropped(simulated):
    d = simulated.copy()
    d.loc[d["origin_code"] == 1, "migrants"] = 0.0
    with pytest.warns(models.GravityWarning, match="49 corridors dropped as separated"):
        r = models.fit_gravity(d, fixed_effects="origin")
    assert r.n_dropped["separation"] == 49 and r.nobs == len(d) - 49


def test_formula_weights_offset_and_two_way_clusters(simulated):
    a = models.fit_gravity(simulated, "both", cluster=("origin", "destination"))
    b = models.fit_gravity(simulated, formula="migrants ~ log_distance + contiguous | origin_code + destination_code",
                           cluster=("origin", "destination"))
    pd.testing.assert_frame_equal(a.coefficients, b.coefficients)
    assert a.cluster == "origin_code+destination_code"
    one = models.fit_gravity(simulated, "both", cluster="origin")
    assert not np.allclose(a.coefficients["std_error"], one.coefficients["std_error"])
    # an offset of log distance with coefficient 1 shifts the distance estimate by exactly -1
    off = models.fit_gravity(simulated.assign(off=simulated["log_distance"]), "both", offset="off")
    assert off.estimate("log_distance") == pytest.approx(a.estimate("log_distance") - 1, abs=1e-7)
    w = models.fit_gravity(simulated.assign(w=2.0), "both", weights="w")
    assert w.estimate("log_distance") == pytest.approx(a.estimate("log_distance"), abs=1e-9)
    assert a.vcov.shape == (2, 2) and a.vcov.at["log_distance", "log_distance"] == pytest.approx(
        a.coefficients.set_index("term").at["log_distance", "std_error"] ** 2)
    inter = models.fit_gravity(simulated, formula="migrants ~ log_distance + contiguous + log_distance:contiguous "
                                                 "| origin_code + destination_code")
    assert list(inter.coefficients["term"]) == ["log_distance", "contiguous", "log_distance:contiguous"]
    assert inter.n_dropped["singletons"] == 0
    pred = a.predict(simulated.head(20))
    np.testing.assert_allclose(pred, a.fitted["predicted"].to_numpy()[:20], rtol=1e-6)


def test_regression_table(simulated):
    a = models.fit_gravity(simulated, False, "HC1")
    b = models.fit_gravity(simulated, "both")
    tex = models.regression_table([a, b], type="tex")
    assert "log distance" in tex and "\\toprule" in tex and "converged" in tex
    df = models.regression_table([a, b], type="df")
    assert isinstance(df, pd.DataFrame) and df.shape[1] >= 2
    assert "log distance" in b.table(type="md")


def test_degenerate_inputs(simulated):
    with pytest.raises(ValueError, match="All corridors are zero"):
        models.fit_gravity(simulated.assign(migrants=0.0))
    with pytest.raises(ValueError, match="no overlap"):
        models.fit_gravity(simulated.assign(log_origin_gdp_pc=np.nan))
    with pytest.raises(ValueError, match="cov"):
        models.fit_gravity(simulated, cov="HC3")
    with pytest.raises(ValueError, match="cells"):
        models.fit_gravity(simulated, cells="zeros")
    with pytest.raises(ValueError, match="lacks columns"):
        models.fit_gravity(simulated.drop(columns="log_distance"))
    with pytest.raises(ValueError, match="lacks columns"):
        models.fit_gravity(simulated, fixed_effects="origin_code^year")  # no year column
    with pytest.raises(ValueError, match="absorbed"):
        models.fit_gravity(simulated, fixed_effects="origin", terms=["log_distance", "log_origin_population"])
    with pytest.raises(ValueError, match="constant"):
        models.fit_gravity(simulated.assign(contiguous=1), terms=["log_distance", "contiguous"])
    with pytest.raises(ValueError, match="non-negative"):
        models.fit_gravity(simulated.assign(migrants=-simulated["migrants"]))
    with pytest.raises(ValueError, match="formula"):
        models.fit_gravity(simulated, formula="stock ~ log_distance")


# -- the store ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(data_dir):
    return models.gravity_data(2019, data_dir=data_dir)


@pytest.fixture(scope="module")
def csv_2019(mirror_dir) -> pd.DataFrame:
    """The 2019 O-D CSV read directly (not through migstats), 2019 rows, one column per origin."""
    raw = pd.read_csv(mirror_dir / CSV_2019, encoding="utf-8-sig", dtype=str)
    raw = raw[raw["Year"] == "2019"].set_index("Dest").drop(columns="Year")
    return raw.apply(lambda col: pd.to_numeric(col.str.strip(), errors="coerce"))


def test_unreported_cells_are_nan(world, data_dir, csv_2019):
    from migstats import resolve

    assert world.attrs["dataset"] == "undesa_2019_od_csv"
    assert world["migrants"].isna().sum() == (~world["reported"]).sum() > 40_000
    known = world[world["origin_code"] != 2003]
    assert (known.loc[known["reported"], "migrants"] > 0).all()  # 0 in this CSV = blank in the workbook
    sau = resolve("SAU", data_dir=data_dir).location_code
    # Saudi Arabia's 2019 row of the CSV has 17 origins with a figure above 0
    expected = int((csv_2019.loc["Saudi Arabia"] > 0).sum())
    assert expected == 17
    row = world[(world["destination_code"] == sau) & (world["origin_code"] != 2003)]
    assert row["reported"].sum() == expected
    cov = models.reporting_coverage("undesa_2019_od_csv", 2019, data_dir=data_dir).set_index("iso3")
    assert cov.at["SAU", "origins_reported"] == expected and cov.at["SAU", "origins_possible"] == 231
    assert (cov["origins_reported"] <= 30).sum() == 140  # of 232 destinations
    mex, usa = resolve("MEX", data_dir=data_dir).location_code, resolve("USA", data_dir=data_dir).location_code
    cell = world[(world["origin_code"] == mex) & (world["destination_code"] == usa)].iloc[0]
    assert cell["migrants"] == csv_2019.loc["United States of America", "Mexico"]
    assert cell["contiguous"] == 1 and cell["reported"]


def test_unknown_origin_carried_as_its_own_row(world, data_dir, csv_2019):
    from migstats import resolve, store

    ago = resolve("AGO", data_dir=data_dir).location_code
    other = world[(world["origin_code"] == 2003) & (world["destination_code"] == ago)]
    assert len(other) == 1 and other["log_distance"].isna().all()
    # the CSV has no 'OTHER' column: unknown = UN DESA IMS 2019 Table 1 total - the CSV's origins
    dest = store.load("destination_stock", data_dir)
    total = dest[(dest["edition"] == 2019) & (dest["year"] == 2019) & (dest["sex"] == "both")
                 & (dest["location_code"] == ago)]["migrant_stock"].item()
    assert other["migrants"].item() == pytest.approx(total - csv_2019.loc["Angola"].sum())
    cov = models.reporting_coverage("undesa_2019_od_csv", 2019, data_dir=data_dir).set_index("iso3")
    assert 0.7 < cov.at["AGO", "unknown_origin_share"] < 0.8
    assert "Table 1" in cov.attrs["unknown_origin_basis"]
    r = models.fit_gravity(world, "both")
    assert r.n_dropped["unknown_origin"] == (world["origin_code"] == 2003).sum() > 200


def test_world_fit_uses_reported_cells_by_default(world, data_dir):
    t0 = time.perf_counter()
    r = models.fit_gravity(world, fixed_effects="both", cov="cluster")
    assert time.perf_counter() - t0 < 30
    assert r.cells == "reported" and r.n_dropped["unreported"] == (~world["reported"]).sum()
    assert r.fitted["reported"].all() and (r.fitted["observed"] > 0).all()
    assert -3 < r.estimate("log_distance") < 0 and r.estimate("contiguous") > 0
    res = models.corridor_residuals(r, "Poland", direction="emigrants", top_n=5, data_dir=data_dir)
    assert list(res.columns) == ["side", "location_code", "iso3", "name", "observed", "predicted", "ratio",
                                 "log_ratio", "reported"]
    assert res["reported"].all() and (res["observed"] > 0).all() and "SAU" not in set(res["iso3"])
    above, below = res[res["side"] == "above"], res[res["side"] == "below"]
    assert (above["ratio"] > 1).all() and above["ratio"].is_monotonic_decreasing
    assert (below["ratio"] < 1).all() and below["ratio"].is_monotonic_increasing
    with pytest.raises(ValueError, match="cells='all'"):
        models.corridor_residuals(r, "Poland", cells="all", data_dir=data_dir)
    # the old convention, explicitly: unreported corridors as zeros, ranked among the "below"
    zeros = models.fit_gravity(world, fixed_effects="both", cells="all")
    old = models.corridor_residuals(zeros, "Poland", cells="all", top_n=20, data_dir=data_dir)
    assert (~old["reported"]).any() and (old.loc[~old["reported"], "observed"] == 0).all()
    imm = models.corridor_residuals(r, "DEU", direction="immigrants", data_dir=data_dir)
    assert imm.attrs["direction"] == "immigrants" and imm.attrs["cells"] == "reported" and len(imm) > 0


def test_panel_years_fixed_effects_and_covariates(data_dir):
    panel = models.gravity_panel([2010, 2015], "undesa_2019_od_csv", data_dir=data_dir)
    assert sorted(panel["year"].unique()) == [2010, 2015] and set(panel.columns) >= set(models.PANEL_COLUMNS)
    assert (panel.groupby("year")["population_year"].first() == [2010, 2015]).all()
    r = models.fit_gravity(panel, "both_year", cluster="pair")
    assert list(r.coefficients["term"]) == ["log_distance", "contiguous"]
    assert r.fixed_effects == "origin_code^year + destination_code^year" and len(r.basis) == 2
    pair = models.fit_gravity(panel, "pair", cluster=("origin", "destination"))
    assert "log_distance" not in set(pair.coefficients["term"])  # absorbed by the pair effects
    assert "log_origin_gdp_pc" in set(pair.coefficients["term"])
    mono = pd.DataFrame({"location_code": panel["origin_code"].unique()}).assign(landlocked_flag=1)
    dyad = panel[["origin_code", "destination_code"]].drop_duplicates().assign(colony=0)
    extra = models.gravity_panel(2015, "undesa_2019_od_csv", covariates=[mono, dyad], data_dir=data_dir)
    assert {"origin_landlocked_flag", "destination_landlocked_flag", "colony"} <= set(extra.columns)
    with pytest.raises(ValueError, match="location_code"):
        models.gravity_panel(2015, covariates=pd.DataFrame({"x": [1]}), data_dir=data_dir)


def test_distance_definitions(data_dir):
    pop = models.gravity_data(2019, distance="population", data_dir=data_dir)
    known = pop[pop["origin_code"] != 2003]
    assert (known["distance_definition"] == "population").all()
    np.testing.assert_allclose(known["distance_km"], known["distance_population_km"])
    r = models.fit_gravity(pop, "both")
    assert r.basis["distance_definition"].item() == "population"
    with pytest.raises(ValueError, match="distance"):
        models.gravity_panel(2019, distance="road", data_dir=data_dir)


def test_mixed_years_visible_and_warned(data_dir):
    # KNOMAD 2017 stocks: UN DESA population exists for 2015 and 2019/2020 only; WDI GDP for 2017
    k = models.gravity_data(2017, "knomad_migration_2017", data_dir=data_dir)
    assert (k["population_year"] != 2017).all() and (k["gdp_year"] == 2017).all() and k["mixed_years"].all()
    with pytest.warns(models.GravityWarning, match="stocks 2017 with population 2015 and GDP 2017"):
        r = models.fit_gravity(k, "both")
    assert r.basis["mixed_years"].all() and "MIXED YEARS" in r.summary()


def test_gravity_data_errors(data_dir):
    with pytest.raises(DataNotAvailableError, match="undesa_2019_od_csv: 1990"):
        models.gravity_data(2003, data_dir=data_dir)
    with pytest.raises(DataNotAvailableError, match="no table for"):
        models.gravity_data(2019, dataset="knomad_migration_2017", data_dir=data_dir)


def test_gravity_notebook_executes(data_dir, tmp_path, world):
    import nbformat
    import papermill

    nb_in = models.__file__.replace("src/migstats/models.py", "notebooks/analysis_gravity.ipynb")
    out = tmp_path / "gravity.ipynb"
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        papermill.execute_notebook(nb_in, str(out), parameters={"year": 2019, "country": "Mexico",
                                                                "fixed_effects": "origin"},
                                   kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    assert time.perf_counter() - t0 < 120
    text = "".join(o.get("text", "") for c in nbformat.read(out, as_version=4).cells
                   if c.cell_type == "code" for o in c.get("outputs", []))
    value = float(text.split("distance_elasticity=")[1].split()[0])
    expected = models.fit_gravity(world, fixed_effects="origin", cov="cluster").estimate("log_distance")
    assert value == pytest.approx(expected, abs=1e-6)
    assert "not reported" in text
