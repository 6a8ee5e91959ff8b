"""Benchmark: build the processed store from a mirror, then load every table cold and warm.

Usage::

    python benchmarks/build_and_load.py [--mirror DIR] [--repeat N]

Steps
-----
1. Copy the source files from the mirror into a temporary data root
   (:func:`migstats.fetch.fetch`, verified; not timed).
2. Time :func:`migstats.store.build` ``N`` times and keep the best (target: < 10 s).
3. For every table in ``provenance.json``: time :func:`migstats.store.load` with an empty
   process cache ("cold": the Parquet file is read; the OS file cache is warm after the
   build) and again from the cache ("warm", best of ``N``; target: < 100 ms per table).
4. Baseline measured in the same run: read every sheet of the UN DESA 2024 "by
   destination" workbook with ``pandas.read_excel`` using openpyxl and calamine, best of
   ``N`` each, and print the speed-up of calamine (the engine the parsers use).

Times are wall-clock seconds (``time.perf_counter``). Runs in well under a minute with
the default ``--repeat 3`` on the verified mirror (about 11.5 MB of sources, 39 files, four of
them R data files read with pyreadr).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from migstats import fetch, registry, store

REPO = Path(__file__).resolve().parents[1]
BUILD_TARGET_S = 10.0
WARM_LOAD_TARGET_MS = 100.0


def _best(fn, repeat: int) -> float:
    """Best wall-clock time of ``repeat`` calls of ``fn``, in seconds."""
    best = float("inf")
    for _ in range(max(1, repeat)):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _ok(passed: bool) -> str:
    return "ok" if passed else "SLOW"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", type=Path, default=REPO.parent / "shared" / "data" / "raw",
                        help="folder (or .zip) laid out like data/raw (default: ../shared/data/raw)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions; the best time is kept")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="migstats-bench-") as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        fetch.fetch(mirror=args.mirror, data_dir=root, progress=False)
        print(f"copied and verified the sources from {args.mirror} in {time.perf_counter() - t:.2f} s")

        build_s = _best(lambda: store.build(root, progress=False), args.repeat)
        prov = store.provenance(root)

        rows = []
        for name in prov["tables"]:
            store._CACHE.clear()
            t = time.perf_counter()
            store.load(name, root)
            cold = time.perf_counter() - t
            warm = _best(lambda: store.load(name, root), args.repeat)
            rows.append((name, prov["tables"][name]["rows"], cold * 1e3, warm * 1e3))

        book = root / "raw" / registry.SOURCES["undesa_2024_destination"].path
        engines = {e: _best(lambda e=e: pd.read_excel(book, sheet_name=None, header=None, engine=e),
                            args.repeat)
                   for e in ("openpyxl", "calamine")}
        n_sheets = len(pd.ExcelFile(book, engine="calamine").sheet_names)

    print(f"\nbuild (best of {args.repeat}): {build_s:.2f} s   target < {BUILD_TARGET_S:.0f} s   "
          f"{_ok(build_s < BUILD_TARGET_S)}")
    print(f"\n{'table':<34}{'rows':>9}{'cold ms':>10}{'warm ms':>10}  warm < {WARM_LOAD_TARGET_MS:.0f} ms")
    for name, n, cold, warm in rows:
        print(f"{name:<34}{n:>9,}{cold:>10.1f}{warm:>10.3f}  {_ok(warm < WARM_LOAD_TARGET_MS)}")
    total_cold = sum(r[2] for r in rows)
    worst_warm = max(r[3] for r in rows)
    print(f"{'all tables':<34}{sum(r[1] for r in rows):>9,}{total_cold:>10.1f}{worst_warm:>10.3f}"
          "  (cold: sum; warm: worst)")

    print(f"\nbaseline: {book.name}, all {n_sheets} sheets, pandas.read_excel (best of {args.repeat})")
    print(f"  openpyxl  {engines['openpyxl'] * 1e3:8.1f} ms")
    print(f"  calamine  {engines['calamine'] * 1e3:8.1f} ms")
    print(f"  speed-up  {engines['openpyxl'] / engines['calamine']:8.1f} x")
    print(f"  build / one openpyxl read of this workbook: {build_s / engines['openpyxl']:.1f} x")

    slow = build_s >= BUILD_TARGET_S or worst_warm >= WARM_LOAD_TARGET_MS
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
