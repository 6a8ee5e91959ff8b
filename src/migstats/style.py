"""The migstats house style for maps and charts, set in one place.

Every figure of :mod:`migstats.maps` and :mod:`migstats.charts` draws inside
:func:`context` and takes its colours, sizes and resolutions from here and from the
matplotlib style file ``migstats.mplstyle`` next to this module (:data:`STYLE_FILE`), so a
change of house style is a change of these two files only.

Choices
-------
* **Sequential palette** — ColorBrewer *YlGnBu* (Brewer & Harrower), readable by people
  with the common colour-vision deficiencies and monotonic in lightness, so class order
  survives a greyscale print.
* **No data** — light grey with a diagonal hatch (never a class colour), named in every
  legend; a value of zero is a class of its own, never lumped with no data.
* **Focus country** — orange (ColorBrewer *Dark2*, not a hue of the sequential palette)
  with a black outline, so it stays distinct in greyscale by its outline.
* **Counts** — proportional circles in one blue (:data:`SYMBOL_COLOUR`), area proportional
  to the value; **shares** — choropleths.
* **Series colours** — Okabe-Ito (colour-blind safe); lines also differ by marker and
  dash so they survive greyscale.
* **Sizes** — figures are :data:`FIGURE_WIDTH` (9.6 in) wide, shown at 100 dpi, i.e.
  about 960 CSS px, the width of a profile page's content: text set at 9 pt or more
  (captions :data:`CAPTION_SIZE`) is 9 pt or more on screen.
* **Resolution** — :data:`SCREEN_DPI` (100) for notebooks and HTML pages, as palette
  PNG (:func:`png_bytes`); :data:`PRINT_DPI` (300) for files written with
  :func:`migstats.maps.save_figure`.
"""

from __future__ import annotations

import io
import textwrap
from contextlib import contextmanager
from pathlib import Path

import matplotlib as mpl
import numpy as np

__all__ = [
    "FONT_FAMILY", "FONT_SIZE", "RC", "STYLE_FILE", "context", "class_colours", "SEQUENTIAL_CMAP",
    "NO_DATA_COLOUR", "NO_DATA_EDGE", "NO_DATA_HATCH", "ZERO_COLOUR", "FOCUS_COLOUR", "FOCUS_EDGE",
    "FOCUS_LINEWIDTH", "LAND_COLOUR", "OCEAN_COLOUR", "BORDER_COLOUR", "OUTLINE_COLOUR",
    "MARKER_EDGE", "SYMBOL_COLOUR", "SERIES", "FIGURE_WIDTH", "MAP_SIZE", "MAP_SIZE_SMALL",
    "CHART_SIZE", "CHART_SIZE_WIDE", "PRINT_DPI", "SCREEN_DPI", "TITLE_SIZE", "SUBTITLE_SIZE",
    "LABEL_SIZE", "CAPTION_SIZE", "CAPTION_COLOUR", "add_caption", "add_title", "no_data_panel",
    "alt_text", "format_number", "thousands", "png_bytes", "wrap", "title_height", "caption_height",
    "MARGIN",
]

#: The matplotlib style file of the house style (``matplotlib.style.use(STYLE_FILE)``).
STYLE_FILE = Path(__file__).with_name("migstats.mplstyle")

#: matplotlib rcParams of the house style (applied only inside :func:`context`).
RC = dict(mpl.rc_params_from_file(str(STYLE_FILE), use_default_template=False))

#: Preferred fonts, first found wins; DejaVu Sans ships with matplotlib.
FONT_FAMILY = list(RC["font.sans-serif"])
#: Base font size (points).
FONT_SIZE = float(RC["font.size"])
#: Title, subtitle, map label and caption sizes (points; all >= 9 at display size).
TITLE_SIZE = 13.0
SUBTITLE_SIZE = 10.0
LABEL_SIZE = 9.0
CAPTION_SIZE = 9.0
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

NO_DATA_COLOUR = "#d4d4d4"
NO_DATA_EDGE = "#a0a0a0"   # also the hatch colour (matplotlib draws hatches in the edge colour)
NO_DATA_HATCH = "////"
#: Fill of a value of exactly zero on a choropleth (white-ish, outlined: not a class colour
#: and not the no-data grey).
ZERO_COLOUR = "#fbfbf6"
FOCUS_COLOUR = "#d95f02"
FOCUS_EDGE = "#000000"
FOCUS_LINEWIDTH = 1.1
#: Land that is not part of the statistics (Antarctica, French Southern Territories),
#: land outside a map's region, and land without a value on a proportional-symbol map.
LAND_COLOUR = "#e2e2e2"
OCEAN_COLOUR = "#eef4f9"
BORDER_COLOUR = "#ffffff"
OUTLINE_COLOUR = "#8c8c8c"
MARKER_EDGE = "#333333"
#: Fill of proportional circles (ColorBrewer YlGnBu dark blue; the focus orange stays apart).
SYMBOL_COLOUR = "#2c7fb8"

#: Okabe-Ito colours with a marker and dash per series (survive greyscale).
SERIES = {
    "immigrants": dict(color="#0072B2", marker="o", linestyle="-"),
    "emigrants": dict(color="#D55E00", marker="s", linestyle="--"),
    "received": dict(color="#0072B2", marker="o", linestyle="-"),
    "paid": dict(color="#D55E00", marker="s", linestyle="--"),
    "share": dict(color="#009E73", marker="^", linestyle="-"),
    "bars": dict(color="#2c7fb8"),
}

#: Width of every figure (inches): the content width of a profile page at 100 dpi.
FIGURE_WIDTH = 9.6
#: Figure sizes (inches). Maps without a ``figsize`` take their height from their extent.
MAP_SIZE = (FIGURE_WIDTH, 5.0)
MAP_SIZE_SMALL = (5.0, 2.6)
CHART_SIZE = (FIGURE_WIDTH, 6.0)
CHART_SIZE_WIDE = (FIGURE_WIDTH, 4.8)
#: Resolution for print and for screen (dots per inch).
PRINT_DPI = 300
SCREEN_DPI = int(RC["figure.dpi"])


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


#: Left and right margin of titles and captions (inches).
MARGIN = 0.12
_LINE = 1.25  # line height as a multiple of the font size


def wrap(text: str, width_in: float, size: float = CAPTION_SIZE) -> str:
    """``text`` wrapped to lines that fit ``width_in`` inches at ``size`` points.

    The line length is counted in characters of 0.56 em, the mean advance of DejaVu Sans
    (the widest of the house fonts), so a wrapped line never runs off the figure.
    """
    chars = max(30, int(width_in * 72 / (size * 0.56)))
    return "\n".join(textwrap.wrap(text, chars)) if text else ""


def text_height(text: str, size: float) -> float:
    """Height of (possibly multi-line) ``text`` at ``size`` points, in inches."""
    lines = text.count("\n") + 1 if text else 0
    return lines * size * _LINE / 72


def title_height(fig_width: float, title: str, subtitle: str = "") -> float:
    """Inches taken by the title block of :func:`add_title` at the top of a figure."""
    w = fig_width - 2 * MARGIN
    h = 0.1 + text_height(wrap(title, w, TITLE_SIZE), TITLE_SIZE)
    if subtitle:
        h += 0.04 + text_height(wrap(subtitle, w, SUBTITLE_SIZE), SUBTITLE_SIZE)
    return h + 0.08


def caption_height(fig_width: float, caption: str) -> float:
    """Inches taken by the caption of :func:`add_caption` at the bottom of a figure."""
    return 0.08 + text_height(wrap(caption, fig_width - 2 * MARGIN), CAPTION_SIZE) + 0.06


def add_title(fig, title: str, subtitle: str = "", *, ax=None) -> None:
    """Title (bold) and optional subtitle at the top of the figure, left-aligned.

    They take :func:`title_height` inches; with ``ax``, the title goes on the axes.
    """
    if ax is not None:
        ax.set_title(title + (f"\n{subtitle}" if subtitle else ""), loc="left", fontsize=FONT_SIZE + 1)
        return
    w, h = fig.get_size_inches()
    y = 1 - 0.1 / h
    t = wrap(title, w - 2 * MARGIN, TITLE_SIZE)
    fig.text(MARGIN / w, y, t, ha="left", va="top", fontsize=TITLE_SIZE, fontweight="bold",
             gid="migstats-title")
    if subtitle:
        y -= (text_height(t, TITLE_SIZE) + 0.04) / h
        fig.text(MARGIN / w, y, wrap(subtitle, w - 2 * MARGIN, SUBTITLE_SIZE), ha="left", va="top",
                 fontsize=SUBTITLE_SIZE, color=CAPTION_COLOUR, gid="migstats-subtitle")


def add_caption(fig, caption: str, *, ax=None) -> None:
    """Source caption at the bottom left of the figure (or below ``ax``), wrapped to its width.

    It takes :func:`caption_height` inches. Also stored as ``fig.migstats_caption``.
    """
    w, h = fig.get_size_inches()
    wrapped = wrap(caption, w - 2 * MARGIN)
    if ax is not None:
        ax.text(0.0, -0.02, wrapped, transform=ax.transAxes, ha="left", va="top",
                fontsize=CAPTION_SIZE, color=CAPTION_COLOUR, gid="migstats-caption")
    else:
        fig.text(MARGIN / w, 0.06 / h, wrapped, ha="left", va="bottom", fontsize=CAPTION_SIZE,
                 color=CAPTION_COLOUR, gid="migstats-caption", linespacing=1.15)
    fig.migstats_caption = caption


def png_bytes(fig, dpi: float | None = None, colours: int = 128) -> bytes:
    """``fig`` as a palette PNG for screens (notebooks, HTML pages).

    Drawn at ``dpi`` (default the figure's own, :data:`SCREEN_DPI` for migstats figures)
    inside :func:`context`, then reduced to at most ``colours`` colours (Pillow's fast
    octree quantiser; text edges keep their anti-aliasing): about a fifth of the bytes of
    matplotlib's full-colour PNG, and faster, as the full-colour image is never encoded.
    Print files come from :func:`migstats.maps.save_figure` at :data:`PRINT_DPI`.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    dpi = dpi or fig.dpi
    with context():
        if isinstance(fig.canvas, FigureCanvasAgg) and dpi == fig.dpi:
            fig.canvas.draw()
            w, h = fig.canvas.get_width_height(physical=True)
            im = Image.frombuffer("RGBA", (w, h), fig.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        else:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
            buf.seek(0)
            im = Image.open(buf)
            im.load()
    pal = im.convert("RGB").quantize(colors=colours, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    pal.save(out, format="PNG", compress_level=6, dpi=(dpi, dpi))
    return out.getvalue()


def no_data_panel(ax, message: str, *, title: str = "No data"):
    """Write a clear "No data" notice in the middle of ``ax`` and return the Text."""
    body = "\n".join(textwrap.wrap(message, 60)) if message else ""
    return ax.text(0.5, 0.5, f"{title}\n{body}" if body else title, transform=ax.transAxes,
                   ha="center", va="center", fontsize=FONT_SIZE + 0.5, color="#333333", zorder=10,
                   gid="migstats-no-data",
                   bbox=dict(boxstyle="round,pad=0.6", facecolor="white", edgecolor=OUTLINE_COLOUR,
                             linewidth=0.8, alpha=0.95))


def alt_text(fig) -> str:
    """The one-line text alternative of a migstats figure (``fig.migstats_alt``)."""
    return getattr(fig, "migstats_alt", "")
