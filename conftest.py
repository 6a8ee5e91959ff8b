"""Test session set-up shared by ``tests/`` and the notebooks that nbval executes.

The processed store is built ONCE per test session from the verified source mirror
(``../shared/data/raw`` or ``MIGSTATS_TEST_MIRROR``) into a temporary data root, and
exported as ``MIGSTATS_DATA_DIR`` so that library defaults, the CLI and executed
notebooks (child processes and kernels) all use it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent
_STORE: dict[str, Path] = {}
# tests/workbooks.py (fixture workbook builders) is importable from every test module
sys.path.insert(0, str(REPO / "tests"))


def _mirror() -> Path:
    return Path(os.environ.get("MIGSTATS_TEST_MIRROR", REPO.parent / "shared" / "data" / "raw"))


def _test_store() -> Path:
    """Build (once) and return the session's data root."""
    if "root" not in _STORE:
        from migstats import fetch, store

        mirror = _mirror()
        if not (mirror / "SHA256SUMS").is_file():
            pytest.fail(f"The source mirror is missing at {mirror}; set MIGSTATS_TEST_MIRROR to its folder.")
        root = Path(tempfile.mkdtemp(prefix="migstats-test-data-"))
        fetch.fetch(mirror=mirror, data_dir=root, progress=False)
        store.build(root, progress=False)
        os.environ["MIGSTATS_DATA_DIR"] = str(root)
        os.environ.setdefault("MPLBACKEND", "Agg")
        _STORE["root"] = root
    return _STORE["root"]


def pytest_collection_modifyitems(session, config, items):
    # nbval items take no fixtures: build the store before their kernels start
    if any(type(item).__module__.startswith("nbval") for item in items):
        _test_store()


def pytest_unconfigure(config):
    root = _STORE.pop("root", None)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def mirror_dir() -> Path:
    """The verified mirror of official source files (``../shared/data/raw`` or ``MIGSTATS_TEST_MIRROR``)."""
    path = _mirror()
    if not (path / "SHA256SUMS").is_file():
        pytest.fail(f"The source mirror is missing at {path}; set MIGSTATS_TEST_MIRROR to its folder.")
    return path


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """A data root with the sources copied from the mirror and the store built (once per session)."""
    return _test_store()


#: Sources that a machine with an older cache or mirror lacks (the latest editions): without
#: them the older sources stand in (UN DESA 2019 O-D, UNHCR 1995-2020 extract, WDI 2024-10 GDP).
LATEST_ONLY = ("undesa_2024_od_gdidata", "unhcr_population", "unhcr_countries", "wdi_gdp", "wdi_gdidata",
               "wdi_population")


@pytest.fixture(scope="session")
def fallback_data_dir(data_dir, tmp_path_factory) -> Path:
    """A data root built without the latest files (:data:`LATEST_ONLY` and UN WPP): built once."""
    from migstats import registry, store

    root = tmp_path_factory.mktemp("fallback-data")
    shutil.copytree(data_dir / "raw", root / "raw")
    for key in (*LATEST_ONLY, *[k for k in registry.SOURCES if k.startswith("wpp_")]):
        (root / "raw" / registry.SOURCES[key].path).unlink()
    store.build(root, progress=False)  # wdi_gdp is required: its older vintage stands in
    return root
