"""Benchmark: country profiles from the processed store, warm, for all areas, and a naive baseline.

Usage::

    python benchmarks/indicators_speed.py [--mirror DIR] [--repeat N] [--country BLR]

Steps
-----
1. Copy the source files from the mirror into a temporary data root
   (:func:`migstats.fetch.fetch`, verified) and build the store (:func:`migstats.store.build`);
   not timed.
2. First call of :func:`migstats.indicators.profile` in the process ("cold": reads the Parquet
   tables and builds the per-country lookups of ``indicators._Data``).
3. One country warm: median of ``N`` calls (default 20; target: < 50 ms).
4. Every one of the 235 areas once, warm (target: < 5 s in total).
5. Baseline in the same run: the naive approach that re-reads the Parquet tables for every
   call (``migstats.store._CACHE`` and ``migstats.indicators._DATA`` cleared before each
   call) for a handful of countries; median per call, and the ratio to the warm median of
   the same countries.

Times are wall-clock (``time.perf_counter``). Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from migstats import fetch, indicators, store

REPO = Path(__file__).resolve().parents[1]
WARM_TARGET_MS = 50.0
ALL_TARGET_S = 5.0
BASELINE_COUNTRIES = ("BLR", "TJK", "PHL", "DEU", "TUV")


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _ok(passed: bool) -> str:
    return "ok" if passed else "SLOW"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", type=Path, default=REPO.parent / "shared" / "data" / "raw",
                        help="folder (or .zip) laid out like data/raw (default: ../shared/data/raw)")
    parser.add_argument("--repeat", type=int, default=20, help="calls for the warm median")
    parser.add_argument("--country", default="BLR", help="country of the warm measurement")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="migstats-bench-") as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        fetch.fetch(mirror=args.mirror, data_dir=root, progress=False)
        store.build(root, progress=False)
        print(f"copied, verified and built the store from {args.mirror} in {time.perf_counter() - t:.2f} s")

        store._CACHE.clear()
        indicators._DATA.clear()
        cold = _timed(lambda: indicators.profile(args.country, data_dir=root))

        warm = [_timed(lambda: indicators.profile(args.country, data_dir=root))
                for _ in range(max(1, args.repeat))]
        warm_ms = statistics.median(warm) * 1e3

        codes = store.load("countries", root)["location_code"].astype(int).tolist()
        per_area = []
        t = time.perf_counter()
        for code in codes:
            per_area.append(_timed(lambda code=code: indicators.profile(code, data_dir=root)))
        all_s = time.perf_counter() - t

        warm_same = {c: statistics.median(_timed(lambda c=c: indicators.profile(c, data_dir=root))
                                          for _ in range(5)) for c in BASELINE_COUNTRIES}
        naive = {}
        for c in BASELINE_COUNTRIES:
            runs = []
            for _ in range(3):
                store._CACHE.clear()
                indicators._DATA.clear()
                runs.append(_timed(lambda c=c: indicators.profile(c, data_dir=root)))
            naive[c] = statistics.median(runs)

    print(f"\nfirst profile in the process (reads the tables, builds lookups): {cold * 1e3:8.1f} ms")
    print(f"profile({args.country!r}) warm, median of {len(warm)}: {warm_ms:8.1f} ms   "
          f"target < {WARM_TARGET_MS:.0f} ms   {_ok(warm_ms < WARM_TARGET_MS)}")
    print(f"profile() for all {len(codes)} areas, warm: {all_s:8.2f} s   target < {ALL_TARGET_S:.0f} s   "
          f"{_ok(all_s < ALL_TARGET_S)}")
    print(f"  per area: median {statistics.median(per_area) * 1e3:.1f} ms, "
          f"max {max(per_area) * 1e3:.1f} ms")

    print("\nbaseline: re-read the Parquet tables for every call (store._CACHE and indicators._DATA cleared)")
    print(f"{'country':<10}{'naive ms':>10}{'warm ms':>10}{'ratio':>8}")
    for c in BASELINE_COUNTRIES:
        print(f"{c:<10}{naive[c] * 1e3:>10.1f}{warm_same[c] * 1e3:>10.1f}{naive[c] / warm_same[c]:>7.0f}x")
    n_med, w_med = statistics.median(naive.values()), statistics.median(warm_same.values())
    print(f"{'median':<10}{n_med * 1e3:>10.1f}{w_med * 1e3:>10.1f}{n_med / w_med:>7.0f}x")
    print(f"all {len(codes)} areas the naive way would take about {n_med * len(codes):.0f} s "
          f"(vs {all_s:.2f} s)")

    slow = warm_ms >= WARM_TARGET_MS or all_s >= ALL_TARGET_S
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
