"""Maps of migration: diaspora and origin choropleths, corridor lines, world indicators.

All maps use the Equal Earth projection (EPSG:8857; equal-area, so country sizes are
comparable) and the house style of :mod:`migstats.style`:

* values are classed with :mod:`mapclassify` (quantiles or Fisher-Jenks) and the legend
  prints every class's range with its unit (``"1,000–5,000 persons"``);
* areas without a value are light grey with a hatch ("No data"), named in the legend;
* the focus country has its own colour and a black outline;
* small states with no polygon at the map's scale are drawn as circles (coloured by
  class) at the point of :func:`migstats.store.load` ``("area_points")``;
* a caption names the source (publisher, title, edition) and the data year.

Every function returns a matplotlib :class:`~matplotlib.figure.Figure` that is *not*
registered with pyplot (Jupyter shows it when returned; no ``plt.close`` needed) and
carries three attributes:

``fig.migstats_alt``
    a one-line text alternative (also :func:`alt_text`);
``fig.migstats_caption``
    the caption text;
``fig.migstats_data``
    a DataFrame of what was drawn: ``location_code``, ``iso3``, ``name``, ``value``,
    ``class_index`` (0 = lowest class; ``<NA>`` for no data and the focus), ``colour``
    (hex fill), ``edgecolor``, ``drawn_as`` (``"polygon"``, ``"marker"`` or ``"line"``)
    and ``focus`` (bool).

Boundaries are projected once per process, scale and store build, and kept as
matplotlib paths, so a map costs a classification and one patch collection per style.
"""

from __future__ import annotations

import math
import os
import tempfile
import textwrap
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import Normalize, to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
import matplotlib.patheffects as path_effects

from . import indicators, locations, store, style
from .countries import resolve
from .exceptions import DataNotAvailableError

__all__ = [
    "EQUAL_EARTH", "SCHEMES", "diaspora_map", "origins_map", "corridor_map", "world_map",
    "save_figure", "alt_text", "projected_boundaries", "classify", "class_labels",
    "great_circle",
]

#: Equal Earth projection (Šavrič, Patterson & Jenny 2018), EPSG:8857.
EQUAL_EARTH = "EPSG:8857"
#: Classification schemes: name -> mapclassify class name.
SCHEMES = {"quantiles": "Quantiles", "fisher_jenks": "FisherJenks"}
_SCHEME_WORDS = {"quantiles": "quantile", "fisher_jenks": "Fisher-Jenks"}

alt_text = style.alt_text


# -- projected boundaries, cached per process ---------------------------------------------------
@dataclass
class _BaseMap:
    """Boundaries of one scale in Equal Earth, ready to draw."""

    scale: str
    frame: object                 # GeoDataFrame in EPSG:8857
    codes: np.ndarray             # int64 location code per polygon row, -1 = not a UN DESA area
    paths: list                   # matplotlib Path per row
    outline: MplPath              # the Equal Earth sphere outline
    polygon_codes: frozenset
    points: dict                  # location_code -> (x, y) projected area point
    lonlat: dict                  # location_code -> (lon, lat)
    bounds: dict                  # location_code -> (xmin, ymin, xmax, ymax)
    names: dict                   # location_code -> short name
    iso3: dict                    # location_code -> ISO3


_BASE: dict[tuple, _BaseMap] = {}
_TRANSFORMER = None


def _transformer():
    global _TRANSFORMER
    if _TRANSFORMER is None:
        from pyproj import Transformer

        _TRANSFORMER = Transformer.from_crs("EPSG:4326", EQUAL_EARTH, always_xy=True)
    return _TRANSFORMER


def _geometry_path(geom) -> MplPath:
    """One compound Path (exteriors and holes) of a (multi)polygon."""
    verts, codes = [], []
    for poly in getattr(geom, "geoms", [geom]):
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)[:, :2]
            if len(xy) < 3:
                continue
            c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return MplPath(np.zeros((0, 2)))
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _sphere_outline() -> MplPath:
    lon = np.linspace(-180, 180, 181)
    lat = np.linspace(90, -90, 91)
    xs = np.concatenate([lon, np.full_like(lat, 180.0), lon[::-1], np.full_like(lat, -180.0)[::-1]])
    ys = np.concatenate([np.full_like(lon, 90.0), lat, np.full_like(lon, -90.0), lat[::-1]])
    x, y = _transformer().transform(xs, ys)
    return MplPath(np.column_stack([x, y]), closed=False)


def _base(scale: str, data_dir=None) -> _BaseMap:
    key = (scale, str(locations.processed_dir(data_dir).resolve()), store.build_id(data_dir))
    base = _BASE.get(key)
    if base is not None:
        return base
    g = store.load_boundaries(scale, data_dir).to_crs(EQUAL_EARTH)
    codes = g["location_code"].astype("float64").fillna(-1).astype("int64").to_numpy()
    paths = [_geometry_path(geom) for geom in g.geometry]
    bounds = {}
    for code, b in zip(codes, g.geometry.bounds.to_numpy()):
        if code < 0:
            continue
        old = bounds.get(int(code))
        bounds[int(code)] = tuple(b) if old is None else (
            min(old[0], b[0]), min(old[1], b[1]), max(old[2], b[2]), max(old[3], b[3]))
    pts = store.load("area_points", data_dir)
    x, y = _transformer().transform(pts["lon"].to_numpy(), pts["lat"].to_numpy())
    ct = store.load("countries", data_dir)
    base = _BaseMap(
        scale=scale, frame=g, codes=codes, paths=paths, outline=_sphere_outline(),
        polygon_codes=frozenset(int(c) for c in codes if c >= 0),
        points={int(c): (float(a), float(b)) for c, a, b in zip(pts["location_code"], x, y)},
        lonlat={int(c): (float(a), float(b)) for c, a, b in zip(pts["location_code"], pts["lon"], pts["lat"])},
        bounds=bounds,
        names=dict(zip(ct["location_code"].astype(int), ct["short_name"].fillna(ct["name"]))),
        iso3=dict(zip(ct["location_code"].astype(int), ct["iso3"])),
    )
    if len(_BASE) > 8:
        _BASE.clear()
    _BASE[key] = base
    return base


def projected_boundaries(scale: str = "110m", *, data_dir=None):
    """Natural Earth boundaries in Equal Earth (EPSG:8857), projected once per process.

    Returns the cached GeoDataFrame (``location_code``, ``iso3``, ``name``, ``geometry``);
    treat it as read-only.
    """
    if scale not in ("110m", "50m"):
        raise ValueError(f"scale must be '110m' or '50m', not {scale!r}")
    return _base(scale, data_dir).frame


# -- classification and legend labels -----------------------------------------------------------
def classify(values, k: int = 5, scheme: str = "quantiles") -> tuple[np.ndarray, np.ndarray]:
    """Class breaks and class indices of ``values`` with :mod:`mapclassify`.

    Parameters
    ----------
    values : array-like of float
        Values without NaN.
    k : int
        Number of classes asked for; fewer when there are fewer distinct values.
    scheme : {"quantiles", "fisher_jenks"}
        Quantiles (equal counts per class) or Fisher-Jenks natural breaks.

    Returns
    -------
    bins : ndarray
        Upper bound of each class (the last equals the maximum), in the values' unit.
    yb : ndarray of int
        Class index (0 = lowest) of each value.
    """
    import mapclassify

    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {list(SCHEMES)}, not {scheme!r}")
    y = np.asarray(values, dtype="float64")
    if y.size == 0:
        return np.array([]), np.array([], dtype="int64")
    k_eff = int(min(max(k, 1), np.unique(y).size))
    if k_eff <= 1:
        return np.array([y.max()]), np.zeros(y.size, dtype="int64")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # "Numba not installed", "not enough unique values"
        c = getattr(mapclassify, SCHEMES[scheme])(y, k=k_eff)
    bins = np.asarray(c.bins, dtype="float64")
    yb = np.asarray(c.yb, dtype="int64")
    used = np.unique(yb)   # drop empty classes (quantiles of tied values)
    if used.size < bins.size:
        remap = {old: new for new, old in enumerate(used)}
        bins = bins[used]
        yb = np.array([remap[v] for v in yb], dtype="int64")
    return bins, yb


def _unit_suffix(unit: str) -> str:
    u = (unit or "").lower()
    return " persons" if "person" in u else ""


def class_labels(vmin: float, bins, unit: str) -> list[str]:
    """Legend labels of the classes, with the unit: ``["18–1,000 persons", ...]``.

    Class ``i`` runs from the upper bound of class ``i - 1`` (exclusive; ``vmin`` for the
    first) to ``bins[i]`` (inclusive). Decimals grow until distinct bounds print distinctly.
    """
    bounds = [vmin, *bins]
    decimals = None
    if "person" not in (unit or "").lower():
        for d in (1, 2, 3):
            shown = {style.format_number(v, unit, d) for v in bounds}
            decimals = d
            if len(shown) == len(set(bounds)):
                break
    out = []
    for i, hi in enumerate(bins):
        lo = vmin if i == 0 else bins[i - 1]
        a, b = style.format_number(lo, unit, decimals), style.format_number(hi, unit, decimals)
        out.append((f"{a}–{b}" if a != b else a) + _unit_suffix(unit))
    return out


# -- figure scaffolding ---------------------------------------------------------------------------
def _new_map(ax, figsize, dpi):
    if ax is not None:
        return ax.figure, ax, False
    fig = Figure(figsize=figsize or style.MAP_SIZE, dpi=dpi or style.SCREEN_DPI)
    ax = fig.add_axes((0.005, 0.075, 0.78, 0.78))
    return fig, ax, True


def _frame(ax, base: _BaseMap) -> None:
    ax.add_patch(PathPatch(base.outline, facecolor=style.OCEAN_COLOUR, edgecolor=style.OUTLINE_COLOUR,
                           linewidth=0.6, zorder=0))
    ext = base.outline.get_extents()
    ax.set_xlim(ext.x0 * 1.01, ext.x1 * 1.01)
    ax.set_ylim(ext.y0 * 1.02, ext.y1 * 1.02)
    ax.set_aspect("equal")
    ax.set_axis_off()


def _collection(paths, *, gid, **kw):
    pc = PathCollection(paths, **kw)
    pc.set_gid(gid)
    return pc


def _finish(fig, ax, own, *, title, subtitle, caption, alt, data):
    if own:
        style.add_title(fig, title, subtitle)
        style.add_caption(fig, caption)
    else:
        style.add_title(fig, title, subtitle, ax=ax)
        style.add_caption(fig, caption, ax=ax)
    fig.migstats_alt = alt
    fig.migstats_data = data.reset_index(drop=True)
    return fig


def _record(rows) -> pd.DataFrame:
    cols = ["location_code", "iso3", "name", "value", "class_index", "colour", "edgecolor",
            "drawn_as", "focus"]
    df = pd.DataFrame(rows, columns=cols)
    return df.astype({"location_code": "int32", "value": "float64", "class_index": "Int64",
                      "focus": "bool"})


def _draw_choropleth(ax, base: _BaseMap, values: pd.Series, *, unit, k, scheme, focus, highlight,
                     context_codes=None, legend_title, no_data_label, focus_label=None):
    """Draw classed polygons, no-data polygons, markers, the focus and the legend.

    ``focus`` codes are filled with the focus colour (they have no value on this map);
    ``highlight`` codes keep their class colour and get a focus-coloured outline.
    ``context_codes`` (if given) limits the map's areas; other land is drawn plain.
    Returns the record rows and the number of classes.
    """
    values = values.dropna()
    values = values[~values.index.isin(focus)]
    bins, yb = classify(values.to_numpy(), k, scheme)
    colours = style.class_colours(len(bins))
    cls = dict(zip(values.index.astype(int), yb))
    val = dict(zip(values.index.astype(int), values.to_numpy()))

    groups = {"land": [], "nodata": [], "classed": [], "focus": []}
    fills = []
    drawn_codes = {}
    for code, path in zip(base.codes, base.paths):
        code = int(code)
        if code in focus:
            groups["focus"].append(path)
            drawn_codes[code] = "focus"
        elif code < 0 or (context_codes is not None and code not in context_codes):
            groups["land"].append(path)
        elif code in cls:
            groups["classed"].append(path)
            fills.append(colours[cls[code]])
            drawn_codes[code] = "classed"
        else:
            groups["nodata"].append(path)
            drawn_codes[code] = "nodata"

    ax.add_collection(_collection(groups["land"], gid="migstats-land", facecolor=style.LAND_COLOUR,
                                  edgecolor=style.BORDER_COLOUR, linewidth=0.3, zorder=1))
    ax.add_collection(_collection(groups["nodata"], gid="migstats-no-data", facecolor=style.NO_DATA_COLOUR,
                                  edgecolor=style.NO_DATA_EDGE, linewidth=0.2, hatch=style.NO_DATA_HATCH,
                                  zorder=1))
    ax.add_collection(_collection(groups["classed"], gid="migstats-classes", facecolor=fills,
                                  edgecolor=style.BORDER_COLOUR, linewidth=0.3, zorder=2))
    ax.add_collection(_collection(groups["focus"], gid="migstats-focus", facecolor=style.FOCUS_COLOUR,
                                  edgecolor=style.FOCUS_EDGE, linewidth=style.FOCUS_LINEWIDTH, zorder=3))
    hl_paths = [p for c, p in zip(base.codes, base.paths) if int(c) in highlight]
    if hl_paths:
        ax.add_collection(_collection(hl_paths, gid="migstats-highlight", facecolor="none",
                                      edgecolor=style.FOCUS_COLOUR, linewidth=1.6, zorder=3))

    # small states without a polygon: circles coloured by class; the focus as a large circle
    mk = [c for c in cls if c not in base.polygon_codes and c in base.points]
    if mk:
        xy = np.array([base.points[c] for c in mk])
        sc = ax.scatter(xy[:, 0], xy[:, 1], s=16, c=[colours[cls[c]] for c in mk],
                        edgecolors=[style.FOCUS_COLOUR if c in highlight else style.MARKER_EDGE for c in mk],
                        linewidths=[1.2 if c in highlight else 0.45 for c in mk], zorder=4)
        sc.set_gid("migstats-markers")
    fmk = [c for c in focus if c not in base.polygon_codes and c in base.points]
    if fmk:
        xy = np.array([base.points[c] for c in fmk])
        sc = ax.scatter(xy[:, 0], xy[:, 1], s=60, c=style.FOCUS_COLOUR, edgecolors=style.FOCUS_EDGE,
                        linewidths=style.FOCUS_LINEWIDTH, zorder=5)
        sc.set_gid("migstats-focus-marker")

    # legend: classes, no data, focus, markers
    handles = [Patch(facecolor=c, edgecolor="#bdbdbd", linewidth=0.4, label=lab)
               for c, lab in zip(colours, class_labels(values.min() if len(values) else 0.0, bins, unit))]
    handles.append(Patch(facecolor=style.NO_DATA_COLOUR, edgecolor=style.NO_DATA_EDGE, linewidth=0.4,
                         hatch=style.NO_DATA_HATCH, label=no_data_label))
    focus_labels = [focus_label] if focus_label and focus else [base.names.get(code, str(code)) for code in focus]
    for label in focus_labels:  # one entry for a group's members
        handles.append(Patch(facecolor=style.FOCUS_COLOUR, edgecolor=style.FOCUS_EDGE,
                             linewidth=style.FOCUS_LINEWIDTH, label=label))
    for code in highlight:
        handles.append(Patch(facecolor="none", edgecolor=style.FOCUS_COLOUR, linewidth=1.6,
                             label=f"{base.names.get(code, str(code))} (highlighted)"))
    if mk:
        handles.append(Line2D([], [], marker="o", linestyle="none", markersize=5,
                              markerfacecolor=colours[-1], markeredgecolor=style.MARKER_EDGE,
                              markeredgewidth=0.45, label="Small state (marker)"))
    leg = ax.legend(handles=handles, title=textwrap.fill(legend_title, 30) if legend_title else None, loc="center left", bbox_to_anchor=(1.0, 0.5),
                    alignment="left", handlelength=1.6, handleheight=1.1, borderaxespad=0.3)
    leg.set_gid("migstats-legend")

    # the record of what was drawn
    rows = []
    for code, how in drawn_codes.items():
        if how == "classed":
            i = int(cls[code])
            rows.append((code, base.iso3.get(code), base.names.get(code), val[code], i, colours[i],
                         style.FOCUS_COLOUR if code in highlight else style.BORDER_COLOUR, "polygon",
                         code in highlight))
        elif how == "nodata":
            rows.append((code, base.iso3.get(code), base.names.get(code), np.nan, pd.NA,
                         style.NO_DATA_COLOUR, style.NO_DATA_EDGE, "polygon", False))
    for code in mk:
        i = int(cls[code])
        rows.append((code, base.iso3.get(code), base.names.get(code), val[code], i, colours[i],
                     style.FOCUS_COLOUR if code in highlight else style.MARKER_EDGE, "marker",
                     code in highlight))
    for code in focus:
        how = "polygon" if code in base.polygon_codes else "marker"
        rows.append((code, base.iso3.get(code), base.names.get(code), np.nan, pd.NA, style.FOCUS_COLOUR,
                     style.FOCUS_EDGE, how, True))
    return rows, bins


def _no_data_map(ax, base, focus, message):
    """Base map with the focus highlighted and a "No data" notice."""
    _draw_choropleth(ax, base, pd.Series(dtype="float64"), unit="", k=1, scheme="quantiles",
                     focus=focus, highlight=[], legend_title=None, no_data_label="No data")
    style.no_data_panel(ax, message)


# -- public maps ------------------------------------------------------------------------------------
def _check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {list(SCHEMES)}, not {scheme!r}")


def _partner_map(country, year, direction, *, scale, k, scheme, ax, data_dir, figsize, dpi):
    _check_scheme(scheme)
    c = indicators.subject(country, data_dir=data_dir)  # a country, or a Group (its members in focus)
    focus = [int(m) for m in c.members] if hasattr(c, "members") else [c.location_code]
    base = _base(scale, data_dir)
    fig, ax, own = _new_map(ax, figsize, dpi)
    with style.context():
        _frame(ax, base)
        emi = direction == "emigrants"
        word = "Emigrants from" if emi else "Immigrants in"
        what = "by country of destination" if emi else "by country of origin"
        try:
            cor = indicators.corridors(c, year, direction, top_n=None, data_dir=data_dir)
        except DataNotAvailableError as exc:
            cor, reason = None, str(exc)
        if cor is None or cor.empty:
            if cor is not None:
                reason = (f"The bilateral data ({cor.attrs['source']}, {cor.attrs['year']}) record no "
                          f"{'emigrants from' if emi else 'immigrants in'} {c.name} "
                          f"{'in any destination' if emi else 'from any origin'}.")
            _no_data_map(ax, base, focus, reason)
            dyear = cor.attrs["year"] if cor is not None else year
            src = cor.attrs["source"] if cor is not None else "no bilateral source in the store"
            data = _record([(code, resolve(code, data_dir=data_dir).iso3, base.names.get(code, c.name), np.nan,
                             pd.NA, style.FOCUS_COLOUR, style.FOCUS_EDGE,
                             "polygon" if code in base.polygon_codes else "marker", True) for code in focus])
            return _finish(fig, ax, own, title=f"{word} {c.name} {what}, {dyear}",
                           subtitle="No data", caption=f"Source: {src}, {dyear}. {reason}",
                           alt=f"World map with no data: {reason}", data=data)
        values = pd.Series(cor["migrants"].to_numpy(), index=cor["location_code"].astype(int))
        dyear, src = cor.attrs["year"], cor.attrs["source"]
        legend_title = f"{'Emigrants' if emi else 'Immigrants'} (persons)"
        rows, bins = _draw_choropleth(
            ax, base, values, unit="persons", k=k, scheme=scheme, focus=focus, highlight=[],
            focus_label=f"{c.name} (members)" if hasattr(c, "members") else None,
            legend_title=legend_title, no_data_label="No data (none recorded)")
        total = cor.attrs["total"]
        unknown = cor.attrs.get("unknown_share_pct", float("nan"))
        sub = f"{style.thousands(total)} persons in {len(cor)} {'destinations' if emi else 'origins'}"
        if dyear != year:
            sub += f"; bilateral data for {dyear}, the year nearest to {year} in the store"
        cap = (f"Source: {src}, {dyear}. {len(bins)} classes ({_SCHEME_WORDS[scheme]}); "
               f"Equal Earth projection, Natural Earth 1:{scale.rstrip('m')} million boundaries.")
        if unknown and not math.isnan(unknown) and unknown > 0:
            cap += f" {unknown:.1f}% of the total ({'destination' if emi else 'origin'} unknown) is not mapped."
        top = ", ".join(f"{n} ({style.thousands(v)})" for n, v in zip(cor["name"].head(3), cor["migrants"].head(3)))
        alt = (f"World map of {style.thousands(total)} {'emigrants from' if emi else 'immigrants in'} {c.name} "
               f"{what} in {dyear} ({src}): largest in {top}; {len(cor)} "
               f"{'destinations' if emi else 'origins'} in {len(bins)} {_SCHEME_WORDS[scheme]} classes.")
        return _finish(fig, ax, own, title=f"{word} {c.name} {what}, {dyear}", subtitle=sub,
                       caption=cap, alt=alt, data=_record(rows))


def diaspora_map(country, year: int = 2024, *, scale: str = "110m", k: int = 5, scheme: str = "quantiles",
                 ax=None, data_dir=None, figsize=None, dpi=None) -> Figure:
    """Choropleth of a country's emigrants by country of destination.

    Parameters
    ----------
    country : str or int
        Any input :func:`migstats.resolve` accepts.
    year : int
        Year asked for; the bilateral dataset nearest to it is used
        (:func:`migstats.indicators.corridors`) and its year is printed.
    scale : {"110m", "50m"}
        Natural Earth scale (1:110 million or 1:50 million).
    k : int
        Number of classes (fewer when there are fewer distinct values).
    scheme : {"quantiles", "fisher_jenks"}
        Classification (:func:`classify`).
    ax : matplotlib Axes, optional
        Draw into this axes instead of a new figure.
    figsize : (float, float), optional
        Figure size in inches (default :data:`migstats.style.MAP_SIZE`).
    dpi : float, optional
        Figure resolution on screen (dots per inch; saving uses :func:`save_figure`'s).

    Returns
    -------
    matplotlib.figure.Figure
        With ``migstats_alt``, ``migstats_caption`` and ``migstats_data`` (see module docs).
        Values are persons; an area with no emigrants recorded is "No data".
    """
    return _partner_map(country, year, "emigrants", scale=scale, k=k, scheme=scheme, ax=ax,
                        data_dir=data_dir, figsize=figsize, dpi=dpi)


def origins_map(country, year: int = 2024, *, scale: str = "110m", k: int = 5, scheme: str = "quantiles",
                ax=None, data_dir=None, figsize=None, dpi=None) -> Figure:
    """Choropleth of the immigrants living in ``country`` by country of origin (persons).

    Parameters as :func:`diaspora_map`. Immigrants of unknown origin are not mapped;
    the caption gives their share.
    """
    return _partner_map(country, year, "immigrants", scale=scale, k=k, scheme=scheme, ax=ax,
                        data_dir=data_dir, figsize=figsize, dpi=dpi)


def great_circle(lon1: float, lat1: float, lon2: float, lat2: float, n: int = 96) -> list[np.ndarray]:
    """The geodesic between two points (WGS84), split at the antimeridian.

    Returns a list of ``(m, 2)`` arrays of lon/lat (degrees); two arrays when the line
    crosses 180°, so that a projected map shows no streak across it.
    """
    from pyproj import Geod

    mid = Geod(ellps="WGS84").npts(lon1, lat1, lon2, lat2, n)
    pts = np.array([(lon1, lat1), *mid, (lon2, lat2)], dtype="float64")
    segs, cur = [], [pts[0]]
    for prev, nxt in zip(pts[:-1], pts[1:]):
        d = nxt[0] - prev[0]
        if abs(d) > 180:
            edge = 180.0 if prev[0] >= 0 else -180.0
            unwrapped = nxt[0] + (360.0 if edge > 0 else -360.0)
            t = (edge - prev[0]) / (unwrapped - prev[0]) if unwrapped != prev[0] else 0.0
            lat = prev[1] + t * (nxt[1] - prev[1])
            cur.append(np.array([edge, lat]))
            segs.append(np.array(cur))
            cur = [np.array([-edge, lat]), nxt]
        else:
            cur.append(nxt)
    segs.append(np.array(cur))
    return [s for s in segs if len(s) >= 2]


def corridor_map(country, year: int = 2024, direction: str = "emigrants", top_n: int = 10, *,
                 scale: str = "110m", ax=None, data_dir=None, figsize=None, dpi=None,
                 labels: bool = True) -> Figure:
    """Great-circle lines from a country to its top destinations (or from its top origins).

    Line width and colour grow with the stock (persons); lines crossing the antimeridian
    are split (:func:`great_circle`). Partners are labelled with short names.

    Parameters
    ----------
    direction : {"emigrants", "immigrants"}
        ``"emigrants"``: lines to the top ``top_n`` destinations; ``"immigrants"``: lines
        from the top ``top_n`` origins.
    top_n : int
        Number of corridors.
    labels : bool
        Label partners with their short names.

    Returns
    -------
    matplotlib.figure.Figure
        ``migstats_data`` has one ``"line"`` row per corridor (``value`` in persons,
        ``class_index`` = rank - 1, ``segments`` = pieces after the antimeridian split,
        ``linewidth``) and the focus row.
    """
    c = resolve(country, data_dir=data_dir)
    base = _base(scale, data_dir)
    emi = direction == "emigrants"
    fig, ax, own = _new_map(ax, figsize, dpi)
    with style.context():
        _frame(ax, base)
        try:
            cor = indicators.corridors(c, year, direction, top_n=top_n, data_dir=data_dir)
            reason = ""
        except DataNotAvailableError as exc:
            cor, reason = None, str(exc)
        title_word = (f"Top {top_n} destinations of emigrants from {c.name}" if emi
                      else f"Top {top_n} origins of immigrants in {c.name}")
        focus_row = (c.location_code, c.iso3, base.names.get(c.location_code, c.name), np.nan, pd.NA,
                     style.FOCUS_COLOUR, style.FOCUS_EDGE,
                     "polygon" if c.location_code in base.polygon_codes else "marker", True)
        if cor is None or cor.empty:
            if cor is not None:
                reason = (f"The bilateral data ({cor.attrs['source']}, {cor.attrs['year']}) record no "
                          f"{'emigrants from' if emi else 'immigrants in'} {c.name}.")
            _no_data_map(ax, base, [c.location_code], reason)
            dyear = cor.attrs["year"] if cor is not None else year
            src = cor.attrs["source"] if cor is not None else "no bilateral source in the store"
            data = _record([focus_row]).assign(segments=0, linewidth=np.nan)
            return _finish(fig, ax, own, title=f"{title_word}, {dyear}", subtitle="No data",
                           caption=f"Source: {src}, {dyear}. {reason}",
                           alt=f"Corridor map with no data: {reason}", data=data)
        # base: plain land, the focus highlighted
        _draw_choropleth(ax, base, pd.Series(dtype="float64"), unit="", k=1, scheme="quantiles",
                         focus=[c.location_code], highlight=[], context_codes=set(), legend_title=None,
                         no_data_label="")
        ax.get_legend().remove()
        vals = cor["migrants"].to_numpy()
        vmax = float(vals.max())
        norm = Normalize(vmin=0.0, vmax=vmax)
        import matplotlib as mpl

        cmap = mpl.colormaps[style.SEQUENTIAL_CMAP]
        lw = 0.7 + 4.3 * np.sqrt(vals / vmax)
        colours = [to_hex(cmap(0.5 + 0.5 * norm(v))) for v in vals]
        o_lon, o_lat = base.lonlat[c.location_code]
        tr = _transformer()
        segs, seg_lw, seg_col, rows = [], [], [], []
        for code, v, w, col, name in zip(cor["location_code"].astype(int), vals, lw, colours, cor["name"]):
            p_lon, p_lat = base.lonlat[code]
            pieces = great_circle(o_lon, o_lat, p_lon, p_lat) if emi else great_circle(p_lon, p_lat, o_lon, o_lat)
            for piece in pieces:
                x, y = tr.transform(piece[:, 0], piece[:, 1])
                segs.append(np.column_stack([x, y]))
                seg_lw.append(w)
                seg_col.append(col)
            rows.append((code, base.iso3.get(code), name, float(v), len(rows), col, col, "line", False,
                         len(pieces), float(w)))
        lc = LineCollection(segs, linewidths=seg_lw, colors=seg_col, capstyle="round", zorder=4, alpha=0.9)
        lc.set_gid("migstats-corridors")
        ax.add_collection(lc)
        ends = np.array([base.points[int(code)] for code in cor["location_code"]])
        ax.scatter(ends[:, 0], ends[:, 1], s=10, c=colours, edgecolors=style.MARKER_EDGE, linewidths=0.4,
                   zorder=5).set_gid("migstats-partners")
        ox, oy = base.points[c.location_code]
        ax.scatter([ox], [oy], s=36, c=style.FOCUS_COLOUR, edgecolors=style.FOCUS_EDGE,
                   linewidths=style.FOCUS_LINEWIDTH, zorder=6).set_gid("migstats-focus-marker")
        if labels:
            halo = [path_effects.withStroke(linewidth=2.2, foreground="white")]
            for (x, y), name in zip(ends, cor["name"]):
                ax.annotate(name, (x, y), xytext=(3, 2), textcoords="offset points", fontsize=6.5,
                            color="#222222", path_effects=halo, zorder=7)
        # legend: the focus, and line widths for three stock sizes
        picks = sorted({0, len(vals) // 2, len(vals) - 1})
        handles = [Patch(facecolor=style.FOCUS_COLOUR, edgecolor=style.FOCUS_EDGE,
                         linewidth=style.FOCUS_LINEWIDTH, label=c.name)]
        handles += [Line2D([], [], color=colours[i], linewidth=lw[i],
                           label=f"{style.thousands(vals[i])} persons") for i in picks]
        ax.legend(handles=handles, title=("Emigrants" if emi else "Immigrants") + " (persons)",
                  loc="center left", bbox_to_anchor=(1.0, 0.5), alignment="left").set_gid("migstats-legend")
        dyear, src = cor.attrs["year"], cor.attrs["source"]
        shown = float(cor["share_pct"].sum())
        sub = f"{shown:.1f}% of all {'emigrants' if emi else 'immigrants'} ({style.thousands(cor.attrs['total'])})"
        if dyear != year:
            sub += f"; bilateral data for {dyear}, the year nearest to {year} in the store"
        cap = (f"Source: {src}, {dyear}. Lines are geodesics (great circles); width and colour grow with "
               f"the stock. Equal Earth projection, Natural Earth 1:{scale.rstrip('m')} million boundaries.")
        top = ", ".join(f"{n} ({style.thousands(v)})" for n, v in zip(cor["name"].head(3), vals[:3]))
        alt = (f"World map with lines {'from' if emi else 'to'} {c.name} {'to' if emi else 'from'} its top "
               f"{len(cor)} {'destinations' if emi else 'origins'} in {dyear} ({src}); largest: {top}.")
        data = _record([r[:9] for r in rows] + [focus_row])
        data["segments"] = [r[9] for r in rows] + [0]
        data["linewidth"] = [r[10] for r in rows] + [np.nan]
        return _finish(fig, ax, own, title=f"{title_word}, {dyear}", subtitle=sub, caption=cap, alt=alt,
                       data=data)


def _codes(spec, data_dir) -> list[int]:
    if spec is None:
        return []
    if isinstance(spec, (list, tuple, set)):
        return [resolve(s, data_dir=data_dir).location_code for s in spec]
    return [resolve(spec, data_dir=data_dir).location_code]


def world_map(indicator: str, year: int = 2024, *, denominator: str = "population", region=None,
              k: int = 5, scheme: str = "quantiles", highlight=None, scale: str = "110m", ax=None,
              data_dir=None, figsize=None, dpi=None) -> Figure:
    """World (or regional) choropleth of one indicator.

    Parameters
    ----------
    indicator : str
        A name :func:`migstats.indicators.world_indicator` accepts, e.g. ``"immigrant_share"``
        (percent of population), ``"emigrant_share"`` (percent of ``denominator``),
        ``"immigrant_stock"`` (persons), ``"remittances_pct_gdp"``.
    year : int
        Reference year (UN DESA years for stocks and shares; any WDI year for remittances).
    denominator : {"population", "residents_plus_emigrants"}
        Denominator of the emigrant share (named in the legend).
    region : str or list, optional
        A group name (:func:`migstats.resolve_group`) or a list of countries: only these
        are classed and the map zooms to them; other land is plain.
    k, scheme, scale, ax, figsize, dpi
        As :func:`diaspora_map`.
    highlight : str or list, optional
        Countries outlined in the focus colour (their class fill is kept).
    """
    from .groups import resolve_group

    _check_scheme(scheme)
    base = _base(scale, data_dir)
    s = indicators.world_indicator(indicator, year, denominator=denominator, data_dir=data_dir)
    label, unit, src = s.attrs["label"], s.attrs["unit"], s.attrs["source"]
    members, rname = None, ""
    if region is not None:
        g = resolve_group(region, data_dir=data_dir)
        members = set(int(m) for m in g.members)
        rname = g.name if g.name != "Custom group" else ", ".join(base.names.get(m, str(m)) for m in sorted(members)[:6])
        s = s[s.index.isin(members)]
    hl = _codes(highlight, data_dir)
    fig, ax, own = _new_map(ax, figsize, dpi)
    with style.context():
        _frame(ax, base)
        short_unit = "%" if "percent" in unit else unit
        rows, bins = _draw_choropleth(ax, base, s, unit=unit, k=k, scheme=scheme, focus=[], highlight=hl,
                                      context_codes=members, legend_title=f"{label}\n({short_unit})",
                                      no_data_label="No data")
        if members:
            _zoom(ax, base, members)
        if s.dropna().empty:
            style.no_data_panel(ax, f"{label}: no values for {year}" + (f" in {rname}" if rname else "") + ".")
        vals = s.dropna()
        title = f"{label}, {year}" + (f" — {rname}" if rname else "")
        sub = f"{len(vals)} areas with data; {len(bins)} classes ({_SCHEME_WORDS[scheme]})"
        cap = (f"Source: {src}, {year}. Unit: {unit}. Equal Earth projection, Natural Earth "
               f"1:{scale.rstrip('m')} million boundaries.")
        if len(vals):
            hi = vals.sort_values(ascending=False).head(3)
            top = ", ".join(f"{base.names.get(int(i), i)} ({style.format_number(v, unit)})" for i, v in hi.items())
            alt = (f"{'Regional' if members else 'World'} map of {label.lower()} in {year} ({src}), "
                   f"{len(vals)} areas in {len(bins)} classes; highest: {top}.")
        else:
            alt = f"Map of {label.lower()} in {year}: no data."
        return _finish(fig, ax, own, title=title, subtitle=sub, caption=cap, alt=alt, data=_record(rows))


def _zoom(ax, base: _BaseMap, members) -> None:
    boxes = [base.bounds[m] for m in members if m in base.bounds]
    boxes += [(x, y, x, y) for m in members if m not in base.bounds and m in base.points
              for x, y in [base.points[m]]]
    if not boxes:
        return
    b = np.array(boxes)
    x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    px, py = max((x1 - x0) * 0.06, 2e5), max((y1 - y0) * 0.06, 2e5)
    ax.set_xlim(x0 - px, x1 + px)
    ax.set_ylim(y0 - py, y1 + py)


# -- saving ------------------------------------------------------------------------------------------
def save_figure(fig, path, formats=("png", "svg"), dpi: int = style.PRINT_DPI) -> list[Path]:
    """Write ``fig`` in each format, atomically (temporary file + :func:`os.replace`).

    Parameters
    ----------
    fig : matplotlib Figure
    path : path
        Output path; its suffix (if any) is replaced by each format's.
    formats : sequence of str
        e.g. ``("png", "svg", "pdf")``.
    dpi : int
        Resolution of raster output (dots per inch; 300 for print).

    Returns
    -------
    list of Path
        The files written. The alt text goes into the files' metadata (``Description``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    alt = alt_text(fig)
    title = ""
    out = []
    for fmt in formats:
        target = path.with_suffix(f".{fmt}")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=f".{fmt}", dir=target.parent)
        os.close(fd)
        meta = None
        if fmt == "png":
            meta = {"Description": alt, "Software": "migstats"}
        elif fmt == "svg":
            meta = {"Description": alt, "Title": title or target.stem}
        elif fmt == "pdf":
            meta = {"Subject": alt}
        try:
            with style.context():
                fig.savefig(tmp, format=fmt, dpi=dpi, metadata=meta)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        out.append(target)
    return out
