"""A cached UN DESA 2024 origin x destination workbook becomes the corridor source for 2024.

The real workbook is not in the mirror; a tiny one in the documented layout is built here
(tests/workbooks.py) and placed in a copy of the raw cache, which also holds IOM GDI's
reshape of the same data (``undesa_stocks.rda``). The registry knows the workbook's published
size and SHA-256, so the fixture stands in for the publisher's bytes only with the registry's
hash and size cleared (then ``fetch`` pins it, trust on first use).

A second store is built from a workbook in the official layout whose figures are the
reshape's rows for a few destinations: both paths must give the same ``bilateral_stock`` rows.
"""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

import pandas as pd

from migstats import fetch, indicators, store
from migstats.exceptions import SourceVerificationError
from migstats.registry import SOURCES
from workbooks import write_od2024_xlsx

OD = "undesa_2024_od"
GDI = "undesa_2024_od_gdidata"
COLUMNS = ["edition", "year", "sex", "origin_code", "destination_code", "migrant_stock"]


@pytest.fixture(scope="module")
def od_data_dir(data_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("od2024")
    shutil.copytree(data_dir / "raw", root / "raw")
    path = root / "raw" / SOURCES["undesa_2024_od"].path
    write_od2024_xlsx(path)  # Germany hosts 57 Belarus-born (both sexes, 2024); Belarus: OTHER 12
    with pytest.MonkeyPatch.context() as mp:
        # the registry knows the real file's size (6,005,287 bytes) and published SHA-256; the
        # tiny fixture has neither
        mp.setitem(SOURCES, OD, replace(SOURCES[OD], size=None, sha256=None))
        results = {r.key: r for r in fetch.fetch(["undesa_2024_od"], data_dir=root, progress=False,
                                                 mirror=root / "raw")}
        assert results["undesa_2024_od"].state in ("present", "copied")
        store.build(root, progress=False)
        yield root


def test_the_registry_refuses_a_file_of_the_wrong_size(data_dir, tmp_path):
    root = tmp_path / "d"
    path = root / "raw" / SOURCES["undesa_2024_od"].path
    path.parent.mkdir(parents=True)
    write_od2024_xlsx(path)
    with pytest.raises(SourceVerificationError, match="6,005,287 bytes"):
        fetch.fetch(["undesa_2024_od"], data_dir=root, progress=False, mirror=root / "raw")


def test_the_registry_refuses_a_file_that_is_not_the_published_one(data_dir, tmp_path):
    root = tmp_path / "d"
    path = root / "raw" / SOURCES[OD].path
    path.parent.mkdir(parents=True)
    write_od2024_xlsx(path)
    with pytest.MonkeyPatch.context() as mp:  # right size, other bytes: only the SHA-256 can tell
        mp.setitem(SOURCES, OD, replace(SOURCES[OD], size=path.stat().st_size))
        # MANIFEST (provenance of undesa_stocks.rda): published SHA-256 0e10179d…47316
        with pytest.raises(SourceVerificationError, match="0e10179d05186041a65cf5c6200943b2231701f9c1fd"):
            fetch.fetch([OD], data_dir=root, progress=False, mirror=root / "raw")


def test_official_workbook_is_used_and_the_reshape_is_not(od_data_dir):
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(SOURCES, OD, replace(SOURCES[OD], size=None, sha256=None))
        status = fetch.status(data_dir=od_data_dir).set_index("key")
    assert status.loc[OD, "state"] == "pinned" and status.loc[OD, "used"] == "yes"
    assert status.loc[GDI, "state"] == "verified" and status.loc[GDI, "used"] == f"no, {OD} preferred"
    prov = store.provenance(od_data_dir)
    assert prov["sources"][OD]["sha256"] and GDI not in prov["sources"]
    assert OD in prov["tables"]["bilateral_stock"]["sources"]
    datasets = set(store.load("bilateral_stock", od_data_dir)["dataset"])
    assert OD in datasets and GDI not in datasets  # never both


def test_2024_corridors_come_from_the_2024_table(od_data_dir):
    em = indicators.corridors("BLR", 2024, "emigrants", None, data_dir=od_data_dir)
    assert em.attrs["dataset"] == "undesa_2024_od" and em.attrs["year"] == 2024
    assert "International Migrant Stock 2024 (origin x destination)" in em.attrs["source"]
    # the fixture's only Belarus-born corridor: Germany, 2024 both sexes = 57
    assert em[["iso3", "migrants"]].values.tolist() == [["DEU", 57.0]]
    im = indicators.corridors("BLR", 2024, "immigrants", None, data_dir=od_data_dir)
    # immigrants in Belarus: Russia 0 in 1990 only (no 2024 value) and OTHER 12 in 2024
    assert im.empty and im.attrs["unknown"] == 12.0
    # other years still pick the nearest bilateral year: 2015 -> UN DESA 2024 table has 2015 too
    assert indicators.corridors("BLR", 2015, data_dir=od_data_dir).attrs["dataset"] == "undesa_2024_od"


# -- the official layout and the reshape give the same table ---------------------------------------
#: Destinations copied from the reshape into a workbook: Belarus, Türkiye (the Syria corridor),
#: Channel Islands (XCX in the reshape), Tokelau (with OOO = unknown origin and small counts).
DESTINATIONS = ("BLR", "TUR", "XCX", "TKL")


def _reshape_rows(mirror_dir) -> pd.DataFrame:
    import pyreadr

    u = pyreadr.read_r(mirror_dir / SOURCES[GDI].path)["undesa_stocks"]
    return u[u["geo"].isin(DESTINATIONS)]


@pytest.fixture(scope="module")
def reshape_as_workbook(data_dir, mirror_dir, tmp_path_factory):
    """A store built from a workbook in the official layout holding the reshape's figures."""
    from migstats.countries import resolve

    u = _reshape_rows(mirror_dir)
    years = [1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024]
    code = {"XCX": 830, "OOO": 2003}
    rows = [(0, "World", None, 900, None, "World", 900, [1.0] * 24)]  # an aggregate row: dropped
    for i, ((geo, origin), g) in enumerate(u.groupby(["geo", "from"]), start=1):
        by = g.set_index(["sex", "t"])["n"]
        male = [int(by[("male", y)]) for y in years]
        female = [int(by[("female", y)]) for y in years]
        both = [m + f for m, f in zip(male, female)]  # the workbook publishes both sexes
        dcode = code.get(geo) or resolve(geo, data_dir=data_dir).location_code
        ocode = code.get(origin) or resolve(origin, data_dir=data_dir).location_code
        rows.append((i, geo, None, dcode, "B", origin, ocode, both + male + female))
    root = tmp_path_factory.mktemp("od2024_from_reshape")
    shutil.copytree(data_dir / "raw", root / "raw")
    write_od2024_xlsx(root / "raw" / SOURCES[OD].path, rows=rows)
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(SOURCES, OD, replace(SOURCES[OD], size=None, sha256=None))
        store.build(root, progress=False)
    return root


def test_official_layout_and_reshape_give_the_same_table(data_dir, reshape_as_workbook):
    official = store.load("bilateral_stock", reshape_as_workbook)
    official = official[official["dataset"] == OD]
    reshape = store.load("bilateral_stock", data_dir)
    reshape = reshape[reshape["dataset"] == GDI]
    # Belarus 112, Türkiye 792, Channel Islands 830, Tokelau 772
    reshape = reshape[reshape["destination_code"].isin([112, 792, 830, 772])]
    assert set(official["destination_code"]) == {112, 792, 830, 772}

    def rows(df):
        return df[COLUMNS].sort_values(COLUMNS[:5], ignore_index=True)

    pd.testing.assert_frame_equal(rows(official), rows(reshape), check_exact=True)
    assert len(official) == 3 * 8 * official.groupby(["origin_code", "destination_code"]).ngroups
    # Syria -> Türkiye 2024, both sexes: 1,855,609 + 1,708,374 = 3,563,983 (MANIFEST), in both
    syr = official[(official["origin_code"] == 760) & (official["destination_code"] == 792)
                   & (official["year"] == 2024) & (official["sex"] == "both")]
    assert syr["migrant_stock"].tolist() == [3_563_983]
    # unknown origin (OOO) is OTHER 2003 in both, with its zeros kept
    assert (official["origin_code"] == 2003).any()
