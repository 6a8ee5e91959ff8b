"""Natural Earth admin-0 parser: values checked against the v5.1.1 shapefile attributes (DBF)."""

from __future__ import annotations

import pandas as pd
import pytest

from migstats.exceptions import SourceLayoutError
from migstats.parsers import naturalearth

NE110 = "naturalearth/ne_110m_admin_0_countries.zip"
NE50 = "naturalearth/ne_50m_admin_0_countries.zip"


@pytest.fixture(scope="module")
def ne110(mirror_dir):
    return naturalearth.read_admin0(mirror_dir / NE110)


@pytest.fixture(scope="module")
def ne50(mirror_dir):
    return naturalearth.read_admin0(mirror_dir / NE50)


def test_shape_crs_columns(ne110, ne50):
    # MANIFEST: 177 features at 1:110m and 242 at 1:50m; CRS EPSG:4326
    assert len(ne110) == 177 and len(ne50) == 242
    for g in (ne110, ne50):
        assert g.crs.to_epsg() == 4326
        assert list(g.columns) == ["iso3", "iso_n3", "un_a3", "adm0_a3", "name", "name_long", "continent",
                                   "pop_est", "geometry"]
        assert str(g.iso_n3.dtype) == "Int32" and str(g.un_a3.dtype) == "Int32"
        assert g.iso3.notna().all() and g.iso3.is_unique
        assert g.geometry.notna().all()


def test_iso3_fallbacks(ne110, ne50):
    for g in (ne110, ne50):
        by_name = g.set_index("name")
        # ISO_A3 "-99", ISO_A3_EH "FRA"/"NOR"; ISO_N3 "-99", ISO_N3_EH "250"/"578"
        assert by_name.loc["France", "iso3"] == "FRA" and by_name.loc["France", "iso_n3"] == 250
        assert by_name.loc["Norway", "iso3"] == "NOR" and by_name.loc["Norway", "iso_n3"] == 578
        # Norway: UN_A3 "-99" -> <NA>; France UN_A3 "250"
        assert by_name.loc["Norway", "un_a3"] is pd.NA and by_name.loc["France", "un_a3"] == 250
        # No ISO code: ADM0_A3 KOS / CYN / SOL
        assert by_name.loc["Kosovo", "iso3"] == "KOS"
        assert by_name.loc["N. Cyprus", "iso3"] == "CYN"
        assert by_name.loc["Somaliland", "iso3"] == "SOL"
        # Taiwan: ISO_A3 TWN, ISO_N3 "158", UN_A3 "-099"
        assert by_name.loc["Taiwan", "iso3"] == "TWN" and by_name.loc["Taiwan", "iso_n3"] == 158
        assert by_name.loc["Taiwan", "un_a3"] is pd.NA
    # 1:50m: ISO_A3_EH "AUS" would repeat Australia -> ADM0_A3
    by_name = ne50.set_index("name")
    assert by_name.loc["Indian Ocean Ter.", "iso3"] == "IOA"
    assert by_name.loc["Ashmore and Cartier Is.", "iso3"] == "ATC"
    assert by_name.loc["Australia", "iso3"] == "AUS"


def test_belarus(ne110, ne50):
    for g in (ne110, ne50):
        blr = g[g.iso3 == "BLR"].iloc[0]
        # DBF: ISO_N3 "112", UN_A3 "112", POP_EST 9466856 (MANIFEST)
        assert blr.iso_n3 == 112 and blr.un_a3 == 112
        assert blr.pop_est == 9_466_856
        assert (blr["name"], blr.continent) == ("Belarus", "Europe")


def test_continents(ne110):
    assert {"Antarctica", "Seven seas (open ocean)"} <= set(ne110.continent)


def test_not_a_zip(tmp_path):
    bad = tmp_path / "ne.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(SourceLayoutError, match="Natural Earth"):
        naturalearth.read_admin0(bad)
