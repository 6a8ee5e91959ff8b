"""Coherence checks: does a profile tell one story, one basis per statement?

Every figure of a profile is right on its own; what a reader can still be misled by is how
they are put together. :func:`check_profile` tests the invariants a published profile must
keep, and :func:`check_all` runs them over every country or area and every standard group
(``migstats check`` on the command line, for users' own builds too):

``basis``
    every key figure names exactly one basis (publication and edition); every table with
    rows names its basis (the editions table is an explicit comparison);
``corridor_total``
    the corridors of a table never add up to more than the total of the same basis, and
    when the corridors come from the basis and year of the profile's totals, that total is
    the profile's own (no corridor sum over another edition's total);
``shares``
    corridor shares are of the table's own total (recomputed);
``zeros``
    no remittance series shows a zero after the publisher stopped reporting (a trailing run
    of zeros), and no key figure shows such a zero as a value;
``gaps``
    the refugee table has a row for every year from its first to its last, a year absent
    from the source being a gap (NaN), never bridged;
``same_year``
    remittances as % of GDP use received and GDP of the same year;
``dated``
    every figure more than three years older than the profile year is flagged as dated;
``coverage``
    a group figure summed over members covers at least
    :data:`~migstats.indicators.GROUP_COVERAGE_MIN_PCT` % of the group's population;
``words``
    the text says "most" only of shares above 50 %.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

__all__ = ["Violation", "check_profile", "check_all", "RULES"]

RULES = ("basis", "corridor_total", "shares", "zeros", "gaps", "same_year", "dated", "coverage", "words")


@dataclass(frozen=True)
class Violation:
    """One broken invariant: which area, which figure or table, which rule, and what was found."""

    area: str
    item: str
    rule: str
    detail: str


def _area(p) -> str:
    c = p.country
    return c.iso3 if isinstance(getattr(c, "iso3", None), str) else c.name


def _nan(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def check_profile(p) -> list[Violation]:
    """Every violation of the coherence rules (:data:`RULES`) in one profile.

    Parameters
    ----------
    p : migstats.indicators.Profile or GroupProfile

    Returns
    -------
    list of Violation
        Empty when the profile is coherent.
    """
    from .indicators import GROUP_COVERAGE_MIN_PCT
    from .narrative import DATED_AFTER_YEARS, corridor_sentence

    area, out = _area(p), []

    def bad(item, rule, detail):
        out.append(Violation(area, item, rule, detail))

    # basis: one per figure, one per table
    for f in p.figures:
        if not f.basis:
            bad(f.name, "basis", "figure names no basis")
        elif " / " in f.basis:
            bad(f.name, "basis", f"figure mixes two bases: {f.basis}")
    for name, df in p.tables().items():
        if df is None or not len(df) or name == "editions":
            continue
        if not df.attrs.get("basis"):
            bad(name, "basis", "table names no basis")
    # corridors: sums within the same basis's total; shares of that total
    for name, df in (("top_destinations", p.destinations), ("top_origins", p.origins)):
        if df is None or not len(df):
            continue
        a = df.attrs
        total = float(a.get("total", float("nan")))
        s = float(df["migrants"].sum())
        if _nan(total) or s > total * (1 + 1e-9) + 0.5:
            bad(name, "corridor_total", f"corridors add up to {s:,.0f}, more than the total of their "
                                        f"basis ({a.get('basis')}, {a.get('year')}): {total:,.0f}")
        share = 100 * df["migrants"].to_numpy() / total if total else np.full(len(df), np.nan)
        if not np.allclose(share, df["share_pct"].to_numpy(), rtol=1e-9, atol=1e-9, equal_nan=True):
            bad(name, "shares", "shares are not of the corridor table's own total")
        if a.get("basis") == p.basis and a.get("year") == p.year and isinstance(getattr(p.country, "iso3", None), str):
            own = p.figure("emigrant_stock" if name == "top_destinations" else "immigrant_stock")
            if own.available and total > own.value * (1 + 1e-6) + 1:
                bad(name, "corridor_total", f"total of the corridors {total:,.0f} exceeds the profile's "
                                            f"{own.label.lower()} {own.value:,.0f} of the same basis")
        words = corridor_sentence(p, "emigrants" if name == "top_destinations" else "immigrants")
        top3 = float(df["share_pct"].head(3).sum())
        if words and re.search(r"\b[Mm]ost (of them|came)\b", words) and not top3 > 50:
            bad(name, "words", f"the text says 'most' of {top3:.0f}%")
    # zeros after reporting stopped
    rs = p.remittance_series
    for col in ("received_usd", "paid_usd"):
        if rs is None or col not in rs or not rs[col].notna().any():
            continue
        v = rs[col].to_numpy("float64")
        nz = np.flatnonzero(~np.isnan(v) & (v != 0))
        tail = v[nz[-1] + 1:] if len(nz) else v
        if (tail == 0).any():
            bad(f"remittances.{col}", "zeros", "a zero after the last reported value is shown as a value")
    for name in ("remittances_received", "remittances_paid"):
        try:
            f = p.figure(name)
        except KeyError:
            continue
        if f.available and f.value == 0:
            bad(name, "zeros", "key figure shows 0 US$ (not reported is not zero)")
    # refugee gaps
    r = p.refugees
    if r is not None and len(r):
        years = r["year"].astype(int).to_numpy()
        if not np.array_equal(years, np.arange(years.min(), years.max() + 1)):
            bad("refugees", "gaps", "the refugee table skips a year instead of showing it as a gap")
    # same-year ratio
    try:
        pct = p.figure("remittances_pct_gdp")
    except KeyError:
        pct = None
    if pct is not None and pct.available and rs is not None and len(rs):
        row = rs[rs["year"] == pct.year]
        need = ["gdp_usd"] if hasattr(p, "members") else ["received_usd", "gdp_usd"]
        published = len(row) and row["pct_gdp_source"].astype(str).str.startswith("published").all()
        if not len(row) or not (published or row[need].notna().all(axis=None)):
            bad("remittances_pct_gdp", "same_year", f"no remittances and GDP of {pct.year} behind the ratio")
    # dated flags
    for f in p.figures:
        if f.available and f.year is not None and p.year - int(f.year) > DATED_AFTER_YEARS and not f.dated:
            bad(f.name, "dated", f"value of {f.year} is not flagged as dated in a {p.year} profile")
    # group coverage
    if hasattr(p, "members"):
        for f in p.figures:
            if f.available and f.coverage and "% of the group's population" in f.coverage:
                pct_cov = float(f.coverage.split(", ")[1].split("%")[0])
                if pct_cov < GROUP_COVERAGE_MIN_PCT:
                    bad(f.name, "coverage", f"shown as the group's figure with {f.coverage}")
    return out


def check_all(year: int = 2024, *, countries=None, groups: bool = True, top_n: int = 10, data_dir=None,
              progress: bool = False) -> pd.DataFrame:
    """Run :func:`check_profile` over every country or area (and every standard group).

    Parameters
    ----------
    year : int
        UN DESA reference year of the profiles.
    countries : list, optional
        Only these countries (default: all 235 areas).
    groups : bool
        Also every group of :func:`migstats.groups.list_groups`.

    Returns
    -------
    DataFrame
        One row per violation (``area``, ``item``, ``rule``, ``detail``); empty when every
        profile is coherent. ``attrs["checked"]`` is the number of profiles checked.
    """
    from tqdm.auto import tqdm

    from .countries import country_table, resolve
    from .groups import _all_groups
    from .indicators import group_profile, profile

    if countries is None:
        items = [("country", c) for c in country_table(data_dir=data_dir)["iso3"]]
    else:
        items = [("country", resolve(c, data_dir=data_dir).iso3) for c in countries]
    if groups:
        items += [("group", g) for g in _all_groups(data_dir)]
    rows = []
    for kind, item in tqdm(items, desc="migstats check", disable=not progress, unit="profile"):
        p = (profile(item, year, top_n=top_n, data_dir=data_dir) if kind == "country"
             else group_profile(item, year, top_n=top_n, data_dir=data_dir))
        rows += [asdict(v) for v in check_profile(p)]
    out = pd.DataFrame(rows, columns=["area", "item", "rule", "detail"])
    out.attrs["checked"] = len(items)
    return out
