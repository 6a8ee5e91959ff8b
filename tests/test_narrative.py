"""Prose rules: one rounding rule, articles, "most" only above 50 %, one basis per sentence."""

from __future__ import annotations

import re

import pytest

from migstats import indicators as ind
from migstats import narrative
from migstats.narrative import format_count, format_money, place_name


@pytest.mark.parametrize("value, text", [
    (246, "246"), (1_239, "1,240"), (9_999, "10,000"), (255_159, "255,000"), (790_232, "790,000"),
    (1_502_866, "1.50 million"), (3_563_983, "3.56 million"), (11_279_561, "11.3 million"),
    (304_021_813, "304 million"), (8_142_056_446, "8.14 billion"), (-34_000, "-34,000"),
    (float("nan"), "not available"),
])
def test_counts_are_rounded_to_three_significant_figures(value, text):
    assert format_count(value) == text


@pytest.mark.parametrize("value, text", [
    (577_941_987, "US$ 578 million"), (1_380_000_000, "US$ 1.38 billion"), (2_590_000, "US$ 2.59 million"),
    (21_230_000_000, "US$ 21.2 billion"), (260_000, "US$ 0.26 million"),
])
def test_money_in_millions_or_billions(value, text):
    assert format_money(value) == text


@pytest.mark.parametrize("name, prose", [
    ("United States", "the United States"), ("Philippines", "the Philippines"),
    ("Dominican Rep.", "the Dominican Republic"), ("Marshall Islands", "the Marshall Islands"),
    ("UAE", "the UAE"), ("Netherlands", "the Netherlands"), ("United Kingdom", "the United Kingdom"),
    ("Belarus", "Belarus"), ("Türkiye", "Türkiye"), ("Russia", "Russia"),
    ("St Vincent and Gren.", "Saint Vincent and the Grenadines"),
])
def test_names_take_the_article_english_needs(name, prose):
    assert place_name(name) == prose
    assert place_name(name, capital=True) == prose[0].upper() + prose[1:]


def test_most_only_above_half(data_dir):
    # Germany's top three origins hold far less than half of its immigrants in every bilateral
    # table in the store (UN DESA 2019: Poland 1.78 m, Türkiye 1.53 m, Russia 1.00 m of 13.1 m)
    p = ind.profile("Germany", data_dir=data_dir)
    text = narrative.corridor_sentence(p, "immigrants")
    assert p.origins["share_pct"].head(3).sum() < 50
    assert not re.search(r"\bmost\b", text, re.I) and "largest groups came from" in text
    # Belarus' emigrants: Russia alone holds more than half in every table
    p = ind.profile("Belarus", data_dir=data_dir)
    assert p.destinations["share_pct"].head(3).sum() > 50
    assert "ost of them lived in" in narrative.corridor_sentence(p, "emigrants")


def test_every_sentence_names_one_basis_or_says_it_compares(data_dir):
    bases = ("UN DESA International Migrant Stock", "World Bank WDI", "UNHCR", "World Population Prospects",
             "World Bank/KNOMAD")
    for country in ("Belarus", "Tajikistan", "Afghanistan", "Syria", "Tuvalu", "Philippines"):
        p = ind.profile(country, data_dir=data_dir)
        for s in narrative.summary_sentences(p):
            if s.startswith("Comparison of editions"):
                continue
            named = {b for b in bases if b in s}
            assert named, s
            # two bases in one paragraph only when each clause names its own (corridors of an
            # older edition are introduced with "In the <basis> ...")
            if len({re.sub(r" \d{4}.*", "", b) for b in named}) > 1 or len(set(re.findall(
                    r"International Migrant Stock (\d{4})", s))) > 1:
                assert re.search(r"In the (UN DESA|World Bank/KNOMAD) [^,]+ \(\d{4}\),", s), s


def test_remittance_sentence_never_mixes_years(data_dir):
    # South Sudan: WDI BX (2025-07-01) has remittances to 2023, NY.GDP only to 2015; the sentence
    # must not say "US$ 1.18 billion in 2023 (9.5% of GDP in 2015)"
    p = ind.profile("South Sudan", data_dir=data_dir)
    s = narrative.remittance_sentence(p)
    rec, pct = p.figure("remittances_received"), p.figure("remittances_pct_gdp")
    assert rec.year != pct.year
    first = s.split(". ")[0]
    assert str(rec.year) in first and "% of GDP" not in first
    assert f"latest year with both remittances and GDP is {pct.year}" in s


@pytest.mark.parametrize("pct, text", [(40.0, "40%"), (1.0, "1%"), (0.13, "0.1%"), (0.02, "less than 0.1%")])
def test_small_shares_are_not_written_as_zero(pct, text):
    assert narrative.format_share(pct) == text


def test_syria_third_origin_is_not_zero_percent(data_dir):
    # undesa_stocks.rda, geo SYR, t 2024: from AFG 576 (female) + 603 (male) = 1,179 of 896,042 (0.13 %)
    text = " ".join(narrative.summary_sentences(ind.profile("Syria", 2024, data_dir=data_dir)))
    assert "Afghanistan (1,180; 0.1%)" in text and "; 0%)" not in text


def test_no_remittances_is_one_plain_sentence(data_dir):
    # API_BX.TRF.PWKR.CD.DT_DS2 (WDI 2025-07-01): the row "St. Martin (French part)", MAF (M49 663), is empty in
    # every year
    text = [s for s in narrative.summary_sentences(ind.profile(663, 2024, data_dir=data_dir)) if "remittances" in s]
    assert text == ["The World Bank reports no personal remittances received for Saint Martin (French part) "
                    "(World Bank WDI (2025-07-01))."]
