"""Every migration indicator, defined once.

Each function takes a country or area in any form :func:`migstats.resolve` accepts and
returns :class:`Figure` objects (value, unit, year, source, note) or tidy DataFrames
whose ``attrs`` name the source and edition. A figure that the data cannot give is an
explicit ``NaN`` with the reason in ``note`` — never a zero, never an exception.

Definitions (UN DESA International Migrant Stock 2024 unless stated):

* **immigrant stock** — international migrants living in the area at mid-year
  (foreign-born, or foreign citizens where the data type is C; refugees added where
  the type code has R), Table 1 by destination. Persons.
* **immigrant share** — immigrant stock / total population x 100 (Table 2, WPP 2024).
  The publisher prints the same ratio in Table 3; tests check they agree.
* **female share of immigrants** — female immigrants / all immigrants x 100.
* **average annual growth** — ``100 * ln(S_t1 / S_t0) / (t1 - t0)`` (UN DESA's
  exponential rate of change, Table 5). Percent per year.
* **emigrant stock** — people born in (or citizens of) the area living in any other
  country, by-origin Table 1. Persons.
* **emigrant share** — emigrant stock over a *named* denominator:
  ``"population"`` (emigrants / resident population x 100; the Global Migration Data
  Portal and World Bank Factbook convention) or ``"residents_plus_emigrants"``
  (emigrants / (population + emigrants) x 100; the emigration rate of the brain-drain
  literature).
* **corridors** — bilateral stocks from the best bilateral source for the year asked
  (UN DESA 2024 origin x destination when cached, else UN DESA 2019 for 1990-2019, else
  World Bank/KNOMAD 2017/2021), with shares of the total; the unknown/"Other" part is
  reported, not hidden.
* **diaspora concentration** — Herfindahl-Hirschman index of the destination shares
  (sum of squared fractions, 0-1) and the top-5 share.
* **remittances received / paid** — WDI BX.TRF.PWKR.CD.DT / BM.TRF.PWKR.CD.DT, current US$;
  **% of GDP** — WDI BX.TRF.PWKR.DT.GD.ZS when cached, else received / GDP
  (NY.GDP.MKTP.CD) x 100, labelled *computed* with both vintages; **per emigrant** —
  received / emigrant stock, US$ per emigrant.
* **refugees** — UNHCR refugees and asylum seekers by origin (from the area) and by
  country of asylum (hosted), persons.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from . import store
from .countries import Country, resolve
from .exceptions import DataNotAvailableError
from .registry import SOURCES
from .schemas import OTHER_CODE

__all__ = [
    "Figure", "Profile", "DENOMINATORS", "EDITION_YEARS", "edition_years",
    "immigrant_stock", "population", "immigrant_share", "female_share", "growth_rate",
    "emigrant_stock", "emigrant_share", "immigration", "emigration", "corridors",
    "bilateral_sources", "diaspora_concentration", "corridor_change", "refugees",
    "remittances", "remittance_series", "top_remittance_senders", "context",
    "edition_comparison", "trend", "profile", "world_indicator", "GroupProfile", "group_profile",
    "subject",
]

#: Denominators of the emigrant share; the name appears in every label.
DENOMINATORS = {
    "population": "resident population",
    "residents_plus_emigrants": "residents plus emigrants",
}
#: Reference years of UN DESA International Migrant Stock 2024.
EDITION_YEARS = (1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024)
LATEST = 2024

_WDI_RECEIVED = "BX.TRF.PWKR.CD.DT"
_WDI_PAID = "BM.TRF.PWKR.CD.DT"
_WDI_PCT_GDP = "BX.TRF.PWKR.DT.GD.ZS"
_WDI_GDP = "NY.GDP.MKTP.CD"


def _cite(key: str, detail: str = "") -> str:
    text = SOURCES[key].short_citation()
    return f"{text}, {detail}" if detail else text


_DEST = _cite("undesa_2024_destination", "Table 1")
_POP = _cite("undesa_2024_destination", "Table 2 (WPP 2024)")
_ORIG = _cite("undesa_2024_origin", "Table 1")


@dataclass(frozen=True)
class Figure:
    """One number with everything needed to quote it.

    Attributes
    ----------
    name : str
        Machine name, e.g. ``"emigrant_share"``.
    label : str
        Human label (names the denominator for shares).
    value : float
        The figure; ``NaN`` when not available (see ``note``).
    unit : str
        ``"persons"``, ``"percent"``, ``"percent per year"``, ``"current US$"`` …
    year : int or None
        Reference year of the value.
    source : str
        Publisher, title, edition and table.
    note : str
        Why the value is missing, or how it was computed.
    """

    name: str
    label: str
    value: float
    unit: str
    year: int | None
    source: str
    note: str = ""

    @property
    def available(self) -> bool:
        return self.value is not None and not (isinstance(self.value, float) and math.isnan(self.value))

    def to_dict(self) -> dict:
        d = asdict(self)
        d["value"] = None if not self.available else float(self.value)
        return d


def _missing(name, label, unit, year, source, reason) -> Figure:
    return Figure(name, label, float("nan"), unit, year, source, reason)


# -- indexed access to the store (built once per build id) --------------------------------------
class _Data:
    """Store tables re-indexed for fast per-country lookups."""

    def __init__(self, data_dir=None):
        self.data_dir = data_dir
        self.build_id = store.build_id(data_dir)
        prov = store.provenance(data_dir)
        self.tables = set(prov["tables"])

        def wide(table, value, edition=LATEST):
            df = store.load(table, data_dir)
            df = df[df["edition"] == edition]
            return df.pivot_table(index="location_code", columns=["sex", "year"], values=value,
                                  aggfunc="first", dropna=False)

        self.dest = wide("destination_stock", "migrant_stock")
        self.dest_agg = wide("destination_stock_aggregates", "migrant_stock")
        self.pop = wide("population", "population")
        self.orig = wide("origin_stock", "emigrant_stock")
        self.orig_agg = wide("origin_stock_aggregates", "emigrant_stock")
        self.dest_by_edition = store.load("destination_stock", data_dir)
        self.pop_by_edition = store.load("population", data_dir)
        notes = store.load("destination_notes", data_dir)
        self.notes = notes[notes["edition"] == LATEST].set_index("location_code")
        pub = store.load("destination_published", data_dir)
        self.published = pub[pub["edition"] == LATEST]
        self.bilateral = store.load("bilateral_stock", data_dir) if "bilateral_stock" in self.tables else None
        self.bilateral_rem = (store.load("bilateral_remittances", data_dir)
                              if "bilateral_remittances" in self.tables else None)
        w = store.load("wdi", data_dir)
        self.wdi = {ind: g.dropna(subset=["location_code"]).pivot_table(
            index="location_code", columns="year", values="value", aggfunc="first")
            for ind, g in w.groupby("indicator")}
        self.wdi_vintage = {ind: g["vintage"].iloc[0] for ind, g in w.groupby("indicator")}
        # registry key of the file each WDI indicator comes from (one per indicator), for citations
        self.wdi_dataset = {ind: g["dataset"].iloc[0] for ind, g in w.groupby("indicator")}
        self.unhcr = store.load("unhcr_refugees", data_dir) if "unhcr_refugees" in self.tables else None
        self.unhcr_dataset = self.unhcr["dataset"].iloc[0] if self.unhcr is not None else "unhcr_population"
        self.countries = store.load("countries", data_dir).set_index("location_code")
        self.names = self.countries[["iso3", "short_name"]]
        if self.bilateral is not None:
            self.bilateral_groups = {
                key: g for key, g in self.bilateral[self.bilateral["sex"] == "both"].groupby(
                    ["dataset", "year"])}
        else:
            self.bilateral_groups = {}
        # per-country lookups, so that a profile does no scans of whole tables
        self.pop_by_key = _by_key(self.pop_by_edition, "population")
        self.dest_by_key = _by_key(self.dest_by_edition, "migrant_stock")
        self.unhcr_from, self.unhcr_hosted, self.unhcr_years = {}, {}, []
        if self.unhcr is not None:
            u = self.unhcr
            self.unhcr_years = sorted(int(y) for y in set(u["year"]))
            # a pair within one area is not a refugee flow; an unknown (or stateless) origin or
            # asylum country is abroad
            abroad = (u["origin_code"] != u["asylum_code"]).fillna(True).astype(bool)
            for side, out in (("origin_code", self.unhcr_from), ("asylum_code", self.unhcr_hosted)):
                part = u[abroad & u[side].notna()]
                sums = part.groupby([side, "year"])[["refugees", "asylum_seekers"]].sum(min_count=1)
                # code -> (refugees, asylum seekers) for every UNHCR year; no row counts as 0
                wide = {col: sums[col].unstack("year").reindex(columns=self.unhcr_years).fillna(0.0)
                        for col in ("refugees", "asylum_seekers")}
                for i, code in enumerate(wide["refugees"].index):
                    out[int(code)] = (wide["refugees"].to_numpy("float64")[i],
                                      wide["asylum_seekers"].to_numpy("float64")[i])
        self.rem_latest = None
        self._rem_sums = None  # (receiving_code, sending_code) -> US$, latest matrix
        self._rem_by_receiver: dict[int, tuple[float, pd.Series]] = {}
        if self.bilateral_rem is not None:
            self.rem_latest = self.bilateral_rem["edition"].max()
            r = self.bilateral_rem[self.bilateral_rem["edition"] == self.rem_latest]
            self._rem_sums = r.groupby(["receiving_code", "sending_code"])["remittances_usd"].sum()
            self._rem_receivers = set(self._rem_sums.index.get_level_values(0).astype(int))
        self._partners: dict[tuple, dict] = {}
        self._remittance_series: dict[int, pd.DataFrame] = {}
        # {id(wide table): {(location_code, sex, year): value}} for _cell (NaN cells left out)
        self.cells = {id(w): _cell_dict(w) for w in (self.dest, self.dest_agg, self.pop, self.orig, self.orig_agg)}

    def remittance_senders(self, code: int) -> tuple[float, pd.Series]:
        """Total received by ``code`` and its senders, largest first (latest bilateral matrix).

        The senders exclude zero flows and the "other" row; the total includes them.
        """
        code = int(code)
        if code not in self._rem_by_receiver:
            if self._rem_sums is None or code not in self._rem_receivers:
                return 0.0, pd.Series(dtype="float64")
            s = self._rem_sums.xs(code, level=0)
            self._rem_by_receiver[code] = (float(s.sum()), s[(s > 0) & (s.index != OTHER_CODE)]
                                           .sort_values(ascending=False))
        return self._rem_by_receiver[code]

    def partners(self, dataset: str, year: int, direction: str, code: int) -> tuple[np.ndarray, np.ndarray]:
        """Partner codes and stocks of ``code`` in one bilateral dataset-year (emigrants: by destination)."""
        key = (dataset, year, direction)
        if key not in self._partners:
            g = self.bilateral_groups[(dataset, year)]
            own, other = (("origin_code", "destination_code") if direction == "emigrants"
                          else ("destination_code", "origin_code"))
            sums = g.groupby([own, other])["migrant_stock"].sum()  # sorted by own, then other
            owners = sums.index.get_level_values(0).to_numpy()
            others = sums.index.get_level_values(1).to_numpy()
            values = sums.to_numpy()
            codes, starts = np.unique(owners, return_index=True)
            ends = np.append(starts[1:], len(owners))
            self._partners[key] = {int(k): (others[a:b], values[a:b]) for k, a, b in zip(codes, starts, ends)}
        empty = (np.array([], dtype="int32"), np.array([], dtype="float64"))
        return self._partners[key].get(int(code), empty)


def _cell_dict(wide: pd.DataFrame) -> dict[tuple[int, str, int], float]:
    """``{(location_code, sex, year): value}`` of a wide table (index location_code, columns
    (sex, year)), NaN cells left out."""
    values = wide.to_numpy("float64")
    rows, cols = np.nonzero(~np.isnan(values))
    codes = wide.index.to_numpy()[rows].astype("int64").tolist()
    sexes = wide.columns.get_level_values(0).to_numpy()[cols].tolist()
    years = wide.columns.get_level_values(1).to_numpy()[cols].astype("int64").tolist()
    return dict(zip(zip(codes, sexes, years), values[rows, cols].tolist()))


def _by_key(df: pd.DataFrame, value: str) -> dict[tuple[int, int, int], float]:
    """``{(edition, location_code, year): value}`` for both sexes."""
    b = df[df["sex"] == "both"]
    return dict(zip(zip(b["edition"].astype(int), b["location_code"].astype(int), b["year"].astype(int)),
                    b[value].astype("float64")))


_DATA: dict[str, _Data] = {}


def _data(data_dir=None) -> _Data:
    bid = store.build_id(data_dir)
    key = f"{data_dir}:{bid}"
    if key not in _DATA:
        _DATA.clear()
        _DATA[key] = _Data(data_dir)
    return _DATA[key]


def _country(country, data_dir=None) -> Country:
    return country if isinstance(country, Country) else resolve(country, data_dir=data_dir)


def subject(country_or_group, *, data_dir=None):
    """A :class:`~migstats.countries.Country`, or the :class:`~migstats.groups.Group` given.

    Functions that accept groups (:func:`corridors`, :func:`trend`, :func:`remittance_series`)
    and the figures built on them use this to treat both alike.
    """
    from .groups import Group

    if isinstance(country_or_group, Group):
        return country_or_group
    return _country(country_or_group, data_dir)


def _is_group(x) -> bool:
    from .groups import Group

    return isinstance(x, Group)


def edition_years() -> tuple[int, ...]:
    """Reference years of the UN DESA 2024 edition (1990 ... 2024)."""
    return EDITION_YEARS


def _check_year(year: int) -> int:
    if int(year) not in EDITION_YEARS:
        raise DataNotAvailableError(
            f"Year {year} is not a UN DESA International Migrant Stock 2024 reference year; "
            f"use one of {', '.join(map(str, EDITION_YEARS))}."
        )
    return int(year)


def _cell(wide: pd.DataFrame, code: int, year: int, sex: str = "both") -> float:
    for data in _DATA.values():  # the live store's wide tables have a dict lookup
        cells = data.cells.get(id(wide))
        if cells is not None:
            return cells.get((code, sex, year), float("nan"))
    try:
        v = wide.at[code, (sex, year)]
    except KeyError:
        return float("nan")
    return float(v) if pd.notna(v) else float("nan")


# -- immigration ---------------------------------------------------------------------------------
def immigrant_stock(country, year: int = LATEST, sex: str = "both", *, data_dir=None) -> Figure:
    """International migrant stock living in ``country`` (persons; UN DESA 2024 Table 1)."""
    c, d = _country(country, data_dir), _data(data_dir)
    year = _check_year(year)
    v = _cell(d.dest, c.location_code, year, sex)
    label = "International migrant stock" + ("" if sex == "both" else f" ({sex})")
    if math.isnan(v):
        return _missing("immigrant_stock", label, "persons", year, _DEST,
                        f"UN DESA publishes no migrant stock for {c.name} in {year}.")
    note = ""
    if c.location_code in d.notes.index:
        dt = d.notes.at[c.location_code, "data_type"]
        if isinstance(dt, str) and dt:
            note = f"Data type {dt}: " + _data_type_text(dt)
    return Figure("immigrant_stock" if sex == "both" else f"immigrant_stock_{sex}", label, v,
                  "persons", year, _DEST, note)


def _data_type_text(code: str) -> str:
    parts = code.split()
    words = {"B": "foreign-born population", "C": "foreign citizens", "I": "imputed (no data)",
             "R": "refugees and asylum seekers added"}
    return "; ".join(words.get(p, p) for p in parts) + "."


def population(country, year: int = LATEST, *, data_dir=None) -> Figure:
    """Total population (persons; UN DESA 2024 Table 2, based on WPP 2024)."""
    c, d = _country(country, data_dir), _data(data_dir)
    year = _check_year(year)
    v = _cell(d.pop, c.location_code, year)
    if math.isnan(v):
        return _missing("population", "Total population", "persons", year, _POP,
                        f"No population for {c.name} in {year}.")
    return Figure("population", "Total population", v, "persons", year, _POP)


def immigrant_share(country, year: int = LATEST, *, data_dir=None) -> Figure:
    """Immigrants as % of the total population: stock / population x 100."""
    s, p = immigrant_stock(country, year, data_dir=data_dir), population(country, year, data_dir=data_dir)
    label = "International migrants as % of population"
    if not (s.available and p.available) or p.value == 0:
        return _missing("immigrant_share", label, "percent", year, _DEST,
                        s.note if not s.available else p.note)
    return Figure("immigrant_share", label, 100 * s.value / p.value, "percent", year,
                  f"{_DEST}; {_POP}", "migrant stock / total population x 100")


def female_share(country, year: int = LATEST, *, data_dir=None) -> Figure:
    """Female immigrants as % of all immigrants."""
    f = immigrant_stock(country, year, "female", data_dir=data_dir)
    b = immigrant_stock(country, year, data_dir=data_dir)
    label = "Women as % of international migrants"
    if not (f.available and b.available) or b.value == 0:
        return _missing("female_share", label, "percent", year, _DEST, "No migrant stock by sex.")
    return Figure("female_share", label, 100 * f.value / b.value, "percent", year, _DEST)


def growth_rate(start_value: float, end_value: float, start_year: int, end_year: int) -> float:
    """Average annual rate of change, ``100 * ln(end / start) / (end_year - start_year)`` (% per year).

    This is UN DESA's definition (Table 5). ``NaN`` when either value is missing or not positive.
    """
    if not (start_value > 0 and end_value > 0) or end_year == start_year:
        return float("nan")
    return 100.0 * math.log(end_value / start_value) / (end_year - start_year)


def _changes(name, label, wide, code, year, source) -> list[Figure]:
    out = []
    idx = EDITION_YEARS.index(year)
    for base in sorted({1990, EDITION_YEARS[idx - 1] if idx > 0 else None} - {None, year}):
        v0, v1 = _cell(wide, code, base), _cell(wide, code, year)
        ok = not (math.isnan(v0) or math.isnan(v1))
        out.append(Figure(f"{name}_change_since_{base}", f"{label}: change {base}-{year}",
                          v1 - v0 if ok else float("nan"), "persons", year, source,
                          "" if ok else f"no value for {base} or {year}"))
        out.append(Figure(f"{name}_growth_since_{base}",
                          f"{label}: average annual growth {base}-{year}",
                          growth_rate(v0, v1, base, year) if ok else float("nan"),
                          "percent per year", year, source,
                          "100 x ln(S1/S0) / years" if ok else f"no value for {base} or {year}"))
    return out


def immigration(country, year: int = LATEST, *, data_dir=None) -> list[Figure]:
    """Immigration figures: stock by sex, share of population, female share, changes."""
    c, d = _country(country, data_dir), _data(data_dir)
    year = _check_year(year)
    figs = [immigrant_stock(c, year, data_dir=data_dir),
            immigrant_stock(c, year, "female", data_dir=data_dir),
            immigrant_stock(c, year, "male", data_dir=data_dir),
            immigrant_share(c, year, data_dir=data_dir), female_share(c, year, data_dir=data_dir)]
    refugees_in = bool(d.notes.at[c.location_code, "refugees_included"]) if c.location_code in d.notes.index else False
    figs.append(Figure("refugees_included", "Refugees included in the migrant stock (type of data R)",
                       float(refugees_in), "yes=1/no=0", year, _DEST,
                       "UN DESA added refugees and asylum seekers to the estimate" if refugees_in else ""))
    figs += _changes("immigrant_stock", "International migrant stock", d.dest, c.location_code, year, _DEST)
    return figs


# -- emigration ----------------------------------------------------------------------------------
def emigrant_stock(country, year: int = LATEST, sex: str = "both", *, data_dir=None) -> Figure:
    """Emigrant stock: people from ``country`` living abroad (persons; UN DESA 2024 by origin)."""
    c, d = _country(country, data_dir), _data(data_dir)
    year = _check_year(year)
    v = _cell(d.orig, c.location_code, year, sex)
    label = "Emigrant stock (living abroad)" + ("" if sex == "both" else f" ({sex})")
    if math.isnan(v):
        return _missing("emigrant_stock", label, "persons", year, _ORIG,
                        f"UN DESA publishes no emigrant stock for {c.name} in {year}.")
    return Figure("emigrant_stock" if sex == "both" else f"emigrant_stock_{sex}", label, v,
                  "persons", year, _ORIG)


def _check_denominator(denominator: str) -> str:
    if denominator not in DENOMINATORS:
        raise ValueError(f"denominator must be one of {list(DENOMINATORS)}, not {denominator!r}")
    return denominator


def emigrant_share(country, year: int = LATEST, denominator: str = "population", *,
                   data_dir=None) -> Figure:
    """Emigrants as % of ``denominator``.

    Parameters
    ----------
    denominator : {"population", "residents_plus_emigrants"}
        ``"population"``: emigrants / resident population x 100 (GMDP, World Bank Factbook).
        ``"residents_plus_emigrants"``: emigrants / (population + emigrants) x 100
        (emigration rate, brain-drain literature).
    """
    _check_denominator(denominator)
    e, p = emigrant_stock(country, year, data_dir=data_dir), population(country, year, data_dir=data_dir)
    label = f"Emigrants as % of {DENOMINATORS[denominator]}"
    if not (e.available and p.available):
        return _missing(f"emigrant_share_{denominator}", label, "percent", year, _ORIG,
                        e.note if not e.available else p.note)
    denom = p.value if denominator == "population" else p.value + e.value
    formula = ("emigrants / population x 100" if denominator == "population"
               else "emigrants / (population + emigrants) x 100")
    return Figure(f"emigrant_share_{denominator}", label, 100 * e.value / denom, "percent", year,
                  f"{_ORIG}; {_POP}", formula)


def emigration(country, year: int = LATEST, denominator: str = "population", *,
               data_dir=None) -> list[Figure]:
    """Emigration figures: stock, share (named denominator), changes since 1990 and last edition year."""
    c, d = _country(country, data_dir), _data(data_dir)
    year = _check_year(year)
    figs = [emigrant_stock(c, year, data_dir=data_dir), emigrant_stock(c, year, "female", data_dir=data_dir),
            emigrant_share(c, year, denominator, data_dir=data_dir)]
    other = "residents_plus_emigrants" if denominator == "population" else "population"
    figs.append(emigrant_share(c, year, other, data_dir=data_dir))
    figs += _changes("emigrant_stock", "Emigrant stock", d.orig, c.location_code, year, _ORIG)
    return figs


# -- corridors -------------------------------------------------------------------------------------
def bilateral_sources(*, data_dir=None) -> pd.DataFrame:
    """Bilateral datasets in the store with their years (dataset, edition, year, source)."""
    d = _data(data_dir)
    rows = [(ds, int(y), _cite(ds)) for (ds, y) in d.bilateral_groups]
    return pd.DataFrame(rows, columns=["dataset", "year", "source"]).sort_values(["dataset", "year"],
                                                                                 ignore_index=True)


_PREFERENCE = ["undesa_2024_od", "undesa_2024_od_gdidata", "undesa_2019_od", "undesa_2019_od_csv",
               "knomad_migration_2021", "knomad_migration_2017"]


def _pick_bilateral(year: int, source: str | None, d: _Data) -> tuple[str, int]:
    available = sorted(d.bilateral_groups)
    if not available:
        raise DataNotAvailableError("No bilateral (origin x destination) source is in the store; "
                                    "run `migstats data fetch` and `migstats data build`.")
    if source:
        cands = [(ds, y) for ds, y in available if ds == source or ds.startswith(source)]
        if not cands:
            raise DataNotAvailableError(
                f"Bilateral source {source!r} is not in the store; available: "
                f"{sorted({ds for ds, _ in available})}.")
        return min(cands, key=lambda k: (abs(k[1] - year), -k[1]))
    # nearest year first; on a tie, UN DESA before KNOMAD, then the later year
    return min(available, key=lambda k: (abs(k[1] - year), _PREFERENCE.index(k[0])
                                         if k[0] in _PREFERENCE else 99, -k[1]))


def corridors(country, year: int = LATEST, direction: str = "emigrants", top_n: int | None = 10, *,
              source: str | None = None, data_dir=None) -> pd.DataFrame:
    """Top destinations of a country's emigrants, or top origins of its immigrants.

    Parameters
    ----------
    direction : {"emigrants", "immigrants"}
        ``"emigrants"``: where people from ``country`` live (by destination);
        ``"immigrants"``: where the migrants living in ``country`` come from (by origin).
    top_n : int or None
        Number of rows (``None`` for all partners).
    source : str, optional
        Registry key of the bilateral dataset; default: the dataset whose year is nearest
        to ``year`` (UN DESA before KNOMAD on a tie).

    Returns
    -------
    DataFrame
        Columns ``rank``, ``location_code``, ``iso3``, ``name``, ``migrants`` (persons),
        ``share_pct`` (percent of the total, unknown included). ``attrs`` hold ``dataset``,
        ``year``, ``source`` (citation), ``total``, ``unknown`` (persons of unknown/other
        partner), ``unknown_share_pct``, ``direction``.

    For a :class:`~migstats.groups.Group`, partners are the countries *outside* the group
    (moves between members are excluded; ``attrs["internal"]`` gives their total).
    """
    if direction not in ("emigrants", "immigrants"):
        raise ValueError("direction must be 'emigrants' or 'immigrants'")
    if _is_group(country):
        return _group_corridors(country, year, direction, top_n, source, data_dir)
    c, d = _country(country, data_dir), _data(data_dir)
    dataset, byear = _pick_bilateral(int(year), source, d)
    partners, values = d.partners(dataset, byear, direction, c.location_code)  # unique, sorted
    unknown = float(values[partners == OTHER_CODE].sum())
    known = (partners != c.location_code) & (partners != OTHER_CODE)
    partners, values = partners[known], values[known]
    total_known = float(values.sum())
    if direction == "immigrants" and unknown == 0.0 and dataset.startswith("undesa_2019"):
        # the 2019 O-D table has no "Other" column: unknown = published total - known origins
        published = d.dest_by_key.get((2019, c.location_code, byear), float("nan"))
        if pd.notna(published):
            unknown = max(float(published) - total_known, 0.0)
    total = total_known + unknown
    positive = values > 0
    partners, values = partners[positive], values[positive]
    order = np.argsort(-values, kind="stable")  # largest first; ties by partner code
    if top_n is not None:
        order = order[:int(top_n)]
    partners, values = partners[order].astype("int32"), values[order].astype("float64")
    names = d.names.reindex(partners)
    out = pd.DataFrame({
        "rank": np.arange(1, len(values) + 1, dtype="int64"),
        "location_code": partners,
        "iso3": names["iso3"].to_numpy(),
        "name": names["short_name"].to_numpy(),
        "migrants": values,
        "share_pct": 100 * values / total if total else np.full(len(values), np.nan),
    })
    out.attrs.update(dataset=dataset, year=byear, source=_cite(dataset), total=total,
                     unknown=unknown, unknown_share_pct=100 * unknown / total if total else float("nan"),
                     direction=direction, country=c.iso3, requested_year=int(year))
    return out


def _group_corridors(g, year, direction, top_n, source, data_dir) -> pd.DataFrame:
    d = _data(data_dir)
    dataset, byear = _pick_bilateral(int(year), source, d)
    bil = d.bilateral_groups[(dataset, byear)]
    mem = list(g.members)
    inside_o, inside_d = bil["origin_code"].isin(mem), bil["destination_code"].isin(mem)
    internal = float(bil.loc[inside_o & inside_d & (bil["origin_code"] != bil["destination_code"]),
                             "migrant_stock"].sum())
    if direction == "emigrants":
        rows, col = bil[inside_o & ~inside_d], "destination_code"
    else:
        rows, col = bil[~inside_o & inside_d], "origin_code"
    s = rows.groupby(col)["migrant_stock"].sum()
    unknown = float(s.get(OTHER_CODE, 0.0))
    s = s.drop(OTHER_CODE, errors="ignore")
    total = float(s.sum()) + unknown
    s = s[s > 0].sort_values(ascending=False, kind="stable")
    if top_n is not None:
        s = s.head(int(top_n))
    names = d.names.reindex(s.index)
    out = pd.DataFrame({"rank": np.arange(1, len(s) + 1, dtype="int64"),
                        "location_code": s.index.astype("int32"),
                        "iso3": names["iso3"].to_numpy(), "name": names["short_name"].to_numpy(),
                        "migrants": s.to_numpy(dtype="float64"),
                        "share_pct": 100 * s.to_numpy() / total if total else np.full(len(s), np.nan)})
    out.attrs.update(dataset=dataset, year=byear, source=_cite(dataset), total=total, unknown=unknown,
                     unknown_share_pct=100 * unknown / total if total else float("nan"), direction=direction,
                     country=g.name, requested_year=int(year), internal=internal)
    return out


def diaspora_concentration(country, year: int = LATEST, *, source: str | None = None,
                           data_dir=None) -> list[Figure]:
    """Concentration of a country's emigrants across destinations.

    ``hhi`` is the Herfindahl-Hirschman index, the sum of squared destination shares of the
    known total (fractions, 0-1; 1 = everyone in one country); ``top5_share`` the percent of
    emigrants in the five largest destinations.
    """
    allc = corridors(country, year, "emigrants", None, source=source, data_dir=data_dir)
    src = allc.attrs["source"]
    byear = allc.attrs["year"]
    if allc.empty:
        reason = "No bilateral emigrant data for this area."
        return [_missing("diaspora_hhi", "Diaspora concentration (HHI, 0-1)", "index 0-1", byear, src, reason),
                _missing("diaspora_top5_share", "Share of emigrants in top 5 destinations", "percent",
                         byear, src, reason)]
    frac = allc["migrants"] / allc["migrants"].sum()
    return [Figure("diaspora_hhi", "Diaspora concentration (HHI, 0-1)", float((frac ** 2).sum()),
                   "index 0-1", byear, src, "sum of squared destination shares"),
            Figure("diaspora_top5_share", "Share of emigrants in top 5 destinations",
                   float(allc["share_pct"].head(5).sum()), "percent", byear, src)]


def corridor_change(country, start: int = 1990, end: int = 2019, direction: str = "emigrants",
                    top_n: int = 10, *, source: str | None = None, data_dir=None) -> pd.DataFrame:
    """Change of the top corridors between two years of one bilateral dataset.

    Returns the top ``top_n`` partners in ``end`` with their stocks in ``start`` and ``end``,
    the absolute change (persons) and the average annual growth (% per year).
    """
    d = _data(data_dir)
    ds_end, y_end = _pick_bilateral(end, source, d)
    years = sorted(y for ds, y in d.bilateral_groups if ds == ds_end)
    if start not in years or end not in years:
        raise DataNotAvailableError(
            f"Dataset {ds_end} covers the years {years}; choose start and end among them.")
    a = corridors(country, end, direction, top_n, source=ds_end, data_dir=data_dir)
    b = corridors(country, start, direction, None, source=ds_end, data_dir=data_dir)
    past = b.set_index("location_code")["migrants"]
    out = a[["rank", "location_code", "iso3", "name"]].copy()
    out[f"migrants_{start}"] = a["location_code"].map(past).astype("float64").to_numpy()
    out[f"migrants_{end}"] = a["migrants"].to_numpy()
    out["change"] = out[f"migrants_{end}"] - out[f"migrants_{start}"]
    out["growth_pct_per_year"] = [growth_rate(s0, s1, start, end)
                                  for s0, s1 in zip(out[f"migrants_{start}"], out[f"migrants_{end}"])]
    out.attrs.update(dataset=ds_end, source=_cite(ds_end), start=start, end=end, direction=direction)
    return out


# -- refugees ----------------------------------------------------------------------------------------
def refugees(country, *, data_dir=None) -> pd.DataFrame:
    """Refugees and asylum seekers from and in ``country`` by year (UNHCR).

    Returns
    -------
    DataFrame
        ``year``, ``refugees_from`` (abroad, by country of asylum), ``asylum_seekers_from``,
        ``refugees_hosted`` (every origin, including stateless and unknown origins),
        ``asylum_seekers_hosted``; persons. Empty with
        ``attrs["note"]`` when UNHCR data are not in the store.
    """
    c, d = _country(country, data_dir), _data(data_dir)
    cols = ["year", "refugees_from", "asylum_seekers_from", "refugees_hosted", "asylum_seekers_hosted"]
    if d.unhcr is None:
        out = pd.DataFrame(columns=cols)
        out.attrs.update(source="", note="UNHCR data are not in the store.")
        return out
    zeros = (np.zeros(len(d.unhcr_years)), np.zeros(len(d.unhcr_years)))
    a = d.unhcr_from.get(c.location_code, zeros)
    h = d.unhcr_hosted.get(c.location_code, zeros)
    out = pd.DataFrame({"year": np.array(d.unhcr_years, dtype="int64"),
                        "refugees_from": a[0], "asylum_seekers_from": a[1],
                        "refugees_hosted": h[0], "asylum_seekers_hosted": h[1]})
    out.attrs.update(source=_cite(d.unhcr_dataset),
                     note="UNHCR records no row for a pair with no refugees; such years count as 0.")
    return out


# -- remittances -----------------------------------------------------------------------------------
def remittance_series(country, *, data_dir=None) -> pd.DataFrame:
    """Remittances by year: received, paid, GDP (current US$) and received as % of GDP.

    ``pct_gdp_source`` says whether the % of GDP is the published WDI series or computed
    here as received / GDP x 100 (different WDI vintages, named in ``attrs``).
    """
    if _is_group(country):
        return _group_remittance_series(country, data_dir)
    c, d = _country(country, data_dir), _data(data_dir)
    code = c.location_code
    if code in d._remittance_series:
        return d._remittance_series[code].copy()

    def series(ind) -> dict:
        tab = d.wdi.get(ind)
        if tab is None or code not in tab.index:
            return {}
        row = tab.loc[code]
        return {int(y): float(v) for y, v in zip(row.index, row.to_numpy("float64")) if not math.isnan(v)}

    rec, paid, gdp, pct = (series(i) for i in (_WDI_RECEIVED, _WDI_PAID, _WDI_GDP, _WDI_PCT_GDP))
    years = sorted(set(rec) | set(paid))  # every year has received or paid
    nan = float("nan")
    out = pd.DataFrame({"year": np.array(years, dtype="int64"),
                        "received_usd": np.array([rec.get(y, nan) for y in years], dtype="float64"),
                        "paid_usd": np.array([paid.get(y, nan) for y in years], dtype="float64"),
                        "gdp_usd": np.array([gdp.get(y, nan) for y in years], dtype="float64")})
    if len(pct):
        out["received_pct_gdp"] = np.array([pct.get(y, nan) for y in years], dtype="float64")
        out["pct_gdp_source"] = "published (WDI BX.TRF.PWKR.DT.GD.ZS)"
    else:
        out["received_pct_gdp"] = 100 * out["received_usd"] / out["gdp_usd"]
        out["pct_gdp_source"] = "computed: received / GDP x 100"
    out.attrs.update(
        source=_cite("wdi_remittances_received"),
        vintages={k: v for k, v in d.wdi_vintage.items()},
        note=("" if len(pct) else _pct_gdp_note(d)))
    d._remittance_series[code] = out
    return out.copy()


def _pct_gdp_note(d) -> str:
    rec, gdp = d.wdi_vintage.get(_WDI_RECEIVED, "?"), d.wdi_vintage.get(_WDI_GDP, "?")
    if rec == gdp:
        return f"Received % of GDP computed: received / GDP x 100, both WDI of {rec}."
    return f"Received % of GDP computed from two WDI vintages: remittances {rec}, GDP {gdp}."


def _group_remittance_series(g, data_dir) -> pd.DataFrame:
    """Sums over the members that report each year (received and GDP over the same members)."""
    d = _data(data_dir)
    mem = list(g.members)
    cols = ["year", "received_usd", "paid_usd", "gdp_usd", "received_pct_gdp", "pct_gdp_source"]
    rec, gdp = d.wdi.get(_WDI_RECEIVED), d.wdi.get(_WDI_GDP)
    rows = []
    if rec is not None:
        sub = rec.reindex(mem)
        gsub = gdp.reindex(mem) if gdp is not None else None
        for y in sub.columns:
            ok = sub[y].notna()
            if not ok.any():
                continue
            r_sum = float(sub.loc[ok, y].sum())
            g_ok = gsub is not None and y in gsub.columns and bool(gsub.loc[ok, y].notna().all())
            g_sum = float(gsub.loc[ok, y].sum()) if g_ok else float("nan")
            rows.append((int(y), r_sum, float("nan"), g_sum,
                         100 * r_sum / g_sum if g_ok and g_sum else float("nan"),
                         "computed: received / GDP x 100 over members with data"))
    out = pd.DataFrame(rows, columns=cols)
    out.attrs.update(source=_cite("wdi_remittances_received"), vintages=dict(d.wdi_vintage),
                     note="Sums over the members that report each year.")
    return out


def top_remittance_senders(country, top_n: int = 10, *, data_dir=None) -> pd.DataFrame:
    """Top sending countries of remittances to ``country`` (KNOMAD matrix; model estimates).

    Uses the latest bilateral remittance matrix in the store. Columns ``rank``,
    ``location_code``, ``iso3``, ``name``, ``remittances_usd``, ``share_pct``.
    """
    c, d = _country(country, data_dir), _data(data_dir)
    cols = ["rank", "location_code", "iso3", "name", "remittances_usd", "share_pct"]
    if d.bilateral_rem is None:
        out = pd.DataFrame(columns=cols)
        out.attrs.update(source="", note="No bilateral remittance matrix in the store.")
        return out
    latest = d.rem_latest
    total, s = d.remittance_senders(c.location_code)
    s = s.head(top_n)
    names = d.names.reindex(s.index)
    out = pd.DataFrame({"rank": np.arange(1, len(s) + 1), "location_code": s.index.astype("int32"),
                        "iso3": names["iso3"].to_numpy(), "name": names["short_name"].to_numpy(),
                        "remittances_usd": s.to_numpy(),
                        "share_pct": 100 * s.to_numpy() / total if total else np.nan})
    key = f"knomad_remittances_{latest}"
    out.attrs.update(source=_cite(key), year=int(latest), total=total,
                     note="Model estimates from migrant stocks and incomes, not reported flows "
                          "(the publisher's own caveat).")
    return out


def remittances(country, year: int = LATEST, *, data_dir=None) -> list[Figure]:
    """Remittance figures for the latest year with data up to ``year``.

    Received, paid (when the WDI series is cached), received as % of GDP (published or
    computed) and received per emigrant (US$ per person of the emigrant stock at the
    nearest UN DESA year).
    """
    c, d = _country(country, data_dir), _data(data_dir)
    ts = remittance_series(c, data_dir=data_dir)
    src = ts.attrs["source"]
    gdp_src = _cite(d.wdi_dataset.get(_WDI_GDP, "wdi_gdp"))
    paid_src = _cite(d.wdi_dataset.get(_WDI_PAID, "wdi_remittances_paid"))
    figs = []
    years, received, paid_usd = (ts[k].to_numpy() for k in ("year", "received_usd", "paid_usd"))
    pct, pct_source = ts["received_pct_gdp"].to_numpy(), ts["pct_gdp_source"].to_numpy()
    rec = np.flatnonzero(~np.isnan(received) & (years <= year))  # rows with received, by year
    if not len(rec):
        reason = f"The World Bank publishes no personal remittances received for {c.name}."
        figs.append(_missing("remittances_received", "Personal remittances received", "current US$",
                             None, src, reason))
        figs.append(_missing("remittances_pct_gdp", "Remittances received as % of GDP", "percent",
                             None, src, reason))
        figs.append(_missing("remittances_per_emigrant", "Remittances received per emigrant",
                             "US$ per emigrant", None, src, reason))
    else:
        last = rec[-1]
        y = int(years[last])
        figs.append(Figure("remittances_received", "Personal remittances received",
                           float(received[last]), "current US$", y, src))
        pct_rows = rec[~np.isnan(pct[rec])]
        if not len(pct_rows):
            figs.append(_missing("remittances_pct_gdp", "Remittances received as % of GDP", "percent",
                                 y, src, "No GDP for the years with remittance data."))
        else:
            p = pct_rows[-1]
            figs.append(Figure("remittances_pct_gdp", "Remittances received as % of GDP",
                               float(pct[p]), "percent", int(years[p]),
                               f"{src}; {gdp_src}",
                               f"{pct_source[p]}. {ts.attrs['note']}".strip()))
        ey = min(EDITION_YEARS, key=lambda e: (abs(e - y), -e))
        em = emigrant_stock(c, ey, data_dir=data_dir)
        if em.available and em.value > 0:
            figs.append(Figure("remittances_per_emigrant", "Remittances received per emigrant",
                               float(received[last]) / em.value, "US$ per emigrant", y,
                               f"{src}; {_ORIG}",
                               f"remittances {y} / emigrant stock {ey} (UN DESA 2024)"))
        else:
            figs.append(_missing("remittances_per_emigrant", "Remittances received per emigrant",
                                 "US$ per emigrant", y, src, "No emigrant stock."))
    paid = np.flatnonzero(~np.isnan(paid_usd) & (years <= year))
    if not len(paid):
        figs.append(_missing("remittances_paid", "Personal remittances paid", "current US$", None,
                             paid_src,
                             "WDI series BM.TRF.PWKR.CD.DT is not in the store (fetch it with internet "
                             "access) or has no data for this area."))
    else:
        figs.append(Figure("remittances_paid", "Personal remittances paid",
                           float(paid_usd[paid[-1]]), "current US$", int(years[paid[-1]]),
                           paid_src))
    return figs


# -- context -------------------------------------------------------------------------------------
def context(country, year: int = LATEST, *, data_dir=None) -> list[Figure]:
    """Population, GDP, GDP per capita and classifications (region, income group)."""
    c, d = _country(country, data_dir), _data(data_dir)
    figs = [population(c, year, data_dir=data_dir)]
    gdp = d.wdi.get(_WDI_GDP)
    row = gdp.loc[c.location_code].dropna() if gdp is not None and c.location_code in gdp.index else pd.Series(dtype=float)
    row = row[row.index <= max(year, 0)]
    gsrc = _cite(d.wdi_dataset.get(_WDI_GDP, "wdi_gdp"))
    if row.empty:
        figs.append(_missing("gdp", "GDP", "current US$", None, gsrc, f"No GDP for {c.name} in WDI."))
        figs.append(_missing("gdp_per_capita", "GDP per capita", "current US$ per person", None, gsrc,
                             f"No GDP for {c.name} in WDI."))
    else:
        gy, gv = int(row.index[-1]), float(row.iloc[-1])
        figs.append(Figure("gdp", "GDP", gv, "current US$", gy, gsrc))
        pop = _interpolated_population(d, c.location_code, gy)
        figs.append(Figure("gdp_per_capita", "GDP per capita", gv / pop if pop else float("nan"),
                           "current US$ per person", gy, f"{gsrc}; {_POP}",
                           f"GDP {gy} / population {gy} (UN DESA Table 2, linearly interpolated "
                           "between reference years)"))
    return figs


def _interpolated_population(d: _Data, code: int, year: int) -> float:
    ys = np.array(EDITION_YEARS, dtype=float)
    vs = np.array([_cell(d.pop, code, y) for y in EDITION_YEARS], dtype=float)
    ok = ~np.isnan(vs)
    if not ok.any():
        return float("nan")
    return float(np.interp(year, ys[ok], vs[ok]))


# -- editions side by side -----------------------------------------------------------------------
def edition_comparison(country, *, data_dir=None) -> pd.DataFrame:
    """The same quantity from different sources and editions, with relative differences.

    Rows: emigrant and immigrant totals (and emigrant share of population) as given by
    UN DESA 2024, UN DESA 2020/2019 and the World Bank/KNOMAD matrices. ``rel_diff_pct``
    is each value's difference from the UN DESA 2024 value for the same year (or its
    nearest year), in percent.
    """
    c, d = _country(country, data_dir), _data(data_dir)
    code = c.location_code
    rows = []

    def pop_ed(edition, year):
        return d.pop_by_key.get((edition, code, year), float("nan"))

    for y in (2019, 2020, 2024):
        if y in EDITION_YEARS:
            rows.append(("emigrants", "UN DESA IMS 2024 (by origin)", 2024, y,
                         _cell(d.orig, code, y), pop_ed(2024, y)))
    for (ds, y) in sorted(d.bilateral_groups):
        if y not in (2017, 2019, 2021, 2024):
            continue
        partners, values = d.partners(ds, y, "emigrants", code)
        em = np.nansum(values[partners != code])
        ed = {"undesa_2019_od": 2019, "undesa_2019_od_csv": 2019, "undesa_2024_od": 2024,
              "undesa_2024_od_gdidata": 2024}.get(ds, y)
        label = f"{SOURCES[ds].publisher} {SOURCES[ds].title.split(' (')[0]}"
        pe = pop_ed(2020, 2020) if ed == 2021 else pop_ed(2019, 2019) if ed == 2019 else float("nan")
        rows.append(("emigrants", label, ed, y, float(em) if em else float("nan"), pe))
    for ed, y in ((2024, 2020), (2020, 2020), (2019, 2019), (2024, 2024)):
        v = d.dest_by_key.get((ed, code, y), float("nan"))
        rows.append(("immigrants", f"UN DESA IMS {ed} (by destination)", ed, y, v, pop_ed(ed, y)))
    for (ds, y) in sorted(d.bilateral_groups):
        if ds.startswith("knomad") and y in (2017, 2021):
            partners, values = d.partners(ds, y, "immigrants", code)
            im = np.nansum(values[partners != code])
            rows.append(("immigrants", f"World Bank/KNOMAD {SOURCES[ds].title}", y, y,
                         float(im) if im else float("nan"), float("nan")))
    out = pd.DataFrame(rows, columns=["quantity", "source", "edition", "year", "value", "population"])
    out["share_of_population_pct"] = 100 * out["value"] / out["population"]
    ref = {q: {y: v for (qq, src, _, y, v, _) in rows if qq == q and src.startswith("UN DESA IMS 2024")}
           for q in ("emigrants", "immigrants")}

    def rel(quantity, year, value):
        r = ref[quantity]
        if not r:
            return float("nan")
        y = min(r, key=lambda k: abs(k - year))
        b = r[y]
        return 100 * (value - b) / b if b and not math.isnan(b) else float("nan")

    out["rel_diff_vs_undesa_2024_pct"] = np.array([rel(q, y, v) for (q, _, _, y, v, _) in rows],
                                                  dtype="float64")
    out.attrs["note"] = ("Relative difference from the UN DESA 2024 value for the nearest year. "
                         "Older editions and the KNOMAD matrices rest on earlier UN DESA estimates, "
                         "which the 2024 edition revised.")
    return out


# -- trend ---------------------------------------------------------------------------------------
def trend(country, denominator: str = "population", *, data_dir=None) -> pd.DataFrame:
    """Immigrant and emigrant stocks and shares for every UN DESA 2024 reference year.

    For a :class:`~migstats.groups.Group`, stocks and populations are sums over members
    (emigrant totals then include moves between members, as UN DESA publishes them).
    """
    _check_denominator(denominator)
    c, d = subject(country, data_dir=data_dir), _data(data_dir)
    codes = list(c.members) if _is_group(c) else [c.location_code]
    ys = list(EDITION_YEARS)

    def total(wide, y):
        vals = [_cell(wide, code, y) for code in codes]
        return float("nan") if all(math.isnan(v) for v in vals) else float(np.nansum(vals))

    imm = np.array([total(d.dest, y) for y in ys])
    emi = np.array([total(d.orig, y) for y in ys])
    pop = np.array([total(d.pop, y) for y in ys])
    denom = pop if denominator == "population" else pop + emi
    out = pd.DataFrame({"year": ys, "immigrants": imm, "emigrants": emi, "population": pop,
                        "immigrant_share_pct": 100 * imm / pop,
                        f"emigrant_share_pct_of_{denominator}": 100 * emi / denom})
    out.attrs.update(source=f"{_DEST}; {_ORIG}; {_POP}", denominator=denominator)
    if _is_group(c):
        out.attrs["note"] = "sums over members; emigrants include moves between members"
    return out


# -- world-wide indicator (for maps) ----------------------------------------------------------------
def world_indicator(name: str, year: int = LATEST, *, denominator: str = "population",
                    data_dir=None) -> pd.Series:
    """One indicator for every country (Series indexed by location code, ``attrs`` with unit/source).

    ``name`` is one of ``"immigrant_share"``, ``"immigrant_stock"``, ``"emigrant_stock"``,
    ``"emigrant_share"`` (with ``denominator``), ``"remittances_pct_gdp"``,
    ``"remittances_received"``.
    """
    d = _data(data_dir)
    if name in ("immigrant_share", "immigrant_stock", "emigrant_stock", "emigrant_share"):
        year = _check_year(year)
        imm = d.dest[("both", year)]
        pop = d.pop[("both", year)].reindex(d.countries.index)
        emi = d.orig[("both", year)].reindex(d.countries.index)
        if name == "immigrant_stock":
            s, unit, src = imm, "persons", _DEST
        elif name == "immigrant_share":
            s, unit, src = 100 * imm / pop, "percent", f"{_DEST}; {_POP}"
        elif name == "emigrant_stock":
            s, unit, src = emi, "persons", _ORIG
        else:
            _check_denominator(denominator)
            denom = pop if denominator == "population" else pop + emi
            s, unit, src = 100 * emi / denom, f"percent of {DENOMINATORS[denominator]}", f"{_ORIG}; {_POP}"
        label = {"immigrant_share": "International migrants as % of population",
                 "immigrant_stock": "International migrant stock",
                 "emigrant_stock": "Emigrant stock",
                 "emigrant_share": f"Emigrants as % of {DENOMINATORS.get(denominator, '')}"}[name]
        out = s.reindex(d.countries.index).astype("float64")
        out.attrs.update(name=name, label=label, unit=unit, year=year, source=src)
        return out
    if name in ("remittances_pct_gdp", "remittances_received"):
        rec = d.wdi.get(_WDI_RECEIVED)
        gdp = d.wdi.get(_WDI_GDP)
        yr = int(year)
        if name == "remittances_received":
            s = rec[yr] if rec is not None and yr in rec.columns else pd.Series(dtype=float)
            unit, label = "current US$", "Personal remittances received"
        else:
            pct = d.wdi.get(_WDI_PCT_GDP)
            if pct is not None and yr in pct.columns:
                s = pct[yr]
            else:
                s = 100 * rec[yr] / gdp[yr] if (rec is not None and gdp is not None and yr in rec.columns
                                                and yr in gdp.columns) else pd.Series(dtype=float)
            unit, label = "percent of GDP", "Remittances received as % of GDP"
        out = s.reindex(d.countries.index).astype("float64")
        out.attrs.update(name=name, label=label, unit=unit, year=yr, source=_cite("wdi_remittances_received"))
        return out
    raise ValueError(f"Unknown indicator {name!r}")


# -- the profile object ------------------------------------------------------------------------------
@dataclass
class Profile:
    """Every figure of a country profile, computed once, for notebooks, maps and the CLI.

    Attributes
    ----------
    country : Country
    year : int
        UN DESA reference year.
    denominator : str
        Denominator of the emigrant share (a key of :data:`DENOMINATORS`).
    figures : list of Figure
        Key figures (immigration, emigration, remittances, context, concentration).
    destinations, origins : DataFrame
        Top corridors (see :func:`corridors`).
    trend, remittance_series, refugees, editions, top_senders, corridor_change : DataFrame
    notes : list of str
        Data notes (type of data, unknown origins, missing series, estimates).
    """

    country: Country
    year: int
    denominator: str
    top_n: int
    figures: list[Figure]
    destinations: pd.DataFrame
    origins: pd.DataFrame
    trend: pd.DataFrame
    remittance_series: pd.DataFrame
    top_senders: pd.DataFrame
    refugees: pd.DataFrame
    editions: pd.DataFrame
    corridor_change: pd.DataFrame | None
    notes: list[str] = field(default_factory=list)

    def figure(self, name: str) -> Figure:
        """The figure called ``name`` (KeyError if absent)."""
        for f in self.figures:
            if f.name == name:
                return f
        raise KeyError(name)

    def value(self, name: str) -> float:
        return self.figure(name).value

    def figures_table(self) -> pd.DataFrame:
        """Key figures as a tidy table (name, label, value, unit, year, source, note)."""
        df = pd.DataFrame([f.to_dict() for f in self.figures])
        df["year"] = df["year"].astype("Int64")
        return df

    def sources(self) -> list[str]:
        """Every source cited by a figure or table of the profile."""
        cited = {f.source for f in self.figures}
        for df in (self.destinations, self.origins, self.top_senders, self.refugees):
            if df is not None and df.attrs.get("source"):
                cited.add(df.attrs["source"])
        out = set()
        for s in cited:
            out.update(p.strip() for p in s.split(";") if p.strip())
        return sorted(out)

    def _country_dict(self) -> dict:
        c = self.country
        return {"iso3": c.iso3, "name": c.name, "location_code": c.location_code,
                "region": c.un_region, "subregion": c.un_subregion}

    def to_dict(self) -> dict:
        """Plain-JSON form: every figure as a number with unit and source."""
        def table(df):
            if df is None:
                return None
            return {"source": df.attrs.get("source", ""), "year": df.attrs.get("year"),
                    "rows": json_records(df)}
        return {
            "country": self._country_dict(),
            "year": self.year, "denominator": self.denominator,
            "figures": [f.to_dict() for f in self.figures],
            "destinations": table(self.destinations), "origins": table(self.origins),
            "top_remittance_senders": table(self.top_senders),
            "notes": self.notes, "sources": self.sources(),
        }


def json_records(df: pd.DataFrame) -> list[dict]:
    """DataFrame rows as JSON-safe dicts (NaN -> None, numpy scalars -> Python)."""
    out = []
    for rec in df.to_dict(orient="records"):
        out.append({k: (None if isinstance(v, float) and math.isnan(v) else
                        v.item() if hasattr(v, "item") else v) for k, v in rec.items()})
    return out


def profile(country, year: int = LATEST, *, top_n: int = 10, denominator: str = "population",
            data_dir=None) -> Profile:
    """Compute every indicator of a country profile.

    Parameters
    ----------
    country : str or int
        Any input :func:`migstats.resolve` accepts.
    year : int
        UN DESA reference year (1990, 1995, …, 2020, 2024).
    top_n : int
        Number of corridors in the top lists.
    denominator : {"population", "residents_plus_emigrants"}
        Denominator of the emigrant share.
    """
    c = _country(country, data_dir)
    year = _check_year(year)
    _check_denominator(denominator)
    d = _data(data_dir)
    figs = []
    figs += immigration(c, year, data_dir=data_dir)
    figs += emigration(c, year, denominator, data_dir=data_dir)
    figs += remittances(c, year, data_dir=data_dir)
    figs += context(c, year, data_dir=data_dir)
    dest = corridors(c, year, "emigrants", top_n, data_dir=data_dir)
    orig = corridors(c, year, "immigrants", top_n, data_dir=data_dir)
    figs += diaspora_concentration(c, year, data_dir=data_dir)
    unknown = orig.attrs["unknown_share_pct"]
    figs.append(Figure("unknown_origin_share", "Immigrants of unknown origin (% of total)",
                       unknown, "percent", orig.attrs["year"], orig.attrs["source"],
                       "origin not reported by the destination country" if not math.isnan(unknown) else
                       f"{orig.attrs['source']} ({orig.attrs['year']}) gives no origins of the "
                       f"immigrants in {c.name}."))
    change = None
    ds_years = sorted(y for ds, y in d.bilateral_groups if ds == dest.attrs["dataset"])
    if len(ds_years) > 1:
        change = corridor_change(c, ds_years[0], ds_years[-1], "emigrants", top_n,
                                 source=dest.attrs["dataset"], data_dir=data_dir)
    notes = []
    for f in figs:
        if not f.available and f.note:
            notes.append(f"{f.label}: not available — {f.note}")
    imm = figs[0]
    if imm.note:
        notes.append(f"Immigrant stock: {imm.note}")
    if dest.attrs["year"] != year:
        notes.append(f"Corridors come from {dest.attrs['source']} for {dest.attrs['year']}, the "
                     f"bilateral year nearest to {year} in the store; totals come from UN DESA 2024.")
    notes.append("Bilateral remittances are model estimates (World Bank/KNOMAD), not reported flows.")
    return Profile(country=c, year=year, denominator=denominator, top_n=top_n, figures=figs,
                   destinations=dest, origins=orig, trend=trend(c, denominator, data_dir=data_dir),
                   remittance_series=remittance_series(c, data_dir=data_dir),
                   top_senders=top_remittance_senders(c, top_n, data_dir=data_dir),
                   refugees=refugees(c, data_dir=data_dir), editions=edition_comparison(c, data_dir=data_dir),
                   corridor_change=change, notes=notes)


# -- groups of countries ---------------------------------------------------------------------------
@dataclass
class GroupProfile:
    """Indicators of a group of countries, computed from its members' rows.

    Stocks and populations are sums over members. *Emigrants of the group* exclude moves
    between its own members (they are counted in ``internal``): from the bilateral source,
    ``emigrants_outside_group = sum over members and non-member destinations``; the UN DESA
    2024 by-origin totals (which include moves between members) are reported beside it.

    Attributes
    ----------
    country : migstats.groups.Group
        Named ``country`` so notebooks can treat countries and groups alike.
    members : DataFrame
        One row per member: iso3, name, population, immigrants, emigrants (UN DESA 2024).
    destinations, origins : DataFrame
        Top partners outside the group (bilateral source in ``attrs``).
    internal : DataFrame
        Top corridors between members (origin, destination, migrants).
    """

    country: object
    year: int
    denominator: str
    top_n: int
    figures: list[Figure]
    members: pd.DataFrame
    destinations: pd.DataFrame
    origins: pd.DataFrame
    internal: pd.DataFrame
    trend: pd.DataFrame
    remittance_series: pd.DataFrame
    top_senders: pd.DataFrame
    refugees: pd.DataFrame
    editions: pd.DataFrame
    corridor_change: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    figure = Profile.figure
    value = Profile.value
    figures_table = Profile.figures_table
    sources = Profile.sources

    def _country_dict(self) -> dict:
        return {"name": self.country.name, "kind": self.country.kind,
                "members": self.members["iso3"].tolist(), "region": "Groups"}

    def to_dict(self) -> dict:
        d = Profile.to_dict(self)
        d["internal"] = {"rows": json_records(self.internal)}
        return d


def group_profile(group, year: int = LATEST, *, top_n: int = 10, denominator: str = "population",
                  data_dir=None) -> GroupProfile:
    """Indicators for a group (UN/World Bank region, income group, partner group or list).

    Stocks and populations are sums over members (UN DESA 2024). Corridors, *emigrants
    living outside the group* and *migrants moving between members* come from the
    bilateral source nearest to ``year`` (:func:`corridors` with a group), so moves between
    members are never counted as emigration of the group.

    Parameters
    ----------
    group : str, list or Group
        See :func:`migstats.groups.resolve_group`.
    """
    from .groups import resolve_group

    g = resolve_group(group, data_dir=data_dir)
    year = _check_year(year)
    _check_denominator(denominator)
    d = _data(data_dir)
    mem = list(g.members)
    names = d.names.reindex(mem)
    imm = np.array([_cell(d.dest, m, year) for m in mem])
    emi = np.array([_cell(d.orig, m, year) for m in mem])
    pop = np.array([_cell(d.pop, m, year) for m in mem])
    members = pd.DataFrame({"iso3": names["iso3"].to_numpy(), "name": names["short_name"].to_numpy(),
                            "population": pop, "immigrants": imm, "emigrants": emi,
                            "emigrant_share_pct": 100 * emi / pop})
    P, I, E = (float(np.nansum(v)) for v in (pop, imm, emi))
    dest = corridors(g, year, "emigrants", top_n, data_dir=data_dir)
    orig = corridors(g, year, "immigrants", top_n, data_dir=data_dir)
    dataset, byear, bsrc = dest.attrs["dataset"], dest.attrs["year"], dest.attrs["source"]
    bil = d.bilateral_groups[(dataset, byear)]
    inner = bil[bil["origin_code"].isin(mem) & bil["destination_code"].isin(mem)
                & (bil["origin_code"] != bil["destination_code"])]
    it = inner.sort_values("migrant_stock", ascending=False, kind="stable").head(top_n)
    internal = pd.DataFrame({"origin": d.names.reindex(it["origin_code"])["short_name"].to_numpy(),
                             "destination": d.names.reindex(it["destination_code"])["short_name"].to_numpy(),
                             "migrants": it["migrant_stock"].to_numpy()})
    internal.attrs.update(source=bsrc, year=byear, total=dest.attrs["internal"])
    outside = dest.attrs["total"]
    denom = P if denominator == "population" else P + outside
    figs = [
        Figure("population", "Total population (sum of members)", P, "persons", year, _POP),
        Figure("immigrant_stock", "International migrant stock (sum of members)", I, "persons", year, _DEST,
               "includes migrants born in other member countries"),
        Figure("immigrant_share", "International migrants as % of population",
               100 * I / P if P else float("nan"), "percent", year, f"{_DEST}; {_POP}"),
        Figure("emigrant_stock", "Emigrant stock (sum of members, incl. moves between members)", E, "persons",
               year, _ORIG),
        Figure("emigrants_outside_group", "Emigrants living outside the group", outside, "persons", byear, bsrc,
               "moves between members excluded"),
        Figure("internal_migrants", "Migrants moving between members", dest.attrs["internal"], "persons",
               byear, bsrc),
        Figure(f"emigrant_share_{denominator}", f"Emigrants outside the group as % of {DENOMINATORS[denominator]}",
               100 * outside / denom if denom else float("nan"), "percent", byear, f"{bsrc}; {_POP}",
               f"bilateral {byear} emigrants / UN DESA 2024 population {year}"),
    ]
    rs = remittance_series(g, data_dir=data_dir)
    last = rs[rs["year"] <= year].dropna(subset=["received_usd"])
    if len(last):
        figs.append(Figure("remittances_received", "Personal remittances received (members with data)",
                           float(last.iloc[-1]["received_usd"]), "current US$", int(last.iloc[-1]["year"]),
                           _cite("wdi_remittances_received")))
    senders = pd.DataFrame(columns=["rank", "location_code", "iso3", "name", "remittances_usd", "share_pct"])
    senders.attrs.update(source="", note="")
    refs = pd.DataFrame(columns=["year", "refugees_from", "asylum_seekers_from", "refugees_hosted",
                                 "asylum_seekers_hosted"])
    if d.unhcr is not None:
        u = d.unhcr
        away = u[u["origin_code"].isin(mem) & ~u["asylum_code"].isin(mem).fillna(False)]
        home = u[u["asylum_code"].isin(mem) & ~u["origin_code"].isin(mem).fillna(False)]
        a = away.groupby("year")[["refugees", "asylum_seekers"]].sum()
        h = home.groupby("year")[["refugees", "asylum_seekers"]].sum()
        refs = pd.DataFrame({"year": sorted(set(u["year"]))})
        refs["refugees_from"] = refs["year"].map(a["refugees"]).fillna(0.0)
        refs["asylum_seekers_from"] = refs["year"].map(a["asylum_seekers"]).fillna(0.0)
        refs["refugees_hosted"] = refs["year"].map(h["refugees"]).fillna(0.0)
        refs["asylum_seekers_hosted"] = refs["year"].map(h["asylum_seekers"]).fillna(0.0)
        refs.attrs.update(source=_cite(d.unhcr_dataset), note="Refugees moving between members excluded.")
    editions = pd.DataFrame(columns=["quantity", "source", "edition", "year", "value", "population",
                                     "share_of_population_pct", "rel_diff_vs_undesa_2024_pct"])
    notes = [f"Members ({len(mem)}): {', '.join(members['name'])}. Group defined by: {g.source}.",
             f"Emigrants outside the group and corridors come from {bsrc}, {byear}; totals from UN DESA 2024.",
             "UN DESA 2024 emigrant totals include moves between members; the bilateral figures exclude them."]
    return GroupProfile(country=g, year=year, denominator=denominator, top_n=top_n, figures=figs,
                        members=members, destinations=dest, origins=orig, internal=internal,
                        trend=trend(g, denominator, data_dir=data_dir), remittance_series=rs,
                        top_senders=senders, refugees=refs, editions=editions, notes=notes)
