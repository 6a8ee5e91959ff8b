"""The store tables built from the 2026-12-04 sources of the mirror (issue 16, data layer).

Expected figures come from the mirror's MANIFEST.md (cited by section) or are read in the
test straight from the raw files with pyreadr / the csv module, independently of migstats'
parsers. File abbreviations:

* ``GDI`` = undesa_ims/iom-gdidata/undesa_stocks.rda (IMS 2024 O-D x sex, IOM GDI reshape);
* ``UNHCR`` = unhcr/refugees_2025.12.1/population.rda, ``UNHCR_C`` = …/countries.rda;
* ``WPP`` = wpp/wpp2024_1.1-3/data-raw/<measure>.txt;
* ``POP`` = worldbank_wdi/API_SP.POP.TOTL_DS2_en_csv_v2_38144.csv,
  ``GDP`` = worldbank_wdi/API_NY.GDP.MKTP.CD_DS2_en_csv_v2_38344.csv;
* ``WDI_X`` = worldbank_wdi/iom-gdidata/wdi.rda (variable ``remout``).

A last test builds a store without the new files and checks the fallbacks (older UNHCR
extract, older GDP vintage, no 2024 corridors, no remittances paid).
"""

from __future__ import annotations

import csv

import pandas as pd
import pyreadr
import pytest

from migstats import registry, schemas, store
from migstats.parsers import gdidata, unhcr, wpp

GDI = "undesa_ims/iom-gdidata/undesa_stocks.rda"
UNHCR = "unhcr/refugees_2025.12.1/population.rda"
UNHCR_C = "unhcr/refugees_2025.12.1/countries.rda"
WDI_X = "worldbank_wdi/iom-gdidata/wdi.rda"
WPP_DIR = "wpp/wpp2024_1.1-3/data-raw"
YEARS = [1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024]


@pytest.fixture(scope="module")
def od24(data_dir) -> pd.DataFrame:
    b = store.load("bilateral_stock", data_dir)
    return b[b["dataset"] == "undesa_2024_od_gdidata"]


def _cell(df, origin, destination, year, sex="both") -> list[float]:
    return df.loc[(df["origin_code"] == origin) & (df["destination_code"] == destination)
                  & (df["year"] == year) & (df["sex"] == sex), "migrant_stock"].tolist()


# -- bilateral_stock: UN DESA 2024 origin x destination (IOM GDI's reshape) ---------------------------
def test_belarus_in_russia_and_syria_in_turkiye_2024(od24, mirror_dir):
    # MANIFEST, issue 16: Belarus-born in Russia 2024 = 255,159; Syrians in Türkiye 2024 = 3,563,983
    assert _cell(od24, 112, 643, 2024) == [255_159]
    assert _cell(od24, 760, 792, 2024) == [3_563_983]
    # GDI rows geo RUS, from BLR, t 2024: female 145,223, male 109,936 (read here with pyreadr)
    u = pyreadr.read_r(mirror_dir / GDI)["undesa_stocks"]
    rus = u[(u["geo"] == "RUS") & (u["from"] == "BLR") & (u["t"] == 2024)].set_index("sex")["n"]
    assert _cell(od24, 112, 643, 2024, "female") == [rus["female"]] == [145_223]
    assert _cell(od24, 112, 643, 2024, "male") == [rus["male"]] == [109_936]


def test_world_total_and_every_destination_and_origin_total(od24, data_dir):
    both = od24[od24["sex"] == "both"]
    # MANIFEST (undesa_stocks.rda): World 1990 = 153,916,063; 2020 = 275,284,032; 2024 = 304,021,813
    world = both.groupby("year")["migrant_stock"].sum()
    assert world[2024] == 304_021_813 and world[2020] == 275_284_032 and world[1990] == 153_916_063
    # MANIFEST: the reshape's sums equal Table 1 of the official destination and origin
    # workbooks in every area x year x sex; the store's tables from those workbooks agree
    dest = store.load("destination_stock", data_dir)
    dest = dest[dest["edition"] == 2024].dropna(subset=["migrant_stock"])
    sums = od24.groupby(["destination_code", "year", "sex"])["migrant_stock"].sum()
    table = dest.set_index(["location_code", "year", "sex"])["migrant_stock"]
    table.index.names = sums.index.names
    pd.testing.assert_series_equal(sums.sort_index(), table.sort_index(), check_exact=True,
                                   check_names=False, check_dtype=False)
    orig = store.load("origin_stock", data_dir)
    orig = orig[orig["edition"] == 2024].set_index(["location_code", "year", "sex"])["emigrant_stock"]
    by_origin = od24[od24["origin_code"] != schemas.OTHER_CODE].groupby(
        ["origin_code", "year", "sex"])["migrant_stock"].sum()
    orig.index.names = by_origin.index.names
    pd.testing.assert_series_equal(by_origin.sort_index(), orig.dropna().sort_index(), check_exact=True,
                                   check_names=False, check_dtype=False)


def test_rows_present_as_reported_zeros_kept(od24, mirror_dir):
    u = pyreadr.read_r(mirror_dir / GDI)["undesa_stocks"]
    sexed = od24[od24["sex"] != "both"]
    # one store row per file row (153,296; MANIFEST), plus one both-sexes row per male/female pair
    assert len(sexed) == len(u) == 153_296
    assert len(od24) == 153_296 * 3 // 2
    # 9,581 destination-origin pairs, each with 8 years x 2 sexes (MANIFEST); absent pairs stay absent
    assert od24.groupby(["origin_code", "destination_code"]).ngroups == 9_581
    assert sorted(set(od24["year"])) == YEARS
    # published zeros are rows with 0, never dropped (MANIFEST: 14,925 rows with n = 0)
    assert (sexed["migrant_stock"] == 0).sum() == (u["n"] == 0).sum() == 14_925
    assert od24["migrant_stock"].notna().all()
    # OOO (origin unknown) -> OTHER 2003: 3,728 rows (MANIFEST); XCX -> Channel Islands 830
    assert (sexed["origin_code"] == schemas.OTHER_CODE).sum() == 3_728
    assert schemas.OTHER_CODE not in set(od24["destination_code"])
    assert (u["geo"] == "XCX").sum() == (sexed["destination_code"] == 830).sum() > 0
    assert (u["from"] == "XCX").sum() == (sexed["origin_code"] == 830).sum() > 0
    # Saint Barthélemy (652) and Saint Martin (663) have no rows, as in the official file
    assert not {652, 663} & set(od24["destination_code"])


# -- unhcr_refugees: UNHCR's refugees package -----------------------------------------------------------
@pytest.fixture(scope="module")
def unhcr_file(mirror_dir) -> pd.DataFrame:
    return pyreadr.read_r(mirror_dir / UNHCR)["population"]


def test_unhcr_world_refugees_2024(data_dir, unhcr_file):
    u = store.load("unhcr_refugees", data_dir)
    assert set(u["dataset"]) == {"unhcr_population"}
    assert len(u) == len(unhcr_file) == 138_893  # MANIFEST: every row kept (no all-zero rows)
    assert (u["year"].min(), u["year"].max()) == (1951, 2025)
    y24 = u[u["year"] == 2024]
    # refugees under UNHCR's mandate 2024: the refugees column of UNHCR read with pyreadr
    # sums to 30,958,200; MANIFEST: 30.96 m (asylum seekers 8.35 m)
    expected = unhcr_file.loc[unhcr_file["year"] == 2024, "refugees"].sum()
    assert y24["refugees"].sum() == expected == 30_958_200
    assert round(y24["refugees"].sum() / 1e6, 2) == 30.96
    assert round(y24["asylum_seekers"].sum() / 1e6, 2) == 8.35
    # MANIFEST world refugees 2021-2023: 21.33 m, 29.43 m, 31.64 m
    by_year = u.groupby("year")["refugees"].sum()
    assert [round(by_year[y] / 1e6, 2) for y in (2021, 2022, 2023)] == [21.33, 29.43, 31.64]


def test_unhcr_joined_on_iso_never_on_unhcr_codes(data_dir, unhcr_file):
    u = store.load("unhcr_refugees", data_dir)
    # UNHCR code AUS is Austria (coa_iso AUT), AUL is Australia (coa_iso AUS)
    f = unhcr_file[unhcr_file["year"] == 2024]
    austria = f.loc[f["coa"] == "AUS", "refugees"].sum()
    australia = f.loc[f["coa"] == "AUL", "refugees"].sum()
    y24 = u[u["year"] == 2024]
    assert y24.loc[y24["asylum_code"] == 40, "refugees"].sum() == austria == 284_828
    assert y24.loc[y24["asylum_code"] == 36, "refugees"].sum() == australia == 29_511
    countries = store.load("countries", data_dir).set_index("iso3")
    assert countries.at["AUT", "unhcr_code"] == "AUS" and countries.at["AUS", "unhcr_code"] == "AUL"


def test_unhcr_codes_resolve_or_are_listed(data_dir, mirror_dir):
    u = store.load("unhcr_refugees", data_dir)
    codes = set(store.load("countries", data_dir)["location_code"].astype(int))
    for side in ("origin", "asylum"):
        listed = u[f"{side}_iso3"].isin(list(unhcr.NON_ISO_CODES))
        assert u.loc[listed, f"{side}_code"].isna().all()
        assert u.loc[~listed, f"{side}_code"].notna().all()  # everything else is an area
        assert set(u.loc[~listed, f"{side}_code"].astype(int)) <= codes
    # the three listed codes, as the file has them (MANIFEST: UNK unknown, XXA stateless; TIB)
    assert set(u.loc[u["origin_code"].isna(), "origin_iso3"]) == {"UNK", "XXA", "TIB"}
    assert set(u.loc[u["asylum_code"].isna(), "asylum_iso3"]) == {"UNK"}
    # every ISO code of UNHCR's country table is an area, or one of these without an IMS area
    c = pyreadr.read_r(mirror_dir / UNHCR_C)["countries"]
    iso3 = set(store.load("countries", data_dir)["iso3"])
    no_area = {"BVT": "Bouvet Island (uninhabited)", "SGS": "South Georgia (no IMS area)",
               "SJM": "Svalbard and Jan Mayen (no IMS area)", "XXA": "stateless", "XXX": "unknown"}
    isos = set(c["iso_code"].dropna()) - {""}
    assert isos - iso3 == set(no_area)
    # areas without a UNHCR code: the UN DESA areas UNHCR does not list separately
    ct = store.load("countries", data_dir)
    assert set(ct.loc[ct["unhcr_code"].isna(), "iso3"]) == set(iso3 - isos)


def test_unhcr_fields(data_dir):
    u = store.load("unhcr_refugees", data_dir)
    # MANIFEST: oip is NaN before 2018; the other counts have no NaN
    assert u.loc[u["year"] < 2018, "oip"].isna().all() and u.loc[u["year"] >= 2018, "oip"].notna().any()
    for col in ("refugees", "asylum_seekers", "idps", "stateless", "others_of_concern"):
        assert u[col].notna().all(), col
    # MANIFEST: IDPs appear only on rows where origin = asylum
    assert (u.loc[u["origin_iso3"] != u["asylum_iso3"], "idps"] == 0).all()
    assert u.loc[u["origin_iso3"] == u["asylum_iso3"], "idps"].sum() > 0


# -- wpp_indicators -------------------------------------------------------------------------------------
def _wpp_file(mirror_dir, measure) -> dict[tuple[int, int], str]:
    """(code, year) -> cell text of a WPP table, read with the csv module."""
    name = wpp.MEASURES[measure][0]
    with open(mirror_dir / WPP_DIR / name, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    header = rows[0]
    years = [(j, int(h)) for j, h in enumerate(header) if h.isdigit()]
    return {(int(r[0]), y): r[j] for r in rows[1:] for j, y in years}


@pytest.fixture(scope="module")
def wpp_tables(data_dir) -> dict[str, pd.DataFrame]:
    return {n: store.load(n, data_dir) for n in ("wpp_indicators", "wpp_indicators_aggregates",
                                                 "wpp_indicators_other_areas")}


def test_wpp_world(wpp_tables):
    agg = wpp_tables["wpp_indicators_aggregates"]
    world = agg[agg["location_code"] == schemas.WORLD_CODE].pivot(index="year", columns="measure",
                                                                   values="value")
    assert list(world.index) == list(range(1950, 2024))
    # MANIFEST: world net migration is 0 in every year
    assert (world["net_migration"] == 0).all()
    # WPP births.txt, row World (900), column 2023: 132110.264 thousand (MANIFEST: 132,110.264)
    assert world.at[2023, "births"] == 132_110_264
    assert world.at[2023, "deaths"] == 61_651_608  # MANIFEST: 61,651.608 thousand


def test_wpp_every_row_is_mapped_aggregated_or_listed(wpp_tables, data_dir, mirror_dir):
    codes = set(store.load("countries", data_dir)["location_code"].astype(int))
    t = wpp_tables
    for measure in wpp.MEASURES:
        raw = _wpp_file(mirror_dir, measure)
        parts = {name: {(int(c), int(y)) for c, y in df.loc[df["measure"] == measure,
                                                              ["location_code", "year"]].to_numpy()}
                 for name, df in t.items()}
        # every (code, year) of the file is in exactly one table (830 is derived, not in the file)
        areas = parts["wpp_indicators"] - {(830, y) for y in range(1950, 2024)}
        assert areas | parts["wpp_indicators_aggregates"] | parts["wpp_indicators_other_areas"] == set(raw)
        assert len(areas) + len(parts["wpp_indicators_aggregates"]) \
            + len(parts["wpp_indicators_other_areas"]) == len(raw) == 297 * 74
        assert {c for c, _ in areas} <= codes
        assert {c for c, _ in parts["wpp_indicators_aggregates"]} == {c for c, _ in raw if c >= 900}
        assert {c for c, _ in parts["wpp_indicators_other_areas"]} == set(schemas.WPP_OTHER_AREAS)
        # values as published (counts: thousands x 1000)
        scale = 1000 if measure in wpp.COUNTS else 1
        for name in t:
            df = t[name][t[name]["measure"] == measure]
            for code, year, value in df[["location_code", "year", "value"]].to_numpy()[::97]:
                if (int(code), int(year)) in raw:
                    assert value == pytest.approx(float(raw[(int(code), int(year))]) * scale, abs=1e-6)
    # 61 aggregates, 233 IMS areas found in WPP + Channel Islands; Holy See 336 has no WPP rows
    assert t["wpp_indicators_aggregates"]["location_code"].nunique() == 61
    assert t["wpp_indicators"]["location_code"].nunique() == 234
    assert codes - set(t["wpp_indicators"]["location_code"]) == {336}


def test_wpp_channel_islands_and_kosovo(wpp_tables):
    t = wpp_tables["wpp_indicators"]
    other = wpp_tables["wpp_indicators_other_areas"]
    ci = t[t["location_code"] == 830].pivot(index="year", columns="measure", values="value")
    assert sorted(ci.columns) == sorted(wpp.COUNTS)  # counts only, no rates for 830
    islands = other[other["location_code"].isin([831, 832])].groupby(["year", "measure"])["value"].sum()
    for measure in wpp.COUNTS:
        assert (ci[measure] == islands.xs(measure, level="measure")).all()
    kosovo = other[other["location_code"] == 412]
    assert set(kosovo["name"]) == {"Kosovo (under UNSC res. 1244)"} and len(kosovo) == 7 * 74
    assert 412 not in set(t["location_code"]) and 412 not in set(
        wpp_tables["wpp_indicators_aggregates"]["location_code"])


def test_wpp_units_and_belarus(wpp_tables):
    t = wpp_tables["wpp_indicators"]
    units = t.groupby("measure")["unit"].unique().map(list).to_dict()
    assert units == {m: [u] for m, (_, u) in wpp.MEASURES.items()}
    blr = t[(t["location_code"] == 112) & (t["measure"] == "net_migration")].set_index("year")["value"]
    # MANIFEST: Belarus net migration 2015-2023 (thousands): 18.1, 8.3, 3.3, 8.6, -34.0 x 3, -8.0, -3.0
    assert [round(blr[y] / 1000, 1) for y in range(2015, 2024)] == \
        [18.1, 8.3, 3.3, 8.6, -34.0, -34.0, -34.0, -8.0, -3.0]
    assert t["edition"].eq(2024).all() and t["year"].between(1950, 2023).all()


# -- wdi: 2025-07-01 population and GDP; remittances paid from the gdidata extract ---------------------
@pytest.fixture(scope="module")
def wdi(data_dir) -> pd.DataFrame:
    # the extract's remittances received (kept for a net figure of one vintage) aside: one row
    # per indicator, economy and year
    w = store.load("wdi", data_dir)
    w = w[~((w["dataset"] == "wdi_gdidata") & (w["indicator"] == "BX.TRF.PWKR.CD.DT"))]
    return w.set_index(["indicator", "wb_code", "year"])


def test_wdi_population_and_gdp_2025_07(wdi):
    # MANIFEST (WDI 2025-07-01): SP.POP.TOTL BLR 2024 = 9,133,712; WLD 2024 = 8,142,056,446
    assert wdi.at[("SP.POP.TOTL", "BLR", 2024), "value"] == 9_133_712
    assert wdi.at[("SP.POP.TOTL", "WLD", 2024), "value"] == 8_142_056_446
    assert pd.isna(wdi.at[("SP.POP.TOTL", "WLD", 2024), "location_code"])
    assert wdi.at[("SP.POP.TOTL", "BLR", 2024), "location_code"] == 112
    # GDP line 257 (United States), column 2024: 29184890000000 (MANIFEST: 29.185 tn)
    assert wdi.at[("NY.GDP.MKTP.CD", "USA", 2024), "value"] == 29_184_890_000_000
    assert wdi.at[("NY.GDP.MKTP.CD", "USA", 2024), "vintage"] == "2025-07-01"


def test_wdi_remittances_paid_from_the_extract(wdi, mirror_dir, data_dir):
    paid = wdi.xs("BM.TRF.PWKR.CD.DT", level="indicator")
    # MANIFEST (wdi.rda): BLR 2023 remout = 113,931,600 (rounded; the file has 113,931,580.04)
    assert paid.at[("BLR", 2023), "value"] == pytest.approx(113_931_600, abs=50)
    # WDI_X rows geo USA / DEU, var remout, t 2023, read here with pyreadr: 93,031,000,000 and
    # 22,993,939,430.586 current US$
    x = pyreadr.read_r(mirror_dir / WDI_X)["wdi"]
    x = x[x["var"] == "remout"].set_index(["geo", "t"])["v"]
    assert paid.at[("USA", 2023), "value"] == x[("USA", 2023)] == 93_031_000_000
    assert paid.at[("DEU", 2023), "value"] == x[("DEU", 2023)] == 22_993_939_430.586
    assert paid.at[("DEU", 2023), "location_code"] == 276
    assert set(paid["unit"]) == {"current US$"}
    assert set(paid["vintage"]) == {gdidata.EXTRACT_VINTAGE}
    # every economy of the extract resolves to a World Bank economy and an M49 area, or is listed
    # (MANIFEST: 5,406 rows, 198 economies, 1990-2023)
    assert len(paid) == len(x) == 5_406
    assert paid.index.get_level_values("wb_code").nunique() == 198
    without_area = set(paid.index.get_level_values("wb_code")[paid["location_code"].isna().to_numpy()])
    assert without_area == set(gdidata.WDI_NON_AREA_CODES) == {"XKX"}
    econ = store.load("wb_economies", data_dir)
    assert set(paid.index.get_level_values("wb_code")) <= set(econ.loc[~econ["is_aggregate"], "wb_code"])


def test_provenance_names_the_new_files(data_dir):
    prov = store.provenance(data_dir)["tables"]
    assert prov["bilateral_stock"]["sources"][0] == "undesa_2024_od_gdidata"
    assert prov["unhcr_refugees"]["sources"] == ["unhcr_population"]
    assert "unhcr_countries" in prov["countries"]["sources"]
    assert set(prov["wdi"]["sources"]) == {"wdi_remittances_received", "wdi_gdp", "wdi_population",
                                           "wdi_gdidata"}
    wpp_keys = [k for k in registry.SOURCES if k.startswith("wpp_")]
    for name in ("wpp_indicators", "wpp_indicators_aggregates", "wpp_indicators_other_areas"):
        assert sorted(prov[name]["sources"]) == sorted(wpp_keys)


# -- without the new files: the older sources stand in ------------------------------------------------
def test_fallbacks_without_the_new_files(fallback_data_dir):
    root = fallback_data_dir  # conftest: the raw cache without the latest files, store built
    prov = store.provenance(root)["tables"]
    assert not any(name.startswith("wpp_") for name in prov)
    u = store.load("unhcr_refugees", root)
    assert set(u["dataset"]) == {"unhcr_refugees"} and u["year"].max() == 2020
    for col in ("idps", "stateless", "others_of_concern", "oip"):
        assert u[col].isna().all(), col  # the extract has no such fields: missing, not 0
    # unhcr_2020.csv: Afghan refugees 2020 = 2,728,853 (MANIFEST)
    afg = u[(u["year"] == 2020) & (u["origin_iso3"] == "AFG") & (u["asylum_iso3"] != "AFG")]
    assert afg["refugees"].sum() == 2_728_853
    assert "undesa_2024_od_gdidata" not in set(store.load("bilateral_stock", root)["dataset"])
    w = store.load("wdi", root)
    assert set(w.loc[w["indicator"] == "NY.GDP.MKTP.CD", "vintage"]) == {"2024-10-24"}
    assert set(w.loc[w["indicator"] == "NY.GDP.MKTP.CD", "dataset"]) == {"wdi_gdp_2024_10"}
    assert not {"BM.TRF.PWKR.CD.DT", "SP.POP.TOTL"} & set(w["indicator"])
    assert set(w["indicator"]) == {"BX.TRF.PWKR.CD.DT", "NY.GDP.MKTP.CD"}
    assert store.load("countries", root)["unhcr_code"].isna().all()
