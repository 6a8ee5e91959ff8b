"""Tests of migstats.labels: the greedy placer keeps labels apart, inside the frame, and says when it cannot."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from migstats import labels  # noqa: E402


def _axes(w=6.0, h=4.0, dpi=100):
    fig = Figure(figsize=(w, h), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.05, 0.05, 0.9, 0.9))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    return fig, ax


def test_crowded_labels_do_not_overlap_and_stay_inside():
    fig, ax = _axes()
    rng = np.random.default_rng(0)
    pts = 50 + rng.normal(0, 4, size=(12, 2))           # twelve anchors in a small cluster
    reqs = [labels.LabelRequest(f"Country {i}", x, y, clearance=3, gid=f"l{i}") for i, (x, y) in enumerate(pts)]
    placed = labels.place_labels(ax, reqs)
    assert all(p.ok for p in placed)
    r = labels.renderer_of(fig)
    boxes = [p.text.get_window_extent(r) for p in placed]
    assert labels.overlaps(boxes) == []
    frame = ax.get_window_extent(r)
    assert all(b.x0 >= frame.x0 and b.x1 <= frame.x1 and b.y0 >= frame.y0 and b.y1 <= frame.y1 for b in boxes)
    # labels pushed away from their anchor get a leader line; the first one sits next to it
    assert placed[0].ring == 0 and placed[0].leader is None
    assert any(p.ring > 0 and p.leader is not None for p in placed)
    # the rendered box is where the placer put it
    for p, b in zip(placed, boxes):
        np.testing.assert_allclose(b.extents, p.box.extents, atol=1.0)


def test_obstacles_and_taken_boxes_are_avoided():
    fig, ax = _axes()
    r = labels.renderer_of(fig)
    anchor = ax.transData.transform((50, 50))
    block = (anchor[0] + 1, anchor[1] - 30, anchor[0] + 200, anchor[1] + 30)   # all space to the right
    taken = [block]
    placed = labels.place_labels(ax, [labels.LabelRequest("Belarus", 50, 50)], taken=taken)
    b = placed[0].text.get_window_extent(r)
    assert placed[0].ok and labels.overlaps([b, block]) == []
    assert b.x1 <= anchor[0] + 1                          # it went left (or above/below)
    assert len(taken) == 2                                # its box was added for later calls


def test_no_room_is_reported():
    fig, ax = _axes(w=1.0, h=0.6)
    reqs = [labels.LabelRequest("A rather long country name", 50, 50, gid="a"),
            labels.LabelRequest("Another long country name", 52, 50, gid="b")]
    placed = labels.place_labels(ax, reqs, rings=1)
    assert not all(p.ok for p in placed)


def test_offsets_are_kept_at_another_resolution():
    fig, ax = _axes()
    placed = labels.place_labels(ax, [labels.LabelRequest("Poland", 50, 50),
                                      labels.LabelRequest("Lithuania", 51, 51)])
    r = labels.renderer_of(fig)
    at100 = [p.text.get_window_extent(r).extents for p in placed]
    fig.set_dpi(300)
    r300 = labels.renderer_of(fig)
    at300 = [p.text.get_window_extent(r300).extents for p in placed]
    # every box scales with the resolution (offsets are in inches, not pixels)
    np.testing.assert_allclose(np.array(at300) / 3, np.array(at100), atol=1.5)


def test_a_label_leaves_a_neighbours_circle():
    # a small area inside a neighbour's big circle: its label goes beyond that circle (with a
    # leader line) rather than onto it, where it would read as the big circle's name
    fig, ax = _axes()
    r = labels.renderer_of(fig)
    big = ax.transData.transform((50, 50))
    radius = 60.0                                                   # pixels
    discs = np.array([[big[0], big[1], radius]])
    req = labels.LabelRequest("Belarus", 45, 50, clearance=2)
    free = labels.place_labels(ax, [req])[0].text.get_window_extent(r)
    fig, ax = _axes()
    placed = labels.place_labels(ax, [req], discs=discs)[0]
    b = placed.text.get_window_extent(r)
    centre = ((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2)
    # without the circle the label sits on it; with it, its centre is outside and a leader joins it
    assert np.hypot((free.x0 + free.x1) / 2 - big[0], (free.y0 + free.y1) / 2 - big[1]) < radius
    assert np.hypot(centre[0] - big[0], centre[1] - big[1]) >= radius
    assert placed.ring > 0 and placed.leader is not None
    # the label's own circle (centred on its anchor) does not push it away
    own = ax.transData.transform((45, 50))
    fig, ax = _axes()
    alone = labels.place_labels(ax, [req], discs=np.array([[own[0], own[1], 4.0]]))[0]
    assert alone.ring == 0
