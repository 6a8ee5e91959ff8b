"""Benchmark: a warm diaspora map, rendered to PNG in memory, vs a naive implementation.

The naive baseline is what a first notebook would do on every call: read the boundaries
from Parquet, re-project them to Equal Earth and draw with ``GeoDataFrame.plot``
(mapclassify quantiles, ``missing_kwds`` for no data). :func:`migstats.maps.diaspora_map`
projects the boundaries once per process and draws one patch collection per style.

Both are timed in the same run, warm (one call first), as the median of ``--repeat``
calls, each including ``fig.savefig(BytesIO(), format="png")`` at screen resolution.
Target: < 1 s per warm map.

Usage::

    MIGSTATS_DATA_DIR=/path/to/data python benchmarks/maps_speed.py [--country Belarus] [--repeat 10]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402


def naive_diaspora_map(country, year=2024, data_dir=None):
    """Re-read and re-project the boundaries on every call; draw with geopandas."""
    import geopandas

    from migstats import indicators, store, style
    from migstats.countries import resolve
    from migstats.maps import EQUAL_EARTH

    c = resolve(country, data_dir=data_dir)
    g = geopandas.read_parquet(store.table_path("boundaries_110m", data_dir)).to_crs(EQUAL_EARTH)
    cor = indicators.corridors(c, year, "emigrants", top_n=None, data_dir=data_dir)
    values = pd.Series(cor["migrants"].to_numpy(), index=cor["location_code"].astype("int64"))
    g["value"] = g["location_code"].astype("float64").map(values).astype("float64")
    fig, ax = plt.subplots(figsize=style.MAP_SIZE, dpi=style.SCREEN_DPI)
    g.plot(column="value", scheme="quantiles", k=5, cmap=style.SEQUENTIAL_CMAP, legend=True, ax=ax,
           edgecolor="white", linewidth=0.3,
           missing_kwds=dict(color=style.NO_DATA_COLOUR, hatch=style.NO_DATA_HATCH, label="No data"),
           legend_kwds=dict(loc="center left", bbox_to_anchor=(1.0, 0.5), title="Emigrants (persons)"))
    g[g["location_code"] == c.location_code].plot(ax=ax, color=style.FOCUS_COLOUR, edgecolor="black")
    ax.set_axis_off()
    ax.set_title(f"Emigrants from {c.name}, {cor.attrs['year']}")
    fig.text(0.01, 0.01, f"Source: {cor.attrs['source']}", fontsize=7)
    return fig


def _time(fn, repeat):
    fn()  # warm-up
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--country", default="Belarus")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(argv)

    import warnings

    from migstats import maps

    warnings.filterwarnings("ignore", message="Numba not installed")

    def ours():
        fig = maps.diaspora_map(args.country, data_dir=args.data_dir)
        fig.savefig(io.BytesIO(), format="png")

    def naive():
        fig = naive_diaspora_map(args.country, data_dir=args.data_dir)
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)

    t0 = time.perf_counter()
    maps.diaspora_map(args.country, data_dir=args.data_dir)
    cold = time.perf_counter() - t0
    fast = _time(ours, args.repeat)
    slow = _time(naive, args.repeat)
    print(f"diaspora_map({args.country!r}) cold (first call, projects boundaries): {cold:.3f} s")
    print(f"diaspora_map warm, median of {args.repeat} incl. PNG render:  {fast:.3f} s")
    print(f"naive (read + to_crs + GeoDataFrame.plot), median of {args.repeat}: {slow:.3f} s")
    print(f"speed-up: {slow / fast:.1f}x   target < 1 s warm: {'met' if fast < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
