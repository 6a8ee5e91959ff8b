"""Plain-language sentences generated from a :class:`~migstats.indicators.Profile`.

Every number in a sentence is taken from the profile's figures and tables (never
recomputed), rounded for reading, and the sentence names the source edition.
"""

from __future__ import annotations

import math

__all__ = ["format_number", "format_value", "summary_sentences"]


def format_number(value: float, unit: str = "persons") -> str:
    """Round a figure for prose: 1,234,567 persons -> "1.23 million"; US$ -> "US$ 1.38 billion"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not available"
    v = float(value)
    money = "US$" in unit
    a = abs(v)
    if a >= 1e9:
        text = f"{v / 1e9:.2f} billion"
    elif a >= 1e6:
        text = f"{v / 1e6:.2f} million"
    elif a >= 1e4:
        text = f"{round(v, -2):,.0f}"
    else:
        text = f"{v:,.0f}"
    return f"US$ {text}" if money else text


def format_value(value: float, unit: str) -> str:
    """Format a figure with its unit for tables: percent with 1 decimal, persons with separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit.startswith("percent"):
        return f"{value:.1f}%" if unit == "percent" else f"{value:.2f}"
    if unit == "persons":
        return f"{value:,.0f}"
    if "US$" in unit:
        if abs(value) >= 1e6:
            return format_number(value, unit)
        return f"US$ {value:,.0f}"
    if unit.startswith("index"):
        return f"{value:.3f}"
    return f"{value:,.2f}"


def _list(df, n=3) -> str:
    parts = [f"{r.name} ({format_number(r.migrants)})" for r in df.head(n).itertuples()]
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else ""


def summary_sentences(p) -> list[str]:
    """Sentences summarising a profile: emigrants, immigrants, remittances, corridors.

    Parameters
    ----------
    p : migstats.indicators.Profile

    Returns
    -------
    list of str
    """
    name = p.country.short_name
    out = []
    em = p.figure("emigrant_stock")
    share = p.figure(f"emigrant_share_{p.denominator}")
    if em.available:
        s = (f"In {em.year} about {format_number(em.value)} people born in {name} lived abroad, "
             f"{share.value:.1f}% of {share.label.split('% of ')[-1]}"
             if share.available else
             f"In {em.year} about {format_number(em.value)} people born in {name} lived abroad")
        out.append(s + " (UN DESA International Migrant Stock 2024).")
        if len(p.destinations):
            a = p.destinations.attrs
            out.append(f"In the bilateral data nearest to {p.year} ({a['source']}, {a['year']}), the largest "
                       f"communities abroad were in {_list(p.destinations)}.")
    else:
        out.append(f"UN DESA publishes no emigrant stock for {name}.")
    im = p.figure("immigrant_stock")
    ish = p.figure("immigrant_share")
    if im.available:
        s = f"{name} hosted {format_number(im.value)} international migrants in {im.year}"
        if ish.available:
            s += f", {ish.value:.1f}% of its population"
        out.append(s + " (UN DESA International Migrant Stock 2024).")
        if len(p.origins):
            a = p.origins.attrs
            out.append(f"Most came from {_list(p.origins)} ({a['source']}, {a['year']}).")
    rec = p.figure("remittances_received")
    if rec.available:
        s = f"Personal remittances received reached {format_number(rec.value, rec.unit)} in {rec.year}"
        pct = p.figure("remittances_pct_gdp")
        if pct.available:
            s += f" ({pct.value:.1f}% of GDP in {pct.year})"
        out.append(s + " (World Bank WDI).")
    else:
        out.append(f"The World Bank publishes no remittance data for {name}.")
    ed = p.editions
    old = ed[(ed["quantity"] == "emigrants") & ed["source"].str.contains("2019") & ed["share_of_population_pct"].notna()]
    new = ed[(ed["quantity"] == "emigrants") & (ed["source"].str.startswith("UN DESA IMS 2024")) & (ed["year"] == 2020)]
    if len(old) and len(new) and new["share_of_population_pct"].notna().all():
        o, n = old.iloc[0], new.iloc[0]
        if abs(o["share_of_population_pct"] - n["share_of_population_pct"]) >= 1:
            out.append(f"Older estimates differ: the 2019 edition put {format_number(o['value'])} "
                       f"emigrants in {int(o['year'])} ({o['share_of_population_pct']:.1f}% of the "
                       f"population), the 2024 edition {format_number(n['value'])} in 2020 "
                       f"({n['share_of_population_pct']:.1f}%).")
    return out
