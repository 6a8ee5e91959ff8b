"""Tests of migstats.maps: what each map draws, checked against the indicators and the sources.

Values on the maps come from :func:`migstats.indicators.corridors` (World Bank/KNOMAD
Bilateral Migration Matrix 2021 in the test store: the bilateral source nearest to 2024)
and :func:`migstats.indicators.world_indicator`; anchors cite the source cells.
Figures are plain matplotlib Figures (not registered with pyplot); ``_close`` still
closes any pyplot figure a test might open.
"""

from __future__ import annotations

import os
import re
import time
import warnings

os.environ.setdefault("MPLBACKEND", "Agg")

import mapclassify  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from migstats import indicators, maps, store, style  # noqa: E402
from migstats.exceptions import DataNotAvailableError  # noqa: E402
from migstats.registry import SOURCES  # noqa: E402

SMALL = dict(figsize=style.MAP_SIZE_SMALL, dpi=50)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def belarus(data_dir):
    return maps.diaspora_map("Belarus", 2024)


def _collection(fig, gid):
    found = [c for c in fig.axes[0].collections if c.get_gid() == gid]
    assert found, f"no collection {gid!r}"
    return found[0]


def _texts(fig):
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts]
    return out


# -- diaspora map -----------------------------------------------------------------------------------
def test_diaspora_values_equal_the_indicator(belarus):
    cor = indicators.corridors("Belarus", 2024, "emigrants", top_n=None)
    drawn = belarus.migstats_data
    classed = drawn[drawn["value"].notna()].set_index("location_code")["value"].sort_index()
    expected = cor.set_index("location_code")["migrants"].astype("float64").sort_index()
    expected.index = expected.index.astype("int32")
    pd.testing.assert_series_equal(classed, expected, check_names=False)
    # undesa_stocks.rda (IMS 2024 O-D reshaped by IOM GDI), from BLR, t 2024, male + female:
    # geo RUS 109,936 + 145,223 = 255,159; geo MLT 19 + 12 = 31
    assert classed[643] == 255_159
    assert classed[470] == 31


def test_diaspora_classes_are_mapclassify_quantiles(belarus):
    drawn = belarus.migstats_data
    classed = drawn[drawn["value"].notna()]
    q = mapclassify.Quantiles(classed["value"].to_numpy(), k=5)
    assert classed["class_index"].astype(int).tolist() == list(q.yb)
    colours = style.class_colours(5)
    assert classed["colour"].tolist() == [colours[i] for i in q.yb]
    # a larger stock never gets a lighter class
    srt = classed.sort_values("value")
    assert srt["class_index"].is_monotonic_increasing


def test_diaspora_legend_shows_class_breaks_with_units(belarus):
    drawn = belarus.migstats_data
    values = drawn["value"].dropna().to_numpy()
    bins = mapclassify.Quantiles(values, k=5).bins
    labels = [t.get_text() for t in belarus.axes[0].get_legend().get_texts()]
    class_labels = [lab for lab in labels if lab.endswith(" persons")]
    assert len(class_labels) == 5
    lows = [values.min(), *bins[:-1]]
    for lab, lo, hi in zip(class_labels, lows, bins):
        assert lab == f"{lo:,.0f}–{hi:,.0f} persons"
    # the top class ends at the largest corridor, Belarus -> Russia (undesa_stocks.rda, 2024)
    assert class_labels[-1].endswith("255,159 persons")
    assert any(lab.startswith("No data") for lab in labels)
    assert "Belarus" in labels
    assert "Small state (marker)" in labels


def test_diaspora_focus_is_highlighted(belarus):
    focus = _collection(belarus, "migstats-focus")
    assert to_hex(focus.get_facecolor()[0]) == style.FOCUS_COLOUR
    assert to_hex(focus.get_edgecolor()[0]) == style.FOCUS_EDGE
    assert focus.get_linewidth()[0] == pytest.approx(style.FOCUS_LINEWIDTH)
    row = belarus.migstats_data.query("focus")
    assert row["iso3"].tolist() == ["BLR"]
    assert row["colour"].iloc[0] == style.FOCUS_COLOUR and row["drawn_as"].iloc[0] == "polygon"
    # no class colour equals the focus colour
    assert style.FOCUS_COLOUR not in set(belarus.migstats_data.query("not focus")["colour"])


def test_no_data_is_hatched_grey_and_distinct(belarus):
    nd = _collection(belarus, "migstats-no-data")
    assert nd.get_hatch() == style.NO_DATA_HATCH
    assert to_hex(nd.get_facecolor()[0]) == style.NO_DATA_COLOUR
    rows = belarus.migstats_data.query("drawn_as == 'polygon' and value != value and not focus")
    assert len(rows) > 50 and (rows["colour"] == style.NO_DATA_COLOUR).all()
    assert style.NO_DATA_COLOUR not in style.class_colours(5)


def test_small_states_are_markers(belarus, data_dir):
    # Malta has no polygon at 1:110m; Belarus -> Malta 2024 = 19 + 12 = 31 (undesa_stocks.rda,
    # geo MLT, from BLR, t 2024, male + female)
    malta = belarus.migstats_data.query("iso3 == 'MLT'")
    assert malta["drawn_as"].tolist() == ["marker"] and malta["value"].iloc[0] == 31
    pts = store.load("area_points").set_index("iso3")
    x, y = maps._transformer().transform(pts.at["MLT", "lon"], pts.at["MLT", "lat"])
    offsets = _collection(belarus, "migstats-markers").get_offsets()
    assert np.isclose(offsets, [x, y]).all(axis=1).any()
    # Tuvalu as a destination: Fiji -> Tuvalu 2024 = 35 + 22 = 57 (undesa_stocks.rda, geo TUV,
    # from FJI, t 2024, male + female)
    fiji = maps.diaspora_map("Fiji", **SMALL)
    tuv = fiji.migstats_data.query("iso3 == 'TUV'")
    assert tuv["drawn_as"].tolist() == ["marker"] and tuv["value"].iloc[0] == 57


def test_caption_title_and_alt(belarus):
    cor = indicators.corridors("Belarus", 2024, "emigrants", top_n=None)
    cap = belarus.migstats_caption
    # publisher, title and edition (the registry's short citation) and the data year
    assert cor.attrs["source"] == SOURCES["undesa_2024_od_gdidata"].short
    assert cap.startswith(f"Source: {cor.attrs['source']}, 2024.")
    assert "International Migrant Stock 2024" in cap and "reshaped by IOM GDI" in cap
    texts = _texts(belarus)
    assert any("Belarus" in t and "2024" in t for t in texts)          # the title
    assert any(t.startswith("Source: ") for t in texts)                  # the caption is drawn
    alt = maps.alt_text(belarus)
    assert alt == belarus.migstats_alt and "\n" not in alt
    assert "Belarus" in alt and "Russia (255,159)" in alt


def test_fisher_jenks_scheme(data_dir):
    fig = maps.diaspora_map("Belarus", scheme="fisher_jenks", k=4, **SMALL)
    classed = fig.migstats_data.dropna(subset=["value"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # "Numba not installed"
        fj = mapclassify.FisherJenks(classed["value"].to_numpy(), k=4)
    assert classed["class_index"].astype(int).tolist() == list(fj.yb)
    with pytest.raises(ValueError, match="scheme"):
        maps.diaspora_map("Belarus", scheme="jenks")


def test_origins_map_values(data_dir):
    fig = maps.origins_map("Belarus", 2024, **SMALL)
    cor = indicators.corridors("Belarus", 2024, "immigrants", top_n=None)
    got = fig.migstats_data.dropna(subset=["value"]).set_index("location_code")["value"]
    assert dict(got) == dict(zip(cor["location_code"].astype(int), cor["migrants"]))
    assert "origin" in fig.texts[0].get_text()


# -- areas without polygons or data -------------------------------------------------------------------
def test_focus_without_polygon_is_a_marker(data_dir):
    fig = maps.diaspora_map("Tuvalu", **SMALL)
    row = fig.migstats_data.query("focus")
    assert row["iso3"].tolist() == ["TUV"] and row["drawn_as"].iloc[0] == "marker"
    fm = _collection(fig, "migstats-focus-marker")
    assert to_hex(fm.get_facecolor()[0]) == style.FOCUS_COLOUR


def test_no_emigrant_data_gives_a_no_data_panel(data_dir):
    # Saint Martin (French part), 663, has no row in the 2024 O-D table (undesa_stocks.rda: no
    # geo or from MAF): no emigrants recorded
    assert indicators.corridors(663, 2024, "emigrants", top_n=None).empty
    for fig in (maps.diaspora_map(663, **SMALL), maps.corridor_map(663, **SMALL)):
        panel = [t for t in fig.axes[0].texts if t.get_gid() == "migstats-no-data"]
        assert panel and panel[0].get_text().startswith("No data")
        assert "Saint Martin" in panel[0].get_text()
        assert fig.migstats_data.query("focus")["iso3"].tolist() == ["MAF"]
        assert fig.migstats_alt.startswith(("World map with no data", "Corridor map with no data"))


def test_no_bilateral_source_gives_a_no_data_panel(data_dir, monkeypatch):
    def no_source(*args, **kwargs):
        raise DataNotAvailableError("No bilateral (origin x destination) source is in the store.")

    monkeypatch.setattr(indicators, "corridors", no_source)
    fig = maps.diaspora_map("Belarus", **SMALL)
    panel = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "migstats-no-data"]
    assert panel and "No bilateral" in panel[0]


@pytest.mark.slow
def test_all_areas_sweep(data_dir):
    """Every one of the 235 UN DESA areas gets a diaspora map with its focus highlighted."""
    codes = store.load("countries")["location_code"].astype(int).tolist()
    assert len(codes) == 235
    maps.diaspora_map(codes[0], **SMALL)          # warm the boundary cache
    t0 = time.perf_counter()
    for code in codes:
        fig = maps.diaspora_map(code, **SMALL)
        focus = fig.migstats_data.query("focus")
        assert focus["location_code"].tolist() == [code], code
        assert focus["colour"].iloc[0] == style.FOCUS_COLOUR, code
    assert time.perf_counter() - t0 < 90


# -- corridor map ---------------------------------------------------------------------------------------
def test_great_circle_splits_at_the_antimeridian():
    # Samoa (Apia) to New Zealand (Wellington): crosses 180°
    pieces = maps.great_circle(-171.8, -13.8, 174.8, -41.3)
    assert len(pieces) == 2
    assert pieces[0][-1, 0] == -180.0 and pieces[1][0, 0] == 180.0
    assert pieces[0][-1, 1] == pytest.approx(pieces[1][0, 1])
    for p in pieces:
        assert np.abs(np.diff(p[:, 0])).max() < 10
    # Minsk to Moscow: one piece
    assert len(maps.great_circle(27.6, 53.9, 37.6, 55.8)) == 1


def test_corridor_map(data_dir):
    fig = maps.corridor_map("Samoa", top_n=10, **SMALL)
    cor = indicators.corridors("Samoa", 2024, "emigrants", top_n=10)
    lines = fig.migstats_data.query("drawn_as == 'line'")
    assert lines["location_code"].tolist() == cor["location_code"].astype(int).tolist()
    assert lines["value"].tolist() == cor["migrants"].tolist()
    # undesa_stocks.rda, geo NZL, from WSM, t 2024: 31,112 + 31,963 = 63,075, the largest
    assert lines["value"].iloc[0] == 63_075
    assert (np.diff(lines["linewidth"].to_numpy()) <= 0).all()    # wider for larger stocks
    assert lines.set_index("iso3").at["NZL", "segments"] == 2
    # no projected line jumps across the map
    width = np.diff(fig.axes[0].get_xlim())[0]
    for seg in _collection(fig, "migstats-corridors").get_segments():
        assert np.abs(np.diff(seg[:, 0])).max() < width / 4
    assert any("New Zealand" == t.get_text() for t in fig.axes[0].texts)


# -- world map -----------------------------------------------------------------------------------------
def test_world_map_values_and_highlight(data_dir):
    fig = maps.world_map("immigrant_share", 2024, highlight="Belarus", **SMALL)
    s = indicators.world_indicator("immigrant_share", 2024).dropna()
    got = fig.migstats_data.dropna(subset=["value"]).set_index("location_code")["value"]
    assert set(got.index) == set(s.index)
    np.testing.assert_allclose(got.sort_index().to_numpy(), s.sort_index().to_numpy())
    hl = fig.migstats_data.query("focus")
    assert hl["iso3"].tolist() == ["BLR"] and hl["edgecolor"].iloc[0] == style.FOCUS_COLOUR
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(re.fullmatch(r"[\d.,]+%–[\d.,]+%", lab) for lab in legend)


def test_world_map_region_restricts_and_zooms(data_dir):
    fig = maps.world_map("emigrant_share", 2024, denominator="residents_plus_emigrants",
                         region="Central Asia", **SMALL)
    iso = set(fig.migstats_data.dropna(subset=["value"])["iso3"])
    assert iso == {"KAZ", "KGZ", "TJK", "TKM", "UZB"}
    x0, x1 = fig.axes[0].get_xlim()
    assert (x1 - x0) < 0.3 * 2 * 17_243_959   # Equal Earth full width is about 34,487 km
    title = " ".join(fig.axes[0].get_legend().get_title().get_text().split())
    assert "residents plus emigrants" in title


# -- saving ------------------------------------------------------------------------------------------
def test_save_figure_png_and_svg_at_300_dpi(belarus, tmp_path):
    written = maps.save_figure(belarus, tmp_path / "belarus_diaspora")
    assert [p.suffix for p in written] == [".png", ".svg"]
    assert all(p.is_file() and p.stat().st_size > 10_000 for p in written)
    img = mpimg.imread(written[0])
    w, h = style.MAP_SIZE
    assert img.shape[1] == round(w * 300) and img.shape[0] == round(h * 300)
    from PIL import Image

    with Image.open(written[0]) as im:
        assert im.info["dpi"] == pytest.approx((300, 300), abs=0.1)
        assert "Belarus" in im.info.get("Description", "")
    svg = written[1].read_text(encoding="utf-8")
    assert "<svg" in svg and "Emigrants from Belarus" in svg
    assert sorted(p.name for p in tmp_path.iterdir()) == ["belarus_diaspora.png", "belarus_diaspora.svg"]
