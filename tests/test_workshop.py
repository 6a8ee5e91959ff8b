"""Structure of the workshop lessons and the explorer notebook (read only; nbval executes them).

Checks the Carpentries layout (Questions, Objectives, Key points), that every exercise is followed
by a hidden, tagged solution, that notebooks are committed without outputs, that the
``# NBVAL_CHECK_OUTPUT`` cells also assert their number (nbval skips the comparison for a cell
with no stored execution), and that the Binder environment keeps step with environment.yml.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKSHOP = REPO / "notebooks" / "workshop"
LESSONS = ["01_sources_and_stocks.ipynb", "02_loading_and_cleaning.ipynb",
           "03_emigrant_shares_and_corridors.ipynb", "04_remittances_and_development.ipynb",
           "05_maps_and_profiles.ipynb"]
NOTEBOOKS = [WORKSHOP / n for n in LESSONS] + [REPO / "notebooks" / "explore.ipynb"]


def _read(path: Path):
    return nbformat.read(str(path), as_version=4)


def test_every_lesson_is_present():
    assert sorted(p.name for p in WORKSHOP.glob("*.ipynb")) == LESSONS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = _read(path)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_layout(name):
    cells = _read(WORKSHOP / name).cells
    md = [c.source for c in cells if c.cell_type == "markdown"]
    assert md[0].startswith(f"# {int(name[:2])}. ")
    assert md[1].startswith("## Questions\n") and md[1].count("\n- ") >= 2
    assert md[2].startswith("## Objectives\n") and md[2].count("\n- ") >= 2
    assert cells[-1].cell_type == "markdown" and cells[-1].source.startswith("## Key points\n")
    assert cells[-1].source.count("\n- ") >= 3


@pytest.mark.parametrize("name", LESSONS)
def test_exercises_have_hidden_tagged_solutions(name):
    cells = _read(WORKSHOP / name).cells
    exercises = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and "### Exercise:" in c.source]
    solutions = [i for i, c in enumerate(cells) if "solution" in c.metadata.get("tags", [])]
    assert len(exercises) >= 2
    assert solutions == [i + 1 for i in exercises]  # each exercise, then its solution, nothing else
    for i in solutions:
        c = cells[i]
        assert c.cell_type == "code" and c.source.strip()
        assert set(c.metadata["tags"]) >= {"solution", "hide-input"}
        assert c.metadata["jupyter"]["source_hidden"] is True


@pytest.mark.parametrize("name", LESSONS)
def test_checked_cells_assert_and_print_a_sourced_number(name):
    checked = [c.source for c in _read(WORKSHOP / name).cells
               if c.cell_type == "code" and c.source.startswith("# NBVAL_CHECK_OUTPUT\n")]
    assert 1 <= len(checked) <= 2
    for src in checked:
        assert "assert " in src and "print(" in src
        assert re.search(r"# .*(Table|WDI|Excel row)", src), "cite the source cell in a comment"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_stay_offline(path):
    code = "\n".join(c.source for c in _read(path).cells if c.cell_type == "code")
    for word in ("http://", "https://", "fetch.fetch(", "urllib", "requests", "pooch"):
        assert word not in code


def test_explorer_notebook_uses_the_library():
    code = [c.source for c in _read(REPO / "notebooks" / "explore.ipynb").cells if c.cell_type == "code"]
    assert any("Explorer(" in s and ".show()" in s for s in code)
    assert all(len(s.splitlines()) <= 5 for s in code)  # the logic lives in migstats.explore


def test_readme_documents_the_set_up():
    text = (WORKSHOP / "README.md").read_text(encoding="utf-8")
    for needle in ("migstats data bundle sources.zip", "migstats data fetch --from sources.zip",
                   "migstats data build", "pip install -e .", "conda env create -f environment.yml",
                   "Binder needs internet", "NBVAL_CHECK_OUTPUT", "source_hidden", "hide-input"):
        assert needle in text, needle
    for name in LESSONS:
        assert name in text


def _conda_names(deps) -> set[str]:
    return {re.split(r"[<>=! ]", d, maxsplit=1)[0] for d in deps if isinstance(d, str)}


def test_binder_environment_matches_environment_yml():
    root = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    binder = yaml.safe_load((REPO / "binder" / "environment.yml").read_text(encoding="utf-8"))
    assert binder["channels"] == root["channels"]
    assert _conda_names(binder["dependencies"]) == _conda_names(root["dependencies"])
    assert not any(isinstance(d, dict) for d in binder["dependencies"])  # postBuild installs migstats


def test_binder_post_build_installs_and_builds():
    path = REPO / "binder" / "postBuild"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash\n") and "set -euo pipefail" in text
    commands = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert commands[1:] == ["pip install --no-deps -e .", "migstats --quiet data fetch",
                            "migstats --quiet data build"]
    if os.name == "posix":
        assert os.access(path, os.X_OK), "chmod +x binder/postBuild (git keeps the mode)"
