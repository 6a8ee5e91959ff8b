"""The registry of official source files: where each comes from and how to verify it.

Every raw file migstats reads is listed here once, with its official URL, the
publisher's edition, its size and SHA-256 (when known), licence and whether the
store needs it. The layout of :data:`SOURCES` paths (``undesa_ims/…``,
``knomad/…``) is also the layout of the local cache (``data/raw``) and of any
mirror folder or bundle, so a file can be copied across unchanged.

Notes
-----
* ``sha256=None`` means the publisher's hash is not known in advance (WDI series
  that are not in the verified mirror). The first successful download records the hash in
  ``data/raw/registry-pins.json`` and later fetches must match that pin
  ("trust on first use"); ``migstats data status`` shows such files as
  *pinned*, not *verified*.
* World Bank WDI bulk files are served as a zip whose name and content change
  with every update; the registry pins the CSV member of the vintage we verified.
* Where the publisher serves no file with the data, the registry names the public
  repository that carries it (``repository``: owner/name, commit and path) and its
  ``url`` is the raw URL of that file at that commit. Such a file is either the
  publisher's own package data (UNHCR's ``refugees``, the UN Population Division's
  ``wpp2024``: ``official_bytes=True``) or a third-party reshape or extract (IOM GDI's
  ``gdidata``: ``official_bytes=False``).
* Sources that carry the same data form a group: the *primary* source (the official
  file, or the newest vintage) and its stand-ins, each with ``alternative_of`` naming the
  primary. :func:`preferred` picks the one the store uses: the primary when cached, else
  the first cached stand-in in registry order. Older vintages (GDP 2024-10-24, the
  UNHCR 1995-2020 extract) stay registered as stand-ins of the newer file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

__all__ = ["Source", "SOURCES", "get_source", "BROWSER_USER_AGENT", "alternatives", "preferred"]

#: un.org answers HTTP 403 to the default urllib/requests User-Agent.
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36 migstats"
)

_UNDESA = "https://www.un.org/development/desa/pd/sites/www.un.org.development.desa.pd/files/"
_UNDESA_2019 = "https://www.un.org/en/development/desa/population/migration/data/estimates2/data/"
_WDI = "https://api.worldbank.org/v2/en/indicator/{code}?downloadformat=csv"
_RAW_GITHUB = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"
#: Commits of the public repositories named in the mirror's MANIFEST (snapshot HEADs).
_GDIDATA = ("iom/gdidata", "c9e4cc69cebd91d6cfca5f4107e2406e4de2c6ff")
_UNHCR_PKG = ("PopulationStatistics/refugees", "0c16a6d0c2f37d8578f9b9e3d1e4459efe850398")
_WPP_PKG = ("PPgp/wpp2024", "2da7768ae64fc74105d3f9e98f9a74d37b62f99a")
_CC_IGO_PKG = "CC BY 3.0 IGO (data); package MIT"
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
        ``False`` for third-party conversions (e.g. the CSV reshaping of the UN DESA 2019
        origin x destination workbook, IOM GDI's reshape of the 2024 one). Without a
        ``repository`` such a file exists only in mirrors ("mirror only").
    alternative_of : str or None
        Key of the primary source of the same data, of which this one is a stand-in
        (third-party form or older vintage); see :func:`preferred`.
    notes : str
        Caveats a user should know.
    repository : str or None
        For files the publisher does not serve itself: the public repository they are
        downloaded from, as ``owner/name@commit:path`` (``url`` is the raw file at that
        commit).
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
    repository: str | None = None

    @property
    def filename(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def form(self) -> str:
        """What the file is: ``"official file"`` (as the publisher serves it),
        ``"publisher's package"`` (the publisher's own data package, from its public
        repository) or ``"third-party"`` (a reshape or extract made by someone else)."""
        if not self.official_bytes:
            return "third-party"
        return "publisher's package" if self.repository else "official file"

    @property
    def mirror_only(self) -> bool:
        """``True`` when no download URL exists for these bytes (third-party, no repository)."""
        return not self.official_bytes and not self.repository

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


def _wdi(key, code, fname, title, sha, size, vintage, required=True, notes="", **kw) -> Source:
    return Source(key=key, path=f"worldbank_wdi/{fname}", url=_WDI.format(code=code),
                  publisher="World Bank", title=f"World Development Indicators: {title} ({code})",
                  edition=f"WDI, last updated {vintage}", sha256=sha, size=size, licence=_CC_BY,
                  required=required, archive_member=fname, notes=notes, **kw)


def _from_repository(key, path, repo_commit, repo_path, **kw) -> Source:
    """A file downloaded from a public repository at a fixed commit (named as such)."""
    repo, commit = repo_commit
    return Source(key=key, path=path, url=_RAW_GITHUB.format(repo=repo, commit=commit, path=repo_path),
                  repository=f"{repo}@{commit}:{repo_path}", **kw)


def _wpp(key, fname, what, sha, size, sub="data-raw") -> Source:
    return _from_repository(
        key, f"wpp/wpp2024_1.1-3/{sub}/{fname}", _WPP_PKG, f"{sub}/{fname}",
        publisher="UN DESA Population Division",
        title=f"World Population Prospects 2024: {what} (R package wpp2024 1.1-3, file {sub}/{fname})",
        edition="WPP 2024 (estimates 1950-2023)", sha256=sha, size=size,
        licence="CC BY 3.0 IGO", required=False,
        notes="The UN Population Division's data as tab-separated tables of the wpp2024 R package "
              "(DESCRIPTION: Author United Nations Population Division), not the population.un.org "
              "CSV files (WPP2024_Demographic_Indicators_Medium.csv.gz, about 16 MB, not registered).")


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
            "0e10179d05186041a65cf5c6200943b2231701f9c1fd33cbbe21d23b8ea47316", 6005287, required=False,
            notes="Not in the verified mirror. SHA-256 as published in the reproducibility README "
                  "of Sehgal et al. (MANIFEST, provenance of undesa_stocks.rda)."),
    _from_repository(
        "undesa_2024_od_gdidata", "undesa_ims/iom-gdidata/undesa_stocks.rda", _GDIDATA,
        "data/undesa_stocks.rda", publisher="UN DESA Population Division",
        title="International Migrant Stock 2024, by destination, origin and sex (long-format "
              "reshape by IOM Global Data Institute, R package gdidata, data/undesa_stocks.rda)",
        edition="IMS 2024 (Rev.2024)",
        sha256="80e7d03931728f4bed908e7397f887a48e8661703967f5eafc1ed1e3d70cc40c", size=241812,
        licence=_CC_IGO_PKG, required=False, official_bytes=False, alternative_of="undesa_2024_od",
        notes="Third-party reshape of the official workbook: males and females only (both sexes = "
              "their sum), countries only, absent pair = insufficient data. Its sums equal the "
              "official 2024 destination and origin tables in every cell (MANIFEST)."),
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
           None, None, _CC_IGO, required=False,
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
    _from_repository(
        "unhcr_population", "unhcr/refugees_2025.12.1/population.rda", _UNHCR_PKG,
        "data/population.rda", publisher="UNHCR",
        title="Refugee Population Statistics Database: forcibly displaced and stateless people by "
              "origin and country of asylum (UNHCR R package refugees 2025.12.1, data/population.rda)",
        edition="refugees 2025.12.1 (Global Trends 2025 release, 1951-2025)",
        sha256="66eb6872a5f34c82705be97759051703bc0f404e3ecadc9c72a5f61424a22cf8", size=480360,
        licence=_CC_BY, required=False,
        notes="UNHCR's own package data (the Refugee Data Finder population fields); origin and "
              "asylum codes are UNHCR codes (AUS = Austria): join on the ISO columns."),
    _from_repository(
        "unhcr_countries", "unhcr/refugees_2025.12.1/countries.rda", _UNHCR_PKG,
        "data/countries.rda", publisher="UNHCR",
        title="UNHCR country codes with ISO 3166 codes and regions (UNHCR R package refugees "
              "2025.12.1, data/countries.rda)",
        edition="refugees 2025.12.1",
        sha256="62ff79f2af7f75760825ada70e19935b03aceab50c906019416f990856ebc539", size=3980,
        licence=_CC_BY, required=False),
    Source("unhcr_refugees", "unhcr/unhcr_2020.csv",
           "https://www.unhcr.org/refugee-statistics/download/", "UNHCR",
           "Refugee Data Finder: refugees and asylum seekers by origin and asylum "
           "(extract by G. Abel, guyabel/stepladderChapter)", "1995-2020 extract",
           "b5642791ec17fab8512858fd68a685dab307174d917b7e1b9765e146368e7fd9", 1743661, _CC_BY,
           required=False, official_bytes=False, alternative_of="unhcr_population",
           notes="Third-party extract: available from a mirror only. Superseded by UNHCR's own "
                 "package data (unhcr_population), which has revised figures for recent years."),
    _wdi("wdi_remittances_received", "BX.TRF.PWKR.CD.DT",
         "API_BX.TRF.PWKR.CD.DT_DS2_en_csv_v2_38454.csv",
         "Personal remittances, received (current US$)",
         "254d1c23504fe34725a2203b02db5bdb2d5576b00eca3a2a816dfcd298a56557", 207919, "2025-07-01"),
    _wdi("wdi_remittances_received_meta", "BX.TRF.PWKR.CD.DT",
         "Metadata_Country_API_BX.TRF.PWKR.CD.DT_DS2_en_csv_v2_38454.csv",
         "country metadata (region, income group)",
         "e4477e21fd4534300e5a05f787a09074487afe1d806a007a76440ada984d6c39", 60724, "2025-07-01"),
    _wdi("wdi_gdp", "NY.GDP.MKTP.CD", "API_NY.GDP.MKTP.CD_DS2_en_csv_v2_38344.csv",
         "GDP (current US$)",
         "554e8fc117360e1e3ecd06d3e2aedc28653658a1b3d876e333fcc4aaa7398d8d", 292674, "2025-07-01",
         notes="Same vintage as the remittances received file."),
    _wdi("wdi_gdp_2024_10", "NY.GDP.MKTP.CD", "API_NY.GDP.MKTP.CD_DS2_en_csv_v2_9865.csv",
         "GDP (current US$)",
         "925f415d69913ff98d427885df2a05a340c4c38b99701c16e5c321ef5d7779ec", 283645, "2024-10-24",
         required=False, alternative_of="wdi_gdp",
         notes="Older vintage, used only when the 2025-07-01 file is not cached. The World Bank "
               "no longer serves it (its API zip holds the current vintage)."),
    _wdi("wdi_remittances_paid", "BM.TRF.PWKR.CD.DT", "API_BM.TRF.PWKR.CD.DT_DS2_en_csv_v2.csv",
         "Personal remittances, paid (current US$)", None, None, "latest", required=False,
         notes="Not in the verified mirror; pinned on first download. Without it remittances paid "
               "come from the IOM GDI extract (wdi_gdidata)."),
    _from_repository(
        "wdi_gdidata", "worldbank_wdi/iom-gdidata/wdi.rda", _GDIDATA, "data/wdi.rda",
        publisher="World Bank",
        title="World Development Indicators: personal remittances, paid (current US$) "
              "(BM.TRF.PWKR.CD.DT), in the extract by IOM Global Data Institute "
              "(R package gdidata, data/wdi.rda, variable remout)",
        edition="IOM GDI extract (gdidata, 2025-02-07; WDI vintage unstated)",
        sha256="6b11d0e1851dccdc113350340fcab6329b8f640541df04168efd0e9eff500d64", size=553492,
        licence="CC BY 4.0 (data); package MIT", required=False, official_bytes=False,
        alternative_of="wdi_remittances_paid",
        notes="Third-party extract, countries only, 1990-2023; the WDI vintage is not stated "
              "(late 2024 or early 2025 from the data). Only remout is read."),
    _wdi("wdi_remittances_pct_gdp", "BX.TRF.PWKR.DT.GD.ZS",
         "API_BX.TRF.PWKR.DT.GD.ZS_DS2_en_csv_v2.csv",
         "Personal remittances, received (% of GDP)", None, None, "latest", required=False,
         notes="Not in the verified mirror; without it migstats computes received / GDP."),
    _wdi("wdi_population", "SP.POP.TOTL", "API_SP.POP.TOTL_DS2_en_csv_v2_38144.csv",
         "Population, total",
         "1528f24cf33321b3a0c82788e67d122f89c027f752d18a54c2ed9ed3007e4fcb", 193797, "2025-07-01",
         required=False),
    _wpp("wpp_births", "births.txt", "births (thousands)",
         "da35ad49f417c9240ca7e6a63ca975943a1a00320863ce12e27bcb753844a883", 171735),
    _wpp("wpp_deaths", "deaths.txt", "deaths (thousands)",
         "56ad8095796d702a314767a0d5bbb14d0f14fb4a41e17dfa10bb0a351153c58f", 164750),
    _wpp("wpp_net_migration", "migration.txt", "net number of migrants (thousands)",
         "19d96c718b06b1d3b80797a229340f3891814eca1771ba74c7a9d5e08e6f4dd7", 163647),
    _wpp("wpp_population_change", "PopChange.txt", "population change (thousands)",
         "f3ddca84bf79b96e7cd81c7d03c5a35f2720ffc12d9b18edd8e87df9941e4a95", 313117),
    _wpp("wpp_cbr", "cbr.txt", "crude birth rate (per 1,000 population)",
         "e1756f9b092efbe19292b90ed3baccc8d36706142ffc8326097fdba272bbd725", 156098),
    _wpp("wpp_cdr", "cdr.txt", "crude death rate (per 1,000 population)",
         "47fde617311a69ab41216bcc2fbac1f273fd46790e2bca7a63a4eeb3af11ccbf", 144910),
    _wpp("wpp_cnmr", "cnmr.txt", "crude net migration rate (per 1,000 population)",
         "bb08a7ee221603c1b2f41498ff4e0825e8f829e0cc1513b19a2865781e479120", 149212),
    _wpp("wpp_locations", "UNlocations.txt", "locations and aggregates",
         "9d8cc77383c4dbd368a4c2cbbeeeff9dfc7037ace7c8ecb709ff17a0786be6eb", 48400, sub="data"),
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
    "undesa_2024_od_gdidata": "UN DESA, International Migrant Stock 2024 (origin x destination; "
                              "reshaped by IOM GDI)",
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
    "unhcr_population": "UNHCR, Refugee Population Statistics Database (refugees 2025.12.1)",
    "unhcr_countries": "UNHCR, country codes (refugees 2025.12.1)",
    "unhcr_refugees": "UNHCR, Refugee Data Finder (1995-2020 extract)",
    "wdi_remittances_received": "World Bank, WDI personal remittances received (2025-07-01)",
    "wdi_remittances_received_meta": "World Bank, WDI country metadata (2025-07-01)",
    "wdi_gdp": "World Bank, WDI GDP current US$ (2025-07-01)",
    "wdi_gdp_2024_10": "World Bank, WDI GDP current US$ (2024-10-24)",
    "wdi_remittances_paid": "World Bank, WDI personal remittances paid",
    "wdi_gdidata": "World Bank, WDI personal remittances paid (IOM GDI extract, vintage unstated)",
    "wdi_remittances_pct_gdp": "World Bank, WDI personal remittances received (% of GDP)",
    "wdi_population": "World Bank, WDI population (2025-07-01)",
    "wpp_births": "UN DESA, World Population Prospects 2024 (births)",
    "wpp_deaths": "UN DESA, World Population Prospects 2024 (deaths)",
    "wpp_net_migration": "UN DESA, World Population Prospects 2024 (net migration)",
    "wpp_population_change": "UN DESA, World Population Prospects 2024 (population change)",
    "wpp_cbr": "UN DESA, World Population Prospects 2024 (crude birth rate)",
    "wpp_cdr": "UN DESA, World Population Prospects 2024 (crude death rate)",
    "wpp_cnmr": "UN DESA, World Population Prospects 2024 (crude net migration rate)",
    "wpp_locations": "UN DESA, World Population Prospects 2024 (locations)",
    "naturalearth_110m": "Natural Earth 1:110m admin-0 countries v5.1.1",
    "naturalearth_50m": "Natural Earth 1:50m admin-0 countries v5.1.1",
}
_SOURCE_LIST = [replace(s, short=_SHORT.get(s.key, "")) for s in _SOURCE_LIST]

#: All known sources, by key.
SOURCES: dict[str, Source] = {s.key: s for s in _SOURCE_LIST}


def alternatives(key: str, sources: dict[str, Source] | None = None) -> list[str]:
    """Keys of the sources carrying the same data as ``key``: the primary first, then its
    stand-ins in registry order.

    Parameters
    ----------
    key : str
        Any member of the group (the primary or a stand-in).
    sources : mapping, optional
        Source table to use instead of :data:`SOURCES`.
    """
    table = SOURCES if sources is None else sources
    primary = table[key].alternative_of or key
    return [primary] + [k for k, s in table.items() if s.alternative_of == primary and k != primary]


def preferred(key: str, available, sources: dict[str, Source] | None = None) -> str | None:
    """The source the store uses for the data of ``key``: the first of :func:`alternatives`
    in ``available`` (the keys of cached files), or ``None`` when none is cached."""
    available = set(available)
    return next((k for k in alternatives(key, sources) if k in available), None)


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
