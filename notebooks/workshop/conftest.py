"""nbval runs every lesson twice: as learners run it, and its solved copy.

nbval collects ``NN_*.ipynb`` as it is: the solutions are raw cells, which Jupyter never executes,
and the learners' cells are empty — *Run All* as in JupyterLab. This plugin adds, for each lesson,
the **solved copy** (:func:`migstats.workshop.solved`: every solution a code cell, learner cells
dropped), executed cell by cell by nbval in the same way (node ids ``<lesson>.ipynb::solved::Cell N``).
"""

from __future__ import annotations

from collections import defaultdict

import nbformat
import pytest

try:
    from nbval.plugin import IPyNbCell, IPyNbFile, find_comment_markers, find_metadata_tags
except ImportError:  # pragma: no cover - nbval is a dev dependency
    IPyNbFile = None


if IPyNbFile is not None:
    class SolvedLesson(IPyNbFile):
        """A lesson's solved copy, executed by nbval (outputs compared only in marked cells)."""

        def collect(self):
            from migstats.workshop import solved

            self.nb = solved(nbformat.read(str(self.path), as_version=4))
            cells = [c for c in self.nb.cells if c.cell_type == "code"]
            for n, cell in enumerate(cells):
                options = defaultdict(bool, find_metadata_tags(cell.metadata))
                options.update(dict(find_comment_markers(cell.source)))
                options.setdefault("check", self.compare_outputs)
                yield IPyNbCell.from_parent(self, name=f"Cell {n}", cell_num=n, cell=cell, options=options)


def pytest_collect_file(file_path, parent):
    opt = parent.config.option
    if IPyNbFile is None or not (getattr(opt, "nbval", False) or getattr(opt, "nbval_lax", False)):
        return None
    if file_path.suffix != ".ipynb" or not file_path.name[:2].isdigit() or file_path.parent.name != "workshop":
        return None
    nodeid = f"{parent.nodeid}/{file_path.name}::solved" if parent.nodeid else f"{file_path.name}::solved"
    return SolvedLesson.from_parent(parent, path=file_path, nodeid=nodeid)
