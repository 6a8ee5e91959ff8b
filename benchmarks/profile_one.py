"""One profile end to end, cold, with a breakdown: kernel start, imports, data and indicators,
figures, HTML export.

Runs ``migstats.profiles.render_profile`` in a fresh Python process (as ``migstats profile``
does), then reads the per-cell durations papermill recorded in the executed notebook.

Usage::

    python benchmarks/profile_one.py [COUNTRY] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import json, sys, time
t0 = time.perf_counter()
from migstats import profiles
t_imp = time.perf_counter() - t0
tm = {}
out = profiles.render_profile(sys.argv[1], 2024, out=sys.argv[2], formats=("html", "ipynb"), timings=tm)
tm["cli_imports"] = t_imp
print(json.dumps({"out": str(out), "timings": tm}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("country", nargs="?", default="BLR")
    ap.add_argument("--data-dir", default=os.environ.get("MIGSTATS_DATA_DIR"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not args.data_dir:
        sys.exit("Give --data-dir (a data root with a built store) or set MIGSTATS_DATA_DIR.")
    env = dict(os.environ, MIGSTATS_DATA_DIR=str(args.data_dir), MPLBACKEND="Agg")
    rows = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            res = subprocess.run([sys.executable, "-c", CHILD, args.country, tmp], env=env, check=True,
                                 capture_output=True, text=True)
            wall = time.perf_counter() - t0
            info = json.loads(res.stdout.strip().splitlines()[-1])
            import nbformat

            nb = nbformat.read(str(Path(info["out"]) / "profile.ipynb"), as_version=4)
            cells = [(c.source, c.metadata.get("papermill", {}).get("duration") or 0.0)
                     for c in nb.cells if c.cell_type == "code"]
            tm = info["timings"]
            imports = sum(d for s, d in cells if s.startswith("import migstats"))
            data = sum(d for s, d in cells if "migstats.profile(" in s)
            figures = sum(d for s, d in cells if "make_figures" in s or "show_figures" in s)
            other = sum(d for _s, d in cells) - imports - data - figures
            rows.append({"wall (process start to HTML on disk)": wall,
                         "python start + migstats import": tm["cli_imports"],
                         "kernel start + papermill overhead": tm["execute"] - sum(d for _s, d in cells),
                         "imports in the kernel": imports, "data load + indicators": data,
                         "figures (draw + PNG)": figures, "tables, text, provenance": other,
                         "HTML export (nbconvert)": tm["html"]})
    print(f"one profile ({args.country}), cold kernel, median of {args.repeat} runs:")
    for key in rows[0]:
        vals = sorted(r[key] for r in rows)
        print(f"  {key:<40} {vals[len(vals) // 2]:6.2f} s")
    print("  target: wall < 5 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
