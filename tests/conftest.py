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
