"""One profile end to end (command line to HTML on disk), with baselines and a breakdown.

Each round runs, one after the other, in fresh processes:

* **papermill + nbconvert** — the plain Jupyter route: ``papermill`` executes the
  notebook on a new kernel, then ``jupyter nbconvert --to html --no-input``;
* ``migstats profile --no-warm`` — the same notebook on a plain papermill kernel;
* ``migstats profile`` — the default: a kernel server forked from a process that imports
  the libraries and loads the data while the command imports papermill on the other core.

and prints the median wall time of each, the ratios, and where the default's time goes
(from ``migstats profile --timings`` and the per-cell durations papermill records).

Usage::

    python benchmarks/profile_one.py [COUNTRY] [--data-dir DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _timed(cmd: list[str], env: dict) -> tuple[float, str]:
    t0 = time.perf_counter()
    res = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if res.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{res.stderr[-2000:]}")
    return wall, res.stderr


def _cell_breakdown(nb_path: Path) -> dict[str, float]:
    import nbformat

    nb = nbformat.read(str(nb_path), as_version=4)

    def when(s):
        return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()

    cells = [c for c in nb.cells if c.cell_type == "code"]
    dur = [(c.source, c.metadata.get("papermill", {}).get("duration") or 0.0) for c in cells]
    first = min(when(c.metadata.papermill.start_time) for c in cells if c.metadata.papermill.get("start_time"))
    data = sum(d for s, d in dur if "migstats.profile(" in s or s.startswith("import migstats"))
    figures = sum(d for s, d in dur if "make_figures" in s or "show_figures" in s)
    return {"kernel start (papermill start to first cell)": first - when(nb.metadata.papermill.start_time),
            "cells: imports, data and indicators": data,
            "cells: figures (draw + PNG)": figures,
            "cells: tables, text, provenance": sum(d for _s, d in dur) - data - figures}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("country", nargs="?", default="BLR")
    ap.add_argument("--data-dir", default=os.environ.get("MIGSTATS_DATA_DIR"))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if not args.data_dir:
        sys.exit("Give --data-dir (a data root with a built store) or set MIGSTATS_DATA_DIR.")
    env = dict(os.environ, MIGSTATS_DATA_DIR=str(args.data_dir), MPLBACKEND="Agg")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from migstats.profiles import notebook_path

    walls: dict[str, list[float]] = {"papermill + nbconvert": [], "migstats profile --no-warm": [],
                                     "migstats profile": []}
    stages: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            out = Path(tmp) / "naive.ipynb"
            t = time.perf_counter()
            _timed([str(BIN / "papermill"), str(notebook_path()), str(out), "-p", "country", args.country,
                    "--no-progress-bar"], env)
            _timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)], env)
            walls["papermill + nbconvert"].append(time.perf_counter() - t)
            for label, extra in (("migstats profile --no-warm", ["--no-warm"]), ("migstats profile", [])):
                reports = Path(tmp) / "reports"
                shutil.rmtree(reports, ignore_errors=True)
                wall, err = _timed([str(BIN / "migstats"), "profile", args.country, "--out", str(reports),
                                    "--timings", *extra], env)
                walls[label].append(wall)
                if not extra:
                    tm = dict((k.strip(), float(v)) for k, v in re.findall(r"([\w ]+?) ([\d.]+)",
                                                                             err.split("timings (s):")[1]))
                    nb = next(reports.glob("*/*/profile.ipynb"))
                    stages.append({"command start to kernel server ready (imports + data)": tm["kernel_server_ready"],
                                   "  of which this process: papermill + nbconvert ready": tm["jupyter_ready"],
                                   **_cell_breakdown(nb),
                                   "HTML export (nbconvert)": tm["html"],
                                   "process end (wall)": wall})
    med = {k: statistics.median(v) for k, v in walls.items()}
    print(f"one {args.country} profile, command line to HTML on disk, median of {args.repeat} rounds:")
    for k, v in med.items():
        print(f"  {k:<30} {v:6.2f} s   (runs: {', '.join(f'{x:.2f}' for x in walls[k])})")
    print(f"  speed-up of `migstats profile`: {med['papermill + nbconvert'] / med['migstats profile']:.1f}x "
          f"over papermill + nbconvert, {med['migstats profile --no-warm'] / med['migstats profile']:.1f}x "
          "over --no-warm")
    print("where the time of `migstats profile` goes (medians, seconds from the command's start "
          "for the first two rows):")
    for key in stages[0]:
        print(f"  {key:<58} {statistics.median(s[key] for s in stages):6.2f} s")
    print("  target: < 3 s (issue 13)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
