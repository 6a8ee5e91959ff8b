"""Charts of one country: migrant stocks over time, remittances, top corridors.

Each function returns a matplotlib :class:`~matplotlib.figure.Figure` (not registered
with pyplot) drawn in the house style (:mod:`migstats.style`) with three attributes:
``migstats_caption`` (source, title, edition), ``migstats_alt`` (one-line text
alternative) and ``migstats_data`` (the DataFrame that was plotted, from
:mod:`migstats.indicators`). A country without data gets a "No data" panel, never an
exception. Save with :func:`migstats.maps.save_figure`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import indicators, style
from .exceptions import DataNotAvailableError
from .narrative import place_name

__all__ = ["stock_trend_chart", "remittance_chart", "top_corridors_chart", "alt_text"]

alt_text = style.alt_text

_PERSONS = FuncFormatter(lambda v, _: f"{v:,.0f}")
_PERCENT = FuncFormatter(lambda v, _: f"{v:,.1f}%" if abs(v) < 10 else f"{v:,.0f}%")


def _usd(v, _=None) -> str:
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:,.1f} bn"
    if a >= 1e6:
        return f"{v / 1e6:,.0f} m"
    return f"{v:,.0f}"


def _figure(nrows, figsize, dpi, height_ratios=None, left: float = 1.2):
    """A figure with ``nrows`` stacked axes; :func:`_finish` fits them between title and caption.

    ``left``: inches kept for the y tick labels.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=figsize or style.CHART_SIZE, dpi=dpi or style.SCREEN_DPI)
    FigureCanvasAgg(fig)
    w, h = fig.get_size_inches()
    gs = fig.add_gridspec(nrows, 1, left=left / w, right=1 - 0.25 / w, top=1 - 1.1 / h, bottom=1.0 / h,
                          hspace=0.6, height_ratios=height_ratios)
    fig._migstats_gridspec = gs
    axes = [fig.add_subplot(gs[i]) for i in range(nrows)]
    return fig, axes


def _finish(fig, *, title, subtitle, caption, alt, data, legend_above: bool = True, xlabel: bool = False):
    """Title, caption and attributes; the axes are fitted between the title block and the caption.

    ``legend_above``: the top axes has a legend above it (0.45 in kept); ``xlabel``: the
    bottom axes has an x label (0.2 in more below it).
    """
    style.add_title(fig, title, subtitle)
    style.add_caption(fig, caption)
    w, h = fig.get_size_inches()
    gs = getattr(fig, "_migstats_gridspec", None)
    if gs is not None:
        top = style.title_height(w, title, subtitle) + (0.45 if legend_above else 0.1)
        bottom = style.caption_height(w, caption) + 0.35 + (0.22 if xlabel else 0.0)
        gs.update(top=1 - top / h, bottom=bottom / h)
    fig.migstats_alt = alt
    fig.migstats_data = data
    return fig


def _legend(ax):
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, borderaxespad=0.2, handlelength=2.4)


def _blank(ax):
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    ax.grid(False)


def stock_trend_chart(country, denominator: str = "population", *, data_dir=None, figsize=None,
                      dpi=None) -> Figure:
    """Immigrant and emigrant stocks, 1990-2024, and their shares.

    Top panel: immigrant stock (living in the country) and emigrant stock (born there,
    living abroad), persons, UN DESA 2024. Bottom panel: immigrants as % of the
    population and emigrants as % of ``denominator``, named in the label.

    Parameters
    ----------
    country : str or int
        Any input :func:`migstats.resolve` accepts.
    denominator : {"population", "residents_plus_emigrants"}
        Denominator of the emigrant share (:data:`migstats.indicators.DENOMINATORS`).
    figsize : (float, float), optional
        Inches (default :data:`migstats.style.CHART_SIZE`).
    dpi : float, optional
        Screen resolution (dots per inch).

    Returns
    -------
    matplotlib.figure.Figure
        ``migstats_data`` is :func:`migstats.indicators.trend`.
    """
    c = indicators.subject(country, data_dir=data_dir)  # a country, or a Group
    t = indicators.trend(c, denominator, data_dir=data_dir)
    share_col = f"emigrant_share_pct_of_{denominator}"
    emi_label = f"Emigrants as % of {indicators.DENOMINATORS[denominator]}"
    with style.context():
        fig, (top, bottom) = _figure(2, figsize, dpi, height_ratios=(3, 2))
        years = t["year"].to_numpy()
        if t[["immigrants", "emigrants"]].isna().all().all():
            for ax in (top, bottom):
                _blank(ax)
            style.no_data_panel(top, f"UN DESA publishes no migrant stocks for {place_name(c)}.")
            alt = f"No data: UN DESA publishes no migrant stocks for {place_name(c)}."
        else:
            top.plot(years, t["immigrants"].to_numpy(), label=f"Immigrants (living in {place_name(c)})",
                     gid="immigrants", **style.SERIES["immigrants"])
            top.plot(years, t["emigrants"].to_numpy(), label=f"Emigrants (born in {place_name(c)}, living abroad)",
                     gid="emigrants", **style.SERIES["emigrants"])
            top.yaxis.set_major_formatter(_PERSONS)
            top.set_ylabel("Persons")
            top.set_ylim(bottom=0)
            _legend(top)
            bottom.plot(years, t["immigrant_share_pct"].to_numpy(), label="Immigrants as % of population",
                        gid="immigrant_share", **style.SERIES["immigrants"])
            bottom.plot(years, t[share_col].to_numpy(), label=emi_label, gid="emigrant_share",
                        **style.SERIES["emigrants"])
            bottom.yaxis.set_major_formatter(_PERCENT)
            bottom.set_ylabel("Percent")
            bottom.set_ylim(bottom=0)
            _legend(bottom)
            for ax in (top, bottom):
                ax.set_xticks(list(indicators.EDITION_YEARS))
                ax.set_xlim(years.min() - 1, years.max() + 1)
            last = t.dropna(subset=["immigrants", "emigrants"], how="all").iloc[-1]
            alt = (f"Line chart of {place_name(c)}'s migrant stocks {int(years.min())}-{int(years.max())}: "
                   f"in {int(last['year'])} {style.thousands(last['immigrants']) if pd.notna(last['immigrants']) else 'no'} "
                   f"immigrants ({last['immigrant_share_pct']:.1f}% of population) and "
                   f"{style.thousands(last['emigrants']) if pd.notna(last['emigrants']) else 'no'} emigrants "
                   f"({last[share_col]:.1f}% of {indicators.DENOMINATORS[denominator]}).")
        cap = (f"Source: {t.attrs['source']}. Reference years {', '.join(map(str, indicators.EDITION_YEARS))}. "
               f"{emi_label}" + (" = emigrants / population x 100." if denominator == "population"
                                 else " = emigrants / (population + emigrants) x 100."))
        return _finish(fig, title=f"International migrants: {c.name}, 1990-2024",
                       subtitle="Immigrant and emigrant stocks (persons) and shares (%)",
                       caption=cap, alt=alt, data=t)


def remittance_chart(country, *, data_dir=None, figsize=None, dpi=None) -> Figure:
    """Personal remittances received and paid (current US$) and received as % of GDP.

    The % of GDP panel says whether the series is the published WDI indicator or computed
    here as received / GDP x 100 (two WDI vintages, named in the caption).

    Returns
    -------
    matplotlib.figure.Figure
        ``migstats_data`` is :func:`migstats.indicators.remittance_series`; a "No data"
        panel when the World Bank publishes no remittances for the area.
    """
    c = indicators.subject(country, data_dir=data_dir)  # a country, or a Group
    ts = indicators.remittance_series(c, data_dir=data_dir)
    with style.context():
        if ts.empty:
            fig, (ax,) = _figure(1, figsize or style.CHART_SIZE_WIDE, dpi)
            _blank(ax)
            msg = f"The World Bank publishes no personal remittances for {place_name(c)}."
            style.no_data_panel(ax, msg)
            return _finish(fig, title=f"Remittances: {c.name}", subtitle="No data",
                           caption=f"Source: {ts.attrs['source']}.", alt=f"No data: {msg}", data=ts,
                           legend_above=False)
        fig, (top, bottom) = _figure(2, figsize, dpi, height_ratios=(3, 2))
        years = ts["year"].to_numpy()
        top.plot(years, ts["received_usd"].to_numpy(), label="Received", gid="received", markevery=5,
                 **style.SERIES["received"])
        if ts["paid_usd"].notna().any():
            top.plot(years, ts["paid_usd"].to_numpy(), label="Paid", gid="paid", markevery=5,
                     **style.SERIES["paid"])
        top.yaxis.set_major_formatter(FuncFormatter(_usd))
        top.set_ylabel("Current US$")
        top.set_ylim(bottom=0)
        _legend(top)
        how = ts["pct_gdp_source"].iloc[0]
        kind = "published" if how.startswith("published") else "computed"
        if ts["received_pct_gdp"].notna().any():
            bottom.plot(years, ts["received_pct_gdp"].to_numpy(), gid="received_pct_gdp", markevery=5,
                        label=f"Received as % of GDP ({how})", **style.SERIES["share"])
            bottom.yaxis.set_major_formatter(_PERCENT)
            bottom.set_ylim(bottom=0)
            _legend(bottom)
        else:
            _blank(bottom)
            style.no_data_panel(bottom, f"No GDP for {place_name(c)}: % of GDP cannot be computed.")
        bottom.set_ylabel(f"% of GDP ({kind})")
        for ax in (top, bottom):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        rec = ts.dropna(subset=["received_usd"])
        pct = ts.dropna(subset=["received_pct_gdp"])
        alt = f"Line chart of personal remittances to {place_name(c)}, {int(years.min())}-{int(years.max())}"
        if len(rec):
            last = rec.iloc[-1]
            alt += f": US$ {_usd(last['received_usd'])} received in {int(last['year'])}"
        if len(pct):
            alt += (f"; {pct['received_pct_gdp'].iloc[-1]:.1f}% of GDP in {int(pct['year'].iloc[-1])} "
                    f"({kind})")
        alt += "."
        cap = f"Source: {ts.attrs['source']}. % of GDP: {how}."
        if ts.attrs.get("note"):
            cap += " " + ts.attrs["note"]
        return _finish(fig, title=f"Remittances: {c.name}",
                       subtitle="Personal remittances, current US$, and received as % of GDP",
                       caption=cap, alt=alt, data=ts)


def top_corridors_chart(country, year: int = 2024, direction: str = "emigrants", top_n: int = 10, *,
                        data_dir=None, figsize=None, dpi=None) -> Figure:
    """Horizontal bars of the top ``top_n`` destinations (or origins), with counts and shares.

    Bar lengths are persons; each bar is labelled ``"763,879 (50.8%)"`` (share of all
    emigrants or immigrants, unknown partner included).

    Returns
    -------
    matplotlib.figure.Figure
        ``migstats_data`` is :func:`migstats.indicators.corridors` (``top_n`` rows).
    """
    c = indicators.subject(country, data_dir=data_dir)  # a country, or a Group
    emi = direction == "emigrants"
    what = (f"Top {top_n} destinations of emigrants from {place_name(c)}" if emi
            else f"Top {top_n} origins of immigrants in {place_name(c)}")
    try:
        cor = indicators.corridors(c, year, direction, top_n, data_dir=data_dir)
        reason = ""
    except DataNotAvailableError as exc:
        cor, reason = pd.DataFrame(), str(exc)
    with style.context():
        h = (figsize or style.CHART_SIZE_WIDE)
        fig, (ax,) = _figure(1, h, dpi, left=1.9)
        ax.set_axisbelow(True)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        dyear = cor.attrs.get("year", year)
        src = cor.attrs.get("source", "no bilateral source in the store")
        if cor.empty:
            _blank(ax)
            msg = reason or (f"The bilateral data ({src}, {dyear}) record no "
                             f"{'emigrants from' if emi else 'immigrants in'} {place_name(c)}.")
            style.no_data_panel(ax, msg)
            return _finish(fig, title=f"{what}, {dyear}", subtitle="No data",
                           caption=f"Source: {src}, {dyear}.", alt=f"No data: {msg}", data=cor,
                           legend_above=False)
        names = cor["name"].to_numpy()[::-1]
        vals = cor["migrants"].to_numpy()[::-1]
        shares = cor["share_pct"].to_numpy()[::-1]
        bars = ax.barh(np.arange(len(vals)), vals, color=style.SERIES["bars"]["color"], height=0.7,
                       gid="corridors")
        ax.set_yticks(np.arange(len(vals)), labels=names)
        ax.xaxis.set_major_formatter(_PERSONS)
        ax.set_xlabel("Persons")
        ax.set_xlim(0, vals.max() * 1.3)
        for b, v, s in zip(bars, vals, shares):
            ax.text(b.get_width() + vals.max() * 0.01, b.get_y() + b.get_height() / 2,
                    f"{v:,.0f} ({s:.1f}%)", va="center", ha="left", fontsize=style.LABEL_SIZE)
        sub = (f"{cor['share_pct'].sum():.1f}% of {style.thousands(cor.attrs['total'])} "
               f"{'emigrants' if emi else 'immigrants'}")
        if dyear != year:
            sub += f"; from {cor.attrs['basis']}, {dyear} (see the data notes)"
        cap = (f"Source: {src}, {dyear}. Shares are of all {'emigrants' if emi else 'immigrants'}, "
               f"including {cor.attrs['unknown_share_pct']:.1f}% with unknown "
               f"{'destination' if emi else 'origin'}.")
        top3 = "; ".join(f"{n} {v:,.0f} ({s:.1f}%)" for n, v, s in
                         zip(cor["name"].head(3), cor["migrants"].head(3), cor["share_pct"].head(3)))
        alt = f"Bar chart of the {what.lower()[0]}{what[1:]} in {dyear} ({src}): {top3}."
        return _finish(fig, title=f"{what}, {dyear}", subtitle=sub, caption=cap, alt=alt, data=cor,
                       legend_above=False, xlabel=True)
