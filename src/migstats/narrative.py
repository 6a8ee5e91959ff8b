"""Plain-language sentences generated from a :class:`~migstats.indicators.Profile`.

Every number in a sentence is taken from the profile's figures and tables (never
recomputed), and every sentence takes its numbers from **one basis** — one publication
and edition, named in the sentence — or says plainly that it compares two.

Rules for prose (one rule each, used everywhere):

* **counts** are rounded to three significant figures (790,232 -> "790,000";
  1,502,866 -> "1.50 million"; 246 stays "246"), see :func:`format_count`;
* **money** in US$ millions or billions, three significant figures
  (:func:`format_money`);
* **percentages** with one decimal;
* **"most"** only when the share is above 50 %;
* **country names** with the article English needs ("the United States",
  "the Philippines"), see :func:`place_name`;
* a value more than :data:`DATED_AFTER_YEARS` years older than the profile year is called
  dated in the text.
"""

from __future__ import annotations

import math

__all__ = ["format_count", "format_money", "format_number", "format_share", "format_value", "place_name",
           "summary_sentences", "DATED_AFTER_YEARS"]

#: A value more than this many years older than the profile year is flagged as dated.
DATED_AFTER_YEARS = 3


def _nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _sig3(v: float) -> float:
    if v == 0:
        return 0.0
    return round(v, -int(math.floor(math.log10(abs(v)))) + 2)


def _three(x: float) -> str:
    """``x`` (already rounded to three significant figures, 1 <= |x|) with the decimals that shows."""
    decimals = max(0, 2 - int(math.floor(math.log10(abs(x)))))
    return f"{x:,.{decimals}f}"


def format_count(value: float) -> str:
    """A count for prose, three significant figures: 1,239 -> "1,240"; 1,502,866 -> "1.50 million".

    Values under 1,000 are printed whole ("246"). ``NaN`` gives "not available".
    """
    if _nan(value):
        return "not available"
    v = float(value)
    a = abs(v)
    if a < 1000:
        return f"{v:,.0f}"
    r = _sig3(v)
    if abs(r) >= 1e9:
        return f"{_three(r / 1e9)} billion"
    if abs(r) >= 1e6:
        return f"{_three(r / 1e6)} million"
    return f"{r:,.0f}"


def format_money(value: float) -> str:
    """US$ in millions or billions, three significant figures: "US$ 1.38 billion", "US$ 578 million".

    Amounts under one million are given in millions with two decimals ("US$ 0.26 million").
    """
    if _nan(value):
        return "not available"
    v = float(value)
    a = abs(v)
    if a >= 1e9:
        return f"US$ {_three(_sig3(v) / 1e9)} billion"
    if a >= 1e6:
        return f"US$ {_three(_sig3(v) / 1e6)} million"
    return f"US$ {v / 1e6:.2f} million"


def format_number(value: float, unit: str = "persons") -> str:
    """A figure for prose: counts with :func:`format_count`, US$ with :func:`format_money`."""
    if _nan(value):
        return "not available"
    if "US$" in unit and "per" not in unit:
        return format_money(value)
    return format_count(value)


def format_value(value: float, unit: str) -> str:
    """A figure with its unit for tables: persons with separators, percent with one decimal,
    money in US$ millions or billions."""
    if _nan(value):
        return "not available"
    if unit.startswith("percent"):
        return f"{value:.1f}%" if unit == "percent" else f"{value:.2f}"
    if unit == "persons":
        return f"{value:,.0f}"
    if unit == "per 1,000 population":
        return f"{value:.1f} per 1,000"
    if "US$" in unit and "per" not in unit:
        return format_money(value)
    if "US$" in unit:
        return f"US$ {value:,.0f}"
    if unit.startswith("index"):
        return f"{value:.3f}"
    if unit == "yes/no":
        return "yes" if value else "no"
    return f"{value:,.2f}"


#: Short names that take "the" in running English (besides the rules in :func:`place_name`).
_WITH_ARTICLE = {
    "Philippines", "Netherlands", "Bahamas", "Gambia", "Maldives", "Comoros", "Holy See",
    "Isle of Man", "UAE", "Caribbean Netherlands", "Czech Republic", "Russian Federation",
    "Turks and Caicos", "State of Palestine", "Channel Islands", "Falkland Islands",
}
_EXPAND = {"Rep.": "Republic", "and Gren.": "and the Grenadines", "(Fr.)": "(French part)", "St ": "Saint "}


def place_name(country, *, article: bool = True, capital: bool = False) -> str:
    """A country's name for prose, with the article English needs.

    "the United States", "the Philippines", "the Dominican Republic", "the Marshall Islands";
    "Belarus", "Türkiye". Abbreviations of the short labels (``Rep.``, ``Gren.``) are
    written out. ``capital=True`` for the start of a sentence ("The Philippines").

    Parameters
    ----------
    country : Country, Group or str
        Anything with ``short_name`` (or ``name``), or a name.
    """
    name = str(getattr(country, "short_name", None) or getattr(country, "name", None) or country)
    for short, full in _EXPAND.items():
        name = name.replace(short, full)
    needs = (name in _WITH_ARTICLE or name.startswith(("United ", "Central African", "Dominican",
                                                       "Republic of", "Kingdom of"))
             or name.endswith(("Islands", "Republic", "Emirates", "Isles", "Federation", "Kingdom")))
    if not (article and needs):
        return name
    return ("The " if capital else "the ") + name


def format_share(pct: float) -> str:
    """A share for prose: whole percent, one decimal below 1 % ("0.1%", not "0%")."""
    return f"{pct:.0f}%" if pct >= 0.95 else f"{pct:.1f}%" if pct >= 0.05 else "less than 0.1%"


def _list(df, n=3, value="migrants") -> str:
    parts = [f"{place_name(r.name)} ({format_count(getattr(r, value))}; {format_share(r.share_pct)})"
             for r in df.head(n).itertuples()]
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else ""


def _top_share(df, n=3) -> float:
    return float(df["share_pct"].head(n).sum()) if len(df) else float("nan")


def _dated(year, profile_year) -> str:
    """" (the latest year reported, more than three years before 2024)" for a dated value."""
    if year is None or profile_year is None:
        return ""
    return (f" (the latest year reported, more than {DATED_AFTER_YEARS} years before {profile_year})"
            if profile_year - int(year) > DATED_AFTER_YEARS else "")


def corridor_sentence(p, direction: str) -> str | None:
    """The corridors of one direction in one sentence, on the corridor table's own basis.

    When the corridors come from the same basis and year as the profile's totals (UN DESA
    International Migrant Stock of the profile's edition), the shares are of the total
    already quoted; otherwise the sentence names its basis and that basis's own total.
    """
    df = p.destinations if direction == "emigrants" else p.origins
    if df is None or not len(df):
        return None
    a = df.attrs
    top = _top_share(df)
    n = min(3, len(df))
    same_basis = a.get("basis") == p.basis and a.get("year") == p.year
    who = place_name(p.country, capital=False)
    if direction == "emigrants":
        lead = ("Most of them lived in " if top > 50 else "The largest communities abroad were in ")
        if same_basis:
            return lead + _list(df, n) + "."
        return (f"In {a['basis_label']} ({a['year']}), {format_count(a['total'])} people born in {who} lived "
                f"abroad; " + lead[0].lower() + lead[1:] + _list(df, n) + ".")
    lead = "Most came from " if top > 50 else "The largest groups came from "
    unknown = a.get("unknown_share_pct", float("nan"))
    tail = (f" The origin of {unknown:.0f}% is not reported." if not _nan(unknown) and unknown >= 10 else "")
    if same_basis:
        return lead + _list(df, n) + "." + tail
    return (f"In {a['basis_label']} ({a['year']}), {who} hosted {format_count(a['total'])} international "
            f"migrants; " + lead[0].lower() + lead[1:] + _list(df, n) + "." + tail)


def summary_sentences(p) -> list[str]:
    """Sentences summarising a country profile, each on one named basis.

    Parameters
    ----------
    p : migstats.indicators.Profile

    Returns
    -------
    list of str
        Paragraphs: emigration (with its corridors), immigration (with its corridors),
        refugees (UNHCR), remittances (World Bank WDI), net migration (UN WPP), and an
        explicit comparison of editions where they differ by a percentage point or more.
    """
    who = place_name(p.country)
    Who = place_name(p.country, capital=True)
    out = []
    ims = p.basis
    em = p.figure("emigrant_stock")
    share = p.figure(f"emigrant_share_{p.denominator}")
    if em.available:
        s = f"In {em.year}, about {format_count(em.value)} people born in {who} lived abroad"
        if share.available:
            s += f", equal to {share.value:.1f}% of its {share.label.split('% of ')[-1]}"
        s += f" ({ims})."
        c = corridor_sentence(p, "emigrants")
        out.append(s + (" " + c if c else ""))
    else:
        out.append(f"{ims} gives no emigrant stock for {who}.")
    im = p.figure("immigrant_stock")
    ish = p.figure("immigrant_share")
    if im.available:
        s = f"{Who} hosted about {format_count(im.value)} international migrants in {im.year}"
        if ish.available:
            s += f", {ish.value:.1f}% of its population"
        s += f" ({ims})."
        c = corridor_sentence(p, "immigrants")
        out.append(s + (" " + c if c else ""))
    ref = refugee_sentence(p)
    if ref:
        out.append(ref)
    out.append(remittance_sentence(p))
    nm = net_migration_sentence(p)
    if nm:
        out.append(nm)
    cmp_ = edition_sentence(p)
    if cmp_:
        out.append(cmp_)
    return out


def refugee_sentence(p) -> str | None:
    """Refugees and asylum seekers from and in the area, latest UNHCR year (when material)."""
    names = ("refugees_abroad", "asylum_seekers_abroad", "refugees_hosted", "asylum_seekers_hosted")
    try:
        f = {n: p.figure(n) for n in names}
    except KeyError:
        return None
    if not any(x.available for x in f.values()):
        return None
    vals = {n: (x.value if x.available else 0.0) for n, x in f.items()}
    if max(vals.values()) < 1000:
        return None
    year = next(x.year for x in f.values() if x.available)
    who = place_name(p.country)
    parts = []
    if vals["refugees_abroad"] + vals["asylum_seekers_abroad"] >= 1000:
        parts.append(f"{format_count(vals['refugees_abroad'])} refugees and "
                     f"{format_count(vals['asylum_seekers_abroad'])} asylum seekers from {who} were abroad")
    if vals["refugees_hosted"] + vals["asylum_seekers_hosted"] >= 1000:
        parts.append(f"{who} hosted {format_count(vals['refugees_hosted'])} refugees and "
                     f"{format_count(vals['asylum_seekers_hosted'])} asylum seekers")
    s = f"At the end of {year}, " + "; ".join(parts)
    try:
        idp = p.figure("idps")
        if idp.available and idp.value >= 1000:
            s += f"; {format_count(idp.value)} people were internally displaced within {who}"
    except KeyError:
        pass
    return s + f" ({f['refugees_abroad'].basis})."


def remittance_sentence(p) -> str:
    """Remittances received (and % of GDP of the same year), paid and net, one WDI basis."""
    who = place_name(p.country)
    rec = p.figure("remittances_received")
    if not rec.available:
        if not rec.note:
            return f"{rec.basis or 'The World Bank'} reports no personal remittances received by {who}."
        note = rec.note.rstrip(".")
        if note[:1].isupper():  # the reason is a sentence of its own
            return note + (f" ({rec.basis})." if rec.basis else ".")
        return f"Personal remittances received by {who}: not available ({note})."
    s = (f"Personal remittances received reached {format_money(rec.value)} in {rec.year}"
         f"{_dated(rec.year, p.year)}")
    pct = p.figure("remittances_pct_gdp")
    if pct.available and pct.year == rec.year:
        s += f", equal to {pct.value:.1f}% of GDP"
    s += f" ({rec.basis})."
    if pct.available and pct.year != rec.year:
        dated = " (dated)" if _dated(pct.year, p.year) else ""
        s += (f" The latest year with both remittances and GDP is {pct.year}{dated}, when remittances "
              f"equalled {pct.value:.1f}% of GDP.")
    try:
        paid, net = p.figure("remittances_paid"), p.figure("net_remittances")
    except KeyError:
        return s
    if paid.available:
        s += (f" Remittances paid by people in {who} were {format_money(paid.value)} in {paid.year}"
              f"{_dated(paid.year, p.year)}")
        if net.available:
            s += f"; net, {format_money(net.value)} ({net.basis})."
        else:
            s += f" ({paid.basis})."
    return s


def net_migration_sentence(p) -> str | None:
    """Net migration and its rate in the latest WPP year."""
    try:
        nm, rate = p.figure("net_migration"), p.figure("net_migration_rate")
    except KeyError:
        return None
    if not nm.available:
        return None
    who = place_name(p.country)
    direction = "more people arrived in" if nm.value > 0 else "more people left"
    s = (f"In {nm.year}, {direction} {who} than left it" if nm.value > 0 else
         f"In {nm.year}, more people left {who} than arrived")
    s = s.replace(f"more people arrived in {who} than left it", f"more people moved to {who} than left it")
    s += f": net migration was {'+' if nm.value > 0 else ''}{format_count(nm.value)}"
    if rate.available:
        s += f" ({rate.value:+.1f} per 1,000 population)"
    return s + f" ({nm.basis} estimate)."


def edition_sentence(p) -> str | None:
    """An explicit comparison of editions, where the emigrant share differs by 1 point or more."""
    ed = p.editions
    if ed is None or not len(ed):
        return None
    old = ed[(ed["quantity"] == "emigrants") & ed["source"].str.contains("2019")
             & ed["share_of_population_pct"].notna()]
    new = ed[(ed["quantity"] == "emigrants") & (ed["source"].str.startswith("UN DESA IMS 2024"))
             & (ed["year"] == 2020)]
    if not (len(old) and len(new) and new["share_of_population_pct"].notna().all()):
        return None
    o, n = old.iloc[0], new.iloc[0]
    if abs(o["share_of_population_pct"] - n["share_of_population_pct"]) < 1:
        return None
    return (f"Comparison of editions: UN DESA's 2019 edition put {format_count(o['value'])} emigrants from "
            f"{place_name(p.country)} in {int(o['year'])} ({o['share_of_population_pct']:.1f}% of the population), "
            f"its 2024 edition {format_count(n['value'])} in 2020 ({n['share_of_population_pct']:.1f}%); "
            "the 2024 edition revised the estimates.")
