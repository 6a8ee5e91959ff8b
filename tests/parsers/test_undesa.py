"""Tests of the UN DESA International Migrant Stock parsers.

Expected numbers were read off the source files with pandas (``header=None``) and are
cited by sheet, Excel row and Excel column. The two workbooks that are not in the mirror
(official 2019 and 2024 origin x destination) are tested on small workbooks built here with
openpyxl in their documented layouts.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from migstats import schemas
from migstats.exceptions import DataNotAvailableError, SourceLayoutError
from migstats.parsers import undesa

DEST_2024 = "undesa_ims/undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx"
DEST_2020 = "undesa_ims/undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"
DEST_2019 = "undesa_ims/UN_MigrantStockTotal_2019.xlsx"
ORIGIN_2024 = "undesa_ims/undesa_pd_2024_ims_stock_by_sex_and_origin.xlsx"
OD_2019_CSV = "undesa_ims/UN_MigrantStockByOriginAndDestination_2019_clean.csv"


@pytest.fixture(scope="module")
def dest2024(mirror_dir):
    return undesa.read_stock_by_destination(mirror_dir / DEST_2024, 2024)


@pytest.fixture(scope="module")
def dest2020(mirror_dir):
    return undesa.read_stock_by_destination(mirror_dir / DEST_2020, 2020)


@pytest.fixture(scope="module")
def dest2019(mirror_dir):
    return undesa.read_stock_by_destination(mirror_dir / DEST_2019, 2019)


@pytest.fixture(scope="module")
def origin2024(mirror_dir):
    return undesa.read_stock_by_origin(mirror_dir / ORIGIN_2024)["origin_stock"]


@pytest.fixture(scope="module")
def od2019csv(mirror_dir):
    return undesa.read_od_2019_csv(mirror_dir / OD_2019_CSV)


def _value(df, column, **where):
    mask = np.ones(len(df), dtype=bool)
    for key, val in where.items():
        mask &= (df[key] == val).to_numpy()
    hit = df.loc[mask, column]
    assert len(hit) == 1, f"{len(hit)} rows for {where}"
    return hit.iloc[0]


# ------------------------------------------------------------------ 2024 destination

def test_2024_destination_tables_match_schemas(dest2024):
    assert set(dest2024) == {"destination_stock", "population", "destination_published",
                             "destination_growth", "destination_notes"}
    for name, frame in dest2024.items():
        schemas.validate(frame, name)


def test_2024_destination_countries_sum_to_world(dest2024):
    stock = dest2024["destination_stock"]
    countries = stock[stock["location_code"] < 900]
    # Table 1: 235 rows with a location code < 900 (233 with data + codes 652, 663)
    assert countries["location_code"].nunique() == 235
    summed = countries.groupby(["year", "sex"])["migrant_stock"].sum()
    world = stock[stock["location_code"] == 900].set_index(["year", "sex"])["migrant_stock"]
    assert len(world) == 24
    pd.testing.assert_series_equal(summed.sort_index(), world.sort_index(), check_names=False)
    # Table 1, Excel row 12 (World): M (2024 both) 304,021,813; U (2024 male) 158,009,795;
    # AC (2024 female) 146,012,018; L (2020 both) 275,284,032
    assert _value(stock, "migrant_stock", location_code=900, year=2024, sex="both") == 304_021_813
    assert _value(stock, "migrant_stock", location_code=900, year=2024, sex="male") == 158_009_795
    assert _value(stock, "migrant_stock", location_code=900, year=2024, sex="female") == 146_012_018
    assert _value(stock, "migrant_stock", location_code=900, year=2020, sex="both") == 275_284_032


def test_2024_destination_values(dest2024):
    stock = dest2024["destination_stock"]
    # Table 1, Excel row 160 (Belarus): L (2020 both) 1,067,090; U (2024 male) 482,995
    assert _value(stock, "migrant_stock", location_code=112, year=2020, sex="both") == 1_067_090
    assert _value(stock, "migrant_stock", location_code=112, year=2024, sex="male") == 482_995
    # Table 1, Excel rows 232 (Saint Barthélemy*, 652) and 235 (Saint Martin (French part)*, 663):
    # every year cell blank -> NaN, never 0
    for code in (652, 663):
        values = stock.loc[stock["location_code"] == code, "migrant_stock"]
        assert len(values) == 24 and values.isna().all()
    # aggregates are kept: Table 1, Excel row 272, subregion Australia/New Zealand 927, M = 9,579,393
    assert _value(stock, "migrant_stock", location_code=927, year=2024, sex="both") == 9_579_393


def test_2024_population_is_in_persons_and_joined_by_index(dest2024):
    pop = dest2024["population"]
    # Table 2, Excel row 12 (World), L (2024 both): 8,161,972.572 thousand
    assert _value(pop, "population", location_code=900, year=2024, sex="both") == pytest.approx(8_161_972_572)
    # Table 2, Excel row 160 ("   Belarus", Index 149, column D holds data type "B", no code):
    # L (2024 both) 9,056.696 thousand; T (2024 male) 4,220.426; AB (2024 female) 4,836.27
    assert _value(pop, "population", location_code=112, year=2024, sex="both") == pytest.approx(9_056_696)
    assert _value(pop, "population", location_code=112, year=2024, sex="male") == pytest.approx(4_220_426)
    assert _value(pop, "population", location_code=112, year=2024, sex="female") == pytest.approx(4_836_270)
    assert set(pop["location_code"]) == set(dest2024["destination_stock"]["location_code"])


def test_2024_published_ratios_and_growth(dest2024):
    pub = dest2024["destination_published"]
    # Table 3, Excel row 160 (Belarus), M (2024 both): 11.6444672538418 %
    assert _value(pub, "value", location_code=112, year=2024, sex="both",
                  measure="migrant_share_pct") == pytest.approx(11.6444672538418)
    # Table 4, Excel row 160 (Belarus), L (2020): 54.20133259612592 % female
    assert _value(pub, "value", location_code=112, year=2020, sex="both",
                  measure="female_share_pct") == pytest.approx(54.20133259612592)
    assert set(pub.loc[pub["measure"] == "female_share_pct", "sex"]) == {"both"}
    growth = dest2024["destination_growth"]
    # Table 5, Excel row 160 (Belarus): F (both 1990-1995) -1.030015397999574;
    # L (both 2020-2024) -0.2942494097304167; Z (female 2020-2024) -0.2942678494283678
    assert _value(growth, "growth_rate_pct", location_code=112, period_start=1990, period_end=1995,
                  sex="both") == pytest.approx(-1.030015397999574)
    assert _value(growth, "growth_rate_pct", location_code=112, period_start=2020, period_end=2024,
                  sex="both") == pytest.approx(-0.2942494097304167)
    assert _value(growth, "growth_rate_pct", location_code=112, period_start=2020, period_end=2024,
                  sex="female") == pytest.approx(-0.2942678494283678)


def test_2024_notes(dest2024):
    notes = dest2024["destination_notes"].set_index("location_code")
    # Table 1, Excel row 155 (Türkiye): column D "B R"
    assert notes.loc[792, "data_type"] == "B R" and bool(notes.loc[792, "refugees_included"])
    # Table 1, Excel row 160 (Belarus): column D "B"
    assert notes.loc[112, "data_type"] == "B" and not bool(notes.loc[112, "refugees_included"])
    # Table 1, last row, Excel row 298 (Wallis and Futuna Islands*): C (Coverage) 44, D "B R"
    assert notes.loc[876, "coverage_note"] == "44"
    # World (Excel row 12) has no data type
    assert pd.isna(notes.loc[900, "data_type"]) and not bool(notes.loc[900, "refugees_included"])


def test_area_names(mirror_dir):
    names24 = undesa.read_area_names(mirror_dir / DEST_2024, 2024).set_index("location_code")["name"]
    names19 = undesa.read_area_names(mirror_dir / DEST_2019, 2019).set_index("location_code")["name"]
    # 2024 Table 1, Excel row 155: "Türkiye"; 2019 Table 1, Excel row 119: "Turkey"
    assert names24[792] == "Türkiye" and names19[792] == "Turkey"
    # 2024 Table 1, Excel row 232: "Saint Barthélemy*" -> star stripped
    assert names24[652] == "Saint Barthélemy"
    assert not names24.str.contains(r"\*|^\s|\s$", regex=True).any()
    assert names24[900] == "World"


# ------------------------------------------------------------------ 2024 origin

def test_2024_origin(origin2024):
    schemas.validate(origin2024, "origin_stock")
    # by-origin Table 1, Excel row 299 (OTHER, 2003): M (2024 both) 22,065,614; F (1990) 13,071,655
    assert _value(origin2024, "emigrant_stock", location_code=2003, year=2024, sex="both") == 22_065_614
    assert _value(origin2024, "emigrant_stock", location_code=2003, year=1990, sex="both") == 13_071_655
    # by-origin Table 1, Excel row 160 (Belarus): L (2020 both) 919,469; F (1990) 1,768,067
    assert _value(origin2024, "emigrant_stock", location_code=112, year=2020, sex="both") == 919_469
    assert _value(origin2024, "emigrant_stock", location_code=112, year=1990, sex="both") == 1_768_067
    parts = origin2024[(origin2024["location_code"] < 900) | (origin2024["location_code"] == 2003)]
    summed = parts.groupby(["year", "sex"])["emigrant_stock"].sum()
    world = origin2024[origin2024["location_code"] == 900].set_index(["year", "sex"])["emigrant_stock"]
    pd.testing.assert_series_equal(summed.sort_index(), world.sort_index(), check_names=False)


# ------------------------------------------------------------------ 2020 and 2019 totals

def test_2020_destination(dest2020):
    for name, frame in dest2020.items():
        schemas.validate(frame, name)
    stock = dest2020["destination_stock"]
    # Table 1, Excel row 12 (WORLD), L (2020 both): 280,598,105; Excel row 156 (Belarus) L: 1,067,090
    assert _value(stock, "migrant_stock", location_code=900, year=2020, sex="both") == 280_598_105
    assert _value(stock, "migrant_stock", location_code=112, year=2020, sex="both") == 1_067_090
    both2020 = stock[(stock["year"] == 2020) & (stock["sex"] == "both") & (stock["location_code"] < 900)]
    assert both2020["migrant_stock"].sum() == 280_598_105
    ref = dest2020["undesa_refugees"]
    # Table 6, Excel row 12 (WORLD): L (2020) 33,807,795; F (1990) 18,977,581
    assert _value(ref, "refugees", location_code=900, year=2020) == 33_807_795
    assert _value(ref, "refugees", location_code=900, year=1990) == 18_977_581
    # Table 6, Excel row 156 (Belarus): F (1990) "~" -> NaN; L (2020) 2,877
    assert math.isnan(_value(ref, "refugees", location_code=112, year=1990))
    assert _value(ref, "refugees", location_code=112, year=2020) == 2_877
    assert sorted(ref["year"].unique()) == [1990, 1995, 2000, 2005, 2010, 2015, 2020]
    # 927 "Australia and New Zealand" is listed twice (Excel rows 19 and 268) with equal figures
    assert (stock["location_code"] == 927).sum() == 21


def test_2019_destination(dest2019):
    for name, frame in dest2019.items():
        schemas.validate(frame, name)
    stock = dest2019["destination_stock"]
    # Table 1, Excel row 17 (WORLD): L (2019 both) 271,642,105; F (1990) 153,011,473
    assert _value(stock, "migrant_stock", location_code=900, year=2019, sex="both") == 271_642_105
    assert _value(stock, "migrant_stock", location_code=900, year=1990, sex="both") == 153_011_473
    # Table 1, Excel row 243 (Belarus): L (2019) 1,069,395
    assert _value(stock, "migrant_stock", location_code=112, year=2019, sex="both") == 1_069_395
    # Table 2, Excel row 17 (WORLD), K (2019 both): 7,713,468.100000007 thousand
    assert _value(dest2019["population"], "population", location_code=900, year=2019,
                  sex="both") == pytest.approx(7_713_468_100)
    # Table 6, Excel row 17 (WORLD), L (2019): 28,711,526
    assert _value(dest2019["undesa_refugees"], "refugees", location_code=900, year=2019) == 28_711_526
    notes = dest2019["destination_notes"].set_index("location_code")
    # Table 1, Excel row 119 (Turkey): E "B R"
    assert notes.loc[792, "data_type"] == "B R" and bool(notes.loc[792, "refugees_included"])
    # the "UN development groups" row (Excel row 18) has no code and ".." cells: dropped
    assert stock["migrant_stock"].notna().sum() > 0 and stock["location_code"].min() > 0


def test_wrong_edition_is_refused(mirror_dir):
    with pytest.raises(SourceLayoutError, match=r"Table 1.*2020"):
        undesa.read_stock_by_destination(mirror_dir / DEST_2024, 2020)
    with pytest.raises(DataNotAvailableError):
        undesa.read_stock_by_destination(mirror_dir / DEST_2024, 2017)


# ------------------------------------------------------------------ 2019 O-D csv

def test_2019_od_csv(od2019csv):
    assert list(od2019csv.columns) == ["year", "sex", "destination_name", "origin_name", "migrant_stock"]
    assert str(od2019csv["year"].dtype) == "int16" and od2019csv["migrant_stock"].dtype == "float64"
    assert set(od2019csv["sex"]) == {"both"}
    # the five subregion rows of Dest (sums of their countries) are dropped
    assert not {"Caribbean", "South America", "Melanesia", "Micronesia", "Polynesia"} & set(
        od2019csv["destination_name"])
    assert od2019csv["destination_name"].nunique() == 232
    assert od2019csv["origin_name"].nunique() == 232
    belarus = od2019csv[od2019csv["origin_name"] == "Belarus"].groupby("year")["migrant_stock"].sum()
    # Column "Belarus" summed over the 232 country rows of each Year. MANIFEST's 1,768,281 (1990) and
    # 1,481,187 (2019) also add the 5 subregion rows (675 and 349 Belarus-born in 1990 and 2019),
    # which double counts: e.g. row "South America" (2019) equals the sum of its 14 country rows.
    assert belarus[1990] == 1_767_606
    assert belarus[2019] == 1_480_838
    # ".." and "-" are not available: "Albania" column, Dest "Montenegro", 1990-2005 hold "-"
    mne = od2019csv[(od2019csv["origin_name"] == "Albania") & (od2019csv["destination_name"] == "Montenegro")]
    assert sorted(mne["year"]) == [2010, 2015, 2019]
    assert (od2019csv["migrant_stock"] == 0).any()  # published zeros are kept


def test_2019_od_csv_subregion_rows_are_sums(mirror_dir):
    raw = pd.read_csv(mirror_dir / OD_2019_CSV, dtype=str, keep_default_na=False)
    raw = raw[raw["Year"] == "2019"].set_index("Dest").iloc[:, 1:]
    num = raw.apply(pd.to_numeric, errors="coerce")
    south_america = ["Argentina", "Bolivia (Plurinational State of)", "Brazil", "Chile", "Colombia", "Ecuador",
                     "Falkland Islands (Malvinas)", "French Guiana", "Guyana", "Paraguay", "Peru", "Suriname",
                     "Uruguay", "Venezuela (Bolivarian Republic of)"]
    pd.testing.assert_series_equal(num.loc[south_america].sum(), num.loc["South America"], check_names=False)


# ------------------------------------------------------------------ 2019 O-D official layout

OD19_ORIGINS = ["Total", "Other North", "Other South", "Bahamas", "Belarus", "Côte d'Ivoire", "France*"]
# (year, sort order, destination, notes, code, type of data, Total, Other North, Other South,
#  Bahamas, Belarus, Côte d'Ivoire, France*)
OD19_ROWS = [
    (1990, 1, "WORLD", None, 900, None, 1000, 7, 3, 100, 500, 40, 350),
    (1990, 2, "UN development groups", None, None, None, "..", "..", "..", "..", "..", "..", ".."),
    (1990, 3, "Caribbean", None, 915, None, 110, None, None, None, 5, None, 105),
    (1990, 4, "   Bahamas", None, 44, "B", 30, None, 2, None, 5, 0, 23),
    (1990, 5, "   Belarus", "1", 112, "B", 900, 7, 1, "..", None, 40, 10),
    (1990, 6, "   Côte d'Ivoire", None, 384, "B R", 12, None, None, None, None, None, 12),
    (1990, 7, "   France*", "2", 250, "B", 58, None, None, 100, 495, "-", None),
    (2019, 1, "WORLD", None, 900, None, 2000, 8, 4, 150, 600, 50, 400),
    (2019, 4, "   Bahamas", None, 44, "B", 35, None, 2, None, 6, 1, 26),
    (None, 5, "   Belarus", "1", 112, "B", 950, 8, 2, 1, None, 41, 11),
    (2019, 6, "   Côte d'Ivoire", None, 384, "B R", "..", None, None, None, None, None, 13),
    (2019, 7, "   France*", "2", 250, "B", 70, None, None, 149, 594, 9, None),
]


def _write_od2019_xlsx(path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "CONTENTS"
    for sheet, factor in (("Table 1", 1), ("Table 2", 2), ("Table 3", 3)):
        ws = wb.create_sheet(sheet)
        ws.cell(row=9, column=5, value="Workbook: UN_MigrantStockByOriginAndDestination_2019.xlsx")
        ws.cell(row=10, column=5, value=f"{sheet} - International migrant stock at mid-year by sex and by major "
                                        "area, region, country or area of destination and origin, 1990-2019")
        ws.cell(row=15, column=7, value="Country or area of origin")
        header = ["Year", "Sort\norder", "Major area, region, country or area of destination", "Notes", "Code",
                  "Type of data (a)"] + OD19_ORIGINS
        for j, label in enumerate(header, start=1):
            ws.cell(row=16, column=j, value=label)
        for i, row in enumerate(OD19_ROWS, start=17):
            for j, value in enumerate(row, start=1):
                if isinstance(value, int) and j > 6:
                    value = value * factor  # males x2, females x3: distinguishes the sheets
                ws.cell(row=i, column=j, value=value)
        ws.cell(row=17 + len(OD19_ROWS) + 1, column=1, value="Note: (a) B = foreign-born")
    wb.save(path)


def test_2019_od_xlsx_layout(tmp_path):
    path = tmp_path / "UN_MigrantStockByOriginAndDestination_2019.xlsx"
    _write_od2019_xlsx(path)
    od = undesa.read_od_2019_xlsx(path)
    assert list(od.columns) == ["year", "sex", "destination_name", "origin_name", "migrant_stock"]
    assert set(od["sex"]) == {"both", "male", "female"}
    both = od[od["sex"] == "both"]
    # WORLD (code 900) and Caribbean (915) are aggregates; "Total" is not an origin
    assert set(both["destination_name"]) == {"Bahamas", "Belarus", "Côte d'Ivoire", "France"}
    assert "Total" not in set(od["origin_name"])
    assert {"Other North", "Other South", "France"} <= set(od["origin_name"])
    # Belarus <- Other North 1990 = 7; Belarus 2019 row has a blank Year and inherits 2019 (filled down)
    assert _value(both, "migrant_stock", year=1990, destination_name="Belarus", origin_name="Other North") == 7
    assert _value(both, "migrant_stock", year=2019, destination_name="Belarus", origin_name="Bahamas") == 1
    # "..", "-" and blanks are dropped, 0 kept
    assert both[(both["destination_name"] == "Belarus") & (both["origin_name"] == "Bahamas")]["year"].tolist() \
        == [2019]
    assert not ((both["destination_name"] == "France") & (both["origin_name"] == "Côte d'Ivoire")
                & (both["year"] == 1990)).any()
    assert _value(both, "migrant_stock", year=1990, destination_name="Bahamas", origin_name="Côte d'Ivoire") == 0
    male = od[od["sex"] == "male"]
    female = od[od["sex"] == "female"]
    assert _value(male, "migrant_stock", year=2019, destination_name="France", origin_name="Belarus") == 2 * 594
    assert _value(female, "migrant_stock", year=2019, destination_name="France", origin_name="Belarus") == 3 * 594


def test_2019_od_csv_and_xlsx_give_the_same_numbers(tmp_path):
    xlsx = tmp_path / "od.xlsx"
    _write_od2019_xlsx(xlsx)
    # the same values in the third-party CSV layout: Year, Dest, one column per origin country
    countries = ["Bahamas", "Belarus", "Côte d'Ivoire", "France"]
    lines = ["Year,Dest," + ",".join(f'"{c}"' for c in countries)]
    for row in OD19_ROWS:
        year = row[0] if row[0] is not None else 2019
        if row[4] is None:
            continue
        cells = ["" if v is None else str(v) for v in row[9:]]
        lines.append(f'{year},"{row[2].strip().rstrip("*")}",' + ",".join(cells))
    csv = tmp_path / "od.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_csv = undesa.read_od_2019_csv(csv)
    from_xlsx = undesa.read_od_2019_xlsx(xlsx)
    from_xlsx = from_xlsx[(from_xlsx["sex"] == "both") & from_xlsx["origin_name"].isin(countries)]
    key = ["year", "destination_name", "origin_name"]
    pd.testing.assert_frame_equal(from_csv.sort_values(key).reset_index(drop=True),
                                  from_xlsx.sort_values(key).reset_index(drop=True))
    assert len(from_csv) == 18


# ------------------------------------------------------------------ 2024 O-D layout

from workbooks import OD24_HEADER, OD24_YEARS, write_od2024_xlsx as _write_od2024_xlsx  # noqa: E402


def test_2024_od_layout(tmp_path):
    path = tmp_path / "undesa_pd_2024_ims_stock_by_sex_destination_and_origin.xlsx"
    _write_od2024_xlsx(path)
    od = undesa.read_od_2024_xlsx(path)
    assert list(od.columns) == ["edition", "year", "sex", "origin_code", "destination_code", "migrant_stock"]
    assert {c: str(t) for c, t in od.dtypes.items() if c != "sex"} == {
        "edition": "int16", "year": "int16", "origin_code": "int32", "destination_code": "int32",
        "migrant_stock": "float64"}
    # aggregates and OTHER kept
    assert _value(od, "migrant_stock", year=2024, sex="both", origin_code=900, destination_code=900) == 107
    assert _value(od, "migrant_stock", year=2024, sex="female", origin_code=2003, destination_code=112) == 12
    assert _value(od, "migrant_stock", year=1995, sex="male", origin_code=112, destination_code=276) == 20
    assert _value(od, "migrant_stock", year=2024, sex="female", origin_code=112, destination_code=276) == 30
    ru = od[(od["origin_code"] == 643) & (od["sex"] == "both")]
    assert ru["year"].tolist() == [1990] and ru["migrant_stock"].tolist() == [0.0]  # 0 kept, ".." / blank dropped
    assert len(od) == 24 * 3 + 1 + 16


def test_2024_od_layout_change_is_reported(tmp_path):
    path = tmp_path / "od.xlsx"
    _write_od2024_xlsx(path, header=OD24_HEADER[:6] + ["Code of origin"])
    with pytest.raises(SourceLayoutError, match=r"od\.xlsx, sheet 'Table 1'.*Location code of origin"):
        undesa.read_od_2024_xlsx(path)
    _write_od2024_xlsx(path, years=OD24_YEARS[:-1] + [2023])
    with pytest.raises(SourceLayoutError, match=r"year columns"):
        undesa.read_od_2024_xlsx(path)
    _write_od2024_xlsx(path, rows=[(1, "World", None, 900, None, "World", 900, ["n/a"] + [1] * 23)])
    with pytest.raises(SourceLayoutError, match=r"unexpected text.*n/a"):
        undesa.read_od_2024_xlsx(path)
