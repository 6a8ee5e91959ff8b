"""UNHCR refugees and asylum seekers by origin and country of asylum (``unhcr/unhcr_2020.csv``).

The staged file is a third-party extract of the UNHCR Refugee Data Finder (1995–2020):
columns ``year, orig, dest, refugees, asylum_seekers``; 93,936 rows; codes are UNHCR's
three-letter codes, mostly ISO 3166-1 alpha-3.

Codes that are **not** ISO 3166-1 alpha-3 (checked on the file):

* ``XXA`` — stateless persons (origin only; 1,448 rows);
* ``TIB`` — Tibetans (origin only; 80 rows; UNHCR's own code);
* blank — origin "various/unknown" (1,307 rows) and, in 5 rows (1995–1999, asylum
  seekers only), a blank country of asylum as well. Blanks become missing (NaN).

There is no ``UNK``/``STA`` code and no Kosovo code in the file. Missing values are written
``NA`` (6 rows, all Venezuelans in Caribbean/Guyana asylum countries, 2018–2020).
"""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from migstats.exceptions import SourceLayoutError

__all__ = ["read_refugees", "NON_ISO_CODES"]

#: UNHCR origin codes in the file that are not ISO 3166-1 alpha-3 codes.
NON_ISO_CODES = {"XXA": "Stateless", "TIB": "Tibetan"}

_COLUMNS = ["year", "orig", "dest", "refugees", "asylum_seekers"]


def read_refugees(path: str | PathLike) -> pd.DataFrame:
    """Read the UNHCR refugees / asylum seekers extract.

    Parameters
    ----------
    path : str or path-like
        ``unhcr/unhcr_2020.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int16, end-year), ``origin_iso3`` (str, UNHCR origin code; NaN
        where the file leaves it blank = various/unknown origin; includes the non-ISO
        codes in :data:`NON_ISO_CODES`), ``asylum_iso3`` (str, country of asylum; NaN in
        5 blank rows), ``refugees`` and ``asylum_seekers`` (float64, **persons**; NaN where
        the file says ``NA``).

        Rows are kept as published, except self-pairs (origin = asylum, same non-blank
        code) whose two values are both 0: these 630 placeholder rows carry no
        information. The 28 self-pairs with a non-zero value (e.g. ``AUS``/``AUS`` 2020,
        31 asylum seekers) are kept, as are zero rows between different countries.

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        If the columns differ from ``year, orig, dest, refugees, asylum_seekers`` or a
        value is not a number / ``NA``.
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(raw.columns) != _COLUMNS:
        raise SourceLayoutError(
            f"{path}: expected columns {_COLUMNS}, found {list(raw.columns)}. "
            "Re-fetch the file with `migstats data fetch --force`."
        )

    def code(s: pd.Series) -> pd.Series:
        s = s.str.strip().str.upper()
        return s.where(s != "").astype("str")

    def number(s: pd.Series, name: str) -> np.ndarray:
        s = s.str.strip()
        missing = s.isin(["", "NA"])
        parsed = pd.to_numeric(s.where(~missing), errors="coerce")
        bad = parsed.isna() & ~missing
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise SourceLayoutError(f"{path}: column {name!r} line {i + 2} holds {s.iloc[i]!r}; expected a "
                                    "number or NA. Re-fetch the file with `migstats data fetch --force`.")
        return parsed.to_numpy("float64")

    try:
        year = raw["year"].astype("int16")
    except (ValueError, OverflowError) as exc:
        raise SourceLayoutError(f"{path}: column 'year' is not all integers ({exc}).") from exc
    out = pd.DataFrame({
        "year": year,
        "origin_iso3": code(raw["orig"]),
        "asylum_iso3": code(raw["dest"]),
        "refugees": number(raw["refugees"], "refugees"),
        "asylum_seekers": number(raw["asylum_seekers"], "asylum_seekers"),
    })
    self_pair = out.origin_iso3.notna() & (out.origin_iso3 == out.asylum_iso3)
    empty = (out.refugees == 0) & (out.asylum_seekers == 0)
    return out.loc[~(self_pair & empty)].reset_index(drop=True)
