"""WPP 2024 tables of the wpp2024 package: parse functions on small tables, and the real files.

MANIFEST section "wpp/wpp2024_1.1-3/data-raw/*.txt and data/UNlocations.txt".
"""

from __future__ import annotations

import pandas as pd
import pytest

from migstats.exceptions import SourceLayoutError
from migstats.parsers import wpp

DIR = "wpp/wpp2024_1.1-3"


def _table(rows, years=("2022", "2023")):
    return pd.DataFrame(rows, columns=["country_code", "country", *years])


def test_counts_in_persons_rates_as_published():
    t = _table([["900", "World", "688.577000000001", "132110.264"], ["112", "Belarus", "-34", "-3.0"]])
    births = wpp.indicator_long(t, "births")
    assert births.to_dict("list") == {
        "location_code": [900, 900, 112, 112], "name": ["World", "World", "Belarus", "Belarus"],
        "year": [2022, 2023, 2022, 2023], "measure": ["births"] * 4,
        "value": [688_577.0, 132_110_264.0, -34_000.0, -3_000.0], "unit": ["persons"] * 4}
    cbr = wpp.indicator_long(t, "cbr")
    assert cbr["value"].tolist() == [688.577000000001, 132110.264, -34.0, -3.0]
    assert set(cbr["unit"]) == {"per 1,000 population"}


def test_bad_tables_are_refused():
    with pytest.raises(SourceLayoutError, match=r"the cell of 'Belarus', 2023 holds 'n/a'"):
        wpp.indicator_long(_table([["112", "Belarus", "1", "n/a"]]), "deaths")
    with pytest.raises(SourceLayoutError, match="expected columns country_code, country"):
        wpp.indicator_long(pd.DataFrame({"code": ["1"], "name": ["x"], "2023": ["1"]}), "deaths")
    with pytest.raises(SourceLayoutError, match="distinct integer M49 codes"):
        wpp.indicator_long(_table([["112", "Belarus", "1", "2"], ["112", "Belarus", "1", "2"]]), "deaths")
    with pytest.raises(ValueError, match="measure must be one of"):
        wpp.indicator_long(_table([["112", "Belarus", "1", "2"]]), "population")


def test_real_files(mirror_dir):
    for measure, (name, _) in wpp.MEASURES.items():
        df = wpp.read_indicator(mirror_dir / DIR / "data-raw" / name, measure)
        assert len(df) == 297 * 74, measure  # 297 rows, 1950-2023 (MANIFEST)
        assert df["value"].notna().all()
    births = wpp.read_indicator(mirror_dir / DIR / "data-raw" / "births.txt", "births")
    world = births[(births["location_code"] == 900) & (births["year"] == 2023)]
    assert world["value"].tolist() == [132_110_264]  # MANIFEST: 132,110.264 thousand
    # migration.txt has a trailing last.observed column, which is not a year
    mig = wpp.read_indicator(mirror_dir / DIR / "data-raw" / "migration.txt", "net_migration")
    assert sorted(mig["year"].unique()) == list(range(1950, 2024))
    assert (mig.loc[mig["location_code"] == 900, "value"] == 0).all()  # MANIFEST: world net migration 0


def test_real_locations(mirror_dir):
    loc = wpp.read_locations(mirror_dir / DIR / "data" / "UNlocations.txt")
    assert len(loc) == 298 and loc["is_area"].sum() == 237  # MANIFEST: location_type 4 for 237 areas
    areas = set(loc.loc[loc["is_area"], "location_code"])
    assert {158, 412, 831, 832, 336} <= areas and not {c for c in areas if c >= 900}
