"""Tests of migstats.charts: plotted values equal the indicators, labels name what they show."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from migstats import charts, indicators, maps, style  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _line(ax, gid):
    found = [ln for ln in ax.get_lines() if ln.get_gid() == gid]
    assert found, f"no line {gid!r}"
    return found[0]


def _no_data_texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == "migstats-no-data"]


def test_stock_trend_lines_equal_the_indicator(data_dir):
    fig = charts.stock_trend_chart("Belarus")
    t = indicators.trend("Belarus")
    top, bottom = fig.axes
    for gid, col in (("immigrants", "immigrants"), ("emigrants", "emigrants")):
        ln = _line(top, gid)
        np.testing.assert_array_equal(ln.get_xdata(), t["year"].to_numpy())
        np.testing.assert_array_equal(ln.get_ydata(), t[col].to_numpy())
    np.testing.assert_array_equal(_line(bottom, "immigrant_share").get_ydata(), t["immigrant_share_pct"])
    np.testing.assert_array_equal(_line(bottom, "emigrant_share").get_ydata(),
                                  t["emigrant_share_pct_of_population"])
    # UN DESA IMS 2024 by origin, Table 1, Excel row 160 (Belarus), column L (2020): 919,469;
    # column F (1990): 1,768,067
    em = dict(zip(_line(top, "emigrants").get_xdata(), _line(top, "emigrants").get_ydata()))
    assert em[2020] == 919_469 and em[1990] == 1_768_067
    assert top.yaxis.get_major_formatter()(1_500_000, 0) == "1,500,000"
    assert "UN DESA" in fig.migstats_caption and "2024" in fig.migstats_caption
    assert "Belarus" in fig.migstats_alt and fig.migstats_data.equals(t)


@pytest.mark.parametrize("denominator, words", [("population", "resident population"),
                                                 ("residents_plus_emigrants", "residents plus emigrants")])
def test_emigrant_share_label_names_the_denominator(data_dir, denominator, words):
    fig = charts.stock_trend_chart("Belarus", denominator)
    ln = _line(fig.axes[1], "emigrant_share")
    assert ln.get_label() == f"Emigrants as % of {words}"
    t = indicators.trend("Belarus", denominator)
    np.testing.assert_array_equal(ln.get_ydata(), t[f"emigrant_share_pct_of_{denominator}"])


def test_stock_trend_no_data_panel(data_dir):
    # Saint Barthélemy (M49 652): no migrant stock in UN DESA 2024 for any year
    fig = charts.stock_trend_chart(652)
    texts = _no_data_texts(fig)
    assert texts and texts[0].startswith("No data") and "Saint Barth" in texts[0]


def test_top_corridors_bars_equal_the_indicator(data_dir):
    fig = charts.top_corridors_chart("Belarus", 2024, top_n=10)
    cor = indicators.corridors("Belarus", 2024, "emigrants", top_n=10)
    ax = fig.axes[0]
    bars = [p for p in ax.patches]
    assert len(bars) == 10
    widths = [b.get_width() for b in bars][::-1]          # largest drawn on top
    assert widths == cor["migrants"].tolist()
    # undesa_stocks.rda (IMS 2024 O-D reshaped by IOM GDI), geo RUS, from BLR, t 2024:
    # female 145,223 + male 109,936
    assert widths[0] == 255_159
    labels = [t.get_text() for t in ax.get_yticklabels()][::-1]
    assert labels == cor["name"].tolist()
    values = [t.get_text() for t in ax.texts]
    assert f"255,159 ({cor['share_pct'].iloc[0]:.1f}%)" in values
    assert "International Migrant Stock 2024 (origin x destination" in fig.migstats_caption


def test_top_origins_and_no_data(data_dir):
    fig = charts.top_corridors_chart("Belarus", direction="immigrants", top_n=5)
    assert len(fig.axes[0].patches) == 5
    assert "origins of immigrants in Belarus" in fig.texts[0].get_text()
    # Saint Martin (French part), 663: no row as origin or destination in the 2024 O-D table
    empty = charts.top_corridors_chart(663)
    assert _no_data_texts(empty) and "Saint Martin" in _no_data_texts(empty)[0]


def test_remittance_chart(data_dir):
    fig = charts.remittance_chart("Belarus")
    ts = indicators.remittance_series("Belarus")
    top, bottom = fig.axes
    np.testing.assert_array_equal(_line(top, "received").get_ydata(), ts["received_usd"])
    # WDI BX.TRF.PWKR.CD.DT (2025-07-01), CSV row "Belarus", column BQ (2024): 1,382,627,657.62
    rec = dict(zip(_line(top, "received").get_xdata(), _line(top, "received").get_ydata()))
    assert rec[2024] == pytest.approx(1_382_627_657.62)
    pct = _line(bottom, "received_pct_gdp")
    np.testing.assert_array_equal(pct.get_ydata(), ts["received_pct_gdp"])
    kind = "computed" if ts["pct_gdp_source"].iloc[0].startswith("computed") else "published"
    assert kind in pct.get_label() and kind in bottom.get_ylabel()
    assert "World Bank" in fig.migstats_caption


def test_remittance_no_data_panel(data_dir):
    assert indicators.remittance_series("Gibraltar").empty
    fig = charts.remittance_chart("Gibraltar")
    texts = _no_data_texts(fig)
    assert texts and texts[0].startswith("No data") and "Gibraltar" in texts[0]
    assert fig.migstats_alt.startswith("No data")


def test_chart_export_at_300_dpi(data_dir, tmp_path):
    from PIL import Image

    fig = charts.top_corridors_chart("Belarus")
    png, svg = maps.save_figure(fig, tmp_path / "top.png")
    with Image.open(png) as im:
        w, h = style.CHART_SIZE_WIDE
        assert im.size == (round(w * 300), round(h * 300))
        assert im.info["dpi"] == pytest.approx((300, 300), abs=0.1)
    assert svg.suffix == ".svg" and svg.stat().st_size > 5_000
