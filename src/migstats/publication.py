"""What a published profile page says, as HTML fragments: one function per block.

The profile notebook (``notebooks/country_profile.ipynb``) displays these blocks in order;
nbconvert's page template (:mod:`migstats.profiles`) adds the stylesheet. Every number is
taken from the :class:`~migstats.indicators.Profile` (never recomputed), formatted by the
rules of :mod:`migstats.narrative` (counts with separators in tables, money in US$ millions
or billions, percent with one decimal), and every block names its basis. No parameter,
internal key, object repr or developer hint appears on the page.

Blocks: :func:`title_block`, :func:`at_a_glance`, :func:`summary`, :func:`key_figures`,
:func:`corridor_tables`, :func:`remittance_tables`, :func:`refugee_table`,
:func:`editions_table`, :func:`data_notes`, :func:`sources`.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

from .narrative import format_count, format_money, format_share, format_value, place_name, summary_sentences

__all__ = ["KEY_FIGURES", "Column", "table", "page_title", "title_block", "at_a_glance", "summary", "key_figures",
           "corridor_tables", "remittance_tables", "refugee_table", "editions_table", "data_notes",
           "sources", "FORBIDDEN"]

#: Text that must never appear on a published page (developer hints, internal keys, reprs).
FORBIDDEN = ("change the parameters", "<migstats", "denominator:", "residents_plus_emigrants",
             "fetch it with internet", "knomad_migration", "undesa_2019_od", "undesa_2024_od", "wdi_",
             "object at 0x", "<Figure size", "Traceback", "NaN", "nan%", "<NA>", "None", "data_dir",
             "yes=1/no=0", "DataFrame", "dtype")


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _is_country(c) -> bool:
    return isinstance(getattr(c, "iso3", None), str)


def _nan(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


# -- tables -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """One column of a published table: source column, header and kind.

    ``kind``: ``"text"`` (left-aligned), ``"count"`` (persons, thousands separators),
    ``"pct"`` (one decimal), ``"usd_m"`` (US$ millions, one decimal), ``"year"``,
    ``"rate"`` (one decimal, signed).
    """

    key: str
    header: str
    kind: str = "text"


def _cell(value, kind: str) -> str:
    if kind == "text":
        return "" if _nan(value) else _e(value)
    if _nan(value):
        return '<span class="ms-na">–</span>'
    if kind == "count":
        return f"{value:,.0f}"
    if kind in ("pct", "rate") and round(value, 1) == 0:
        value = 0.0  # no "-0.0"
    if kind == "pct":
        return f"{value:.1f}"
    if kind == "usd_m":
        return f"{value / 1e6:,.1f}"
    if kind == "year":
        return f"{int(value)}"
    if kind == "rate":
        return f"{value:+.1f}"
    return _e(value)


def table(df: pd.DataFrame, columns: list[Column], caption: str, *, css: str = "") -> str:
    """An HTML table: text left-aligned, numbers right-aligned with separators, ``–`` for missing."""
    head = "".join(f'<th class="ms-{c.kind}">{_e(c.header)}</th>' for c in columns)
    rows = []
    for rec in df.to_dict(orient="records"):
        rows.append("<tr>" + "".join(f'<td class="ms-{c.kind}">{_cell(rec.get(c.key), c.kind)}</td>'
                                     for c in columns) + "</tr>")
    return (f'<table class="ms-table {css}"><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


# -- title and headline ---------------------------------------------------------------------------
def page_title(p) -> str:
    """"Belarus: migration profile 2024"."""
    return f"{p.country.name}: migration profile {p.year}"


def title_block(p, *, published: date | None = None) -> str:
    """Country (or group), classification, the editions used and the date."""
    from . import __version__

    c = p.country
    if _is_country(c):
        sub = " · ".join(x for x in (c.un_subregion, c.wb_region, c.income_group) if x)
    else:
        sub = f"{c.kind} · {len(c.members)} members"
    bases = " · ".join(p.bases())
    when = (published or date.today()).strftime("%-d %B %Y")
    return (f'<header class="ms-title"><p class="ms-kicker">Migration profile {p.year}</p>'
            f"<h1>{_e(c.name)}</h1><p class=\"ms-sub\">{_e(sub)}</p>"
            f'<p class="ms-editions">Data: {_e(bases)}.<br>Published {_e(when)} with migstats {_e(__version__)}.'
            "</p></header>")


def _item(label: str, value: str, detail: str, basis: str) -> str:
    return (f'<div class="ms-glance-item"><div class="ms-glance-label">{_e(label)}</div>'
            f'<div class="ms-glance-value">{_e(value)}</div>'
            f'<div class="ms-glance-detail">{_e(detail)}</div>'
            f'<div class="ms-glance-basis">{_e(basis)}</div></div>')


def _fig(p, name):
    try:
        f = p.figure(name)
    except KeyError:
        return None
    return f if f.available else None


def at_a_glance(p) -> str:
    """Four to six headline numbers, each with its year and basis."""
    items = []
    em, ems = _fig(p, "emigrant_stock"), _fig(p, "emigrant_share_population")
    im, ims = _fig(p, "immigrant_stock"), _fig(p, "immigrant_share")
    out_group = _fig(p, "emigrants_outside_group") if not _is_country(p.country) else None
    out_share = _fig(p, "emigrants_outside_group_share_population")

    def share_of_population(count, share):
        return f"{share.value:.1f}% of the population, {count.year}" if share and share.year == count.year \
            else str(count.year)

    if em:
        detail = share_of_population(em, ems)
        items.append(_item("Emigrants (living abroad)", format_count(em.value), detail, em.basis))
    if im:
        items.append(_item("International migrants living here", format_count(im.value),
                           share_of_population(im, ims), im.basis))
    if out_group:
        items.append(_item("Emigrants living outside the group", format_count(out_group.value),
                           share_of_population(out_group, out_share), out_group.basis))
    dest = p.destinations
    if _is_country(p.country) and dest is not None and len(dest):
        top = dest.iloc[0]
        items.append(_item("Largest community abroad", place_name(top["name"], capital=True),
                           f"{format_count(top['migrants'])}, {format_share(top['share_pct'])} of emigrants, "
                           f"{dest.attrs['year']}", dest.attrs["basis"]))
    rec, pct = _fig(p, "remittances_received"), _fig(p, "remittances_pct_gdp")
    if rec:
        detail = str(rec.year) + (" (dated)" if rec.dated else "")
        if pct and pct.year == rec.year:
            detail = f"{pct.value:.1f}% of GDP, " + detail
        elif pct:
            detail += f"; {pct.value:.1f}% of GDP in {pct.year}"
        items.append(_item("Remittances received", format_money(rec.value), detail, rec.basis))
    ra, rh = _fig(p, "refugees_abroad"), _fig(p, "refugees_hosted")
    if ra and rh and max(ra.value, rh.value) >= 1000:
        f = ra if ra.value >= rh.value else rh
        label = "Refugees abroad" if f is ra else "Refugees hosted"
        other = rh if f is ra else ra
        items.append(_item(label, format_count(f.value),
                           f"end of {f.year}; {'hosted' if f is ra else 'abroad'}: {format_count(other.value)}",
                           f.basis))
    nm, rate = _fig(p, "net_migration"), _fig(p, "net_migration_rate")
    if nm and len(items) < 6:
        detail = f"{rate.value:+.1f} per 1,000 population, {nm.year}" if rate else str(nm.year)
        items.append(_item("Net migration", ("+" if nm.value > 0 else "") + format_count(nm.value), detail,
                           nm.basis + " estimate"))
    return ('<section class="ms-glance" aria-label="At a glance"><h2>At a glance</h2>'
            f'<div class="ms-glance-grid">{"".join(items[:6])}</div></section>')


def summary(p) -> str:
    """The "In brief" paragraphs (:func:`migstats.narrative.summary_sentences`), or group sentences."""
    if _is_country(p.country):
        paras = summary_sentences(p)
    else:
        paras = _group_sentences(p)
    return '<section class="ms-brief"><h2>In brief</h2>' + "".join(f"<p>{_e(s)}</p>" for s in paras) + "</section>"


def _group_sentences(p) -> list[str]:
    g = p.country
    out = []
    pop, im, ish, em = (_fig(p, n) for n in ("population", "immigrant_stock", "immigrant_share", "emigrant_stock"))
    if pop and im:
        out.append(f"The {len(g.members)} members of {g.name} had {format_count(pop.value)} inhabitants in "
                   f"{pop.year}, of whom {format_count(im.value)} were international migrants"
                   + (f" ({ish.value:.1f}%)" if ish else "") + f" ({pop.basis}).")
    if em:
        out.append(f"{format_count(em.value)} people born in a member country lived in another country, "
                   f"including moves between members ({em.basis}).")
    og, inner = _fig(p, "emigrants_outside_group"), _fig(p, "internal_migrants")
    if og and inner:
        out.append(f"In {p.destinations.attrs['basis_label']} ({og.year}), {format_count(og.value)} of them lived "
                   f"outside the group and {format_count(inner.value)} in another member country.")
    rec = _fig(p, "remittances_received")
    if rec:
        out.append(f"Members received {format_money(rec.value)} in personal remittances in {rec.year} "
                   f"({rec.coverage}; {rec.basis}).")
    return out


#: The figures of the key-figures table, in order (those a profile has).
KEY_FIGURES = ("population", "immigrant_stock", "immigrant_share", "female_share", "emigrant_stock",
               "emigrant_share_population", "emigrant_share_residents_plus_emigrants", "emigrants_outside_group",
               "emigrants_outside_group_share_population", "emigrants_outside_group_share_residents_plus_emigrants",
               "internal_migrants", "refugees_abroad", "asylum_seekers_abroad", "refugees_hosted",
               "asylum_seekers_hosted", "idps", "net_migration", "net_migration_rate", "remittances_received",
               "remittances_pct_gdp", "remittances_paid", "net_remittances", "gdp_per_capita",
               "diaspora_top5_share", "unknown_origin_share")


def key_figures(p) -> str:
    """Key figures with year and basis; figures without data in one short "not available" line."""
    rows, missing = [], []
    for name in KEY_FIGURES:
        try:
            f = p.figure(name)
        except KeyError:
            continue
        if not f.available:
            missing.append(f.label)
            continue
        year = f"{f.year}" + (" (dated)" if f.dated else "") if f.year is not None else ""
        rows.append({"Indicator": f.label + (f" ({f.coverage})" if f.coverage and "members" in f.coverage else ""),
                     "Value": format_value(f.value, f.unit), "Year": year, "Basis": f.basis})
    cols = [Column("Indicator", "Indicator"), Column("Value", "Value", "value"), Column("Year", "Year", "text"),
            Column("Basis", "Basis (source and edition)")]
    body = table(pd.DataFrame(rows), cols, "Each figure with its year and the source and edition it comes from.",
                 css="ms-key-figures")
    if missing:
        body += f'<p class="ms-not-available">Not available: {_e("; ".join(missing))} (see the data notes).</p>'
    return body


# -- sections -----------------------------------------------------------------------------------
def corridor_tables(p) -> str:
    """Top destinations and origins, each captioned with its basis, year and own total."""
    parts = []
    for df, what, partner in ((p.destinations, "Where emigrants live", "Country or area of residence"),
                              (p.origins, "Where immigrants come from", "Country or area of birth")):
        if df is None or not len(df):
            continue
        a = df.attrs
        cols = [Column("rank", "Rank", "year"), Column("name", partner), Column("migrants", "Migrants", "count"),
                Column("share_pct", "% of total", "pct")]
        if "female_share_pct" in df:
            cols.append(Column("female_share_pct", "Women (%)", "pct"))
        unknown = a.get("unknown", 0.0)
        cap = (f"{what}, {a['year']} ({a['basis']}). Shares are of the table's total, "
               f"{format_count(a['total'])}" + (f", of whom {format_count(unknown)} with unknown or other partner"
                                                if unknown else "") + "."
               + ("" if _is_country(p.country) else " Moves between members are left out."))
        parts.append(table(df, cols, cap))
    internal = getattr(p, "internal", None)
    if internal is not None and len(internal):
        a = internal.attrs
        parts.append(table(internal, [Column("origin", "From (member)"), Column("destination", "To (member)"),
                                      Column("migrants", "Migrants", "count")],
                           f"Largest corridors between members, {a['year']} ({a['basis']}); "
                           f"{format_count(a['total'])} people live in another member country."))
    members = getattr(p, "members", None)
    if members is not None and len(members):
        parts.append(table(members, [Column("name", "Member"), Column("population", "Population", "count"),
                                     Column("immigrants", "Immigrants", "count"),
                                     Column("emigrants", "Emigrants", "count"),
                                     Column("emigrant_share_pct", "Emigrants (% of population)", "pct")],
                           f"Members in {p.year}: {p.basis}."))
    cc = p.corridor_change
    if cc is not None and len(cc):
        a = cc.attrs
        s, e = a["start"], a["end"]
        parts.append(table(cc, [Column("name", "Country or area of residence"),
                                Column(f"migrants_{s}", str(s), "count"), Column(f"migrants_{e}", str(e), "count"),
                                Column("change", "Change", "count"),
                                Column("growth_pct_per_year", "Growth (% per year)", "pct")],
                           f"How the largest communities abroad changed, {s}–{e}: {a['basis']}."))
    return "".join(parts)


def remittance_tables(p) -> str:
    """Remittances by year (last ten reported years) and the modelled top senders."""
    parts = []
    rs = p.remittance_series
    if rs is not None and len(rs):
        last = rs.dropna(subset=["received_usd"]).tail(10)
        if len(last):
            bases = rs.attrs.get("bases", {})
            cols = [Column("year", "Year", "year"), Column("received_usd", "Received (US$ million)", "usd_m")]
            if last["paid_usd"].notna().any():
                cols.append(Column("paid_usd", "Paid (US$ million)", "usd_m"))
            cols.append(Column("received_pct_gdp", "Received (% of GDP)", "pct"))
            cap = f"Personal remittances: received and % of GDP, {bases.get('received_usd', rs.attrs.get('basis'))}"
            if "paid_usd" in [c.key for c in cols] and bases.get("paid_usd") != bases.get("received_usd"):
                cap += f"; paid, {bases.get('paid_usd')} (a different edition: compare with care)"
            parts.append(table(last, cols, cap + "."))
    ts = p.top_senders
    if ts is not None and len(ts):
        parts.append(table(ts, [Column("rank", "Rank", "year"), Column("name", "Sending country"),
                                Column("remittances_usd", "US$ million", "usd_m"),
                                Column("share_pct", "% of total", "pct")],
                           f"Where remittances come from: {ts.attrs['basis']}, {ts.attrs.get('year', '')} — model "
                           "estimates from migrant stocks and incomes, not reported flows."))
    return "".join(parts)


def refugee_table(p) -> str:
    """Refugees and asylum seekers, the last eight years of the UNHCR file (gaps shown as gaps)."""
    r = p.refugees
    if r is None or not len(r):
        return ""
    recent = r[r["year"] >= r["year"].max() - 7]
    cols = [Column("year", "Year", "year"), Column("refugees_from", "Refugees abroad", "count"),
            Column("asylum_seekers_from", "Asylum seekers abroad", "count"),
            Column("refugees_hosted", "Refugees hosted", "count"),
            Column("asylum_seekers_hosted", "Asylum seekers hosted", "count")]
    if "idps" in recent and recent["idps"].notna().any():
        cols.append(Column("idps", "Internally displaced", "count"))
    return table(recent, cols, f"Refugees and asylum seekers at the end of each year: {r.attrs.get('basis', '')}. "
                               f"{r.attrs.get('note', '')}")


def editions_table(p) -> str:
    """An explicit comparison: the same quantity in different sources and editions."""
    ed = p.editions
    if ed is None or not len(ed):
        return ""
    cols = [Column("quantity", "Quantity"), Column("source", "Source and edition"), Column("year", "Year", "year"),
            Column("value", "Persons", "count"), Column("share_of_population_pct", "% of population", "pct"),
            Column("rel_diff_vs_undesa_2024_pct", "Difference from UN DESA 2024 (%)", "rate")]
    return table(ed, cols, "Comparison of editions (not one series): " + ed.attrs.get("note", ""))


def data_notes(p) -> str:
    return ('<section class="ms-notes"><ul>' + "".join(f"<li>{_e(n)}</li>" for n in p.notes if n)
            + "</ul></section>")


def sources(p, prov: dict) -> str:
    """The sources cited, and every file of the data store with edition and SHA-256."""
    cited = "".join(f"<li>{_e(s)}</li>" for s in p.sources())
    rows = []
    for key, rec in sorted(prov["sources"].items(), key=lambda kv: kv[1]["publisher"]):
        third = "" if rec.get("official_bytes", True) else " (third-party conversion)"
        rows.append({"Source": f"{rec['publisher']}, {rec['title']}{third}", "Edition": rec["edition"],
                     "SHA-256": (rec.get("sha256") or "not pinned")[:16] + "…"})
    files = table(pd.DataFrame(rows), [Column("Source", "Source file"), Column("Edition", "Edition"),
                                       Column("SHA-256", "SHA-256 (first 16 hex digits)")],
                  f"Source files of the data store, built {prov['built_at'][:10]}.", css="ms-sources")
    return f'<section class="ms-sources"><p>Figures in this profile cite:</p><ul>{cited}</ul>{files}</section>'
