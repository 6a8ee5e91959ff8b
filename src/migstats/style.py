"""The migstats house style for maps and charts, set in one place.

Every figure of :mod:`migstats.maps` and :mod:`migstats.charts` draws inside
:func:`context` and takes its colours, sizes and resolutions from here, so a change
of house style is a change of this module only.

Choices
-------
* **Sequential palette** — ColorBrewer *YlGnBu* (Brewer & Harrower), readable by people
  with the common colour-vision deficiencies and monotonic in lightness, so class order
  survives a greyscale print.
* **No data** — light grey with a diagonal hatch (never a class colour), named in every
  legend.
* **Focus country** — orange (ColorBrewer *Dark2*, not a hue of the sequential palette)
  with a black outline, so it stays distinct in greyscale by its outline.
* **Series colours** — Okabe-Ito (colour-blind safe); lines also differ by marker and
  dash so they survive greyscale.
* **Resolution** — 300 dpi for print (:data:`PRINT_DPI`), 100 dpi on screen.
"""

from __future__ import annotations

import textwrap
from contextlib import contextmanager

import matplotlib as mpl
import numpy as np

__all__ = [
    "FONT_FAMILY", "FONT_SIZE", "RC", "context", "class_colours", "SEQUENTIAL_CMAP",
    "NO_DATA_COLOUR", "NO_DATA_EDGE", "NO_DATA_HATCH", "FOCUS_COLOUR", "FOCUS_EDGE",
    "FOCUS_LINEWIDTH", "LAND_COLOUR", "OCEAN_COLOUR", "BORDER_COLOUR", "OUTLINE_COLOUR",
    "MARKER_EDGE", "SERIES", "MAP_SIZE", "MAP_SIZE_SMALL", "CHART_SIZE", "CHART_SIZE_WIDE",
    "PRINT_DPI", "SCREEN_DPI", "CAPTION_SIZE", "CAPTION_COLOUR", "add_caption", "add_title",
    "no_data_panel", "alt_text", "format_number", "thousands",
]

#: Preferred fonts, first found wins; DejaVu Sans ships with matplotlib.
FONT_FAMILY = ["Source Sans 3", "Source Sans Pro", "Arial", "Helvetica", "DejaVu Sans"]
#: Base font size (points).
FONT_SIZE = 9.0
CAPTION_SIZE = 6.8
CAPTION_COLOUR = "#4d4d4d"

#: Sequential palette: ColorBrewer YlGnBu, by number of classes (light = few, dark = many).
_YLGNBU = {
    3: ["#edf8b1", "#7fcdbb", "#2c7fb8"],
    4: ["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
    5: ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
    6: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
    7: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
    8: ["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
    9: ["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494",
        "#081d58"],
}
#: Continuous form of the sequential palette (for line colours scaled by a value).
SEQUENTIAL_CMAP = "YlGnBu"

NO_DATA_COLOUR = "#dcdcdc"
NO_DATA_EDGE = "#a0a0a0"   # also the hatch colour (matplotlib draws hatches in the edge colour)
NO_DATA_HATCH = "////"
FOCUS_COLOUR = "#d95f02"
FOCUS_EDGE = "#000000"
FOCUS_LINEWIDTH = 1.1
#: Land that is not part of the statistics (Antarctica, French Southern Territories)
#: and land outside a map's region.
LAND_COLOUR = "#e8e8e8"
OCEAN_COLOUR = "#f7f9fb"
BORDER_COLOUR = "#ffffff"
OUTLINE_COLOUR = "#8c8c8c"
MARKER_EDGE = "#333333"

#: Okabe-Ito colours with a marker and dash per series (survive greyscale).
SERIES = {
    "immigrants": dict(color="#0072B2", marker="o", linestyle="-"),
    "emigrants": dict(color="#D55E00", marker="s", linestyle="--"),
    "received": dict(color="#0072B2", marker="o", linestyle="-"),
    "paid": dict(color="#D55E00", marker="s", linestyle="--"),
    "share": dict(color="#009E73", marker="^", linestyle="-"),
    "bars": dict(color="#2c7fb8"),
}

#: Figure sizes (inches).
MAP_SIZE = (10.0, 5.1)
MAP_SIZE_SMALL = (5.0, 2.6)
CHART_SIZE = (8.0, 6.0)
CHART_SIZE_WIDE = (8.0, 4.8)
#: Resolution for print and for screen (dots per inch).
PRINT_DPI = 300
SCREEN_DPI = 100

#: matplotlib rcParams of the house style (applied only inside :func:`context`).
RC = {
    "font.family": "sans-serif",
    "font.sans-serif": FONT_FAMILY,
    "font.size": FONT_SIZE,
    "axes.titlesize": FONT_SIZE + 1,
    "axes.titleweight": "bold",
    "axes.labelsize": FONT_SIZE,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#e0e0e0",
    "grid.linewidth": 0.6,
    "legend.fontsize": FONT_SIZE - 1,
    "legend.title_fontsize": FONT_SIZE - 0.5,
    "legend.frameon": False,
    "xtick.labelsize": FONT_SIZE - 1,
    "ytick.labelsize": FONT_SIZE - 1,
    "hatch.linewidth": 0.5,
    "figure.dpi": SCREEN_DPI,
    "savefig.dpi": PRINT_DPI,
    "svg.fonttype": "none",   # text stays text in SVG (searchable, accessible)
    "lines.linewidth": 1.6,
    "lines.markersize": 4.5,
}


@contextmanager
def context():
    """Apply the house style to the figures created inside the ``with`` block."""
    with mpl.rc_context(RC):
        yield


def class_colours(k: int) -> list[str]:
    """``k`` colours of the sequential palette, lightest first (hex strings)."""
    if k <= 0:
        return []
    if k in _YLGNBU:
        return list(_YLGNBU[k])
    if k < 3:
        return list(_YLGNBU[3][-k:]) if k == 1 else [_YLGNBU[3][0], _YLGNBU[3][2]]
    cmap = mpl.colormaps[SEQUENTIAL_CMAP]
    return [mpl.colors.to_hex(cmap(x)) for x in np.linspace(0.05, 1.0, k)]


def thousands(value: float) -> str:
    """``1234567.0`` -> ``"1,234,567"`` (no decimals)."""
    return f"{value:,.0f}"


def format_number(value: float, unit: str = "", decimals: int | None = None) -> str:
    """A value as printed in legends and labels, with its unit.

    Persons are whole numbers with thousands separators (``"1,000"``; the caller adds
    "persons"); percentages keep ``decimals`` (default one, two below 1) and a ``%``
    (``"2.5%"``); US$ amounts are scaled (``"US$ 1.2 bn"``).
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "no data"
    u = (unit or "").lower()
    if "us$" in u or "usd" in u:
        a, d = abs(value), 1 if decimals is None else decimals
        if a >= 1e9:
            return f"US$ {value / 1e9:,.{d}f} bn"
        if a >= 1e6:
            return f"US$ {value / 1e6:,.{d}f} m"
        return f"US$ {value:,.0f}"
    if "percent" in u or u == "%":
        d = decimals if decimals is not None else (1 if abs(value) >= 1 or value == 0 else 2)
        return f"{value:,.{d}f}%"
    if "person" in u:
        return f"{value:,.0f}"
    d = 2 if decimals is None else decimals
    return f"{value:,.{d}f}"


def add_title(fig, title: str, subtitle: str = "", *, ax=None) -> None:
    """Title (bold) and optional subtitle at the top of the figure, left-aligned."""
    if ax is not None:
        ax.set_title(title + (f"\n{subtitle}" if subtitle else ""), loc="left", fontsize=FONT_SIZE + 1)
        return
    fig.text(0.012, 0.985, title, ha="left", va="top", fontsize=FONT_SIZE + 3, fontweight="bold")
    if subtitle:
        fig.text(0.012, 0.935, subtitle, ha="left", va="top", fontsize=FONT_SIZE, color=CAPTION_COLOUR)


def add_caption(fig, caption: str, *, ax=None, width: int | None = None) -> None:
    """Source caption at the bottom left of the figure (or below ``ax``), wrapped.

    Also stored as ``fig.migstats_caption``.
    """
    if width is None:
        width = max(60, int(fig.get_figwidth() * 17))
    wrapped = "\n".join(textwrap.wrap(caption, width)) if caption else ""
    if ax is not None:
        ax.text(0.0, -0.02, wrapped, transform=ax.transAxes, ha="left", va="top",
                fontsize=CAPTION_SIZE, color=CAPTION_COLOUR, gid="migstats-caption")
    else:
        fig.text(0.012, 0.012, wrapped, ha="left", va="bottom", fontsize=CAPTION_SIZE,
                 color=CAPTION_COLOUR, gid="migstats-caption")
    fig.migstats_caption = caption


def no_data_panel(ax, message: str, *, title: str = "No data"):
    """Write a clear "No data" notice in the middle of ``ax`` and return the Text."""
    body = "\n".join(textwrap.wrap(message, 60)) if message else ""
    return ax.text(0.5, 0.5, f"{title}\n{body}" if body else title, transform=ax.transAxes,
                   ha="center", va="center", fontsize=FONT_SIZE + 1, color="#333333", zorder=10,
                   gid="migstats-no-data",
                   bbox=dict(boxstyle="round,pad=0.6", facecolor="white", edgecolor=OUTLINE_COLOUR,
                             linewidth=0.8, alpha=0.95))


def alt_text(fig) -> str:
    """The one-line text alternative of a migstats figure (``fig.migstats_alt``)."""
    return getattr(fig, "migstats_alt", "")
