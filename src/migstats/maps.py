"""Maps of migration: diaspora and origin symbols, corridor lines, world indicators.

Cartography
-----------
* **Projection** — Equal Earth (Šavrič, Patterson & Jenny 2018; EPSG:8857 at Greenwich),
  equal-area so that country sizes compare. Maps of one country are centred on its
  longitude (rounded to 10°, :func:`central_meridian`): the Philippines' lines to North
  America cross the Pacific instead of being cut at the edge, and Tuvalu sits in the
  middle, not on the rim. Boundaries are cut at the opposite meridian before projection.
* **Counts** (persons) — proportional circles, area proportional to the value, at each
  area's representative point (:func:`representative_points`), largest drawn first; the
  legend shows nested circles of round values. Where four or more of the top partners lie
  within a tenth of the map's width of the country, that area is enlarged in a regional
  inset (circles at the same scale) and those partners are named there. On request (``symbols=False``) and on
  world maps of counts: classes of natural breaks on a log scale.
* **Shares** (percent) — choropleths classed with :mod:`mapclassify` (Fisher-Jenks natural
  breaks by default), the breaks rounded to round numbers at least 30 % apart, so classes
  never overlap and never collapse ("under 2%", "2% to under 5%", …, "20% or more"). A
  value of zero has its own class; "No data" is grey with a hatch.
* **Corridors** — geodesics (great circles) from the country to its top partners, width
  proportional to the stock (a continuous width legend), drawn on an extent that fits
  them, with a regional inset where several end close to the country; the focus country is
  drawn on top of the lines; every partner is labelled.
* **Labels** — placed without overlaps by :func:`migstats.labels.place_labels`, off other
  areas' circles and off the focus country (a leader line joins a label moved away); small
  states (no polygon at 1:110m) in a top list are labelled on the map.
* **Style** — :mod:`migstats.style` (colour-blind safe palettes, 9 pt text or more at a
  display width of about 960 px).

Every function returns a matplotlib :class:`~matplotlib.figure.Figure` that is *not*
registered with pyplot (Jupyter shows it when returned; no ``plt.close`` needed) and
carries three attributes:

``fig.migstats_alt``
    a one-line text alternative (also :func:`alt_text`);
``fig.migstats_caption``
    the caption text;
``fig.migstats_data``
    a DataFrame of what was drawn: ``location_code``, ``iso3``, ``name``, ``value``,
    ``class_index`` (0 = lowest class; ``<NA>`` where not classed), ``colour``,
    ``edgecolor``, ``drawn_as`` (``"polygon"``, ``"marker"``, ``"symbol"`` or ``"line"``),
    ``focus`` (bool) and ``labelled`` (bool).

Speed: boundaries are read once per process and scale, and projected once per central
meridian (:func:`projected_boundaries`); a map then costs one path collection per style
and the placement of a few labels.
"""

from __future__ import annotations

import math
import os
import tempfile
import textwrap
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, PathPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath

from . import indicators, labels, locations, store, style
from .countries import resolve
from .exceptions import DataNotAvailableError
from .narrative import place_name

__all__ = [
    "EQUAL_EARTH", "SCHEMES", "CAPITAL_POINTS", "diaspora_map", "origins_map", "corridor_map",
    "world_map", "save_figure", "alt_text", "projected_boundaries", "classify", "Classes",
    "class_labels", "great_circle", "central_meridian", "representative_points",
]

#: Equal Earth projection (Šavrič, Patterson & Jenny 2018), EPSG:8857 (central meridian 0°).
EQUAL_EARTH = "EPSG:8857"
#: Classification schemes: name -> mapclassify class name.
SCHEMES = {"fisher_jenks": "FisherJenks", "quantiles": "Quantiles"}
_SCHEME_WORDS = {"quantiles": "quantiles", "fisher_jenks": "natural breaks (Fisher-Jenks)"}

#: Capitals used as the representative point of areas whose store point (a point inside the
#: largest polygon) lies far from where most of their people live: lon, lat (degrees,
#: rounded to 0.1°) and name. Russia's store point is in Siberia (88.4° E), Canada's in
#: northern Saskatchewan, China's in Qinghai, Australia's in the central desert, Indonesia's
#: and Malaysia's on Borneo, New Zealand's on the South Island.
CAPITAL_POINTS: dict[str, tuple[float, float, str]] = {
    "RUS": (37.6, 55.8, "Moscow"), "CAN": (-75.7, 45.4, "Ottawa"), "CHN": (116.4, 39.9, "Beijing"),
    "AUS": (149.1, -35.3, "Canberra"), "IDN": (106.8, -6.2, "Jakarta"),
    "MYS": (101.7, 3.1, "Kuala Lumpur"), "NZL": (174.8, -41.3, "Wellington"),
}

alt_text = style.alt_text

#: Width of the legend column right of a map (inches).
LEGEND_WIDTH = 2.25
_MAP_MIN_H, _MAP_MAX_H = 2.6, 5.4   # map heights (inches) a fitted extent may take
_SYMBOL_MAX_PT = 40.0               # diameter of the largest circle at full width (points)
_SYMBOL_MIN_PT = 2.0
_LINE_MAX_PT, _LINE_MIN_PT = 9.0, 0.9


# -- boundaries, read once per process; projected once per central meridian ---------------------
@dataclass
class _Layer:
    """Boundaries and points of one scale projected with one central meridian."""

    lon_0: float
    paths: list                   # matplotlib Path per boundary row (metres)
    points: dict                  # location_code -> (x, y) of the store's area point
    line_points: dict             # location_code -> (x, y) of the representative point
    bounds: dict                  # location_code -> (xmin, ymin, xmax, ymax)


@dataclass
class _BaseMap:
    """Boundaries of one scale in lon/lat, with per-meridian projections."""

    scale: str
    frame: object                 # GeoDataFrame in EPSG:4326
    codes: np.ndarray             # int64 location code per row, -1 = not a UN DESA area
    polygon_codes: frozenset
    lonlat: dict                  # location_code -> (lon, lat): the store's area point
    line_lonlat: dict             # location_code -> (lon, lat): representative point
    point_source: dict            # location_code -> how the representative point was chosen
    names: dict                   # location_code -> short name
    iso3: dict                    # location_code -> ISO3
    outline: MplPath              # the Equal Earth sphere outline
    layers: dict = field(default_factory=dict)
    _frames: dict = field(default_factory=dict)

    @property
    def paths(self):              # Greenwich layer (kept for callers of the old attribute)
        return _layer(self, 0.0).paths


_BASE: dict[tuple, _BaseMap] = {}
_TRANSFORMER = None


def _transformer():
    global _TRANSFORMER
    if _TRANSFORMER is None:
        from pyproj import Transformer

        _TRANSFORMER = Transformer.from_crs("EPSG:4326", EQUAL_EARTH, always_xy=True)
    return _TRANSFORMER


def _rel(lon, lon_0: float):
    """Longitude relative to ``lon_0``, in [-180, 180)."""
    return (np.asarray(lon, dtype="float64") - lon_0 + 180.0) % 360.0 - 180.0


def _project(rel_lon, lat):
    """Equal Earth x, y (metres) of longitudes already relative to the central meridian."""
    return _transformer().transform(np.asarray(rel_lon, dtype="float64"), np.asarray(lat, dtype="float64"))


def central_meridian(lon: float, step: float = 10.0) -> float:
    """The central meridian of a map centred on ``lon``: rounded to ``step`` degrees, in [-180, 180).

    Rounding lets maps of neighbouring countries share one projected set of boundaries.
    """
    m = float(np.round(float(lon) / step) * step)
    return float(_rel(m, 0.0))


def _meridian_text(lon_0: float) -> str:
    """``120°E``, ``70°W``, ``0°``, ``180°``."""
    if lon_0 in (0.0, -180.0, 180.0):
        return f"{abs(lon_0):.0f}°"
    return f"{abs(lon_0):.0f}°{'E' if lon_0 > 0 else 'W'}"


def _sphere_outline() -> MplPath:
    lon = np.linspace(-180, 180, 181)
    lat = np.linspace(90, -90, 91)
    xs = np.concatenate([lon, np.full_like(lat, 180.0), lon[::-1], np.full_like(lat, -180.0)[::-1]])
    ys = np.concatenate([np.full_like(lon, 90.0), lat, np.full_like(lon, -90.0), lat[::-1]])
    x, y = _project(xs, ys)
    return MplPath(np.column_stack([x, y]), closed=False)


def _polygons(geom):
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    return [p for g in getattr(geom, "geoms", []) for p in _polygons(g)]


def _base(scale: str, data_dir=None) -> _BaseMap:
    """The boundaries of ``scale``, read once per process and store build (Greenwich layer projected)."""
    key = (scale, str(locations.processed_dir(data_dir).resolve()), store.build_id(data_dir))
    base = _BASE.get(key)
    if base is not None:
        return base
    g = store.load_boundaries(scale, data_dir)
    codes = g["location_code"].astype("float64").fillna(-1).astype("int64").to_numpy()
    pts = store.load("area_points", data_dir)
    ct = store.load("countries", data_dir)
    names = dict(zip(ct["location_code"].astype(int), ct["short_name"].fillna(ct["name"])))
    iso3 = dict(zip(ct["location_code"].astype(int), ct["iso3"]))
    lonlat = {int(c): (float(a), float(b)) for c, a, b in zip(pts["location_code"], pts["lon"], pts["lat"])}
    line_lonlat, source = {}, {}
    for code, (lon, lat) in lonlat.items():
        cap = CAPITAL_POINTS.get(iso3.get(code))
        if cap is not None:
            line_lonlat[code], source[code] = (cap[0], cap[1]), f"capital ({cap[2]})"
        else:
            line_lonlat[code], source[code] = (lon, lat), "area point (inside the largest polygon)"
    base = _BaseMap(
        scale=scale, frame=g, codes=codes, polygon_codes=frozenset(int(c) for c in codes if c >= 0),
        lonlat=lonlat, line_lonlat=line_lonlat, point_source=source, names=names, iso3=iso3,
        outline=_sphere_outline())
    if len(_BASE) > 4:
        _BASE.clear()
    _BASE[key] = base
    _layer(base, 0.0)
    return base


def _layer(base: _BaseMap, lon_0: float) -> _Layer:
    """``base`` projected with central meridian ``lon_0`` (cached; about 30 ms the first time)."""
    lon_0 = float(lon_0)
    layer = base.layers.get(lon_0)
    if layer is not None:
        return layer
    import shapely

    seam = float(_rel(lon_0 + 180.0, 0.0)) if lon_0 != 0 else 180.0
    rings = []   # (row, rel lon, lat, is exterior)
    for row, geom in enumerate(base.frame.geometry):
        for poly in _polygons(geom):
            x0, _, x1, _ = poly.bounds
            pieces = [poly]
            if -180.0 < seam < 180.0 and x0 < seam - 1e-9 and x1 > seam + 1e-9:
                pieces = (_polygons(shapely.clip_by_rect(poly, -180.0, -90.0, seam, 90.0))
                          + _polygons(shapely.clip_by_rect(poly, seam, -90.0, 180.0, 90.0)))
            for p in pieces:
                bx0, _, bx1, _ = p.bounds
                mid = 0.5 * (bx0 + bx1)
                shift = float(_rel(mid, lon_0)) - (mid - lon_0)
                for ring in [p.exterior, *p.interiors]:
                    xy = np.asarray(ring.coords)[:, :2]
                    if len(xy) >= 3:
                        rings.append((row, xy[:, 0] - lon_0 + shift, xy[:, 1]))
    if rings:
        x, y = _project(np.concatenate([r[1] for r in rings]), np.concatenate([r[2] for r in rings]))
    per_row: dict[int, list] = {}
    start = 0
    for row, rx, _ in rings:
        n = len(rx)
        per_row.setdefault(row, []).append(np.column_stack([x[start:start + n], y[start:start + n]]))
        start += n
    paths, bounds = [], {}
    for row in range(len(base.codes)):
        parts = per_row.get(row, [])
        if not parts:
            paths.append(MplPath(np.zeros((0, 2))))
            continue
        verts = np.concatenate(parts)
        kinds = np.full(len(verts), MplPath.LINETO, dtype=np.uint8)
        i = 0
        for part in parts:
            kinds[i], kinds[i + len(part) - 1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            i += len(part)
        paths.append(MplPath(verts, kinds))
        code = int(base.codes[row])
        if code >= 0:
            b = (verts[:, 0].min(), verts[:, 1].min(), verts[:, 0].max(), verts[:, 1].max())
            old = bounds.get(code)
            bounds[code] = b if old is None else (min(old[0], b[0]), min(old[1], b[1]),
                                                  max(old[2], b[2]), max(old[3], b[3]))

    def proj(d):
        codes = list(d)
        ll = np.array([d[c] for c in codes], dtype="float64").reshape(-1, 2)
        px, py = _project(_rel(ll[:, 0], lon_0), ll[:, 1])
        return {c: (float(a), float(b)) for c, a, b in zip(codes, px, py)}

    layer = _Layer(lon_0=lon_0, paths=paths, points=proj(base.lonlat), line_points=proj(base.line_lonlat),
                   bounds=bounds)
    if len(base.layers) > 12:
        base.layers.pop(next(iter(base.layers)))
    base.layers[lon_0] = layer
    return layer


def projected_boundaries(scale: str = "110m", *, central_meridian: float = 0.0, data_dir=None):
    """Natural Earth boundaries in Equal Earth, projected once per process and meridian.

    Parameters
    ----------
    scale : {"110m", "50m"}
    central_meridian : float
        Degrees east; 0 gives EPSG:8857. Polygons crossing the opposite meridian are cut there.

    Returns
    -------
    GeoDataFrame
        ``location_code``, ``iso3``, ``name``, ``geometry`` (metres); cached, treat it as
        read-only.
    """
    if scale not in ("110m", "50m"):
        raise ValueError(f"scale must be '110m' or '50m', not {scale!r}")
    import geopandas

    base = _base(scale, data_dir)
    lon_0 = float(central_meridian)
    if lon_0 not in base._frames:
        layer = _layer(base, lon_0)
        geoms = [_path_geometry(p) for p in layer.paths]
        crs = EQUAL_EARTH if lon_0 == 0 else f"+proj=eqearth +lon_0={lon_0} +ellps=WGS84 +units=m +no_defs"
        base._frames[lon_0] = geopandas.GeoDataFrame(
            base.frame.drop(columns="geometry"), geometry=geoms, crs=crs)
    return base._frames[lon_0]


def _path_geometry(path: MplPath):
    """A (multi)polygon from a compound Path of closed rings (even-odd: rings inside rings are holes)."""
    import shapely

    rings = [poly for poly in path.to_polygons(closed_only=True) if len(poly) >= 4]
    if not rings:
        return shapely.Polygon()
    shells = [shapely.Polygon(r) for r in rings]
    return shapely.make_valid(shapely.union_all([s for s in shells if s.is_valid] or shells))


def representative_points(scale: str = "110m", *, data_dir=None) -> pd.DataFrame:
    """Where symbols sit and corridor lines end, per area (lon/lat, degrees).

    The store's area point (a point inside the area's largest polygon, Natural Earth
    1:50m; a gazetteer point for areas without a polygon), except for the areas of
    :data:`CAPITAL_POINTS`, whose largest polygon's point lies far from where most of their
    people live: there, the capital.

    Returns
    -------
    DataFrame
        ``location_code``, ``iso3``, ``lon``, ``lat``, ``point`` (how it was chosen).
    """
    base = _base(scale, data_dir)
    rows = [(c, base.iso3.get(c), lon, lat, base.point_source[c]) for c, (lon, lat) in base.line_lonlat.items()]
    return pd.DataFrame(rows, columns=["location_code", "iso3", "lon", "lat", "point"])


# -- classification and legend labels -----------------------------------------------------------
_NICE_FINE = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.5, 10.0])
_NICE_LOG = np.array([1.0, 2.0, 5.0, 10.0])


def _nice(x: float, steps: np.ndarray) -> float:
    """``x`` (> 0) rounded in log space to the nearest of ``steps`` x 10^k."""
    e = math.floor(math.log10(x))
    m = x / 10 ** e
    cand = steps * 10 ** e
    return float(cand[np.argmin(np.abs(np.log10(steps) - math.log10(m)))])


@dataclass
class Classes:
    """Classes of a choropleth.

    Attributes
    ----------
    thresholds : ndarray
        Lower bounds of classes 1 … k-1 (class 0 starts at the minimum): class ``i`` holds
        ``thresholds[i-1] <= value < thresholds[i]``. Round numbers, strictly increasing.
    index : ndarray of int
        Class of each positive value (0 = lowest); ``-1`` for a value of zero.
    labels : list of str
        Legend label of each class, with the unit ("2% to under 5%", "1,000–4,999").
    log : bool
        Breaks were found on log10 of the values.
    scheme : str
    """

    thresholds: np.ndarray
    index: np.ndarray
    labels: list
    log: bool
    scheme: str

    @property
    def k(self) -> int:
        return len(self.thresholds) + 1


def classify(values, k: int = 5, scheme: str = "fisher_jenks", *, unit: str = "", log: bool | None = None) -> Classes:
    """Classes of ``values`` with :mod:`mapclassify`, breaks rounded to round numbers.

    Parameters
    ----------
    values : array-like of float
        Values without NaN; zeros are not classed (``index`` -1: a class of their own).
    k : int
        Number of classes asked for; fewer when rounding merges breaks or values are few.
    scheme : {"fisher_jenks", "quantiles"}
        Natural breaks (Fisher-Jenks) or quantiles, computed by mapclassify.
    unit : str
        Unit of the values (labels: persons, percent, US$).
    log : bool, optional
        Find the breaks on log10 of the values. Default: when the positive values span at
        least two orders of magnitude (largest / smallest >= 100), as counts, amounts and
        most migration shares do; a linear scale would put most areas in the lowest class.

    Returns
    -------
    Classes
        Breaks are rounded (on a log scale to 1, 2, 5 x 10^n; else to 1, 1.5, 2, 2.5, 3, 4,
        5, 6, 7.5 x 10^n) and kept only when at least 30 % (log: 100 %) above the previous
        one, so no class is narrower than that and class bounds never overlap.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {list(SCHEMES)}, not {scheme!r}")
    y = np.asarray(values, dtype="float64")
    pos = y[y > 0]
    if log is None:
        log = bool(len(pos)) and pos.max() >= 100 * pos.min()
    thresholds: list[float] = []
    if np.unique(pos).size > 1 and k > 1:
        import mapclassify  # imported here: 1-2 s, only maps of shares and classed counts need it

        z = np.log10(pos) if log else pos
        k_eff = int(min(k, np.unique(z).size))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # "Numba not installed", "not enough unique values"
            c = getattr(mapclassify, SCHEMES[scheme])(z, k=k_eff)
        uppers = np.asarray(c.bins, dtype="float64")[:-1]
        raw = 10 ** uppers if log else uppers
        steps, ratio = (_NICE_LOG, 2.0) if log else (_NICE_FINE, 1.3)
        lo, hi = pos.min(), pos.max()
        for b in raw:
            t = _nice(b, steps)
            if t <= lo or t > hi:
                continue
            if thresholds and t < thresholds[-1] * ratio:
                continue
            thresholds.append(t)
    th = np.array(thresholds, dtype="float64")
    idx = np.where(y > 0, np.searchsorted(th, y, side="right"), -1).astype("int64")
    # drop empty classes (merge their range into the class below)
    used = np.unique(idx[idx >= 0])
    if len(used) and len(used) < len(th) + 1:
        keep = [t for i, t in enumerate(th, start=1) if i in set(used.tolist())]
        th = np.array(keep, dtype="float64")
        idx = np.where(y > 0, np.searchsorted(th, y, side="right"), -1).astype("int64")
    return Classes(th, idx, class_labels(th, unit, pos.min() if len(pos) else 0.0), bool(log), scheme)


def _fmt_bound(v: float, unit: str) -> str:
    u = (unit or "").lower()
    if "us$" in u or "usd" in u:
        if v >= 1e9:
            return f"US$ {v / 1e9:,.3g} bn"
        if v >= 1e6:
            return f"US$ {v / 1e6:,.3g} m"
        return f"US$ {v:,.0f}"
    if "percent" in u or u == "%":
        return f"{v:,.3g}%" if v < 1000 else f"{v:,.0f}%"
    if "person" in u:
        return f"{v:,.0f}"
    return f"{v:,.3g}"


def class_labels(thresholds, unit: str, vmin: float = 0.0) -> list[str]:
    """Legend labels of classes bounded by ``thresholds`` (see :class:`Classes`), with the unit.

    Whole persons: ``["under 1,000", "1,000–4,999", "5,000 or more"]``; other units:
    ``["under 2%", "2% to under 5%", "5% or more"]``. One class: ``"all values"`` with the
    lowest value (``"18 or more"``).
    """
    th = list(thresholds)
    persons = "person" in (unit or "").lower()
    if not th:
        return [f"{_fmt_bound(vmin, unit)} or more"]
    out = [f"under {_fmt_bound(th[0], unit)}"]
    for a, b in zip(th[:-1], th[1:]):
        if persons and float(a).is_integer() and float(b).is_integer():
            out.append(f"{_fmt_bound(a, unit)}–{_fmt_bound(b - 1, unit)}")
        else:
            out.append(f"{_fmt_bound(a, unit)} to under {_fmt_bound(b, unit)}")
    out.append(f"{_fmt_bound(th[-1], unit)} or more")
    return out


# -- figure scaffolding ---------------------------------------------------------------------------
@dataclass
class _Frame:
    fig: Figure
    ax: object
    own: bool
    legend_x: float = 0.0         # inches from the left: the legend column
    legend_top: float = 0.0       # inches from the bottom: its top
    legend_bottom: float = 0.0


def _new_figure(figsize, dpi):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=figsize, dpi=dpi or style.SCREEN_DPI)
    FigureCanvasAgg(fig)
    return fig


def _new_map(ax, figsize, dpi, *, aspect: float, title: str, subtitle: str, caption: str,
             legend: bool = True) -> _Frame:
    """A figure laid out in inches: title block, map (``aspect`` = width / height), legend column, caption."""
    if ax is not None:
        fig = ax.figure
        pos = ax.get_position()
        w, h = fig.get_size_inches()
        return _Frame(fig, ax, False, legend_x=(pos.x1 * w) + 0.1, legend_top=pos.y1 * h,
                      legend_bottom=pos.y0 * h)
    W = float(figsize[0]) if figsize else style.FIGURE_WIDTH
    th = style.title_height(W, title, subtitle)
    ch = style.caption_height(W, caption)
    lw = LEGEND_WIDTH if legend else 0.0
    mw = W - 2 * style.MARGIN - lw - (0.15 if legend else 0.0)
    if figsize:
        H = float(figsize[1])
        mh = max(H - th - ch - 0.1, 0.5)
    else:
        mh = float(np.clip(mw / aspect, _MAP_MIN_H, _MAP_MAX_H))
        H = th + mh + ch + 0.1
    fig = _new_figure((W, H), dpi)
    y0 = ch + 0.05
    ax = fig.add_axes((style.MARGIN / W, y0 / H, mw / W, mh / H))
    return _Frame(fig, ax, True, legend_x=style.MARGIN + mw + 0.15, legend_top=y0 + mh, legend_bottom=y0)


def _set_extent(ax, box) -> None:
    """Show ``box`` (x0, y0, x1, y1, metres) at equal scale, widened to the axes' shape."""
    x0, y0, x1, y1 = box
    fig = ax.figure
    pos = ax.get_position()
    w, h = fig.get_size_inches()
    target = (pos.width * w) / (pos.height * h)
    bw, bh = x1 - x0, y1 - y0
    if bw / bh < target:
        extra = bh * target - bw
        x0, x1 = x0 - extra / 2, x1 + extra / 2
    else:
        extra = bw / target - bh
        y0, y1 = y0 - extra / 2, y1 + extra / 2
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("auto")


def _world_box(base) -> tuple:
    ext = base.outline.get_extents()
    return (ext.x0 * 1.005, ext.y0 * 1.01, ext.x1 * 1.005, ext.y1 * 1.01)


_WORLD_ASPECT = 17_243_959.06 * 2 / (8_392_927.6 * 2)


def _frame(ax, base: _BaseMap) -> None:
    """The sphere (ocean colour, outlined); added as an artist: the limits are set by :func:`_set_extent`."""
    patch = PathPatch(base.outline, facecolor=style.OCEAN_COLOUR, edgecolor=style.OUTLINE_COLOUR,
                      linewidth=0.6, zorder=0, transform=ax.transData)
    ax.add_artist(patch)
    patch.set_clip_path(ax.patch)
    ax.set_axis_off()


def _collection(paths, *, gid, **kw):
    pc = PathCollection(paths, **kw)
    pc.set_gid(gid)
    return pc


def _finish(frame: _Frame, *, title, subtitle, caption, alt, data):
    fig, ax = frame.fig, frame.ax
    if frame.own:
        style.add_title(fig, title, subtitle)
        style.add_caption(fig, caption)
    else:
        style.add_title(fig, title, subtitle, ax=ax)
        style.add_caption(fig, caption, ax=ax)
    fig.migstats_alt = alt
    fig.migstats_data = data.reset_index(drop=True)
    return fig


_RECORD_COLS = ["location_code", "iso3", "name", "value", "class_index", "colour", "edgecolor",
                "drawn_as", "focus", "labelled"]


def _record(rows) -> pd.DataFrame:
    rows = [tuple(r) + (False,) * (len(_RECORD_COLS) - len(r)) for r in rows]
    df = pd.DataFrame(rows, columns=_RECORD_COLS)
    return df.astype({"location_code": "int32", "value": "float64", "class_index": "Int64",
                      "focus": "bool", "labelled": "bool"})


def _px_box(ax, box):
    """Data box (x0, y0, x1, y1) in display pixels."""
    (a, b), (c, d) = ax.transData.transform([(box[0], box[1]), (box[2], box[3])])
    return (min(a, c), min(b, d), max(a, c), max(b, d))


def _legend_at(frame: _Frame, handles, title, top: float, *, ncols: int = 1):
    """A legend in the legend column with its top at ``top`` inches; returns (legend, bottom inches)."""
    fig = frame.fig
    w, h = fig.get_size_inches()
    leg = fig.legend(handles=handles, title=title, loc="upper left", bbox_to_anchor=(frame.legend_x / w, top / h),
                     bbox_transform=fig.transFigure, alignment="left", handlelength=1.6, handleheight=1.1,
                     borderaxespad=0.0, borderpad=0.0, ncols=ncols, fontsize=style.LABEL_SIZE,
                     title_fontsize=style.LABEL_SIZE + 0.5, labelspacing=0.45, frameon=False)
    leg.set_gid("migstats-legend")
    r = labels.renderer_of(fig)
    bb = leg.get_window_extent(r)
    return leg, bb.y0 / fig.dpi


def _wrap_label(text: str, width: int = 27) -> str:
    return textwrap.fill(text, width)


def _draw_land(ax, layer: _Layer, base: _BaseMap, *, fills=None, nodata=(), focus=(), zero=(),
               context_codes=None, within=None):
    """Polygons by role: plain land, classed fills (code -> colour), zero, no data, focus.

    ``within`` (xmin, ymin, xmax, ymax): only the areas whose box meets it (an inset)."""
    groups = {"land": [], "nodata": [], "zero": [], "classed": [], "focus": []}
    colours = []
    fills = fills or {}
    focus, nodata, zero = set(focus), set(nodata), set(zero)
    for code, path in zip(base.codes, layer.paths):
        code = int(code)
        if within is not None:
            b = layer.bounds.get(code)
            if b is not None and (b[2] < within[0] or b[0] > within[2] or b[3] < within[1] or b[1] > within[3]):
                continue
        if code in focus:
            groups["focus"].append(path)
        elif code < 0 or (context_codes is not None and code not in context_codes):
            groups["land"].append(path)
        elif code in fills:
            groups["classed"].append(path)
            colours.append(fills[code])
        elif code in zero:
            groups["zero"].append(path)
        elif code in nodata:
            groups["nodata"].append(path)
        else:
            groups["land"].append(path)
    ax.add_collection(_collection(groups["land"], gid="migstats-land", facecolor=style.LAND_COLOUR,
                                  edgecolor=style.BORDER_COLOUR, linewidth=0.35, zorder=1))
    if groups["nodata"]:
        ax.add_collection(_collection(groups["nodata"], gid="migstats-no-data", facecolor=style.NO_DATA_COLOUR,
                                      edgecolor=style.NO_DATA_EDGE, linewidth=0.2, hatch=style.NO_DATA_HATCH,
                                      zorder=1))
    if groups["zero"]:
        ax.add_collection(_collection(groups["zero"], gid="migstats-zero", facecolor=style.ZERO_COLOUR,
                                      edgecolor=style.OUTLINE_COLOUR, linewidth=0.4, zorder=2))
    if groups["classed"]:
        ax.add_collection(_collection(groups["classed"], gid="migstats-classes", facecolor=colours,
                                      edgecolor=style.BORDER_COLOUR, linewidth=0.35, zorder=2))
    return groups["focus"]


def _draw_focus(ax, paths, base, layer, focus, *, zorder=5.0):
    """The focus: orange polygons with a black outline (or a marker for an area without polygon), on top."""
    if paths:
        ax.add_collection(_collection(paths, gid="migstats-focus", facecolor=style.FOCUS_COLOUR,
                                      edgecolor=style.FOCUS_EDGE, linewidth=style.FOCUS_LINEWIDTH, zorder=zorder))
    fmk = [c for c in focus if c not in base.polygon_codes and c in layer.points]
    if fmk:
        xy = np.array([layer.points[c] for c in fmk])
        sc = ax.scatter(xy[:, 0], xy[:, 1], s=64, c=style.FOCUS_COLOUR, edgecolors=style.FOCUS_EDGE,
                        linewidths=style.FOCUS_LINEWIDTH, zorder=zorder + 0.5)
        sc.set_gid("migstats-focus-marker")
    return fmk


def _focus_patch(label: str):
    return Patch(facecolor=style.FOCUS_COLOUR, edgecolor=style.FOCUS_EDGE, linewidth=style.FOCUS_LINEWIDTH,
                 label=_wrap_label(label))


def _no_data_map(frame: _Frame, base, layer, focus, message):
    """Base map with the focus highlighted and a "No data" notice."""
    fpaths = _draw_land(frame.ax, layer, base, focus=focus)
    _draw_focus(frame.ax, fpaths, base, layer, focus)
    style.no_data_panel(frame.ax, message)


def _focus_lon(base: _BaseMap, focus) -> float:
    """Circular mean longitude of the focus areas' representative points."""
    pts = [base.line_lonlat[c] for c in focus if c in base.line_lonlat]
    if not pts:
        return 0.0
    a = np.deg2rad([p[0] for p in pts])
    return float(np.rad2deg(np.arctan2(np.sin(a).mean(), np.cos(a).mean())))


# -- public maps ------------------------------------------------------------------------------------
def _check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {list(SCHEMES)}, not {scheme!r}")


def _symbol_sizes(values: np.ndarray, vmax: float, scale: float = 1.0) -> np.ndarray:
    """Circle diameters (points): area proportional to the value; at least :data:`_SYMBOL_MIN_PT`."""
    return np.maximum(_SYMBOL_MAX_PT * scale * np.sqrt(np.asarray(values, dtype=float) / vmax), _SYMBOL_MIN_PT)


def _nice_floor(v: float, steps) -> float:
    e = math.floor(math.log10(v))
    m = v / 10 ** e
    return float(max(s for s in steps if s <= m + 1e-9) * 10 ** e)


def _legend_values(vmax: float, vmin: float) -> list[float]:
    """Three round values for a size legend, a factor 4-5 apart (visibly different sizes)."""
    top = _nice_floor(vmax, np.array([1.0, 2.0, 2.5, 5.0]))
    out = [top]
    for _ in range(2):
        nxt = _nice_floor(out[-1] / 4.0, np.array([1.0, 2.0, 2.5, 5.0]))
        if nxt < max(vmin, 1.0):
            break
        out.append(nxt)
    return out


def _fig_text(fig, x, y, text, **kw):
    """Text at (x, y) inches from the figure's lower left corner."""
    return fig.text(x, y, text, transform=fig.dpi_scale_trans, **kw)


def _fig_artist(fig, artist, gid=None):
    """Add a patch or line given in inches (figure-level: no axes to build, which is slow)."""
    artist.set_transform(fig.dpi_scale_trans)
    if gid:
        artist.set_gid(gid)
    fig.add_artist(artist)
    return artist


def _circle_legend(frame: _Frame, values, diam_pt, title: str, top: float) -> float:
    """Nested circles (bottom-aligned) with their values, drawn in inches; returns the bottom (inches)."""
    fig = frame.fig
    x0 = frame.legend_x
    dmax = float(max(diam_pt)) / 72.0
    title_h = style.text_height(title, style.LABEL_SIZE + 0.5) + 0.08
    _fig_text(fig, x0, top, title, ha="left", va="top", fontsize=style.LABEL_SIZE + 0.5, fontweight="bold",
              gid="migstats-legend-title")
    base_y = top - title_h - dmax
    cx = x0 + dmax / 2 + 0.02
    label_h = style.LABEL_SIZE * 1.25 / 72
    last_y = None
    for v, d in zip(values, diam_pt):
        r = d / 72.0 / 2
        _fig_artist(fig, Circle((cx, base_y + r), r, facecolor="none", edgecolor=style.MARKER_EDGE,
                                linewidth=0.6), gid="migstats-size-legend-circle")
        y = base_y + 2 * r
        ty = y if last_y is None else min(y, last_y - label_h)   # nested labels never touch
        _fig_artist(fig, Line2D([cx, x0 + dmax + 0.12], [y, ty], color="#888888", linewidth=0.5))
        _fig_text(fig, x0 + dmax + 0.16, ty, style.thousands(v), ha="left", va="center",
                  fontsize=style.LABEL_SIZE, gid="migstats-size-legend-value")
        last_y = ty
    bottom = min(base_y, (last_y if last_y is not None else base_y) - label_h / 2)
    return bottom - 0.14


def _width_legend(frame: _Frame, vmax: float, width_of, title: str, top: float) -> float:
    """A continuous width legend: a wedge from 0 to the largest stock, with round values; returns bottom."""
    fig = frame.fig
    x_left = frame.legend_x
    wmax = _LINE_MAX_PT / 72.0
    title_h = style.text_height(title, style.LABEL_SIZE + 0.5) + 0.1
    _fig_text(fig, x_left, top, title, ha="left", va="top", fontsize=style.LABEL_SIZE + 0.5,
              fontweight="bold", gid="migstats-legend-title")
    length = LEGEND_WIDTH - 0.45
    x0, yb = x_left + 0.05, top - title_h - wmax
    xs = np.linspace(0, 1, 60)
    widths = np.array([width_of(x * vmax) for x in xs]) / 72.0
    upper = np.column_stack([x0 + xs * length, yb + widths])
    lower = np.column_stack([x0 + xs[::-1] * length, np.full(len(xs), yb)])
    _fig_artist(fig, Polygon(np.vstack([upper, lower]), closed=True, facecolor=style.SYMBOL_COLOUR,
                             edgecolor="none", alpha=0.85), gid="migstats-width-legend")
    # two round values a factor 4-5 apart (the wedge is visibly thicker at the larger one)
    ticks = [t for t in _legend_values(vmax, vmax / 50)[:2][::-1] if t <= vmax]
    half_char = style.LABEL_SIZE * 0.56 / 72 / 2
    last_x1 = -1.0
    for t in ticks:
        xt = x0 + t / vmax * length
        label = style.thousands(t)
        half = half_char * len(label)
        if xt - half < last_x1 + 0.08:
            continue
        _fig_artist(fig, Line2D([xt, xt], [yb, yb - 0.04], color="#555555", linewidth=0.6))
        _fig_text(fig, xt, yb - 0.06, label, ha="center", va="top", fontsize=style.LABEL_SIZE,
                  gid="migstats-width-legend-value")
        last_x1 = xt + half
    return yb - 0.06 - style.LABEL_SIZE * 1.25 / 72 - 0.14


def _partner_map(country, year, direction, *, scale, k, scheme, ax, data_dir, figsize, dpi, symbols, top_n):
    _check_scheme(scheme)
    c = indicators.subject(country, data_dir=data_dir)  # a country, or a Group (its members in focus)
    is_group = hasattr(c, "members")
    focus = [int(m) for m in c.members] if is_group else [c.location_code]
    base = _base(scale, data_dir)
    emi = direction == "emigrants"
    word = "Emigrants from" if emi else "Immigrants in"
    what = "by country of destination" if emi else "by country of origin"
    reason = ""
    try:
        cor = indicators.corridors(c, year, direction, top_n=None, data_dir=data_dir)
    except DataNotAvailableError as exc:
        cor, reason = None, str(exc)
    lon_0 = central_meridian(_focus_lon(base, focus))
    layer = _layer(base, lon_0)
    proj_note = (f"Equal Earth projection centred on {_meridian_text(lon_0)}, "
                 f"Natural Earth 1:{scale.rstrip('m')} million boundaries.")
    if cor is None or cor.empty:
        if cor is not None:
            reason = (f"The bilateral data ({cor.attrs['source']}, {cor.attrs['year']}) record no "
                      f"{'emigrants from' if emi else 'immigrants in'} {place_name(c)} "
                      f"{'in any destination' if emi else 'from any origin'}.")
        dyear = cor.attrs["year"] if cor is not None else year
        src = cor.attrs["source"] if cor is not None else "no bilateral source in the store"
        title = f"{word} {place_name(c)} {what}, {dyear}"
        caption = f"Source: {src}, {dyear}. {reason}"
        frame = _new_map(ax, figsize, dpi, aspect=_WORLD_ASPECT, title=title, subtitle="No data",
                         caption=caption, legend=False)
        _frame(frame.ax, base)
        _set_extent(frame.ax, _world_box(base))
        _no_data_map(frame, base, layer, focus, reason)
        data = _record([(code, base.iso3.get(code), base.names.get(code, c.name), np.nan, pd.NA,
                         style.FOCUS_COLOUR, style.FOCUS_EDGE,
                         "polygon" if code in base.polygon_codes else "marker", True) for code in focus])
        return _finish(frame, title=title, subtitle="No data", caption=caption,
                       alt=f"World map with no data: {reason}", data=data)

    values = pd.Series(cor["migrants"].to_numpy(), index=cor["location_code"].astype(int))
    dyear, src = cor.attrs["year"], cor.attrs["source"]
    total = cor.attrs["total"]
    unknown = cor.attrs.get("unknown_share_pct", float("nan"))
    n_part = len(cor)
    sub = f"{style.thousands(total)} persons in {n_part} {'destinations' if emi else 'origins'}"
    if is_group:  # the group's own total counts moves between members too
        sub = (f"{style.thousands(total)} persons {'living outside' if emi else 'born outside'} the group, "
               f"in {n_part} {'destinations' if emi else 'origins'}")
    if dyear != year:
        sub += f"; from {cor.attrs['basis']}, {dyear} (see the data notes)"
    title = f"{word} {place_name(c)} {what}, {dyear}"
    if symbols:
        how = ("Circle areas are proportional to the number of persons; circles sit at a point "
               "inside each area (for Russia, Canada, China, Australia, Indonesia, Malaysia and "
               "New Zealand, the capital).")
    else:
        how = "Classes: natural breaks (Fisher-Jenks) of the log of the values, rounded."
    cap = f"Source: {src}, {dyear}. {how} {proj_note}"
    if unknown and not math.isnan(unknown) and unknown > 0:
        pct = f"{unknown:.1f}%" if unknown >= 0.05 else "Less than 0.1%"
        cap += f" {pct} of the total ({'destination' if emi else 'origin'} unknown) is not mapped."
    frame = _new_map(ax, figsize, dpi, aspect=_WORLD_ASPECT, title=title, subtitle=sub, caption=cap)
    fig, ax = frame.fig, frame.ax
    with style.context():
        _frame(ax, base)
        _set_extent(ax, _world_box(base))
        legend_title = f"{'Emigrants' if emi else 'Immigrants'} (persons)"
        if symbols:
            rows = _draw_symbols(frame, base, layer, values, focus, cor, legend_title,
                                 focus_label=f"{c.name} (members)" if is_group else base.names.get(c.location_code, c.name),
                                 top_n=top_n, emi=emi)
            n_cls = None
        else:
            rows, classes = _draw_choropleth(
                frame, base, layer, values, unit="persons", k=k, scheme=scheme, focus=focus, highlight=[],
                focus_label=f"{c.name} (members)" if is_group else base.names.get(c.location_code, c.name), legend_title=legend_title,
                no_data_label="None recorded", log=True)
            n_cls = classes.k
        top = ", ".join(f"{n} ({style.thousands(v)})" for n, v in zip(cor["name"].head(3), cor["migrants"].head(3)))
        alt = (f"World map of {style.thousands(total)} {'emigrants from' if emi else 'immigrants in'} {place_name(c)} "
               f"{what} in {dyear} ({src}): largest in {top}; {n_part} {'destinations' if emi else 'origins'}"
               + (f" as proportional circles." if n_cls is None else f" in {n_cls} classes."))
        return _finish(frame, title=title, subtitle=sub, caption=cap, alt=alt, data=_record(rows))


def _draw_symbols(frame: _Frame, base, layer, values: pd.Series, focus, cor, legend_title, *, focus_label,
                  top_n, emi):
    """Proportional circles for ``values`` (persons), the focus on top, labels and legends."""
    ax, fig = frame.ax, frame.fig
    fpaths = _draw_land(ax, layer, base, focus=focus)
    vals = values[values.index.isin(layer.line_points)]
    vmax = float(vals.max())
    scale = min(1.0, ax.get_position().width * fig.get_figwidth() / 7.0)
    order = np.argsort(-vals.to_numpy(), kind="stable")
    codes = vals.index.to_numpy()[order]
    v = vals.to_numpy()[order]
    diam = _symbol_sizes(v, vmax, scale)
    xy = np.array([layer.line_points[int(cd)] for cd in codes])
    sc = ax.scatter(xy[:, 0], xy[:, 1], s=diam ** 2, c=style.SYMBOL_COLOUR, alpha=0.72,
                    edgecolors="white", linewidths=0.5, zorder=4)
    sc.set_gid("migstats-symbols")
    fmk = _draw_focus(ax, fpaths, base, layer, focus, zorder=5)
    # labels: the top partners (small states among them included), largest first
    renderer = labels.renderer_of(fig)
    d_of = dict(zip(codes.tolist(), diam))
    want = [cd for cd in cor["location_code"].astype(int).head(top_n).tolist() if cd in layer.line_points]
    req_of = {cd: labels.LabelRequest(base.names.get(cd, str(cd)), *layer.line_points[cd],
                                      clearance=d_of.get(cd, 2.0) / 2 + 0.5, gid=f"migstats-label-{cd}")
              for cd in want}
    focus_req = (labels.LabelRequest(focus_label, *layer.points[fmk[0]], clearance=5.5, gid="migstats-label-focus",
                                     weight="bold") if fmk else None)
    # a regional inset where four or more of the labelled partners crowd around the country
    # (within a tenth of the map's width): there they are drawn again, further apart, and named
    near, iax, obstacles, taken, placed = [], None, [], [], []
    if len(focus) == 1 and focus[0] in layer.line_points:
        origin = np.asarray(layer.line_points[focus[0]], dtype=float)
        xl = ax.get_xlim()
        near = [cd for cd in want
                if np.hypot(*(np.asarray(layer.line_points[cd]) - origin)) < 0.1 * (xl[1] - xl[0])]
        if len(near) >= 4:
            iax, inset_px = _symbols_inset(frame, base, layer, focus, codes, xy, diam, near, origin)
        if iax is not None:
            obstacles = [inset_px]
        else:
            near = []
    half = diam * fig.dpi / 144                       # circle radii in pixels
    if iax is not None:
        ireqs = ([focus_req] if focus_req else []) + [req_of[cd] for cd in near]
        idiscs = np.vstack([np.column_stack([iax.transData.transform(xy), half]), _focus_discs(iax, layer, focus)])
        placed += labels.place_labels(iax, ireqs, taken=taken, discs=idiscs, renderer=renderer,
                                      fontsize=style.LABEL_SIZE, ring_step=5.0)
    reqs = ([focus_req] if focus_req and iax is None else []) + [req_of[cd] for cd in want if cd not in near]
    pts_px = ax.transData.transform(xy)
    circles = np.column_stack([pts_px[:, 0] - half, pts_px[:, 1] - half, pts_px[:, 0] + half, pts_px[:, 1] + half])
    placed += labels.place_labels(ax, reqs, taken=taken, obstacles=obstacles, soft_boxes=circles[diam > 8],
                                  discs=np.vstack([np.column_stack([pts_px, half]), _focus_discs(ax, layer, focus)]),
                                  renderer=renderer, fontsize=style.LABEL_SIZE)
    labelled = {p.request.gid for p in placed}
    # legends
    shown = _legend_values(vmax, float(v.min()))
    top = _circle_legend(frame, shown, _symbol_sizes(np.array(shown), vmax, scale), legend_title,
                         frame.legend_top)
    handles = [_focus_patch(focus_label)]
    handles.append(Patch(facecolor=style.LAND_COLOUR, edgecolor="#bdbdbd", linewidth=0.4,
                         label=_wrap_label("No circle: none recorded in the source")))
    if iax is not None:
        handles.append(Patch(facecolor="none", edgecolor="#333333", linewidth=0.8,
                             label=_wrap_label("Area enlarged in the inset (circles at the same scale)")))
    _legend_at(frame, handles, None, top)
    rows = []
    for cd, val, d in zip(codes, v, diam):
        cd = int(cd)
        rows.append((cd, base.iso3.get(cd), base.names.get(cd), float(val), pd.NA, style.SYMBOL_COLOUR,
                     "#ffffff", "symbol", False, f"migstats-label-{cd}" in labelled))
    for cd in focus:
        rows.append((cd, base.iso3.get(cd), base.names.get(cd), np.nan, pd.NA, style.FOCUS_COLOUR,
                     style.FOCUS_EDGE, "polygon" if cd in base.polygon_codes else "marker", True,
                     cd in fmk))
    return rows


def _focus_discs(ax, layer, focus) -> np.ndarray:
    """Pixel discs ``(cx, cy, r)`` inside the focus areas' boxes: a partner's label on the focus
    country would read as its name."""
    out = []
    for code in focus:
        b = layer.bounds.get(code)
        if b is None:
            continue
        (x0, y0), (x1, y1) = ax.transData.transform([(b[0], b[1]), (b[2], b[3])])
        out.append(((x0 + x1) / 2, (y0 + y1) / 2, 0.5 * max(abs(x1 - x0), abs(y1 - y0))))
    return np.array(out, dtype=float).reshape(-1, 3)


#: An inset is drawn only if it shows its area at least this many times larger than the map does.
_INSET_MIN_ZOOM = 1.5


def _inset_axes(frame: _Frame, region, avoid_xy, avoid_weight, min_zoom: float):
    """An inset enlarging ``region`` (map units), in the place of :func:`_inset_candidates` that
    covers the least of the map's content, framed, on the ocean colour, with the area outlined
    on the map; ``None`` (nothing added) when it would show the region less than ``min_zoom``
    times larger than the map does.

    ``avoid_xy`` (n, 2) are points of the map's content in map units, each costing its
    ``avoid_weight`` when the inset covers it; covering the region itself costs most, and a
    smaller inset as much as 10.
    """
    ax, fig = frame.ax, frame.fig
    xl, yl = ax.get_xlim(), ax.get_ylim()
    fx = (avoid_xy[:, 0] - xl[0]) / (xl[1] - xl[0])
    fy = (avoid_xy[:, 1] - yl[0]) / (yl[1] - yl[0])
    rx0, rx1 = ((region[0] - xl[0]) / (xl[1] - xl[0]), (region[2] - xl[0]) / (xl[1] - xl[0]))
    ry0, ry1 = ((region[1] - yl[0]) / (yl[1] - yl[0]), (region[3] - yl[0]) / (yl[1] - yl[0]))
    best, best_cost = None, None
    for cx, cy, fw, fh in _inset_candidates():
        inside = (fx >= cx - 0.02) & (fx <= cx + fw + 0.02) & (fy >= cy - 0.02) & (fy <= cy + fh + 0.02)
        overlap_region = max(0, min(cx + fw, rx1) - max(cx, rx0)) * max(0, min(cy + fh, ry1) - max(cy, ry0))
        cost = float(avoid_weight[inside].sum()) + 20000 * overlap_region + (10 if fw < 0.36 else 0)
        if best_cost is None or cost < best_cost - 1e-9:
            best, best_cost = (cx, cy, fw, fh), cost
    cx, cy, fw, fh = best
    pos = ax.get_position()
    iax = fig.add_axes((pos.x0 + cx * pos.width, pos.y0 + cy * pos.height, fw * pos.width, fh * pos.height))
    _set_extent(iax, region)
    rx, ry = iax.get_xlim(), iax.get_ylim()
    if fw * (xl[1] - xl[0]) / (rx[1] - rx[0]) < min_zoom:
        fig.delaxes(iax)
        return None
    iax.set_gid("migstats-inset")
    iax.add_patch(Rectangle((0, 0), 1, 1, transform=iax.transAxes, facecolor=style.OCEAN_COLOUR,
                            edgecolor="none", zorder=0))
    for side in iax.spines.values():
        side.set_visible(True)
        side.set_edgecolor("#333333")
        side.set_linewidth(0.9)
    iax.set_xticks([])
    iax.set_yticks([])
    ax.add_patch(Rectangle((rx[0], ry[0]), rx[1] - rx[0], ry[1] - ry[0], facecolor="none", edgecolor="#333333",
                           linewidth=0.8, zorder=6, gid="migstats-inset-outline"))
    return iax


def _symbols_inset(frame: _Frame, base, layer, focus, codes, xy, diam, near, origin):
    """The regional inset of a circle map: the area around the country enlarged, in the corner of
    the map that covers the fewest circles; circles keep their size (one legend for both)."""
    pts = np.vstack([[layer.line_points[cd] for cd in near], [origin]])
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    span = max(x1 - x0, y1 - y0, 6e5)
    pad = 0.35 * span
    region = (x0 - pad, y0 - pad * 0.7, x1 + pad, y1 + pad * 0.7)
    # a large circle counts more
    iax = _inset_axes(frame, region, xy, 20 * (1 + diam), _INSET_MIN_ZOOM)
    if iax is None:
        return None, None
    rx, ry = iax.get_xlim(), iax.get_ylim()
    fpaths = _draw_land(iax, layer, base, focus=focus, within=(rx[0], ry[0], rx[1], ry[1]))
    shown = (xy[:, 0] > rx[0]) & (xy[:, 0] < rx[1]) & (xy[:, 1] > ry[0]) & (xy[:, 1] < ry[1])
    sc = iax.scatter(xy[shown, 0], xy[shown, 1], s=diam[shown] ** 2, c=style.SYMBOL_COLOUR, alpha=0.72,
                     edgecolors="white", linewidths=0.5, zorder=4)
    sc.set_gid("migstats-inset-symbols")
    sc.migstats_codes = np.asarray(codes)[shown]
    _draw_focus(iax, fpaths, base, layer, focus, zorder=5)
    return iax, tuple(iax.get_window_extent(labels.renderer_of(frame.fig)).extents)


def _draw_choropleth(frame: _Frame, base, layer, values: pd.Series, *, unit, k, scheme, focus, highlight,
                     context_codes=None, legend_title, no_data_label, focus_label=None, log=None,
                     zero_label="0 (none)", classes=None):
    """Classed polygons, zero, no data, markers for small states, the focus, legend; returns (rows, classes)."""
    ax, fig = frame.ax, frame.fig
    values = values[~values.index.isin(focus)]
    have = values.dropna()
    if classes is None:
        classes = classify(have.to_numpy(), k, scheme, unit=unit, log=log)
    colours = style.class_colours(classes.k)
    cls = dict(zip(have.index.astype(int), classes.index))
    val = dict(zip(have.index.astype(int), have.to_numpy()))
    fills = {cd: colours[i] for cd, i in cls.items() if i >= 0}
    zero = {cd for cd, i in cls.items() if i < 0}
    universe = set(int(x) for x in values.index) if context_codes is None else set(context_codes)
    nodata = {cd for cd in (universe if context_codes is not None else set(base.polygon_codes))
              if cd not in cls and cd not in focus}
    fpaths = _draw_land(ax, layer, base, fills=fills, nodata=nodata, focus=focus, zero=zero,
                        context_codes=context_codes)
    hl_paths = [p for cd, p in zip(base.codes, layer.paths) if int(cd) in highlight]
    if hl_paths:
        ax.add_collection(_collection(hl_paths, gid="migstats-highlight", facecolor="none",
                                      edgecolor=style.FOCUS_COLOUR, linewidth=1.8, zorder=3))
    # small states without a polygon: circles coloured by class
    mk = [cd for cd in cls if cd not in base.polygon_codes and cd in layer.points
          and (context_codes is None or cd in context_codes)]
    if mk:
        xy = np.array([layer.points[cd] for cd in mk])
        sc = ax.scatter(xy[:, 0], xy[:, 1], s=18,
                        c=[colours[cls[cd]] if cls[cd] >= 0 else style.ZERO_COLOUR for cd in mk],
                        edgecolors=[style.FOCUS_COLOUR if cd in highlight else style.MARKER_EDGE for cd in mk],
                        linewidths=[1.2 if cd in highlight else 0.45 for cd in mk], zorder=4)
        sc.set_gid("migstats-markers")
    fmk = _draw_focus(ax, fpaths, base, layer, focus, zorder=5)

    handles = [Patch(facecolor=col, edgecolor="#bdbdbd", linewidth=0.4, label=lab)
               for col, lab in zip(colours, classes.labels)]
    if zero:
        handles.append(Patch(facecolor=style.ZERO_COLOUR, edgecolor=style.OUTLINE_COLOUR, linewidth=0.4,
                             label=zero_label))
    if nodata or not len(have):
        handles.append(Patch(facecolor=style.NO_DATA_COLOUR, edgecolor=style.NO_DATA_EDGE, linewidth=0.4,
                             hatch=style.NO_DATA_HATCH, label=_wrap_label(no_data_label)))
    if focus:
        handles.append(_focus_patch(focus_label or base.names.get(focus[0], str(focus[0]))))
    for cd in highlight:
        handles.append(Patch(facecolor="none", edgecolor=style.FOCUS_COLOUR, linewidth=1.6,
                             label=_wrap_label(f"{base.names.get(cd, str(cd))} (outlined)")))
    if mk:
        handles.append(Line2D([], [], marker="o", linestyle="none", markersize=5,
                              markerfacecolor=colours[-1], markeredgecolor=style.MARKER_EDGE,
                              markeredgewidth=0.45, label="Small state (circle)"))
    _legend_at(frame, handles, _wrap_label(legend_title, 26) if legend_title else None, frame.legend_top)

    rows = []
    for cd in sorted(universe if context_codes is not None else set(base.polygon_codes) | set(cls)):
        if cd in focus:
            continue
        marker = cd not in base.polygon_codes
        if marker and cd not in cls:
            continue
        drawn = "marker" if marker else "polygon"
        if cd in cls:
            i = int(cls[cd])
            colour = colours[i] if i >= 0 else style.ZERO_COLOUR
            rows.append((cd, base.iso3.get(cd), base.names.get(cd), val[cd], i if i >= 0 else pd.NA, colour,
                         style.FOCUS_COLOUR if cd in highlight else (style.MARKER_EDGE if marker else style.BORDER_COLOUR),
                         drawn, cd in highlight))
        else:
            rows.append((cd, base.iso3.get(cd), base.names.get(cd), np.nan, pd.NA, style.NO_DATA_COLOUR,
                         style.NO_DATA_EDGE, drawn, False))
    for cd in focus:
        rows.append((cd, base.iso3.get(cd), base.names.get(cd), np.nan, pd.NA, style.FOCUS_COLOUR,
                     style.FOCUS_EDGE, "polygon" if cd in base.polygon_codes else "marker", True))
    return rows, classes


def diaspora_map(country, year: int = 2024, *, scale: str = "110m", symbols: bool = True, k: int = 5,
                 scheme: str = "fisher_jenks", top_n: int = 10, ax=None, data_dir=None, figsize=None,
                 dpi=None) -> Figure:
    """Where a country's emigrants live: proportional circles (persons) by country of destination.

    Parameters
    ----------
    country : str, int or Group
        Any input :func:`migstats.resolve` accepts, or a group (its members are the focus;
        moves between members are left out).
    year : int
        Year asked for; :func:`migstats.indicators.corridors` chooses the bilateral table
        (the UN DESA origin x destination table of the edition when cached) and its basis
        and year are printed when they differ.
    scale : {"110m", "50m"}
        Natural Earth scale (1:110 million or 1:50 million).
    symbols : bool
        Proportional circles (default); ``False``: a choropleth of ``k`` classes of natural
        breaks on a log scale (:func:`classify`).
    k, scheme
        Classes of the choropleth (``symbols=False``).
    top_n : int
        The top partners labelled (small states among them included); where four or more of
        them crowd around the country, they are named in a regional inset instead.
    ax : matplotlib Axes, optional
        Draw into this axes instead of a new figure.
    figsize : (float, float), optional
        Figure size in inches (default :data:`migstats.style.FIGURE_WIDTH` wide, height from the map).
    dpi : float, optional
        Figure resolution on screen (dots per inch; saving uses :func:`save_figure`'s).

    Returns
    -------
    matplotlib.figure.Figure
        With ``migstats_alt``, ``migstats_caption`` and ``migstats_data`` (see module docs):
        one ``"symbol"`` row per destination (value in persons) and the focus row(s).
    """
    return _partner_map(country, year, "emigrants", scale=scale, k=k, scheme=scheme, ax=ax,
                        data_dir=data_dir, figsize=figsize, dpi=dpi, symbols=symbols, top_n=top_n)


def origins_map(country, year: int = 2024, *, scale: str = "110m", symbols: bool = True, k: int = 5,
                scheme: str = "fisher_jenks", top_n: int = 10, ax=None, data_dir=None, figsize=None,
                dpi=None) -> Figure:
    """Where the immigrants living in ``country`` come from: proportional circles (persons).

    Parameters as :func:`diaspora_map`. Immigrants of unknown origin are not mapped;
    the caption gives their share.
    """
    return _partner_map(country, year, "immigrants", scale=scale, k=k, scheme=scheme, ax=ax,
                        data_dir=data_dir, figsize=figsize, dpi=dpi, symbols=symbols, top_n=top_n)


def great_circle(lon1: float, lat1: float, lon2: float, lat2: float, n: int = 64, *,
                 central_meridian: float = 0.0) -> list[np.ndarray]:
    """The geodesic between two points (WGS84), split where it crosses the map's edge.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float
        Degrees.
    n : int
        Intermediate points.
    central_meridian : float
        The map's central meridian; the line is split at the opposite meridian.

    Returns
    -------
    list of ndarray
        ``(m, 2)`` arrays of lon/lat, longitudes in ``central_meridian ± 180`` (so each
        piece is continuous on the map); two pieces when the line crosses the edge, the
        first ending at ``central_meridian ± 180`` and the second starting at the other side.
    """
    from pyproj import Geod

    mid = Geod(ellps="WGS84").npts(lon1, lat1, lon2, lat2, n)
    pts = np.array([(lon1, lat1), *mid, (lon2, lat2)], dtype="float64")
    rel = _rel(pts[:, 0], central_meridian)
    segs, cur = [], [(rel[0], pts[0, 1])]
    for i in range(1, len(pts)):
        a, b = rel[i - 1], rel[i]
        if abs(b - a) > 180:
            edge = 180.0 if a > 0 else -180.0
            unwrapped = b + (360.0 if edge > 0 else -360.0)
            t = (edge - a) / (unwrapped - a) if unwrapped != a else 0.0
            lat = pts[i - 1, 1] + t * (pts[i, 1] - pts[i - 1, 1])
            cur.append((edge, lat))
            segs.append(np.array(cur))
            cur = [(-edge, lat), (b, pts[i, 1])]
        else:
            cur.append((b, pts[i, 1]))
    segs.append(np.array(cur))
    return [np.column_stack([s[:, 0] + central_meridian, s[:, 1]]) for s in segs if len(s) >= 2]


def _inset_candidates():
    """Places (axes fractions) and sizes for an inset: corners, then the middles of the sides; large, then small."""
    out = []
    for fw, fh in ((0.36, 0.46), (0.3, 0.4)):
        mx, my = (1 - fw) / 2, (1 - fh) / 2
        out += [(x, y, fw, fh) for x, y in [(0.0, 0.0), (1 - fw, 0.0), (0.0, 1 - fh), (1 - fw, 1 - fh),
                                            (mx, 0.0), (mx, 1 - fh), (0.0, my), (1 - fw, my)]]
    return out


def corridor_map(country, year: int = 2024, direction: str = "emigrants", top_n: int = 10, *,
                 scale: str = "110m", ax=None, data_dir=None, figsize=None, dpi=None,
                 labels_on: bool = True, inset: bool | None = None, **kwargs) -> Figure:
    """Great-circle lines from a country to its top destinations (or from its top origins).

    The map is centred on the country's longitude and its extent fits the lines; when
    several partners lie close to the country (their lines would crowd into a small part of
    the map), they are drawn again in a regional inset, where they are labelled. Line width
    is proportional to the stock (persons; a continuous width legend); the country is drawn
    on top of its lines; every partner is labelled, without overlaps.

    Parameters
    ----------
    direction : {"emigrants", "immigrants"}
        ``"emigrants"``: lines to the top ``top_n`` destinations; ``"immigrants"``: lines
        from the top ``top_n`` origins.
    top_n : int
        Number of corridors.
    labels_on : bool
        Label partners with their short names (``labels=`` is accepted as well).
    inset : bool, optional
        Force (True) or forbid (False) the regional inset; default: when at least three
        partners lie within a tenth of the map's width of the country.

    Returns
    -------
    matplotlib.figure.Figure
        ``migstats_data`` has one ``"line"`` row per corridor (``value`` in persons,
        ``class_index`` = rank - 1, ``segments`` = pieces after the split at the map's edge,
        ``linewidth`` in points, ``in_inset``, ``labelled``) and the focus row.
    """
    if "labels" in kwargs:
        labels_on = kwargs.pop("labels")
    if kwargs:
        raise TypeError(f"corridor_map() got unexpected keyword arguments {sorted(kwargs)}")
    c = resolve(country, data_dir=data_dir)
    base = _base(scale, data_dir)
    emi = direction == "emigrants"
    reason = ""
    try:
        cor = indicators.corridors(c, year, direction, top_n=top_n, data_dir=data_dir)
    except DataNotAvailableError as exc:
        cor, reason = None, str(exc)
    title_word = (f"Top {top_n} destinations of emigrants from {place_name(c)}" if emi
                  else f"Top {top_n} origins of immigrants in {place_name(c)}")
    lon_0 = central_meridian(base.line_lonlat.get(c.location_code, (0.0, 0.0))[0])
    layer = _layer(base, lon_0)
    focus_row = (c.location_code, c.iso3, base.names.get(c.location_code, c.name), np.nan, pd.NA,
                 style.FOCUS_COLOUR, style.FOCUS_EDGE,
                 "polygon" if c.location_code in base.polygon_codes else "marker", True)
    if cor is None or cor.empty:
        if cor is not None:
            reason = (f"The bilateral data ({cor.attrs['source']}, {cor.attrs['year']}) record no "
                      f"{'emigrants from' if emi else 'immigrants in'} {place_name(c)}.")
        dyear = cor.attrs["year"] if cor is not None else year
        src = cor.attrs["source"] if cor is not None else "no bilateral source in the store"
        title, caption = f"{title_word}, {dyear}", f"Source: {src}, {dyear}. {reason}"
        frame = _new_map(ax, figsize, dpi, aspect=_WORLD_ASPECT, title=title, subtitle="No data",
                         caption=caption, legend=False)
        _frame(frame.ax, base)
        _set_extent(frame.ax, _world_box(base))
        _no_data_map(frame, base, layer, [c.location_code], reason)
        data = _record([focus_row]).assign(segments=0, linewidth=np.nan, in_inset=False)
        return _finish(frame, title=title, subtitle="No data", caption=caption,
                       alt=f"Corridor map with no data: {reason}", data=data)

    dyear, src = cor.attrs["year"], cor.attrs["source"]
    short = base.names.get(c.location_code, c.name)
    vals = cor["migrants"].to_numpy(dtype=float)
    vmax = float(vals.max())

    def width_of(v):
        return max(_LINE_MAX_PT * float(v) / vmax, _LINE_MIN_PT)

    lw = np.array([width_of(v) for v in vals])
    o_lon, o_lat = base.line_lonlat[c.location_code]
    codes = cor["location_code"].astype(int).tolist()
    lines = []   # per corridor: list of (m, 2) projected arrays
    for code in codes:
        p_lon, p_lat = base.line_lonlat[code]
        pieces = (great_circle(o_lon, o_lat, p_lon, p_lat, central_meridian=lon_0) if emi
                  else great_circle(p_lon, p_lat, o_lon, o_lat, central_meridian=lon_0))
        proj = []
        for piece in pieces:
            x, y = _project(piece[:, 0] - lon_0, piece[:, 1])
            proj.append(np.column_stack([x, y]))
        lines.append(proj)
    ox, oy = layer.line_points[c.location_code]
    ends = np.array([layer.line_points[code] for code in codes])
    allpts = np.vstack([p for pr in lines for p in pr] + [[[ox, oy]]])
    x0, y0 = allpts.min(axis=0)
    x1, y1 = allpts.max(axis=0)
    fb = layer.bounds.get(c.location_code)
    span = max(x1 - x0, y1 - y0, 1.5e6)
    if fb is not None and (fb[2] - fb[0]) < 1.2 * span:   # the whole focus if not much larger than the lines
        x0, y0, x1, y1 = min(x0, fb[0]), min(y0, fb[1]), max(x1, fb[2]), max(y1, fb[3])
    span = max(x1 - x0, y1 - y0, 1.5e6)
    pad = 0.12 * span
    box = (x0 - pad, y0 - pad * 0.8, x1 + pad, y1 + pad * 0.8)
    wbox = _world_box(base)
    box = (max(box[0], wbox[0]), max(box[1], wbox[1]), min(box[2], wbox[2]), min(box[3], wbox[3]))
    aspect = (box[2] - box[0]) / (box[3] - box[1])

    shown = float(cor["share_pct"].sum())
    sub = f"{shown:.1f}% of all {'emigrants' if emi else 'immigrants'} ({style.thousands(cor.attrs['total'])})"
    if dyear != year:
        sub += f"; from {cor.attrs['basis']}, {dyear} (see the data notes)"
    pt_note = ("Lines are geodesics (great circles) ending at a point inside each area (for Russia, Canada, "
               "China, Australia, Indonesia, Malaysia and New Zealand, the capital); width is proportional "
               "to the stock.")
    cap = (f"Source: {src}, {dyear}. {pt_note} Equal Earth projection centred on "
           f"{_meridian_text(lon_0)}, Natural Earth 1:{scale.rstrip('m')} million boundaries.")
    if len(cor) < top_n:  # fewer partners than asked for: all of them, not a "top 10" of 9
        title_word = (f"All {len(cor)} destinations of emigrants from {place_name(c)}" if emi
                      else f"All {len(cor)} origins of immigrants in {place_name(c)}")
    title = f"{title_word}, {dyear}"
    frame = _new_map(ax, figsize, dpi, aspect=aspect, title=title, subtitle=sub, caption=cap)
    fig, ax = frame.fig, frame.ax
    with style.context():
        _frame(ax, base)
        _set_extent(ax, box)
        xmin, xmax = ax.get_xlim()
        main_w = xmax - xmin
        # the regional inset: partners within a tenth of the map's width of the country
        d = np.hypot(ends[:, 0] - ox, ends[:, 1] - oy)
        near = [i for i in range(len(codes)) if d[i] < 0.1 * main_w]
        use_inset = (len(near) >= 3 and len(near) < len(codes)) if inset is None else bool(inset) and len(near) > 0
        if inset and not near:
            near = list(np.argsort(d)[:3])
        _corridor_layer(ax, base, layer, c, codes, lines, lw, zorder=4)
        in_inset = set(near) if use_inset else set()
        renderer = labels.renderer_of(fig)
        taken: list = []
        iax = None
        if use_inset:
            iax, inset_px = _corridor_inset(frame, base, layer, c, codes, lines, lw, near, ends, (ox, oy),
                                            renderer, min_zoom=_INSET_MIN_ZOOM if inset is None else 0.0)
            if iax is None:
                in_inset = set()
        # labels: inset partners in the inset, the others on the main map
        soft = np.vstack([ax.transData.transform(p[::4]) for pr in lines for p in pr])
        obstacles = [inset_px] if iax is not None else []
        if labels_on:
            if iax is not None:
                isoft = np.vstack([iax.transData.transform(p[::2]) for i in near for p in lines[i]])
                ireqs = [labels.LabelRequest(cor["name"].iloc[i], *ends[i], clearance=2.5,
                                             gid=f"migstats-label-{codes[i]}") for i in sorted(near)]
                ireqs.insert(0, labels.LabelRequest(short, ox, oy, clearance=3.0, gid="migstats-label-focus",
                                                    weight="bold"))
                # the focus and partner dots stay free
                dots = [_dot_box(iax, e, 3.0) for e in [*(ends[i] for i in near), (ox, oy)]]
                labels.place_labels(iax, ireqs, taken=taken, obstacles=dots, soft_points=isoft, renderer=renderer,
                                    fontsize=style.LABEL_SIZE, ring_step=5.0)
            reqs = [labels.LabelRequest(cor["name"].iloc[i], *ends[i], clearance=2.5,
                                        gid=f"migstats-label-{codes[i]}")
                    for i in range(len(codes)) if i not in in_inset]
            if iax is None:
                reqs.insert(0, labels.LabelRequest(short, ox, oy, clearance=3.0, gid="migstats-label-focus",
                                                   weight="bold"))
            dots = [_dot_box(ax, e, 3.0) for i, e in enumerate(ends) if i not in in_inset]
            labels.place_labels(ax, reqs, taken=taken, obstacles=obstacles + dots, soft_points=soft,
                                renderer=renderer, fontsize=style.LABEL_SIZE)
        # legend: the focus, the width scale
        leg_title = ("Emigrants" if emi else "Immigrants") + " (persons)"
        top = _width_legend(frame, vmax, width_of, leg_title, frame.legend_top)
        handles = [_focus_patch(short)]
        if iax is not None:
            handles.append(Patch(facecolor="none", edgecolor="#333333", linewidth=0.8,
                                 label=_wrap_label("Area enlarged in the inset")))
        _legend_at(frame, handles, None, top)
        top3 = ", ".join(f"{n} ({style.thousands(v)})" for n, v in zip(cor["name"].head(3), vals[:3]))
        alt = (f"Map of lines {'from' if emi else 'to'} {place_name(c)} {'to' if emi else 'from'} its top "
               f"{len(cor)} {'destinations' if emi else 'origins'} in {dyear} ({src}); largest: {top3}"
               + (f"; {len(near)} nearby partners are enlarged in an inset." if iax is not None else "."))
        texts = {t.get_gid() for a in fig.axes for t in a.texts}
        rows = [(code, base.iso3.get(code), name, float(v), i, style.SYMBOL_COLOUR, style.SYMBOL_COLOUR, "line",
                 False, f"migstats-label-{code}" in texts)
                for i, (code, v, name) in enumerate(zip(codes, vals, cor["name"]))]
        data = _record(rows + [focus_row + ("migstats-label-focus" in texts,)])
        data["segments"] = [len(pr) for pr in lines] + [0]
        data["linewidth"] = list(lw) + [np.nan]
        data["in_inset"] = [i in in_inset for i in range(len(codes))] + [False]
        fig.migstats_point_source = {code: base.point_source.get(code) for code in codes + [c.location_code]}
        return _finish(frame, title=title, subtitle=sub, caption=cap, alt=alt, data=data)


def _dot_box(ax, xy, r_pt):
    px, py = ax.transData.transform(xy)
    r = r_pt * ax.figure.dpi / 72
    return (px - r, py - r, px + r, py + r)


def _corridor_layer(ax, base, layer, c, codes, lines, lw, *, zorder):
    """Land, the corridor lines (widest first), partner dots and the focus on top."""
    fpaths = _draw_land(ax, layer, base, focus=[c.location_code])
    order = np.argsort(-np.asarray(lw), kind="stable")
    for i in order:
        for j, seg in enumerate(lines[i]):
            ln = Line2D(seg[:, 0], seg[:, 1], color=style.SYMBOL_COLOUR, linewidth=lw[i], alpha=0.8,
                        solid_capstyle="round", zorder=zorder)
            ln.set_gid(f"migstats-corridor-{codes[i]}" + (f":{j}" if j else ""))
            ax.add_line(ln)
    ends = np.array([layer.line_points[code] for code in codes])
    ax.scatter(ends[:, 0], ends[:, 1], s=14, c="white", edgecolors=style.MARKER_EDGE, linewidths=0.8,
               zorder=zorder + 2).set_gid("migstats-partners")
    _draw_focus(ax, fpaths, base, layer, [c.location_code], zorder=zorder + 1)
    ox, oy = layer.line_points[c.location_code]
    ax.scatter([ox], [oy], s=22, c=style.FOCUS_COLOUR, edgecolors=style.FOCUS_EDGE, linewidths=1.0,
               zorder=zorder + 2.5).set_gid("migstats-origin")
    return ends


def _corridor_inset(frame, base, layer, c, codes, lines, lw, near, ends, origin, renderer, min_zoom=_INSET_MIN_ZOOM):
    """The regional inset of the partners close to the country, in the emptiest corner of the map
    (``(None, None)`` when it would enlarge its area less than ``min_zoom`` times)."""
    pts = np.vstack([ends[list(near)], [origin]])
    fb = layer.bounds.get(c.location_code)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    if fb is not None and (fb[2] - fb[0]) < 3 * max(x1 - x0, y1 - y0, 3e5):
        x0, y0, x1, y1 = min(x0, fb[0]), min(y0, fb[1]), max(x1, fb[2]), max(y1, fb[3])
    span = max(x1 - x0, y1 - y0, 6e5)
    pad = 0.4 * span
    region = (x0 - pad, y0 - pad * 0.7, x1 + pad, y1 + pad * 0.7)
    # content to avoid: line vertices (soft), partner points and the country (hard)
    line_xy = np.vstack([p for pr in lines for p in pr])
    dots = np.vstack([ends, [origin]])
    iax = _inset_axes(frame, region, np.vstack([line_xy, dots]),
                      np.concatenate([np.full(len(line_xy), 2.0), np.full(len(dots), 200.0)]), min_zoom)
    if iax is None:
        return None, None
    sub_codes = [codes[i] for i in near]
    sub_lines = [lines[i] for i in near]
    sub_lw = [lw[i] for i in near]
    _corridor_layer(iax, base, layer, c, sub_codes, sub_lines, sub_lw, zorder=4)
    for ln in iax.lines:
        if ln.get_gid() and ln.get_gid().startswith("migstats-corridor-"):
            ln.set_gid(ln.get_gid().replace("migstats-corridor-", "migstats-inset-corridor-"))
    return iax, tuple(iax.get_window_extent(renderer).extents)


def _codes(spec, data_dir) -> list[int]:
    if spec is None:
        return []
    if isinstance(spec, (list, tuple, set)):
        return [resolve(s, data_dir=data_dir).location_code for s in spec]
    return [resolve(spec, data_dir=data_dir).location_code]


def world_map(indicator: str, year: int = 2024, *, denominator: str = "population", region=None,
              k: int = 5, scheme: str = "fisher_jenks", highlight=None, scale: str = "110m", ax=None,
              data_dir=None, figsize=None, dpi=None, names: bool | None = None) -> Figure:
    """World (or regional) choropleth of one indicator.

    Parameters
    ----------
    indicator : str
        A name :func:`migstats.indicators.world_indicator` accepts, e.g. ``"immigrant_share"``
        (percent of population), ``"emigrant_share"`` (percent of ``denominator``),
        ``"immigrant_stock"`` (persons: classes on a log scale), ``"remittances_pct_gdp"``.
    year : int
        Reference year (UN DESA years for stocks and shares; any WDI year for remittances).
    denominator : {"population", "residents_plus_emigrants"}
        Denominator of the emigrant share (named in the legend).
    region : str, Group or list, optional
        A group name (:func:`migstats.resolve_group`), a Group or a list of countries: only
        these are classed, named on the map, and the map zooms to them; other land is plain.
    k, scheme
        Classes (:func:`classify`; natural breaks by default).
    highlight : str or list, optional
        Countries outlined in the focus colour (their class fill is kept).
    names : bool, optional
        Name the region's members on the map (default: with a region). Names that do not
        fit without overlapping are left out and the caption says so.
    """
    from .groups import Group, resolve_group

    _check_scheme(scheme)
    base = _base(scale, data_dir)
    s = indicators.world_indicator(indicator, year, denominator=denominator, data_dir=data_dir)
    label, unit, src = s.attrs["label"], s.attrs["unit"], s.attrs["source"]
    members, rname = None, ""
    if region is not None:
        g = region if isinstance(region, Group) else resolve_group(region, data_dir=data_dir)
        members = set(int(m) for m in g.members)
        rname = g.name if g.name != "Custom group" else ", ".join(base.names.get(m, str(m)) for m in sorted(members)[:6])
        s = s[s.index.isin(members)]
    hl = _codes(highlight, data_dir)
    lon_0 = central_meridian(_focus_lon(base, members)) if members else 0.0
    layer = _layer(base, lon_0)
    vals = s.dropna()
    title = f"{label}, {year}" + (f" — {rname}" if rname else "")
    if members:
        boxes = [layer.bounds[m] for m in members if m in layer.bounds]
        boxes += [(x, y, x, y) for m in members if m not in layer.bounds and m in layer.points
                  for x, y in [layer.points[m]]]
        b = np.array(boxes) if boxes else np.array([_world_box(base)])
        x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
        px, py = max((x1 - x0) * 0.08, 2e5), max((y1 - y0) * 0.08, 2e5)
        box = (x0 - px, y0 - py, x1 + px, y1 + py)
    else:
        box = _world_box(base)
    aspect = (box[2] - box[0]) / (box[3] - box[1])
    short_unit = "%" if "percent" in unit else unit
    log = None
    classes_hint = classify(vals.to_numpy(), k, scheme, unit=unit) if len(vals) else None
    n_cls = classes_hint.k if classes_hint is not None else 0
    how = ("natural breaks (Fisher-Jenks)" if scheme == "fisher_jenks" else "quantiles") + \
        (" of the log of the values" if classes_hint is not None and classes_hint.log else "")
    sub = f"{len(vals)} areas with data; {n_cls} classes, {how}, rounded"
    cap = (f"Source: {src}, {year}. Unit: {unit}. Equal Earth projection"
           + (f" centred on {_meridian_text(lon_0)}" if lon_0 else "")
           + f", Natural Earth 1:{scale.rstrip('m')} million boundaries.")
    frame = _new_map(ax, figsize, dpi, aspect=aspect, title=title, subtitle=sub, caption=cap)
    fig, ax = frame.fig, frame.ax
    with style.context():
        _frame(ax, base)
        _set_extent(ax, box)
        rows, classes = _draw_choropleth(frame, base, layer, s, unit=unit, k=k, scheme=scheme, focus=[],
                                         highlight=hl, context_codes=members,
                                         legend_title=f"{label} ({short_unit})", no_data_label="No data",
                                         log=log, zero_label=f"0{short_unit if short_unit == '%' else ''} (none)",
                                         classes=classes_hint if classes_hint is not None and vals.index.equals(
                                             s.dropna().index) else None)
        if vals.empty:
            style.no_data_panel(ax, f"{label}: no values for {year}" + (f" in {rname}" if rname else "") + ".")
        data = _record(rows)
        if members and (names is None or names):
            renderer = labels.renderer_of(fig)
            order = sorted(members, key=lambda m: -(layer.bounds[m][2] - layer.bounds[m][0]) * (layer.bounds[m][3] - layer.bounds[m][1])
                           if m in layer.bounds else 0)
            reqs = [labels.LabelRequest(base.names.get(m, str(m)), *layer.points[m], clearance=0.0,
                                        gid=f"migstats-label-{m}") for m in order if m in layer.points]
            placed = labels.place_labels(ax, reqs, renderer=renderer, fontsize=style.LABEL_SIZE, rings=3,
                                         ring_step=6.0)
            dropped = [p for p in placed if not p.ok]
            for p in dropped:
                p.text.remove()
                if p.leader is not None:
                    p.leader.remove()
            named = {int(p.request.gid.rsplit("-", 1)[1]) for p in placed if p.ok}
            data["labelled"] = data["location_code"].astype(int).isin(named)
            if dropped:
                cap += f" Names of {len(dropped)} members are left out where they would overlap."
        if len(vals):
            hi = vals.sort_values(ascending=False).head(3)
            top = ", ".join(f"{base.names.get(int(i), i)} ({style.format_number(v, unit)})" for i, v in hi.items())
            alt = (f"{'Regional' if members else 'World'} map of {label.lower()} in {year} ({src}), "
                   f"{len(vals)} areas in {classes.k} classes; highest: {top}.")
        else:
            alt = f"Map of {label.lower()} in {year}: no data."
        return _finish(frame, title=title, subtitle=sub, caption=cap, alt=alt, data=data)


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
    out = []
    for fmt in formats:
        target = path.with_suffix(f".{fmt}")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=f".{fmt}", dir=target.parent)
        os.close(fd)
        meta = None
        if fmt == "png":
            meta = {"Description": alt, "Software": "migstats"}
        elif fmt == "svg":
            meta = {"Description": alt, "Title": target.stem}
        elif fmt == "pdf":
            meta = {"Subject": alt}
        try:
            with style.context():
                fig.savefig(tmp, format=fmt, dpi=dpi, metadata=meta, facecolor="white")
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        out.append(target)
    return out
