"""UN World Population Prospects 2024: births, deaths, net migration, population change and
crude rates, 1950-2023, from the tables of the ``wpp2024`` R package (1.1-3).

Files (``wpp/wpp2024_1.1-3/data-raw/*.txt``): tab-separated UTF-8, one row per location
(297: 236 countries or areas with M49 codes below 900 and 61 aggregates with codes from
900 up: World 900, regions, income and SDG groups, 1500-1518, 1636/1637, 1829-1836,
1859, 2087-2093, 5500-5505; interleaved, so row order means nothing), columns
``country_code`` (M49), ``country`` (name), then ``1950`` ... ``2023``
(estimates; ``migration.txt`` also has ``last.observed``). No missing values.

Units: ``births``, ``deaths``, ``migration`` (net number of migrants) and ``PopChange``
in **thousands** per calendar year (1 January to 31 December); ``cbr``, ``cdr``,
``cnmr`` per 1,000 population (person-years lived in the year). The counts are
published to 0.001 thousand (one person); ``PopChange`` carries float noise such as
``688.577000000001``. :func:`read_indicator` returns persons, rounded to a thousandth of a
person (which removes that noise and nothing else).

``data/UNlocations.txt`` lists every location with ``location_type`` (4 = country or
area; 0-3 and the aggregate codes for aggregates); :func:`read_locations` reads it.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import SourceLayoutError

__all__ = ["MEASURES", "COUNTS", "RATES", "read_indicator", "indicator_long", "read_locations"]

#: Store measure name -> (file name, unit of the value returned).
MEASURES: dict[str, tuple[str, str]] = {
    "births": ("births.txt", "persons"),
    "deaths": ("deaths.txt", "persons"),
    "net_migration": ("migration.txt", "persons"),
    "population_change": ("PopChange.txt", "persons"),
    "cbr": ("cbr.txt", "per 1,000 population"),
    "cdr": ("cdr.txt", "per 1,000 population"),
    "cnmr": ("cnmr.txt", "per 1,000 population"),
}
#: Measures published in thousands (returned in persons).
COUNTS = ("births", "deaths", "net_migration", "population_change")
#: Measures published per 1,000 population (returned as published).
RATES = ("cbr", "cdr", "cnmr")

_REFETCH = "Re-fetch the file with `migstats data fetch --force`, or report the changed layout."
_EXTRA_COLUMNS = {"last.observed"}


def indicator_long(table: pd.DataFrame, measure: str, file: str = "") -> pd.DataFrame:
    """Turn one wide WPP table (as read with ``sep="\\t"``, all text) into long format.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``country_code``, ``country``, then one column per year (numbers, or text
        that must parse as numbers).
    measure : str
        One of :data:`MEASURES`; decides the unit (thousands -> persons for counts).
    file : str
        File name for error messages.

    Returns
    -------
    pandas.DataFrame
        ``location_code`` (int32, M49), ``name`` (str), ``year`` (int16), ``measure``
        (str), ``value`` (float64: persons for counts, per 1,000 population for rates) and
        ``unit`` (str), one row per location and year.

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        If the header is not as documented, a code repeats or is not an integer, or a
        cell is not a number.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {list(MEASURES)}, not {measure!r}")
    file = file or MEASURES[measure][0]
    cols = list(table.columns)
    years = [c for c in cols if re.fullmatch(r"\d{4}", str(c))]
    other = [c for c in cols[2:] if c not in years and c not in _EXTRA_COLUMNS]
    if cols[:2] != ["country_code", "country"] or not years or other:
        raise SourceLayoutError(f"{file}: expected columns country_code, country, 1950 ... 2023; found "
                                f"{cols[:4]} ... {cols[-2:]}. {_REFETCH}")
    codes = pd.to_numeric(table["country_code"], errors="coerce")
    if codes.isna().any() or (codes != codes.round()).any() or codes.duplicated().any():
        raise SourceLayoutError(f"{file}: 'country_code' must hold distinct integer M49 codes. {_REFETCH}")
    cells = table[years]
    numeric = [c for c in years if cells[c].dtype.kind in "fiu"]
    values = np.empty(cells.shape, dtype="float64")
    for j, c in enumerate(years):
        col = cells[c]
        values[:, j] = col.to_numpy("float64") if c in numeric else pd.to_numeric(col, errors="coerce")
    if np.isnan(values).any():
        r, c = map(int, np.argwhere(np.isnan(values))[0])
        raise SourceLayoutError(f"{file}: the cell of {table['country'].iloc[r]!r}, {years[c]} holds "
                                f"{cells.iat[r, c]!r}, not a number. {_REFETCH}")
    unit = MEASURES[measure][1]
    if measure in COUNTS:
        values = np.round(values * 1000.0, 3)  # thousands -> persons; drops float noise only
    n_loc, n_year = values.shape
    return pd.DataFrame({
        "location_code": np.repeat(codes.to_numpy().astype("int32"), n_year),
        "name": pd.array(np.repeat(table["country"].astype(str).to_numpy(dtype=object), n_year), dtype="str"),
        "year": np.tile(np.asarray(years, dtype="int16"), n_loc),
        "measure": pd.array([measure] * (n_loc * n_year), dtype="str"),
        "value": values.reshape(-1),
        "unit": pd.array([unit] * (n_loc * n_year), dtype="str"),
    })


def read_indicator(path: str | PathLike, measure: str) -> pd.DataFrame:
    """Read one ``wpp2024`` data-raw table; see :func:`indicator_long` for the columns."""
    # numbers parsed by the C reader; an empty or text cell leaves its column as text and
    # is reported by indicator_long (keep_default_na=False: "NA" is not silently missing)
    table = pd.read_csv(path, sep="\t", dtype={"country": str}, keep_default_na=False, encoding="utf-8")
    return indicator_long(table, measure, Path(path).name)


def read_locations(path: str | PathLike) -> pd.DataFrame:
    """Read ``UNlocations.txt``: ``location_code`` (int32), ``name`` (str) and
    ``is_area`` (bool: ``location_type`` 4, a country or area; else an aggregate).

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        If the columns ``name``, ``country_code`` or ``location_type`` are missing.
    """
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in ("name", "country_code", "location_type") if c not in table.columns]
    if missing:
        raise SourceLayoutError(f"{Path(path).name}: columns {missing} are missing. {_REFETCH}")
    codes = pd.to_numeric(table["country_code"], errors="coerce")
    if codes.isna().any():
        raise SourceLayoutError(f"{Path(path).name}: 'country_code' is not numeric everywhere. {_REFETCH}")
    return pd.DataFrame({"location_code": codes.astype("int32"),
                         "name": pd.array(table["name"].to_numpy(dtype=object), dtype="str"),
                         "is_area": (table["location_type"].str.strip() == "4").to_numpy()})
