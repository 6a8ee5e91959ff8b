"""The interactive explorer, driven without a browser: widget values set in code, update results read back.

Source numbers (UN DESA International Migrant Stock 2024; columns F..M are 1990..2024 in Table 1):

* destination file, Table 1, Excel row 160 (Belarus): column L (2020) 1,067,090; column M (2024) 1,054,604
* origin file, Table 1, Excel row 160 (Belarus): column M (2024) 790,232
* destination file, Table 2, Excel row 160 (Belarus, thousands): column L (2024) 9,056.696
* origin file, Table 1, Excel row 105 (Tajikistan): column F (1990) 552,860
"""

from __future__ import annotations

import math

import pytest

from migstats import indicators, profiles
from migstats.explore import WORLD_INDICATORS, Explorer, country_options
from migstats.narrative import format_value

BLR_POP_2024 = 9_056_696  # Table 2, Excel row 160, column L: 9,056.696 thousand
BLR_EMI_2024 = 790_232  # origin Table 1, Excel row 160, column M


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12)


SMALL = dict(map_size=(3.0, 1.6), chart_size=(3.0, 2.2), dpi=30)


@pytest.fixture()
def explorer(data_dir, tmp_path):
    # the tests read the figures' data, not pixels: no rasterising (test_images draws once)
    return Explorer("Belarus", 2024, out=tmp_path / "reports", draw=False, **SMALL)


def test_initial_state_matches_profile(explorer):
    p = indicators.profile("BLR", 2024)
    assert explorer.country.iso3 == "BLR" and explorer.message == ""
    assert explorer.values.keys() == {f.name for f in p.figures}
    assert all(_same(explorer.values[f.name], f.value) for f in p.figures)
    # destination Table 1, Excel row 160 (Belarus), column M (2024): 1,054,604
    assert explorer.values["immigrant_stock"] == 1_054_604
    # the table on display shows the profile's figures, formatted
    shown = explorer.key_figures.set_index("name")["Value"]
    for name in ("population", "immigrant_stock", "immigrant_share", "emigrant_stock"):
        f = p.figure(name)
        assert shown[name] == format_value(f.value, f.unit)
    assert shown["immigrant_stock"] == "1,054,604"
    assert "1,054,604" in explorer.key_figures_box.value
    assert set(explorer.figures) == {"trend", "diaspora_map", "world_map"}


def test_images_are_shown_and_updated_in_place(data_dir):
    e = Explorer("Belarus", 2024, **SMALL)
    images = (e.trend_image, e.diaspora_image, e.world_image)
    first = [im.value for im in images]
    assert all(v[:8] == b"\x89PNG\r\n\x1a\n" for v in first)
    e.indicator_box.value = "emigrant_stock"
    assert e.world_image.value != first[2]  # the same widget, a new picture
    assert (e.trend_image.value, e.diaspora_image.value) == tuple(first[:2])


def test_picker_lists_every_area_and_accepts_codes(explorer, data_dir):
    options = country_options()
    assert len(options) == 235 and "Belarus (BLR)" in options
    assert explorer.country_box.options == tuple(options)
    explorer.country_box.value = "TJK"
    assert explorer.country.name == "Tajikistan" and explorer.message == ""
    explorer.country_box.value = "112"  # M49 code of Belarus
    assert explorer.country.iso3 == "BLR"


def test_invalid_country_shows_message_not_exception(explorer):
    before = explorer.figures["diaspora_map"]
    explorer.country_box.value = "Belarusia"  # no exception
    assert "Did you mean" in explorer.message and "Belarus (BLR)" in explorer.message
    assert "Did you mean" in explorer.message_box.value
    assert explorer.country.iso3 == "BLR"  # the previous figures stay
    assert explorer.figures["diaspora_map"] is before
    explorer.country_box.value = "Congo"
    assert "ambiguous" in explorer.message and "COD" in explorer.message and "COG" in explorer.message
    explorer.country_box.value = ""
    assert "Type a country" in explorer.message
    explorer.country_box.value = "Belarus (BLR)"
    assert explorer.message == "" and explorer.message_box.value == ""


def test_denominator_toggle_changes_emigrant_share(explorer):
    share = explorer.emigrant_share
    assert share.label == "Emigrants as % of resident population"
    assert share.value == pytest.approx(100 * BLR_EMI_2024 / BLR_POP_2024)
    explorer.denominator_box.value = "residents_plus_emigrants"
    share2 = explorer.emigrant_share
    assert share2.label == "Emigrants as % of residents plus emigrants"
    assert share2.value == pytest.approx(100 * BLR_EMI_2024 / (BLR_POP_2024 + BLR_EMI_2024))
    assert share2.value < share.value
    # one emigrant-share row in the table: the chosen denominator's
    rows = explorer.key_figures[explorer.key_figures["name"].str.startswith("emigrant_share")]
    assert rows["Indicator"].tolist() == ["Emigrants as % of residents plus emigrants"]
    assert "residents plus emigrants" in explorer.headline.value
    assert "emigrant_share_pct_of_residents_plus_emigrants" in explorer.figures["trend"].migstats_data


def test_year_selector_recomputes(explorer):
    assert explorer.year_box.options == indicators.EDITION_YEARS
    explorer.year_box.value = 2020
    # destination Table 1, Excel row 160 (Belarus), column L (2020): 1,067,090
    assert explorer.values["immigrant_stock"] == 1_067_090
    explorer.country_box.value = "Tajikistan (TJK)"
    explorer.year_box.value = 1990
    # origin Table 1, Excel row 105 (Tajikistan), column F (1990): 552,860
    assert explorer.values["emigrant_stock"] == 552_860
    assert explorer.figures["world_map"].migstats_data.query("iso3 == 'TJK'")["focus"].all()


def test_maps_draw_the_indicator_values(explorer):
    explorer.denominator_box.value = "residents_plus_emigrants"
    explorer.indicator_box.value = "emigrant_share"
    data = explorer.figures["world_map"].migstats_data.dropna(subset=["value"]).set_index("location_code")
    expected = indicators.world_indicator("emigrant_share", 2024, denominator="residents_plus_emigrants")
    assert len(data) > 150
    assert all(v == pytest.approx(expected[code]) for code, v in data["value"].items())
    assert data.loc[112, "value"] == pytest.approx(100 * BLR_EMI_2024 / (BLR_POP_2024 + BLR_EMI_2024))
    assert bool(data.loc[112, "focus"])  # Belarus outlined
    # the diaspora map draws every corridor of the bilateral source
    cor = indicators.corridors("BLR", 2024, "emigrants", top_n=None).set_index("location_code")["migrants"]
    drawn = explorer.figures["diaspora_map"].migstats_data.dropna(subset=["value"]).set_index("location_code")
    assert all(v == pytest.approx(cor[code]) for code, v in drawn["value"].items())


def test_remittance_map_uses_latest_year_with_data(explorer):
    assert set(WORLD_INDICATORS) >= {"immigrant_share", "emigrant_share", "remittances_pct_gdp"}
    explorer.indicator_box.value = "remittances_pct_gdp"
    # WDI GDP and remittances (both 2025-07-01) run to 2024: the latest year with % of GDP
    assert explorer.world_year == 2024
    data = explorer.figures["world_map"].migstats_data.set_index("location_code")
    assert data.loc[112, "value"] == pytest.approx(explorer.values["remittances_pct_gdp"])
    assert "2024" in explorer.figures["world_map"].migstats_caption


def test_render_button_calls_render_profile(explorer, monkeypatch, tmp_path):
    calls = []

    def fake_render(country, year, **kw):
        calls.append((country, year, kw))
        folder = kw["out"] / country / str(year)
        folder.mkdir(parents=True)
        (folder / "profile.html").write_text("<html></html>")
        return folder

    monkeypatch.setattr(profiles, "render_profile", fake_render)
    explorer.denominator_box.value = "residents_plus_emigrants"
    explorer.render_button.click()
    (country, year, kw), = calls
    assert (country, year, kw["denominator"]) == ("BLR", 2024, "residents_plus_emigrants")
    assert explorer.last_render == tmp_path / "reports" / "BLR" / "2024"
    assert str(explorer.last_render / "profile.html") in explorer.render_output.value
    assert "<a href=" in explorer.render_output.value
    assert not explorer.render_button.disabled


def test_render_failure_is_a_message(explorer, monkeypatch):
    def broken(*args, **kw):
        raise RuntimeError("kernel died")

    monkeypatch.setattr(profiles, "render_profile", broken)
    explorer.render_button.click()
    assert "could not be rendered" in explorer.message and "kernel died" in explorer.message
    assert not explorer.render_button.disabled


# -- side by side and the CSV download ---------------------------------------------------------------
DEU_IMM_2024 = 16_750_084  # destination file, Table 1, Excel row 205 (Germany), column M
TJK_EMI_2024 = 514_478  # origin file, Table 1, Excel row 105 (Tajikistan), column M


def test_comparison_side_by_side_and_csv(explorer):
    import io

    import pandas as pd

    from migstats.explore import COMPARE_FIGURES, comparison_table

    assert list(dict.fromkeys(explorer.comparison["iso3"])) == ["BLR"]  # the country alone at first
    explorer.compare_box.value = ["Tajikistan (TJK)", "Germany (DEU)"]
    t = explorer.comparison
    assert list(dict.fromkeys(t["iso3"])) == ["BLR", "TJK", "DEU"]
    v = t.set_index(["iso3", "name"])["value"]
    assert v["BLR", "immigrant_stock"] == 1_054_604 and v["DEU", "immigrant_stock"] == DEU_IMM_2024
    assert v["TJK", "emigrant_stock"] == TJK_EMI_2024
    assert v["BLR", "emigrant_share"] == pytest.approx(100 * BLR_EMI_2024 / BLR_POP_2024)
    assert set(t["name"]) <= set(COMPARE_FIGURES) and t["basis"].str.len().gt(0).all()
    # the same rows as the library gives, one label per row whatever the country
    assert t.groupby("name")["indicator"].nunique().eq(1).all()
    assert t.equals(comparison_table(["BLR", "TJK", "DEU"], 2024, "population"))
    # the table on display: a column per country; the CSV: the same numbers, unformatted
    assert "<th>Tajikistan (TJK)</th>" in explorer.comparison_box.value
    assert "16,750,084" in explorer.comparison_box.value
    csv = pd.read_csv(io.BytesIO(explorer.comparison_csv), encoding="utf-8-sig")
    assert explorer.comparison_csv.startswith(b"\xef\xbb\xbf")
    assert csv.set_index(["iso3", "name"])["value"]["DEU", "immigrant_stock"] == DEU_IMM_2024
    assert 'download="migstats_BLR_TJK_DEU_2024.csv"' in explorer.download_link.value

    # a missing value is "not available" on screen and empty in the CSV, never 0: Niue is not a
    # World Bank economy, so WDI (API_BX.TRF.PWKR.CD.DT) has no row for its remittances
    explorer.compare_box.value = ["Niue (NIU)"]
    niue = explorer.comparison.set_index(["iso3", "name"])["value"]
    assert pd.isna(niue["NIU", "remittances_received"])
    assert "not available" in explorer.comparison_box.value
    csv = pd.read_csv(io.BytesIO(explorer.comparison_csv), encoding="utf-8-sig", keep_default_na=False)
    row = csv[(csv["iso3"] == "NIU") & (csv["name"] == "remittances_received")]
    assert row["value"].tolist() == [""]


def test_comparison_follows_year_denominator_and_country(explorer):
    explorer.compare_box.value = ["Tajikistan (TJK)"]
    explorer.denominator_box.value = "residents_plus_emigrants"
    share = explorer.comparison.set_index(["iso3", "name"])
    assert share.loc[("BLR", "emigrant_share"), "indicator"] == "Emigrants as % of residents plus emigrants"
    assert share.loc[("BLR", "emigrant_share"), "value"] == pytest.approx(
        100 * BLR_EMI_2024 / (BLR_POP_2024 + BLR_EMI_2024))
    explorer.year_box.value = 2020
    # destination Table 1, Excel row 160 (Belarus), column L (2020): 1,067,090
    assert explorer.comparison.set_index(["iso3", "name"]).loc[("BLR", "immigrant_stock"), "value"] == 1_067_090
    explorer.country_box.value = "Germany (DEU)"
    assert list(dict.fromkeys(explorer.comparison["iso3"])) == ["DEU", "TJK"]
    explorer.compare_box.value = ["Tajikistan (TJK)", "Germany (DEU)"]  # the country itself: once
    assert list(dict.fromkeys(explorer.comparison["iso3"])) == ["DEU", "TJK"]


def test_at_most_four_countries_side_by_side(explorer):
    from migstats.explore import MAX_COMPARED

    explorer.compare_box.value = ["Tajikistan (TJK)", "Germany (DEU)", "Niue (NIU)", "Armenia (ARM)"]
    assert MAX_COMPARED == 4 and len(explorer.compare_box.value) == 3
    assert explorer.comparison["iso3"].nunique() == 4
    assert "At most 4 countries" in explorer.message
