"""Workshop lessons: exercises, hidden solutions and the solved copy of a lesson.

The lessons in ``notebooks/workshop/`` follow one layout for every exercise:

1. a markdown cell whose first line is ``### Exercise <lesson>.<n> (<level>): <title>``, with the
   task (and, for a fill-in-the-blanks exercise, the code to complete, as a code block);
2. one or more **empty code cells tagged** ``learner``: where the learner types;
3. one **raw cell tagged** ``solution`` holding the Python code of the solution, its source
   collapsed in JupyterLab (cell metadata ``"jupyter": {"source_hidden": true}``). Its first line is
   :data:`SOLUTION_HEADER`: a collapsed cell still shows its first line, which must not give the
   answer away.

Jupyter never executes a raw cell, so *Run All* in JupyterLab (and ``jupyter execute``) runs the
teaching cells and the learners' own cells and skips the solutions: nothing is spoilt, and a
learner who has not finished an exercise can still run the rest of the lesson. A learner who
wants a solution clicks the collapsed cell to read it (or, after the exercise, changes it into a
code cell with :kbd:`Y` and runs it).

:func:`solved` turns a lesson into its *solved copy*: every solution becomes a code cell (tagged
``solution`` and ``hide-cell``, so the documentation shows it behind a toggle) and the empty
learner cells are dropped. The test suite executes the lessons as learners run them *and* their
solved copies with nbval (``notebooks/workshop/conftest.py``); the documentation renders the
solved copies with their outputs; an instructor can write them with
``python -m migstats.workshop OUTDIR``.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
from pathlib import Path

__all__ = ["EXERCISE_HEADING", "LEVELS", "SOLUTION_TAG", "LEARNER_TAG", "SOLUTION_HEADER", "solved",
           "write_solved", "lesson_paths", "exercises"]

#: First line of every exercise cell: ``### Exercise 3.2 (fill in the blanks): Title``.
EXERCISE_HEADING = re.compile(r"^### Exercise (?P<lesson>\d+)\.(?P<n>\d+) \((?P<level>[^)]+)\): (?P<title>.+)$")
#: Kinds of exercise, in the order of difficulty a lesson uses them.
LEVELS = ("quick check", "fill in the blanks", "practice", "open")
SOLUTION_TAG = "solution"
#: First line of every solution (what JupyterLab shows of the collapsed cell).
SOLUTION_HEADER = "# Solution: try the exercise first (click to expand; Y turns it into a code cell)"
LEARNER_TAG = "learner"


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def exercises(nb) -> list[dict]:
    """The exercises of a lesson: heading fields, and the indices of their learner and solution cells.

    Returns
    -------
    list of dict
        ``{"lesson", "n", "level", "title", "cell", "learner": [indices], "solution": index or None}``
        in notebook order (``cell`` is the index of the exercise's markdown cell).
    """
    out = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        m = EXERCISE_HEADING.match(cell.source.splitlines()[0] if cell.source else "")
        if not m:
            continue
        ex = {"lesson": int(m["lesson"]), "n": int(m["n"]), "level": m["level"], "title": m["title"],
              "cell": i, "learner": [], "solution": None}
        for j in range(i + 1, len(nb.cells)):
            tags = _tags(nb.cells[j])
            if LEARNER_TAG in tags:
                ex["learner"].append(j)
            elif SOLUTION_TAG in tags:
                ex["solution"] = j
                break
            else:
                break
        out.append(ex)
    return out


def solved(nb):
    """A solved copy of a lesson notebook (the lesson is not changed).

    Every raw cell tagged ``solution`` becomes a code cell with the same source, tagged
    ``solution`` and ``hide-cell`` (its source stays collapsed in JupyterLab); empty code cells
    tagged ``learner`` are removed. Everything else is kept as it is.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A lesson read with :func:`nbformat.read` (version 4).

    Returns
    -------
    nbformat.NotebookNode
    """
    import nbformat

    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        tags = _tags(cell)
        if LEARNER_TAG in tags and cell.cell_type == "code" and not cell.source.strip():
            continue
        if SOLUTION_TAG in tags and cell.cell_type == "raw":
            new = nbformat.v4.new_code_cell(cell.source)
            new.metadata = copy.deepcopy(cell.metadata)
            new.metadata.pop("format", None)
            new.metadata.pop("raw_mimetype", None)
            new.metadata["tags"] = tags + [t for t in ("hide-cell",) if t not in tags]
            if "id" in cell:
                new["id"] = cell["id"]
            cell = new
        cells.append(cell)
    out.cells = cells
    return out


def lesson_paths(folder: str | os.PathLike | None = None) -> list[Path]:
    """The lesson notebooks (``NN_*.ipynb``) of the workshop folder, in order.

    ``folder`` defaults to ``notebooks/workshop`` of the source checkout.
    """
    if folder is None:
        folder = Path(__file__).resolve().parents[2] / "notebooks" / "workshop"
    folder = Path(folder)
    paths = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"No lesson notebooks (NN_*.ipynb) in {folder}; pass the workshop folder.")
    return paths


def write_solved(lesson: str | os.PathLike, out: str | os.PathLike) -> Path:
    """Write the solved copy of ``lesson`` to ``out`` (a file, or a folder to put it in).

    The file is written under a temporary name and renamed, so a failure leaves nothing half-written.
    """
    import nbformat

    lesson, out = Path(lesson), Path(out)
    if out.is_dir():
        out = out / lesson.name
    nb = solved(nbformat.read(lesson, as_version=4))
    tmp = out.with_name(f".{out.name}.tmp")
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, tmp)
    os.replace(tmp, out)
    return out


def main(argv=None) -> int:
    """``python -m migstats.workshop OUTDIR [--lessons FOLDER]``: solved copies of every lesson."""
    parser = argparse.ArgumentParser(prog="python -m migstats.workshop",
                                     description="Write the solved copy of every workshop lesson "
                                                 "(solutions as code cells) into OUTDIR.")
    parser.add_argument("outdir")
    parser.add_argument("--lessons", default=None, help="the workshop folder (default: the checkout's)")
    args = parser.parse_args(argv)
    for path in lesson_paths(args.lessons):
        print(write_solved(path, Path(args.outdir) / path.name))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
