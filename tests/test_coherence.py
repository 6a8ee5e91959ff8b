"""The coherence check: passes on every area and group, and catches each kind of incoherence."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from migstats import coherence
from migstats import indicators as ind


@pytest.fixture(scope="module")
def coherent(data_dir):
    return coherence.check_all(2024, data_dir=data_dir)


def test_every_area_and_group_is_coherent(coherent, data_dir):
    from migstats.countries import country_table
    from migstats.groups import list_groups

    assert coherent.attrs["checked"] == len(country_table(data_dir=data_dir)) + len(list_groups(data_dir=data_dir))
    assert coherent.attrs["checked"] >= 235 + 60
    assert coherent.empty, coherent.to_string()


def _rules(p):
    return {(v.item, v.rule) for v in coherence.check_profile(p)}


def test_catches_corridors_over_another_editions_total(data_dir):
    # the profile issue's Belarus example: KNOMAD 2021 corridors (Russia 763,879 ...) against the
    # UN DESA 2024 total (790,232): a corridor table whose total is not its own basis's total
    p = ind.profile("Belarus", data_dir=data_dir)
    knomad = ind.corridors("Belarus", 2024, source="knomad_migration_2021", data_dir=data_dir)
    knomad.attrs["total"] = p.value("emigrant_stock")
    assert ("top_destinations", "corridor_total") in _rules(dataclasses.replace(p, destinations=knomad))


def test_catches_a_figure_without_basis_or_mixing_two(data_dir):
    p = ind.profile("Tajikistan", data_dir=data_dir)
    figs = [dataclasses.replace(f, basis="") if f.name == "immigrant_stock" else f for f in p.figures]
    figs.append(next(f for f in ind.remittances("Tajikistan", data_dir=data_dir)
                     if f.name == "remittances_per_emigrant"))
    rules = _rules(dataclasses.replace(p, figures=figs))
    assert ("immigrant_stock", "basis") in rules and ("remittances_per_emigrant", "basis") in rules


def test_catches_zeros_after_reporting_stopped(data_dir):
    # Syria: the WDI file carries 0 for 2011-2024 after the last reported value (2010)
    p = ind.profile("Syria", data_dir=data_dir)
    assert _rules(p) == set()
    rs = p.remittance_series
    assert rs["year"].max() == 2010  # the zeros of 2011-2024 are not in the series
    # as the file gives it: 0 from 2011 on
    rs = pd.concat([rs, pd.DataFrame({"year": range(2011, 2025), "received_usd": 0.0})], ignore_index=True)
    figs = [dataclasses.replace(f, value=0.0, year=2023) if f.name == "remittances_received" else f
            for f in p.figures]
    rules = _rules(dataclasses.replace(p, remittance_series=rs, figures=figs))
    assert ("remittances.received_usd", "zeros") in rules and ("remittances_received", "zeros") in rules


def test_catches_a_bridged_refugee_year(data_dir):
    p = ind.profile("Afghanistan", data_dir=data_dir)
    r = p.refugees[p.refugees["refugees_from"].notna()].reset_index(drop=True)  # drop the gap row(s)
    if len(r) == len(p.refugees):  # no gap in this UNHCR file: make one
        r = r.drop(index=len(r) // 2).reset_index(drop=True)
    r.attrs.update(p.refugees.attrs)
    assert ("refugees", "gaps") in _rules(dataclasses.replace(p, refugees=r))


def test_catches_undated_old_values_and_most_under_half(data_dir):
    p = ind.profile("Germany", data_dir=data_dir)
    figs = [dataclasses.replace(f, year=2015, dated=False) if f.name == "gdp" else f for f in p.figures]
    assert ("gdp", "dated") in _rules(dataclasses.replace(p, figures=figs))
    o = p.origins.copy()
    o["share_pct"] = np.linspace(30, 1, len(o))  # inconsistent shares: caught by the shares rule
    o.attrs.update(p.origins.attrs)
    assert ("top_origins", "shares") in _rules(dataclasses.replace(p, origins=o))


def test_catches_a_group_figure_under_the_coverage_rule(data_dir):
    # Central Asia 2024: only Kazakhstan, Kyrgyzstan and Tajikistan report remittances (WDI BX
    # 2025-07-01 has no 2024 value for Turkmenistan and Uzbekistan): not the group's figure
    g = ind.group_profile("Central Asia", data_dir=data_dir)
    rs = g.remittance_series
    y2024 = rs[rs["year"] == 2024].iloc[0]
    assert y2024["members_with_data"] == 3 and y2024["coverage_pct"] < 90 and np.isnan(y2024["received_usd"])
    rec = g.figure("remittances_received")
    assert rec.year == 2023 and "2024 not shown" in rec.note
    bad = [dataclasses.replace(f, value=float(y2024["received_usd_partial"]), year=2024,
                               coverage=ind.coverage_text(3, 5, float(y2024["coverage_pct"])))
           if f.name == "remittances_received" else f for f in g.figures]
    assert ("remittances_received", "coverage") in _rules(dataclasses.replace(g, figures=bad))


def test_check_lists_every_violation_with_area_and_figure(data_dir):
    p = ind.profile("Belarus", data_dir=data_dir)
    figs = [dataclasses.replace(f, basis="") for f in p.figures[:3]]
    v = coherence.check_profile(dataclasses.replace(p, figures=figs + p.figures[3:]))
    df = pd.DataFrame([dataclasses.asdict(x) for x in v])
    assert set(df["area"]) == {"BLR"} and len(df) == 3 and set(df["rule"]) == {"basis"}


def test_migstats_check_command(data_dir, capsys, monkeypatch):
    from migstats import cli

    assert cli.main(["-q", "check", "--countries", "BLR,SYR", "--no-groups"]) == 0
    assert "2 profiles checked" in capsys.readouterr().out
    # a violation makes it exit 1 and list the area, item and rule
    real = coherence.check_profile
    monkeypatch.setattr(coherence, "check_profile", lambda p: real(p) + [
        coherence.Violation(p.country.iso3, "immigrant_stock", "basis", "figure names no basis")])
    assert cli.main(["-q", "check", "--countries", "BLR", "--no-groups"]) == 1
    out = capsys.readouterr()
    assert "BLR" in out.out and "immigrant_stock" in out.out and "1 violation in 1 of 1 profile." in out.err
