"""Countries and areas: one table, one resolver used everywhere.

The country table has one row per country or area of the UN DESA International
Migrant Stock 2024 tables (235 areas, keyed by the UN M49 location code), with ISO
codes, UN and World Bank names, regions, income group and LDC/LLDC/SIDS flags.

:func:`resolve` turns what a user types into one :class:`Country`: ISO3 ("BLR"),
ISO2 ("BY"), M49 (112, "112", "0112"), and names in UN, World Bank and common
spellings ("Kyrgyz Republic", "Moldova", "Russia", "Türkiye"/"Turkey",
"Cote d’Ivoire", "Iran, Islamic Rep.", "Korea, Dem. People's Rep."), ignoring case,
accents and punctuation. Unknown input raises :class:`CountryNotFoundError` with the
closest matches; ambiguous input ("Guinea", "Congo", "Korea") raises
:class:`AmbiguousCountryError` listing the candidates — never a silent guess.

Examples
--------
>>> from migstats import resolve                                  # doctest: +SKIP
>>> resolve("Kyrgyz Republic").iso3                               # doctest: +SKIP
'KGZ'
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, fields

import pandas as pd

from .exceptions import AmbiguousCountryError, AreaNotCoveredError, CountryNotFoundError, SourceLayoutError

__all__ = [
    "Country",
    "CountryResolver",
    "normalise_name",
    "resolve",
    "resolve_many",
    "country_table",
    "build_country_tables",
    "SHORT_NAMES",
    "COMMON_ALIASES",
    "AMBIGUOUS_NAMES",
    "OUTSIDE_UNDESA",
    "KOSOVO_NOTE",
    "outside_undesa",
]

#: Short labels for areas whose UN name is long or formal (editorial choice of migstats).
SHORT_NAMES: dict[str, str] = {
    "BOL": "Bolivia", "BIH": "Bosnia and Herzegovina", "VGB": "British Virgin Islands",
    "CAF": "Central African Rep.", "HKG": "Hong Kong SAR", "MAC": "Macao SAR",
    "TWN": "Taiwan", "COD": "DR Congo", "PRK": "North Korea", "KOR": "South Korea",
    "FSM": "Micronesia", "IRN": "Iran", "LAO": "Laos", "MDA": "Moldova",
    "NLD": "Netherlands", "RUS": "Russia", "SYR": "Syria", "TZA": "Tanzania",
    "GBR": "United Kingdom", "USA": "United States", "VIR": "US Virgin Islands",
    "VEN": "Venezuela", "VNM": "Viet Nam", "PSE": "Palestine", "MKD": "North Macedonia",
    "DOM": "Dominican Rep.", "BES": "Caribbean Netherlands", "FLK": "Falkland Islands",
    "SHN": "Saint Helena", "WLF": "Wallis and Futuna", "ARE": "UAE", "CZE": "Czechia",
    "TUR": "Türkiye", "CIV": "Côte d'Ivoire", "SWZ": "Eswatini", "CPV": "Cabo Verde",
    "MAF": "Saint Martin (Fr.)", "SXM": "Sint Maarten", "TCA": "Turks and Caicos",
    "KNA": "St Kitts and Nevis", "VCT": "St Vincent and Gren.", "STP": "São Tomé and Príncipe",
    "ATG": "Antigua and Barbuda", "PNG": "Papua New Guinea", "GNQ": "Equatorial Guinea",
}

#: Common spellings not found in any source file (editorial list; extend freely).
COMMON_ALIASES: dict[str, str] = {
    "Russia": "RUS", "Moldova": "MDA", "Laos": "LAO", "South Korea": "KOR",
    "Republic of Korea": "KOR", "North Korea": "PRK", "DPRK": "PRK", "Cape Verde": "CPV",
    "Ivory Coast": "CIV", "Vietnam": "VNM", "Syria": "SYR", "Iran": "IRN", "Bolivia": "BOL",
    "Venezuela": "VEN", "Tanzania": "TZA", "Macedonia": "MKD", "Czech Republic": "CZE",
    "Swaziland": "SWZ", "Burma": "MMR", "UK": "GBR", "Britain": "GBR", "Great Britain": "GBR",
    "USA": "USA", "US": "USA", "United States of America": "USA", "America": "USA",
    "Holland": "NLD", "Netherlands": "NLD", "DR Congo": "COD", "DRC": "COD",
    "Congo-Kinshasa": "COD", "Congo-Brazzaville": "COG", "Palestine": "PSE",
    "Taiwan": "TWN", "Micronesia": "FSM", "Brunei": "BRN", "East Timor": "TLS",
    "Vatican": "VAT", "Vatican City": "VAT", "Turkey": "TUR", "Turkiye": "TUR",
    "UAE": "ARE", "Emirates": "ARE", "Hong Kong": "HKG", "Macau": "MAC", "Macao": "MAC",
    "Bosnia": "BIH", "Kirghizia": "KGZ", "Kyrgyzia": "KGZ", "Byelorussia": "BLR",
    "Belorussia": "BLR", "St Lucia": "LCA", "St Kitts and Nevis": "KNA",
    "St Vincent and the Grenadines": "VCT", "Sao Tome and Principe": "STP",
    "Eswatini": "SWZ", "The Gambia": "GMB", "Gambia": "GMB", "The Bahamas": "BHS",
    "Bahamas": "BHS", "Curacao": "CUW", "Reunion": "REU", "Falklands": "FLK",
    # World Bank/KNOMAD spellings not in the current WDI metadata
    "Faeroe Islands": "FRO", "Korea, Dem. Rep.": "PRK", "Macedonia, FYR": "MKD",
    "GuineaBissau": "GNB", "TimorLeste": "TLS",
}

#: Areas that other sources list separately but that are not areas of UN DESA International
#: Migrant Stock 2024: every way of asking for one (name, ISO/World Bank code, M49 code) gets
#: the same message, and the store's bilateral tables count it as an "other" partner
#: (never inside a UN DESA area whose figures exclude it).
OUTSIDE_UNDESA: dict[str, dict] = {
    "Kosovo": {
        "aliases": ("Kosovo", "Kosova", "XKX", "KSV", "XK", "Kosovo (under UNSC res. 1244)",
                    "Kosovo (S/RES/1244 (1999))", "Kosovo (UNSCR 1244)", "Kosovo (under UNSCR 1244)"),
        "codes": (412,),
        "message": (
            "Kosovo is not an area of UN DESA International Migrant Stock 2024: UN DESA publishes no "
            "figures for it, and its figures for Serbia exclude it (population note B24 of the 2024 "
            "tables). migstats follows each source's own territory, so it has no Kosovo profile and never "
            "adds Kosovo to Serbia. The World Bank (WDI code XKX, the KNOMAD matrices) and UN WPP 2024 "
            "(code 412) list Kosovo separately; in the corridor tables the World Bank/KNOMAD rows for "
            "Kosovo count as 'other' partners. `migstats profile Serbia` gives Serbia without Kosovo."),
    },
}

#: Data note on the territories of Serbia and Kosovo, shown in Serbia's profile.
KOSOVO_NOTE = (
    "Kosovo: UN DESA International Migrant Stock 2024 has no figures for Kosovo (UN Security Council "
    "resolution 1244) and its figures for Serbia exclude it (population note B24). UN WPP 2024 and the "
    "World Bank (WDI, KNOMAD) also list Kosovo separately, so every figure for Serbia here excludes "
    "Kosovo; World Bank/KNOMAD corridors with Kosovo count as 'other' partners.")


def outside_undesa(query) -> str | None:
    """The name of the non-UN-DESA area ``query`` asks for (e.g. "Kosovo"), or ``None``."""
    key = normalise_name(str(query)) if not isinstance(query, (int, float)) else None
    for name, spec in OUTSIDE_UNDESA.items():
        if isinstance(query, (int, float)) and not isinstance(query, bool):
            if float(query).is_integer() and int(query) in spec["codes"]:
                return name
            continue
        if key and key.isdigit() and int(key) in spec["codes"]:
            return name
        if key and (key in {normalise_name(a) for a in spec["aliases"]} or key.startswith(normalise_name(name))):
            return name
    return None

#: Names that match several areas in common use: always an error listing the candidates.
AMBIGUOUS_NAMES: dict[str, tuple[str, ...]] = {
    "guinea": ("GIN", "GNB", "GNQ", "PNG"),
    "congo": ("COG", "COD"),
    "korea": ("KOR", "PRK"),
    "virgin islands": ("VGB", "VIR"),
}

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


def normalise_name(text: str) -> str:
    """Normalise a country name for matching.

    Case, accents, apostrophes, footnote stars, punctuation and a leading "the" are
    ignored, "&" reads as "and" and "St." as "saint".

    >>> normalise_name("Côte d’Ivoire*")
    'cote d ivoire'
    """
    text = unicodedata.normalize("NFKD", str(text).translate(_APOSTROPHES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"[^0-9a-z]+", " ", text).strip()
    text = re.sub(r"^the ", "", text)
    text = re.sub(r"\bst\b", "saint", text)
    return text


@dataclass(frozen=True)
class Country:
    """A country or area of the UN DESA tables (one row of the country table)."""

    location_code: int
    iso3: str
    iso2: str | None
    name: str
    short_name: str
    un_region: str | None
    un_subregion: str | None
    sdg_region: str | None
    wb_code: str | None
    wb_name: str | None
    wb_region: str | None
    income_group: str | None
    ldc: bool
    lldc: bool
    sids: bool

    def __str__(self) -> str:
        return f"{self.name} ({self.iso3})"


_FIELDS = [f.name for f in fields(Country)]


def _none(value):
    return None if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA else value


class CountryResolver:
    """Resolve user input to :class:`Country` objects.

    Parameters
    ----------
    countries : DataFrame
        The ``countries`` table (see :mod:`migstats.schemas`).
    names : DataFrame
        The ``country_names`` table: ``alias``, ``key`` (normalised), ``location_code``, ``origin``.
    """

    def __init__(self, countries: pd.DataFrame, names: pd.DataFrame):
        self.countries = countries
        self._by_code: dict[int, Country] = {}
        for row in countries.itertuples(index=False):
            rec = {f: _none(getattr(row, f)) for f in _FIELDS}
            rec["location_code"] = int(rec["location_code"])
            rec.update(ldc=bool(rec["ldc"]), lldc=bool(rec["lldc"]), sids=bool(rec["sids"]))
            self._by_code[rec["location_code"]] = Country(**rec)
        self._by_iso3 = {c.iso3: c for c in self._by_code.values()}
        self._by_iso2 = {c.iso2: c for c in self._by_code.values() if c.iso2}
        self._by_wb = {c.wb_code: c for c in self._by_code.values() if c.wb_code}
        keys: dict[str, set[int]] = {}
        for key, code in zip(names["key"], names["location_code"]):
            keys.setdefault(key, set()).add(int(code))
        self._keys = keys
        self._display = {n: c for n, c in zip(names["key"], names["alias"])}

    # -- lookups ---------------------------------------------------------------------
    def __iter__(self):
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def by_code(self, code: int) -> Country:
        """Country with M49 ``code`` (KeyError if it is not a UN DESA country or area)."""
        return self._by_code[int(code)]

    def resolve(self, query) -> Country:
        """Resolve a name or code to one :class:`Country`.

        Raises
        ------
        CountryNotFoundError
            With up to five close matches.
        AmbiguousCountryError
            With the candidates, when the input names several areas.
        """
        if isinstance(query, Country):
            return query
        if isinstance(query, bool) or query is None:
            # e.g. papermill/YAML turned "NO" (Norway) into False
            raise CountryNotFoundError(query, ["pass the country as a quoted string, e.g. 'NOR'"])
        outside = outside_undesa(query)
        if outside:
            raise AreaNotCoveredError(query, OUTSIDE_UNDESA[outside]["message"])
        if isinstance(query, (int,)) or (isinstance(query, float) and float(query).is_integer()):
            code = int(query)
            if code in self._by_code:
                return self._by_code[code]
            raise CountryNotFoundError(query, self._suggest(str(query)))
        text = str(query).strip()
        if not text:
            raise CountryNotFoundError(query)
        if text.isdigit():
            return self.resolve(int(text))
        upper = text.upper()
        if len(text) == 3 and upper in self._by_iso3:
            return self._by_iso3[upper]
        if len(text) == 3 and upper in self._by_wb:
            return self._by_wb[upper]
        if len(text) == 2 and upper in self._by_iso2:
            return self._by_iso2[upper]
        key = normalise_name(text)
        if key in AMBIGUOUS_NAMES:
            cands = [self._by_iso3[i] for i in AMBIGUOUS_NAMES[key] if i in self._by_iso3]
            raise AmbiguousCountryError(text, [(c.iso3, c.name) for c in cands])
        codes = self._keys.get(key)
        if codes and len(codes) == 1:
            return self._by_code[next(iter(codes))]
        if codes:
            cands = sorted((self._by_code[c] for c in codes), key=lambda c: c.name)
            raise AmbiguousCountryError(text, [(c.iso3, c.name) for c in cands])
        raise CountryNotFoundError(text, self._suggest(text))

    def _suggest(self, text: str, n: int = 5) -> list[str]:
        key = normalise_name(text)
        close = difflib.get_close_matches(key, list(self._keys), n=3 * n, cutoff=0.6)
        # word-prefix matches catch "bosn" -> Bosnia and Herzegovina
        close += [k for k in self._keys if key and k.startswith(key)][: 2 * n]
        out: list[str] = []
        for k in close:
            for code in sorted(self._keys[k]):
                c = self._by_code[code]
                label = f"{c.name} ({c.iso3})"
                if label not in out:
                    out.append(label)
        return out[:n]

    def resolve_many(self, queries) -> list[Country]:
        """Resolve several inputs; raise one error listing *every* failure."""
        queries = list(queries)  # an iterator would be exhausted before the count below
        out, failures = [], []
        for q in queries:
            try:
                out.append(self.resolve(q))
            except (CountryNotFoundError, AmbiguousCountryError) as exc:
                failures.append(str(exc))
        if failures:
            err = CountryNotFoundError(queries[0])
            err.args = (f"{len(failures)} of {len(queries)} inputs could not be resolved:\n- "
                        + "\n- ".join(failures),)
            raise err
        return out

    def code_map(self, names, *, allow: dict[str, int] | None = None) -> dict[str, int]:
        """Map source spellings to location codes, failing loudly on any that do not resolve.

        Parameters
        ----------
        names : iterable of str
            Spellings used by a source file (e.g. the KNOMAD matrix headers).
        allow : dict, optional
            Spellings that are not UN DESA areas, mapped to a code explicitly
            (e.g. ``{"Other North": 2003}``) or to ``-1`` to drop them (e.g. ``"World"``).

        Raises
        ------
        SourceLayoutError
            Listing every spelling that could not be matched (OWID-style: never guess).
        """
        allow = {normalise_name(k): v for k, v in (allow or {}).items()}
        out, failed = {}, []
        for name in dict.fromkeys(names):
            key = normalise_name(name)
            if key in allow:
                out[name] = allow[key]
                continue
            codes = self._keys.get(key)
            if codes and len(codes) == 1:
                out[name] = next(iter(codes))
            else:
                failed.append(name)
        if failed:
            raise SourceLayoutError(
                f"{len(failed)} country names could not be matched to a UN DESA area: "
                f"{failed}. Add them to migstats.countries.COMMON_ALIASES (or to the "
                "source's explicit list of non-country rows) and rebuild."
            )
        return out

    def iso3_map(self, codes, *, allow: dict[str, int | None] | None = None,
                 source: str = "") -> dict[str, int | None]:
        """Map ISO 3166-1 alpha-3 codes of a source to location codes, failing on any unknown code.

        Parameters
        ----------
        codes : iterable of str
            Codes used by a source file (e.g. UNHCR's ``coo_iso``, the ``geo`` column of a
            gdidata file). Missing values are skipped.
        allow : dict, optional
            Codes that are not ISO3 codes of a UN DESA area, each mapped explicitly to a
            location code (``{"OOO": 2003}``) or to ``None`` (kept, without a code:
            ``{"XXA": None}`` for stateless people).
        source : str
            Name of the source for the error message.

        Raises
        ------
        SourceLayoutError
            Listing every code that is neither the ISO3 code of an area nor in ``allow``.
        """
        allow = dict(allow or {})
        out: dict[str, int | None] = {}
        failed = []
        for code in dict.fromkeys(codes):
            if not isinstance(code, str):
                continue
            if code in allow:
                out[code] = allow[code]
            elif code in self._by_iso3:
                out[code] = self._by_iso3[code].location_code
            else:
                failed.append(code)
        if failed:
            raise SourceLayoutError(
                f"{source + ': ' if source else ''}{len(failed)} ISO3 codes are not UN DESA areas: "
                f"{sorted(failed)}. Add them to the source's explicit list of codes without an "
                "area (with their meaning) and rebuild."
            )
        return out


# -- building the table -----------------------------------------------------------------
def build_country_tables(
    annex: dict[str, pd.DataFrame],
    area_names: dict[int, pd.DataFrame],
    wb_meta: pd.DataFrame,
    unsd: pd.DataFrame | None = None,
    extra_names: dict[str, list[str]] | None = None,
) -> dict[str, pd.DataFrame]:
    """Assemble ``countries``, ``aggregates``, ``aggregate_members`` and ``country_names``.

    Parameters
    ----------
    annex : dict
        Output of :func:`migstats.parsers.m49.read_annex` (``areas``, ``aggregates``, ``members``).
    area_names : dict of int to DataFrame
        ``location_code``/``name`` per UN DESA edition (the newest edition's names win).
    wb_meta : DataFrame
        Output of :func:`migstats.parsers.wdi.read_country_metadata`.
    unsd : DataFrame, optional
        Output of :func:`migstats.parsers.m49.read_unsd_m49` (extra spellings).
    extra_names : dict, optional
        ``origin -> list of names`` that must resolve (checked by the store build).
    """
    import pycountry

    areas = annex["areas"].copy()
    newest = area_names[max(area_names)].set_index("location_code")["name"]
    areas["name"] = [newest.get(c, n) for c, n in zip(areas["location_code"], areas["name"])]
    missing = sorted(set(newest.index[newest.index < 900]) - set(areas["location_code"]))
    if missing:
        raise SourceLayoutError(
            f"UN DESA areas {missing} are not in the Annex correspondence table; "
            "the Annex edition does not match the IMS edition."
        )
    wb = wb_meta[~wb_meta["is_aggregate"]].set_index("wb_code")
    iso2 = []
    for iso3 in areas["iso3"]:
        rec = pycountry.countries.get(alpha_3=iso3)
        iso2.append(rec.alpha_2 if rec else None)
    wb_codes = [c if c in wb.index else None for c in areas["iso3"]]
    countries = pd.DataFrame({
        "location_code": areas["location_code"].astype("int32"),
        "iso3": areas["iso3"].astype("str"),
        "iso2": pd.Series(iso2, dtype="str"),
        "name": areas["name"].astype("str"),
        "short_name": [SHORT_NAMES.get(i, n) for i, n in zip(areas["iso3"], areas["name"])],
        "un_region": areas["geographic_region"].astype("str"),
        # Northern America is a region without subregions in the Annex: it is its own subregion
        "un_subregion": areas["subregion"].fillna(areas["geographic_region"]).astype("str"),
        "sdg_region": areas["sdg_region"].astype("str"),
        "wb_code": pd.Series(wb_codes, dtype="str"),
        "wb_name": pd.Series([wb["table_name"].get(c) if c else None for c in wb_codes], dtype="str"),
        "wb_region": pd.Series([wb["region"].get(c) if c else None for c in wb_codes], dtype="str"),
        "income_group": pd.Series([wb["income_group"].get(c) if c else None for c in wb_codes], dtype="str"),
        "ldc": areas["ldc"].astype(bool), "lldc": areas["lldc"].astype(bool),
        "sids": areas["sids"].astype(bool),
    })
    countries["short_name"] = countries["short_name"].astype("str")
    countries = countries.sort_values("location_code", ignore_index=True)

    aggregates = annex["aggregates"][["location_code", "name", "kind"]].copy()
    members = annex["members"][["aggregate_code", "location_code"]].copy()

    # spellings, in order of authority (the first one seen for a key wins)
    rows: list[tuple[str, int, str]] = []
    by_iso3 = {i: int(c) for i, c in zip(countries["iso3"], countries["location_code"])}
    codes = set(by_iso3.values())
    by_wb = {w: c for w, c in zip(countries["wb_code"], countries["location_code"]) if isinstance(w, str)}
    for edition in sorted(area_names, reverse=True):
        df = area_names[edition]
        for code, name in zip(df["location_code"], df["name"]):
            if int(code) in codes:
                rows.append((name, int(code), f"UN DESA IMS {edition}"))
    rows += [(n, int(c), "UN DESA Annex") for n, c in zip(areas["name"], areas["location_code"])]
    rows += [(n, int(c), "migstats short name") for n, c in zip(countries["short_name"], countries["location_code"])]
    if unsd is not None:
        for code, name in zip(unsd["location_code"], unsd["name"]):
            if int(code) in codes:
                rows.append((name, int(code), "UNSD M49"))
    for code, name, tname in zip(wb_meta["wb_code"], wb_meta["wb_name"], wb_meta["table_name"]):
        if code in by_wb:
            rows += [(name, by_wb[code], "World Bank WDI"), (tname, by_wb[code], "World Bank WDI")]
    for iso3, code in by_iso3.items():
        rec = pycountry.countries.get(alpha_3=iso3)
        if rec:
            for attr in ("name", "official_name", "common_name"):
                if getattr(rec, attr, None):
                    rows.append((getattr(rec, attr), int(code), "ISO 3166 (pycountry)"))
    rows += [(alias, by_iso3[iso3], "migstats common alias") for alias, iso3 in COMMON_ALIASES.items()
             if iso3 in by_iso3]
    names = pd.DataFrame(rows, columns=["alias", "location_code", "origin"]).dropna()
    names["key"] = names["alias"].map(normalise_name)
    names = names[names["key"] != ""]
    # first (most authoritative) spelling per key wins; a key claimed by two areas at the
    # same authority level stays with both and so resolves as ambiguous
    first_origin = names.groupby("key")["origin"].transform("first")
    names = names[names["origin"] == first_origin].drop_duplicates(["key", "location_code"])
    names = names[["alias", "key", "location_code", "origin"]].astype(
        {"alias": "str", "key": "str", "location_code": "int32", "origin": "str"}
    ).reset_index(drop=True)
    return {"countries": countries, "aggregates": aggregates.reset_index(drop=True),
            "aggregate_members": members.reset_index(drop=True), "country_names": names}


# -- process-wide resolver over the processed store -----------------------------------------
_RESOLVERS: dict[str, CountryResolver] = {}


def _resolver(data_dir=None) -> CountryResolver:
    from . import store

    key = str(store.table_path("countries", data_dir)) + str(store.build_id(data_dir))
    if key not in _RESOLVERS:
        _RESOLVERS.clear()
        _RESOLVERS[key] = CountryResolver(store.load("countries", data_dir),
                                          store.load("country_names", data_dir))
    return _RESOLVERS[key]


def resolve(query, *, data_dir=None) -> Country:
    """Resolve a name or code to a :class:`Country` using the processed store.

    See :meth:`CountryResolver.resolve` for what is accepted and raised.
    """
    return _resolver(data_dir).resolve(query)


def resolve_many(queries, *, data_dir=None) -> list[Country]:
    """Resolve several inputs, reporting every failure at once."""
    return _resolver(data_dir).resolve_many(list(queries))


def country_table(*, data_dir=None) -> pd.DataFrame:
    """The country table (one row per UN DESA country or area)."""
    from . import store

    return store.load("countries", data_dir)
