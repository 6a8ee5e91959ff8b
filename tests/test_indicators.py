"""Indicators reproduce the publishers' own numbers.

Every expected value was read off the source files in the mirror (pandas/calamine with
``header=None`` for workbooks, the raw text for CSVs) and is cited by sheet, Excel row and
Excel column (workbooks) or by 1-based file line and column name (CSVs). The vectorised
checks read the publisher's own printed ratios (Tables 3-5) straight from the mirror and
compare them with what migstats computes from Tables 1 and 2.

File abbreviations used in the comments:

* ``DEST24`` = undesa_ims/undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx
  (Table 1: cols F-M both sexes 1990...2024, N-U males, V-AC females; Table 2: thousands,
  cols E-L both sexes 1990...2024; Tables 3/4: cols F-M; Table 5: cols F-L "1990-1995"..."2020-2024").
* ``ORIG24`` = undesa_ims/undesa_pd_2024_ims_stock_by_sex_and_origin.xlsx (same layout as Table 1).
* ``TOT19`` = undesa_ims/UN_MigrantStockTotal_2019.xlsx.
* ``OD19`` = undesa_ims/UN_MigrantStockByOriginAndDestination_2019_clean.csv (column "Belarus"
  is the 21st column, U; rows are destinations).
* ``KN21`` = knomad/bilateral_migration_matrix_2021_latest.xlsx (sheet "BRM 2021"; rows = origin,
  columns = destination).
* ``BX`` = worldbank_wdi/API_BX.TRF.PWKR.CD.DT_DS2_en_csv_v2_38454.csv (column "2023" = BP,
  "2024" = BQ); ``GDP`` = worldbank_wdi/API_NY.GDP.MKTP.CD_DS2_en_csv_v2_38344.csv (same
  vintage, 2025-07-01, same row order).
* ``UNHCR`` = unhcr/refugees_2025.12.1/population.rda (UNHCR's refugees package, read here
  with pyreadr directly).
* ``GDI`` = undesa_ims/iom-gdidata/undesa_stocks.rda (IMS 2024 O-D reshaped by IOM GDI).
"""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pandas as pd
import pytest

from migstats import indicators as ind
from migstats import store
from migstats.exceptions import AmbiguousCountryError, CountryNotFoundError, DataNotAvailableError
from migstats.schemas import OTHER_CODE, WORLD_CODE

DEST24 = "undesa_ims/undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx"
OD19 = "undesa_ims/UN_MigrantStockByOriginAndDestination_2019_clean.csv"
UNHCR = "unhcr/refugees_2025.12.1/population.rda"

YEARS = (1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024)


@pytest.fixture(scope="module")
def published(mirror_dir) -> dict[str, pd.DataFrame]:
    """DEST24 Tables 3, 4 and 5 as printed, country rows (location code < 900) indexed by code."""
    book = pd.read_excel(mirror_dir / DEST24, sheet_name=["Table 3", "Table 4", "Table 5"], header=None,
                         skiprows=11, engine="calamine")  # data start at Excel row 12
    out = {}
    for sheet, df in book.items():
        codes = pd.to_numeric(df[4], errors="coerce")  # column E: Location code
        df = df[codes < 900].set_index(codes[codes < 900].astype(int))
        out[sheet] = df[list(range(5, 13))].apply(pd.to_numeric, errors="coerce")  # Excel columns F..M
    return out


@pytest.fixture(scope="module")
def od19_belarus(mirror_dir) -> pd.Series:
    """OD19 column "Belarus" for Year 2019, country destinations only, indexed by destination name."""
    raw = pd.read_csv(mirror_dir / OD19, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    countries = set(raw.columns[2:])  # origin columns are the country names
    # Dest rows "Caribbean", "South America", "Melanesia", "Micronesia", "Polynesia" are subregion
    # sums (e.g. line 1567 "South America" = 349 = Argentina 309 + Bolivia 5 + Brazil 11 + Chile 24).
    rows = raw[(raw["Year"] == "2019") & raw["Dest"].isin(countries) & (raw["Dest"] != "Belarus")]
    return pd.to_numeric(rows.set_index("Dest")["Belarus"], errors="coerce").dropna()


# -- immigrant stock and population ------------------------------------------------------------
# DEST24 Table 1, 2024: (Excel row, col M both, col U males, col AC females)
STOCK_2024 = {
    "Tuvalu": (297, 246, 136, 110),
    "Monaco": (208, 27_106, 13_142, 13_964),
    "Holy See": (191, 496, 237, 259),
    "Tokelau": (295, 1_282, 607, 675),
    "Belarus": (160, 1_054_604, 482_995, 571_609),
    "Tajikistan": (105, 276_777, 119_496, 157_281),
    "Afghanistan": (118, 98_110, 47_108, 51_002),
    "Philippines": (134, 87_212, 61_273, 25_939),
    "Germany": (205, 16_750_084, 8_375_042, 8_375_042),
    "United States of America": (270, 52_375_047, 25_624_986, 26_750_061),
    "Qatar": (151, 2_337_000, 1_807_000, 530_000),
    "Mexico": (247, 1_726_089, 909_750, 816_339),
    "Cuba": (221, 2_144, 930, 1_214),
}


@pytest.mark.parametrize("country", sorted(STOCK_2024))
def test_immigrant_stock_equals_table_1(data_dir, country):
    _, both, male, female = STOCK_2024[country]
    assert ind.immigrant_stock(country, 2024, data_dir=data_dir).value == both
    assert ind.immigrant_stock(country, 2024, "male", data_dir=data_dir).value == male
    assert ind.immigrant_stock(country, 2024, "female", data_dir=data_dir).value == female
    fig = ind.immigrant_stock(country, 2024, data_dir=data_dir)
    assert fig.unit == "persons" and "Table 1" in fig.source and fig.year == 2024


def test_immigrant_stock_other_years(data_dir):
    # DEST24 Table 1, Excel row 160 (Belarus), col L (2020): 1,067,090; col F (1990): 1,248,977
    assert ind.immigrant_stock("BLR", 2020, data_dir=data_dir).value == 1_067_090
    assert ind.immigrant_stock("BLR", 1990, data_dir=data_dir).value == 1_248_977
    # DEST24 Table 1, Excel row 118 (Afghanistan), col K (2015): 339,432
    assert ind.immigrant_stock("AFG", 2015, data_dir=data_dir).value == 339_432
    # DEST24 Table 1, Excel row 12 (World), col M (2024): 304,021,813 = sum of the 235 country rows
    assert ind.world_indicator("immigrant_stock", 2024, data_dir=data_dir).sum() == 304_021_813


# DEST24 Table 2 (thousands), 2024 = col L: (Excel row, value in thousands)
POPULATION_2024 = {
    "Tuvalu": (297, 9.646),
    "Holy See": (191, 0.496),
    "Tokelau": (295, 2.506),
    "Belarus": (160, 9_056.696),
    "Tajikistan": (105, 10_590.927),
    "Qatar": (151, 3_048.423),
    "Germany": (205, 84_552.242),
    "United States of America": (270, 345_426.571),
    "India": (121, 1_450_935.791),
}


@pytest.mark.parametrize("country", sorted(POPULATION_2024))
def test_population_is_table_2_times_1000(data_dir, country):
    _, thousands = POPULATION_2024[country]
    fig = ind.population(country, 2024, data_dir=data_dir)
    assert fig.value == pytest.approx(thousands * 1000, rel=1e-12)
    assert fig.unit == "persons" and "Table 2" in fig.source


def test_population_2020(data_dir):
    # DEST24 Table 2, Excel row 160 (Belarus), col K (2020): 9,350.944 thousand
    assert ind.population("Belarus", 2020, data_dir=data_dir).value == pytest.approx(9_350_944, rel=1e-12)


# -- ratios against the publisher's own Tables 3, 4 and 5 (all countries, all years) ------------
def _compare(mine: pd.Series, theirs: pd.Series, tol: float) -> dict:
    """Codes where the two disagree by ``tol`` or more, or where only one is missing."""
    mine = mine.reindex(theirs.index).astype("float64")
    diff = (mine - theirs).abs()
    one_missing = mine.isna() ^ theirs.isna()
    return {int(k): (mine[k], theirs[k]) for k in diff.index[(diff >= tol) | one_missing]}


def test_immigrant_share_agrees_with_table_3(data_dir, published):
    t3 = published["Table 3"]
    assert len(t3) == 235
    for j, year in enumerate(YEARS):  # Table 3 cols F..M = 1990..2024
        mine = ind.world_indicator("immigrant_share", year, data_dir=data_dir)
        assert _compare(mine, t3.iloc[:, j], 0.01) == {}, year
    # Both missing only for Saint Barthélemy (652) and Saint Martin (663), blank in Tables 1-3
    assert set(t3.index[t3.iloc[:, 7].isna()]) == {652, 663}
    # Table 3, Excel row 160 (Belarus), col M (2024): 11.6444672538418
    blr = ind.immigrant_share("Belarus", 2024, data_dir=data_dir)
    assert blr.value == pytest.approx(11.6444672538418, abs=1e-9)
    # Table 3, Excel row 191 (Holy See), col M: 100 (496 migrants / 0.496 thousand)
    assert ind.immigrant_share("Holy See", 2024, data_dir=data_dir).value == pytest.approx(100.0)


def test_female_share_agrees_with_table_4(data_dir, published):
    t4 = published["Table 4"]
    codes = t4.index.tolist()
    for j, year in enumerate(YEARS):  # Table 4 cols F..M = 1990..2024 (single block)
        mine = pd.Series({c: ind.female_share(c, year, data_dir=data_dir).value for c in codes})
        assert _compare(mine, t4.iloc[:, j], 0.01) == {}, year
    # Table 4, Excel row 151 (Qatar), col M (2024): 22.67864783910997 (530,000 / 2,337,000)
    qat = ind.female_share("Qatar", 2024, data_dir=data_dir)
    assert qat.value == pytest.approx(22.67864783910997, abs=1e-9)


def test_growth_rate_is_table_5_exponential_rate(data_dir, published):
    t5 = published["Table 5"].iloc[:, :7]  # cols F..L: 1990-1995 ... 2020-2024
    for j, (y0, y1) in enumerate(zip(YEARS[:-1], YEARS[1:])):
        s0 = ind.world_indicator("immigrant_stock", y0, data_dir=data_dir)
        s1 = ind.world_indicator("immigrant_stock", y1, data_dir=data_dir)
        mine = pd.Series({c: ind.growth_rate(s0[c], s1[c], y0, y1) for c in s0.index})
        assert _compare(mine, t5.iloc[:, j], 1e-9) == {}, (y0, y1)
    # Table 5, Excel row 160 (Belarus), col L (2020-2024): -0.2942494097304167
    # = 100 * ln(1,054,604 / 1,067,090) / 4 (Table 1 cols M and L): exponential rate over 4 years
    expected = 100 * math.log(1_054_604 / 1_067_090) / 4
    assert expected == pytest.approx(-0.2942494097304167, abs=1e-12)
    figs = {f.name: f for f in ind.immigration("Belarus", 2024, data_dir=data_dir)}
    g = figs["immigrant_stock_growth_since_2020"]
    assert g.value == pytest.approx(-0.2942494097304167, abs=1e-9) and g.unit == "percent per year"
    assert figs["immigrant_stock_change_since_2020"].value == 1_054_604 - 1_067_090
    # Table 5, Excel row 134 (Philippines), col L: 0 (87,212 in both 2020 and 2024)
    assert ind.growth_rate(87_212, 87_212, 2020, 2024) == 0.0
    assert math.isnan(ind.growth_rate(0, 10, 2020, 2024))


# -- emigration ---------------------------------------------------------------------------------
# ORIG24 Table 1, col M (2024, both sexes): (Excel row, value)
EMIGRANTS_2024 = {
    "Tuvalu": (297, 1_239),
    "Monaco": (208, 36_682),
    "Holy See": (191, 313),
    "Tokelau": (295, 688),
    "Belarus": (160, 790_232),
    "Tajikistan": (105, 514_478),
    "Afghanistan": (118, 7_528_994),
    "Philippines": (134, 6_988_383),
    "Germany": (205, 4_297_233),
    "United States of America": (270, 3_186_999),
    "Qatar": (151, 19_821),
    "Mexico": (247, 11_596_529),
    "India": (121, 18_533_845),
    "Cuba": (221, 1_879_613),
}


@pytest.mark.parametrize("country", sorted(EMIGRANTS_2024))
def test_emigrant_stock_equals_origin_table_1(data_dir, country):
    fig = ind.emigrant_stock(country, 2024, data_dir=data_dir)
    assert fig.value == EMIGRANTS_2024[country][1]
    assert fig.unit == "persons" and "origin" in fig.source


def test_emigrant_stock_other_cells_and_world_sum(data_dir):
    # ORIG24 Table 1, Excel row 160 (Belarus): col L (2020) 919,469; col F (1990) 1,768,067;
    # col AC (females 2024) 467,457
    assert ind.emigrant_stock("BLR", 2020, data_dir=data_dir).value == 919_469
    assert ind.emigrant_stock("BLR", 1990, data_dir=data_dir).value == 1_768_067
    assert ind.emigrant_stock("BLR", 2024, "female", data_dir=data_dir).value == 467_457
    # ORIG24 Table 1, Excel row 12 (World), col M: 304,021,813 = countries + Excel row 299 (OTHER,
    # code 2003), col M: 22,065,614
    countries = ind.world_indicator("emigrant_stock", 2024, data_dir=data_dir)
    assert len(countries) == 235
    agg = store.load("origin_stock_aggregates", data_dir)
    agg = agg[(agg.edition == 2024) & (agg.year == 2024) & (agg.sex == "both")].set_index("location_code")
    assert agg.at[OTHER_CODE, "emigrant_stock"] == 22_065_614
    assert agg.at[WORLD_CODE, "emigrant_stock"] == 304_021_813
    assert countries.sum() + 22_065_614 == 304_021_813


def test_emigrant_share_both_denominators(data_dir):
    # ORIG24 Table 1, Excel row 160 (Belarus), col M (2024): 790,232 emigrants;
    # DEST24 Table 2, Excel row 160, col L (2024): 9,056.696 thousand = 9,056,696 persons
    emigrants, population = 790_232, 9_056_696
    pop = ind.emigrant_share("Belarus", 2024, "population", data_dir=data_dir)
    assert pop.value == pytest.approx(100 * emigrants / population, rel=1e-12)  # 8.725 %
    assert pop.label == "Emigrants as % of resident population" and pop.unit == "percent"
    assert pop.name == "emigrant_share_population" and pop.note == "emigrants / population x 100"
    rpe = ind.emigrant_share("Belarus", 2024, "residents_plus_emigrants", data_dir=data_dir)
    assert rpe.value == pytest.approx(100 * emigrants / (population + emigrants), rel=1e-12)  # 8.025 %
    assert rpe.label == "Emigrants as % of residents plus emigrants"
    assert rpe.name == "emigrant_share_residents_plus_emigrants"
    # Tajikistan: ORIG24 row 105 col M 514,478; DEST24 Table 2 row 105 col L 10,590.927 thousand
    taj = ind.emigrant_share("TJK", 2024, "residents_plus_emigrants", data_dir=data_dir)
    assert taj.value == pytest.approx(100 * 514_478 / (10_590_927 + 514_478), rel=1e-12)
    with pytest.raises(ValueError, match="denominator"):
        ind.emigrant_share("Belarus", 2024, "citizens", data_dir=data_dir)
    with pytest.raises(ValueError, match="denominator"):
        ind.profile("Belarus", denominator="workers", data_dir=data_dir)
    with pytest.raises(ValueError, match="denominator"):
        ind.world_indicator("emigrant_share", 2024, denominator="workers", data_dir=data_dir)
    # The profile keeps both shares, each labelled with its denominator
    p = ind.profile("Belarus", denominator="residents_plus_emigrants", data_dir=data_dir)
    assert p.figure("emigrant_share_residents_plus_emigrants").value == pytest.approx(rpe.value)
    assert p.figure("emigrant_share_population").value == pytest.approx(pop.value)
    assert "emigrant_share_pct_of_residents_plus_emigrants" in p.trend.columns


# -- corridors ----------------------------------------------------------------------------------
# OD19, Year 2019, column "Belarus" (U): (file line, Dest, persons), largest first
BELARUS_2019_TOP = [
    (1615, "Russian Federation", "RUS", 764_120),
    (1617, "Ukraine", "UKR", 247_989),
    (1612, "Poland", "POL", 80_409),
    (1500, "Kazakhstan", "KAZ", 72_245),
    (1660, "United States of America", "USA", 65_327),
    (1626, "Latvia", "LVA", 42_944),
    (1638, "Italy", "ITA", 31_526),
    (1627, "Lithuania", "LTU", 27_705),
    (1504, "Uzbekistan", "UZB", 26_475),
    (1650, "Germany", "DEU", 23_608),
]


def test_belarus_emigrant_corridors_2019(data_dir, od19_belarus):
    top = ind.corridors("Belarus", 2019, "emigrants", 10, source="undesa_2019_od_csv", data_dir=data_dir)
    assert top.attrs["dataset"] == "undesa_2019_od_csv" and top.attrs["year"] == 2019
    assert list(top["rank"]) == list(range(1, 11))
    assert list(top["iso3"]) == [iso for _, _, iso, _ in BELARUS_2019_TOP]
    assert list(top["migrants"]) == [v for *_, v in BELARUS_2019_TOP]
    # Total = sum of the column over country destinations: 1,480,838 (the file's "South America"
    # subregion row, line 1567, 349, is not a destination; the column sum with it is 1,481,187)
    total = float(od19_belarus.sum())
    assert total == 1_480_838
    assert top.attrs["total"] == total and top.attrs["unknown"] == 0
    np.testing.assert_allclose(top["share_pct"], [100 * v / total for *_, v in BELARUS_2019_TOP])
    assert top["share_pct"].iloc[0] == pytest.approx(51.6, abs=0.05)  # 764,120 / 1,480,838


class _Bilateral:
    """Stand-in for the store index: only the (dataset, year) keys matter to the choice."""

    def __init__(self, keys):
        self.bilateral_groups = dict.fromkeys(keys)


UNDESA19 = [("undesa_2019_od_csv", y) for y in (1990, 1995, 2000, 2005, 2010, 2015, 2019)]
KNOMAD = [("knomad_migration_2017", 2017), ("knomad_migration_2021", 2021)]
UNDESA24 = [("undesa_2024_od_gdidata", y) for y in (1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024)]


@pytest.mark.parametrize("keys, year, expected", [
    # the edition's own UN DESA origin x destination table, at the profile's year
    (UNDESA24 + UNDESA19 + KNOMAD, 2024, ("undesa_2024_od_gdidata", 2024)),
    (UNDESA24 + UNDESA19 + KNOMAD, 2015, ("undesa_2024_od_gdidata", 2015)),
    # the official workbook before its reshape
    ([("undesa_2024_od", 2024)] + UNDESA24, 2024, ("undesa_2024_od", 2024)),
    # else the most recent UN DESA table, its latest year not after the profile's year, even
    # where KNOMAD 2021 is nearer to 2024 in years
    (UNDESA19 + KNOMAD, 2024, ("undesa_2019_od_csv", 2019)),
    (UNDESA19 + KNOMAD, 2020, ("undesa_2019_od_csv", 2019)),
    (UNDESA19 + KNOMAD, 2015, ("undesa_2019_od_csv", 2015)),
    # else KNOMAD, nearest year
    (KNOMAD, 2024, ("knomad_migration_2021", 2021)),
    (KNOMAD, 2015, ("knomad_migration_2017", 2017)),
])
def test_bilateral_basis_is_chosen_on_substance_not_nearest_year(keys, year, expected):
    ds, y, why = ind._pick_bilateral(year, None, _Bilateral(keys))
    assert (ds, y) == expected
    assert why  # the data notes say why
    if ds.startswith("undesa_2019"):
        assert "refugees" in why and "not in the data store" in why


def test_knomad_stays_available_as_a_named_comparison(data_dir):
    top = ind.corridors("Belarus", 2024, source="knomad_migration_2021", data_dir=data_dir)
    assert (top.attrs["dataset"], top.attrs["year"], top.attrs["requested_year"]) == (
        "knomad_migration_2021", 2021, 2024)
    assert top.attrs["basis"] == "World Bank/KNOMAD Bilateral Migration Matrix 2021"
    # KN21, Excel row 20 (Belarus, origin): col FF (Russian Federation) 763,879; col GV (Ukraine)
    # 249,641; col HM (World) 1,502,866
    assert list(top["iso3"][:2]) == ["RUS", "UKR"]
    assert list(top["migrants"][:2]) == [763_879, 249_641]
    assert top.attrs["total"] == 1_502_866
    # shares of the matrix's own total ("51 % of them in Russia"), never another edition's
    assert top["share_pct"].iloc[0] == pytest.approx(100 * 763_879 / 1_502_866)


def test_corridors_2024_come_from_the_undesa_2024_table(data_dir):
    top = ind.corridors("Belarus", 2024, data_dir=data_dir)
    # The official 2024 O-D workbook is not in the mirror: IOM GDI's reshape of it stands in.
    # GDI rows geo RUS, from BLR, t 2024: female 145,223 + male 109,936 = 255,159 (MANIFEST)
    assert (top.attrs["dataset"], top.attrs["year"]) == ("undesa_2024_od_gdidata", 2024)
    assert top["iso3"].iloc[0] == "RUS" and top["migrants"].iloc[0] == 255_159
    assert top.attrs["basis"] == "UN DESA International Migrant Stock 2024"


def test_immigrant_corridors_report_unknown_origins(data_dir):
    # KN21 rows are origins: unknown origins of the USA are the "Other North" and "Other South"
    # ROWS in the USA column: col GY, Excel row 220 = 19,486; Excel row 221 = 4,026,745;
    # Excel row 222 (World) = 51,551,004
    usa = ind.corridors("USA", 2021, "immigrants", 10, source="knomad_migration_2021", data_dir=data_dir)
    assert usa.attrs["unknown"] == 19_486 + 4_026_745
    assert usa.attrs["total"] == 51_551_004
    assert usa.attrs["unknown_share_pct"] == pytest.approx(100 * 4_046_231 / 51_551_004)  # 7.85 %
    assert OTHER_CODE not in set(usa["location_code"])
    # Belarus column (S): Other North 183, Other South 121 (rows 220-221), World 1,067,090 (row 222)
    blr = ind.corridors("BLR", 2021, "immigrants", None, source="knomad_migration_2021", data_dir=data_dir)
    assert blr.attrs["unknown"] == 304 and blr.attrs["total"] == 1_067_090
    assert blr["migrants"].sum() + 304 == 1_067_090
    # The profile reports it as a figure
    p = ind.profile("USA", 2020, data_dir=data_dir)
    assert p.origins.attrs["dataset"] != "" and not math.isnan(p.value("unknown_origin_share"))


def test_diaspora_concentration_from_corridor_values(data_dir, od19_belarus):
    # HHI = sum of squared shares of the OD19 column "Belarus" (2019, country destinations)
    frac = od19_belarus / od19_belarus.sum()
    figs = {f.name: f for f in ind.diaspora_concentration("Belarus", 2019, source="undesa_2019_od_csv",
                                                          data_dir=data_dir)}
    assert figs["diaspora_hhi"].value == pytest.approx(float((frac ** 2).sum()), rel=1e-12)
    # Dominated by Russia (line 1615, 764,120 of 1,480,838): HHI >= 0.516^2
    assert figs["diaspora_hhi"].value > 0.516 ** 2
    top5 = 764_120 + 247_989 + 80_409 + 72_245 + 65_327  # lines 1615, 1617, 1612, 1500, 1660
    assert figs["diaspora_top5_share"].value == pytest.approx(100 * top5 / 1_480_838, rel=1e-12)
    assert figs["diaspora_hhi"].unit == "index 0-1" and figs["diaspora_hhi"].year == 2019


# -- remittances --------------------------------------------------------------------------------
def test_remittances_received_equal_wdi_cells(data_dir):
    # BX line 115 (India), col BQ (2024): 137674533895.686
    india = {f.name: f for f in ind.remittances("India", 2024, data_dir=data_dir)}
    assert india["remittances_received"].value == 137674533895.686
    assert india["remittances_received"].year == 2024 and india["remittances_received"].unit == "current US$"
    # BX line 193 (Philippines), col BQ (2024): 40279405932.4328
    phl = {f.name: f for f in ind.remittances("PHL", 2024, data_dir=data_dir)}
    assert phl["remittances_received"].value == 40279405932.4328
    # BX line 240 (Tajikistan), col BP (2023): 4633754222.29703
    tjk = {f.name: f for f in ind.remittances("Tajikistan", 2023, data_dir=data_dir)}
    assert tjk["remittances_received"].value == 4633754222.29703
    assert tjk["remittances_received"].year == 2023
    series = ind.remittance_series("Tajikistan", data_dir=data_dir).set_index("year")
    assert series.at[2023, "received_usd"] == 4633754222.29703


def test_remittances_pct_gdp_is_computed_and_labelled(data_dir):
    # GDP (2025-07-01) runs to 2024, so the latest ratio is 2024. India: BX line 115 col BQ (2024)
    # 137674533895.686; GDP line 115 col BQ (2024) 3912686168582.21
    india = {f.name: f for f in ind.remittances("India", 2024, data_dir=data_dir)}["remittances_pct_gdp"]
    assert india.value == pytest.approx(100 * 137674533895.686 / 3912686168582.21, rel=1e-12)  # 3.52 %
    assert india.year == 2024 and india.unit == "percent"
    # Tajikistan: BX line 240 col BQ 6801890973.461; GDP line 240 col BQ 14204575548.5536
    # (MANIFEST: TJK 47.9 % in 2024)
    tjk = {f.name: f for f in ind.remittances("TJK", 2024, data_dir=data_dir)}["remittances_pct_gdp"]
    assert tjk.value == pytest.approx(100 * 6801890973.461 / 14204575548.5536, rel=1e-12)
    assert round(tjk.value, 1) == 47.9
    # Vintages: line 3 of both files "Last Updated Date","2025-07-01": one vintage, no mixing
    for fig in (india, tjk):
        assert "computed" in fig.note and "same year" in fig.note and "two WDI vintages" not in fig.note
        assert fig.basis == "World Bank WDI (2025-07-01)"
        assert "2025-07-01" in fig.source and "2024-10-24" not in fig.source


@pytest.mark.parametrize("country", ["Cuba", "Monaco", "Tokelau"])
def test_no_remittance_data_is_nan_with_reason(data_dir, country):
    # BX line 56 (Cuba) and line 155 (Monaco): every year cell is ""; Tokelau has no BX row at all
    figs = {f.name: f for f in ind.remittances(country, 2024, data_dir=data_dir)}
    for name in ("remittances_received", "remittances_pct_gdp", "remittances_per_emigrant"):
        assert math.isnan(figs[name].value), name
        assert figs[name].note.strip(), name
    p = ind.profile(country, data_dir=data_dir)
    rec = p.figure("remittances_received")
    assert math.isnan(rec.value) and rec.value != 0 and rec.note
    assert any(n.startswith("Not available:") and "Personal remittances received" in n for n in p.notes)
    assert p.to_dict()["figures"][[f.name for f in p.figures].index("remittances_received")]["value"] is None


# -- refugees -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def unhcr_rows(mirror_dir) -> pd.DataFrame:
    """UNHCR population.rda read with pyreadr directly (not through migstats' parser)."""
    import pyreadr

    return pyreadr.read_r(mirror_dir / UNHCR)["population"]


def test_afghan_refugees_2020(data_dir, unhcr_rows):
    # UNHCR: 96 rows with year 2020, coo_iso AFG, coa_iso != AFG; the largest are coa_iso PAK
    # 1,438,432 and IRN 780,000; refugees sum to 2,594,827 (MANIFEST: same)
    u = unhcr_rows
    rows = u[(u["year"] == 2020) & (u["coo_iso"] == "AFG") & (u["coa_iso"] != "AFG")]
    assert len(rows) == 96 and rows["refugees"].sum() == 2_594_827
    r = ind.refugees("Afghanistan", data_dir=data_dir).set_index("year")
    assert r.at[2020, "refugees_from"] == 2_594_827
    assert r.at[2020, "asylum_seekers_from"] == rows["asylum_seekers"].sum()
    assert "UNHCR" in ind.refugees("AFG", data_dir=data_dir).attrs["source"]


def test_refugees_hosted_include_unknown_and_stateless_origins(data_dir, unhcr_rows):
    # UNHCR, year 2020, coa_iso FRA: 133 rows with coo_iso != FRA; refugees sum to 436,055, of
    # which coo_iso UNK (unknown) 100,900 and XXA (stateless) 48
    u = unhcr_rows
    rows = u[(u["year"] == 2020) & (u["coa_iso"] == "FRA") & (u["coo_iso"] != "FRA")]
    assert rows["refugees"].sum() == 436_055
    assert rows.loc[rows["coo_iso"] == "UNK", "refugees"].tolist() == [100_900]
    r = ind.refugees("France", data_dir=data_dir).set_index("year")
    assert r.at[2020, "refugees_hosted"] == 436_055
    assert r.at[2020, "asylum_seekers_hosted"] == rows["asylum_seekers"].sum()


# -- editions side by side ----------------------------------------------------------------------
def test_belarus_editions_side_by_side(data_dir, od19_belarus):
    ed = ind.edition_comparison("Belarus", data_dir=data_dir)
    assert "rel_diff_vs_undesa_2024_pct" in ed.columns and "share_of_population_pct" in ed.columns
    em = ed[ed["quantity"] == "emigrants"]
    # UN DESA 2019: OD19 column "Belarus", 2019, country rows = 1,480,838; TOT19 Table 2 (thousands),
    # Excel row 243 (Belarus), col K (2019): 9,452.411 -> 15.67 %
    r19 = em[em["source"].str.contains("2019") & (em["year"] == 2019)]
    assert len(r19) == 1
    assert r19["value"].iloc[0] == od19_belarus.sum() == 1_480_838
    assert r19["share_of_population_pct"].iloc[0] == pytest.approx(100 * 1_480_838 / 9_452_411, rel=1e-9)
    assert round(r19["share_of_population_pct"].iloc[0], 1) == 15.7
    # UN DESA 2024, year 2020: ORIG24 Excel row 160 col L 919,469; DEST24 Table 2 row 160 col K
    # 9,350.944 thousand -> 9.83 %
    r24 = em[em["source"].str.startswith("UN DESA IMS 2024") & (em["year"] == 2020)]
    assert r24["value"].iloc[0] == 919_469
    assert r24["share_of_population_pct"].iloc[0] == pytest.approx(100 * 919_469 / 9_350_944, rel=1e-9)
    assert round(r24["share_of_population_pct"].iloc[0], 2) == 9.83
    assert r19["rel_diff_vs_undesa_2024_pct"].iloc[0] == pytest.approx(100 * (1_480_838 - 919_469) / 919_469)
    # Immigrants, UN DESA 2019: TOT19 Table 1, Excel row 243 (Belarus), col L (2019): 1,069,395
    im19 = ed[(ed["quantity"] == "immigrants") & ed["source"].str.startswith("UN DESA IMS 2019")]
    assert im19["value"].iloc[0] == 1_069_395
    assert ed.attrs["note"]


# -- errors -------------------------------------------------------------------------------------
def test_unknown_and_ambiguous_countries(data_dir):
    with pytest.raises(CountryNotFoundError):
        ind.immigrant_stock("Narnia", data_dir=data_dir)
    with pytest.raises(CountryNotFoundError):
        ind.profile(999, data_dir=data_dir)
    with pytest.raises(AmbiguousCountryError, match="COD"):
        ind.profile("Congo", data_dir=data_dir)
    with pytest.raises(AmbiguousCountryError):
        ind.corridors("Guinea", 2021, data_dir=data_dir)


@pytest.mark.parametrize("call", [
    lambda d: ind.immigrant_stock("Belarus", 2019, data_dir=d),
    lambda d: ind.emigrant_share("Belarus", 2021, data_dir=d),
    lambda d: ind.profile("Belarus", 2023, data_dir=d),
    lambda d: ind.world_indicator("immigrant_share", 2018, data_dir=d),
])
def test_year_outside_edition_years(data_dir, call):
    with pytest.raises(DataNotAvailableError) as err:
        call(data_dir)
    assert all(str(y) in str(err.value) for y in YEARS)


# -- every area ---------------------------------------------------------------------------------
def test_profile_every_area(data_dir):
    codes = store.load("countries", data_dir)["location_code"].astype(int).tolist()
    assert len(codes) == 235
    start = time.perf_counter()
    for code in codes:
        p = ind.profile(code, data_dir=data_dir)
        for f in p.figures:
            assert isinstance(f.value, float), (code, f.name)
            if math.isnan(f.value):
                assert f.note.strip(), (code, f.name)
        d = p.to_dict()
        json.dumps(d, allow_nan=False)  # strict JSON: NaN must have become null
        for fd in d["figures"]:
            assert {"value", "unit", "source"} <= set(fd) and fd["unit"] and fd["source"], (code, fd)
    elapsed = time.perf_counter() - start
    assert elapsed < 30, f"235 profiles took {elapsed:.1f} s"


def test_profile_area_without_data(data_dir):
    # DEST24 Table 1, Excel rows of Saint Barthélemy (652) and Saint Martin (663): blank cells
    p = ind.profile(652, data_dir=data_dir)
    imm = p.figure("immigrant_stock")
    assert math.isnan(imm.value) and "no migrant stock" in imm.note
    assert math.isnan(p.value("immigrant_share")) and p.figure("immigrant_share").note
    assert json.loads(json.dumps(p.to_dict(), allow_nan=False))["figures"][0]["value"] is None


def test_profile_small_state(data_dir):
    # Tokelau is in neither KNOMAD matrix: its corridors there are empty, and the HHI is NaN
    # with a reason rather than 0
    knomad = ind.corridors("Tokelau", 2021, source="knomad_migration_2021", data_dir=data_dir)
    assert knomad.empty and knomad.attrs["total"] == 0
    hhi = {f.name: f for f in ind.diaspora_concentration("Tokelau", 2021, source="knomad_migration_2021",
                                                         data_dir=data_dir)}["diaspora_hhi"]
    assert math.isnan(hhi.value) and hhi.note
    p = ind.profile("Tokelau", data_dir=data_dir)
    for f in p.figures:
        assert f.basis, f.name
    # Saint Martin (French part), 663, is in no bilateral table for 2024 (GDI: no row with geo or
    # from MAF; DEST24 Table 1 leaves its cells blank): corridors empty, HHI and unknown share
    # NaN with reasons
    p = ind.profile(663, data_dir=data_dir)
    assert p.destinations.attrs["dataset"] == "undesa_2024_od_gdidata"
    assert p.destinations.empty and p.origins.empty
    for name in ("diaspora_hhi", "unknown_origin_share"):
        assert math.isnan(p.value(name)) and p.figure(name).note
    # the reason is the missing rows, not "origin not reported by the destination country"
    assert "gives no origins" in p.figure("unknown_origin_share").note
    # DEST24 Table 1, Excel row 295 (Tokelau), col M: 1,282; Table 2 col L: 2.506 thousand
    p = ind.profile("Tokelau", data_dir=data_dir)
    assert p.value("immigrant_share") == pytest.approx(100 * 1_282 / 2_506)


def test_to_dict_is_json(data_dir):
    p = ind.profile("Philippines", data_dir=data_dir)
    d = json.loads(json.dumps(p.to_dict(), allow_nan=False))
    assert d["country"]["iso3"] == "PHL" and d["year"] == 2024
    names = {f["name"]: f for f in d["figures"]}
    # ORIG24 Table 1, Excel row 134 (Philippines), col M: 6,988,383
    assert names["emigrant_stock"]["value"] == 6_988_383
    assert names["emigrant_stock"]["unit"] == "persons" and "origin" in names["emigrant_stock"]["source"]
    assert all({"value", "unit", "source"} <= set(f) for f in d["figures"])
    assert d["destinations"]["rows"] and d["sources"]
