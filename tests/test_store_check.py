"""Checking the processed store (:func:`migstats.store.verify`) and reading a damaged one.

A damaged table — here a truncated Parquet file, what a full disk or a killed copy leaves —
must give one message naming the table and the command that fixes it, whether it is found
by ``migstats data status``, by a command before it starts, or by :func:`store.load`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from migstats import cli, locations, store
from migstats.exceptions import StoreDamagedError


def _copy_root(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


@pytest.fixture
def damaged(data_dir, tmp_path) -> Path:
    """A copy of the session's data root whose ``destination_stock`` table is cut at 20 kB."""
    root = _copy_root(data_dir, tmp_path / "data")
    path = store.table_path("destination_stock", root)
    with open(path, "r+b") as fh:
        fh.truncate(20_000)
    return root


def test_verify_a_good_store(data_dir):
    checks = store.verify(data_dir)
    assert {c.table for c in checks} == set(store.provenance(data_dir)["tables"])
    assert {c.state for c in checks} == {"ok"}
    # rows as recorded at build time
    assert all(c.rows == store.provenance(data_dir)["tables"][c.table]["rows"] for c in checks)


def test_verify_finds_a_truncated_table(damaged):
    for read in (True, False):  # the quick check (footers only) finds it too
        states = {c.table: c.state for c in store.verify(damaged, read=read)}
        assert states["destination_stock"] == "unreadable"
        assert {s for t, s in states.items() if t != "destination_stock"} == {"ok"}
    with pytest.raises(StoreDamagedError) as info:
        store.verify(damaged, strict=True)
    assert info.value.tables == ["destination_stock"]
    assert "destination_stock" in str(info.value) and "migstats data build" in str(info.value)


def test_verify_finds_schema_and_row_count_changes(data_dir, tmp_path):
    root = _copy_root(data_dir, tmp_path / "data")
    stock = pd.read_parquet(store.table_path("origin_stock", root))
    stock.drop(columns=["sex"]).to_parquet(store.table_path("origin_stock", root), index=False)
    pop = pd.read_parquet(store.table_path("population", root))
    pop.head(10).to_parquet(store.table_path("population", root), index=False)
    states = {c.table: c for c in store.verify(root)}
    assert states["origin_stock"].state == "schema" and "sex" in states["origin_stock"].message
    assert states["population"].state == "rows" and states["population"].rows == 10


def test_load_of_a_damaged_table_names_it_and_the_fix(damaged):
    with pytest.raises(StoreDamagedError) as info:
        store.load("destination_stock", damaged)
    msg = str(info.value)
    assert "'destination_stock'" in msg and "`migstats data build`" in msg
    assert "\n" not in msg
    store.load("origin_stock", damaged)  # the others still load


def test_data_status_checks_the_store(data_dir, damaged, capsys):
    assert cli.main(["data", "status", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "all readable and matching their schemas" in out
    assert cli.main(["data", "status", "--data-dir", str(damaged)]) == 3
    captured = capsys.readouterr()
    assert "unreadable" in captured.out and "destination_stock" in captured.out
    errors = captured.err.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("migstats: error:")
    assert "destination_stock" in errors[0] and "migstats data build" in errors[0]


def test_data_status_without_a_store(tmp_path, capsys):
    assert cli.main(["data", "status", "--data-dir", str(tmp_path / "empty")]) == 0
    assert "not built (run `migstats data build`)" in capsys.readouterr().out


def test_data_build_repairs_the_store(damaged, capsys):
    assert cli.main(["-q", "data", "build", "--data-dir", str(damaged)]) == 0
    assert {c.state for c in store.verify(damaged)} == {"ok"}
    assert locations.processed_dir(damaged).is_dir()
