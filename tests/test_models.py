"""PPML gravity models: recovery on simulated data, fixed effects, covariances, the store, errors."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from migstats import models
from migstats.exceptions import DataNotAvailableError
from migstats.geography import haversine_km

TRUE = {"log_distance": -1.2, "contiguous": 0.9, "log_origin_population": 0.8,
        "log_destination_population": 0.6, "log_origin_gdp_pc": -0.3, "log_destination_gdp_pc": 0.7}
CONST = -13.0


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
    eta = CONST + sum(beta * data[term] for term, beta in TRUE.items())
    data["migrants"] = rng.poisson(np.exp(eta)).astype("float64")
    assert (data["migrants"] == 0).mean() > 0.1  # zeros are part of the test
    return data


def test_coefficients_recovered(simulated):
    r = models.fit_gravity(simulated)
    est = r.coefficients.set_index("term")
    assert est.at["const", "estimate"] == pytest.approx(CONST, abs=0.5)
    for term, beta in TRUE.items():
        assert est.at[term, "estimate"] == pytest.approx(beta, abs=0.05), term
        lo, hi = est.at[term, "conf_low"], est.at[term, "conf_high"]
        assert lo < est.at[term, "estimate"] < hi
    assert list(r.coefficients.columns) == ["term", "estimate", "std_error", "z", "p_value", "conf_low",
                                            "conf_high"]
    assert r.nobs == len(simulated) and 0 < r.pseudo_r2 <= 1
    assert list(r.fitted.columns) == ["origin_code", "destination_code", "observed", "predicted"]
    # Poisson score equations: with an intercept, predicted and observed totals agree
    assert r.fitted["predicted"].sum() == pytest.approx(r.fitted["observed"].sum(), rel=1e-6)


@pytest.mark.parametrize("fe, terms", [
    ("origin", ["log_distance", "contiguous", "log_destination_population", "log_destination_gdp_pc"]),
    ("destination", ["log_distance", "contiguous", "log_origin_population", "log_origin_gdp_pc"]),
    ("both", ["log_distance", "contiguous"]),
])
def test_fixed_effects_recover_and_match_statsmodels_dummies(simulated, fe, terms):
    fast = models.fit_gravity(simulated, fixed_effects=fe, cov="cluster")
    assert fast.engine == "demeaned"
    assert list(fast.coefficients["term"]) == terms
    for term in terms:
        assert fast.estimate(term) == pytest.approx(TRUE[term], abs=0.06), term
    if fe == "destination":
        return  # mirror image of "origin"; the dense reference fit is slow
    ref = models.fit_gravity(simulated, fixed_effects=fe, cov="cluster", engine="statsmodels")
    np.testing.assert_allclose(fast.coefficients["estimate"], ref.coefficients["estimate"], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(fast.coefficients["std_error"], ref.coefficients["std_error"], rtol=1e-5)
    np.testing.assert_allclose(fast.fitted["predicted"], ref.fitted["predicted"], rtol=1e-6)


def test_hc1_is_statsmodels_hc0_with_small_sample_factor(simulated):
    import statsmodels.api as sm

    r = models.fit_gravity(simulated, cov="HC1")
    X = sm.add_constant(simulated[list(TRUE)].to_numpy(dtype=float))
    ref = sm.GLM(simulated["migrants"].to_numpy(), X, family=sm.families.Poisson()).fit(cov_type="HC0")
    n, k = X.shape
    np.testing.assert_allclose(r.coefficients["std_error"], np.asarray(ref.bse) * np.sqrt(n / (n - k)), rtol=1e-6)
    fe = models.fit_gravity(simulated, fixed_effects="both", cov="HC1")
    fe_ref = models.fit_gravity(simulated, fixed_effects="both", cov="HC1", engine="statsmodels")
    np.testing.assert_allclose(fe.coefficients["std_error"], fe_ref.coefficients["std_error"], rtol=1e-5)


def test_cluster_by_pair_and_origin(simulated):
    import statsmodels.api as sm

    pair = models.fit_gravity(simulated, cov="cluster", cluster="pair")
    origin = models.fit_gravity(simulated, cov="cluster", cluster="origin")
    np.testing.assert_allclose(pair.coefficients["estimate"], origin.coefficients["estimate"])
    assert not np.allclose(pair.coefficients["std_error"], origin.coefficients["std_error"])
    assert pair.cluster == "pair" and origin.cluster == "origin"
    # the origin clusters are those of statsmodels' own cluster covariance with groups = origin
    X = sm.add_constant(simulated[list(TRUE)].to_numpy(dtype=float))
    ref = sm.GLM(simulated["migrants"].to_numpy(), X, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": simulated["origin_code"].to_numpy()})
    np.testing.assert_allclose(origin.coefficients["std_error"], ref.bse, rtol=1e-6)


def test_degenerate_inputs(simulated):
    zeros = simulated.assign(migrants=0.0)
    with pytest.raises(ValueError, match="All corridors are zero"):
        models.fit_gravity(zeros)
    no_overlap = simulated.assign(log_origin_gdp_pc=np.nan)
    with pytest.raises(ValueError, match="no overlap"):
        models.fit_gravity(no_overlap)
    with pytest.raises(ValueError, match="fixed_effects"):
        models.fit_gravity(simulated, fixed_effects="pair")
    with pytest.raises(ValueError, match="cov"):
        models.fit_gravity(simulated, cov="HC3")
    with pytest.raises(ValueError, match="lacks columns"):
        models.fit_gravity(simulated.drop(columns="log_distance"))
    with pytest.raises(ValueError, match="absorbed"):
        models.fit_gravity(simulated, fixed_effects="origin", terms=["log_distance", "log_origin_population"])
    with pytest.raises(ValueError, match="constant"):
        models.fit_gravity(simulated.assign(contiguous=1), terms=["log_distance", "contiguous"])
    with pytest.raises(ValueError, match="non-negative"):
        models.fit_gravity(simulated.assign(migrants=-simulated["migrants"]))


def test_zero_fixed_effect_groups_dropped(simulated):
    d = simulated.copy()
    d.loc[d["origin_code"] == 1, "migrants"] = 0.0
    r = models.fit_gravity(d, fixed_effects="origin")
    assert r.n_dropped["all_zero_fixed_effect"] == 49
    assert r.nobs == len(d) - 49


# -- the store ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(data_dir):
    return models.gravity_data(2019, data_dir=data_dir)


def test_gravity_data_from_store(world, data_dir):
    from migstats import resolve, store

    b = store.load("bilateral_stock", data_dir)
    b = b[(b["dataset"] == "undesa_2019_od_csv") & (b["year"] == 2019) & (b["sex"] == "both")]
    n = len(set(b["origin_code"]) | set(b["destination_code"]))
    assert len(world) == n * (n - 1)
    assert world.attrs["dataset"] == "undesa_2019_od_csv" and world.attrs["population_edition"] == 2019
    assert (world["origin_code"] != world["destination_code"]).all()
    mex, usa = resolve("MEX", data_dir=data_dir).location_code, resolve("USA", data_dir=data_dir).location_code
    row = world[(world["origin_code"] == mex) & (world["destination_code"] == usa)].iloc[0]
    src = b[(b["origin_code"] == mex) & (b["destination_code"] == usa)]["migrant_stock"].item()
    assert row["migrants"] == src
    assert row["contiguous"] == 1 and row["distance_km"] > 1000
    pop = store.load("population", data_dir)
    p = pop[(pop["edition"] == 2019) & (pop["year"] == 2019) & (pop["sex"] == "both") & (pop["location_code"] == mex)]
    assert row["origin_population"] == p["population"].item()
    assert (world["migrants"] == 0).sum() > 10_000  # zero corridors are rows, not missing


def test_gravity_data_errors(data_dir):
    with pytest.raises(DataNotAvailableError, match="undesa_2019_od_csv: 1990"):
        models.gravity_data(2003, data_dir=data_dir)
    with pytest.raises(DataNotAvailableError, match="no table for 2019"):
        models.gravity_data(2019, dataset="knomad_migration_2017", data_dir=data_dir)


def test_world_fit_with_both_fixed_effects(world, data_dir):
    t0 = time.perf_counter()
    r = models.fit_gravity(world, fixed_effects="both", cov="cluster")
    assert time.perf_counter() - t0 < 30
    assert -3 < r.estimate("log_distance") < 0 and r.estimate("contiguous") > 0
    res = models.corridor_residuals(r, "Poland", direction="emigrants", top_n=5, data_dir=data_dir)
    assert list(res.columns) == ["side", "location_code", "iso3", "name", "observed", "predicted", "ratio",
                                 "log_ratio"]
    above, below = res[res["side"] == "above"], res[res["side"] == "below"]
    assert len(above) == 5 and len(below) == 5
    assert (above["ratio"] > 1).all() and above["ratio"].is_monotonic_decreasing
    assert (below["ratio"] < 1).all() and below["ratio"].is_monotonic_increasing
    imm = models.corridor_residuals(r, "DEU", direction="immigrants", data_dir=data_dir)
    assert imm.attrs["direction"] == "immigrants" and len(imm) > 0


def test_gravity_notebook_executes(data_dir, tmp_path, world):
    import nbformat
    import papermill

    nb_in = models.__file__.replace("src/migstats/models.py", "notebooks/analysis_gravity.ipynb")
    out = tmp_path / "gravity.ipynb"
    t0 = time.perf_counter()
    papermill.execute_notebook(nb_in, str(out), parameters={"year": 2019, "country": "Mexico",
                                                            "fixed_effects": "origin"},
                               kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    assert time.perf_counter() - t0 < 60
    text = "".join(o.get("text", "") for c in nbformat.read(out, as_version=4).cells
                   if c.cell_type == "code" for o in c.get("outputs", []))
    value = float(text.split("distance_elasticity=")[1].split()[0])
    expected = models.fit_gravity(world, fixed_effects="origin", cov="cluster").estimate("log_distance")
    assert value == pytest.approx(expected, abs=1e-6)
