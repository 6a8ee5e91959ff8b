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
    "subject", "basis_of", "refugee_figures", "demography", "demography_figures", "reported_values",
    "coverage_text", "GROUP_COVERAGE_MIN_PCT", "UNDESA_OD", "raked_corridors",
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
_WDI_POP = "SP.POP.TOTL"



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
    basis : str
        The one publication and edition the value rests on (e.g. "UN DESA International
        Migrant Stock 2024", "World Bank WDI (2025-07-01)"); see :func:`basis_of`. A figure
        never mixes bases unless its label says it compares them.
    dated : bool
        ``True`` when ``year`` is more than three years before the profile year.
    coverage : str
        For a group: which members the value covers (e.g. "5 of 5 members, 100% of the
        population"); empty for a country.
    """

    name: str
    label: str
    value: float
    unit: str
    year: int | None
    source: str
    note: str = ""
    basis: str = ""
    dated: bool = False
    coverage: str = ""

    @property
    def available(self) -> bool:
        return self.value is not None and not (isinstance(self.value, float) and math.isnan(self.value))

    def to_dict(self) -> dict:
        d = asdict(self)
        d["value"] = None if not self.available else float(self.value)
        return d


def _missing(name, label, unit, year, source, reason, basis="") -> Figure:
    return Figure(name, label, float("nan"), unit, year, source, reason, basis)


def basis_of(key: str) -> str:
    """The publication and edition that source file ``key`` belongs to: a figure's *basis*.

    Files of one publication and edition form one basis (the UN DESA 2024 tables by
    destination, by origin and origin x destination, official or reshaped, are all
    "UN DESA International Migrant Stock 2024"); figures from different bases are never
    put in one statement unless it is an explicit comparison.
    """
    import re

    src = SOURCES.get(key)
    if src is None:  # a stand-in named after the official file it replaces (e.g. "<key>_gdidata")
        src = SOURCES[key.rsplit("_", 1)[0]]
    text = src.title if key.startswith("knomad") else src.edition  # KNOMAD 2021 = "December 2022"
    year = (re.search(r"(19|20)\d\d", text) or re.search(r"(19|20)\d\d", src.title))
    year = year.group(0) if year else src.edition
    if key.startswith("undesa_"):
        return f"UN DESA International Migrant Stock {year}"
    if key.startswith("knomad_migration"):
        return f"World Bank/KNOMAD Bilateral Migration Matrix {year}"
    if key.startswith("knomad_remittances"):
        return f"World Bank/KNOMAD Bilateral Remittance Matrix {year}"
    if key.startswith("wdi_"):
        date = re.search(r"\d{4}-\d{2}-\d{2}", src.edition)
        if not src.official_bytes:  # a third-party extract of unstated vintage
            return f"World Bank WDI, IOM GDI extract ({date.group(0) + ', ' if date else ''}WDI vintage unstated)"
        return f"World Bank WDI ({date.group(0) if date else src.edition})"
    if key.startswith("unhcr"):
        version = re.search(r"\d{4}\.\d+\.\d+", src.edition)
        if version:
            return f"UNHCR Refugee Population Statistics ({version.group(0)})"
        return f"UNHCR Refugee Data Finder ({src.edition})"
    if key.startswith("wpp"):
        return f"UN World Population Prospects {year}"
    return f"{src.publisher}, {src.title} ({src.edition})"


#: Basis of the totals by destination and origin, the population and the profile's text.
_IMS = basis_of("undesa_2024_destination")


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
        self.pop_agg = wide("population_aggregates", "population")
        self.wpp, self.wpp_key = None, None
        if "wpp_indicators" in self.tables:
            wpp = store.load("wpp_indicators", data_dir)
            # (location_code, year) x measure; one area is sliced out when asked for
            self.wpp = wpp.set_index(["location_code", "year", "measure"])["value"].unstack("measure").sort_index()
            self.wpp_key = prov["tables"]["wpp_indicators"]["sources"][0]
        self.dest_by_edition = store.load("destination_stock", data_dir)
        self.pop_by_edition = store.load("population", data_dir)
        notes = store.load("destination_notes", data_dir)
        self.notes = notes[notes["edition"] == LATEST].set_index("location_code")
        pub = store.load("destination_published", data_dir)
        self.published = pub[pub["edition"] == LATEST]
        self.bilateral = store.load("bilateral_stock", data_dir) if "bilateral_stock" in self.tables else None
        if self.bilateral is not None:  # few distinct strings in many rows: filtering categories is fast
            self.bilateral = self.bilateral.astype({"dataset": "category", "sex": "category"})
        self.bilateral_rem = (store.load("bilateral_remittances", data_dir)
                              if "bilateral_remittances" in self.tables else None)
        w = store.load("wdi", data_dir)
        # one file per indicator for every figure (the official file before a third-party
        # extract); the others are kept apart (``wdi_other``), e.g. the extract's remittances
        # received, for a net figure of the extract's own vintage
        self.wdi, self.wdi_vintage, self.wdi_dataset, self.wdi_other = {}, {}, {}, {}
        self.wdi_not_reported: dict[str, dict[int, int]] = {}
        for (ind, ds), g in w.groupby(["indicator", "dataset"]):
            g = g.dropna(subset=["location_code"])  # one row per area and year in each file
            wide = g.set_index(["location_code", "year"])["value"].unstack("year").sort_index()
            stopped = {}
            if ind in _ZERO_MEANS_UNREPORTED:
                wide, stopped = reported_values(wide)
            official = SOURCES[ds].official_bytes if ds in SOURCES else True
            if ind not in self.wdi or (official and not SOURCES.get(self.wdi_dataset[ind], SOURCES[ds]).official_bytes):
                if ind in self.wdi:
                    self.wdi_other[(ind, self.wdi_dataset[ind])] = self.wdi[ind]
                self.wdi[ind], self.wdi_dataset[ind] = wide, ds
                self.wdi_vintage[ind], self.wdi_not_reported[ind] = g["vintage"].iloc[0], stopped
            else:
                self.wdi_other[(ind, ds)] = wide
        self.unhcr = store.load("unhcr_refugees", data_dir) if "unhcr_refugees" in self.tables else None
        self.unhcr_dataset = self.unhcr["dataset"].iloc[0] if self.unhcr is not None else "unhcr_population"
        self.countries = store.load("countries", data_dir).set_index("location_code")
        self.names = self.countries[["iso3", "short_name"]]
        if self.bilateral is not None:
            self.bilateral_groups = {
                key: g for key, g in self.bilateral[self.bilateral["sex"] == "both"].groupby(
                    ["dataset", "year"])}
            by_sex = self.bilateral[self.bilateral["sex"] != "both"]
            self._bilateral_by_sex = {key: g for key, g in by_sex.groupby(["dataset", "year", "sex"])}
        else:
            self.bilateral_groups, self._bilateral_by_sex = {}, {}
        # per-country lookups, so that a profile does no scans of whole tables
        self.pop_by_key = _by_key(self.pop_by_edition, "population")
        self.dest_by_key = _by_key(self.dest_by_edition, "migrant_stock")
        self.unhcr_from, self.unhcr_hosted, self.unhcr_idps, self.unhcr_years = {}, {}, {}, []
        self.unhcr_missing_years: list[int] = []
        if self.unhcr is not None:
            u = self.unhcr
            present = sorted(int(y) for y in set(u["year"]))
            # every year from the first to the last; a year with no row at all is a gap in the
            # file (the 1995-2020 extract lacks 2019), never zero
            self.unhcr_years = list(range(present[0], present[-1] + 1))
            self.unhcr_missing_years = sorted(set(self.unhcr_years) - set(present))
            gap = np.isin(np.array(self.unhcr_years), self.unhcr_missing_years)
            # a pair within one area is not a refugee flow; an unknown (or stateless) origin or
            # asylum country is abroad
            abroad = (u["origin_code"] != u["asylum_code"]).fillna(True).astype(bool)
            for side, out in (("origin_code", self.unhcr_from), ("asylum_code", self.unhcr_hosted)):
                part = u[abroad & u[side].notna()]
                sums = part.groupby([side, "year"])[["refugees", "asylum_seekers"]].sum(min_count=1)
                # UNHCR lists every pair with people of concern: no row in a year of the file is 0
                wide = {col: sums[col].unstack("year").reindex(columns=self.unhcr_years).fillna(0.0)
                        for col in ("refugees", "asylum_seekers")}
                for i, code in enumerate(wide["refugees"].index):
                    r = wide["refugees"].to_numpy("float64")[i].copy()
                    a = wide["asylum_seekers"].to_numpy("float64")[i].copy()
                    r[gap], a[gap] = np.nan, np.nan
                    out[int(code)] = (r, a)
            if "idps" in u.columns:
                same = u[(u["origin_code"] == u["asylum_code"]).fillna(False).astype(bool)]
                idp = same.groupby(["origin_code", "year"])["idps"].sum(min_count=1)
                for (code, year), v in idp.items():
                    if pd.notna(v) and v > 0:
                        self.unhcr_idps.setdefault(int(code), {})[int(year)] = float(v)
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
        self.cells = {id(w): _cell_dict(w) for w in (self.dest, self.dest_agg, self.pop, self.orig, self.orig_agg,
                                                      self.pop_agg)}

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

    def has_sexes(self, dataset: str, year: int) -> bool:
        """``True`` when the bilateral dataset gives stocks by sex for ``year``."""
        return (dataset, year, "female") in self._bilateral_by_sex

    def partners(self, dataset: str, year: int, direction: str, code: int,
                 sex: str = "both") -> tuple[np.ndarray, np.ndarray]:
        """Partner codes and stocks of ``code`` in one bilateral dataset-year (emigrants: by destination)."""
        key = (dataset, year, direction, sex)
        if key not in self._partners:
            if sex == "both":
                g = self.bilateral_groups[(dataset, year)]
            else:
                g = self._bilateral_by_sex.get((dataset, year, sex))
                if g is None:
                    raise DataNotAvailableError(f"{basis_of(dataset)} ({year}) gives no stocks by sex.")
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
    from . import locations

    bid = store.build_id(data_dir)
    # keyed by the store's folder, not by how it was named (None, relative or absolute): a kernel
    # forked from a warm server that loaded it as ``None`` reuses its index
    key = f"{locations.processed_dir(data_dir)}:{bid}"
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
                        f"UN DESA publishes no migrant stock for {c.name} in {year}.", basis=_IMS)
    note = ""
    if c.location_code in d.notes.index:
        dt = d.notes.at[c.location_code, "data_type"]
        if isinstance(dt, str) and dt:
            note = f"Data type {dt}: " + _data_type_text(dt)
    return Figure("immigrant_stock" if sex == "both" else f"immigrant_stock_{sex}", label, v,
                  "persons", year, _DEST, note, basis=_IMS)


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
                        f"No population for {c.name} in {year}.", basis=_IMS)
    return Figure("population", "Total population", v, "persons", year, _POP, basis=_IMS)


def immigrant_share(country, year: int = LATEST, *, data_dir=None) -> Figure:
    """Immigrants as % of the total population: stock / population x 100."""
    s, p = immigrant_stock(country, year, data_dir=data_dir), population(country, year, data_dir=data_dir)
    label = "International migrants as % of population"
    if not (s.available and p.available) or p.value == 0:
        return _missing("immigrant_share", label, "percent", year, _DEST,
                        s.note if not s.available else p.note, basis=_IMS)
    return Figure("immigrant_share", label, 100 * s.value / p.value, "percent", year,
                  f"{_DEST}; {_POP}", "migrant stock / total population x 100", basis=_IMS)


def female_share(country, year: int = LATEST, *, data_dir=None) -> Figure:
    """Female immigrants as % of all immigrants."""
    f = immigrant_stock(country, year, "female", data_dir=data_dir)
    b = immigrant_stock(country, year, data_dir=data_dir)
    label = "Women as % of international migrants"
    if not (f.available and b.available) or b.value == 0:
        return _missing("female_share", label, "percent", year, _DEST, "No migrant stock by sex.", basis=_IMS)
    return Figure("female_share", label, 100 * f.value / b.value, "percent", year, _DEST, basis=_IMS)


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
                          "" if ok else f"no value for {base} or {year}", basis=_IMS))
        out.append(Figure(f"{name}_growth_since_{base}",
                          f"{label}: average annual growth {base}-{year}",
                          growth_rate(v0, v1, base, year) if ok else float("nan"),
                          "percent per year", year, source,
                          "100 x ln(S1/S0) / years" if ok else f"no value for {base} or {year}", basis=_IMS))
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
                       float(refugees_in), "yes/no", year, _DEST,
                       "UN DESA added refugees and asylum seekers to the estimate" if refugees_in else "", basis=_IMS))
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
                        f"UN DESA publishes no emigrant stock for {c.name} in {year}.", basis=_IMS)
    return Figure("emigrant_stock" if sex == "both" else f"emigrant_stock_{sex}", label, v,
                  "persons", year, _ORIG, basis=_IMS)


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
                        e.note if not e.available else p.note, basis=_IMS)
    denom = p.value if denominator == "population" else p.value + e.value
    formula = ("emigrants / population x 100" if denominator == "population"
               else "emigrants / (population + emigrants) x 100")
    return Figure(f"emigrant_share_{denominator}", label, 100 * e.value / denom, "percent", year,
                  f"{_ORIG}; {_POP}", formula, basis=_IMS)


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
    """Bilateral datasets in the store with their years (dataset, year, basis, source)."""
    d = _data(data_dir)
    rows = [(ds, int(y), basis_of(ds), _cite(ds)) for (ds, y) in d.bilateral_groups]
    return pd.DataFrame(rows, columns=["dataset", "year", "basis", "source"]).sort_values(
        ["dataset", "year"], ignore_index=True)


#: UN DESA origin x destination tables by edition; within an edition the official workbook
#: comes before its reshaped stand-in.
UNDESA_OD = {2024: ("undesa_2024_od", "undesa_2024_od_gdidata"),
             2019: ("undesa_2019_od", "undesa_2019_od_csv")}
_KNOMAD_OD = ("knomad_migration_2021", "knomad_migration_2017")

_WHY_UNDESA = ("UN DESA's origin x destination tables add refugees and asylum seekers where the type of "
               "data has R (e.g. Syrians in Türkiye); the World Bank/KNOMAD matrices do not everywhere, "
               "so they are used only when no UN DESA table is available, or as a named comparison.")


def _pick_bilateral(year: int, source: str | None, d: _Data) -> tuple[str, int, str]:
    """The bilateral dataset and year for a statement about ``year``, and why it was chosen.

    Default order, on substance rather than nearest year: (1) the UN DESA origin x
    destination table of the profile's edition (International Migrant Stock 2024, official
    workbook or its reshape), whose corridors add up to the edition's totals; (2) else the
    most recent UN DESA origin x destination table in the store (the 2019 edition), at
    ``year`` or its latest year before it; (3) else the World Bank/KNOMAD matrix of the
    nearest year. ``source`` (a registry key or its prefix) overrides the choice.
    """
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
        ds, y = min(cands, key=lambda k: (abs(k[1] - year), -k[1]))
        return ds, y, f"{basis_of(ds)} was chosen by the caller."
    have = {ds for ds, _ in available}

    def latest_not_after(ds):
        years = sorted(y for k, y in available if k == ds)
        before = [y for y in years if y <= year]
        return before[-1] if before else years[0]

    for ds in UNDESA_OD[LATEST]:
        if ds in have:
            y = latest_not_after(ds)
            how = (" (the long-format reshape by IOM GDI, verified against the official totals)"
                   if ds.endswith("_gdidata") else "")
            return ds, y, (f"Corridors come from UN DESA's International Migrant Stock {LATEST} origin x "
                           f"destination table{how}, the same edition as the totals, so they add up to them.")
    for edition in sorted(UNDESA_OD, reverse=True):
        for ds in UNDESA_OD[edition]:
            if ds in have:
                y = latest_not_after(ds)
                return ds, y, (
                    f"The UN DESA International Migrant Stock {LATEST} origin x destination table is not in "
                    f"the data store (`migstats data fetch` downloads it with internet access), so corridors "
                    f"come from the most recent UN DESA origin x destination table, the {edition} edition "
                    f"({y}); shares are of that table's own total. " + _WHY_UNDESA)
    knomad = [(ds, y) for ds, y in available if ds in _KNOMAD_OD]
    if knomad:
        ds, y = min(knomad, key=lambda k: (abs(k[1] - year), -k[1]))
        return ds, y, (f"No UN DESA origin x destination table is in the data store, so corridors come from "
                       f"the {basis_of(ds)} ({y}); shares are of that matrix's own total.")
    ds, y = min(available, key=lambda k: (abs(k[1] - year), -k[1]))
    return ds, y, f"Corridors come from {basis_of(ds)} ({y})."


def _basis_label(dataset: str) -> str:
    b = basis_of(dataset)
    return f"the {b} origin x destination table" if dataset.startswith("undesa_") else f"the {b}"


def _corridor_attrs(out, dataset, byear, why, total, unknown, direction, country, year, **extra):
    out.attrs.update(dataset=dataset, year=byear, source=_cite(dataset), basis=basis_of(dataset),
                     basis_label=_basis_label(dataset), why=why, total=total, unknown=unknown,
                     unknown_share_pct=100 * unknown / total if total else float("nan"),
                     direction=direction, country=country, requested_year=int(year), **extra)
    return out


def corridors(country, year: int = LATEST, direction: str = "emigrants", top_n: int | None = 10, *,
              source: str | None = None, sex: str = "both", data_dir=None) -> pd.DataFrame:
    """Top destinations of a country's emigrants, or top origins of its immigrants.

    Parameters
    ----------
    direction : {"emigrants", "immigrants"}
        ``"emigrants"``: where people from ``country`` live (by destination);
        ``"immigrants"``: where the migrants living in ``country`` come from (by origin).
    top_n : int or None
        Number of rows (``None`` for all partners).
    source : str, optional
        Registry key of the bilateral dataset (see :func:`bilateral_sources`); default:
        chosen on substance (:func:`_pick_bilateral`): the UN DESA origin x destination
        table of the edition, else the most recent UN DESA one, else World Bank/KNOMAD.
    sex : {"both", "male", "female"}
        Sex of the migrants (by sex only where the dataset has it: UN DESA 2024).

    Returns
    -------
    DataFrame
        Columns ``rank``, ``location_code``, ``iso3``, ``name``, ``migrants`` (persons),
        ``share_pct`` (percent of the dataset's own total for the country, unknown
        included) and, where the dataset has sexes, ``female_share_pct`` (women as % of
        the corridor). ``attrs`` hold ``dataset``, ``year``, ``source`` (citation),
        ``basis``, ``why`` (why this dataset), ``total``, ``unknown`` (persons of
        unknown/other partner), ``unknown_share_pct``, ``direction``.

    For a :class:`~migstats.groups.Group`, partners are the countries *outside* the group
    (moves between members are excluded; ``attrs["internal"]`` gives their total).
    """
    if direction not in ("emigrants", "immigrants"):
        raise ValueError("direction must be 'emigrants' or 'immigrants'")
    if sex not in ("both", "male", "female"):
        raise ValueError("sex must be 'both', 'male' or 'female'")
    if _is_group(country):
        return _group_corridors(country, year, direction, top_n, source, data_dir)
    c, d = _country(country, data_dir), _data(data_dir)
    dataset, byear, why = _pick_bilateral(int(year), source, d)
    partners, values = d.partners(dataset, byear, direction, c.location_code, sex)  # unique, sorted
    unknown = float(values[partners == OTHER_CODE].sum())
    known = (partners != c.location_code) & (partners != OTHER_CODE)
    partners, values = partners[known], values[known]
    total_known = float(values.sum())
    if direction == "immigrants" and unknown == 0.0 and dataset.startswith("undesa_2019") and sex == "both":
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
    if sex == "both" and d.has_sexes(dataset, byear):
        fp, fv = d.partners(dataset, byear, direction, c.location_code, "female")
        female = dict(zip(fp.tolist(), fv.tolist()))
        out["female_share_pct"] = [100 * female.get(int(k), float("nan")) / v if v else float("nan")
                                   for k, v in zip(partners, values)]
    return _corridor_attrs(out, dataset, byear, why, total, unknown, direction, c.iso3, year, sex=sex)


def _ranked(s: pd.Series, unknown: float, d: _Data, top_n: int | None) -> tuple[pd.DataFrame, float]:
    """Partners (index: M49 code) ranked by persons, with shares of ``sum + unknown``, and that total."""
    total = float(s.sum()) + unknown
    s = s[s > 0].sort_values(ascending=False, kind="stable")
    if top_n is not None:
        s = s.head(int(top_n))
    names = d.names.reindex(s.index)
    out = pd.DataFrame({"rank": np.arange(1, len(s) + 1, dtype="int64"), "location_code": s.index.astype("int32"),
                        "iso3": names["iso3"].to_numpy(), "name": names["short_name"].to_numpy(),
                        "migrants": s.to_numpy(dtype="float64"),
                        "share_pct": 100 * s.to_numpy() / total if total else np.full(len(s), np.nan)})
    return out, total


def _group_corridors(g, year, direction, top_n, source, data_dir) -> pd.DataFrame:
    d = _data(data_dir)
    dataset, byear, why = _pick_bilateral(int(year), source, d)
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
    out, total = _ranked(s.drop(OTHER_CODE, errors="ignore"), unknown, d, top_n)
    return _corridor_attrs(out, dataset, byear, why, total, unknown, direction, g.name, year,
                           internal=internal, sex="both")


def _raked_table(year: int, seed: str | None, d: _Data) -> tuple[pd.DataFrame, dict]:
    """Origin x destination stocks of ``seed`` (a bilateral table) raked to the edition's totals."""
    from .flows import ipf

    key = ("raked", year, seed)
    if key in d._partners:
        return d._partners[key]
    if seed is None:
        older = [(ds, y) for ds, y in sorted(d.bilateral_groups) if ds not in UNDESA_OD[LATEST]]
        if not older:
            raise DataNotAvailableError("No bilateral table other than the edition's own is in the store to seed "
                                        "a raked estimate.")
        undesa = [k for k in older if k[0].startswith("undesa_")]
        ds, y = max(undesa or older, key=lambda k: (k[1] <= year, k[1]))
    else:
        ds, y, _ = _pick_bilateral(year, seed, d)
    g = d.bilateral_groups[(ds, y)]
    codes = d.countries.index.to_numpy().astype(int)
    origins = np.append(codes, OTHER_CODE)
    o_ix = {c: i for i, c in enumerate(origins)}
    d_ix = {c: i for i, c in enumerate(codes)}
    m = np.zeros((len(origins), len(codes)))
    keep = g["origin_code"].isin(o_ix) & g["destination_code"].isin(d_ix) & (g["origin_code"] != g["destination_code"])
    gg = g[keep]
    np.add.at(m, (gg["origin_code"].map(o_ix).to_numpy(), gg["destination_code"].map(d_ix).to_numpy()),
              gg["migrant_stock"].to_numpy("float64"))
    if not m[-1].any() and ds.startswith("undesa_2019"):
        # the 2019 table has no "OTHER" row: unknown origin = its published total - known origins
        # (as in :func:`corridors`)
        published = np.array([d.dest_by_key.get((2019, int(c), y), np.nan) for c in codes])
        m[-1] = np.clip(np.nan_to_num(published - m[:-1].sum(axis=0)), 0, None)
    rows = np.array([_cell(d.orig, int(c), year) for c in codes] + [_cell(d.orig_agg, OTHER_CODE, year)])
    cols = np.array([_cell(d.dest, int(c), year) for c in codes])
    rows, cols = np.nan_to_num(rows), np.nan_to_num(cols)
    # an area whose whole row or column is empty in the seed cannot be placed: left out, reported
    unplaced_o = (m.sum(axis=1) == 0) & (rows > 0)
    unplaced_d = (m.sum(axis=0) == 0) & (cols > 0)
    rows[unplaced_o], cols[unplaced_d] = 0.0, 0.0
    rows *= cols.sum() / rows.sum() if rows.sum() else 1.0  # the placed totals agree
    est = ipf(m, rows, cols)
    info = {"seed_dataset": ds, "seed_year": y, "unplaced_origins": origins[unplaced_o].tolist(),
            "unplaced_destinations": codes[unplaced_d].tolist()}
    d._partners[key] = (pd.DataFrame(est, index=origins, columns=codes), info)
    return d._partners[key]


def raked_corridors(country, year: int = LATEST, direction: str = "emigrants", top_n: int | None = 10, *,
                    seed: str | None = None, data_dir=None) -> pd.DataFrame:
    """An ESTIMATE, never the default: the latest other bilateral pattern raked to the edition's totals.

    For users who want one year's picture where the edition's own origin x destination table
    is not available: the pattern of ``seed`` (default: the most recent UN DESA origin x
    destination table of an earlier edition, else World Bank/KNOMAD) is fitted by iterative
    proportional fitting (:func:`migstats.flows.ipf`) to UN DESA International Migrant Stock
    2024 totals by origin (unknown origin included) and by destination for ``year``. Corridors
    absent from the seed stay zero; areas with no corridor in the seed are left out and listed
    in ``attrs``. Same columns as :func:`corridors`; ``attrs["basis"]`` says it is an estimate.
    """
    if direction not in ("emigrants", "immigrants"):
        raise ValueError("direction must be 'emigrants' or 'immigrants'")
    c, d = _country(country, data_dir), _data(data_dir)
    year = _check_year(year)
    table, info = _raked_table(year, seed, d)
    if direction == "emigrants":
        s = table.loc[c.location_code] if c.location_code in table.index else pd.Series(dtype="float64")
        unknown = 0.0
    else:
        s = table[c.location_code] if c.location_code in table.columns else pd.Series(dtype="float64")
        unknown = float(s.get(OTHER_CODE, 0.0))
        s = s.drop(OTHER_CODE, errors="ignore")
    out, total = _ranked(s, unknown, d, top_n)
    sb = basis_of(info["seed_dataset"])
    out.attrs.update(dataset="raked", year=year, source=f"{_cite(info['seed_dataset'])}; {_ORIG}; {_DEST}",
                     basis=f"Estimate: {sb} ({info['seed_year']}) pattern raked to {_IMS} totals",
                     basis_label=f"an estimate raking the {sb} pattern ({info['seed_year']}) to the {_IMS} totals",
                     why="Explicitly requested estimate (iterative proportional fitting); not published figures.",
                     total=total, unknown=unknown, unknown_share_pct=100 * unknown / total if total else float("nan"),
                     direction=direction, country=c.iso3, requested_year=year, estimate=True, **info)
    return out


def diaspora_concentration(country, year: int = LATEST, *, source: str | None = None,
                           data_dir=None) -> list[Figure]:
    """Concentration of a country's emigrants across destinations.

    ``hhi`` is the Herfindahl-Hirschman index, the sum of squared destination shares of the
    known total (fractions, 0-1; 1 = everyone in one country); ``top5_share`` the percent of
    emigrants in the five largest destinations (of the bilateral dataset's own total).
    """
    allc = corridors(country, year, "emigrants", None, source=source, data_dir=data_dir)
    src, byear, basis = allc.attrs["source"], allc.attrs["year"], allc.attrs["basis"]
    if allc.empty:
        reason = "No bilateral emigrant data for this area."
        return [_missing("diaspora_hhi", "Diaspora concentration (HHI, 0-1)", "index 0-1", byear, src, reason,
                         basis),
                _missing("diaspora_top5_share", "Share of emigrants in top 5 destinations", "percent",
                         byear, src, reason, basis)]
    frac = allc["migrants"] / allc["migrants"].sum()
    dated = int(year) - byear > 3
    return [Figure("diaspora_hhi", "Diaspora concentration (HHI, 0-1)", float((frac ** 2).sum()),
                   "index 0-1", byear, src, "sum of squared destination shares", basis, dated),
            Figure("diaspora_top5_share", "Share of emigrants in top 5 destinations",
                   float(allc["share_pct"].head(5).sum()), "percent", byear, src, basis=basis, dated=dated)]


def corridor_change(country, start: int = 1990, end: int = 2019, direction: str = "emigrants",
                    top_n: int = 10, *, source: str | None = None, data_dir=None) -> pd.DataFrame:
    """Change of the top corridors between two years of one bilateral dataset.

    Returns the top ``top_n`` partners in ``end`` with their stocks in ``start`` and ``end``,
    the absolute change (persons) and the average annual growth (% per year). Both years
    come from the same dataset (one basis).
    """
    d = _data(data_dir)
    ds_end, y_end, _ = _pick_bilateral(end, source, d)
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
    out.attrs.update(dataset=ds_end, source=_cite(ds_end), basis=basis_of(ds_end), start=start, end=end,
                     direction=direction)
    return out


# -- refugees ----------------------------------------------------------------------------------------
def refugees(country, *, data_dir=None) -> pd.DataFrame:
    """Refugees and asylum seekers from and in ``country`` by year (UNHCR).

    Returns
    -------
    DataFrame
        ``year``, ``refugees_from`` (abroad, by country of asylum), ``asylum_seekers_from``,
        ``refugees_hosted`` (every origin, including stateless and unknown origins),
        ``asylum_seekers_hosted`` and ``idps`` (internally displaced people of concern to
        UNHCR, where UNHCR has them); persons. A year absent from the UNHCR file is a row of
        NaN (a gap, never bridged); in a year of the file, a pair UNHCR does not list is 0.
        An area the file never lists as a country of asylum (Tuvalu, most small territories)
        has NaN hosted columns, and one never listed as a country of origin NaN ``*_from``
        columns: UNHCR has no statistics for it on that side, which is not a count of 0.
        Empty with ``attrs["note"]`` when UNHCR data are not in the store.
    """
    c, d = _country(country, data_dir), _data(data_dir)
    cols = ["year", "refugees_from", "asylum_seekers_from", "refugees_hosted", "asylum_seekers_hosted", "idps"]
    if d.unhcr is None:
        out = pd.DataFrame(columns=cols)
        out.attrs.update(source="", basis="", note="UNHCR data are not in the store.")
        return out
    years = np.array(d.unhcr_years, dtype="int64")
    unlisted = np.full(len(years), np.nan)
    a = d.unhcr_from.get(c.location_code, (unlisted, unlisted))
    h = d.unhcr_hosted.get(c.location_code, (unlisted, unlisted))
    idp = d.unhcr_idps.get(c.location_code, {})
    out = pd.DataFrame({"year": years, "refugees_from": a[0], "asylum_seekers_from": a[1],
                        "refugees_hosted": h[0], "asylum_seekers_hosted": h[1],
                        "idps": [idp.get(int(y), float("nan")) for y in years]})
    key = _unhcr_key(d)
    note = "A pair UNHCR does not list in a year of its file counts as 0."
    if d.unhcr_missing_years:
        note += (" The file has no data for " + ", ".join(map(str, d.unhcr_missing_years))
                 + ": shown as a gap.")
    sides = [side for side, table in (("origin", d.unhcr_from), ("asylum", d.unhcr_hosted))
             if c.location_code not in table]
    if sides:
        note += " " + _never_listed(c, *sides).rstrip(".") + ": those figures are not available (not 0)."
    out.attrs.update(source=_cite(key), basis=basis_of(key), note=note)
    return out


def _never_listed(c, *sides: str) -> str:
    """"UNHCR's file never lists X as an origin (or as a country of asylum)." ``sides``: "origin", "asylum"."""
    from .narrative import place_name

    words = {"origin": "an origin", "asylum": "a country of asylum"}
    return f"UNHCR's file never lists {place_name(c)} as {' or as '.join(words[s] for s in sides)}."


def _unhcr_key(d: _Data) -> str:
    return d.unhcr_dataset


def refugee_figures(country, year: int = LATEST, *, data_dir=None) -> list[Figure]:
    """Refugees and asylum seekers abroad and hosted, and IDPs, in UNHCR's latest year.

    UNHCR counts at the end of each calendar year: for the latest UN DESA year (2024) the
    latest year of the UNHCR file (2025), for an earlier profile year the end of that year
    (or the latest year before it with data); ``dated`` when more than three years before
    ``year``. Persons.
    """
    c, d = _country(country, data_dir), _data(data_dir)
    r = refugees(c, data_dir=data_dir)
    basis, src = r.attrs.get("basis", ""), r.attrs.get("source", "")
    from .narrative import place_name

    names = [("refugees_abroad", "refugees_from", f"Refugees from {place_name(c)} abroad"),
             ("asylum_seekers_abroad", "asylum_seekers_from", f"Asylum seekers from {place_name(c)} abroad"),
             ("refugees_hosted", "refugees_hosted", "Refugees hosted"),
             ("asylum_seekers_hosted", "asylum_seekers_hosted", "Asylum seekers hosted")]
    last_year = int(r["year"].max()) if len(r) else year
    ok = (r[(r["year"] <= (last_year if year == LATEST else year)) & ~r["year"].isin(d.unhcr_missing_years)]
          if len(r) else r)
    if not len(ok):
        reason = r.attrs.get("note", "No UNHCR data.")
        return [_missing(n, label, "persons", None, src, reason, basis) for n, _, label in names]
    last = ok.iloc[-1]
    y = int(last["year"])
    dated = year - y > 3
    figs = [Figure(n, label, float(last[col]), "persons", y, src,
                   "end of year; UNHCR's mandate" if n.startswith("refugees") else "end of year", basis, dated)
            if pd.notna(last[col]) else
            _missing(n, label, "persons", y, src, _never_listed(c, "origin" if col.endswith("_from") else "asylum"),
                     basis)
            for n, col, label in names]
    if pd.notna(last["idps"]):
        figs.append(Figure("idps", f"Internally displaced people in {place_name(c)} (of concern to UNHCR)",
                           float(last["idps"]), "persons", y, src, "end of year", basis, dated))
    return figs


# -- remittances -----------------------------------------------------------------------------------
#: WDI series in which a trailing run of exact zeros means "no longer reported" (see
#: :func:`reported_values`).
_ZERO_MEANS_UNREPORTED = (_WDI_RECEIVED, _WDI_PAID, _WDI_PCT_GDP)


def reported_values(wide: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, int]]:
    """Blank the zeros that mean "not reported" in a wide series (index area, columns years).

    The World Bank files carry 0 for every year after an economy stopped reporting
    remittances (Syria from 2011), and 0 from 2005 for economies that never reported them
    (Singapore, Iran): a trailing run of exact zeros after the last non-zero value, a leading
    run before the first one, and a series of zeros only are set to ``NaN``. A zero between
    two reported values stays a zero. Returns the cleaned table and ``{area: first year of
    the trailing run}`` (the year reporting stopped, for the data notes).
    """
    values = wide.to_numpy("float64", copy=True)
    years = np.asarray(wide.columns, dtype="int64")
    n = values.shape[1]
    nonzero = ~np.isnan(values) & (values != 0)
    has = nonzero.any(axis=1)
    last = np.where(has, n - 1 - np.argmax(nonzero[:, ::-1], axis=1), -1)
    first_nz = np.where(has, np.argmax(nonzero, axis=1), n)
    cols = np.arange(n)[None, :]
    trailing = (cols > last[:, None]) & (values == 0) & has[:, None]
    outside = ((cols > last[:, None]) | (cols < first_nz[:, None])) & (values == 0)
    values[outside] = np.nan
    stopped = {int(code): int(years[np.argmax(row)]) for code, row in zip(wide.index, trailing) if row.any()}
    return pd.DataFrame(values, index=wide.index, columns=wide.columns), stopped


def _wdi_basis(d: _Data, indicator: str) -> str:
    key = d.wdi_dataset.get(indicator)
    if key is None:
        return f"World Bank WDI ({d.wdi_vintage.get(indicator, 'vintage unknown')})"
    return basis_of(key)


def _wdi_row(d: _Data, indicator: str, code: int) -> dict[int, float]:
    return _wdi_row_of(d.wdi.get(indicator), code)


def _wdi_row_of(tab: pd.DataFrame | None, code: int) -> dict[int, float]:
    """``{year: value}`` of one area in a wide WDI table (missing years left out)."""
    if tab is None or code not in tab.index:
        return {}
    row = tab.loc[code]
    return {int(y): float(v) for y, v in zip(row.index, row.to_numpy("float64")) if not math.isnan(v)}


def remittance_series(country, *, data_dir=None) -> pd.DataFrame:
    """Remittances by year: received, paid, GDP (current US$) and received as % of GDP.

    Zeros after an economy stopped reporting are missing, not zero (:func:`reported_values`).
    ``received_pct_gdp`` is the published WDI series when cached, else received / GDP x 100
    of the same year (``pct_gdp_source`` says which). ``attrs["bases"]`` names the basis of
    each column; ``attrs["not_reported_from"]`` the first year blanked per series.
    For a :class:`~migstats.groups.Group`, see :func:`_group_remittance_series`.
    """
    if _is_group(country):
        return _group_remittance_series(country, data_dir)
    c, d = _country(country, data_dir), _data(data_dir)
    code = c.location_code
    if code in d._remittance_series:
        return d._remittance_series[code].copy()
    rec, paid, gdp, pct = (_wdi_row(d, i, code) for i in (_WDI_RECEIVED, _WDI_PAID, _WDI_GDP, _WDI_PCT_GDP))
    years = sorted(set(rec) | set(paid))  # every year has received or paid
    nan = float("nan")
    out = pd.DataFrame({"year": np.array(years, dtype="int64"),
                        "received_usd": np.array([rec.get(y, nan) for y in years], dtype="float64"),
                        "paid_usd": np.array([paid.get(y, nan) for y in years], dtype="float64"),
                        "gdp_usd": np.array([gdp.get(y, nan) for y in years], dtype="float64")})
    same_vintage = d.wdi_vintage.get(_WDI_RECEIVED) == d.wdi_vintage.get(_WDI_GDP)
    if len(pct):
        out["received_pct_gdp"] = np.array([pct.get(y, nan) for y in years], dtype="float64")
        out["pct_gdp_source"] = "published (WDI BX.TRF.PWKR.DT.GD.ZS)"
    else:
        out["received_pct_gdp"] = 100 * out["received_usd"] / out["gdp_usd"]
        out["pct_gdp_source"] = "computed: received / GDP x 100, same year"
    bases = {"received_usd": _wdi_basis(d, _WDI_RECEIVED), "paid_usd": _wdi_basis(d, _WDI_PAID),
             "gdp_usd": _wdi_basis(d, _WDI_GDP), "received_pct_gdp": _wdi_basis(d, _WDI_RECEIVED)}
    stopped = {ind: d.wdi_not_reported.get(ind, {}).get(code) for ind in (_WDI_RECEIVED, _WDI_PAID)}
    notes = []
    if not len(pct) and not same_vintage:
        notes.append("Received % of GDP computed from two WDI vintages: remittances "
                     f"{d.wdi_vintage.get(_WDI_RECEIVED, '?')}, GDP {d.wdi_vintage.get(_WDI_GDP, '?')}.")
    for ind, y in stopped.items():
        if y is not None:
            what = "received" if ind == _WDI_RECEIVED else "paid"
            notes.append(f"The World Bank file gives 0 for remittances {what} from {y} on, after the last "
                         "reported value: treated as not reported.")
    out.attrs.update(source=_cite("wdi_remittances_received"), basis=bases["received_usd"], bases=bases,
                     vintages=dict(d.wdi_vintage), not_reported_from=stopped, note=" ".join(notes))
    d._remittance_series[code] = out
    return out.copy()


#: Minimum share of a group's population that members with data must cover for a sum to be
#: shown as the group's figure.
GROUP_COVERAGE_MIN_PCT = 90.0


def _member_weights(d: _Data, members) -> pd.Series:
    """Population of each member (UN DESA 2024, persons), the weights of group coverage."""
    return pd.Series([_cell(d.pop, m, LATEST) for m in members], index=list(members), dtype="float64").fillna(0.0)


def _coverage(ok: np.ndarray, weights: pd.Series) -> tuple[int, float]:
    total = float(weights.sum())
    return int(ok.sum()), (100 * float(weights[ok].sum()) / total if total else float("nan"))


def coverage_text(n: int, of: int, pct: float) -> str:
    """"4 of 5 members, 93% of the group's population"."""
    return f"{n} of {of} members, {pct:.0f}% of the group's population"


def _group_remittance_series(g, data_dir) -> pd.DataFrame:
    """Group sums per year over the members with data that year, with their coverage.

    ``members_with_data`` and ``coverage_pct`` (share of the group's population, UN DESA
    2024) say what each sum covers; a sum covering less than
    :data:`GROUP_COVERAGE_MIN_PCT` % is kept in ``received_usd_partial`` and left out of
    ``received_usd`` (it is not the group's figure). ``gdp_usd`` and ``received_pct_gdp``
    are sums over the members with both series that year (``members_with_gdp``,
    ``coverage_pct_gdp``), under the same coverage rule.
    """
    d = _data(data_dir)
    mem = list(g.members)
    weights = _member_weights(d, mem)
    cols = ["year", "received_usd", "paid_usd", "gdp_usd", "received_pct_gdp", "pct_gdp_source",
            "members_with_data", "coverage_pct", "received_usd_partial", "members_with_gdp", "coverage_pct_gdp"]
    rec, gdp = d.wdi.get(_WDI_RECEIVED), d.wdi.get(_WDI_GDP)
    rows = []
    if rec is not None:
        sub = rec.reindex(mem)
        gsub = gdp.reindex(mem) if gdp is not None else None
        for y in sub.columns:
            ok = sub[y].notna().to_numpy()
            if not ok.any():
                continue
            n, cov = _coverage(ok, weights)
            r_sum = float(sub.loc[ok, y].sum())
            full = cov >= GROUP_COVERAGE_MIN_PCT
            # % of GDP over the members with both series that year, with its own coverage
            both = ok & (gsub[y].notna().to_numpy() if gsub is not None and y in gsub.columns
                         else np.zeros(len(mem), bool))
            nb, cb = _coverage(both, weights)
            rb, gb = float(sub.loc[both, y].sum()), float(gsub.loc[both, y].sum()) if both.any() else float("nan")
            pct_ok = both.any() and cb >= GROUP_COVERAGE_MIN_PCT and gb > 0
            rows.append((int(y), r_sum if full else float("nan"), float("nan"), gb if pct_ok else float("nan"),
                         100 * rb / gb if pct_ok else float("nan"),
                         "computed: received / GDP x 100 over the members with both", n, cov, r_sum, nb, cb))
    out = pd.DataFrame(rows, columns=cols)
    basis = _wdi_basis(d, _WDI_RECEIVED)
    out.attrs.update(source=_cite("wdi_remittances_received"), basis=basis,
                     bases={"received_usd": basis, "gdp_usd": _wdi_basis(d, _WDI_GDP)},
                     vintages=dict(d.wdi_vintage), members=len(mem),
                     note=(f"Sums over the members with data each year; a year whose members with data "
                           f"hold less than {GROUP_COVERAGE_MIN_PCT:.0f}% of the group's population is not "
                           "shown as the group's figure."))
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
    out.attrs.update(source=_cite(key), basis=basis_of(key), year=int(latest), total=total,
                     note="Model estimates from migrant stocks and incomes, not reported flows "
                          "(the publisher's own caveat).")
    return out


def remittances(country, year: int = LATEST, *, data_dir=None) -> list[Figure]:
    """Remittance figures for the latest reported year up to ``year``.

    * ``remittances_received`` — latest reported year (zeros after reporting stopped are
      missing); ``dated`` when more than three years before ``year``.
    * ``remittances_pct_gdp`` — received / GDP of the *same* year (or the published WDI
      ratio): the year of ``remittances_received`` when GDP exists for it, else the latest
      year with both, which the note says.
    * ``remittances_paid`` — latest reported year; ``net_remittances`` = received - paid for
      the latest year with both, only when both come from the same basis.
    * ``remittances_per_emigrant`` — received / UN DESA emigrant stock: a ratio across two
      bases, kept for teaching (its label says so); profiles do not show it.
    """
    c, d = _country(country, data_dir), _data(data_dir)
    ts = remittance_series(c, data_dir=data_dir)
    src, bases = ts.attrs["source"], ts.attrs["bases"]
    rb, pb = bases["received_usd"], bases["paid_usd"]
    figs = []
    years, received, paid_usd = (ts[k].to_numpy() for k in ("year", "received_usd", "paid_usd"))
    pct, pct_source, gdp = (ts[k].to_numpy() for k in ("received_pct_gdp", "pct_gdp_source", "gdp_usd"))
    rec = np.flatnonzero(~np.isnan(received) & (years <= year))  # rows with received, by year
    stopped = ts.attrs["not_reported_from"].get(_WDI_RECEIVED)
    if not len(rec):
        reason = (f"The World Bank reports no personal remittances received for {c.name}"
                  + (f" (its file gives 0 from {stopped} on, treated as not reported)." if stopped else "."))
        figs.append(_missing("remittances_received", "Personal remittances received", "current US$",
                             None, src, reason, rb))
        figs.append(_missing("remittances_pct_gdp", "Remittances received as % of GDP", "percent",
                             None, src, reason, rb))
        figs.append(_missing("remittances_per_emigrant", "Remittances received per emigrant (WDI / UN DESA)",
                             "US$ per emigrant", None, src, reason, f"{rb} / {_IMS}"))
    else:
        last = rec[-1]
        y = int(years[last])
        note = (f"last reported year; the file gives 0 from {stopped} on, treated as not reported"
                if stopped else "")
        figs.append(Figure("remittances_received", "Personal remittances received",
                           float(received[last]), "current US$", y, src, note, rb, year - y > 3))
        pct_rows = rec[~np.isnan(pct[rec])]
        if not len(pct_rows):
            figs.append(_missing("remittances_pct_gdp", "Remittances received as % of GDP", "percent",
                                 y, src, "No GDP for the years with remittance data.", rb))
        else:
            p = pct_rows[-1]
            py = int(years[p])
            how = str(pct_source[p])
            if py != y:
                how += f"; latest year with both remittances and GDP ({py})"
            figs.append(Figure("remittances_pct_gdp", "Remittances received as % of GDP",
                               float(pct[p]), "percent", py, f"{src}; {_cite(d.wdi_dataset.get(_WDI_GDP, 'wdi_gdp'))}",
                               f"{how}. {ts.attrs['note']}".strip(), rb, year - py > 3))
        ey = min(EDITION_YEARS, key=lambda e: (abs(e - y), -e))
        em = emigrant_stock(c, ey, data_dir=data_dir)
        if em.available and em.value > 0:
            figs.append(Figure("remittances_per_emigrant", "Remittances received per emigrant (WDI / UN DESA)",
                               float(received[last]) / em.value, "US$ per emigrant", y,
                               f"{src}; {_ORIG}",
                               f"ratio across two bases: remittances {y} ({rb}) / emigrant stock {ey} ({_IMS})",
                               f"{rb} / {_IMS}"))
        else:
            figs.append(_missing("remittances_per_emigrant", "Remittances received per emigrant (WDI / UN DESA)",
                                 "US$ per emigrant", y, src, "No emigrant stock.", f"{rb} / {_IMS}"))
    psrc = _cite(d.wdi_dataset.get(_WDI_PAID, "wdi_remittances_paid"))
    paid = np.flatnonzero(~np.isnan(paid_usd) & (years <= year))
    if not len(paid):
        have = _WDI_PAID in d.wdi
        figs.append(_missing("remittances_paid", "Personal remittances paid", "current US$", None, psrc,
                             f"The World Bank reports no personal remittances paid for {c.name}." if have else
                             "Remittances paid (WDI BM.TRF.PWKR.CD.DT) are not in the data store.", pb))
        figs.append(_missing("net_remittances", "Net remittances (received - paid)", "current US$", None, psrc,
                             "No remittances paid.", pb))
    else:
        py = int(years[paid[-1]])
        figs.append(Figure("remittances_paid", "Personal remittances paid", float(paid_usd[paid[-1]]),
                           "current US$", py, psrc, "", pb, year - py > 3))
        both = paid[~np.isnan(received[paid])]
        paid_ds = d.wdi_dataset.get(_WDI_PAID)
        same_file = d.wdi_other.get((_WDI_RECEIVED, paid_ds))
        if rb != pb and same_file is not None:
            # received and paid of one vintage: both from the file that gives the paid series
            rec_same = _wdi_row_of(same_file, c.location_code)
            ys = [int(y) for y in years[paid] if int(y) in rec_same]
            if ys:
                ny = ys[-1]
                paid_at = dict(zip(years.astype(int), paid_usd))
                figs.append(Figure("net_remittances", "Net remittances (received - paid)",
                                   rec_same[ny] - float(paid_at[ny]), "current US$", ny, psrc,
                                   f"received - paid, {ny}, both from the file of the paid series (one vintage; "
                                   f"its received figure may differ from the {rb} figure)", pb, year - ny > 3))
            else:
                figs.append(_missing("net_remittances", "Net remittances (received - paid)", "current US$",
                                     None, psrc, "No year with both received and paid in one file.", pb))
        elif rb != pb:
            figs.append(_missing("net_remittances", "Net remittances (received - paid)", "current US$", None,
                                 psrc, f"Not computed: remittances received ({rb}) and paid ({pb}) come from "
                                       "different editions.", pb))
        elif not len(both):
            figs.append(_missing("net_remittances", "Net remittances (received - paid)", "current US$", None,
                                 psrc, "No year with both received and paid.", pb))
        else:
            ny = int(years[both[-1]])
            figs.append(Figure("net_remittances", "Net remittances (received - paid)",
                               float(received[both[-1]] - paid_usd[both[-1]]), "current US$", ny, psrc,
                               "received - paid, same year", pb, year - ny > 3))
    return figs


# -- context -------------------------------------------------------------------------------------
def context(country, year: int = LATEST, *, data_dir=None) -> list[Figure]:
    """Population (UN DESA 2024), GDP and GDP per capita (World Bank WDI, one vintage).

    GDP per capita is GDP / population of the same year, both from WDI (SP.POP.TOTL of the
    GDP's vintage); without WDI population it is not available (never a ratio across sources).
    """
    c, d = _country(country, data_dir), _data(data_dir)
    figs = [population(c, year, data_dir=data_dir)]
    gdp, wpop = _wdi_row(d, _WDI_GDP, c.location_code), _wdi_row(d, _WDI_POP, c.location_code)
    gsrc, gb = _cite(d.wdi_dataset.get(_WDI_GDP, "wdi_gdp")), _wdi_basis(d, _WDI_GDP)
    gy = max((y for y in gdp if y <= max(year, 0)), default=None)
    if gy is None:
        figs.append(_missing("gdp", "GDP", "current US$", None, gsrc, f"No GDP for {c.name} in WDI.", gb))
        figs.append(_missing("gdp_per_capita", "GDP per capita", "current US$ per person", None, gsrc,
                             f"No GDP for {c.name} in WDI.", gb))
        return figs
    figs.append(Figure("gdp", "GDP", gdp[gy], "current US$", gy, gsrc, "", gb, year - gy > 3))
    both = [y for y in gdp if y in wpop and y <= max(year, 0)]
    if _WDI_POP not in d.wdi or _wdi_basis(d, _WDI_POP) != gb:
        figs.append(_missing("gdp_per_capita", "GDP per capita", "current US$ per person", gy, gsrc,
                             "WDI population of the GDP's vintage is not in the data store.", gb))
    elif not both:
        figs.append(_missing("gdp_per_capita", "GDP per capita", "current US$ per person", gy, gsrc,
                             f"No WDI population for {c.name}.", gb))
    else:
        py = max(both)
        figs.append(Figure("gdp_per_capita", "GDP per capita", gdp[py] / wpop[py], "current US$ per person", py,
                           gsrc, f"GDP {py} / population {py} (WDI)", gb, year - py > 3))
    return figs


def _interpolated_population(d: _Data, code: int, year: int) -> float:
    ys = np.array(EDITION_YEARS, dtype=float)
    vs = np.array([_cell(d.pop, code, y) for y in EDITION_YEARS], dtype=float)
    ok = ~np.isnan(vs)
    if not ok.any():
        return float("nan")
    return float(np.interp(year, ys[ok], vs[ok]))


# -- demography (UN World Population Prospects) -------------------------------------------------------
_WPP_MEASURES = ("births", "deaths", "net_migration", "population_change", "cbr", "cdr", "cnmr")


def demography(country, *, data_dir=None) -> pd.DataFrame | None:
    """Births, deaths, net migration and population change by year, with crude rates (UN WPP).

    Returns
    -------
    DataFrame or None
        ``year`` and one column per measure: ``births``, ``deaths``, ``net_migration``,
        ``population_change`` (persons per calendar year) and ``cbr``, ``cdr``, ``cnmr``
        (per 1,000 population); ``attrs`` name the basis (UN World Population Prospects 2024,
        estimates). ``None`` when WPP is not in the store.
    """
    c, d = _country(country, data_dir), _data(data_dir)
    if d.wpp is None:
        return None
    if c.location_code in d.wpp.index.get_level_values(0):
        out = d.wpp.xs(c.location_code, level="location_code").reset_index()
        out.columns.name = None
    else:
        out = pd.DataFrame(columns=["year", *_WPP_MEASURES])
    out.attrs.update(source=_cite(d.wpp_key), basis=basis_of(d.wpp_key),
                     note="Estimates; counts per calendar year, rates per 1,000 population.")
    return out


def demography_figures(country, year: int = LATEST, *, data_dir=None) -> list[Figure]:
    """Net migration and its crude rate in the latest WPP year up to ``year`` (UN WPP 2024)."""
    c, d = _country(country, data_dir), _data(data_dir)
    if d.wpp is None:
        return []
    df = demography(c, data_dir=data_dir)
    src, basis = df.attrs["source"], df.attrs["basis"]
    ok = df[(df["year"] <= year) & df["net_migration"].notna()]
    if not len(ok):
        reason = f"{basis} has no estimates for {c.name}."
        return [_missing("net_migration", "Net migration (immigrants minus emigrants)", "persons", None, src,
                         reason, basis),
                _missing("net_migration_rate", "Net migration rate", "per 1,000 population", None, src, reason,
                         basis)]
    last = ok.iloc[-1]
    y = int(last["year"])
    return [Figure("net_migration", "Net migration (immigrants minus emigrants)", float(last["net_migration"]),
                   "persons", y, src, "WPP estimate for the calendar year", basis, year - y > 3),
            Figure("net_migration_rate", "Net migration rate", float(last["cnmr"]), "per 1,000 population", y,
                   src, "crude net migration rate", basis, year - y > 3)]


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
    out.attrs.update(source=f"{_DEST}; {_ORIG}; {_POP}", basis=_IMS, denominator=denominator)
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
        out.attrs.update(name=name, label=label, unit=unit, year=year, source=src, basis=_IMS)
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
        out.attrs.update(name=name, label=label, unit=unit, year=yr, source=_cite("wdi_remittances_received"),
                         basis=_wdi_basis(d, _WDI_RECEIVED))
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
        Key figures (immigration, emigration, refugees, remittances, context,
        concentration), each with its ``basis``.
    destinations, origins : DataFrame
        Top corridors (see :func:`corridors`); ``attrs["basis"]`` and ``attrs["why"]`` say
        which bilateral table they come from and why.
    trend, remittance_series, refugees, editions, top_senders, corridor_change : DataFrame
    notes : list of str
        Data notes (type of data, bilateral basis, territories, gaps, estimates).
    basis : str
        Basis of the profile's totals (UN DESA International Migrant Stock 2024).
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
    basis: str = _IMS
    demography: pd.DataFrame | None = None

    def figure(self, name: str) -> Figure:
        """The figure called ``name`` (KeyError if absent)."""
        for f in self.figures:
            if f.name == name:
                return f
        raise KeyError(name)

    def value(self, name: str) -> float:
        return self.figure(name).value

    def figures_table(self) -> pd.DataFrame:
        """Key figures as a tidy table (name, label, value, unit, year, basis, source, note, ...)."""
        df = pd.DataFrame([f.to_dict() for f in self.figures])
        df["year"] = df["year"].astype("Int64")
        return df

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the profile by name (the CSV export writes these)."""
        out = {"top_destinations": self.destinations, "top_origins": self.origins, "trend": self.trend,
               "remittances": self.remittance_series, "remittance_senders": self.top_senders,
               "refugees": self.refugees, "editions": self.editions}
        if self.corridor_change is not None:
            out["corridor_change"] = self.corridor_change
        if self.demography is not None:
            out["demography"] = self.demography
        for extra in ("members", "internal"):
            if getattr(self, extra, None) is not None:
                out[extra] = getattr(self, extra)
        return out

    def sources(self) -> list[str]:
        """Every source cited by a figure or table of the profile."""
        cited = {f.source for f in self.figures if f.source}
        for df in self.tables().values():
            if df is not None and df.attrs.get("source"):
                cited.add(df.attrs["source"])
        out = set()
        for s in cited:
            out.update(p.strip() for p in s.split(";") if p.strip())
        return sorted(out)

    def bases(self) -> list[str]:
        """Every basis (publication and edition) the profile's figures and tables rest on."""
        out = {f.basis for f in self.figures if f.available and f.basis and " / " not in f.basis}
        for df in self.tables().values():
            if df is not None and df.attrs.get("basis"):
                out.add(df.attrs["basis"])
        return sorted(out)

    def _country_dict(self) -> dict:
        c = self.country
        return {"iso3": c.iso3, "name": c.name, "location_code": c.location_code,
                "region": c.un_region, "subregion": c.un_subregion}

    def to_dict(self) -> dict:
        """Plain-JSON form: every figure as a number with unit, basis and source."""
        def table(df):
            if df is None:
                return None
            return {"source": df.attrs.get("source", ""), "basis": df.attrs.get("basis", ""),
                    "year": df.attrs.get("year"), "note": df.attrs.get("note", ""), "rows": json_records(df)}
        return {
            "country": self._country_dict(),
            "year": self.year, "denominator": self.denominator, "basis": self.basis,
            "figures": [f.to_dict() for f in self.figures],
            "destinations": table(self.destinations), "origins": table(self.origins),
            "top_remittance_senders": table(self.top_senders),
            "refugees": table(self.refugees),
            "notes": self.notes, "sources": self.sources(), "bases": self.bases(),
        }


def json_records(df: pd.DataFrame) -> list[dict]:
    """DataFrame rows as JSON-safe dicts (NaN -> None, numpy scalars -> Python)."""
    out = []
    for rec in df.to_dict(orient="records"):
        out.append({k: (None if isinstance(v, float) and math.isnan(v) else
                        v.item() if hasattr(v, "item") else v) for k, v in rec.items()})
    return out


#: Figures computed for the API that a profile does not show (ratios across two bases).
_NOT_IN_PROFILE = ("remittances_per_emigrant",)


def _territory_notes(c: Country) -> list[str]:
    from .countries import KOSOVO_NOTE

    return [KOSOVO_NOTE] if c.iso3 == "SRB" else []


def _corridor_notes(dest: pd.DataFrame, orig: pd.DataFrame) -> list[str]:
    notes = [dest.attrs["why"]]
    if (orig.attrs["dataset"], orig.attrs["year"]) != (dest.attrs["dataset"], dest.attrs["year"]):
        notes.append(orig.attrs["why"])
    return notes


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
    figs += refugee_figures(c, year, data_dir=data_dir)
    figs += [f for f in remittances(c, year, data_dir=data_dir) if f.name not in _NOT_IN_PROFILE]
    figs += context(c, year, data_dir=data_dir)
    demo = demography(c, data_dir=data_dir)
    figs += demography_figures(c, year, data_dir=data_dir)
    dest = corridors(c, year, "emigrants", top_n, data_dir=data_dir)
    orig = corridors(c, year, "immigrants", top_n, data_dir=data_dir)
    figs += diaspora_concentration(c, year, data_dir=data_dir)
    unknown = orig.attrs["unknown_share_pct"]
    figs.append(Figure("unknown_origin_share", "Immigrants of unknown origin (% of total)",
                       unknown, "percent", orig.attrs["year"], orig.attrs["source"],
                       "origin not reported by the destination country" if not math.isnan(unknown) else
                       f"{orig.attrs['source']} ({orig.attrs['year']}) gives no origins of the "
                       f"immigrants in {c.name}.", orig.attrs["basis"], year - orig.attrs["year"] > 3))
    change = None
    ds_years = sorted(y for ds, y in d.bilateral_groups if ds == dest.attrs["dataset"])
    if len(ds_years) > 1:
        change = corridor_change(c, ds_years[0], dest.attrs["year"], "emigrants", top_n,
                                 source=dest.attrs["dataset"], data_dir=data_dir)
    notes = []
    imm = figs[0]
    if imm.note:
        notes.append(f"Immigrant stock: {imm.note}")
    notes += _corridor_notes(dest, orig)
    missing = [f for f in figs if not f.available]
    if missing:
        notes.append("Not available: " + "; ".join(f"{f.label} ({f.note.rstrip('.')})" if f.note else f.label
                                                   for f in missing) + ".")
    notes += _territory_notes(c)
    rs = remittance_series(c, data_dir=data_dir)
    for ind, y in rs.attrs["not_reported_from"].items():
        if y is not None:
            what = "received" if ind == _WDI_RECEIVED else "paid"
            notes.append(f"Remittances {what}: the World Bank file gives 0 from {y} on, after the last reported "
                         "value; migstats treats these years as not reported, not as zero.")
    ref = refugees(c, data_dir=data_dir)
    if d.unhcr_missing_years:
        notes.append(f"UNHCR: {ref.attrs['note']}")
    dated = [f for f in figs if f.available and f.dated]
    if dated:
        notes.append("Dated figures (more than three years before the profile year): "
                     + "; ".join(f"{f.label} ({f.year})" for f in dated) + ".")
    if len(top_remittance_senders(c, top_n, data_dir=data_dir)):
        notes.append("Bilateral remittances are model estimates (World Bank/KNOMAD), not reported flows.")
    return Profile(country=c, year=year, denominator=denominator, top_n=top_n, figures=figs,
                   destinations=dest, origins=orig, trend=trend(c, denominator, data_dir=data_dir),
                   remittance_series=rs, top_senders=top_remittance_senders(c, top_n, data_dir=data_dir),
                   refugees=ref, editions=edition_comparison(c, data_dir=data_dir),
                   corridor_change=change, notes=notes, demography=demo)


# -- groups of countries ---------------------------------------------------------------------------
@dataclass
class GroupProfile:
    """Indicators of a group of countries, computed from its members' rows.

    Stocks and populations are the published UN DESA aggregate when the group is a UN DESA
    aggregate (WORLD includes the migrants of unknown origin), else sums over members with
    data, with their coverage. *Emigrants of the group* exclude moves between its own members
    (they are counted in ``internal``), from the bilateral table of the corridors (its basis
    is named on every such figure).

    Attributes
    ----------
    country : migstats.groups.Group
        Named ``country`` so notebooks can treat countries and groups alike.
    members : DataFrame
        One row per member: iso3, name, population, immigrants, emigrants (UN DESA 2024).
    destinations, origins : DataFrame
        Top partners outside the group (bilateral basis in ``attrs``).
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
    basis: str = _IMS
    demography: pd.DataFrame | None = None

    figure = Profile.figure
    value = Profile.value
    figures_table = Profile.figures_table
    tables = Profile.tables
    sources = Profile.sources
    bases = Profile.bases

    def _country_dict(self) -> dict:
        return {"name": self.country.name, "kind": self.country.kind,
                "members": self.members["iso3"].tolist(), "region": "Groups"}

    def to_dict(self) -> dict:
        d = Profile.to_dict(self)
        d["internal"] = {"rows": json_records(self.internal)}
        return d


def _aggregate_code(g, d: _Data) -> int | None:
    """Location code of the UN DESA aggregate that ``g`` is (``None`` for other groups)."""
    code = getattr(g, "location_code", None)
    return int(code) if code is not None and code in d.dest_agg.index else None


def _group_value(d: _Data, g, wide, wide_agg, year, weights) -> tuple[float, int, float, bool]:
    """Group total of one UN DESA quantity: (value, members with data, coverage %, published)."""
    code = _aggregate_code(g, d)
    mem = list(g.members)
    vals = np.array([_cell(wide, m, year) for m in mem])
    ok = ~np.isnan(vals)
    n, cov = _coverage(ok, weights)
    if code is not None:
        v = _cell(wide_agg, code, year)
        if not math.isnan(v):
            return v, n, cov, True
    return (float(vals[ok].sum()) if ok.any() else float("nan")), n, cov, False


def group_profile(group, year: int = LATEST, *, top_n: int = 10, denominator: str = "population",
                  data_dir=None) -> GroupProfile:
    """Indicators for a group (UN/World Bank region, income group, partner group or list).

    Every group figure says which members it covers; a sum over members holding less than
    :data:`GROUP_COVERAGE_MIN_PCT` % of the group's population is not shown as the group's
    figure (the latest year with enough coverage is used, and the note says so). Corridors,
    *emigrants living outside the group* and *migrants moving between members* come from
    the bilateral table :func:`corridors` chooses, so moves between members are never counted
    as emigration of the group; their basis is named on each figure.

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
    weights = _member_weights(d, mem)
    names = d.names.reindex(mem)
    imm = np.array([_cell(d.dest, m, year) for m in mem])
    emi = np.array([_cell(d.orig, m, year) for m in mem])
    pop = np.array([_cell(d.pop, m, year) for m in mem])
    members = pd.DataFrame({"iso3": names["iso3"].to_numpy(), "name": names["short_name"].to_numpy(),
                            "population": pop, "immigrants": imm, "emigrants": emi,
                            "emigrant_share_pct": 100 * emi / pop})
    members.attrs.update(source=f"{_DEST}; {_ORIG}; {_POP}", basis=_IMS)
    P, nP, cP, pubP = _group_value(d, g, d.pop, d.pop_agg, year, weights)
    I, nI, cI, pubI = _group_value(d, g, d.dest, d.dest_agg, year, weights)
    E, nE, cE, pubE = _group_value(d, g, d.orig, d.orig_agg, year, weights)
    n = len(mem)

    def cov(k, c, published):
        return "published UN DESA aggregate" if published else coverage_text(k, n, c)

    dest = corridors(g, year, "emigrants", top_n, data_dir=data_dir)
    orig = corridors(g, year, "immigrants", top_n, data_dir=data_dir)
    dataset, byear, bsrc, bbasis = (dest.attrs[k] for k in ("dataset", "year", "source", "basis"))
    bil = d.bilateral_groups[(dataset, byear)]
    inner = bil[bil["origin_code"].isin(mem) & bil["destination_code"].isin(mem)
                & (bil["origin_code"] != bil["destination_code"])]
    it = inner.sort_values("migrant_stock", ascending=False, kind="stable").head(top_n)
    internal = pd.DataFrame({"origin": d.names.reindex(it["origin_code"])["short_name"].to_numpy(),
                             "destination": d.names.reindex(it["destination_code"])["short_name"].to_numpy(),
                             "migrants": it["migrant_stock"].to_numpy()})
    internal.attrs.update(source=bsrc, basis=bbasis, year=byear, total=dest.attrs["internal"])
    outside = dest.attrs["total"]
    figs = [
        Figure("population", "Total population", P, "persons", year, _POP, "", _IMS, coverage=cov(nP, cP, pubP)),
        Figure("immigrant_stock", "International migrant stock (incl. migrants from other members)", I,
               "persons", year, _DEST, "", _IMS, coverage=cov(nI, cI, pubI)),
        Figure("immigrant_share", "International migrants as % of population",
               100 * I / P if P else float("nan"), "percent", year, f"{_DEST}; {_POP}", "", _IMS,
               coverage=cov(nI, cI, pubI)),
        Figure("emigrant_stock", "Emigrant stock (incl. moves between members)", E, "persons", year, _ORIG,
               "the WORLD aggregate includes migrants of unknown origin" if pubE and g.kind == "World" else "",
               _IMS, coverage=cov(nE, cE, pubE)),
        Figure("emigrants_outside_group", "Emigrants living outside the group", outside, "persons", byear, bsrc,
               "moves between members excluded", bbasis, year - byear > 3),
        Figure("internal_migrants", "Migrants moving between members", dest.attrs["internal"], "persons",
               byear, bsrc, "", bbasis, year - byear > 3),
    ]
    # not "emigrant_share_*": a country's emigrant share counts all its emigrants, this one only
    # those outside the group (one name, one definition)
    share_name = f"emigrants_outside_group_share_{denominator}"
    share_label = f"Emigrants outside the group as % of {DENOMINATORS[denominator]}"
    if bbasis == _IMS and byear == year and P:
        denom = P if denominator == "population" else P + outside
        figs.append(Figure(share_name, share_label, 100 * outside / denom, "percent", byear, f"{bsrc}; {_POP}",
                           "", _IMS))
    else:
        figs.append(_missing(share_name, share_label, "percent", byear, bsrc,
                             f"Not computed: the corridors come from {bbasis} ({byear}) and the population from "
                             f"{_IMS} ({year}); a share across two bases is not shown.", bbasis))
    rs = remittance_series(g, data_dir=data_dir)
    figs += _group_remittance_figures(rs, year)
    senders = pd.DataFrame(columns=["rank", "location_code", "iso3", "name", "remittances_usd", "share_pct"])
    senders.attrs.update(source="", note="")
    refs = _group_refugees(g, d)
    figs += _group_refugee_figures(refs, year)
    editions = pd.DataFrame(columns=["quantity", "source", "edition", "year", "value", "population",
                                     "share_of_population_pct", "rel_diff_vs_undesa_2024_pct"])
    notes = [f"Members ({n}): {', '.join(members['name'])}. Group defined by: {g.source}."]
    notes += _corridor_notes(dest, orig)
    notes.append(f"{_IMS} emigrant totals include moves between members; the corridor figures "
                 "(emigrants outside the group, migrants between members) exclude them.")
    notes.append(rs.attrs["note"])
    return GroupProfile(country=g, year=year, denominator=denominator, top_n=top_n, figures=figs,
                        members=members, destinations=dest, origins=orig, internal=internal,
                        trend=trend(g, denominator, data_dir=data_dir), remittance_series=rs,
                        top_senders=senders, refugees=refs, editions=editions, notes=notes)


def _group_remittance_figures(rs: pd.DataFrame, year: int) -> list[Figure]:
    """Group remittances received: the latest year whose members with data cover enough."""
    label, src, basis = "Personal remittances received", rs.attrs["source"], rs.attrs["basis"]
    members = rs.attrs.get("members", 0)
    full = rs[(rs["year"] <= year) & rs["received_usd"].notna()]
    part = rs[(rs["year"] <= year) & rs["received_usd_partial"].notna()]
    if not len(full):
        why = ("No year in which the members with data hold at least "
               f"{GROUP_COVERAGE_MIN_PCT:.0f}% of the group's population.") if len(part) else \
            "No member reports remittances."
        return [_missing("remittances_received", label, "current US$", None, src, why, basis),
                _missing("remittances_pct_gdp", "Remittances received as % of GDP", "percent", None, src, why,
                         basis)]
    last = full.iloc[-1]
    y = int(last["year"])
    note = ""
    later = part[part["year"] > y]
    if len(later):
        lp = later.iloc[-1]
        note = (f"{int(lp['year'])} not shown: only {coverage_text(int(lp['members_with_data']), members, lp['coverage_pct'])}"
                f" reported; {y} is the latest year with at least {GROUP_COVERAGE_MIN_PCT:.0f}% coverage")
    covtext = coverage_text(int(last["members_with_data"]), members, last["coverage_pct"])
    figs = [Figure("remittances_received", label, float(last["received_usd"]), "current US$", y, src, note,
                   basis, year - y > 3, covtext)]
    pct = rs[(rs["year"] <= year)].dropna(subset=["received_pct_gdp"])
    if len(pct):
        p = pct.iloc[-1]
        figs.append(Figure("remittances_pct_gdp", "Remittances received as % of GDP", float(p["received_pct_gdp"]),
                           "percent", int(p["year"]), src, "received / GDP x 100 over the members with both",
                           basis, year - int(p["year"]) > 3,
                           coverage_text(int(p["members_with_gdp"]), members, p["coverage_pct_gdp"])))
    else:
        figs.append(_missing("remittances_pct_gdp", "Remittances received as % of GDP", "percent", y, src,
                             "No GDP for every member with remittances.", basis))
    return figs


def _group_refugees(g, d: _Data) -> pd.DataFrame:
    cols = ["year", "refugees_from", "asylum_seekers_from", "refugees_hosted", "asylum_seekers_hosted"]
    if d.unhcr is None:
        out = pd.DataFrame(columns=cols)
        out.attrs.update(source="", basis="", note="UNHCR data are not in the store.")
        return out
    mem = list(g.members)
    u = d.unhcr
    away = u[u["origin_code"].isin(mem) & ~u["asylum_code"].isin(mem).fillna(False)]
    home = u[u["asylum_code"].isin(mem) & ~u["origin_code"].isin(mem).fillna(False)]
    a = away.groupby("year")[["refugees", "asylum_seekers"]].sum()
    h = home.groupby("year")[["refugees", "asylum_seekers"]].sum()
    out = pd.DataFrame({"year": np.array(d.unhcr_years, dtype="int64")})
    gap = out["year"].isin(d.unhcr_missing_years)
    for col, src, name in (("refugees_from", a, "refugees"), ("asylum_seekers_from", a, "asylum_seekers"),
                           ("refugees_hosted", h, "refugees"), ("asylum_seekers_hosted", h, "asylum_seekers")):
        out[col] = out["year"].map(src[name]).fillna(0.0).astype("float64")
        out.loc[gap, col] = np.nan
    key = _unhcr_key(d)
    note = "Refugees moving between members excluded."
    if d.unhcr_missing_years:
        note += " The file has no data for " + ", ".join(map(str, d.unhcr_missing_years)) + ": shown as a gap."
    out.attrs.update(source=_cite(key), basis=basis_of(key), note=note)
    return out


def _group_refugee_figures(refs: pd.DataFrame, year: int) -> list[Figure]:
    names = [("refugees_abroad", "refugees_from", "Refugees from members outside the group"),
             ("asylum_seekers_abroad", "asylum_seekers_from", "Asylum seekers from members outside the group"),
             ("refugees_hosted", "refugees_hosted", "Refugees hosted from outside the group"),
             ("asylum_seekers_hosted", "asylum_seekers_hosted", "Asylum seekers hosted from outside the group")]
    src, basis = refs.attrs.get("source", ""), refs.attrs.get("basis", "")
    last_year = int(refs["year"].max()) if len(refs) else year
    ok = (refs[(refs["year"] <= (last_year if year == LATEST else year)) & refs["refugees_from"].notna()]
          if len(refs) else refs)
    if not len(ok):
        return [_missing(n, label, "persons", None, src, refs.attrs.get("note", ""), basis) for n, _, label in names]
    last = ok.iloc[-1]
    y = int(last["year"])
    return [Figure(n, label, float(last[col]), "persons", y, src, "end of year", basis, year - y > 3)
            for n, col, label in names]
