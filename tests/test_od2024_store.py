"""A cached UN DESA 2024 origin x destination workbook becomes the corridor source for 2024.

The real workbook is not in the mirror; a tiny one in the documented layout is built here
(tests/workbooks.py), placed in a copy of the raw cache, pinned by ``fetch`` (its official
SHA-256 is unknown) and built into a store.
"""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from migstats import fetch, indicators, store
from migstats.exceptions import SourceVerificationError
from migstats.registry import SOURCES
from workbooks import write_od2024_xlsx


@pytest.fixture(scope="module")
def od_data_dir(data_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("od2024")
    shutil.copytree(data_dir / "raw", root / "raw")
    path = root / "raw" / SOURCES["undesa_2024_od"].path
    write_od2024_xlsx(path)  # Germany hosts 57 Belarus-born (both sexes, 2024); Belarus: OTHER 12
    with pytest.MonkeyPatch.context() as mp:
        # the registry knows the real file's size (6,005,287 bytes); the tiny fixture is not that size
        mp.setitem(SOURCES, "undesa_2024_od", replace(SOURCES["undesa_2024_od"], size=None))
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


def test_first_fetch_pins_the_unknown_hash(od_data_dir):
    status = fetch.status(data_dir=od_data_dir, sources={**SOURCES}).set_index("key")
    assert status.loc["undesa_2024_od", "state"] == "pinned"
    prov = store.provenance(od_data_dir)
    assert prov["sources"]["undesa_2024_od"]["sha256"]


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
