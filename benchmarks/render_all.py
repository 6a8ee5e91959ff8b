"""Batch rendering: the naive papermill loop against ``migstats render``, in one run.

Baseline (what an analyst would write): for each country, one ``papermill`` execution of
``notebooks/country_profile.ipynb`` (a cold kernel that imports everything and reads the
data) and one ``jupyter nbconvert --to html --no-input`` call, sequentially.
Contender: ``migstats render --countries … --jobs 2`` (warm forked kernels, two workers).

Both render the same fixed sample (default 20 countries) into fresh folders, with the same
store. ``--all`` also times the full run of every area with ``migstats render --all``.

Usage::

    python benchmarks/render_all.py [--n 20] [--jobs 2] [--all] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = ["BLR", "TJK", "AFG", "MDA", "PHL", "MEX", "DEU", "USA", "QAT", "TUV", "IND", "NGA", "BRA",
          "UKR", "KGZ", "UZB", "POL", "EGY", "JPN", "FJI", "GTM", "NPL", "MAR", "ROU", "SYR"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=20, help="countries in the sample (default 20)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--all", action="store_true", help="also time `migstats render --all`")
    ap.add_argument("--data-dir", default=os.environ.get("MIGSTATS_DATA_DIR"),
                    help="data root with a built store (default $MIGSTATS_DATA_DIR)")
    args = ap.parse_args()
    if not args.data_dir:
        sys.exit("Give --data-dir (a data root with a built store) or set MIGSTATS_DATA_DIR.")
    env = dict(os.environ, MIGSTATS_DATA_DIR=str(args.data_dir), MPLBACKEND="Agg")
    sample = SAMPLE[: args.n]
    bindir = Path(sys.executable).parent
    nb = REPO / "notebooks" / "country_profile.ipynb"
    work = Path(tempfile.mkdtemp(prefix="migstats-bench-"))
    try:
        # baseline: papermill + nbconvert per country, sequential
        t0 = time.perf_counter()
        for iso3 in sample:
            out = work / "naive" / iso3
            out.mkdir(parents=True)
            subprocess.run([str(bindir / "papermill"), str(nb), str(out / "profile.ipynb"), "-p", "country", iso3,
                            "--no-progress-bar", "-k", "python3"], check=True, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            subprocess.run([str(bindir / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                            str(out / "profile.ipynb")], check=True, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        naive = time.perf_counter() - t0
        # migstats render
        t0 = time.perf_counter()
        subprocess.run([str(bindir / "migstats"), "-q", "render", "--countries", ",".join(sample),
                        "--jobs", str(args.jobs), "--out", str(work / "render")], check=True, env=env)
        fast = time.perf_counter() - t0
        print(f"sample: {len(sample)} countries ({', '.join(sample)})")
        print(f"naive papermill + nbconvert loop : {naive:7.1f} s  ({naive / len(sample):.2f} s per profile)")
        print(f"migstats render --jobs {args.jobs}        : {fast:7.1f} s  ({fast / len(sample):.2f} s per profile)")
        print(f"speed-up                          : {naive / fast:7.1f} x   (target >= 5x)")
        if args.all:
            t0 = time.perf_counter()
            subprocess.run([str(bindir / "migstats"), "-q", "render", "--all", "--jobs", str(args.jobs),
                            "--out", str(work / "all")], env=env)
            full = time.perf_counter() - t0
            n = sum(1 for _ in (work / "all").glob("*/2024/profile.html"))
            print(f"migstats render --all             : {full:7.1f} s for {n} profiles (target < 120 s, issue 13)")
            sizes = sorted(p.stat().st_size / 1024 for p in (work / "all").glob("*/2024/profile.html"))
            if sizes:
                print(f"profile.html size                 : median {sizes[len(sizes) // 2]:.0f} KB, largest "
                      f"{sizes[-1]:.0f} KB (target < 400 KB; the shared stylesheet "
                      f"{(work / 'all' / 'profile.css').stat().st_size / 1024:.0f} KB once per batch)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
