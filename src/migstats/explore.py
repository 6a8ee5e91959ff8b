"""An interactive explorer of one country's migration figures (ipywidgets).

``Explorer().show()`` in a notebook displays:

* a **searchable country picker** (:class:`ipywidgets.Combobox` over ``"Name (ISO3)"`` for
  the 235 countries and areas; anything :func:`migstats.resolve` accepts can be typed —
  a name, ISO3/ISO2 or M49 code). Input that does not resolve shows the resolver's
  "Did you mean …?" message in the widget instead of raising;
* a **reference-year** selector (:data:`migstats.indicators.EDITION_YEARS`, UN DESA
  International Migrant Stock 2024);
* an **indicator** choice for the world map (:data:`WORLD_INDICATORS`);
* an **emigrant-share denominator** toggle (:data:`migstats.indicators.DENOMINATORS`);
* outputs updated in place: the key-figures table
  (:func:`migstats.profiles.key_figures_table`), the stock trend chart, the diaspora map
  and the world map of the chosen indicator (the country outlined);
* a **side-by-side comparison** of the country with up to three more (a tags box: type a
  name and press Enter), one column per country, the same figures, year and basis
  (:data:`COMPARE_FIGURES`), and a **"Download this table (CSV)"** link: the compared
  figures as a tidy CSV with their units, years, bases and sources (UTF-8 with a byte-order
  mark, so spreadsheet programs read the names right);
* a **"Render full profile"** button that runs :func:`migstats.profiles.render_profile`
  (``<out>/<ISO3>/<year>/profile.html``) and shows the path and a link.

``migstats explore`` serves the same explorer as a dashboard (Voilà: widgets only, no code)
for people who do not write code; see :mod:`migstats.dashboard`.

All the work is done by plain methods — :meth:`Explorer.update_figures`,
:meth:`Explorer.update_world_map`, :meth:`Explorer.update_comparison`,
:meth:`Explorer.render_full_profile` — that record what they produced on the object
(``profile``, ``values``, ``key_figures``, ``comparison``, ``figures``, ``message``), so they
can be tested without a browser: set a widget's ``value`` and read
the attributes. Figures are shown as PNG in :class:`ipywidgets.Image` widgets (sizes and
resolution are parameters, so tests can keep them small).
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
from pathlib import Path

import pandas as pd

from . import charts, indicators, maps, profiles, style
from .countries import Country, country_table, resolve
from .exceptions import MigstatsError

__all__ = ["Explorer", "WORLD_INDICATORS", "COMPARE_FIGURES", "MAX_COMPARED", "country_options",
           "parse_country_option", "comparison_table", "comparison_csv"]

#: Indicators the world map can show (name accepted by
#: :func:`migstats.indicators.world_indicator` -> menu label).
WORLD_INDICATORS = {
    "immigrant_share": "Immigrants as % of population",
    "emigrant_share": "Emigrants as % of the chosen denominator",
    "immigrant_stock": "Immigrant stock (persons)",
    "emigrant_stock": "Emigrant stock (persons)",
    "remittances_pct_gdp": "Remittances received as % of GDP",
    "remittances_received": "Remittances received (current US$)",
}
_REMITTANCE_INDICATORS = ("remittances_pct_gdp", "remittances_received")
#: Figures compared side by side: name of the :class:`migstats.indicators.Figure` -> row label
#: (``"emigrant_share"`` is the share with the chosen denominator; the label names it). A figure
#: a profile does not have is "not available".
COMPARE_FIGURES = {
    "population": "Total population",
    "immigrant_stock": "International migrant stock",
    "immigrant_share": "International migrants as % of population",
    "female_share": "Women as % of international migrants",
    "emigrant_stock": "Emigrant stock (living abroad)",
    "emigrant_share": "Emigrants as % of {denominator}",
    "refugees_abroad": "Refugees from the country, abroad",
    "refugees_hosted": "Refugees hosted",
    "net_migration_rate": "Net migration rate",
    "remittances_received": "Personal remittances received",
    "remittances_pct_gdp": "Remittances received as % of GDP",
    "gdp_per_capita": "GDP per capita",
    "diaspora_top5_share": "Share of emigrants in the top 5 destinations",
}
#: At most this many countries side by side (the explorer's country and three more).
MAX_COMPARED = 4
_CSV_COLUMNS = ["country", "iso3", "indicator", "name", "value", "unit", "year", "basis", "source", "note"]
_OPTION = re.compile(r"^(?P<name>.+) \((?P<iso3>[A-Z]{3})\)$")


def country_options(*, data_dir=None) -> list[str]:
    """Menu entries ``"Name (ISO3)"`` for every country or area, sorted by name."""
    t = country_table(data_dir=data_dir)
    return sorted(f"{n} ({i})" for n, i in zip(t["name"], t["iso3"]))


def parse_country_option(text: str, *, data_dir=None) -> Country:
    """Resolve a picker entry: ``"Name (ISO3)"`` by its code, anything else with :func:`resolve`.

    Raises
    ------
    CountryNotFoundError, AmbiguousCountryError
        With the resolver's suggestions.
    """
    text = (text or "").strip()
    m = _OPTION.match(text)
    if m:
        try:
            return resolve(m["iso3"], data_dir=data_dir)
        except MigstatsError:
            pass  # "(XYZ)" was not a code after all: resolve the whole text
    return resolve(text, data_dir=data_dir)


def comparison_table(countries, year: int = indicators.LATEST, denominator: str = "population", *,
                     data_dir=None) -> pd.DataFrame:
    """The :data:`COMPARE_FIGURES` of several countries, one row per country and figure (tidy).

    Parameters
    ----------
    countries : list
        Countries or areas (anything :func:`migstats.resolve` accepts), in display order.
    year : int
        UN DESA reference year of the profiles.
    denominator : {"population", "residents_plus_emigrants"}
        Denominator of the emigrant share.

    Returns
    -------
    DataFrame
        Columns ``country``, ``iso3``, ``indicator`` (the row label of :data:`COMPARE_FIGURES`),
        ``name``, ``value`` (``NaN`` when
        not available), ``unit``, ``year`` (of the value; may be earlier than ``year`` for WDI
        and UNHCR figures), ``basis`` (publication and edition), ``source``, ``note``.
    """
    rows = []
    for country in countries:
        c = resolve(country, data_dir=data_dir) if not isinstance(country, Country) else country
        p = indicators.profile(c, int(year), denominator=denominator, data_dir=data_dir)
        for name, label in COMPARE_FIGURES.items():
            key = f"emigrant_share_{denominator}" if name == "emigrant_share" else name
            try:
                f = p.figure(key)
            except KeyError:
                continue
            label = label.format(denominator=indicators.DENOMINATORS[denominator])
            rows.append({"country": c.name, "iso3": c.iso3, "indicator": label, "name": name,
                         "value": float(f.value) if f.available else float("nan"), "unit": f.unit,
                         "year": pd.NA if f.year is None else int(f.year), "basis": f.basis,
                         "source": f.source, "note": f.note})
    out = pd.DataFrame(rows, columns=_CSV_COLUMNS)
    out["year"] = out["year"].astype("Int64")
    out.attrs.update(year=int(year), denominator=denominator)
    return out


def comparison_csv(table: pd.DataFrame) -> bytes:
    """The comparison table as CSV bytes: UTF-8 with a byte-order mark (spreadsheets read names
    such as "Türkiye" right), numbers unformatted, empty where not available."""
    return table.to_csv(index=False).encode("utf-8-sig")


def _comparison_html(table: pd.DataFrame, year: int) -> str:
    """One row per figure, one column per country; values formatted, the year added where it
    differs from the reference year, and the basis of each row."""
    from .narrative import format_value

    if table.empty:
        return ""
    countries = list(dict.fromkeys(zip(table["iso3"], table["country"])))
    head = "".join(f"<th>{html.escape(name)} ({iso3})</th>" for iso3, name in countries)
    body = []
    for name in dict.fromkeys(table["name"]):
        part = table[table["name"] == name].set_index("iso3")
        cells = []
        for iso3, _ in countries:
            if iso3 not in part.index or pd.isna(part.at[iso3, "value"]):
                cells.append('<td class="na">not available</td>')
                continue
            r = part.loc[iso3]
            y = r["year"]
            when = "" if pd.isna(y) or int(y) == int(year) else f" ({int(y)})"
            cells.append(f'<td class="v">{html.escape(format_value(r["value"], r["unit"]) + when)}</td>')
        bases = "; ".join(dict.fromkeys(b for b in part["basis"] if b))
        body.append(f"<tr><th>{html.escape(part['indicator'].iloc[0])}</th>{''.join(cells)}"
                    f"<td class=\"basis\">{html.escape(bases)}</td></tr>")
    return ("<style>.migstats-comparison-table td, .migstats-comparison-table th {text-align:left; padding:2px 8px}"
            ".migstats-comparison-table td.v, .migstats-comparison-table thead th {white-space:nowrap}"
            ".migstats-comparison-table td.na {color:#6b7280} .migstats-comparison-table td.basis {font-size:85%; color:#4b5563}"
            "</style>"
            f'<table class="migstats-comparison-table"><thead><tr><th>Indicator</th>{head}<th>Basis</th></tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _png(fig, dpi: float) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


class Explorer:
    """Widgets and update logic of the migration explorer.

    Parameters
    ----------
    country : str
        Initial country (any input :func:`migstats.resolve` accepts).
    year : int
        Initial UN DESA reference year (one of :data:`~migstats.indicators.EDITION_YEARS`).
    indicator : str
        Initial world-map indicator (a key of :data:`WORLD_INDICATORS`).
    denominator : {"population", "residents_plus_emigrants"}
        Initial denominator of the emigrant share.
    out : path
        Root folder of rendered profiles (``<out>/<ISO3>/<year>/``).
    top_n : int
        Corridors in the rendered profile's top lists.
    map_size, chart_size : (float, float), optional
        Figure sizes in inches (default :data:`migstats.style.MAP_SIZE_SMALL` scaled up
        for screens, :data:`migstats.style.CHART_SIZE_WIDE`).
    dpi : float
        Resolution of the PNGs shown in the widgets (dots per inch).
    draw : bool
        Rasterise the figures into the image widgets (``False`` builds the figures and
        their ``migstats_data`` only: for tests, where drawing is most of the cost).
    data_dir : path, optional
        Data root (default ``MIGSTATS_DATA_DIR`` or the checkout's ``data/``).

    Attributes
    ----------
    country : Country or None
        The country of the figures on display (kept when new input does not resolve).
    profile : migstats.indicators.Profile or None
        Every indicator for ``country``, ``year`` and ``denominator``.
    values : dict
        ``{figure name: value}`` of the profile (``NaN`` where not available).
    emigrant_share : migstats.indicators.Figure or None
        The emigrant share with the chosen denominator (its label names it).
    key_figures : DataFrame
        The table on display (:func:`migstats.profiles.key_figures_table`, one emigrant
        share row: the chosen denominator's).
    comparison : DataFrame
        The side-by-side table on display, tidy (:func:`comparison_table`): the country and
        the countries in the comparison box.
    comparison_csv : bytes
        What the "Download this table (CSV)" link downloads (:func:`comparison_csv`).
    figures : dict
        ``"trend"``, ``"diaspora_map"``, ``"world_map"`` -> matplotlib Figure (with
        ``migstats_data``, ``migstats_alt``, ``migstats_caption``).
    world_year : int or None
        Year of the world map (the latest year with data up to ``year`` for WDI indicators).
    message : str
        Text of the message line ("" when all is well).
    last_render : Path or None
        Folder of the last rendered profile.
    """

    def __init__(self, country: str = "Belarus", year: int = indicators.LATEST,
                 indicator: str = "immigrant_share", denominator: str = "population", *,
                 out: str | os.PathLike = "reports", top_n: int = 10,
                 map_size: tuple[float, float] | None = None,
                 chart_size: tuple[float, float] | None = None, dpi: float = style.SCREEN_DPI,
                 draw: bool = True, data_dir=None) -> None:
        import ipywidgets as w

        if indicator not in WORLD_INDICATORS:
            raise ValueError(f"indicator must be one of {list(WORLD_INDICATORS)}, not {indicator!r}")
        if denominator not in indicators.DENOMINATORS:
            raise ValueError(f"denominator must be one of {list(indicators.DENOMINATORS)}, "
                             f"not {denominator!r}")
        if int(year) not in indicators.EDITION_YEARS:
            raise ValueError(f"year must be one of {indicators.EDITION_YEARS}, not {year!r}")
        self.data_dir = data_dir
        self.out = Path(out)
        self.top_n = top_n
        self.map_size = map_size or (8.0, 4.1)
        self.chart_size = chart_size or style.CHART_SIZE_WIDE
        self.dpi = dpi
        self.draw = draw
        self.country: Country | None = None
        self.profile = None
        self.values: dict[str, float] = {}
        self.emigrant_share = None
        self.key_figures = pd.DataFrame()
        self.comparison = pd.DataFrame(columns=_CSV_COLUMNS)
        self.comparison_csv = b""
        self.figures: dict = {}
        self.world_year: int | None = None
        self.message = ""
        self.last_render: Path | None = None

        options = country_options(data_dir=data_dir)
        first = resolve(country, data_dir=data_dir)
        self.country_box = w.Combobox(
            value=f"{first.name} ({first.iso3})", options=options, ensure_option=False,
            continuous_update=False, placeholder="Type a country, ISO3 or M49 code",
            description="Country", layout=w.Layout(width="360px"))
        self.year_box = w.Dropdown(options=list(indicators.EDITION_YEARS), value=int(year),
                                   description="Year", layout=w.Layout(width="160px"))
        self.indicator_box = w.Dropdown(options=[(v, k) for k, v in WORLD_INDICATORS.items()],
                                        value=indicator, description="World map",
                                        layout=w.Layout(width="420px"))
        self.denominator_box = w.ToggleButtons(
            options=[(f"% of {v}", k) for k, v in indicators.DENOMINATORS.items()],
            value=denominator, description="Emigrant share", style={"button_width": "230px"})
        self.compare_box = w.TagsInput(value=[], allowed_tags=options, allow_duplicates=False,
                                       placeholder="add a country", layout=w.Layout(width="100%"))
        self.comparison_box = w.HTML()
        self.download_link = w.HTML()
        self.render_button = w.Button(description="Render full profile", icon="file",
                                      button_style="primary", layout=w.Layout(width="200px"))
        self.message_box = w.HTML()
        self.headline = w.HTML()
        self.key_figures_box = w.HTML(layout=w.Layout(width="46%"))
        self.trend_image = w.Image(format="png", layout=w.Layout(width="52%", height="auto"))
        self.diaspora_image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.world_image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.render_output = w.HTML()

        # CSS classes name each part of the page (for styling, and for tests driving a browser)
        for widget, name in ((self.country_box, "country"), (self.year_box, "year"),
                             (self.indicator_box, "indicator"), (self.denominator_box, "denominator"),
                             (self.message_box, "message"), (self.headline, "headline"),
                             (self.key_figures_box, "key-figures"), (self.trend_image, "trend"),
                             (self.diaspora_image, "diaspora-map"), (self.world_image, "world-map"),
                             (self.compare_box, "compare"), (self.comparison_box, "comparison"),
                             (self.download_link, "download"), (self.render_button, "render"),
                             (self.render_output, "render-output")):
            widget.add_class(f"migstats-{name}")

        self.country_box.observe(self._on_country, names="value")
        self.year_box.observe(self._on_year, names="value")
        self.denominator_box.observe(self._on_denominator, names="value")
        self.indicator_box.observe(self._on_indicator, names="value")
        self.compare_box.observe(self._on_compare, names="value")
        self.render_button.on_click(self._on_render)

        self.widget = w.VBox([
            w.HBox([self.country_box, self.year_box]),
            w.HBox([self.denominator_box]),
            self.message_box,
            self.headline,
            w.HBox([self.key_figures_box, self.trend_image], layout=w.Layout(align_items="flex-start")),
            w.HTML(f"<b>Compare side by side</b> (add up to {MAX_COMPARED - 1} countries: type a name, "
                   "choose it from the list and press Enter)"),
            self.compare_box, self.comparison_box, self.download_link,
            w.HTML("<b>Where emigrants live</b>"), self.diaspora_image,
            self.indicator_box, self.world_image,
            w.HBox([self.render_button, self.render_output]),
        ])
        self.update()

    # -- state from the widgets ---------------------------------------------------------------
    @property
    def year(self) -> int:
        return int(self.year_box.value)

    @property
    def denominator(self) -> str:
        return str(self.denominator_box.value)

    @property
    def indicator(self) -> str:
        return str(self.indicator_box.value)

    def _set_message(self, text: str, kind: str = "warning") -> None:
        self.message = text
        colour = {"warning": "#9a3412", "info": "#1e3a8a"}.get(kind, "#000")
        self.message_box.value = (f'<div style="color:{colour}">{html.escape(text)}</div>'
                                  if text else "")

    def resolve_country(self) -> Country | None:
        """The country typed in the picker, or ``None`` with the reason in :attr:`message`."""
        text = self.country_box.value
        if not (text or "").strip():
            self._set_message("Type a country or area: a name, ISO3/ISO2 code or M49 code.", "info")
            return None
        try:
            c = parse_country_option(text, data_dir=self.data_dir)
        except MigstatsError as exc:
            shown = f" Still showing {self.country.name}." if self.country is not None else ""
            self._set_message(f"{exc}{shown}")
            return None
        self._set_message("")
        return c

    # -- updates (pure: no browser needed) ------------------------------------------------------
    def update_figures(self) -> dict | None:
        """Recompute the profile, key figures, trend chart and diaspora map for the picker's state.

        Returns
        -------
        dict or None
            ``{"country", "year", "denominator", "values", "key_figures", "figures"}``
            (also kept as attributes); ``None`` when the input does not resolve (the
            message says why and the previous figures stay on display).
        """
        c = self.resolve_country()
        if c is None:
            return None
        self.country = c
        p = indicators.profile(c, self.year, top_n=self.top_n, denominator=self.denominator,
                               data_dir=self.data_dir)
        self.profile = p
        self.values = {f.name: f.value for f in p.figures}
        self.emigrant_share = p.figure(f"emigrant_share_{self.denominator}")
        other = [k for k in indicators.DENOMINATORS if k != self.denominator]
        table = profiles.key_figures_table(p)
        self.key_figures = table[~table["name"].isin([f"emigrant_share_{k}" for k in other])].reset_index(drop=True)
        self.key_figures_box.value = (
            "<style>.migstats-explore td, .migstats-explore th {text-align:left; padding:2px 8px}</style>"
            + self.key_figures.drop(columns="name").to_html(index=False, border=0, escape=True,
                                                            classes="migstats-explore"))
        imm, emi = p.figure("immigrant_share"), self.emigrant_share
        self.headline.value = (
            f"<h3>{html.escape(c.name)} ({c.iso3}), {self.year}</h3>"
            f"<p>{html.escape(imm.label)}: <b>{self._fmt(imm)}</b> &middot; "
            f"{html.escape(emi.label)}: <b>{self._fmt(emi)}</b></p>")
        trend = charts.stock_trend_chart(c, denominator=self.denominator, data_dir=self.data_dir,
                                         figsize=self.chart_size, dpi=self.dpi)
        diaspora = maps.diaspora_map(c, self.year, data_dir=self.data_dir, figsize=self.map_size,
                                     dpi=self.dpi)
        self.figures.update(trend=trend, diaspora_map=diaspora)
        if self.draw:
            self.trend_image.value = _png(trend, self.dpi)
            self.diaspora_image.value = _png(diaspora, self.dpi)
        self.update_comparison()
        return {"country": c, "year": self.year, "denominator": self.denominator,
                "values": self.values, "key_figures": self.key_figures,
                "figures": {k: self.figures[k] for k in ("trend", "diaspora_map")}}

    @staticmethod
    def _fmt(f) -> str:
        from .narrative import format_value

        return format_value(f.value, f.unit) + ("" if f.available else f" ({f.note})")

    def compared_countries(self) -> list[Country]:
        """The country on display, then those of the comparison box (at most :data:`MAX_COMPARED`)."""
        out = [self.country] if self.country is not None else []
        for text in self.compare_box.value:
            try:
                c = parse_country_option(text, data_dir=self.data_dir)
            except MigstatsError:
                continue  # the box only accepts menu entries; anything else is ignored
            if all(c.iso3 != o.iso3 for o in out):
                out.append(c)
        return out[:MAX_COMPARED]

    def update_comparison(self) -> pd.DataFrame:
        """Recompute the side-by-side table and its CSV download for the countries compared.

        Returns the tidy table (also :attr:`comparison`; its CSV in :attr:`comparison_csv`).
        """
        countries = self.compared_countries()
        table = comparison_table(countries, self.year, self.denominator, data_dir=self.data_dir)
        self.comparison = table
        self.comparison_csv = comparison_csv(table)
        self.comparison_box.value = _comparison_html(table, self.year)
        name = "_".join(c.iso3 for c in countries) or "none"
        payload = base64.b64encode(self.comparison_csv).decode("ascii")
        self.download_link.value = (
            f'<a download="migstats_{name}_{self.year}.csv" href="data:text/csv;charset=utf-8;base64,{payload}" '
            'style="color:#1d4ed8; text-decoration:underline">Download this table (CSV)</a> '
            '<span style="color:#4b5563">— numbers with unit, year, basis and source</span>')
        return table

    def world_map_year(self, indicator: str | None = None) -> int:
        """Year of the world map: the reference year, or for WDI indicators the latest year
        up to it with any value (GDP ends a year before the remittance series)."""
        indicator = indicator or self.indicator
        if indicator not in _REMITTANCE_INDICATORS:
            return self.year
        for y in range(self.year, self.year - 30, -1):
            s = indicators.world_indicator(indicator, y, data_dir=self.data_dir)
            if s.notna().any():
                return y
        return self.year

    def update_world_map(self) -> object:
        """Redraw the world map of the chosen indicator (the current country outlined).

        Returns the matplotlib Figure (also ``figures["world_map"]``).
        """
        self.world_year = self.world_map_year()
        fig = maps.world_map(self.indicator, self.world_year, denominator=self.denominator,
                             highlight=self.country.iso3 if self.country is not None else None,
                             data_dir=self.data_dir, figsize=self.map_size, dpi=self.dpi)
        self.figures["world_map"] = fig
        if self.draw:
            self.world_image.value = _png(fig, self.dpi)
        return fig

    def update(self) -> None:
        """Update every output (figures for the country, then the world map)."""
        if self.update_figures() is not None or "world_map" not in self.figures:
            self.update_world_map()

    def render_full_profile(self) -> Path | None:
        """Render the full profile of the current country and year (HTML) and show a link.

        Calls :func:`migstats.profiles.render_profile` (papermill + nbconvert, a few
        seconds). Returns the profile folder, or ``None`` (with a message) on failure.
        """
        c = self.resolve_country() or self.country
        if c is None:
            return None
        self.render_button.disabled = True
        self.render_output.value = f"Rendering the profile of {html.escape(c.name)}…"
        try:
            folder = profiles.render_profile(c.iso3, self.year, top_n=self.top_n,
                                             denominator=self.denominator, out=self.out,
                                             formats=("html",), data_dir=self.data_dir)
        except MigstatsError as exc:
            self.render_output.value = ""
            self._set_message(f"The profile could not be rendered: {exc}")
            return None
        finally:
            self.render_button.disabled = False
        self.last_render = Path(folder)
        page = self.last_render / "profile.html"
        try:
            href = os.path.relpath(page, Path.cwd())
        except ValueError:  # another drive (Windows)
            href = page.resolve().as_uri()
        if href.startswith(".."):
            href = page.resolve().as_uri()
        self.render_output.value = (f'Profile written to <code>{html.escape(str(page))}</code> — '
                                    f'<a href="{html.escape(href)}" target="_blank">open</a>')
        return self.last_render

    # -- widget callbacks ------------------------------------------------------------------------
    def _on_country(self, change) -> None:
        if self.update_figures() is not None:
            self.update_world_map()

    def _on_year(self, change) -> None:
        self.update()

    def _on_denominator(self, change) -> None:
        if self.update_figures() is not None and self.indicator == "emigrant_share":
            self.update_world_map()

    def _on_indicator(self, change) -> None:
        self.update_world_map()

    def _on_compare(self, change) -> None:
        tags = list(change["new"])
        if len(tags) > MAX_COMPARED - 1:
            self._set_message(f"At most {MAX_COMPARED} countries side by side: remove one to add another.", "info")
            self.compare_box.value = tags[:MAX_COMPARED - 1]  # calls back with the shorter list
            return
        self.update_comparison()

    def _on_render(self, button) -> None:
        try:
            self.render_full_profile()
        except Exception as exc:  # a failed execution must not break the widget
            self.render_output.value = ""
            self._set_message(f"The profile could not be rendered: {type(exc).__name__}: {exc}")

    # -- display ---------------------------------------------------------------------------------
    def show(self) -> None:
        """Display the explorer in a notebook."""
        from IPython.display import display

        display(self.widget)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
