"""The processed store: every source parsed once into documented Parquet tables.

Data flows one way::

    raw file (data/raw, verified)  --parsers-->  tidy table (schemas)  --build-->  data/processed/*.parquet
                                                                                 + provenance.json

:func:`build` runs every parser, harmonises country names and codes (failing loudly on
any spelling it cannot match), checks each table against its schema
(:mod:`migstats.schemas`), writes the tables atomically and records provenance
(source file, edition, SHA-256, build time, migstats version). :func:`load` reads a
table with a process-level cache, so the library, notebooks and CLI share one copy.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__, locations
from .countries import OUTSIDE_UNDESA
from .exceptions import SourceLayoutError, SourceMissingError, StoreDamagedError, StoreNotBuiltError
from .registry import SOURCES, preferred
from .schemas import (CHANNEL_ISLANDS_CODE, OTHER_CODE, SPLIT_BY_AREA, WPP_OTHER_AREAS, dtypes,
                      validate)

__all__ = ["build", "load", "load_boundaries", "provenance", "table_path", "build_id",
           "is_built", "ensure_built", "source_citation", "verify", "TableCheck"]

PROVENANCE_FILE = "provenance.json"

#: Points for areas that have no polygon in Natural Earth 1:50m (lon, lat of the main
#: settlement; editorial, from the areas' public gazetteer entries). Used for map markers.
_POINTS_WITHOUT_POLYGON: dict[str, tuple[float, float]] = {
    "GIB": (-5.35, 36.14), "TKL": (-171.85, -9.2), "BES": (-68.27, 12.15),
    "GLP": (-61.55, 16.25), "MTQ": (-61.02, 14.64), "GUF": (-53.13, 3.93),
    "REU": (55.54, -21.12), "MYT": (45.17, -12.83), "TUV": (179.2, -8.52),
}


def table_path(name: str, data_dir=None) -> Path:
    """Path of the Parquet file of table ``name``."""
    return locations.processed_dir(data_dir) / f"{name}.parquet"


# -- provenance --------------------------------------------------------------------------
_PROV_CACHE: dict[str, tuple[int, dict]] = {}


def provenance(data_dir=None) -> dict:
    """The store's provenance record (sources with edition and SHA-256, build time, version).

    Raises
    ------
    StoreNotBuiltError
        When no store has been built in ``data_dir``.
    """
    path = locations.processed_dir(data_dir) / PROVENANCE_FILE
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise StoreNotBuiltError(
            f"No processed data store in {path.parent}. Build it with `migstats data build` "
            f"(after `migstats data fetch`, or set {locations.MIRROR_ENV} to a folder of the source "
            "files); `migstats profile` does both on first run."
        ) from None
    cached = _PROV_CACHE.get(str(path))
    if cached is None or cached[0] != mtime:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            record["tables"], record["sources"]  # noqa: B018  (both must be there)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreDamagedError(
                f"The data store's provenance record {path} cannot be read ({_reason(exc)}): the "
                "store is damaged. Rebuild it with `migstats data build`.", ["provenance"]) from None
        cached = (mtime, record)
        _PROV_CACHE[str(path)] = cached
    return cached[1]


def _reason(exc: BaseException) -> str:
    """The first line of an error's message, without the path that the caller names anyway."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return text if len(text) < 300 else text[:297] + "..."


def _damaged(name: str, path: Path, exc: BaseException) -> StoreDamagedError:
    return StoreDamagedError(
        f"Table {name!r} of the data store cannot be read ({path}: {_reason(exc)}): the store is "
        "damaged. Rebuild it with `migstats data build`.", [name])


def build_id(data_dir=None) -> str:
    """Identifier of the current build (changes with every ``migstats data build``)."""
    return provenance(data_dir)["build_id"]


def is_built(data_dir=None) -> bool:
    """``True`` when a complete store exists in ``data_dir``."""
    try:
        prov = provenance(data_dir)
    except StoreNotBuiltError:
        return False
    return all(table_path(t, data_dir).is_file() for t in prov["tables"])


def source_citation(key: str, data_dir=None) -> str:
    """Citation of a source as recorded at build time (publisher, title, edition)."""
    rec = provenance(data_dir)["sources"][key]
    return f"{rec['publisher']}, {rec['title']} ({rec['edition']})"


# -- loading -------------------------------------------------------------------------------
_CACHE: dict[tuple[str, int], pd.DataFrame] = {}


def load(name: str, data_dir=None) -> pd.DataFrame:
    """Load one table of the processed store (cached per process).

    Parameters
    ----------
    name : str
        Table name, e.g. ``"destination_stock"`` (see :data:`migstats.schemas.TABLES`).
    data_dir : path, optional
        Data root (see :mod:`migstats.locations`).

    Returns
    -------
    DataFrame
        A shallow copy of the cached table (safe to modify under pandas copy-on-write).
    """
    path = table_path(name, data_dir)
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        prov = provenance(data_dir)  # raises StoreNotBuiltError when nothing is built
        if name in prov["tables"]:
            raise StoreNotBuiltError(f"Table {name!r} is missing from {path.parent}; "
                                     "rebuild with `migstats data build`.") from None
        raise KeyError(f"No table {name!r} in the store. Tables: {', '.join(sorted(prov['tables']))}") from None
    key = (str(path), mtime)
    df = _CACHE.get(key)
    if df is None:
        import pyarrow

        try:
            if name.startswith("boundaries"):
                import geopandas

                df = geopandas.read_parquet(path)
            else:
                df = pd.read_parquet(path)
        except (OSError, ValueError, pyarrow.ArrowException) as exc:  # truncated, overwritten...
            raise _damaged(name, path, exc) from None
        _CACHE[key] = df
    return df.copy(deep=False)


# -- checking --------------------------------------------------------------------------------
@dataclass(frozen=True)
class TableCheck:
    """The check of one table of the processed store (see :func:`verify`).

    Attributes
    ----------
    table : str
        Table name (``"provenance"`` for the provenance record).
    path : pathlib.Path
    state : str
        ``"ok"``, ``"missing"`` (no file), ``"unreadable"`` (not a readable Parquet file:
        truncated, overwritten), ``"schema"`` (columns or types differ from
        :mod:`migstats.schemas`) or ``"rows"`` (row count differs from the provenance record).
    rows : int or None
        Rows in the file.
    message : str
    """

    table: str
    path: Path
    state: str
    rows: int | None
    message: str = ""


_ARROW_TYPES = {"int16": "int16", "int32": "int32", "Int32": "int32", "Int64": "int64", "int64": "int64",
                "float64": "double", "bool": "bool", "str": ("string", "large_string", "string_view")}


def _check_table(name: str, path: Path, expected_rows, read: bool) -> TableCheck:
    import pyarrow
    import pyarrow.parquet as pq

    from .schemas import TABLES, dtypes

    if not path.is_file():
        return TableCheck(name, path, "missing", None, "no file; rebuild with `migstats data build`")
    try:
        if read:  # every page (a damaged page in the middle is found too)
            table = pq.read_table(path)
            schema, rows = table.schema, table.num_rows
        else:  # the footer only (a truncated or overwritten file is found)
            meta = pq.ParquetFile(path).metadata
            schema, rows = meta.schema.to_arrow_schema(), meta.num_rows
    except (OSError, ValueError, pyarrow.ArrowException) as exc:
        return TableCheck(name, path, "unreadable", None, _reason(exc))
    if name.removesuffix("_aggregates") in TABLES:
        expected = dtypes(name)
        if set(schema.names) != set(expected):
            return TableCheck(name, path, "schema", rows,
                              f"columns {sorted(schema.names)}, the schema has {sorted(expected)}")
        for col, dtype in expected.items():
            arrow = str(schema.field(col).type)
            want = _ARROW_TYPES.get(dtype)
            if want is not None and arrow not in ((want,) if isinstance(want, str) else want):
                return TableCheck(name, path, "schema", rows, f"column {col!r} is {arrow}, the schema has {dtype}")
    if expected_rows is not None and rows != expected_rows:
        return TableCheck(name, path, "rows", rows, f"{rows:,} rows, the build recorded {expected_rows:,}")
    return TableCheck(name, path, "ok", rows, "readable, matches its schema and the recorded row count")


def verify(data_dir=None, *, read: bool = True, strict: bool = False) -> list[TableCheck]:
    """Check that every table of the processed store is readable and matches its schema.

    Parameters
    ----------
    data_dir : path, optional
        Data root (see :mod:`migstats.locations`).
    read : bool
        Read every table completely (default; about 0.1 s for the whole store, warm). With
        ``False`` only each file's footer is read: a truncated or overwritten file is still
        found, a damaged page in the middle is not.
    strict : bool
        Raise :class:`~migstats.exceptions.StoreDamagedError` when a table is not ``"ok"``.

    Returns
    -------
    list of TableCheck
        One per table recorded in the store's provenance, in name order. Empty when no store
        has been built (``is_built`` is then ``False``).

    Raises
    ------
    StoreDamagedError
        With ``strict``, naming each damaged table and the command that fixes it
        (``migstats data build``); also when the provenance record itself is unreadable.
    """
    try:
        prov = provenance(data_dir)
    except StoreDamagedError:
        raise
    except StoreNotBuiltError:
        return []
    checks = [_check_table(name, table_path(name, data_dir), info.get("rows"), read)
              for name, info in sorted(prov["tables"].items())]
    bad = [c for c in checks if c.state != "ok"]
    if strict and bad:
        listed = "; ".join(f"{c.table} ({c.state}: {c.message})" for c in bad)
        raise StoreDamagedError(
            f"The data store in {locations.processed_dir(data_dir)} is damaged: {listed}. "
            "Rebuild it with `migstats data build`.", [c.table for c in bad])
    return checks


def load_boundaries(scale: str = "110m", data_dir=None):
    """Country polygons (GeoDataFrame, EPSG:4326) from Natural Earth at ``"110m"`` or ``"50m"``."""
    if scale not in ("110m", "50m"):
        raise ValueError(f"scale must be '110m' or '50m', not {scale!r}")
    return load(f"boundaries_{scale}", data_dir)


# -- building --------------------------------------------------------------------------------
def _raw(key: str, raw: Path) -> Path | None:
    path = raw / SOURCES[key].path
    return path if path.is_file() else None


def _require(key: str, raw: Path) -> Path:
    path = _raw(key, raw)
    if path is None:
        src = SOURCES[key]
        raise SourceMissingError(
            f"Source {key!r} ({src.citation()}) is missing: expected {raw / src.path}. "
            f"Run `migstats data fetch` (or `migstats data fetch --from DIR` / set "
            f"{locations.MIRROR_ENV} to a mirror folder) first."
        )
    return path


def _split(df: pd.DataFrame, country_codes: set[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    is_country = df["location_code"].isin(country_codes)
    return df[is_country].reset_index(drop=True), df[~is_country].reset_index(drop=True)


def _bilateral_codes(df, resolver, name_cols, aggregate_names, dataset):
    """Replace ``*_name`` columns by codes (Other North/South -> 2003; totals dropped)."""
    allow = {n: -1 for n in aggregate_names}
    # areas that are not UN DESA areas (Kosovo) are "other" partners, never part of another area
    allow.update({a: OTHER_CODE for spec in OUTSIDE_UNDESA.values() for a in spec["aliases"]})
    allow.update({"Other North": OTHER_CODE, "Other South": OTHER_CODE, "Other": OTHER_CODE,
                  "World": -1, "Total": -1, "WORLD": -1})
    out = df
    for col in name_cols:
        try:
            mapping = resolver.code_map(out[col].unique(), allow=allow)
        except SourceLayoutError as exc:
            raise SourceLayoutError(f"{SOURCES[dataset].path}: {exc}") from None
        out = out.assign(**{col.replace("_name", "_code"): out[col].map(mapping).astype("int32")})
    keep = (out[[c.replace("_name", "_code") for c in name_cols]] >= 0).all(axis=1)
    out = out[keep].drop(columns=list(name_cols))
    return out


def _combine(parts: list[pd.DataFrame], name: str) -> pd.DataFrame:
    """Stack bilateral tables and cast them to the schema of ``name``.

    Rows that share every key are summed: the KNOMAD "Other North" and "Other South" rows
    and columns both map to OTHER (2003).
    """
    types = dtypes(name)
    cols = list(types)
    df = pd.concat([p[cols] for p in parts], ignore_index=True)
    df = df.groupby(cols[:-1], as_index=False, sort=False)[cols[-1]].sum(min_count=1)
    return df.astype(types)


def build(data_dir=None, *, progress: bool = True) -> Path:
    """Parse every present source into the processed store.

    Parameters
    ----------
    data_dir : path, optional
        Data root: reads ``<data_dir>/raw``, writes ``<data_dir>/processed``.
    progress : bool
        Show a progress bar (tqdm).

    Returns
    -------
    Path
        The processed folder.

    Raises
    ------
    SourceMissingError
        A required source is not in the raw folder (run ``migstats data fetch``).
    SourceVerificationError
        A source file does not match its registered or pinned SHA-256.
    SourceLayoutError
        A source's layout changed or a country name could not be matched.
    """
    from tqdm.auto import tqdm

    from . import fetch
    from .countries import CountryResolver, build_country_tables
    from .parsers import gdidata, knomad, m49, naturalearth, undesa, unhcr, wdi, wpp

    t0 = time.perf_counter()
    raw = locations.raw_dir(data_dir)
    present = [k for k in SOURCES if _raw(k, raw) is not None]
    for key, src in SOURCES.items():  # a required source may be replaced by a cached stand-in
        if src.required and preferred(key, present) is None:
            _require(key, raw)
    checked = fetch.verify(present, data_dir=data_dir)  # raises SourceVerificationError
    hashes = {r.key: r.sha256 for r in checked}

    steps = tqdm(total=10, desc="migstats data build", disable=not progress, unit="step")
    tables: dict[str, pd.DataFrame] = {}
    table_sources: dict[str, list[str]] = {}

    def put(name, df, sources):
        tables[name] = df
        table_sources[name] = list(sources)

    # 1. UN DESA totals by destination and origin, three editions
    dest_keys = {2024: "undesa_2024_destination", 2020: "undesa_2020_destination",
                 2019: "undesa_2019_totals"}
    dest = {ed: undesa.read_stock_by_destination(_require(k, raw), ed) for ed, k in dest_keys.items()}
    area_names = {ed: undesa.read_area_names(_require(k, raw), ed) for ed, k in dest_keys.items()}
    origin = undesa.read_stock_by_origin(_require("undesa_2024_origin", raw), 2024)
    steps.update()

    # 2. country table and resolver
    annex = m49.read_annex(_require("undesa_annex", raw))
    unsd_path = _raw("unsd_m49", raw)
    unsd = m49.read_unsd_m49(unsd_path) if unsd_path else None
    wb_meta = wdi.read_country_metadata(_require("wdi_remittances_received_meta", raw))
    ctabs = build_country_tables(annex, area_names, wb_meta, unsd)
    country_sources = ["undesa_annex", "undesa_2024_destination", "wdi_remittances_received_meta"]
    country_sources += ["unsd_m49"] if unsd is not None else []
    unhcr_codes = _raw("unhcr_countries", raw)
    ctabs["countries"] = _with_unhcr_codes(
        ctabs["countries"], unhcr.read_countries(unhcr_codes) if unhcr_codes else None)
    for name, df in ctabs.items():
        put(name, df, country_sources + (["unhcr_countries"] if name == "countries" and unhcr_codes else []))
    countries = ctabs["countries"]
    codes = set(countries["location_code"].astype(int))
    resolver = CountryResolver(countries, ctabs["country_names"])
    aggregate_names = list(ctabs["aggregates"]["name"])
    steps.update()

    # 3. split UN DESA tables into country rows and aggregate rows
    for ed, parts in dest.items():
        for name, df in parts.items():
            tables.setdefault(f"_{name}", []).append(df)
            table_sources.setdefault(name, []).append(dest_keys[ed])
    for name, df in origin.items():
        tables.setdefault(f"_{name}", []).append(df)
        table_sources.setdefault(name, []).append("undesa_2024_origin")
    for name in [n[1:] for n in list(tables) if n.startswith("_")]:
        df = pd.concat(tables.pop(f"_{name}"), ignore_index=True)
        if name in SPLIT_BY_AREA:
            tables[name], tables[f"{name}_aggregates"] = _split(df, codes)
            table_sources[f"{name}_aggregates"] = table_sources[name]
        else:
            tables[name] = df[df["location_code"].isin(codes)].reset_index(drop=True)
    steps.update()

    # 4. bilateral stocks: UN DESA 2024 (official workbook, else IOM GDI's reshape) and 2019 O-D,
    # KNOMAD 2017/2021
    bilateral, bsources = [], []
    od24 = preferred("undesa_2024_od", present)
    if od24 == "undesa_2024_od":
        df = undesa.read_od_2024_xlsx(_raw(od24, raw))
        keep = (df["origin_code"].isin(codes | {OTHER_CODE})) & df["destination_code"].isin(codes)
        bilateral.append(df[keep].assign(dataset=od24))
        bsources.append(od24)
    elif od24 is not None:
        bilateral.append(_od_2024_reshape(gdidata.read_undesa_stocks(_raw(od24, raw)), resolver, od24))
        bsources.append(od24)
    od19 = preferred("undesa_2019_od", present)
    if od19 is not None:
        path = _raw(od19, raw)
        df = undesa.read_od_2019_xlsx(path) if od19 == "undesa_2019_od" else undesa.read_od_2019_csv(path)
        df = _bilateral_codes(df, resolver, ["origin_name", "destination_name"], aggregate_names, od19)
        bilateral.append(df.assign(dataset=od19, edition=2019))
        bsources.append(od19)
    for ed in (2017, 2021):
        key = f"knomad_migration_{ed}"
        path = _raw(key, raw)
        if path:
            df = knomad.read_migration_matrix(path, ed)
            df = _bilateral_codes(df, resolver, ["origin_name", "destination_name"], aggregate_names, key)
            bilateral.append(df.assign(dataset=key))
            bsources.append(key)
    if bilateral:
        put("bilateral_stock", _combine(bilateral, "bilateral_stock"), bsources)
    steps.update()

    # 5. bilateral remittances (KNOMAD; model estimates)
    rems, rsources = [], []
    for ed in (2017, 2021):
        key = f"knomad_remittances_{ed}"
        path = _raw(key, raw)
        if path:
            df = knomad.read_remittance_matrix(path, ed)
            df = _bilateral_codes(df, resolver, ["sending_name", "receiving_name"], aggregate_names, key)
            rems.append(df.assign(dataset=key))
            rsources.append(key)
    if rems:
        put("bilateral_remittances", _combine(rems, "bilateral_remittances"), rsources)
    steps.update()

    # 6. World Bank WDI series (one file, the newest or official, per indicator) and economies
    wb_to_code = {w: int(c) for w, c in zip(countries["wb_code"], countries["location_code"])
                  if isinstance(w, str)}
    series, wsources = [], []
    groups = dict.fromkeys(_primary(k) for k in SOURCES if k.startswith("wdi_") and not k.endswith("_meta"))
    for group in groups:
        key = preferred(group, present)
        if key is None:
            continue
        if key == "wdi_gdidata":
            g = gdidata.read_wdi_extract(_raw(key, raw))
            g["wb_code"] = _extract_wb_codes(g["iso3"], resolver, countries, wb_meta, SOURCES[key].path)
        else:
            g = wdi.read_indicator(_raw(key, raw))
        series.append(g.assign(dataset=key))
        wsources.append(key)
    w = pd.concat(series, ignore_index=True)
    w["dataset"] = w["dataset"].astype("str")
    w["location_code"] = w["wb_code"].map(wb_to_code).astype("Int32")
    put("wdi", w[["dataset", "indicator", "wb_code", "location_code", "year", "value", "unit", "vintage"]],
        wsources)
    econ = wb_meta.assign(location_code=wb_meta["wb_code"].map(wb_to_code).astype("Int32"))
    put("wb_economies", econ[["wb_code", "wb_name", "table_name", "region", "income_group",
                              "is_aggregate", "location_code"]], ["wdi_remittances_received_meta"])
    steps.update()

    # 7. UNHCR: UNHCR's refugees package when cached, else the 1995-2020 extract
    ukey = preferred("unhcr_population", present)
    if ukey is not None:
        path = _raw(ukey, raw)
        u = unhcr.read_population(path) if ukey == "unhcr_population" else unhcr.read_refugees(path)
        allow = {c: None for c in unhcr.NON_ISO_CODES}
        for side in ("origin", "asylum"):
            mapping = resolver.iso3_map(u[f"{side}_iso3"].unique(), allow=allow, source=SOURCES[ukey].path)
            u[f"{side}_code"] = u[f"{side}_iso3"].map(mapping).astype("Int32")
        u["dataset"] = pd.array([ukey] * len(u), dtype="str")
        for col in ("idps", "stateless", "others_of_concern", "oip"):
            if col not in u:  # the extract has refugees and asylum seekers only
                u[col] = float("nan")
        put("unhcr_refugees", u[list(dtypes("unhcr_refugees"))], [ukey])
    steps.update()

    # 8. WPP 2024 births, deaths, net migration, population change and crude rates
    wpp_keys = {m: _WPP_KEYS[m] for m in wpp.MEASURES if _raw(_WPP_KEYS[m], raw)}
    if wpp_keys:
        long = pd.concat([wpp.read_indicator(_raw(k, raw), m) for m, k in wpp_keys.items()],
                         ignore_index=True)
        loc_path = _raw("wpp_locations", raw)
        locs = wpp.read_locations(loc_path) if loc_path else None
        wsrc = list(wpp_keys.values()) + (["wpp_locations"] if loc_path else [])
        for name, df in _wpp_tables(long, codes, locs).items():
            put(name, df, wsrc)
    steps.update()

    # 9. boundaries and area points
    geo = {}
    for scale in ("110m", "50m"):
        g = naturalearth.read_admin0(_require(f"naturalearth_{scale}", raw))
        geo[scale] = _boundaries(g, countries)
        put(f"boundaries_{scale}", geo[scale], [f"naturalearth_{scale}"])
    put("area_points", _area_points(geo["50m"], countries), ["naturalearth_50m"])
    steps.update()

    # 10. validate and write atomically; provenance last
    out = _write(tables, table_sources, hashes, data_dir, t0)
    steps.update()
    steps.close()
    return out


#: Registry keys of the WPP tables, by measure (see :data:`migstats.parsers.wpp.MEASURES`).
_WPP_KEYS = {"births": "wpp_births", "deaths": "wpp_deaths", "net_migration": "wpp_net_migration",
             "population_change": "wpp_population_change", "cbr": "wpp_cbr", "cdr": "wpp_cdr",
             "cnmr": "wpp_cnmr"}


def _primary(key: str) -> str:
    return SOURCES[key].alternative_of or key


def _with_unhcr_codes(countries: pd.DataFrame, unhcr_countries: pd.DataFrame | None) -> pd.DataFrame:
    """Add UNHCR's own code of each area (joined on ISO3; missing without the file)."""
    by_iso = {} if unhcr_countries is None else dict(
        zip(unhcr_countries["iso3"].dropna(), unhcr_countries.loc[unhcr_countries["iso3"].notna(), "unhcr_code"]))
    return countries.assign(unhcr_code=countries["iso3"].map(by_iso).astype("str"))


def _od_2024_reshape(df: pd.DataFrame, resolver, dataset: str) -> pd.DataFrame:
    """IOM GDI's reshape of IMS 2024 O-D: ISO3 codes -> location codes (XCX, OOO explicit)."""
    from .parsers.gdidata import NON_ISO_CODES

    ci = resolver.by_code(CHANNEL_ISLANDS_CODE).location_code
    explicit = {"XCX": ci, "OOO": OTHER_CODE}
    assert set(explicit) == set(NON_ISO_CODES)
    where = SOURCES[dataset].path
    dest = resolver.iso3_map(df["destination_iso3"].unique(), allow={"XCX": ci}, source=where)
    orig = resolver.iso3_map(df["origin_iso3"].unique(), allow=explicit, source=where)
    return pd.DataFrame({
        "dataset": dataset,
        "edition": 2024,
        "year": df["year"],
        "sex": df["sex"],
        "origin_code": df["origin_iso3"].map(orig).astype("int32"),
        "destination_code": df["destination_iso3"].map(dest).astype("int32"),
        "migrant_stock": df["migrant_stock"],
    })


def _extract_wb_codes(iso3: pd.Series, resolver, countries, wb_meta, where: str) -> pd.Series:
    """World Bank codes of the ISO3 codes of the gdidata WDI extract, through the resolver.

    An area's code is its ``wb_code`` in the country table; a code that is no UN DESA area
    (:data:`migstats.parsers.gdidata.WDI_NON_AREA_CODES`, e.g. Kosovo XKX) must be a World Bank
    economy itself. Anything else raises :class:`SourceLayoutError`.
    """
    from .parsers.gdidata import WDI_NON_AREA_CODES

    mapping = resolver.iso3_map(iso3.unique(), allow={c: None for c in WDI_NON_AREA_CODES}, source=where)
    wb_of = dict(zip(countries["location_code"].astype(int), countries["wb_code"]))
    economies = set(wb_meta.loc[~wb_meta["is_aggregate"], "wb_code"])
    out, failed = {}, []
    for code, loc in mapping.items():
        wb = wb_of.get(loc) if loc is not None else code
        if isinstance(wb, str) and wb in economies:
            out[code] = wb
        else:
            failed.append(code)
    if failed:
        raise SourceLayoutError(f"{where}: ISO3 codes {sorted(failed)} have no World Bank economy code; "
                                "add them to migstats.parsers.gdidata.WDI_NON_AREA_CODES or the "
                                "country table and rebuild.")
    return iso3.map(out).astype("str")


def _wpp_tables(long: pd.DataFrame, codes: set[int], locations: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """Split WPP rows into UN DESA areas, aggregates and the explicitly listed other areas.

    Aggregates are the codes from 900 up (checked against ``UNlocations.txt`` when cached).
    Guernsey (831) and Jersey (832) counts are summed into Channel Islands (830); no rates
    are given for 830. Any other code that is neither a UN DESA area nor listed in
    :data:`migstats.schemas.WPP_OTHER_AREAS` raises :class:`SourceLayoutError`.
    """
    from .parsers.wpp import COUNTS

    found = pd.Index(long["location_code"].unique())
    is_aggregate = pd.Series(found >= 900, index=found)
    if locations is not None:
        listed = locations.set_index("location_code")["is_area"]
        unknown = sorted(set(found) - set(listed.index))
        wrong = [int(c) for c in found if c in listed.index and listed[c] == is_aggregate[c]]
        if unknown or wrong:
            raise SourceLayoutError(f"WPP codes {unknown} are not in UNlocations.txt, or codes {wrong} are "
                                    "classified differently there (location_type 4 = area, code < 900).")
    areas = set(found[~is_aggregate.to_numpy()])
    unexpected = sorted(areas - codes - set(WPP_OTHER_AREAS))
    if unexpected:
        raise SourceLayoutError(f"WPP areas {unexpected} are neither UN DESA areas nor in "
                                "migstats.schemas.WPP_OTHER_AREAS; list them there with their handling.")
    cols = ["edition", "location_code", "year", "measure", "value", "unit"]
    long = long.assign(edition=np.int16(2024))
    code = long["location_code"]
    other = long[code.isin(list(WPP_OTHER_AREAS))]
    islands = other[other["location_code"].isin([831, 832]) & other["measure"].isin(COUNTS)]
    parts = [long[code.isin(list(codes))][cols]]
    if CHANNEL_ISLANDS_CODE not in areas and not islands.empty:
        n = islands.groupby(["measure", "year"], sort=False)["value"].agg(["sum", "size"])
        n = n[n["size"] == 2].reset_index()  # both islands published
        unit = islands.drop_duplicates("measure").set_index("measure")["unit"]
        parts.append(pd.DataFrame({"edition": np.int16(2024), "location_code": CHANNEL_ISLANDS_CODE,
                                   "year": n["year"], "measure": n["measure"], "value": n["sum"],
                                   "unit": n["measure"].map(unit)}))
    types = dtypes("wpp_indicators")
    order = ["measure", "location_code", "year"]
    return {
        "wpp_indicators": pd.concat(parts, ignore_index=True).astype(types)
                            .sort_values(order, ignore_index=True),
        "wpp_indicators_aggregates": long[code >= 900][cols].astype(types).sort_values(order, ignore_index=True),
        "wpp_indicators_other_areas": other[["edition", "location_code", "name", "year", "measure", "value",
                                             "unit"]].astype(dtypes("wpp_indicators_other_areas"))
                                        .sort_values(order, ignore_index=True),
    }


#: Natural Earth features that UN DESA counts within another area.
_NE_TO_UN = {"KOS": "SRB", "XKX": "SRB", "CYN": "CYP", "SOL": "SOM", "JEY": "CHI", "GGY": "CHI",
             "ALA": "FIN", "NFK": "AUS"}


def _boundaries(g, countries):
    import geopandas

    by_iso3 = dict(zip(countries["iso3"], countries["location_code"]))
    iso3 = g["iso3"].map(lambda i: _NE_TO_UN.get(i, i))
    out = geopandas.GeoDataFrame({
        "location_code": iso3.map(by_iso3).astype("Int32"),
        "iso3": g["iso3"].astype("str"),
        "name": g["name"].astype("str"),
    }, geometry=g.geometry.values, crs=g.crs)
    return out


def _area_points(g50, countries):
    import shapely

    rows = []
    have = g50.dropna(subset=["location_code"])
    for code, part in have.groupby("location_code"):
        # the largest polygon's interior point: France's point lies in France, not in Guiana
        polys = []
        for geom in part.geometry:
            polys += list(getattr(geom, "geoms", [geom]))
        largest = max(polys, key=lambda p: p.area)
        pt = shapely.point_on_surface(largest)
        rows.append((int(code), pt.x, pt.y, "Natural Earth 1:50m (point on largest polygon)"))
    seen = {r[0] for r in rows}
    iso = dict(zip(countries["location_code"].astype(int), countries["iso3"]))
    for code, iso3 in iso.items():
        if code not in seen and iso3 in _POINTS_WITHOUT_POLYGON:
            lon, lat = _POINTS_WITHOUT_POLYGON[iso3]
            rows.append((code, lon, lat, "migstats gazetteer (no Natural Earth polygon)"))
    df = pd.DataFrame(rows, columns=["location_code", "lon", "lat", "source"])
    df["iso3"] = df["location_code"].map(iso).astype("str")
    return df[["location_code", "iso3", "lon", "lat", "source"]].astype(
        {"location_code": "int32", "source": "str"}).sort_values("location_code", ignore_index=True)


def _write(tables, table_sources, hashes, data_dir, t0) -> Path:
    out = locations.processed_dir(data_dir)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=out))
    try:
        for name, df in tables.items():
            if not name.startswith("boundaries"):
                df = validate(df, name)
                df.to_parquet(staging / f"{name}.parquet", index=False)
            else:
                df.to_parquet(staging / f"{name}.parquet", index=False)
        used = sorted({k for ks in table_sources.values() for k in ks})
        prov = {
            "migstats_version": __version__,
            "build_id": uuid.uuid4().hex,
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - t0, 2),
            "tables": {n: {"rows": int(len(df)), "sources": table_sources.get(n, [])}
                       for n, df in tables.items()},
            "sources": {k: {"path": SOURCES[k].path, "sha256": hashes.get(k),
                            "publisher": SOURCES[k].publisher, "title": SOURCES[k].title,
                            "edition": SOURCES[k].edition, "url": SOURCES[k].url,
                            "official_bytes": SOURCES[k].official_bytes, "form": SOURCES[k].form,
                            "repository": SOURCES[k].repository} for k in used},
        }
        (staging / PROVENANCE_FILE).write_text(json.dumps(prov, indent=2), encoding="utf-8")
        # move tables into place one by one (each os.replace is atomic), provenance last
        for name in tables:
            os.replace(staging / f"{name}.parquet", out / f"{name}.parquet")
        os.replace(staging / PROVENANCE_FILE, out / PROVENANCE_FILE)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def ensure_built(data_dir=None, *, mirror=None, progress: bool = True) -> None:
    """Fetch the sources and build the store if it is missing (first run on a new machine)."""
    if is_built(data_dir):
        return
    from . import fetch

    fetch.fetch(mirror=mirror, data_dir=data_dir, progress=progress)
    build(data_dir, progress=progress)

