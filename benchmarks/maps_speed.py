"""Benchmark: a profile's figures (build + screen image) against a baseline commit, in the same run.

For each country, :func:`migstats.profiles.make_figures` builds the seven figures of a
profile and each is turned into the image the notebook and the HTML show: with this tree,
:func:`migstats.profiles.figure_display_data` (a 100 dpi palette PNG); with the baseline,
what ``display(fig)`` drew there (matplotlib's full-colour PNG at the figure's resolution).
Reported per figure and per profile: seconds to build, seconds to draw, PNG bytes; and the
import time of mapclassify and whether a country profile imports it.

The baseline is the same measurement run on another commit of this repository (default: the
merge base with ``main``), exported with ``git archive`` into a temporary folder and run in a
subprocess with that folder on ``PYTHONPATH``: both sides run in the same session on the same
data store, warm (one profile first, not timed), median of ``--repeat`` runs.

Usage::

    MIGSTATS_DATA_DIR=/path/to/data python benchmarks/maps_speed.py [--repeat 3] [--baseline REF]
    [--countries Belarus Philippines ...] [--out benchmarks/output]

``--out`` also writes the figures of both sides as PNG for a look.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COUNTRIES = ["Belarus", "Philippines", "Tuvalu", "Syria", "Germany", "Tajikistan", "South Sudan"]


def measure(countries, repeat, out=None, label="this") -> dict:
    """Per figure and per profile: build seconds, draw seconds, bytes (median of ``repeat`` runs)."""
    import matplotlib

    matplotlib.use("Agg")
    import migstats
    from migstats import profiles

    new = hasattr(profiles, "figure_display_data")

    def draw(fig) -> bytes:
        if new:
            import base64

            data, _ = profiles.figure_display_data(fig)
            return base64.b64decode(data["image/png"])
        buf = io.BytesIO()      # what IPython's inline display drew: savefig at the figure's dpi
        fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches=None)
        return buf.getvalue()

    t0 = time.perf_counter()
    import mapclassify  # noqa: F401
    mc_import = time.perf_counter() - t0
    del sys.modules["mapclassify"]
    warm = migstats.profile(countries[0], 2024)
    for fig in profiles.make_figures(warm).values():
        draw(fig)
    res = {"figures": {}, "profiles": {}, "mapclassify_import_s": mc_import}
    for c in countries:
        p = migstats.profile(c, 2024)
        runs = []
        for _ in range(repeat):
            per = {}
            t = time.perf_counter()
            figs = profiles.make_figures(p)
            build_all = time.perf_counter() - t
            for name, fig in figs.items():
                t = time.perf_counter()
                png = draw(fig)
                per[name] = (time.perf_counter() - t, len(png))
            runs.append((build_all, per))
            if out and len(runs) == 1:
                for name, fig in figs.items():
                    Path(out, f"{label}_{c.lower().replace(' ', '_')}_{name}.png").write_bytes(draw(fig))
        res["profiles"][c] = {
            "build_s": statistics.median(r[0] for r in runs),
            "draw_s": statistics.median(sum(v[0] for v in r[1].values()) for r in runs),
            "bytes": runs[0][1] and sum(v[1] for v in runs[0][1].values()),
        }
        for name in runs[0][1]:
            f = res["figures"].setdefault(name, {"draw_s": [], "bytes": []})
            f["draw_s"].append(statistics.median(r[1][name][0] for r in runs))
            f["bytes"].append(runs[0][1][name][1])
    # a country profile should not import mapclassify (1-2 s): only share choropleths need it
    res["country_profile_imports_mapclassify"] = "mapclassify" in sys.modules
    return res


def _baseline(ref: str, args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="migstats-baseline-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
    env = {**os.environ, "PYTHONPATH": str(tmp / "src")}
    cmd = [sys.executable, __file__, "--child", "--repeat", str(args.repeat), "--countries", *args.countries]
    if args.out:
        cmd += ["--out", args.out, "--label", "baseline"]
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--countries", nargs="+", default=COUNTRIES)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", default=None, help="git ref (default: merge base with main)")
    parser.add_argument("--out", default=None)
    parser.add_argument("--label", default="this")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
    if args.child:
        print(json.dumps(measure(args.countries, args.repeat, args.out, args.label)))
        return
    ref = args.baseline or subprocess.run(["git", "-C", str(ROOT), "merge-base", "HEAD", "main"],
                                          check=True, capture_output=True, text=True).stdout.strip()
    # this tree in a child too, so that both sides start from a fresh interpreter
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [sys.executable, __file__, "--child", "--repeat", str(args.repeat), "--countries", *args.countries]
    if args.out:
        cmd += ["--out", args.out, "--label", "this"]
    ours = json.loads(subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    base = _baseline(ref, args)
    print(f"baseline: {ref[:10]}  (same run, same store; median of {args.repeat}; draw = the screen image)")
    print(f"{'figure':<18}{'draw s (base)':>14}{'draw s (this)':>14}{'KB (base)':>11}{'KB (this)':>11}")
    for name in ours["figures"]:
        o = ours["figures"][name]
        b = base["figures"].get(name, {"draw_s": [float("nan")], "bytes": [0]})
        print(f"{name:<18}{statistics.mean(b['draw_s']):>14.3f}{statistics.mean(o['draw_s']):>14.3f}"
              f"{statistics.mean(b['bytes']) / 1000:>11.0f}{statistics.mean(o['bytes']) / 1000:>11.0f}")
    print(f"{'profile':<14}{'build (base)':>13}{'build (this)':>13}{'draw (base)':>12}{'draw (this)':>12}"
          f"{'KB (base)':>10}{'KB (this)':>10}")
    for c in args.countries:
        o, b = ours["profiles"][c], base["profiles"][c]
        print(f"{c:<14}{b['build_s']:>13.3f}{o['build_s']:>13.3f}{b['draw_s']:>12.3f}{o['draw_s']:>12.3f}"
              f"{b['bytes'] / 1000:>10.0f}{o['bytes'] / 1000:>10.0f}")
    tb = statistics.mean(b["build_s"] + b["draw_s"] for b in base["profiles"].values())
    to = statistics.mean(o["build_s"] + o["draw_s"] for o in ours["profiles"].values())
    kb = statistics.mean(b["bytes"] for b in base["profiles"].values()) / 1000
    ko = statistics.mean(o["bytes"] for o in ours["profiles"].values()) / 1000
    print(f"mean per profile, build + draw: baseline {tb:.3f} s, this {to:.3f} s (ratio {to / tb:.2f}); "
          f"screen images {kb:.0f} KB -> {ko:.0f} KB (ratio {ko / kb:.2f})")
    print(f"mapclassify import: {ours['mapclassify_import_s']:.2f} s; imported by a country profile: "
          f"baseline {base['country_profile_imports_mapclassify']}, this {ours['country_profile_imports_mapclassify']}")


if __name__ == "__main__":
    main()
