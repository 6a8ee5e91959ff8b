"""The registry of official source files: where each comes from and how to verify it.

Every raw file migstats reads is listed here once, with its official URL, the
publisher's edition, its size and SHA-256 (when known), licence and whether the
store needs it. The layout of :data:`SOURCES` paths (``undesa_ims/…``,
``knomad/…``) is also the layout of the local cache (``data/raw``) and of any
mirror folder or bundle, so a file can be copied across unchanged.

Notes
-----
* ``sha256=None`` means the publisher's hash is not known in advance (the UN DESA
  2024 origin x destination workbook, and WDI series that are not in the
  verified mirror). The first successful download records the hash in
  ``data/raw/registry-pins.json`` and later fetches must match that pin
  ("trust on first use"); ``migstats data status`` shows such files as
  *pinned*, not *verified*.
* World Bank WDI bulk files are served as a zip whose name and content change
  with every update; the registry pins the CSV member of the vintage we verified.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

__all__ = ["Source", "SOURCES", "get_source", "BROWSER_USER_AGENT"]

#: un.org answers HTTP 403 to the default urllib/requests User-Agent.
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36 migstats"
)

_UNDESA = "https://www.un.org/development/desa/pd/sites/www.un.org.development.desa.pd/files/"
_UNDESA_2019 = "https://www.un.org/en/development/desa/population/migration/data/estimates2/data/"
_WDI = "https://api.worldbank.org/v2/en/indicator/{code}?downloadformat=csv"
_CC_IGO = "CC BY 3.0 IGO"
_CC_BY = "CC BY 4.0"


@dataclass(frozen=True)
class Source:
    """One official source file.

    Attributes
    ----------
    key : str
        Stable identifier used in the store's provenance and in ``migstats data status``.
    path : str
        Path relative to the raw data folder (and to a mirror folder or bundle).
    url : str
        Official download URL (for zip-served files, the zip's URL).
    publisher, title, edition : str
        What a citation needs; ``edition`` is the publisher's edition or vintage.
    sha256 : str or None
        SHA-256 of the file as published; ``None`` when unknown (pinned on first download).
    size : int or None
        Size in bytes, when known.
    licence : str
        Terms of use.
    required : bool
        ``True`` when ``migstats data build`` cannot run without it.
    archive_member : str or None
        For zip-served files, the member to extract.
    official_bytes : bool
        ``False`` for third-party conversions that exist only in the mirror
        (e.g. the CSV reshaping of the UN DESA 2019 origin x destination workbook).
    alternative_of : str or None
        Key of another source that carries the same data (either one is enough).
    notes : str
        Caveats a user should know.
    """

    key: str
    path: str
    url: str
    publisher: str
    title: str
    edition: str
    sha256: str | None
    size: int | None
    licence: str
    required: bool = True
    archive_member: str | None = None
    official_bytes: bool = True
    alternative_of: str | None = None
    notes: str = ""
    headers: dict = field(default_factory=dict, compare=False)
    short: str = ""

    @property
    def filename(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def citation(self) -> str:
        """One-line citation: publisher, title, edition."""
        return f"{self.publisher}, {self.title} ({self.edition})"

    def short_citation(self) -> str:
        """Short citation for captions and tables (publisher, title, edition)."""
        return self.short or self.citation()


def _undesa(key, fname, title, edition, sha, size, **kw) -> Source:
    return Source(key=key, path=f"undesa_ims/{fname}", url=_UNDESA + fname,
                  publisher="UN DESA Population Division", title=title, edition=edition,
                  sha256=sha, size=size, licence=_CC_IGO,
                  headers={"User-Agent": BROWSER_USER_AGENT}, **kw)


def _wdi(key, code, fname, title, sha, size, vintage, required=True, notes="") -> Source:
    return Source(key=key, path=f"worldbank_wdi/{fname}", url=_WDI.format(code=code),
                  publisher="World Bank", title=f"World Development Indicators: {title} ({code})",
                  edition=f"WDI, last updated {vintage}", sha256=sha, size=size, licence=_CC_BY,
                  required=required, archive_member=fname, notes=notes)


_SOURCE_LIST: list[Source] = [
    _undesa("undesa_2024_destination", "undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx",
            "International Migrant Stock 2024, by destination and sex",
            "IMS 2024 (POP/DB/MIG/Stock/Rev.2024)",
            "894fe0637f649e9eb2555915e7f5d6e9818a913b7653c8d7b5e3803fc236ce82", 541936),
    _undesa("undesa_2024_origin", "undesa_pd_2024_ims_stock_by_sex_and_origin.xlsx",
            "International Migrant Stock 2024, by origin and sex", "IMS 2024 (Rev.2024)",
            "67a6683e3993805da8df1c014d24e5b824e657877559e4f674e14fc10362b94c", 231809),
    _undesa("undesa_2024_od", "undesa_pd_2024_ims_stock_by_sex_destination_and_origin.xlsx",
            "International Migrant Stock 2024, by destination, origin and sex", "IMS 2024 (Rev.2024)",
            None, 6005287, required=False,
            notes="Not in the verified mirror; its SHA-256 is pinned on first download."),
    _undesa("undesa_2020_destination", "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx",
            "International Migrant Stock 2020, by destination and sex (with refugees, Table 6)",
            "IMS 2020 (Rev.2020)",
            "c2bae98812a1f68b1d7f57a8d3d11903b85522d664f319dfe87daa30f653fd5b", 551092),
    Source("undesa_2019_totals", "undesa_ims/UN_MigrantStockTotal_2019.xlsx",
           _UNDESA_2019 + "UN_MigrantStockTotal_2019.xlsx", "UN DESA Population Division",
           "International Migrant Stock 2019, by destination", "IMS 2019 (Rev.2019)",
           "6e44a1f4c750248b7721a6f32afa75477c2c22420bed26053e1bfe58f4a63062", 637705, _CC_IGO,
           headers={"User-Agent": BROWSER_USER_AGENT}),
    Source("undesa_2019_od", "undesa_ims/UN_MigrantStockByOriginAndDestination_2019.xlsx",
           _UNDESA_2019 + "UN_MigrantStockByOriginAndDestination_2019.xlsx",
           "UN DESA Population Division",
           "International Migrant Stock 2019, by destination and origin", "IMS 2019 (Rev.2019)",
           None, None, _CC_IGO, required=False, alternative_of="undesa_2019_od_csv",
           headers={"User-Agent": BROWSER_USER_AGENT},
           notes="Official workbook (over 4 MB); its SHA-256 is pinned on first download."),
    Source("undesa_2019_od_csv", "undesa_ims/UN_MigrantStockByOriginAndDestination_2019_clean.csv",
           _UNDESA_2019 + "UN_MigrantStockByOriginAndDestination_2019.xlsx",
           "UN DESA Population Division",
           "International Migrant Stock 2019, by destination and origin (both sexes; CSV reshaping "
           "by G. Abel, guyabel/stepladderChapter)", "IMS 2019 (Rev.2019)",
           "5aa066f9666b2cabac0347fc2e2794ef99767fc36aa44cc12de82c32d40e4cda", 965426, _CC_IGO,
           required=False, official_bytes=False, alternative_of="undesa_2019_od",
           notes="Third-party conversion: available from a mirror only; values as published."),
    Source("undesa_annex", "m49/aggregates_correspondence_table_2020_1.xlsx",
           _UNDESA + "aggregates_correspondence_table_2020_1.xlsx", "UN DESA Population Division",
           "International Migrant Stock 2020: aggregates correspondence table (Annex)",
           "IMS 2020 Annex",
           "f8cefb646d13154c05d98ffc77f6d23a2a7f02c05fbca3a33d1f519f50202fd3", 152616, _CC_IGO,
           headers={"User-Agent": BROWSER_USER_AGENT}),
    Source("unsd_m49", "m49/UNSD — Methodology.csv",
           "https://unstats.un.org/unsd/methodology/m49/overview/", "UN Statistics Division",
           "Standard country or area codes for statistical use (M49), overview CSV",
           "M49 as downloaded 2026-07-19",
           "195be4ea55d42b9f3c2430a358c07dd78dcf48775e964aaf6e8e3515f16594eb", 20173,
           "UN terms of use (attribution)", required=False,
           notes="The page builds the CSV in the browser ('CSV' button): download it by hand "
                 "into data/raw/m49/ if you need UN intermediate regions."),
    Source("knomad_migration_2017", "knomad/bilateral_migration_matrix_2017.xlsx",
           "https://www.worldbank.org/en/topic/migrationremittancesdiasporaissues/brief/"
           "migration-remittances-data", "World Bank / KNOMAD",
           "Bilateral Estimates of Migrant Stocks in 2017", "2017 (published 2018)",
           "69aaf6ac711f7ba770cbd551b357daa8445b6b952bb9cb92e720a251ede4bb60", 223380, _CC_BY,
           required=False,
           notes="Exact file URL unverified; model estimates built on UN DESA 2017 data."),
    Source("knomad_migration_2021", "knomad/bilateral_migration_matrix_2021_latest.xlsx",
           "https://www.knomad.org/sites/default/files/2022-12/bilateral_migration_matrix_2021_latest.xlsx",
           "World Bank / KNOMAD", "Bilateral Migration Matrix 2021", "December 2022",
           "d99a27d8436aea8af568ab5e16ed7f9f5ccd2ab382299b6db0ea213133ab9832", 210369, _CC_BY,
           notes="Staff estimates built on UN DESA 2020 and national sources."),
    Source("knomad_remittances_2017", "knomad/bilateral_remittance_matrix_2017.xlsx",
           "https://www.worldbank.org/en/topic/migrationremittancesdiasporaissues/brief/"
           "migration-remittances-data", "World Bank / KNOMAD",
           "Bilateral Remittance Estimates for 2017", "April 2018 version",
           "d995649722f9a3c4db0769c9026102f85f37df9e4d66cc04729f3317b4c07e9c", 325526, _CC_BY,
           required=False,
           notes="Model estimates (Ratha & Shaw 2007 method), not officially reported data."),
    Source("knomad_remittances_2021", "knomad/bilateral_remittance_matrix_2021.xlsx",
           "https://www.knomad.org/sites/default/files/2022-12/bilateral_remittance_matrix_2021_0.xlsx",
           "World Bank / KNOMAD", "Bilateral Remittance Matrix 2021", "December 2022 version",
           None, None, _CC_BY, required=False,
           notes="Model estimates, not officially reported data. The publisher's SHA-256 is not "
                 "known here (the verified mirror copy was re-saved by a third party, sha256 "
                 "62c68e72…8c): the first copy fetched is pinned."),
    Source("unhcr_refugees", "unhcr/unhcr_2020.csv",
           "https://www.unhcr.org/refugee-statistics/download/", "UNHCR",
           "Refugee Data Finder: refugees and asylum seekers by origin and asylum "
           "(extract by G. Abel, guyabel/stepladderChapter)", "1995-2020 extract",
           "b5642791ec17fab8512858fd68a685dab307174d917b7e1b9765e146368e7fd9", 1743661, _CC_BY,
           required=False, official_bytes=False,
           notes="Third-party extract: available from a mirror only."),
    _wdi("wdi_remittances_received", "BX.TRF.PWKR.CD.DT",
         "API_BX.TRF.PWKR.CD.DT_DS2_en_csv_v2_38454.csv",
         "Personal remittances, received (current US$)",
         "254d1c23504fe34725a2203b02db5bdb2d5576b00eca3a2a816dfcd298a56557", 207919, "2025-07-01"),
    _wdi("wdi_remittances_received_meta", "BX.TRF.PWKR.CD.DT",
         "Metadata_Country_API_BX.TRF.PWKR.CD.DT_DS2_en_csv_v2_38454.csv",
         "country metadata (region, income group)",
         "e4477e21fd4534300e5a05f787a09074487afe1d806a007a76440ada984d6c39", 60724, "2025-07-01"),
    _wdi("wdi_gdp", "NY.GDP.MKTP.CD", "API_NY.GDP.MKTP.CD_DS2_en_csv_v2_9865.csv",
         "GDP (current US$)",
         "925f415d69913ff98d427885df2a05a340c4c38b99701c16e5c321ef5d7779ec", 283645, "2024-10-24"),
    _wdi("wdi_remittances_paid", "BM.TRF.PWKR.CD.DT", "API_BM.TRF.PWKR.CD.DT_DS2_en_csv_v2.csv",
         "Personal remittances, paid (current US$)", None, None, "latest", required=False,
         notes="Not in the verified mirror; pinned on first download."),
    _wdi("wdi_remittances_pct_gdp", "BX.TRF.PWKR.DT.GD.ZS",
         "API_BX.TRF.PWKR.DT.GD.ZS_DS2_en_csv_v2.csv",
         "Personal remittances, received (% of GDP)", None, None, "latest", required=False,
         notes="Not in the verified mirror; without it migstats computes received / GDP."),
    _wdi("wdi_population", "SP.POP.TOTL", "API_SP.POP.TOTL_DS2_en_csv_v2.csv",
         "Population, total", None, None, "latest", required=False,
         notes="Not in the verified mirror; UN DESA IMS 2024 Table 2 (WPP 2024) is used instead."),
    Source("naturalearth_110m", "naturalearth/ne_110m_admin_0_countries.zip",
           "https://naciscdn.org/naturalearth/110m/cultural/ne_110m_admin_0_countries.zip",
           "Natural Earth", "Admin 0 - Countries, 1:110m", "v5.1.1",
           "0f243aeac8ac6cf26f0417285b0bd33ac47f1b5bdb719fd3e0df37d03ea37110", 214976,
           "Public domain"),
    Source("naturalearth_50m", "naturalearth/ne_50m_admin_0_countries.zip",
           "https://naciscdn.org/naturalearth/50m/cultural/ne_50m_admin_0_countries.zip",
           "Natural Earth", "Admin 0 - Countries, 1:50m", "v5.1.1",
           "4919f1d35d4526b08f07cd3b8d7351d25328e063b180ca5036f6d1b3ed2ac3e3", 799720,
           "Public domain"),
]

_SHORT = {
    "undesa_2024_destination": "UN DESA, International Migrant Stock 2024 (by destination)",
    "undesa_2024_origin": "UN DESA, International Migrant Stock 2024 (by origin)",
    "undesa_2024_od": "UN DESA, International Migrant Stock 2024 (origin x destination)",
    "undesa_2020_destination": "UN DESA, International Migrant Stock 2020 (by destination)",
    "undesa_2019_totals": "UN DESA, International Migrant Stock 2019 (by destination)",
    "undesa_2019_od": "UN DESA, International Migrant Stock 2019 (origin x destination)",
    "undesa_2019_od_csv": "UN DESA, International Migrant Stock 2019 (origin x destination)",
    "undesa_annex": "UN DESA, International Migrant Stock 2020 Annex (aggregates)",
    "unsd_m49": "UNSD, M49 standard",
    "knomad_migration_2017": "World Bank/KNOMAD, Bilateral Migration Matrix 2017",
    "knomad_migration_2021": "World Bank/KNOMAD, Bilateral Migration Matrix 2021 (Dec. 2022)",
    "knomad_remittances_2017": "World Bank/KNOMAD, Bilateral Remittance Matrix 2017 (Apr. 2018)",
    "knomad_remittances_2021": "World Bank/KNOMAD, Bilateral Remittance Matrix 2021 (Dec. 2022)",
    "unhcr_refugees": "UNHCR, Refugee Data Finder (1995-2020)",
    "wdi_remittances_received": "World Bank, WDI personal remittances received (2025-07-01)",
    "wdi_remittances_received_meta": "World Bank, WDI country metadata (2025-07-01)",
    "wdi_gdp": "World Bank, WDI GDP current US$ (2024-10-24)",
    "wdi_remittances_paid": "World Bank, WDI personal remittances paid",
    "wdi_remittances_pct_gdp": "World Bank, WDI personal remittances received (% of GDP)",
    "wdi_population": "World Bank, WDI population",
    "naturalearth_110m": "Natural Earth 1:110m admin-0 countries v5.1.1",
    "naturalearth_50m": "Natural Earth 1:50m admin-0 countries v5.1.1",
}
_SOURCE_LIST = [replace(s, short=_SHORT.get(s.key, "")) for s in _SOURCE_LIST]

#: All known sources, by key.
SOURCES: dict[str, Source] = {s.key: s for s in _SOURCE_LIST}


def get_source(key: str) -> Source:
    """Return the :class:`Source` registered under ``key``.

    Raises
    ------
    KeyError
        With the list of known keys.
    """
    try:
        return SOURCES[key]
    except KeyError:
        raise KeyError(f"Unknown source {key!r}. Known sources: {', '.join(SOURCES)}") from None
