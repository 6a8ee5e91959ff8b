"""Tests of migstats.maps: what each map draws, checked against the indicators and the sources.

Values on the maps come from :func:`migstats.indicators.corridors` (UN DESA International
Migrant Stock 2024 origin x destination, IOM GDI's reshape, in the test store)
and :func:`migstats.indicators.world_indicator`; anchors cite the source cells.
Figures are plain matplotlib Figures (not registered with pyplot); ``_close`` still
closes any pyplot figure a test might open.
"""

from __future__ import annotations

import math

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


def test_diaspora_circles_are_proportional(belarus):
    """Circle areas are proportional to the stock (diameters to its square root)."""
    sc = _collection(belarus, "migstats-symbols")
    drawn = belarus.migstats_data.query("drawn_as == 'symbol'")
    sizes = sc.get_sizes()                       # points^2 = diameter^2, largest first
    assert len(sizes) == len(drawn)
    ordered = drawn.sort_values("value", ascending=False)["value"].to_numpy()
    big = sizes > maps._SYMBOL_MIN_PT ** 2 + 1e-9
    # area ratio = value ratio for every circle above the minimum size
    np.testing.assert_allclose(sizes[big] / sizes[0], ordered[big] / ordered[0], rtol=1e-9)
    # undesa_stocks.rda, from BLR, t 2024 (male + female): Russia 255,159, Ukraine 252,977:
    # Russia's circle is 255,159 / 252,977 times Ukraine's in area
    assert sizes[0] / sizes[1] == pytest.approx(255_159 / 252_977)
    assert set(drawn["colour"]) == {style.SYMBOL_COLOUR}


def test_diaspora_legend_shows_round_circle_sizes(belarus):
    values = [t.get_text() for t in belarus.texts if t.get_gid() == "migstats-size-legend-value"]
    nums = [float(v.replace(",", "")) for v in values]
    # round values below the largest stock (Belarus -> Russia 2024: 255,159, undesa_stocks.rda), a
    # factor 4-5 apart
    assert nums[0] <= 255_159 and nums == sorted(nums, reverse=True) and len(nums) == 3
    assert all(a / b >= 4 for a, b in zip(nums[:-1], nums[1:]))
    assert all(re.fullmatch(r"[125]0*", f"{n:.0f}") or f"{n:.0f}".startswith("25") for n in nums)
    circles = [p for p in belarus.artists if p.get_gid() == "migstats-size-legend-circle"]
    assert len(circles) == 3
    radii = [c.get_radius() for c in circles]
    np.testing.assert_allclose(np.square(radii) / radii[0] ** 2, np.array(nums) / nums[0], rtol=1e-6)
    labels_ = [t.get_text() for t in belarus.legends[0].get_texts()]
    assert "Belarus" in labels_ and any(lab.startswith("No circle") for lab in labels_)


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


def test_no_data_is_hatched_grey_and_zero_is_its_own_class(data_dir, monkeypatch):
    # WDI's exact zeros in 2022 are all placeholders for "not reported" (zero-only series such
    # as Singapore's and Iran's, or zeros after reporting stopped), which the indicators treat
    # as missing; a true zero is drawn here with three areas set to 0 by the test (Chad,
    # Eritrea, Libya), the others as published
    real = indicators.world_indicator

    def with_zeros(*args, **kwargs):
        out = real(*args, **kwargs)
        out.loc[[148, 232, 434]] = 0.0
        return out

    monkeypatch.setattr(indicators, "world_indicator", with_zeros)
    fig = maps.world_map("remittances_pct_gdp", 2022, **SMALL)
    nd = _collection(fig, "migstats-no-data")
    assert nd.get_hatch() == style.NO_DATA_HATCH
    assert to_hex(nd.get_facecolor()[0]) == style.NO_DATA_COLOUR
    s = indicators.world_indicator("remittances_pct_gdp", 2022)
    assert math.isnan(real("remittances_pct_gdp", 2022)[702])  # Singapore: zeros only in the file
    data = fig.migstats_data.set_index("location_code")
    zeros = [int(c) for c in s[s == 0].index if int(c) in data.index]
    assert zeros and (data.loc[zeros, "colour"] == style.ZERO_COLOUR).all()
    assert data.loc[zeros, "class_index"].isna().all() and (data.loc[zeros, "value"] == 0).all()
    missing = [int(c) for c in s[s.isna()].index if int(c) in data.index and data.at[int(c), "drawn_as"] == "polygon"]
    assert missing and (data.loc[missing, "colour"] == style.NO_DATA_COLOUR).all()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "0% (none)" in legend and "No data" in legend
    assert len({style.ZERO_COLOUR, style.NO_DATA_COLOUR, *style.class_colours(5)}) == 7


def test_small_states_are_markers(data_dir):
    # Malta has no polygon at 1:110m; Belarus -> Malta 2024 = 19 + 12 = 31 (undesa_stocks.rda,
    # geo MLT, from BLR, t 2024, male + female)
    fig = maps.diaspora_map("Belarus", symbols=False, **SMALL)
    malta = fig.migstats_data.query("iso3 == 'MLT'")
    assert malta["drawn_as"].tolist() == ["marker"] and malta["value"].iloc[0] == 31
    pts = store.load("area_points").set_index("iso3")
    base = maps._base("110m")
    lon_0 = maps.central_meridian(base.line_lonlat[112][0])    # centred on Belarus
    x, y = maps._layer(base, lon_0).points[470]
    ex, ey = maps._transformer().transform(maps._rel(pts.at["MLT", "lon"], lon_0), pts.at["MLT", "lat"])
    assert (x, y) == pytest.approx((ex, ey))
    offsets = _collection(fig, "migstats-markers").get_offsets()
    assert np.isclose(offsets, [x, y]).all(axis=1).any()
    # Tuvalu as a destination: Fiji -> Tuvalu 2024 = 35 + 22 = 57 (undesa_stocks.rda, geo TUV,
    # from FJI, t 2024, male + female)
    fiji = maps.diaspora_map("Fiji", **SMALL)
    tuv = fiji.migstats_data.query("iso3 == 'TUV'")
    assert tuv["drawn_as"].tolist() == ["symbol"] and tuv["value"].iloc[0] == 57


def test_small_states_in_the_top_list_are_labelled(data_dir):
    # the Philippines' top ten destinations (undesa_stocks.rda, from PHL, t 2024) include Qatar and Kuwait,
    # small on a world map: every one of the ten is named
    fig = maps.diaspora_map("Philippines", top_n=10)
    top = indicators.corridors("Philippines", 2024, "emigrants", top_n=10)
    named = {t.get_text() for t in fig.axes[0].texts if (t.get_gid() or "").startswith("migstats-label-")}
    assert set(top["name"]) <= named and {"Qatar", "Kuwait"} <= named
    assert fig.migstats_data.query("labelled")["name"].isin(top["name"]).all()


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
    assert "Belarus" in alt and "Russia (255,159)" in alt and "proportional circles" in alt


def test_classed_counts_use_log_natural_breaks(data_dir):
    fig = maps.diaspora_map("Belarus", symbols=False, scheme="fisher_jenks", k=4, **SMALL)
    classed = fig.migstats_data.dropna(subset=["class_index"])
    values = classed["value"].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # "Numba not installed"
        fj = mapclassify.FisherJenks(np.log10(values), k=4)
    raw = 10 ** np.asarray(fj.bins[:-1])
    c = maps.classify(values, 4, "fisher_jenks", unit="persons")
    assert c.log and len(c.thresholds) <= len(raw)
    # each threshold is a 1-2-5 round number near one of mapclassify's breaks
    for t in c.thresholds:
        assert f"{t:.0f}"[0] in "125" and set(f"{t:.0f}"[1:]) <= {"0"}
        assert np.min(np.abs(np.log10(raw) - np.log10(t))) < 0.35
    assert classed["class_index"].astype(int).tolist() == list(np.searchsorted(c.thresholds, values, side="right"))
    srt = classed.sort_values("value")
    assert srt["class_index"].is_monotonic_increasing
    with pytest.raises(ValueError, match="scheme"):
        maps.diaspora_map("Belarus", scheme="jenks")


def test_class_labels_never_overlap_nor_collapse(data_dir):
    for name, unit_word in (("emigrant_share", "%"), ("immigrant_stock", ""), ("remittances_received", "US$")):
        s = indicators.world_indicator(name, 2024 if "remit" not in name else 2022).dropna()
        c = maps.classify(s.to_numpy(), 5, unit=s.attrs["unit"])
        th = c.thresholds
        assert (np.diff(th) > 0).all() and (th[1:] / th[:-1] >= (2.0 if c.log else 1.3) - 1e-9).all(), name
        assert len(c.labels) == c.k and len(set(c.labels)) == c.k
        assert c.labels[0].startswith("under ") and c.labels[-1].endswith("or more")
        assert all(unit_word in lab for lab in c.labels)
    # persons: whole-number classes that do not share a bound
    assert maps.class_labels([1000, 5000], "persons") == ["under 1,000", "1,000–4,999", "5,000 or more"]
    assert maps.class_labels([2.0, 5.0], "percent") == ["under 2%", "2% to under 5%", "5% or more"]
    # values a quantile scheme would split into "4.86%–4.88%" classes get one round class
    c = maps.classify([4.86, 4.87, 4.88, 4.9, 30.0], 5, "quantiles", unit="percent")
    assert c.labels == ["under 5%", "5% or more"] or c.k <= 2


def test_origins_map_values(data_dir):
    fig = maps.origins_map("Belarus", 2024, **SMALL)
    cor = indicators.corridors("Belarus", 2024, "immigrants", top_n=None)
    got = fig.migstats_data.dropna(subset=["value"]).set_index("location_code")["value"]
    assert dict(got) == dict(zip(cor["location_code"].astype(int), cor["migrants"]))
    title = [" ".join(t.get_text().split()) for t in fig.texts if t.get_gid() == "migstats-title"]
    assert title == ["Immigrants in Belarus by country of origin, 2024"]


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
    # width proportional to the stock (at least the minimum width)
    lw = lines["linewidth"].to_numpy()
    expected = np.maximum(maps._LINE_MAX_PT * lines["value"].to_numpy() / 63_075, maps._LINE_MIN_PT)
    np.testing.assert_allclose(lw, expected)
    # centred on Samoa (172° W -> 170° W), the line to New Zealand no longer crosses the edge
    assert lines.set_index("iso3").at["NZL", "segments"] == 1
    ax = fig.axes[0]
    width = np.diff(ax.get_xlim())[0]
    for ln in ax.lines:
        if (ln.get_gid() or "").startswith("migstats-corridor-"):
            assert np.abs(np.diff(ln.get_xdata())).max() < width / 4
    texts = [t.get_text() for a in fig.axes for t in a.texts]
    assert "New Zealand" in texts


def test_central_meridian_and_the_cut_at_the_opposite_meridian(data_dir):
    assert maps.central_meridian(120.7) == 120.0 and maps.central_meridian(179.2) == -180.0
    assert maps.central_meridian(-4.9) == 0.0
    base = maps._base("110m")
    full = 2 * 17_243_959.06          # Equal Earth width of the world (metres)
    for lon_0 in (120.0, -180.0, 30.0):
        layer = maps._layer(base, lon_0)
        for code, path in zip(base.codes, layer.paths):
            if code < 0 or not len(path.vertices):
                continue
            for ring in path.to_polygons(closed_only=False):
                # a ring never streaks across the map (it was cut at the opposite meridian)
                assert np.ptp(ring[:, 0]) < 0.75 * full, (lon_0, int(code))
    # on a map centred on 120° E, Russia is cut at 60° W: nothing of it lies beyond
    assert maps._layer(base, 120.0).bounds[643][2] <= full / 2 + 1


def test_representative_points(data_dir):
    """Lines end inside each area; Russia's at Moscow, not in Siberia."""
    import shapely

    pts = maps.representative_points().set_index("iso3")
    assert pts.at["RUS", "lon"] < 60 and pts.at["RUS", "point"] == "capital (Moscow)"
    b50 = store.load_boundaries("50m").dropna(subset=["location_code"])
    for iso3 in maps.CAPITAL_POINTS:
        area = b50[b50["location_code"] == int(pts.at[iso3, "location_code"])].geometry.union_all()
        assert area.contains(shapely.Point(pts.at[iso3, "lon"], pts.at[iso3, "lat"])), iso3
    # every other area keeps the store's point, inside its largest polygon
    other = store.load("area_points").set_index("iso3")
    keep = pts.drop(index=list(maps.CAPITAL_POINTS))
    assert (keep["lon"] == other.loc[keep.index, "lon"]).all()


# -- world map -----------------------------------------------------------------------------------------
def test_world_map_values_and_highlight(data_dir):
    fig = maps.world_map("immigrant_share", 2024, highlight="Belarus", **SMALL)
    s = indicators.world_indicator("immigrant_share", 2024).dropna()
    got = fig.migstats_data.dropna(subset=["value"]).set_index("location_code")["value"]
    assert set(got.index) == set(s.index)
    np.testing.assert_allclose(got.sort_index().to_numpy(), s.sort_index().to_numpy())
    hl = fig.migstats_data.query("focus")
    assert hl["iso3"].tolist() == ["BLR"] and hl["edgecolor"].iloc[0] == style.FOCUS_COLOUR
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any(re.fullmatch(r"[\d.,]+% to under [\d.,]+%", lab) for lab in legend)
    assert legend[0].startswith("under ")


def test_world_map_region_restricts_and_zooms(data_dir):
    fig = maps.world_map("emigrant_share", 2024, denominator="residents_plus_emigrants",
                         region="Central Asia")
    iso = set(fig.migstats_data.dropna(subset=["value"])["iso3"])
    assert iso == {"KAZ", "KGZ", "TJK", "TKM", "UZB"}
    x0, x1 = fig.axes[0].get_xlim()
    assert (x1 - x0) < 0.3 * 2 * 17_243_959   # Equal Earth full width is about 34,487 km
    title = " ".join(fig.legends[0].get_title().get_text().split())
    assert "residents plus emigrants" in title
    named = {t.get_text() for t in fig.axes[0].texts if (t.get_gid() or "").startswith("migstats-label-")}
    assert named <= {"Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"}


# -- saving ------------------------------------------------------------------------------------------
def test_save_figure_png_and_svg_at_300_dpi(belarus, tmp_path):
    written = maps.save_figure(belarus, tmp_path / "belarus_diaspora")
    assert [p.suffix for p in written] == [".png", ".svg"]
    assert all(p.is_file() and p.stat().st_size > 10_000 for p in written)
    img = mpimg.imread(written[0])
    w, h = belarus.get_size_inches()
    assert w == style.FIGURE_WIDTH
    assert img.shape[1] == round(w * 300) and abs(img.shape[0] - h * 300) <= 1
    from PIL import Image

    with Image.open(written[0]) as im:
        assert im.info["dpi"] == pytest.approx((300, 300), abs=0.1)
        assert "Belarus" in im.info.get("Description", "")
    svg = written[1].read_text(encoding="utf-8")
    assert "<svg" in svg and "Emigrants from Belarus" in svg
    # the screen version: the same figure at 100 dpi as a palette PNG, 960 px wide
    from PIL import Image as _Image
    import io as _io

    with _Image.open(_io.BytesIO(style.png_bytes(belarus))) as im:
        assert im.mode == "P" and im.size[0] == 960 and abs(im.size[1] - h * 100) <= 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["belarus_diaspora.png", "belarus_diaspora.svg"]


def test_corridor_map_of_fewer_partners_than_asked_says_all(data_dir):
    # undesa_stocks.rda (IMS 2024 O-D reshaped by IOM GDI), from TUV, t 2024: 14 destinations, of
    # which 9 hold a migrant (AUS 290, FJI 428, KIR 329, WSM 55, NRU 43, TKL 49, NIU 35, GRC 8,
    # DNK 2; total 1,239): not a "top 10"
    texts = " ".join(t.get_text() for t in maps.corridor_map("Tuvalu", 2024, top_n=10).texts)
    assert "All 9 destinations of emigrants from Tuvalu, 2024" in texts and "Top 10" not in texts
    # the Philippines take their article in the titles' prose
    texts = " ".join(t.get_text() for t in maps.corridor_map("PHL", 2024, top_n=5).texts)
    assert "Top 5 destinations of emigrants from the Philippines, 2024" in texts


def test_group_maps_say_their_totals_leave_out_moves_between_members(data_dir):
    # undesa_stocks.rda, t 2024, Central Asia = KAZ, KGZ, TJK, TKM, UZB: born in a member and
    # living outside the group 5,180,190; living in a member, born outside it 2,758,416 (the
    # group's migrant stock, 3,910,116, counts the 1,151,700 moves between members as well);
    # 46 destinations with migrants, 42 origins (43 "from" codes, one of them OOO, "other or
    # unknown", 188,496, which is not mapped)
    from migstats import groups

    g = groups.resolve_group("Central Asia", data_dir=data_dir)
    dia = " ".join(t.get_text() for t in maps.diaspora_map(g, 2024).texts)
    ori = " ".join(t.get_text() for t in maps.origins_map(g, 2024).texts)
    assert "5,180,190 persons living outside the group, in 46 destinations" in dia
    assert "2,758,416 persons born outside the group, in 42 origins" in ori
