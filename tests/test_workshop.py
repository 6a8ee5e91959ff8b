"""Structure of the workshop lessons and the explorer notebook (read only; nbval executes them).

Checks the Carpentries layout (Questions, Objectives, Key points); that every lesson has 3-4
exercises of graded difficulty, each with empty learner cells and a hidden solution in a raw cell
(never run by "Run All"; conftest.py runs the solved copies); that fill-in-the-blanks solutions are
their templates filled in; that exercises use no internal source keys; the content lesson 1, 3 and
4 must teach; the instructor notes; that notebooks are committed without outputs, that the
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


def _exercises(name):
    from migstats.workshop import exercises

    nb = _read(WORKSHOP / name)
    return nb, exercises(nb)


@pytest.mark.parametrize("name", LESSONS)
def test_exercises_graded_with_learner_cells_and_hidden_solutions(name):
    from migstats.workshop import LEVELS, SOLUTION_HEADER

    nb, exs = _exercises(name)
    assert 3 <= len(exs) <= 4
    assert [e["n"] for e in exs] == list(range(1, len(exs) + 1)) and {e["lesson"] for e in exs} == {int(name[:2])}
    levels = [e["level"] for e in exs]
    assert levels[0] == "quick check" and "fill in the blanks" in levels and levels[-1] == "open"
    assert [LEVELS.index(v) for v in levels] == sorted(LEVELS.index(v) for v in levels)  # graded
    for e in exs:
        assert e["learner"] and e["solution"] == e["learner"][-1] + 1, e["title"]
        for i in e["learner"]:  # empty cells where learners type
            assert nb.cells[i].cell_type == "code" and nb.cells[i].source == ""
        sol = nb.cells[e["solution"]]
        # a raw cell: never executed by Run All (JupyterLab, jupyter execute, nbval's learner run);
        # JupyterLab shows the first line of a collapsed cell: it must not give the answer away
        assert sol.cell_type == "raw" and sol.source.startswith(SOLUTION_HEADER + "\n")
        assert sol.metadata["tags"] == ["solution"] and sol.metadata["jupyter"]["source_hidden"] is True
        compile(sol.source, f"{name}: exercise {e['n']}", "exec")
    # nothing else is tagged or raw: every solution belongs to an exercise
    raw = [i for i, c in enumerate(nb.cells) if c.cell_type == "raw"]
    assert raw == [e["solution"] for e in exs]
    assert not [c for c in nb.cells if c.cell_type == "code" and "solution" in c.metadata.get("tags", [])]


@pytest.mark.parametrize("name", LESSONS)
def test_quick_checks_and_blanks_match_their_solutions(name):
    nb, exs = _exercises(name)
    for e in exs:
        text = nb.cells[e["cell"]].source
        sol = nb.cells[e["solution"]].source.split("\n", 1)[1]  # after the header line
        if e["level"] == "quick check":
            assert re.search(r"^- \*\*A\.\*\*", text, re.M) and re.search(r"^- \*\*D\.\*\*", text, re.M)
            assert re.match(r"answer = ", sol)  # the solution states the answer, then checks it
        if e["level"] == "fill in the blanks":
            template = re.search(r"```python\n(.*?)```", text, re.S).group(1).strip()
            assert "____" in template
            pattern = "".join(".+?" if part == "____" else re.escape(part)
                              for part in re.split(r"(____)", template))
            assert re.fullmatch(pattern, sol.strip(), re.S), f"{name}: the solution is the template filled in"


@pytest.mark.parametrize("name", LESSONS)
def test_solved_copy_runs_solutions_as_code(name):
    from migstats.workshop import solved

    nb, exs = _exercises(name)
    s = solved(nb)
    code = [c for c in s.cells if c.cell_type == "code"]
    assert not [c for c in s.cells if c.cell_type == "raw"]
    assert len([c for c in code if "solution" in c.metadata.get("tags", [])]) == len(exs)
    assert all(c.source.strip() for c in code)  # learner cells dropped
    assert len(code) == len([c for c in nb.cells if c.cell_type == "code" and c.source.strip()]) + len(exs)
    assert nb.cells[exs[0]["solution"]].cell_type == "raw"  # the lesson itself is unchanged


@pytest.mark.parametrize("name", LESSONS)
def test_exercises_need_no_internal_source_keys(name):
    from migstats.registry import SOURCES

    nb, exs = _exercises(name)
    for e in exs:
        cells = [nb.cells[e["cell"]], nb.cells[e["solution"]]]
        text = "\n".join(c.source for c in cells)
        for key in list(SOURCES) + ["undesa_2019_od_csv", "undesa_2024_od", "knomad_migration"]:
            assert key not in text, f"{name}, exercise {e['n']}: {key}"


def test_lesson_01_teaches_one_basis_per_statement():
    text = "\n".join(c.source for c in _read(WORKSHOP / LESSONS[0]).cells)
    assert "never mix editions" not in text
    assert "One basis per statement" in text and "comparison of editions" in text


def test_lesson_03_ranks_with_a_population_threshold():
    cells = _read(WORKSHOP / LESSONS[2]).cells
    text = "\n".join(c.source for c in cells)
    for needle in ("Niue", "Cook Islands", "Holy See", "272 %", "small denominators", "population threshold"):
        assert needle in text, needle
    assert any('world["population"] >= threshold' in c.source for c in cells if c.cell_type == "code")


def test_lesson_04_builds_the_regression_step_by_step():
    cells = _read(WORKSHOP / LESSONS[3]).cells
    order = []
    for c in cells:
        for key, needle in (("scatter", "plot.scatter(x="), ("log", "logx=True"), ("line", "np.polyfit"),
                            ("model", "smf.ols(")):
            if c.cell_type == "code" and needle in c.source and key not in order:
                order.append(key)
    assert order == ["scatter", "log", "line", "model"]
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert text.index("Step 2") < text.index("Step 3") < text.index("Step 4") < text.index("Step 5")
    for caveat in ("Not causal", "Measurement", "Selection", "Cross-section"):
        assert caveat in text


def test_instructor_notes_have_timings_and_model_answers():
    notes = (WORKSHOP / "instructor-notes.md").read_text(encoding="utf-8")
    sections = re.split(r"^## Lesson (\d)", notes, flags=re.M)
    by_lesson = {int(sections[i]): sections[i + 1] for i in range(1, len(sections), 2)}
    assert sorted(by_lesson) == [1, 2, 3, 4, 5]
    for name in LESSONS:
        nb, exs = _exercises(name)
        part = by_lesson[int(name[:2])]
        discussions = sum(c.source.count("**Discussion") for c in nb.cells if c.cell_type == "markdown")
        assert discussions >= 1 and part.count("**Model answer") >= discussions, name
        assert re.search(r"\d+ min", part), f"{name}: timings"
        for e in exs:  # every exercise is discussed: its number appears in the notes
            assert f"{e['lesson']}.{e['n']}" in part, f"{name}: exercise {e['n']}"


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
                   "Binder needs internet", "NBVAL_CHECK_OUTPUT", "source_hidden", "raw cell", "Run All",
                   "python -m migstats.workshop", "instructor-notes.md", "::solved"):
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


def test_instructors_write_the_solved_copies(tmp_path, capsys):
    from migstats.workshop import main

    assert main([str(tmp_path / "solved")]) == 0
    written = sorted(p.name for p in (tmp_path / "solved").iterdir())
    assert written == LESSONS  # no temporary file left behind
    nb = _read(tmp_path / "solved" / LESSONS[2])
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    assert solutions and all(c.cell_type == "code" for c in solutions)
    assert str(tmp_path / "solved" / LESSONS[0]) in capsys.readouterr().out
    with pytest.raises(FileNotFoundError, match="No lesson notebooks"):
        main([str(tmp_path / "x"), "--lessons", str(tmp_path)])
