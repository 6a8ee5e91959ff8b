"""Visual check of the maps on a fixed set of profiles, from the figure objects.

For Belarus, the Philippines, Tuvalu, Syria, Germany and Central Asia (a group), every map
of a profile is drawn once (module fixture) and checked as a reader would look at it:

* no two texts of a figure (title, subtitle, caption, legend entries, map labels, inset
  labels) overlap: their rendered window extents are compared pairwise, and every text lies
  inside the figure;
* on corridor maps, every top-N corridor has a label (on the main map or in the inset) and
  a line whose every vertex lies inside the frame of the map that shows it; labels of the
  main map do not lie under the inset;
* on the group's member map, every member is named;
* the screen PNGs of a profile's figures are palette PNGs, 960 px wide, and light.

The corridors come from :func:`migstats.indicators.corridors` (UN DESA International Migrant
Stock 2024 origin x destination, IOM GDI's reshape, in the test store).
"""

from __future__ import annotations

import io
import os

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from migstats import groups, indicators, labels, maps, style  # noqa: E402

COUNTRIES = ["Belarus", "Philippines", "Tuvalu", "Syria", "Germany"]
TOP_N = 10


@pytest.fixture(scope="module")
def figures(data_dir):
    """name -> Figure for the fixed set (drawn once per module, canvases drawn)."""
    figs = {}
    for c in COUNTRIES:
        figs[f"{c} corridor"] = maps.corridor_map(c, 2024, top_n=TOP_N)
        figs[f"{c} diaspora"] = maps.diaspora_map(c, 2024, top_n=TOP_N)
        figs[f"{c} origins"] = maps.origins_map(c, 2024, top_n=TOP_N)
    g = groups.resolve_group("Central Asia")
    figs["Central Asia members"] = maps.world_map("emigrant_share", 2024, region=g)
    figs["Central Asia diaspora"] = maps.diaspora_map(g, 2024, top_n=TOP_N)
    for fig in figs.values():
        with style.context():
            fig.canvas.draw()
    return figs


@pytest.mark.parametrize("name", [f"{c} {k}" for c in COUNTRIES for k in ("corridor", "diaspora", "origins")]
                         + ["Central Asia members", "Central Asia diaspora"])
def test_no_two_texts_overlap(figures, name):
    fig = figures[name]
    r = labels.renderer_of(fig)
    boxes = labels.text_boxes(fig, r)
    assert len(boxes) >= 6, name                    # title, subtitle, caption, legend, labels
    clashes = [(boxes[i][0].get_text(), boxes[j][0].get_text())
               for i, j in labels.overlaps([b for _, b in boxes])]
    assert not clashes, f"{name}: overlapping texts {clashes}"
    fb = fig.bbox
    outside = [t.get_text() for t, b in boxes
               if b.x0 < fb.x0 - 1 or b.x1 > fb.x1 + 1 or b.y0 < fb.y0 - 1 or b.y1 > fb.y1 + 1]
    assert not outside, f"{name}: texts outside the figure {outside}"


def _inside(points, bbox, tol=0.5):
    p = np.asarray(points)
    return bool(((p[:, 0] >= bbox.x0 - tol) & (p[:, 0] <= bbox.x1 + tol)
                 & (p[:, 1] >= bbox.y0 - tol) & (p[:, 1] <= bbox.y1 + tol)).all())


@pytest.mark.parametrize("country", COUNTRIES)
def test_every_corridor_has_a_label_and_a_line_inside_the_frame(figures, country):
    fig = figures[f"{country} corridor"]
    r = labels.renderer_of(fig)
    cor = indicators.corridors(country, 2024, "emigrants", top_n=TOP_N)
    everyone = indicators.corridors(country, 2024, "emigrants", top_n=None)
    assert len(cor) == min(TOP_N, len(everyone)) and len(cor) >= 9  # Tuvalu: 9 destinations in 2024
    main = fig.axes[0]
    inset = [a for a in fig.axes if a.get_gid() == "migstats-inset"]
    frames = {"main": main.get_window_extent(r)}
    if inset:
        frames["inset"] = inset[0].get_window_extent(r)
    data = fig.migstats_data.query("drawn_as == 'line'").set_index("location_code")
    for code, name in zip(cor["location_code"].astype(int), cor["name"]):
        where = "inset" if bool(data.at[code, "in_inset"]) else "main"
        ax = inset[0] if where == "inset" else main
        texts = [t for t in ax.texts if t.get_gid() == f"migstats-label-{code}"]
        assert len(texts) == 1 and texts[0].get_text() == name, (country, name)
        assert _inside(texts[0].get_window_extent(r).corners(), frames[where]), (country, name, where)
        gid = ("migstats-inset-corridor-" if where == "inset" else "migstats-corridor-") + str(code)
        lines = [ln for ln in ax.lines if (ln.get_gid() or "").split(":")[0] == gid]
        assert lines, (country, name, where)
        for ln in lines:
            xy = ax.transData.transform(np.column_stack([ln.get_xdata(), ln.get_ydata()]))
            assert _inside(xy, frames[where]), (country, name, where)
        assert data.at[code, "labelled"]
    if inset:   # no main-map label hides under the inset
        for t in main.texts:
            b = t.get_window_extent(r)
            assert not labels.overlaps([b, frames["inset"]]), (country, t.get_text())


def test_belarus_neighbours_are_in_an_inset(figures):
    """Latvia, Lithuania and Poland crowd next to Belarus: they go to the inset (top ten of
    2024: Russia, Ukraine, Poland, Latvia, Lithuania, Israel, Uzbekistan, Kazakhstan, Italy,
    Canada)."""
    data = figures["Belarus corridor"].migstats_data.set_index("iso3")
    assert data.loc[["LVA", "LTU", "POL"], "in_inset"].all()
    assert not data.loc[["CAN", "ISR", "KAZ"], "in_inset"].any()


def test_focus_is_drawn_on_top_of_the_lines(figures):
    for c in COUNTRIES:
        fig = figures[f"{c} corridor"]
        ax = fig.axes[0]
        line_z = max(ln.get_zorder() for ln in ax.lines if (ln.get_gid() or "").startswith("migstats-corridor-"))
        focus = [a for a in ax.collections if a.get_gid() in ("migstats-focus", "migstats-focus-marker")]
        assert focus and min(a.get_zorder() for a in focus) > line_z, c


def test_members_are_named(figures):
    fig = figures["Central Asia members"]
    named = {t.get_text() for t in fig.axes[0].texts if (t.get_gid() or "").startswith("migstats-label-")}
    assert named == {"Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"}


def test_maps_are_centred_on_the_country(figures):
    # the Philippines (area point 120.7° E) and Tuvalu (179.2° E) sit near the middle of
    # their diaspora maps, not at the rim
    for c in ("Philippines", "Tuvalu"):
        fig = figures[f"{c} diaspora"]
        ax = fig.axes[0]
        code = int(fig.migstats_data.query("focus")["location_code"].iloc[0])
        base = maps._base("110m")
        lon_0 = maps.central_meridian(base.line_lonlat[code][0])
        x, _ = maps._layer(base, lon_0).points[code]
        x0, x1 = ax.get_xlim()
        assert abs((x - x0) / (x1 - x0) - 0.5) < 0.05, c


def test_screen_pngs_are_light(data_dir):
    """The seven figures of Belarus's profile as shown in the HTML: 960 px palette PNGs, < 300 KB together."""
    from PIL import Image

    import migstats
    from migstats import profiles

    p = migstats.profile("Belarus", 2024)
    figs = profiles.make_figures(p)
    total = 0
    for name, fig in figs.items():
        png = style.png_bytes(fig)
        total += len(png)
        with Image.open(io.BytesIO(png)) as im:
            assert im.mode == "P" and im.size[0] == round(style.FIGURE_WIDTH * style.SCREEN_DPI), name
        full = io.BytesIO()
        fig.savefig(full, format="png", dpi=fig.dpi)
        assert len(png) < 0.6 * len(full.getvalue()), name
    assert total < 300_000


def _label_on_another_circle(fig) -> list[tuple[str, str]]:
    """(label, area) pairs where a label's centre lies on another area's circle, on the map or
    in its inset."""
    r = labels.renderer_of(fig)
    drawn = fig.migstats_data.query("drawn_as == 'symbol'")      # in the main scatter's order
    name_of = dict(zip(drawn["location_code"], drawn["name"]))
    bad = []
    for ax in fig.axes:
        sc = next((c for c in ax.collections if c.get_gid() in ("migstats-symbols", "migstats-inset-symbols")),
                  None)
        if sc is None:
            continue
        codes = (drawn["location_code"].to_numpy() if sc.get_gid() == "migstats-symbols"
                 else np.asarray(sc.migstats_codes))
        centres = ax.transData.transform(sc.get_offsets())
        radii = np.sqrt(sc.get_sizes()) / 2 * fig.dpi / 72      # sizes are diameters² in points²
        for t in ax.texts:
            gid = t.get_gid() or ""
            if not gid.startswith("migstats-label-") or gid.endswith(":leader") or gid.endswith("focus"):
                continue
            own = int(gid.rsplit("-", 1)[1])
            b = t.get_window_extent(r)
            cx, cy = (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2
            on = (np.hypot(centres[:, 0] - cx, centres[:, 1] - cy) < radii) & (codes != own)
            bad += [(t.get_text(), str(name_of.get(int(n), n))) for n in codes[on]]
    return bad


@pytest.mark.parametrize("name", [f"{c} {k}" for c in COUNTRIES for k in ("diaspora", "origins")])
def test_no_label_sits_on_another_areas_circle(figures, name):
    # A label on a neighbour's circle reads as that circle's name (Tajikistan's diaspora map
    # once printed "Belarus" on Russia's circle); the placer moves it out, with a leader line.
    assert not _label_on_another_circle(figures[name]), name


@pytest.mark.parametrize("country, kind", [("Tajikistan", "diaspora"), ("Republic of Moldova", "diaspora"),
                                           ("Belarus", "origins")])
def test_crowded_neighbours_keep_their_labels_off_the_big_circle(data_dir, country, kind):
    fig = (maps.diaspora_map if kind == "diaspora" else maps.origins_map)(country, 2024, top_n=TOP_N)
    with style.context():
        fig.canvas.draw()
    assert not _label_on_another_circle(fig)


@pytest.mark.parametrize("country, kind, inset", [("Republic of Moldova", "diaspora", True),
                                                  ("Germany", "diaspora", True), ("Philippines", "diaspora", False)])
def test_crowded_circle_maps_get_a_regional_inset(data_dir, country, kind, inset):
    # four or more of the top ten partners within a tenth of the map's width of the country:
    # Moldova (Russia, Italy, Romania, Ukraine, ... , undesa_stocks.rda from MDA 2024) and Germany
    # get an inset where those partners are named; the Philippines (the United States, Canada,
    # Saudi Arabia, ...) do not
    fig = maps.diaspora_map(country, 2024, top_n=TOP_N)
    with style.context():
        fig.canvas.draw()
    insets = [a for a in fig.axes if a.get_gid() == "migstats-inset"]
    assert bool(insets) is inset
    if inset:
        named = {t.get_text() for t in insets[0].texts if (t.get_gid() or "").startswith("migstats-label-")}
        assert len(named) >= 4
        # and no partner is named twice (on the map and in the inset)
        main = [t.get_text() for t in fig.axes[0].texts if (t.get_gid() or "").startswith("migstats-label-")]
        assert not named & set(main)
        r = labels.renderer_of(fig)
        boxes = labels.text_boxes(fig, r)
        assert not labels.overlaps([b for _, b in boxes])


@pytest.mark.parametrize("country", ["Republic of Moldova", "Belarus", "Tuvalu", "Syria", "Germany", "Tajikistan"])
def test_every_inset_enlarges_its_area(data_dir, country):
    # an inset showing its area no larger than the map does (Moldova's corridor map once had one,
    # at 0.8 times) only hides part of the map: each inset is at least 1.5 times its outline
    for fig in (maps.corridor_map(country, 2024, top_n=TOP_N), maps.diaspora_map(country, 2024, top_n=TOP_N)):
        r = labels.renderer_of(fig)
        insets = [a for a in fig.axes if a.get_gid() == "migstats-inset"]
        outlines = [p for p in fig.axes[0].patches if p.get_gid() == "migstats-inset-outline"]
        assert len(insets) == len(outlines) <= 1
        for iax, outline in zip(insets, outlines):
            zoom = iax.get_window_extent(r).width / outline.get_window_extent(r).width
            assert zoom >= 1.5, (country, zoom)
