"""Documented schemas of the processed store's tables (column, dtype, unit, meaning).

Every Parquet table that ``migstats data build`` writes is described here once and
checked with :mod:`pandera` before it is written. Units: *persons* for stocks and
populations (UN DESA Table 2 publishes thousands; the parser multiplies by 1,000),
*current US$* for money (the KNOMAD matrices publish millions; the parser multiplies by
1e6), *percent* for shares and rates as the publishers print them.

Special location codes: ``2003`` is UN DESA's "OTHER" (origin unknown or not
attributed); the KNOMAD "Other North"/"Other South" rows and columns are mapped to it.

Every country code in every table goes through the one country resolver
(:class:`migstats.countries.CountryResolver`); codes a source uses that are not UN DESA
areas are listed explicitly with their handling (see each table's description) and any
other unknown code stops the build.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Column", "TABLES", "SPLIT_BY_AREA", "OTHER_CODE", "WORLD_CODE", "CHANNEL_ISLANDS_CODE",
           "WPP_OTHER_AREAS", "validate", "describe", "dtypes"]

OTHER_CODE = 2003
WORLD_CODE = 900
#: UN DESA's Channel Islands (IMS Annex ISO3 "CHI"); WPP 2024 has Guernsey and Jersey instead.
CHANNEL_ISLANDS_CODE = 830
#: WPP 2024 countries or areas that are not UN DESA IMS 2024 areas (M49 code -> name). Their
#: rows go to ``wpp_indicators_other_areas``; Guernsey and Jersey counts are also summed into
#: the Channel Islands (830) in ``wpp_indicators``.
WPP_OTHER_AREAS = {412: "Kosovo (under UNSC res. 1244)", 831: "Guernsey", 832: "Jersey"}


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # pandas dtype string: int16/int32/Int32/float64/str/bool
    unit: str
    description: str
    nullable: bool = False


def _c(name, dtype, unit, description, nullable=False):
    return Column(name, dtype, unit, description, nullable)


_SEX = _c("sex", "str", "", "'both', 'male' or 'female'")
_ED = _c("edition", "int16", "year", "edition of the publication (e.g. 2024 for IMS 2024)")
_LOC = _c("location_code", "int32", "", "UN M49 location code (as in the UN DESA tables)")
_YEAR = _c("year", "int16", "year", "reference year (mid-year for UN DESA, calendar year for WDI/UNHCR)")

TABLES: dict[str, tuple[str, list[Column]]] = {
    "countries": ("One row per country or area of the UN DESA 2024 tables.", [
        _LOC,
        _c("iso3", "str", "", "ISO 3166-1 alpha-3 (UN DESA Annex; CHI for the Channel Islands)"),
        _c("iso2", "str", "", "ISO 3166-1 alpha-2 (pycountry)", True),
        _c("name", "str", "", "UN DESA 2024 name without footnote markers"),
        _c("short_name", "str", "", "short common name for labels"),
        _c("un_region", "str", "", "UN geographic region (Annex)", True),
        _c("un_subregion", "str", "", "UN subregion (Annex)", True),
        _c("sdg_region", "str", "", "SDG region (Annex)", True),
        _c("wb_code", "str", "", "World Bank economy code", True),
        _c("wb_name", "str", "", "World Bank name (WDI metadata TableName)", True),
        _c("wb_region", "str", "", "World Bank region (WDI metadata)", True),
        _c("income_group", "str", "", "World Bank income group (WDI metadata vintage)", True),
        _c("ldc", "bool", "", "least developed country (UN, Annex code 941)"),
        _c("lldc", "bool", "", "landlocked developing country (Annex code 1636)"),
        _c("sids", "bool", "", "small island developing state (Annex code 1637)"),
        _c("unhcr_code", "str", "", "UNHCR's own country code (refugees package countries.rda, joined "
           "on ISO3; e.g. Austria 'AUS', Australia 'AUL'); never a join key for UNHCR data", True),
    ]),
    "aggregates": ("UN DESA aggregates (regions, development and income groups) and WORLD.", [
        _LOC, _c("name", "str", "", "aggregate name"),
        _c("kind", "str", "", "e.g. 'SDG region', 'Subregion', 'Income group', 'World'"),
    ]),
    "aggregate_members": ("Membership of countries in UN DESA aggregates (Annex).", [
        _c("aggregate_code", "int32", "", "location code of the aggregate"), _LOC,
    ]),
    "country_names": ("Every spelling the resolver accepts, normalised, with its area.", [
        _c("alias", "str", "", "name as found in a source or alias list"),
        _c("key", "str", "", "normalised form (casefolded, accents and punctuation removed)"),
        _LOC, _c("origin", "str", "", "where the spelling comes from"),
    ]),
    "destination_stock": ("International migrant stock by destination (UN DESA Table 1).", [
        _ED, _LOC, _YEAR, _SEX, _c("migrant_stock", "float64", "persons", "international migrants", True),
    ]),
    "population": ("Total population (UN DESA Table 2, WPP-based).", [
        _ED, _LOC, _YEAR, _SEX, _c("population", "float64", "persons", "total population (thousands x 1000)", True),
    ]),
    "destination_published": ("Ratios as published in UN DESA Tables 3 and 4.", [
        _ED, _LOC, _YEAR, _SEX,
        _c("measure", "str", "", "'migrant_share_pct' (Table 3) or 'female_share_pct' (Table 4)"),
        _c("value", "float64", "percent", "published value", True),
    ]),
    "destination_growth": ("Annual rate of change of the migrant stock (UN DESA Table 5).", [
        _ED, _LOC, _c("period_start", "int16", "year", ""), _c("period_end", "int16", "year", ""), _SEX,
        _c("growth_rate_pct", "float64", "percent per year", "published rate of change", True),
    ]),
    "destination_notes": ("Type of data and coverage notes per area (UN DESA Table 1).", [
        _ED, _LOC,
        _c("data_type", "str", "", "B=foreign-born, C=citizenship, I=imputed, R=refugees added", True),
        _c("refugees_included", "bool", "", "'R' in the data type code"),
        _c("coverage_note", "str", "", "coverage footnote key", True),
    ]),
    "origin_stock": ("Emigrant stock by country of origin (UN DESA by-origin Table 1).", [
        _ED, _LOC, _YEAR, _SEX, _c("emigrant_stock", "float64", "persons", "people born in (or citizens of) the area living abroad", True),
    ]),
    "undesa_refugees": ("Refugees and asylum seekers by destination (UN DESA IMS 2020 Table 6).", [
        _ED, _LOC, _YEAR, _c("refugees", "float64", "persons", "refugees incl. asylum seekers", True),
    ]),
    "bilateral_stock": ("Migrant stock by origin and destination. A row exists for every figure "
                        "the source reports (zeros included); an absent origin x destination pair "
                        "is not reported ('insufficient data' in UN DESA 2024), never 0. UN DESA "
                        "2024 comes from the official workbook (dataset 'undesa_2024_od') when "
                        "cached, else from IOM GDI's reshape ('undesa_2024_od_gdidata': both sexes "
                        "= males + females; 'OOO' -> 2003, 'XCX' -> Channel Islands 830), never "
                        "both.", [
        _c("dataset", "str", "", "registry key of the source file"), _ED, _YEAR, _SEX,
        _c("origin_code", "int32", "", "M49 of origin (2003 = other/unknown)"),
        _c("destination_code", "int32", "", "M49 of destination (2003 = other)"),
        _c("migrant_stock", "float64", "persons", "migrants from origin living in destination"),
    ]),
    "bilateral_remittances": ("Bilateral remittance estimates (KNOMAD; model estimates).", [
        _c("dataset", "str", "", "registry key"), _ED, _YEAR,
        _c("sending_code", "int32", "", "M49 of the sending (host) country (2003 = other)"),
        _c("receiving_code", "int32", "", "M49 of the receiving (origin) country (2003 = other)"),
        _c("remittances_usd", "float64", "current US$", "estimated flow (published in US$ millions x 1e6)"),
    ]),
    "wdi": ("World Bank WDI series, long format; one source file (one vintage) per indicator, "
            "the newest cached: BX.TRF.PWKR.CD.DT, NY.GDP.MKTP.CD and SP.POP.TOTL of 2025-07-01; "
            "BM.TRF.PWKR.CD.DT from the official file when cached, else from IOM GDI's extract "
            "(wdi.rda 'remout', countries only; its ISO3 'geo' codes resolved to World Bank codes "
            "and M49, Kosovo XKX kept without an M49 code as UN DESA counts it within Serbia).", [
        _c("dataset", "str", "", "registry key of the source file (e.g. wdi_gdp, wdi_gdidata)"),
        _c("indicator", "str", "", "WDI code, e.g. BX.TRF.PWKR.CD.DT"),
        _c("wb_code", "str", "", "World Bank economy or aggregate code"),
        _c("location_code", "Int32", "", "M49 code when the economy is a UN DESA area", True),
        _YEAR, _c("value", "float64", "see unit", "value as published"),
        _c("unit", "str", "", "unit of value"),
        _c("vintage", "str", "", "WDI 'Last Updated Date' (YYYY-MM-DD), or for the gdidata extract "
           "'IOM GDI extract (gdidata, 2025-02-07; WDI vintage unstated)'"),
    ]),
    "wb_economies": ("World Bank economies and aggregates (WDI country metadata).", [
        _c("wb_code", "str", "", "World Bank code"), _c("wb_name", "str", "", "Country Name"),
        _c("table_name", "str", "", "TableName"),
        _c("region", "str", "", "World Bank region (blank for aggregates)", True),
        _c("income_group", "str", "", "income group", True),
        _c("is_aggregate", "bool", "", "no region: an aggregate such as WLD or LMY"),
        _c("location_code", "Int32", "", "M49 when a UN DESA area", True),
    ]),
    "unhcr_refugees": ("Forcibly displaced and stateless people by origin and country of asylum "
                       "(UNHCR), end-year, persons. From UNHCR's refugees package (dataset "
                       "'unhcr_population', 1951-2025) when cached, else from the 1995-2020 extract "
                       "('unhcr_refugees'). Joined on the ISO3 columns, never on UNHCR's own codes. "
                       "Codes without an area keep a missing M49 code: 'UNK' unknown/various "
                       "(origin, and asylum in a few rows; blank in the extract), 'XXA' stateless "
                       "(origin), 'TIB' Tibetans (origin). Rows as published (the extract's "
                       "all-zero self-pairs are dropped).", [
        _c("dataset", "str", "", "registry key of the source file"),
        _YEAR,
        _c("origin_iso3", "str", "", "ISO3 of origin as UNHCR writes it (UNK, XXA, TIB: see above)", True),
        _c("asylum_iso3", "str", "", "ISO3 of the country of asylum (UNK = unknown)", True),
        _c("origin_code", "Int32", "", "M49 of origin when an area", True),
        _c("asylum_code", "Int32", "", "M49 of asylum country when an area", True),
        _c("refugees", "float64", "persons", "refugees under UNHCR's mandate", True),
        _c("asylum_seekers", "float64", "persons", "asylum seekers", True),
        _c("idps", "float64", "persons", "internally displaced persons of concern to UNHCR (rows "
           "with origin = asylum); NaN where the source has no such field (the extract)", True),
        _c("stateless", "float64", "persons", "stateless persons; NaN in the extract", True),
        _c("others_of_concern", "float64", "persons", "others of concern to UNHCR ('ooc'); NaN in "
           "the extract", True),
        _c("oip", "float64", "persons", "other people in need of international protection; NaN "
           "where the source gives no figure (all rows before 2018, most rows after; the extract)", True),
    ]),
    "wpp_indicators": ("UN World Population Prospects 2024 demographic indicators, estimates "
                       "1950-2023, for the UN DESA IMS 2024 areas (the '_aggregates' table holds "
                       "WPP's aggregates, codes 900 and up: World 900, regions, income, SDG, LLDC/"
                       "SIDS groups). Calendar years. WPP areas that are not IMS areas are "
                       "handled explicitly: Guernsey (831) + Jersey (832) counts are summed into "
                       "Channel Islands (830), for which no rates are given (WPP has rates for each "
                       "island only; combining them needs populations these files lack); "
                       "Kosovo (412), Guernsey and Jersey as published are in "
                       "'wpp_indicators_other_areas'; Serbia (688) is WPP's (without Kosovo, as "
                       "in IMS Table 2); Holy See (336) has no WPP rows.", [
        _ED, _LOC, _c("year", "int16", "year", "calendar year (1 January to 31 December)"),
        _c("measure", "str", "", "births, deaths, net_migration (net number of migrants), "
           "population_change, cbr, cdr or cnmr (crude birth, death, net migration rates)"),
        _c("value", "float64", "see unit", "persons for the four counts (WPP thousands x 1000); "
           "per 1,000 population (person-years) for the three rates"),
        _c("unit", "str", "", "'persons' or 'per 1,000 population'"),
    ]),
    "wpp_indicators_other_areas": ("WPP 2024 rows of areas that are not UN DESA IMS 2024 areas, "
                                   "as published: Kosovo 412 (UN DESA counts it within Serbia), "
                                   "Guernsey 831 and Jersey 832 (UN DESA: Channel Islands 830). "
                                   "Same columns as 'wpp_indicators', with the WPP name.", [
        _ED, _LOC, _c("name", "str", "", "WPP 2024 name"),
        _c("year", "int16", "year", "calendar year"),
        _c("measure", "str", "", "as in wpp_indicators"),
        _c("value", "float64", "see unit", "as in wpp_indicators"),
        _c("unit", "str", "", "'persons' or 'per 1,000 population'"),
    ]),
    "area_points": ("A point per area for markers and great-circle lines (lon/lat, EPSG:4326).", [
        _LOC, _c("iso3", "str", "", ""), _c("lon", "float64", "degrees", ""),
        _c("lat", "float64", "degrees", ""), _c("source", "str", "", "how the point was obtained"),
    ]),
}

#: Tables whose rows mix countries and aggregates in the source; the store writes the
#: country rows to ``<name>`` and every other row (WORLD, regions, OTHER) to ``<name>_aggregates``.
SPLIT_BY_AREA = ("destination_stock", "population", "destination_published", "destination_growth",
                 "destination_notes", "origin_stock")


def dtypes(name: str) -> dict[str, str]:
    """Column -> dtype of table ``name``, in schema order (for casting before :func:`validate`)."""
    _, cols = TABLES[name.removesuffix("_aggregates")]
    return {c.name: c.dtype for c in cols}


def _schema(name: str):
    import pandera.pandas as pa

    base = name.removesuffix("_aggregates")
    _, cols = TABLES[base]
    return pa.DataFrameSchema(
        {c.name: pa.Column(c.dtype, nullable=c.nullable) for c in cols},
        strict=True, name=name,
    )


def validate(df, name: str):
    """Check ``df`` against the schema of table ``name``; return it unchanged.

    Raises
    ------
    migstats.exceptions.SchemaError
        Naming the table, the column and the failing values.
    """
    import pandera.errors

    from .exceptions import SchemaError

    try:
        return _schema(name).validate(df)
    except pandera.errors.SchemaError as exc:
        raise SchemaError(
            f"Table {name!r} does not match its schema: {exc}. This is a bug in migstats or a "
            "changed source file; run `migstats data status` and report it."
        ) from exc


def describe(name: str) -> str:
    """Markdown description of one table's columns (for docs and ``migstats data schema``)."""
    base = name.removesuffix("_aggregates")
    title, cols = TABLES[base]
    lines = [f"### {name}", title, "", "| column | dtype | unit | description |", "|---|---|---|---|"]
    lines += [f"| {c.name} | {c.dtype} | {c.unit} | {c.description} |" for c in cols]
    return "\n".join(lines)
