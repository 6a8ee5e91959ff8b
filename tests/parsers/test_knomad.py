"""KNOMAD / World Bank bilateral matrices: values checked against the published sheets.

Cell references are Excel coordinates on the first (only data) sheet of each workbook;
row 2 is the header, column A the row names.
"""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from migstats.exceptions import SourceLayoutError
from migstats.parsers import knomad

MIG17 = "knomad/bilateral_migration_matrix_2017.xlsx"
MIG21 = "knomad/bilateral_migration_matrix_2021_latest.xlsx"
REM17 = "knomad/bilateral_remittance_matrix_2017.xlsx"
REM21 = "knomad/bilateral_remittance_matrix_2021.xlsx"


@pytest.fixture(scope="module")
def wide(mirror_dir):
    return {f: knomad.read_matrix_wide(mirror_dir / f) for f in (MIG17, MIG21, REM17, REM21)}


def _split(w: pd.DataFrame):
    total_r = [n for n in w.index if n.lower() == "world"][0]
    total_c = [n for n in w.columns if n.lower() == "world"][0]
    inner = w.drop(index=total_r, columns=total_c)
    return inner, w[total_c].drop(total_r), w.loc[total_r].drop(total_c), w.loc[total_r, total_c]


def test_layout(wide):
    # Sheet names, orientation and shape (names incl. Other North/South and World).
    m17, m21, r17, r21 = (wide[f] for f in (MIG17, MIG21, REM17, REM21))
    assert m17.attrs["sheet"] == "Bilateral_Migration_2017" and m17.shape == (217, 217)
    assert m21.attrs["sheet"] == "BRM 2021" and m21.shape == (220, 220)
    assert r17.attrs["sheet"] == "Bilateral_Remittances_2017" and r17.shape == (215, 215)
    assert r21.attrs["sheet"] == "FINAL BRM 2021 " and r21.shape == (215, 215)
    for w in (m17, m21):
        assert (w.index.name, w.columns.name) == ("origin", "destination")
        assert list(w.index[-3:]) == ["Other North", "Other South", "World"]
        assert list(w.columns[-3:]) == ["Other North", "Other South", "World"]
    for w in (r17, r21):
        assert (w.index.name, w.columns.name) == ("sending", "receiving")
        assert w.index[-1] == "WORLD" and w.columns[-1] == "WORLD"
        assert "Other North" not in w.index
        assert list(w.index[:-1]) == list(w.columns[:-1])
    for w in wide.values():
        assert (w.dtypes == "float64").all()
        assert not any(n != n.strip() for n in list(w.index) + list(w.columns))


def test_individual_cells(wide):
    # Bilateral_Migration_2017, GW128 (Mexico -> United States): 11,573,680
    assert wide[MIG17].loc["Mexico", "United States"] == 11_573_680
    # BRM 2021, FF20 (Belarus -> Russian Federation): 763,879
    assert wide[MIG21].loc["Belarus", "Russian Federation"] == 763_879
    # BRM 2021, BV220 (Other North -> Germany): 65,705
    assert wide[MIG21].loc["Other North", "Germany"] == 65_705
    # BRM 2021, DF76 (Ghana -> Latvia) holds "…" -> NaN
    assert np.isnan(wide[MIG21].loc["Ghana", "Latvia"])
    # Bilateral_Remittances_2017, DW206 (United States sends to Mexico): 30,019.1870256556 US$ m
    assert wide[REM17].loc["United States", "Mexico"] == pytest.approx(30019.1870256556, rel=1e-12)
    # Bilateral_Remittances_2017, CP110 (Lebanon -> Israel) holds "-" -> NaN
    assert np.isnan(wide[REM17].loc["Lebanon", "Israel"])
    # FINAL BRM 2021, DW206 (United States sends to Mexico): 52,595.342546182175 US$ m
    assert wide[REM21].loc["United States", "Mexico"] == pytest.approx(52595.342546182175, rel=1e-12)
    # FINAL BRM 2021, ER90 (India -> Pakistan) is blank (corridor assumed zero, notes row 223)
    assert np.isnan(wide[REM21].loc["India", "Pakistan"])


def test_published_totals(wide):
    # Bilateral_Migration_2017 HJ219 (World, World): 266,143,792
    assert wide[MIG17].loc["World", "World"] == 266_143_792
    # BRM 2021 HM222 (World, World): 282,222,943 (MANIFEST)
    assert wide[MIG21].loc["World", "World"] == 282_222_943
    # BRM 2021 HM20 (Belarus, World): 1,502,866 Belarus-born abroad (MANIFEST)
    assert wide[MIG21].loc["Belarus", "World"] == 1_502_866
    # FINAL BRM 2021 HH217 (WORLD, WORLD): 781,075.7065 US$ m, i.e. $781,076 million
    assert round(wide[REM21].loc["WORLD", "WORLD"]) == 781_076
    # Bilateral_Remittances_2017 HH217 (WORLD, WORLD): 613,465.8428551668
    assert wide[REM17].loc["WORLD", "WORLD"] == pytest.approx(613465.8428551668, rel=1e-12)


@pytest.mark.parametrize("f", [MIG17, MIG21, REM17, REM21])
def test_row_sums_equal_world_column(wide, f):
    # Row totals (column HJ / HM / HH) are the sum of the country and Other columns in all four files.
    inner, world_col, _, grand = _split(wide[f])
    np.testing.assert_allclose(inner.sum(axis=1), world_col, rtol=0, atol=1e-6)


def test_column_sums_equal_world_row(wide):
    # Migration 2017: every column sum equals the World row (Excel row 219) exactly.
    inner, _, world_row, grand = _split(wide[MIG17])
    np.testing.assert_array_equal(inner.sum(), world_row)
    assert world_row.sum() == grand

    # Migration 2021: World row (Excel row 222) blank under Kosovo (DB), St. Martin (GB),
    # Other North (HK), Other South (HL); equal elsewhere.
    inner, _, world_row, grand = _split(wide[MIG21])
    assert sorted(world_row[world_row.isna()].index) == [
        "Kosovo", "Other North", "Other South", "St. Martin (French part)"]
    ok = world_row.notna()
    np.testing.assert_array_equal(inner.sum()[ok], world_row[ok])
    assert world_row.sum() == grand

    # Remittances 2021: WORLD row (Excel row 217) blank for 39 receiving countries with no
    # estimate at all (e.g. Venezuela, RB, column HA); equal elsewhere within rounding.
    inner, _, world_row, grand = _split(wide[REM21])
    blank = world_row[world_row.isna()].index
    assert len(blank) == 39 and "Venezuela, RB" in blank
    assert inner[blank].isna().all().all()
    np.testing.assert_allclose(inner.sum()[world_row.notna()], world_row.dropna(), rtol=0, atol=1e-6)
    assert world_row.sum() == pytest.approx(grand, abs=1e-6)

    # Remittances 2017: equal except Israel (CP217 = 990.3752) and Lebanon (DE217 =
    # 7,954.715162341072): the WORLD row includes the corridors printed as "-" (CP110, DE95).
    inner, world_col, world_row, grand = _split(wide[REM17])
    diff = (world_row - inner.sum()).abs()
    assert sorted(diff[diff > 1e-6].index) == ["Israel", "Lebanon"]
    assert world_row["Israel"] == pytest.approx(990.3752)
    assert world_row.sum() == pytest.approx(grand, abs=1e-6)


def test_long_migration(mirror_dir, wide):
    m = knomad.read_migration_matrix(mirror_dir / MIG21, 2021)
    assert list(m.columns) == ["edition", "year", "sex", "origin_name", "destination_name", "migrant_stock"]
    assert m.dtypes.to_dict() == {"edition": "int16", "year": "int16", "sex": "str", "origin_name": "str",
                                  "destination_name": "str", "migrant_stock": "float64"}
    assert (m.edition == 2021).all() and (m.year == 2021).all() and (m.sex == "both").all()
    assert not m[["origin_name", "destination_name"]].isin(["World", "WORLD"]).any().any()
    assert m.migrant_stock.notna().all()
    # Sum of all non-missing cells = World total HM222
    assert m.migrant_stock.sum() == 282_222_943
    assert m.loc[m.origin_name == "Belarus", "migrant_stock"].sum() == 1_502_866
    assert {"Other North", "Other South"} <= set(m.origin_name)
    # Zeros are kept: 2017 edition publishes 0 for Afghanistan -> Albania (C3)
    m17 = knomad.read_migration_matrix(mirror_dir / MIG17, 2017)
    cell = m17[(m17.origin_name == "Afghanistan") & (m17.destination_name == "Albania")]
    assert cell.migrant_stock.tolist() == [0.0]
    assert m17.migrant_stock.sum() == 266_143_792
    # 2017: only two blank cells (GU91 Iran -> UAE and GU105 Kosovo -> UAE)
    assert len(m17) == 217 * 217 - 217 - 216 - 2


def test_long_remittances(mirror_dir):
    r = knomad.read_remittance_matrix(mirror_dir / REM21, 2021)
    assert list(r.columns) == ["edition", "year", "sending_name", "receiving_name", "remittances_usd"]
    assert r.dtypes.to_dict() == {"edition": "int16", "year": "int16", "sending_name": "str",
                                  "receiving_name": "str", "remittances_usd": "float64"}
    us_mx = r[(r.sending_name == "United States") & (r.receiving_name == "Mexico")].remittances_usd
    assert us_mx.tolist() == [pytest.approx(52595.342546182175e6)]
    assert r.remittances_usd.sum() == pytest.approx(781_075.7065100862e6, rel=1e-12)
    r17 = knomad.read_remittance_matrix(mirror_dir / REM17, 2017)
    pair = r17[(r17.sending_name == "India") & (r17.receiving_name == "Pakistan")]
    assert pair.empty  # "-" at EQ89 dropped


def _write_matrix(path, rows, header="destination (across) / origin (down)", sheet="S"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["Title"])
    ws.append([header, "A", "B", "World"])
    for r in rows:
        ws.append(r)
    ws.append([None])
    ws.append(["Notes:"])
    wb.save(path)


def test_synthetic_markers_and_errors(tmp_path):
    ok = tmp_path / "ok.xlsx"
    _write_matrix(ok, [["A ", " ", "…", 0], ["B", 5, "-", 5], ["World", 5, None, 5]])
    w = knomad.read_matrix_wide(ok)
    assert list(w.index) == ["A", "B", "World"]
    assert w.isna().sum().sum() == 4
    long = knomad.read_migration_matrix(ok, 2021)
    assert long[["origin_name", "destination_name", "migrant_stock"]].values.tolist() == [["B", "A", 5.0]]

    with pytest.raises(SourceLayoutError, match="sending"):
        knomad.read_remittance_matrix(ok, 2021)  # rows are origin, not sending

    bad_text = tmp_path / "text.xlsx"
    _write_matrix(bad_text, [["A", "n/a", 1, 1], ["World", 1, 1, 2]])
    with pytest.raises(SourceLayoutError, match="n/a"):
        knomad.read_matrix_wide(bad_text)

    no_header = tmp_path / "nohdr.xlsx"
    _write_matrix(no_header, [["A", 1, 1, 2], ["World", 1, 1, 2]], header="origin / destination")
    with pytest.raises(SourceLayoutError, match=r"\(across\)"):
        knomad.read_matrix_wide(no_header)

    no_world = tmp_path / "noworld.xlsx"
    _write_matrix(no_world, [["A", 1, 1, 2]])
    with pytest.raises(SourceLayoutError, match="total row"):
        knomad.read_matrix_wide(no_world)
