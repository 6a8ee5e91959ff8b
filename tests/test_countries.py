"""Tests of the country table, the resolver (migstats.countries) and groups (migstats.groups).

Everything runs against the store built once per session from the verified mirror
(``data_dir`` fixture). Expected values are read from, or cited to, the raw source files:

* UN DESA IMS 2020 Annex ``m49/aggregates_correspondence_table_2020_1.xlsx``, sheet ``Annex``
  (column D location code, E ISO3, K subregion name, O SDG region name, T LDC 941,
  W LLDC 1636, X SIDS 1637; header on Excel row 11);
* WDI ``Metadata_Country_API_BX.TRF.PWKR.CD.DT_DS2_en_csv_v2_38454.csv`` (vintage 2025-07-01);
* the four KNOMAD matrices and the UN DESA 2024 "by destination" workbook.
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from migstats import countries, groups, registry, store
from migstats.countries import CountryResolver, normalise_name
from migstats.exceptions import (
    AmbiguousCountryError,
    CountryNotFoundError,
    GroupNotFoundError,
    SourceLayoutError,
)
from migstats.parsers import knomad, undesa, wdi

ANNEX = registry.SOURCES["undesa_annex"]
WDI_META = registry.SOURCES["wdi_remittances_received_meta"]
DEST_2024 = registry.SOURCES["undesa_2024_destination"]
KNOMAD = {
    "knomad_migration_2017": (knomad.read_migration_matrix, 2017),
    "knomad_migration_2021": (knomad.read_migration_matrix, 2021),
    "knomad_remittances_2017": (knomad.read_remittance_matrix, 2017),
    "knomad_remittances_2021": (knomad.read_remittance_matrix, 2021),
}

#: World Bank economies that are not UN DESA countries or areas (editorial, checked below):
#: Kosovo (XKX) is counted within Serbia by UN DESA (footnote to "Serbia*" in IMS 2024 Table 1).
WB_ECONOMIES_NOT_UN_AREAS = {"XKX": "Kosovo"}
#: Non-country rows and columns of the KNOMAD matrices (Other North/South -> code 2003 by the
#: store; World/WORLD totals; Kosovo counted within Serbia).
KNOMAD_NON_AREAS = {"Other North", "Other South", "World", "WORLD", "Kosovo"}


def _resolve(query, data_dir):
    return countries.resolve(query, data_dir=data_dir)


@pytest.fixture(scope="module")
def resolver(data_dir) -> CountryResolver:
    """A resolver over the session store (same construction as the store build)."""
    return CountryResolver(store.load("countries", data_dir), store.load("country_names", data_dir))


@pytest.fixture(scope="module")
def annex_raw(mirror_dir) -> pd.DataFrame:
    """The Annex sheet as published (header=None: position i is Excel row i + 1)."""
    return pd.read_excel(mirror_dir / ANNEX.path, sheet_name="Annex", header=None, engine="calamine")


@pytest.fixture(scope="module")
def wdi_meta_rows(mirror_dir) -> list[dict]:
    """Rows of the WDI country metadata CSV, read with the csv module (independent of the parser)."""
    with open(mirror_dir / WDI_META.path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# -- codes ------------------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["BLR", "blr", "BY", "by", 112, "112", "0112", " 112 ", 112.0])
def test_codes_resolve_to_belarus(data_dir, query):
    # Annex Excel row 156: Belarus, D = 112, E = BLR; ISO 3166 alpha-2 BY
    c = _resolve(query, data_dir)
    assert (c.iso3, c.location_code, c.iso2) == ("BLR", 112, "BY")


@pytest.mark.parametrize("query", ["004", "4", 4, "AFG", "AF"])
def test_zero_padded_m49_codes(data_dir, query):
    # Zero-padded M49 strings (as UNSD and Natural Earth write them) are accepted.
    # Annex Excel row 126: Afghanistan, D = 4, E = AFG
    assert _resolve(query, data_dir).iso3 == "AFG"


@pytest.mark.parametrize("query", ["Norway", "NO", "NOR", "no", 578, "578"])
def test_norway_every_way(data_dir, query):
    assert _resolve(query, data_dir).iso3 == "NOR"


def test_country_object_passes_through(data_dir):
    c = _resolve("BLR", data_dir)
    assert _resolve(c, data_dir) is c
    assert str(c) == "Belarus (BLR)"


# -- names --------------------------------------------------------------------------------------
@pytest.mark.parametrize("query, iso3", [
    ("Kyrgyz Republic", "KGZ"),          # World Bank TableName
    ("Kyrgyzstan", "KGZ"),               # UN DESA name
    ("Moldova", "MDA"),                  # common
    ("Republic of Moldova", "MDA"),      # UN DESA name
    ("Russia", "RUS"),
    ("Russian Federation", "RUS"),
    ("Türkiye", "TUR"),                  # UN DESA 2024
    ("Turkey", "TUR"),                   # UN DESA 2019, KNOMAD
    ("Turkiye", "TUR"),                  # WDI data file spelling
    ("Côte d'Ivoire", "CIV"),            # UN DESA (ASCII apostrophe)
    ("Cote d’Ivoire", "CIV"),            # UNSD (U+2019), no accent
    ("Iran, Islamic Rep.", "IRN"),       # World Bank
    ("Iran (Islamic Republic of)", "IRN"),
    ("Korea, Dem. People's Rep.", "PRK"),  # World Bank
    ("Korea, Rep.", "KOR"),
    ("BELARUS", "BLR"),
    ("cote d'ivoire", "CIV"),
    ("  belarus ", "BLR"),
    ("China, Taiwan Province of China", "TWN"),
    ("Channel Islands", "CHI"),
])
def test_names(data_dir, query, iso3):
    assert _resolve(query, data_dir).iso3 == iso3


def test_normalise_name_ignores_case_accents_and_punctuation():
    assert normalise_name("Côte d’Ivoire*") == normalise_name("COTE D'IVOIRE") == "cote d ivoire"
    assert normalise_name("St. Lucia") == normalise_name("Saint Lucia")
    assert normalise_name("The Gambia") == "gambia"


# -- errors -------------------------------------------------------------------------------------
@pytest.mark.parametrize("query, suggested", [
    ("Belarus1", "Belarus (BLR)"),
    ("Tadjikistan", "Tajikistan (TJK)"),
    ("Atlantis", None),
])
def test_unknown_names_suggest_close_matches(data_dir, query, suggested):
    with pytest.raises(CountryNotFoundError) as info:
        _resolve(query, data_dir)
    msg = str(info.value)
    assert repr(query) in msg
    assert "`migstats countries`" in msg
    if suggested:
        assert "Did you mean" in msg and suggested in msg
        assert info.value.suggestions[0] == suggested


@pytest.mark.parametrize("query, candidates", [
    ("Guinea", {"GIN", "GNB", "GNQ", "PNG"}),
    ("Congo", {"COG", "COD"}),
    ("Korea", {"KOR", "PRK"}),
    ("guinea", {"GIN", "GNB", "GNQ", "PNG"}),
])
def test_ambiguous_names_list_candidates(data_dir, query, candidates):
    with pytest.raises(AmbiguousCountryError) as info:
        _resolve(query, data_dir)
    assert {iso3 for iso3, _ in info.value.candidates} == candidates
    msg = str(info.value)
    assert "ambiguous" in msg
    for iso3 in candidates:
        assert f"({iso3})" in msg


@pytest.mark.parametrize("query", [False, True, None])
def test_yaml_booleans_are_refused_with_a_hint(data_dir, query):
    # YAML 1.1 (papermill parameters) reads an unquoted NO (Norway) as False
    with pytest.raises(CountryNotFoundError) as info:
        _resolve(query, data_dir)
    assert "quoted string" in str(info.value)


@pytest.mark.parametrize("query", ["Kosovo", "kosovo", "XKX", "KSV", "XK", 412, "412",
                                   "Kosovo (under UNSC res. 1244)"])
def test_every_way_of_asking_for_kosovo_gets_the_same_message(data_dir, query):
    # UN DESA IMS 2024 has no Kosovo row, and its population note B24 (Table 2, Serbia*) says the
    # data for Serbia do not include Kosovo: no profile, one explanation for every spelling
    from migstats import AreaNotCoveredError

    with pytest.raises(AreaNotCoveredError) as info:
        _resolve(query, data_dir)
    msg = str(info.value)
    assert msg.startswith("Kosovo is not an area of UN DESA International Migrant Stock 2024")
    assert "exclude it" in msg and "migstats profile Serbia" in msg
    assert isinstance(info.value, CountryNotFoundError)  # callers catching the old error still do


def test_kosovo_rows_of_the_knomad_matrix_are_other_partners_not_serbia(data_dir, mirror_dir):
    # KN21 (bilateral_migration_matrix_2021_latest.xlsx) lists Kosovo as its own origin; those
    # migrants must not be added to Serbia (whose UN DESA 2024 figures exclude Kosovo): the
    # Serbia-born in Germany are the matrix's Serbia row only
    import pandas as pd

    from migstats import store

    raw = pd.read_excel(mirror_dir / "knomad" / "bilateral_migration_matrix_2021_latest.xlsx", header=None,
                        engine="calamine")
    header = [str(v).strip() for v in raw.iloc[1]]
    names = raw[0].astype(str).str.strip()
    deu = header.index("Germany")
    serbia_row = raw.loc[names == "Serbia"].iloc[0, deu]
    kosovo_row = raw.loc[names == "Kosovo"].iloc[0, deu]
    assert kosovo_row > 0
    b = store.load("bilateral_stock", data_dir)
    b = b[(b["dataset"] == "knomad_migration_2021") & (b["sex"] == "both") & (b["destination_code"] == 276)]
    assert float(b.loc[b["origin_code"] == 688, "migrant_stock"].sum()) == float(serbia_row)


@pytest.mark.parametrize("query", [900, "900", 2003, 999, ""])
def test_aggregate_and_unknown_codes_are_not_countries(data_dir, query):
    with pytest.raises(CountryNotFoundError):
        _resolve(query, data_dir)


def test_resolve_many_reports_every_failure(data_dir):
    with pytest.raises(CountryNotFoundError) as info:
        countries.resolve_many(["BLR", "Atlantis", "Tadjikistan"], data_dir=data_dir)
    msg = str(info.value)
    assert "2 of 3" in msg and "Atlantis" in msg and "Tadjikistan" in msg
    assert [c.iso3 for c in countries.resolve_many(["BY", "Kyrgyz Republic"], data_dir=data_dir)] == \
        ["BLR", "KGZ"]


def test_resolver_resolve_many_counts_iterator_inputs(resolver):
    with pytest.raises(CountryNotFoundError) as info:
        resolver.resolve_many(q for q in ["BLR", "Atlantis"])
    assert "1 of 2 inputs" in str(info.value)


# -- every source spelling resolves ----------------------------------------------------------------
def _source_name_failures(resolver, names: list[tuple[str, str, str | None]]) -> list[str]:
    """Names (origin, name, expected ISO3 or None) that the store's harmonisation cannot map.

    The store maps source spellings with :meth:`CountryResolver.code_map` (exact spellings,
    no guessing). A name must also resolve interactively to the same area, except names
    that are ambiguous *by design* for user input (``AMBIGUOUS_NAMES``: e.g. "Guinea",
    which is also the exact World Bank/KNOMAD/UN spelling of GIN): those must raise
    :class:`AmbiguousCountryError` listing the mapped area.
    """
    failures = []
    for origin, name, expected in names:
        try:
            code = resolver.code_map([name])[name]
        except SourceLayoutError:
            failures.append(f"{origin}: {name!r} does not match a UN DESA area")
            continue
        iso3 = resolver.by_code(code).iso3
        if expected is not None and iso3 != expected:
            failures.append(f"{origin}: {name!r} -> {iso3}, expected {expected}")
        try:
            interactive = resolver.resolve(name).iso3
        except AmbiguousCountryError as exc:
            if normalise_name(name) not in countries.AMBIGUOUS_NAMES or \
                    iso3 not in {i for i, _ in exc.candidates}:
                failures.append(f"{origin}: {name!r} ambiguous for resolve(): {exc}")
            continue
        except CountryNotFoundError as exc:
            failures.append(f"{origin}: {name!r} maps to {iso3} but resolve() fails: {exc}")
            continue
        if interactive != iso3:
            failures.append(f"{origin}: {name!r} -> {iso3} in the build but {interactive} in resolve()")
    return failures


def test_every_world_bank_economy_resolves(mirror_dir, data_dir, resolver, wdi_meta_rows):
    meta = wdi.read_country_metadata(mirror_dir / WDI_META.path)
    economies = meta[~meta["is_aggregate"]]
    # 217 economies (MANIFEST: 265 rows, 48 aggregates with an empty Region)
    assert len(economies) == 217
    not_un = economies[economies["wb_code"].isin(list(WB_ECONOMIES_NOT_UN_AREAS))]
    assert dict(zip(not_un["wb_code"], not_un["table_name"])) == WB_ECONOMIES_NOT_UN_AREAS
    names = []
    for code, wb_name, table_name in zip(economies["wb_code"], economies["wb_name"],
                                         economies["table_name"]):
        if code in WB_ECONOMIES_NOT_UN_AREAS:
            continue
        # World Bank economy codes equal the Annex ISO3 codes (incl. CHI, Channel Islands)
        names += [("WDI", wb_name, code), ("WDI", table_name, code)]
    failures = _source_name_failures(resolver, names)
    failures += [f"WDI code {code!r}: {resolver.resolve(code).iso3}" for _, _, code in names
                 if resolver.resolve(code).iso3 != code]
    assert not failures, "World Bank names that do not resolve:\n" + "\n".join(failures)
    # and the exceptions really are not UN DESA areas
    for code, name in WB_ECONOMIES_NOT_UN_AREAS.items():
        with pytest.raises(CountryNotFoundError):
            resolver.resolve(name)
    # the economies that are UN areas are exactly the countries with a wb_code
    table = store.load("countries", data_dir)
    assert set(table["wb_code"].dropna()) == set(economies["wb_code"]) - set(WB_ECONOMIES_NOT_UN_AREAS)
    # the parser saw the same economies as the raw CSV (non-empty Region)
    assert {r["Country Code"] for r in wdi_meta_rows if r["Region"].strip()} == set(economies["wb_code"])


def test_every_knomad_name_resolves(mirror_dir, resolver):
    names = []
    for key, (reader, edition) in KNOMAD.items():
        df = reader(mirror_dir / registry.SOURCES[key].path, edition)
        cols = [c for c in df.columns if c.endswith("_name")]
        spellings = sorted(set(df[cols[0]]) | set(df[cols[1]]))
        assert len(spellings) > 200, f"{key}: only {len(spellings)} names"
        names += [(key, n, None) for n in spellings if n not in KNOMAD_NON_AREAS]
    failures = _source_name_failures(resolver, names)
    assert not failures, "KNOMAD names that do not resolve:\n" + "\n".join(failures)
    # "Guinea" is ambiguous for users but the exact KNOMAD/WB spelling of GIN (324) in the build
    assert resolver.code_map(["Guinea"]) == {"Guinea": 324}


# -- the country table ---------------------------------------------------------------------------
def test_country_table_covers_every_un_desa_2024_area(mirror_dir, data_dir):
    areas = undesa.read_area_names(mirror_dir / DEST_2024.path, 2024)
    areas = areas[areas["location_code"] < 900]
    # MANIFEST: 235 rows with code < 900 in Table 1 (incl. 652 and 663 without data)
    assert len(areas) == 235
    table = countries.country_table(data_dir=data_dir)
    assert len(table) == 235
    assert table["iso3"].is_unique and table["location_code"].is_unique
    assert table["iso3"].notna().all() and table["iso3"].str.fullmatch(r"[A-Z]{3}").all()
    assert set(table["location_code"]) == set(areas["location_code"])
    by_code = dict(zip(table["location_code"], table["iso3"]))
    # Annex Excel row 108: 158 China, Taiwan Province of China -> TWN (no UNSD M49 row)
    assert by_code[158] == "TWN"
    # Annex Excel row 167: 830 Channel Islands -> CHI (M49 lists Guernsey 831 and Jersey 832)
    assert by_code[830] == "CHI"
    assert _resolve(158, data_dir).iso3 == "TWN" and _resolve(830, data_dir).iso3 == "CHI"


def test_country_table_iso3_matches_annex(annex_raw, data_dir):
    # Annex column G (Location Type name) == "Country/Area": 235 rows; D = code, E = ISO3
    rows = annex_raw[annex_raw[6].astype(str).str.strip() == "Country/Area"]
    assert len(rows) == 235
    annex_iso3 = {int(c): str(i).strip() for c, i in zip(rows[3], rows[4])}
    table = countries.country_table(data_dir=data_dir)
    assert dict(zip(table["location_code"].astype(int), table["iso3"])) == annex_iso3


def test_belarus_attributes(data_dir, wdi_meta_rows):
    c = _resolve("Belarus", data_dir)
    # Annex Excel row 156: J = 923, K = "Eastern Europe"; O = "Europe and Northern America";
    # P = 908, Q = "Europe"
    assert c.un_subregion == "Eastern Europe"
    assert c.sdg_region == "Europe and Northern America"
    assert c.un_region == "Europe"
    # WDI Metadata_Country_API_BX.TRF.PWKR.CD.DT_DS2_en_csv_v2_38454.csv, line 29:
    # "BLR","Europe & Central Asia","Upper middle income",...,"Belarus",
    row = next(r for r in wdi_meta_rows if r["Country Code"] == "BLR")
    assert (row["Region"], row["IncomeGroup"], row["TableName"]) == \
        ("Europe & Central Asia", "Upper middle income", "Belarus")
    assert (c.wb_region, c.income_group, c.wb_code, c.wb_name) == \
        ("Europe & Central Asia", "Upper middle income", "BLR", "Belarus")
    assert (c.ldc, c.lldc, c.sids) == (False, False, False)


@pytest.mark.parametrize("query, ldc, lldc, sids", [
    ("Tajikistan", False, True, False),   # Annex Excel row 101: W = 1636, T and X blank
    ("Tuvalu", True, False, True),        # Annex Excel row 293: T = 941, X = 1637
    ("Afghanistan", True, True, False),   # Annex Excel row 126: T = 941, W = 1636
])
def test_development_group_flags(data_dir, query, ldc, lldc, sids):
    c = _resolve(query, data_dir)
    assert (c.ldc, c.lldc, c.sids) == (ldc, lldc, sids)


def test_flags_match_annex_columns(annex_raw, data_dir):
    rows = annex_raw[annex_raw[6].astype(str).str.strip() == "Country/Area"]
    table = countries.country_table(data_dir=data_dir).set_index("location_code")
    for col, flag in ((19, "ldc"), (22, "lldc"), (23, "sids")):  # Annex columns T, W, X
        expected = {int(c) for c, v in zip(rows[3], rows[col]) if pd.notna(v)}
        assert set(table.index[table[flag]]) == expected, flag


# -- groups ----------------------------------------------------------------------------------------
def _iso3(codes, data_dir) -> set[str]:
    return {_resolve(int(c), data_dir).iso3 for c in codes}


def test_group_central_asia(data_dir):
    g = groups.resolve_group("Central Asia", data_dir=data_dir)
    assert _iso3(g.members, data_dir) == {"KAZ", "KGZ", "TJK", "TKM", "UZB"}
    assert groups.resolve_group("central asia", data_dir=data_dir).members == g.members


def test_group_eastern_partnership(data_dir):
    g = groups.resolve_group("Eastern Partnership", data_dir=data_dir)
    assert len(g.members) == 6
    assert _iso3(g.members, data_dir) == {"ARM", "AZE", "BLR", "GEO", "MDA", "UKR"}


def test_group_sdg_region_matches_annex(annex_raw, data_dir):
    g = groups.resolve_group("Central and Southern Asia", data_dir=data_dir)
    assert g.kind == "SDG region"
    # Annex: Country/Area rows whose column O (SDG region name) is "Central and Southern Asia":
    # Excel rows 99-103 (Central Asia) and 126-134 (Southern Asia), 14 areas
    rows = annex_raw[(annex_raw[6].astype(str).str.strip() == "Country/Area")
                     & (annex_raw[14].astype(str).str.strip() == "Central and Southern Asia")]
    assert len(rows) == 14
    assert set(g.members) == {int(c) for c in rows[3]}


def test_group_world_bank_region(data_dir, wdi_meta_rows):
    g = groups.resolve_group("Europe & Central Asia", data_dir=data_dir)
    assert g.kind == "World Bank region"
    # WDI metadata: economies with Region "Europe & Central Asia", less Kosovo (not a UN DESA area)
    wb = {r["Country Code"] for r in wdi_meta_rows if r["Region"] == "Europe & Central Asia"}
    assert "XKX" in wb
    assert _iso3(g.members, data_dir) == wb - {"XKX"}
    assert groups.resolve_group("Europe and Central Asia", data_dir=data_dir).members == g.members


def test_unknown_group_suggests(data_dir):
    with pytest.raises(GroupNotFoundError) as info:
        groups.resolve_group("Eastern Partnersip", data_dir=data_dir)
    assert "Eastern Partnership" in info.value.suggestions
    assert "Did you mean" in str(info.value) and "`migstats groups`" in str(info.value)


def test_ad_hoc_group_from_country_list(data_dir):
    g = groups.resolve_group(["BLR", "Ukraine", 643], data_dir=data_dir)
    assert _iso3(g.members, data_dir) == {"BLR", "UKR", "RUS"}
