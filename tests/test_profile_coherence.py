"""The profiles issue's examples, on the real mirror: each figure on one basis, gaps as gaps.

Sources cited in comments:

* ORIG24 = undesa_pd_2024_ims_stock_by_sex_and_origin.xlsx, Table 1 (emigrants by origin);
* GDI = undesa_ims/iom-gdidata/undesa_stocks.rda (UN DESA 2024 origin x destination, reshaped);
* BX = worldbank_wdi/API_BX.TRF.PWKR.CD.DT_DS2_en_csv_v2_38454.csv (2025-07-01);
* GDP = worldbank_wdi/API_NY.GDP.MKTP.CD_DS2_en_csv_v2_38344.csv (2025-07-01);
* KN21 = knomad/bilateral_migration_matrix_2021_latest.xlsx.
"""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pyreadr
import pytest

import migstats
from migstats import cli, indicators as ind, narrative
from migstats.countries import KOSOVO_NOTE

IMS24 = "UN DESA International Migrant Stock 2024"


def _wdi_row(mirror_dir, name: str, country: str) -> pd.Series:
    df = pd.read_csv(mirror_dir / "worldbank_wdi" / name, skiprows=4, encoding="utf-8-sig")
    row = df[df["Country Name"] == country].iloc[0]
    return row[[c for c in df.columns if c.isdigit()]].astype("float64").rename(int)


def test_belarus_corridors_on_the_same_basis_as_the_total(data_dir):
    p = ind.profile("Belarus", data_dir=data_dir)
    em = p.figure("emigrant_stock")
    dest = p.destinations
    # ORIG24 Belarus 2024 = 790,232; GDI from BLR 2024: Russia 255,159 (MANIFEST)
    assert em.value == 790_232 and em.basis == IMS24
    assert dest.attrs["basis"] == IMS24 and dest.attrs["year"] == 2024 and dest.attrs["total"] == 790_232
    assert dest.iloc[0][["iso3", "migrants"]].tolist() == ["RUS", 255_159]
    assert dest["share_pct"].iloc[0] == pytest.approx(100 * 255_159 / 790_232)  # 32 %, not 97 %
    assert dest["migrants"].sum() <= em.value
    text = narrative.summary_sentences(p)[0]
    assert "790,000 people born in Belarus" in text and "Russia (255,000; 32%)" in text
    assert "KNOMAD" not in text and "763,9" not in text  # no figure of another edition


def test_tuvalu_no_community_larger_than_the_total(data_dir, mirror_dir):
    # ORIG24 Tuvalu 2024 = 1,239; KN21 put 1,985 in New Zealand alone
    p = ind.profile("Tuvalu", data_dir=data_dir)
    total = p.value("emigrant_stock")
    assert total == 1_239
    everyone = ind.corridors("Tuvalu", 2024, top_n=None, data_dir=data_dir)
    assert everyone.attrs["basis"] == IMS24 and everyone.attrs["total"] == total
    assert everyone["migrants"].max() <= total and everyone["migrants"].sum() <= total


def test_syria_top_destination_is_turkiye(data_dir):
    # GDI geo TUR, from SYR, 2024: 1,855,609 + 1,708,374 = 3,563,983 (MANIFEST); KN21 had 217,901
    p = ind.profile("Syria", data_dir=data_dir)
    top = p.destinations.iloc[0]
    assert top["iso3"] == "TUR" and top["migrants"] == 3_563_983
    assert "Türkiye (3.56 million" in narrative.summary_sentences(p)[0]


def test_syria_remittances_after_2010_are_not_reported_not_zero(data_dir, mirror_dir):
    bx = _wdi_row(mirror_dir, "API_BX.TRF.PWKR.CD.DT_DS2_en_csv_v2_38454.csv", "Syrian Arab Republic")
    assert (bx.loc[2011:2023] == 0).all() and bx.loc[2010] > 0  # the file's zeros after 2010
    p = ind.profile("Syria", data_dir=data_dir)
    rec = p.figure("remittances_received")
    assert rec.year == 2010 and rec.value == bx.loc[2010] and rec.dated
    assert 2011 not in set(p.remittance_series.dropna(subset=["received_usd"])["year"])
    s = narrative.remittance_sentence(p)
    assert "US$ 0" not in s and "0.0% of GDP" not in s and "more than 3 years before 2024" in s
    assert any("gives 0 from 2011 on" in n for n in p.notes)


def test_south_sudan_ratio_of_one_year(data_dir, mirror_dir):
    gdp = _wdi_row(mirror_dir, "API_NY.GDP.MKTP.CD_DS2_en_csv_v2_38344.csv", "South Sudan")
    bx = _wdi_row(mirror_dir, "API_BX.TRF.PWKR.CD.DT_DS2_en_csv_v2_38454.csv", "South Sudan")
    last_gdp = int(gdp.dropna().index.max())
    assert last_gdp == 2015  # GDP stops in 2015 in the 2025-07-01 file
    p = ind.profile("South Sudan", data_dir=data_dir)
    pct = p.figure("remittances_pct_gdp")
    assert pct.year == 2015 and pct.dated
    assert pct.value == pytest.approx(100 * bx.loc[2015] / gdp.loc[2015])
    assert p.figure("remittances_received").year == 2023


@pytest.mark.parametrize("group, members, reported_2024", [("Sub-Saharan Africa", 51, 9), ("Central Asia", 5, 3)])
def test_group_sums_need_coverage(data_dir, mirror_dir, group, members, reported_2024):
    g = ind.group_profile(group, data_dir=data_dir)
    assert len(g.country.members) == members
    rs = g.remittance_series.set_index("year")
    # BX 2024: few members report; their sum is not the group's figure
    assert rs.at[2024, "members_with_data"] == reported_2024 and rs.at[2024, "coverage_pct"] < 90
    assert math.isnan(rs.at[2024, "received_usd"])
    rec = g.figure("remittances_received")
    assert rec.year == 2023 and "2024 not shown" in rec.note and "members" in rec.coverage
    # emigrants outside the group never exceed the emigrant stock: both on the same basis now
    out, em = g.figure("emigrants_outside_group"), g.figure("emigrant_stock")
    assert out.basis == em.basis == IMS24 and out.year == em.year == 2024 and out.value <= em.value


def test_germany_most_only_above_half(data_dir):
    p = ind.profile("Germany", data_dir=data_dir)
    for direction, df in (("emigrants", p.destinations), ("immigrants", p.origins)):
        text = narrative.corridor_sentence(p, direction)
        top3 = df["share_pct"].head(3).sum()
        assert (re.search(r"\bmost\b", text, re.I) is not None) == (top3 > 50), (direction, top3)
    assert "the United States" in narrative.summary_sentences(p)[0]


def test_serbia_and_kosovo_one_way(data_dir):
    p = ind.profile("Serbia", data_dir=data_dir)
    assert KOSOVO_NOTE in p.notes
    for query in ("Kosovo", "XKX", 412):
        with pytest.raises(migstats.AreaNotCoveredError, match="exclude it"):
            migstats.resolve(query, data_dir=data_dir)


def test_refugees_in_key_figures_and_json(data_dir, capsys):
    assert cli.main(["-q", "indicators", "Syria", "--format", "json", "--data-dir", str(data_dir)]) == 0
    d = json.loads(capsys.readouterr().out)
    figs = {f["name"]: f for f in d["figures"]}
    for name in ("refugees_abroad", "asylum_seekers_abroad", "refugees_hosted", "asylum_seekers_hosted", "idps"):
        assert figs[name]["value"] is not None and figs[name]["basis"].startswith("UNHCR"), name
    assert figs["refugees_abroad"]["year"] == 2025
    assert d["refugees"]["rows"] and d["refugees"]["basis"].startswith("UNHCR")
    assert any(b.startswith("UNHCR") for b in d["bases"])


def test_a_missing_unhcr_year_is_a_gap(fallback_data_dir):
    # unhcr_2020.csv (the 1995-2020 extract, used without UNHCR's package) has no 2019 rows
    r = ind.refugees("Afghanistan", data_dir=fallback_data_dir)
    assert list(r["year"]) == list(range(1995, 2021))
    gap = r.set_index("year").loc[2019]
    assert gap[["refugees_from", "asylum_seekers_from", "refugees_hosted"]].isna().all()
    assert "2019" in r.attrs["note"]


def test_an_area_unhcr_never_lists_as_host_is_not_available_not_zero(data_dir, mirror_dir):
    # population.rda (UNHCR refugees 2025.12.1): no row has coa_iso TUV in any year, while rows
    # with coo_iso TUV exist (2025: 0 refugees, 10 asylum seekers abroad)
    u = pyreadr.read_r(mirror_dir / "unhcr" / "refugees_2025.12.1" / "population.rda")["population"]
    assert not (u["coa_iso"] == "TUV").any()
    abroad = u[(u["coo_iso"] == "TUV") & (u["year"] == 2025)]
    p = ind.profile("Tuvalu", 2024, data_dir=data_dir)
    assert p.figure("asylum_seekers_abroad").value == abroad["asylum_seekers"].sum() == 10
    assert p.figure("refugees_abroad").value == abroad["refugees"].sum() == 0
    for name in ("refugees_hosted", "asylum_seekers_hosted"):
        f = p.figure(name)
        assert not f.available and "never lists Tuvalu as a country of asylum" in f.note
    r = ind.refugees("Tuvalu", data_dir=data_dir)
    assert r["refugees_hosted"].isna().all() and "not 0" in r.attrs["note"]


def test_fallback_basis_is_named(fallback_data_dir):
    # without the UN DESA 2024 O-D table, corridors come from the 2019 edition: its own total,
    # named in the sentence and explained in the notes
    p = ind.profile("Belarus", data_dir=fallback_data_dir)
    a = p.destinations.attrs
    assert a["dataset"] == "undesa_2019_od_csv" and a["year"] == 2019
    assert a["basis"] == "UN DESA International Migrant Stock 2019"
    text = narrative.summary_sentences(p)[0]
    assert "In the UN DESA International Migrant Stock 2019 origin x destination table (2019), 1.48 million" in text
    assert any("is not in the data store" in n for n in p.notes)


def test_the_fallback_is_visible_on_the_page(fallback_data_dir, tmp_path):
    from migstats import profiles

    folder = profiles.render_profile("Belarus", out=tmp_path, formats=("html",), data_dir=fallback_data_dir)
    text = (folder / "profile.html").read_text(encoding="utf-8")
    assert "UN DESA International Migrant Stock 2024 origin x destination table is not in the data store" \
        in text.replace("\n", " ")
    assert "Where emigrants live, 2019 (UN DESA International Migrant Stock 2019)." in text


def _amount(text: str) -> float:
    """A count as the page prints it ("6.33 million", "790,000") back to a number."""
    m = re.fullmatch(r"([\d.,]+)( million| billion)?", text.strip())
    return float(m.group(1).replace(",", "")) * {None: 1, " million": 1e6, " billion": 1e9}[m.group(2)]


@pytest.mark.parametrize("area", ["Belarus", "Philippines", "Central Asia", "Sub-Saharan Africa"])
def test_glance_shares_are_of_the_count_beside_them(data_dir, area):
    # Every "x% of the population" in the at-a-glance box is the card's own count over the
    # population (ORIG24/DEST24 Table 1 and the population of the same workbook). The Central
    # Asia card once showed 6.33 million emigrants with the 6.3 % of those outside the group.
    from migstats import publication

    p = (ind.group_profile(area, 2024, data_dir=data_dir) if area in ("Central Asia", "Sub-Saharan Africa")
         else ind.profile(area, 2024, data_dir=data_dir))
    pop = p.figure("population").value
    html = publication.at_a_glance(p)
    cards = re.findall(r'ms-glance-value">([^<]*)</div><div class="ms-glance-detail">([\d.]+)% of the population',
                       html)
    assert len(cards) >= 2, html
    for value, share in cards:
        count = _amount(value)
        # the count has three significant figures, the share one decimal
        assert abs(100 * count / pop - float(share)) <= 0.05 + 0.005 * float(share), (area, value, share)
