"""Shared fixtures: the verified mirror and a processed store built once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def mirror_dir() -> Path:
    """The verified mirror of official source files (``../shared/data/raw`` or ``MIGSTATS_TEST_MIRROR``)."""
    path = Path(os.environ.get("MIGSTATS_TEST_MIRROR", REPO.parent / "shared" / "data" / "raw"))
    if not (path / "SHA256SUMS").is_file():
        pytest.fail(f"The source mirror is missing at {path}; set MIGSTATS_TEST_MIRROR to its folder.")
    return path


@pytest.fixture(scope="session")
def data_dir(mirror_dir, tmp_path_factory) -> Path:
    """A data root with the sources copied from the mirror and the store built — once per session.

    Also exported as ``MIGSTATS_DATA_DIR`` so that library defaults, the CLI and executed
    notebooks (child processes) use it.
    """
    from migstats import fetch, store

    root = tmp_path_factory.mktemp("migstats-data")
    fetch.fetch(mirror=mirror_dir, data_dir=root, progress=False)
    store.build(root, progress=False)
    os.environ["MIGSTATS_DATA_DIR"] = str(root)
    return root
