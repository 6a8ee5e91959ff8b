"""M49 parsers: IMS 2020 Annex (sheet "Annex", data from Excel row 12) and the UNSD M49 CSV."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from migstats.exceptions import SourceLayoutError
from migstats.parsers import m49

ANNEX = "m49/aggregates_correspondence_table_2020_1.xlsx"
UNSD = "m49/UNSD — Methodology.csv"


@pytest.fixture(scope="module")
def annex(mirror_dir):
    return m49.read_annex(mirror_dir / ANNEX)


@pytest.fixture(scope="module")
def unsd(mirror_dir):
    return m49.read_unsd_m49(mirror_dir / UNSD)


def test_areas(annex):
    areas = annex["areas"]
    assert list(areas.columns) == ["location_code", "iso3", "name", "subregion", "sdg_region",
                                   "geographic_region", "ldc", "lldc", "sids", "more_developed"]
    assert areas.location_code.dtype == "int32"
    # MANIFEST: 235 Country/Area rows, all with ISO3
    assert len(areas) == 235
    assert areas.iso3.notna().all() and areas.iso3.is_unique and areas.location_code.is_unique
    assert areas.iso3.str.fullmatch(r"[A-Z]{3}").all()
    assert not areas.name.str.contains(r"^\s|\*|\s$").any()
    by_code = areas.set_index("location_code")
    # Excel row 108: "China, Taiwan Province of China*", 158, TWN; row 167: "Channel Islands*", 830, CHI
    assert by_code.loc[158, "iso3"] == "TWN" and by_code.loc[158, "name"] == "China, Taiwan Province of China"
    assert by_code.loc[830, "iso3"] == "CHI" and by_code.loc[830, "name"] == "Channel Islands"
    # Excel row 156: Belarus, 112, BLR, subregion 923 Eastern Europe, SDG region 1829, Europe (908)
    blr = by_code.loc[112]
    assert (blr.iso3, blr.subregion, blr.sdg_region, blr.geographic_region) == (
        "BLR", "Eastern Europe", "Europe and Northern America", "Europe")
    assert blr.more_developed and not (blr.ldc or blr.lldc or blr.sids)
    # Excel row 35: Burundi (108), first Country/Area row, marked 941 (col T) and 1636 (col W)
    assert by_code.loc[108, "ldc"] and by_code.loc[108, "lldc"]
    # Column counts of the 0/code membership columns (T=941, W=1636, X=1637, R=901)
    assert areas[["ldc", "lldc", "sids", "more_developed"]].sum().to_dict() == {
        "ldc": 47, "lldc": 32, "sids": 58, "more_developed": 56}


def test_aggregates(annex):
    agg = annex["aggregates"]
    assert list(agg.columns) == ["location_code", "name", "kind"]
    assert agg.location_code.is_unique
    kinds = agg.kind.value_counts().to_dict()
    # MANIFEST row counts: 20 Subregion, 9 SDG region rows (927 "Australia and New Zealand"
    # appears twice, Excel rows 19 and 268 -> 8 codes), 7 Development group, 6 Geographic
    # region, 5 Income group rows (+1518 from the column header), WORLD
    assert kinds == {"Subregion": 20, "SDG region": 8, "Development group": 7, "Geographic region": 6,
                     "Income group": 6, "SDG subregion": 2, "World": 1}
    by_code = agg.set_index("location_code")
    assert by_code.loc[900, "kind"] == "World" and by_code.loc[900, "name"] == "WORLD"
    assert by_code.loc[957, "name"] == "Polynesia"  # Excel row 285 "  Polynesia*"
    assert by_code.loc[909, "name"] == "OCEANIA"  # Excel row 267 " OCEANIA "
    assert by_code.loc[917, "name"] == "Europe" and by_code.loc[917, "kind"] == "SDG subregion"
    assert by_code.loc[1518, "name"] == "No income group available"
    assert not set(agg.location_code) & set(annex["areas"].location_code)


def test_members(annex):
    members = annex["members"]
    assert members.dtypes.to_dict() == {"aggregate_code": "int32", "location_code": "int32"}
    assert not members.duplicated().any()
    assert set(members.aggregate_code) <= set(annex["aggregates"].location_code)
    size = members.groupby("aggregate_code").size()
    assert size[900] == 235
    # every area is in exactly one subregion-level, SDG region and geographic region
    geo = members[members.aggregate_code.isin([903, 935, 908, 904, 905, 909])]
    assert geo.location_code.is_unique and len(geo) == 235
    assert size[941] == 47 and size[1636] == 32 and size[1637] == 58
    blr = set(members.loc[members.location_code == 112, "aggregate_code"])
    # Belarus: WORLD, 923, SDG subregion 917, SDG region 1829, 908, 901, and its income group
    assert {900, 923, 917, 1829, 908, 901} <= blr
    assert not {902, 941, 1636, 1637} & blr


def test_unsd(unsd):
    assert list(unsd.columns) == ["location_code", "iso2", "iso3", "name", "region", "subregion",
                                  "intermediate_region", "ldc", "lldc", "sids"]
    assert len(unsd) == 248 and unsd.location_code.dtype == "int32"
    by_iso = unsd.set_index("iso3")
    # line 43: "...;Namibia;516;NA;NAM;;;"
    assert by_iso.loc["NAM", "iso2"] == "NA" and by_iso.loc["NAM", "location_code"] == 516
    # line 170: "001;World;150;Europe;151;Eastern Europe;;;Belarus;112;BY;BLR;;;"
    blr = by_iso.loc["BLR"]
    assert (blr.region, blr.subregion, blr.location_code) == ("Europe", "Eastern Europe", 112)
    assert pd.isna(blr.intermediate_region)
    # line 119: Antarctica has no region
    assert pd.isna(by_iso.loc["ATA", "region"])
    assert unsd.ldc.sum() == 44 and unsd.lldc.sum() == 32 and unsd.sids.sum() == 53
    assert unsd.iso2.notna().all() and unsd.iso3.notna().all()


def test_annex_vs_unsd(annex, unsd):
    missing = set(annex["areas"].location_code) - set(unsd.location_code)
    assert missing == {158, 830}  # Taiwan and the Channel Islands (MANIFEST)


def test_annex_layout_error(tmp_path):
    f = tmp_path / "a.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Annex"
    wb.active.append(["no header here"])
    wb.save(f)
    with pytest.raises(SourceLayoutError, match="Location code"):
        m49.read_annex(f)
    wb.active.title = "Other"
    wb.save(f)
    with pytest.raises(SourceLayoutError, match="Annex"):
        m49.read_annex(f)


def test_unsd_layout_error(tmp_path):
    f = tmp_path / "m49.csv"
    f.write_text("Country,Code\nNamibia,516\n", encoding="utf-8")
    with pytest.raises(SourceLayoutError, match="semicolon"):
        m49.read_unsd_m49(f)
