"""UNHCR parsers: the 1995-2020 extract (``unhcr/unhcr_2020.csv``, 1-based file lines) and UNHCR's
refugees package files (``population.rda``, ``countries.rda``; MANIFEST figures)."""

from __future__ import annotations

import pandas as pd
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


# -- UNHCR's refugees package (population.rda, countries.rda) ---------------------------------------
POPULATION = "unhcr/refugees_2025.12.1/population.rda"
COUNTRIES = "unhcr/refugees_2025.12.1/countries.rda"


def _population(**change):
    import numpy as np

    base = {"year": [2024.0, 2024.0], "coo_name": ["Syria", "Unknown"], "coo": ["SYR", "UKN"],
            "coo_iso": ["SYR", "UNK"], "coa_name": ["Austria", "Austria"], "coa": ["AUS", "AUS"],
            "coa_iso": ["AUT", "AUT"], "refugees": [10.0, 0.0], "asylum_seekers": [2.0, 3.0],
            "returned_refugees": [0.0, 0.0], "idps": [0.0, 0.0], "returned_idps": [0.0, 0.0],
            "stateless": [0.0, 1.0], "ooc": [0.0, 0.0], "oip": [np.nan, 4.0], "hst": [0.0, 0.0]}
    base.update(change)
    return pd.DataFrame(base)


def test_population_table_joins_on_iso_and_keeps_missing_oip():
    df = unhcr.population_table(_population())
    assert list(df.columns) == ["year", "origin_iso3", "asylum_iso3", "origin_unhcr", "asylum_unhcr",
                                "refugees", "asylum_seekers", "idps", "stateless", "others_of_concern", "oip"]
    assert df["asylum_iso3"].tolist() == ["AUT", "AUT"] and df["asylum_unhcr"].tolist() == ["AUS", "AUS"]
    assert df["year"].dtype == "int16" and df["origin_iso3"].tolist() == ["SYR", "UNK"]
    assert pd.isna(df["oip"].iloc[0]) and df["oip"].iloc[1] == 4.0  # missing stays missing


@pytest.mark.parametrize("change, message", [
    ({"coa_iso": ["AUT", ""]}, "'coa_iso' has blank codes"),
    ({"refugees": [10.0, -1.0]}, "'refugees' holds negative or missing"),
    ({"idps": [0.0, float("nan")]}, "'idps' holds negative or missing"),
    ({"coo_iso": ["SYR", "SYR"]}, "repeats"),
])
def test_population_table_refuses_bad_rows(change, message):
    with pytest.raises(SourceLayoutError, match=message):
        unhcr.population_table(_population(**change))


def test_real_population(mirror_dir):
    df = unhcr.read_population(mirror_dir / POPULATION)
    assert len(df) == 138_893  # MANIFEST
    # MANIFEST: Afghan refugees 2,594,827 (2020) and 6,403,144 (2023); Syrian refugees 2023 6,355,788
    afg = df[(df["origin_iso3"] == "AFG") & (df["asylum_iso3"] != "AFG")].groupby("year")["refugees"].sum()
    assert afg[2020] == 2_594_827 and afg[2023] == 6_403_144
    syr = df[(df["origin_iso3"] == "SYR") & (df["asylum_iso3"] != "SYR") & (df["year"] == 2023)]
    assert syr["refugees"].sum() == 6_355_788
    codes = set(df["origin_iso3"]) | set(df["asylum_iso3"])
    assert {"UNK", "XXA", "TIB"} <= codes


def test_real_countries(mirror_dir):
    c = unhcr.read_countries(mirror_dir / COUNTRIES).set_index("unhcr_code")
    assert len(c) == 232  # MANIFEST
    assert c.at["AUS", "iso3"] == "AUT" and c.at["AUL", "iso3"] == "AUS" and c.at["SUD", "iso3"] == "SDN"
    assert c["iso3"].isna().sum() == 3  # CRB, CUR, TIB have no ISO code
