"""Map labels placed without overlaps: a greedy placer on rendered text extents.

Cartographic labels (country names next to their symbol or line end) are placed one at a
time, most important first. Each label tries candidate positions around its anchor — right,
upper right, lower right, left, … (Imhof's order of preference), first next to the anchor
and then on rings further out, with a thin leader line — and takes the best position whose
box (the text's rendered window extent, padded) stays inside the frame and touches no label
placed before it and no obstacle (symbols, the focus country, an inset, the legend). Soft
obstacles (points along the corridor lines) only make a position less good.

A label that finds no free position is still drawn (at its least bad position) and reported
in the result, so a caller or a test sees it; the maps of :mod:`migstats.maps` are checked
for this on a fixed set of countries in ``tests/test_map_visual_check.py``.

Positions are kept as offsets in points from the anchor, so a figure saved at another
resolution keeps its labels where they were placed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox, BboxBase, ScaledTranslation

__all__ = ["LabelRequest", "PlacedLabel", "place_labels", "renderer_of", "text_boxes", "overlaps"]

#: Directions in order of preference (unit vectors, y up): right, upper right, lower right,
#: left, upper left, lower left, above, below.
_DIRECTIONS = np.array([(1, 0), (1, 1), (1, -1), (-1, 0), (-1, 1), (-1, -1), (0, 1), (0, -1)], dtype=float)


@dataclass
class LabelRequest:
    """One label to place.

    Attributes
    ----------
    text : str
    x, y : float
        Anchor in the data coordinates of the axes.
    clearance : float
        Radius around the anchor kept free (points), e.g. the radius of its symbol.
    gid : str
        Given to the Text (and its leader line, with ``":leader"`` appended).
    weight : str
        Font weight.
    """

    text: str
    x: float
    y: float
    clearance: float = 2.0
    gid: str = ""
    weight: str = "normal"


@dataclass
class PlacedLabel:
    """The outcome for one :class:`LabelRequest`."""

    request: LabelRequest
    text: object                 # matplotlib Text
    box: Bbox                    # display coordinates (pixels) at placement
    ok: bool                     # False: no free position was found
    leader: object | None = None  # Line2D when the label sits away from its anchor
    ring: int = 0


@dataclass
class _Free:
    boxes: list = field(default_factory=list)   # (x0, y0, x1, y1) in pixels


def renderer_of(fig):
    """A renderer for ``fig`` (its canvas's, or a fresh Agg one) to measure text with."""
    get = getattr(fig.canvas, "get_renderer", None)
    if get is not None:
        return get()
    from matplotlib.backend_bases import _get_renderer

    return _get_renderer(fig)


def text_boxes(fig, renderer=None) -> list[tuple[object, Bbox]]:
    """Every visible, non-empty Text of ``fig`` with its rendered window extent (pixels).

    Covers figure texts, axes texts, titles, axis labels, tick labels and legend texts of
    every axes (insets included).
    """
    from matplotlib.text import Text

    renderer = renderer or renderer_of(fig)
    out = []
    seen = set()
    for t in fig.findobj(Text):
        if id(t) in seen or not t.get_visible() or not str(t.get_text()).strip():
            continue
        seen.add(id(t))
        if t.axes is not None and not t.axes.get_visible():
            continue
        out.append((t, t.get_window_extent(renderer)))
    return out


def overlaps(boxes, tol: float = 0.5) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` of boxes (``Bbox`` or ``(x0, y0, x1, y1)``) that overlap by more than ``tol`` px."""
    arr = np.array([b.extents if isinstance(b, BboxBase) else b for b in boxes], dtype=float).reshape(-1, 4)
    pairs = []
    for i in range(len(arr)):
        a = arr[i]
        ox = np.minimum(a[2], arr[i + 1:, 2]) - np.maximum(a[0], arr[i + 1:, 0])
        oy = np.minimum(a[3], arr[i + 1:, 3]) - np.maximum(a[1], arr[i + 1:, 1])
        for j in np.flatnonzero((ox > tol) & (oy > tol)):
            pairs.append((i, i + 1 + int(j)))
    return pairs


def _hits(cands: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Boolean per candidate box: intersects any of ``boxes``."""
    if not len(boxes):
        return np.zeros(len(cands), dtype=bool)
    c = cands[:, None, :]
    b = boxes[None, :, :]
    ox = (np.minimum(c[..., 2], b[..., 2]) - np.maximum(c[..., 0], b[..., 0])) > 0
    oy = (np.minimum(c[..., 3], b[..., 3]) - np.maximum(c[..., 1], b[..., 1])) > 0
    return (ox & oy).any(axis=1)


def _count_hits(cands: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Number of ``boxes`` each candidate box intersects."""
    if not len(boxes):
        return np.zeros(len(cands))
    c = cands[:, None, :]
    b = boxes[None, :, :]
    ox = (np.minimum(c[..., 2], b[..., 2]) - np.maximum(c[..., 0], b[..., 0])) > 0
    oy = (np.minimum(c[..., 3], b[..., 3]) - np.maximum(c[..., 1], b[..., 1])) > 0
    return (ox & oy).sum(axis=1)


def _points_inside(cands: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Number of ``pts`` (n, 2) inside each candidate box."""
    if not len(pts):
        return np.zeros(len(cands))
    x, y = pts[None, :, 0], pts[None, :, 1]
    inside = (x > cands[:, None, 0]) & (x < cands[:, None, 2]) & (y > cands[:, None, 1]) & (y < cands[:, None, 3])
    return inside.sum(axis=1)


def place_labels(ax, requests, *, taken=None, obstacles=(), soft_points=None, soft_boxes=None, discs=None,
                 frame=None,
                 fontsize: float = 9.0, color: str = "#1a1a1a", halo: bool = True, pad: float = 2.0,
                 rings: int = 7, ring_step: float = 7.0, renderer=None, zorder: float = 8) -> list[PlacedLabel]:
    """Place labels on ``ax`` one by one, in the order given, without overlaps.

    Parameters
    ----------
    ax : matplotlib Axes
        Its position and limits must be final (labels are placed in pixels).
    requests : list of LabelRequest
        Most important first.
    taken : list, optional
        Pixel boxes ``(x0, y0, x1, y1)`` already occupied (other labels, the legend); the
        boxes of the labels placed here are appended to it, so that several calls (a main
        map and its inset) share it.
    obstacles : sequence of (x0, y0, x1, y1)
        Further pixel boxes to keep free (not appended to ``taken``).
    soft_points : array (n, 2), optional
        Pixel points (e.g. along lines) a label should rather not cover.
    soft_boxes : sequence of (x0, y0, x1, y1), optional
        Pixel boxes (e.g. large symbols) a label should rather not cover.
    discs : array (n, 3), optional
        Pixel circles ``(cx, cy, r)`` of proportional symbols. A label lying on another
        area's circle reads as that circle's name, so each of its corners and its centre
        inside one costs as much as moving two and a half rings out (with a leader line).
        The circle centred on the label's own anchor is exempt.
    frame : Bbox, optional
        Pixel box the labels must stay inside (default the axes' window extent).
    fontsize : float
        Points.
    halo : bool
        Draw a white halo behind the letters.
    pad : float
        Pixels kept free around each label box.
    rings, ring_step : int, float
        Candidate rings beyond the first, and their spacing (points).

    Returns
    -------
    list of PlacedLabel
        One per request, in order; ``ok`` is False where no free position was found.
    """
    import matplotlib.patheffects as pe

    fig = ax.figure
    renderer = renderer or renderer_of(fig)
    taken = taken if taken is not None else []
    frame = frame or ax.get_window_extent(renderer)
    fx0, fy0, fx1, fy1 = frame.extents
    px_per_pt = fig.dpi / 72.0
    obstacles = np.array(list(obstacles), dtype=float).reshape(-1, 4)
    soft = np.asarray(soft_points if soft_points is not None else np.zeros((0, 2)), dtype=float).reshape(-1, 2)
    soft_b = np.array(list(soft_boxes) if soft_boxes is not None else [], dtype=float).reshape(-1, 4)
    disc = np.asarray(discs if discs is not None else np.zeros((0, 3)), dtype=float).reshape(-1, 3)
    effects = [pe.withStroke(linewidth=2.4, foreground="white")] if halo else None
    out = []
    for req in requests:
        t = ax.text(req.x, req.y, req.text, fontsize=fontsize, color=color, ha="left", va="baseline",
                    fontweight=req.weight, zorder=zorder, path_effects=effects, gid=req.gid or None,
                    clip_on=False)
        ext = t.get_window_extent(renderer)
        w, h = ext.width, ext.height
        # descent: distance from the baseline down to the bottom of the box
        base_y = ax.transData.transform((req.x, req.y))[1]
        descent = base_y - ext.y0
        anchor = ax.transData.transform((req.x, req.y))
        r0 = req.clearance * px_per_pt + 2.0
        rings_of, order_of, ux, uy = _candidate_directions(rings)
        r = r0 + rings_of * ring_step * px_per_pt
        px, py = anchor[0] + ux * r, anchor[1] + uy * r
        # the box touches the point (px, py) on its side facing the anchor
        x0s = np.where(ux > 0.38, px, np.where(ux < -0.38, px - w, px - w / 2))
        y0s = np.where(uy > 0.38, py, np.where(uy < -0.38, py - h, py - h / 2))
        cands = np.column_stack([x0s - pad, y0s - pad, x0s + w + pad, y0s + h + pad])
        taken_arr = np.array(taken, dtype=float).reshape(-1, 4)
        inside = (cands[:, 0] >= fx0) & (cands[:, 2] <= fx1) & (cands[:, 1] >= fy0) & (cands[:, 3] <= fy1)
        clash_taken = _hits(cands, taken_arr)
        free = inside & ~clash_taken & ~_hits(cands, obstacles)
        score = rings_of * 10 + order_of * 0.5 + 4 * _points_inside(cands, soft) + 6 * _count_hits(cands, soft_b)
        if len(disc):
            # circles out of reach of every candidate are skipped (a world map has hundreds)
            dist = np.hypot(disc[:, 0] - anchor[0], disc[:, 1] - anchor[1])
            reach = float(r.max()) + w + h + 2 * pad
            other = (dist > 1.0) & (dist < reach + disc[:, 2])
            score = score + 25 * _on_discs(cands, disc[other])
        ok = bool(free.any())
        if ok:
            i = int(np.argmin(np.where(free, score, np.inf)))
        else:  # least bad: inside the frame if possible, fewest hits
            i = int(np.argmin(clash_taken * 100.0 + (~inside) * 1000.0 + score))
        ring, x0, y0 = int(rings_of[i]), float(x0s[i]), float(y0s[i])
        dx_px, dy_px = x0 - anchor[0], y0 + descent - anchor[1]
        t.set_transform(ax.transData + ScaledTranslation(dx_px / fig.dpi, dy_px / fig.dpi, fig.dpi_scale_trans))
        box = Bbox.from_extents(x0, y0, x0 + w, y0 + h)
        taken.append(tuple(cands[i]))
        leader = None
        if ring > 0:
            leader = _leader(ax, anchor, box, req, px_per_pt)
        out.append(PlacedLabel(req, t, box, ok, leader, ring))
    return out


_CANDIDATES: dict[int, tuple] = {}


def _on_discs(cands: np.ndarray, discs: np.ndarray) -> np.ndarray:
    """Per candidate box: how many of its four corners and centre lie inside any of ``discs``."""
    if not len(discs):
        return np.zeros(len(cands))
    x0, y0, x1, y1 = (cands[:, i] for i in range(4))
    pts = np.stack([np.column_stack(p) for p in ((x0, y0), (x1, y0), (x0, y1), (x1, y1),
                                                  ((x0 + x1) / 2, (y0 + y1) / 2))], axis=1)   # (m, 5, 2)
    d = np.hypot(pts[:, :, None, 0] - discs[None, None, :, 0], pts[:, :, None, 1] - discs[None, None, :, 1])
    return (d < discs[None, None, :, 2]).any(axis=2).sum(axis=1)


def _candidate_directions(rings: int):
    """Ring index, preference order and unit vector of every candidate position (cached)."""
    got = _CANDIDATES.get(rings)
    if got is None:
        rs, ks, us = [], [], []
        for ring in range(rings + 1):
            dirs = _DIRECTIONS if ring == 0 else _ring_directions(ring)
            norm = np.hypot(dirs[:, 0], dirs[:, 1])[:, None]
            us.append(dirs / norm)
            rs.append(np.full(len(dirs), ring, dtype=float))
            ks.append(np.arange(len(dirs), dtype=float))
        u = np.vstack(us)
        got = (np.concatenate(rs), np.concatenate(ks), u[:, 0], u[:, 1])
        _CANDIDATES[rings] = got
    return got


def _ring_directions(ring: int) -> np.ndarray:
    """16 directions, the 8 preferred ones first."""
    ang = np.deg2rad(np.arange(0, 360, 22.5) + (11.25 if ring % 2 else 0))
    extra = np.column_stack([np.cos(ang), np.sin(ang)])
    return np.vstack([_DIRECTIONS, extra])


def _leader(ax, anchor, box: Bbox, req: LabelRequest, px_per_pt: float):
    """A thin line from the anchor's clearance circle to the nearest point of the label box."""
    nx = min(max(anchor[0], box.x0), box.x1)
    ny = min(max(anchor[1], box.y0), box.y1)
    vx, vy = nx - anchor[0], ny - anchor[1]
    d = np.hypot(vx, vy)
    if d < 1e-6:
        return None
    start = anchor + np.array([vx, vy]) / d * req.clearance * px_per_pt
    inv = ax.transData.inverted()
    (x0, y0), (x1, y1) = inv.transform(start), inv.transform((nx, ny))
    ln = Line2D([x0, x1], [y0, y1], color="#555555", linewidth=0.6, zorder=7.5,
                gid=(req.gid + ":leader") if req.gid else None)
    ax.add_line(ln)
    return ln
