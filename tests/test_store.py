"""Tests of the processed store (migstats.store): provenance, schemas, accounting identities
of the tables, atomic writes, refusal of damaged or missing sources, and a CLI smoke test.

The store is the one built once per session from the verified mirror (``data_dir``).
Builds that are expected to fail run in copies under ``tmp_path``. Expected numbers are
cited to the raw files (sheet, Excel row and column).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import geopandas
import pandas as pd
import pytest

import migstats
from migstats import cli, registry, schemas, store
from migstats.exceptions import (
    SchemaError,
    SourceMissingError,
    SourceVerificationError,
    StoreNotBuiltError,
)
from migstats.fetch import PINS_FILE

WORLD, OTHER = schemas.WORLD_CODE, schemas.OTHER_CODE
COUNTRY_TABLES = ("destination_stock", "population", "origin_stock", "countries")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snapshot(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in ``folder`` (recursively), by relative path."""
    return {str(p.relative_to(folder)): _sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def prov(data_dir) -> dict:
    return store.provenance(data_dir)


# -- provenance -----------------------------------------------------------------------------------
def test_provenance_records_every_source_with_its_hash(data_dir, prov):
    raw = data_dir / "raw"
    pins = json.loads((raw / PINS_FILE).read_text(encoding="utf-8"))["pins"]
    used = {k for t in prov["tables"].values() for k in t["sources"]}
    present = {k for k, s in registry.SOURCES.items() if (raw / s.path).is_file()}
    # every present source feeds at least one table unless a preferred source of the same data
    # (official file, newer vintage) is present too; only present sources are recorded
    chosen = {registry.preferred(k, present) for k in present}
    assert set(prov["sources"]) == used == chosen
    # the mirror holds both GDP vintages and both UNHCR forms: the older ones are skipped
    assert present - chosen == {"wdi_gdp_2024_10", "unhcr_refugees"}
    for key, rec in prov["sources"].items():
        src = registry.SOURCES[key]
        expected = src.sha256 or pins[key]["sha256"]
        assert rec["sha256"] == expected == _sha256(raw / src.path), key
        assert rec["edition"] == src.edition and rec["path"] == src.path
        assert rec["publisher"] == src.publisher and rec["url"] == src.url
        assert rec["form"] == src.form and rec["repository"] == src.repository
    # the mirror's SHA256SUMS list the same hash for the registry's verified files, e.g.
    assert prov["sources"]["undesa_2024_destination"]["sha256"] == \
        "894fe0637f649e9eb2555915e7f5d6e9818a913b7653c8d7b5e3803fc236ce82"
    assert prov["migstats_version"] == migstats.__version__
    built = datetime.fromisoformat(prov["built_at"])
    assert built.tzinfo is not None
    assert re.fullmatch(r"[0-9a-f]{32}", prov["build_id"])
    assert prov["build_seconds"] > 0
    assert store.is_built(data_dir)


def test_every_table_loads_and_matches_its_schema(data_dir, prov):
    assert len(prov["tables"]) >= 20
    for name, rec in prov["tables"].items():
        df = store.load(name, data_dir)
        assert len(df) == rec["rows"], name
        assert rec["sources"], name
        if name.startswith("boundaries"):
            assert isinstance(df, geopandas.GeoDataFrame)
        else:
            schemas.validate(df, name)


def test_load_is_cached_and_returns_copies(data_dir):
    a = store.load("countries", data_dir)
    a["name"] = "changed"
    b = store.load("countries", data_dir)
    assert (b["name"] != "changed").all()


def test_source_citation(data_dir):
    assert store.source_citation("undesa_2024_destination", data_dir) == \
        registry.SOURCES["undesa_2024_destination"].citation()


# -- accounting identities ---------------------------------------------------------------------------
def test_destination_countries_sum_to_world(data_dir):
    d = store.load("destination_stock", data_dir)
    agg = store.load("destination_stock_aggregates", data_dir)
    d, agg = d[d["edition"] == 2024], agg[agg["edition"] == 2024]
    assert d["location_code"].nunique() == 235
    sums = d.groupby(["year", "sex"])["migrant_stock"].sum()
    world = agg[agg["location_code"] == WORLD].set_index(["year", "sex"])["migrant_stock"]
    assert len(world) == 24  # 8 years x 3 sexes
    pd.testing.assert_series_equal(sums.sort_index(), world.sort_index(), check_exact=True,
                                   check_names=False)
    # Table 1, Excel row 12 (World), column M (2024, both sexes): 304,021,813;
    # column F (1990): 153,916,063
    assert world[(2024, "both")] == 304_021_813
    assert world[(1990, "both")] == 153_916_063


def test_origin_countries_plus_other_sum_to_world(data_dir):
    o = store.load("origin_stock", data_dir)
    agg = store.load("origin_stock_aggregates", data_dir)
    o, agg = o[o["edition"] == 2024], agg[agg["edition"] == 2024]
    other = agg[agg["location_code"] == OTHER].set_index(["year", "sex"])["emigrant_stock"]
    world = agg[agg["location_code"] == WORLD].set_index(["year", "sex"])["emigrant_stock"]
    sums = o.groupby(["year", "sex"])["emigrant_stock"].sum()
    assert len(world) == 24
    pd.testing.assert_series_equal((sums + other).sort_index(), world.sort_index(),
                                   check_exact=True, check_names=False)
    # by-origin Table 1, Excel row 299 (OTHER, code 2003), column M (2024): 22,065,614
    assert other[(2024, "both")] == 22_065_614


def test_no_aggregate_code_in_country_tables(data_dir, prov):
    aggregate_codes = set(store.load("aggregates", data_dir)["location_code"].astype(int))
    aggregate_codes |= {WORLD, OTHER}
    for name in prov["tables"]:
        if name.endswith("_aggregates"):
            aggregate_codes |= set(store.load(name, data_dir)["location_code"].astype(int))
    country_codes = set(store.load("countries", data_dir)["location_code"].astype(int))
    assert not country_codes & aggregate_codes
    for name in COUNTRY_TABLES:
        codes = set(store.load(name, data_dir)["location_code"].astype(int))
        assert codes <= country_codes, name
        assert not codes & aggregate_codes, (name, sorted(codes & aggregate_codes))
        assert max(codes) < 900, name


def test_bilateral_stock_datasets_and_years(data_dir):
    b = store.load("bilateral_stock", data_dir)
    years = b.groupby("dataset")["year"].apply(lambda s: sorted(set(s.astype(int))))
    expected = {
        # 2019 O-D CSV: Year column, 1990 ... 2019 (MANIFEST)
        "undesa_2019_od_csv": [1990, 1995, 2000, 2005, 2010, 2015, 2019],
        "knomad_migration_2017": [2017],
        "knomad_migration_2021": [2021],
        # undesa_stocks.rda column t: 1990, 1995, ..., 2020, 2024 (MANIFEST)
        "undesa_2024_od_gdidata": [1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024],
    }
    for dataset, yrs in expected.items():
        assert years[dataset] == yrs, dataset
    assert set(years.index) == set(expected)  # the official 2024 workbook is not in the mirror
    assert (b["migrant_stock"] >= 0).all()
    assert not b.duplicated(["dataset", "year", "sex", "origin_code", "destination_code"]).any()


def test_knomad_2021_belarus_emigrants(data_dir):
    b = store.load("bilateral_stock", data_dir)
    blr = b[(b["dataset"] == "knomad_migration_2021") & (b["origin_code"] == 112)]
    # bilateral_migration_matrix_2021_latest.xlsx, sheet "BRM 2021", Excel row 20 (Belarus),
    # column HM (World): 1,502,866. Columns HK/HL (Other North/South) are blank in row 20.
    assert blr["migrant_stock"].sum() == 1_502_866  # incl. OTHER (2003) destinations
    assert blr.loc[blr["destination_code"] == OTHER, "migrant_stock"].sum() == 0
    assert blr["destination_code"].is_unique


def test_population_is_in_persons(data_dir):
    p = store.load("population_aggregates", data_dir)
    world = p[(p["edition"] == 2024) & (p["location_code"] == WORLD) & (p["year"] == 2024)
              & (p["sex"] == "both")]["population"]
    # Table 2, Excel row 12 (World), column L (2024, both sexes): 8,161,972.572 thousand
    assert world.tolist() == [8_161_972_572]


def test_wdi_keeps_one_vintage_per_indicator(data_dir, mirror_dir):
    w = store.load("wdi", data_dir)
    # the extract of remittances paid also gives its own remittances received, kept beside the
    # official series (indicators use it only for a net figure of the extract's one vintage)
    extract = w["dataset"] == "wdi_gdidata"
    assert set(w.loc[extract, "indicator"]) == {"BM.TRF.PWKR.CD.DT", "BX.TRF.PWKR.CD.DT"}
    w = w[~(extract & (w["indicator"] == "BX.TRF.PWKR.CD.DT"))]
    vintages = w.groupby("indicator")["vintage"].unique().map(list).to_dict()
    datasets = w.groupby("indicator")["dataset"].unique().map(list).to_dict()
    for key, indicator in (("wdi_remittances_received", "BX.TRF.PWKR.CD.DT"),
                           ("wdi_gdp", "NY.GDP.MKTP.CD"), ("wdi_population", "SP.POP.TOTL")):
        # line 3 of each data CSV: "Last Updated Date","2025-07-01",
        line3 = (mirror_dir / registry.SOURCES[key].path).read_text(encoding="utf-8-sig").splitlines()[2]
        published = re.search(r'"Last Updated Date","([0-9-]+)"', line3).group(1)
        assert vintages[indicator] == [published] == ["2025-07-01"], indicator
        assert datasets[indicator] == [key]
    # the older GDP file (2024-10-24, also in the mirror) is not mixed in: remittances received
    # and GDP share one vintage, so received / GDP is a same-vintage ratio
    assert "2024-10-24" not in set(w["vintage"])
    # remittances paid: the official file is not in the mirror, the IOM GDI extract stands in
    assert datasets["BM.TRF.PWKR.CD.DT"] == ["wdi_gdidata"]
    assert vintages["BM.TRF.PWKR.CD.DT"] == ["IOM GDI extract (gdidata, 2025-02-07; WDI vintage unstated)"]
    assert not w.duplicated(["indicator", "wb_code", "year"]).any()


def test_boundaries(data_dir):
    for scale, n in (("110m", 177), ("50m", 242)):  # MANIFEST: 177 / 242 features
        g = store.load_boundaries(scale, data_dir)
        assert isinstance(g, geopandas.GeoDataFrame) and len(g) == n
        assert g.crs.to_epsg() == 4326
        codes = dict(zip(g["name"], g["location_code"]))
        # Natural Earth ISO_A3/ISO_N3 are -99 for France and Norway: codes come from ISO_A3_EH/ADM0_A3
        assert codes["France"] == 250 and codes["Norway"] == 578
        assert codes["Kosovo"] == 688  # counted within Serbia
    with pytest.raises(ValueError):
        store.load_boundaries("10m", data_dir)


def test_area_points_cover_every_area(data_dir):
    pts = store.load("area_points", data_dir)
    codes = set(store.load("countries", data_dir)["location_code"].astype(int))
    assert len(pts) == 235 and pts["location_code"].is_unique
    assert set(pts["location_code"].astype(int)) == codes
    assert pts["lon"].between(-180, 180).all() and pts["lat"].between(-90, 90).all()
    tuv = pts[pts["iso3"] == "TUV"].iloc[0]  # no Natural Earth polygon
    assert -10 < tuv["lat"] < -5


# -- atomic writes and refusals -------------------------------------------------------------------------
@pytest.fixture
def store_copy(data_dir, tmp_path) -> Path:
    """A copy of the session data root (raw + processed)."""
    root = tmp_path / "copy"
    shutil.copytree(data_dir, root)
    return root


def test_failing_parser_leaves_previous_store(store_copy, monkeypatch):
    from migstats.parsers import knomad

    before = _snapshot(store_copy / "processed")
    prov_before = store.provenance(store_copy)

    def broken(*args, **kwargs):
        raise RuntimeError("simulated parser failure")

    # step 5 of 10: tables 1-4 have been parsed when it fails
    monkeypatch.setattr(knomad, "read_remittance_matrix", broken)
    with pytest.raises(RuntimeError, match="simulated"):
        store.build(store_copy, progress=False)
    assert _snapshot(store_copy / "processed") == before
    assert store.provenance(store_copy) == prov_before
    assert not list((store_copy / "processed").glob(".build-*"))


def test_failure_while_writing_leaves_previous_store(store_copy, monkeypatch):
    processed = store_copy / "processed"
    before = _snapshot(processed)
    real_validate = store.validate
    staged: list[Path] = []

    def failing_validate(df, name):
        if name == "wdi":
            staged.extend(processed.glob(".build-*/*.parquet"))
            raise SchemaError("simulated schema failure")
        return real_validate(df, name)

    monkeypatch.setattr(store, "validate", failing_validate)
    with pytest.raises(SchemaError, match="simulated"):
        store.build(store_copy, progress=False)
    assert staged, "the failure should happen after some tables were staged"
    assert not list(processed.glob(".build-*"))
    assert _snapshot(processed) == before


@pytest.fixture
def raw_copy(data_dir, tmp_path) -> Path:
    """A fresh data root holding only a copy of the session's raw/ (no store)."""
    root = tmp_path / "fresh"
    shutil.copytree(data_dir / "raw", root / "raw")
    return root


def test_corrupted_source_is_refused(raw_copy):
    src = registry.SOURCES["undesa_annex"]
    path = raw_copy / "raw" / src.path
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 16] = bytes(b ^ 0xFF for b in data[mid:mid + 16])  # same size, other bytes
    path.write_bytes(bytes(data))
    with pytest.raises(SourceVerificationError) as info:
        store.build(raw_copy, progress=False)
    msg = str(info.value)
    assert src.filename in msg
    assert "migstats data fetch --force" in msg
    assert info.value.keys == ["undesa_annex"]
    assert not (raw_copy / "processed" / store.PROVENANCE_FILE).exists()


def test_missing_required_source(raw_copy):
    src = registry.SOURCES["undesa_2024_origin"]
    assert src.required
    (raw_copy / "raw" / src.path).unlink()
    with pytest.raises(SourceMissingError) as info:
        store.build(raw_copy, progress=False)
    msg = str(info.value)
    assert src.filename in msg and "migstats data fetch" in msg


def test_load_unbuilt_store(tmp_path):
    with pytest.raises(StoreNotBuiltError, match="migstats data build"):
        store.load("countries", tmp_path)
    with pytest.raises(StoreNotBuiltError, match="migstats data build"):
        store.provenance(tmp_path)
    assert not store.is_built(tmp_path)


def test_load_unknown_table(data_dir):
    with pytest.raises(KeyError, match="destination_stock"):
        store.load("no_such_table", data_dir)


# -- CLI smoke -------------------------------------------------------------------------------------------
def test_cli_data_status(data_dir, capsys):
    assert cli.main(["--data-dir", str(data_dir), "data", "status"]) == 0
    out = capsys.readouterr().out
    raw = data_dir / "raw"
    for key, src in registry.SOURCES.items():
        if (raw / src.path).is_file():
            state = "verified" if src.sha256 else "pinned"
        else:
            state = "missing"
        assert re.search(rf"^\s*{re.escape(key)}\s.*\s{re.escape(src.form)}\s+{state}\s", out, re.M), \
            (key, state)
    assert "changed" not in out
    lines = {line.split()[0]: line for line in out.splitlines()[1:] if line.strip()}
    # which form is cached and used: the reshape stands in for the missing official workbook ...
    assert re.search(r"third-party\s+verified\s+yes, stand-in for undesa_2024_od\s", lines["undesa_2024_od_gdidata"])
    assert re.search(r"official file\s+missing\s", lines["undesa_2024_od"])
    # ... UNHCR's own package is used, the older third-party extract is not
    assert re.search(r"publisher's package\s+verified\s+yes\s", lines["unhcr_population"])
    assert re.search(r"third-party\s+verified\s+no, unhcr_population preferred\s", lines["unhcr_refugees"])
    assert re.search(r"official file\s+verified\s+no, wdi_gdp preferred\s", lines["wdi_gdp_2024_10"])


def test_cli_countries(data_dir, capsys):
    assert cli.main(["--data-dir", str(data_dir), "countries", "Kyrgyz Republic"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^iso3\s+KGZ$", out, re.M)
    assert cli.main(["--data-dir", str(data_dir), "countries", "Tadjikistan"]) == 2
    captured = capsys.readouterr()
    assert "Did you mean: Tajikistan (TJK)" in captured.err
    assert captured.out == ""
