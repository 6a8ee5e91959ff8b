"""UNHCR extract parser: values checked against ``unhcr/unhcr_2020.csv`` (1-based file lines)."""

from __future__ import annotations

import pytest

from migstats.exceptions import SourceLayoutError
from migstats.parsers import unhcr

FILE = "unhcr/unhcr_2020.csv"


@pytest.fixture(scope="module")
def refugees(mirror_dir):
    return unhcr.read_refugees(mirror_dir / FILE)


def test_columns_and_dtypes(refugees):
    assert list(refugees.columns) == ["year", "origin_iso3", "asylum_iso3", "refugees", "asylum_seekers"]
    assert refugees.dtypes.to_dict() == {"year": "int16", "origin_iso3": "str", "asylum_iso3": "str",
                                         "refugees": "float64", "asylum_seekers": "float64"}
    assert refugees.year.min() == 1995 and refugees.year.max() == 2020
    assert not refugees.duplicated(["year", "origin_iso3", "asylum_iso3"]).any()


def test_rows_kept_and_dropped(refugees):
    # 93,936 data rows (MANIFEST); the 630 all-zero self-pairs (e.g. line 2 "1995,AFG,AFG,0,0") are dropped
    assert len(refugees) == 93_936 - 630
    assert refugees[(refugees.origin_iso3 == "AFG") & (refugees.asylum_iso3 == "AFG")].empty
    # Line 3324 "2020,AUS,AUS,0,31": a non-zero self-pair is kept
    aus = refugees[(refugees.year == 2020) & (refugees.origin_iso3 == "AUS") & (refugees.asylum_iso3 == "AUS")]
    assert aus[["refugees", "asylum_seekers"]].values.tolist() == [[0.0, 31.0]]


def test_afghan_refugees_2020(refugees):
    afg = refugees[(refugees.origin_iso3 == "AFG") & (refugees.year == 2020)]
    # MANIFEST: Afghan refugees 2020 = 2,728,853
    assert afg.refugees.sum() == 2_728_853
    # Line 66402 "2020,AFG,PAK,1419084,8406"
    pak = afg[afg.asylum_iso3 == "PAK"]
    assert pak[["refugees", "asylum_seekers"]].values.tolist() == [[1_419_084.0, 8_406.0]]


def test_non_iso_and_missing_codes(refugees):
    codes = set(refugees.origin_iso3.dropna()) | set(refugees.asylum_iso3.dropna())
    assert {"XXA", "TIB"} <= codes
    assert not {"UNK", "STA", "XKX", "KOS"} & codes
    assert set(refugees.loc[refugees.origin_iso3.isin(["XXA", "TIB"]), "origin_iso3"]) == {"XXA", "TIB"}
    assert not refugees.asylum_iso3.isin(["XXA", "TIB"]).any()
    # Line 256 "1996,,ALB,200,0": blank origin -> NaN (1,307 rows); 5 rows have a blank asylum too
    assert refugees.origin_iso3.isna().sum() == 1307
    assert refugees.asylum_iso3.isna().sum() == 5
    alb = refugees[(refugees.year == 1996) & refugees.origin_iso3.isna() & (refugees.asylum_iso3 == "ALB")]
    assert alb.refugees.tolist() == [200.0]
    # Line 19134 "2020,VEN,CYM,NA,NA": NA -> NaN (6 such rows)
    assert refugees.refugees.isna().sum() == 6
    cym = refugees[(refugees.year == 2020) & (refugees.origin_iso3 == "VEN") & (refugees.asylum_iso3 == "CYM")]
    assert cym.refugees.isna().all() and len(cym) == 1
    # Namibia's code stays "NAM" (no "NA" confusion): line 11605 "1998,NAM,BWA,1894,0"
    nam = refugees[(refugees.year == 1998) & (refugees.origin_iso3 == "NAM") & (refugees.asylum_iso3 == "BWA")]
    assert nam.refugees.tolist() == [1894.0]


def test_layout_errors(tmp_path):
    f = tmp_path / "u.csv"
    f.write_text("year,origin,asylum,refugees\n2020,AFG,PAK,1\n")
    with pytest.raises(SourceLayoutError, match="expected columns"):
        unhcr.read_refugees(f)
    f.write_text("year,orig,dest,refugees,asylum_seekers\n2020,AFG,PAK,1,x\n")
    with pytest.raises(SourceLayoutError, match="asylum_seekers"):
        unhcr.read_refugees(f)
