"""World Bank World Development Indicators (WDI) bulk-download CSV files.

Data file ``API_<indicator>_DS2_en_csv_v2_<n>.csv`` (UTF-8 with BOM):

* 4 preamble lines: ``"Data Source","World Development Indicators",``, blank,
  ``"Last Updated Date","YYYY-MM-DD",``, blank;
* header ``Country Name, Country Code, Indicator Name, Indicator Code, 1960, …`` and a
  trailing comma on every line (an empty last column);
* one row per economy or aggregate (266 rows, including ``INX`` "Not classified", which
  has no row in the country metadata); missing values are empty strings.

Country metadata file ``Metadata_Country_API_…csv``: ``Country Code, Region,
IncomeGroup, SpecialNotes, TableName`` and again a trailing empty column. Aggregates
(WLD, LMY, regional groups …) have an empty ``Region``.

Vintages differ between indicators (remittances 2025-07-01, GDP 2024-10-24); the
``vintage`` column keeps the "Last Updated Date" so ratios can say what they mix.
"""

from __future__ import annotations

import csv
import re
from os import PathLike

import numpy as np
import pandas as pd

from migstats.exceptions import SourceLayoutError

__all__ = ["read_indicator", "read_country_metadata", "unit_from_indicator_name"]

_DATA_COLUMNS = ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]
_META_COLUMNS = ["Country Code", "Region", "IncomeGroup", "TableName"]
_REFETCH = "Re-fetch the file with `migstats data fetch --force`."


def unit_from_indicator_name(name: str) -> str:
    """Unit of a WDI series from its name.

    Parameters
    ----------
    name : str
        WDI "Indicator Name", e.g. "Personal remittances, received (current US$)".

    Returns
    -------
    str
        The text of the last parenthesis ("current US$", "% of GDP", …); ``"persons"``
        for population and migrant counts without one ("Population, total",
        "International migrant stock, total", "Net migration"); otherwise
        ``"as published"``.
    """
    found = re.findall(r"\(([^()]*)\)", name)
    if found:
        return found[-1].strip()
    lowered = name.lower()
    if lowered.startswith(("population", "international migrant stock", "net migration")):
        return "persons"
    return "as published"


def _preamble(path) -> str:
    """The "Last Updated Date" of a WDI data file; checks the 4-line preamble."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        lines = [next(fh, "") for _ in range(5)]
    rows = list(csv.reader(lines))
    if (len(rows) < 5 or not rows[0] or rows[0][0] != "Data Source" or not rows[2]
            or rows[2][0] != "Last Updated Date" or not rows[4] or rows[4][0] != "Country Name"):
        raise SourceLayoutError(
            f"{path}: expected the WDI bulk-download preamble ('Data Source' on line 1, "
            f"'Last Updated Date' on line 3, header 'Country Name,…' on line 5), found "
            f"{[r[:2] for r in rows]}. {_REFETCH}"
        )
    vintage = rows[2][1].strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", vintage):
        raise SourceLayoutError(f"{path}: 'Last Updated Date' {vintage!r} is not YYYY-MM-DD. {_REFETCH}")
    return vintage


def _read_data_table(path) -> pd.DataFrame:
    table = pd.read_csv(path, skiprows=4, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    table = table.loc[:, [c for c in table.columns if not c.startswith("Unnamed:")]]
    missing = [c for c in _DATA_COLUMNS if c not in table.columns]
    if missing:
        raise SourceLayoutError(f"{path}: expected columns {_DATA_COLUMNS}, missing {missing}. {_REFETCH}")
    return table


def read_indicator(path: str | PathLike) -> pd.DataFrame:
    """Read a WDI bulk-download data file into long format.

    Parameters
    ----------
    path : str or path-like
        ``API_<indicator>_DS2_en_csv_v2_<n>.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns ``indicator`` (str, Indicator Code, e.g. "BX.TRF.PWKR.CD.DT"),
        ``wb_code`` (str, Country Code — economies *and* aggregates such as WLD, LMY),
        ``year`` (int16, calendar year), ``value`` (float64, as published, in ``unit``),
        ``unit`` (str, from the Indicator Name, e.g. "current US$" — WDI money series
        are in US$, not millions), ``vintage`` (str, the file's "Last Updated Date",
        e.g. "2025-07-01"). Missing values are dropped.

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        If the preamble, the header or the year columns are not as documented.
    """
    vintage = _preamble(path)
    table = _read_data_table(path)
    years = [c for c in table.columns if re.fullmatch(r"\d{4}", c)]
    if not years or set(table.columns) - set(_DATA_COLUMNS) - set(years):
        raise SourceLayoutError(
            f"{path}: expected year columns 1960… after {_DATA_COLUMNS}, found "
            f"{[c for c in table.columns if c not in _DATA_COLUMNS][:5]}…. {_REFETCH}"
        )
    values = table[years].apply(lambda s: pd.to_numeric(s.str.strip().replace("", np.nan), errors="raise"))
    arr = values.to_numpy(float)
    r, c = np.nonzero(~np.isnan(arr))
    units = table["Indicator Name"].map(unit_from_indicator_name).to_numpy()
    return pd.DataFrame({
        "indicator": pd.array(table["Indicator Code"].to_numpy()[r], dtype="str"),
        "wb_code": pd.array(table["Country Code"].to_numpy()[r], dtype="str"),
        "year": np.asarray(years, dtype="int16")[c],
        "value": arr[r, c],
        "unit": pd.array(units[r], dtype="str"),
        "vintage": pd.array([vintage] * len(r), dtype="str"),
    })


def read_country_metadata(path: str | PathLike, data_path: str | PathLike | None = None) -> pd.DataFrame:
    """Read a WDI ``Metadata_Country_…csv`` file (economies and aggregates).

    Parameters
    ----------
    path : str or path-like
        ``Metadata_Country_API_<indicator>_DS2_en_csv_v2_<n>.csv``.
    data_path : str or path-like, optional
        The matching data file. When given, ``wb_name`` is its "Country Name" (the
        spelling of the data file, e.g. "Cote d'Ivoire", "Turkiye"); otherwise
        ``wb_name`` is the metadata ``TableName`` ("Côte d'Ivoire", "Türkiye").

    Returns
    -------
    pandas.DataFrame
        One row per metadata row (265 in both staged vintages). Columns ``wb_code``
        (str), ``wb_name`` (str), ``table_name`` (str, TableName), ``region`` (str, NaN
        for aggregates), ``income_group`` (str, e.g. "High income"; NaN for aggregates
        and unclassified economies such as Venezuela, RB in 2025-07), ``is_aggregate``
        (bool, ``region`` is blank).

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        If the expected columns are missing or codes repeat.
    """
    meta = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    missing = [c for c in _META_COLUMNS if c not in meta.columns]
    if missing:
        raise SourceLayoutError(f"{path}: expected columns {_META_COLUMNS}, missing {missing}. {_REFETCH}")
    if meta["Country Code"].duplicated().any():
        raise SourceLayoutError(f"{path}: 'Country Code' repeats. {_REFETCH}")

    def blank_to_nan(s: pd.Series) -> pd.Series:
        s = s.str.strip()
        return s.where(s != "")

    table_name = meta["TableName"].str.strip()
    wb_name = table_name
    if data_path is not None:
        names = _read_data_table(data_path).drop_duplicates("Country Code").set_index("Country Code")["Country Name"]
        wb_name = meta["Country Code"].map(names).fillna(table_name)
    region = blank_to_nan(meta["Region"])
    return pd.DataFrame({
        "wb_code": meta["Country Code"].str.strip().astype("str"),
        "wb_name": wb_name.astype("str"),
        "table_name": table_name.astype("str"),
        "region": region.astype("str"),
        "income_group": blank_to_nan(meta["IncomeGroup"]).astype("str"),
        "is_aggregate": region.isna().to_numpy(bool),
    })
