"""IOM GDI gdidata files: parse functions on small frames built here, and the real mirror files.

MANIFEST section "undesa_ims/iom-gdidata/undesa_stocks.rda" and "worldbank_wdi/iom-gdidata/wdi.rda".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadr
import pytest

from migstats.exceptions import SourceLayoutError
from migstats.parsers import gdidata

STOCKS = "undesa_ims/iom-gdidata/undesa_stocks.rda"
WDI_X = "worldbank_wdi/iom-gdidata/wdi.rda"


def _stocks(rows):
    return pd.DataFrame(rows, columns=["geo", "t", "from", "sex", "n"]).astype({"n": "int32"})


def test_both_sexes_are_male_plus_female_zeros_kept_absent_pairs_absent():
    df = gdidata.undesa_stocks_long(_stocks([
        ("RUS", 2024, "BLR", "female", 145_223), ("RUS", 2024, "BLR", "male", 109_936),
        ("RUS", 2024, "OOO", "female", 0), ("RUS", 2024, "OOO", "male", 0),
        ("XCX", 1990, "GBR", "male", 7),  # no female row: no both-sexes figure
    ]))
    assert list(df.columns) == ["year", "sex", "destination_iso3", "origin_iso3", "migrant_stock"]
    assert df.dtypes["year"] == "int16" and df.dtypes["migrant_stock"] == "float64"
    both = df[df["sex"] == "both"].set_index("origin_iso3")["migrant_stock"]
    assert both.to_dict() == {"BLR": 255_159.0, "OOO": 0.0}
    assert len(df) == 5 + 2
    assert df[(df["destination_iso3"] == "XCX")]["sex"].tolist() == ["male"]
    assert not ((df["destination_iso3"] == "RUS") & (df["origin_iso3"] == "DEU")).any()


@pytest.mark.parametrize("rows, message", [
    ([("RUS", 2024, "BLR", "both", 1)], "'sex' should hold 'male' and 'female'"),
    ([("RUS", 2024, "BLR", "male", -1)], "negative"),
    ([("RUS", 2024, "BLR", "male", 1), ("RUS", 2024, "BLR", "male", 2)], "repeats"),
])
def test_bad_rows_are_refused(rows, message):
    with pytest.raises(SourceLayoutError, match=message):
        gdidata.undesa_stocks_long(_stocks(rows))


def test_read_a_written_rda(tmp_path):
    path = tmp_path / "undesa_stocks.rda"
    pyreadr.write_rdata(str(path), _stocks([("TUR", 2024, "SYR", "female", 1_708_374),
                                            ("TUR", 2024, "SYR", "male", 1_855_609)]),
                        df_name="undesa_stocks", compress="gzip")
    df = gdidata.read_undesa_stocks(path)
    assert df.loc[df["sex"] == "both", "migrant_stock"].tolist() == [3_563_983]


def test_real_undesa_stocks(mirror_dir):
    df = gdidata.read_undesa_stocks(mirror_dir / STOCKS)
    # 153,296 rows (male, female) + 76,648 both-sexes rows; years 1990 ... 2024 (MANIFEST)
    assert len(df) == 153_296 * 3 // 2
    assert sorted(df["year"].unique()) == [1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024]
    rus = df[(df["destination_iso3"] == "RUS") & (df["origin_iso3"] == "BLR") & (df["year"] == 2024)]
    assert rus.set_index("sex")["migrant_stock"].to_dict() == {"both": 255_159, "female": 145_223,
                                                                "male": 109_936}
    usa = df[(df["destination_iso3"] == "USA") & (df["origin_iso3"] == "MEX") & (df["year"] == 2024)
             & (df["sex"] == "both")]
    assert usa["migrant_stock"].tolist() == [11_279_561]  # MANIFEST: United States <- Mexico 2024
    assert set(gdidata.NON_ISO_CODES) <= set(df["origin_iso3"])
    assert df.loc[df["year"] == 2024].query("sex == 'both'")["migrant_stock"].sum() == 304_021_813


def test_wdi_extract_reads_remittances_paid_and_received():
    frame = pd.DataFrame({"geo": ["BLR", "BLR", "USA", "USA"], "var": ["remout", "remin", "remout", "gdp"],
                          "t": np.array([2023, 2023, 2022, 2022], dtype="int32"),
                          "v": [113_931_580.04, 1_260_613_000.0, 87_025_000_000.0, 2.5e13]})
    df = gdidata.wdi_extract_long(frame)
    assert df.to_dict("list") == {
        "indicator": ["BM.TRF.PWKR.CD.DT", "BX.TRF.PWKR.CD.DT", "BM.TRF.PWKR.CD.DT"], "iso3": ["BLR", "BLR", "USA"],
        "year": [2023, 2023, 2022], "value": [113_931_580.04, 1_260_613_000.0, 87_025_000_000.0],
        "unit": ["current US$"] * 3, "vintage": [gdidata.EXTRACT_VINTAGE] * 3}
    with pytest.raises(SourceLayoutError, match=r"variable\(s\) \['remout'\] not found"):
        gdidata.wdi_extract_long(frame[frame["var"] == "remin"])


def test_real_wdi_extract(mirror_dir):
    df = gdidata.read_wdi_extract(mirror_dir / WDI_X)
    paid = df[df["indicator"] == "BM.TRF.PWKR.CD.DT"]
    # MANIFEST: remout 5,406 rows, 198 economies, 1990-2023; BLR 2023 = 113,931,600 (rounded)
    assert len(paid) == 5_406 and paid["iso3"].nunique() == 198
    assert (paid["year"].min(), paid["year"].max()) == (1990, 2023)
    blr = paid[(paid["iso3"] == "BLR") & (paid["year"] == 2023)]["value"]
    assert blr.tolist() == [pytest.approx(113_931_600, abs=50)]
    # MANIFEST: BLR 2023 remin = 1,260,613,000 (rounded; the file has 1,260,612,819.98)
    rec = df[(df["indicator"] == "BX.TRF.PWKR.CD.DT") & (df["iso3"] == "BLR") & (df["year"] == 2023)]["value"]
    assert rec.tolist() == [pytest.approx(1_260_613_000, abs=500)]
