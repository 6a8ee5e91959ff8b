"""UNHCR: forcibly displaced and stateless people by origin and country of asylum.

Two forms are read:

* :func:`read_population` -- UNHCR's own R package ``refugees`` (2025.12.1),
  ``unhcr/refugees_2025.12.1/population.rda``, 1951-2025 (described there);
* :func:`read_refugees` -- the older third-party extract ``unhcr/unhcr_2020.csv``,
  1995-2020 (described below).

:func:`read_countries` reads the package's ``countries.rda`` (UNHCR code <-> ISO3).

The extract ``unhcr/unhcr_2020.csv`` is a third-party extract of the UNHCR Refugee Data Finder (1995–2020):
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

__all__ = ["read_refugees", "read_population", "population_table", "read_countries",
           "NON_ISO_CODES", "POPULATION_FIELDS"]

#: Codes in the ISO columns of the UNHCR files that are not ISO 3166-1 alpha-3 codes of an
#: area: ``XXA`` stateless (origin), ``TIB`` Tibetans (origin; UNHCR's own group), ``UNK``
#: unknown or various (origin, and country of asylum in a few rows of the package data; the
#: package writes UNHCR code ``UKN`` beside it). Rows with them are kept; they have no M49 code.
NON_ISO_CODES = {"XXA": "Stateless", "TIB": "Tibetan", "UNK": "Unknown"}

#: Columns of ``population.rda`` read here -> column of the store table (persons).
POPULATION_FIELDS = {"refugees": "refugees", "asylum_seekers": "asylum_seekers", "idps": "idps",
                     "stateless": "stateless", "ooc": "others_of_concern", "oip": "oip"}
_POP_KEYS = ["year", "coo", "coo_iso", "coa", "coa_iso"]

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


def population_table(frame: pd.DataFrame, file: str = "population.rda") -> pd.DataFrame:
    """Tidy the ``population`` data frame of UNHCR's ``refugees`` package.

    Parameters
    ----------
    frame : pandas.DataFrame
        The R object ``population``: ``year`` (double), ``coo``/``coa`` (UNHCR codes: e.g.
        ``AUS`` is Austria, ``AUL`` Australia), ``coo_iso``/``coa_iso`` (ISO3, with the
        :data:`NON_ISO_CODES`), names, and one column per population type.
    file : str
        File name for error messages.

    Returns
    -------
    pandas.DataFrame
        ``year`` (int16, end-year), ``origin_iso3``, ``asylum_iso3`` (str, the file's
        ``coo_iso``/``coa_iso``; the join keys), ``origin_unhcr``, ``asylum_unhcr`` (str,
        UNHCR codes, for reference only) and, in persons (float64): ``refugees`` (under
        UNHCR's mandate), ``asylum_seekers``, ``idps`` (IDPs of concern to UNHCR; only on
        rows where origin = asylum), ``stateless``, ``others_of_concern`` (``ooc``) and
        ``oip`` (other people in need of international protection; NaN where the file has
        no figure: every row before 2018 and most rows after). Every row of the file is
        kept (it has no all-zero rows and no aggregates).

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        If a column is missing, a code is blank, a count is negative or missing
        (other than ``oip``), or a year x origin x asylum repeats.
    """
    need = _POP_KEYS + list(POPULATION_FIELDS)
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise SourceLayoutError(f"{file}: columns {missing} are missing; found {list(frame.columns)}. "
                                "Re-fetch the file with `migstats data fetch --force`.")
    for col in ("coo_iso", "coa_iso"):
        codes = frame[col]
        if codes.isna().any() or (codes.astype(str).str.strip() == "").any():
            raise SourceLayoutError(f"{file}: column {col!r} has blank codes; every row should name an "
                                    "ISO3 code or one of " + ", ".join(NON_ISO_CODES) + ".")
    year = frame["year"].to_numpy(dtype="float64")
    if np.isnan(year).any() or (year != np.round(year)).any():
        raise SourceLayoutError(f"{file}: column 'year' holds missing or non-integer values.")
    out = pd.DataFrame({
        "year": year.astype("int16"),
        "origin_iso3": frame["coo_iso"].astype("str").array,
        "asylum_iso3": frame["coa_iso"].astype("str").array,
        "origin_unhcr": frame["coo"].astype("str").array,
        "asylum_unhcr": frame["coa"].astype("str").array,
    })
    for col, name in POPULATION_FIELDS.items():
        values = frame[col].to_numpy(dtype="float64")
        if (values < 0).any() or (col != "oip" and np.isnan(values).any()):
            raise SourceLayoutError(f"{file}: column {col!r} holds negative or missing counts.")
        out[name] = values
    if out.duplicated(["year", "origin_iso3", "asylum_iso3"]).any():
        raise SourceLayoutError(f"{file}: year x coo_iso x coa_iso repeats.")
    return out


def read_population(path: str | PathLike) -> pd.DataFrame:
    """Read ``population.rda`` of UNHCR's ``refugees`` package; see :func:`population_table`."""
    from pathlib import Path

    from .rfile import read_data_frame

    frame = read_data_frame(path, "population", _POP_KEYS + list(POPULATION_FIELDS))
    return population_table(frame, Path(path).name)


def read_countries(path: str | PathLike) -> pd.DataFrame:
    """Read ``countries.rda`` of UNHCR's ``refugees`` package (UNHCR code <-> ISO3).

    Returns
    -------
    pandas.DataFrame
        ``iso3`` (str, ``iso_code``; missing for three UNHCR codes without one: CRB, CUR,
        TIB), ``unhcr_code`` (str) and ``name`` (str), one row per UNHCR code (232).

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        If a column is missing or a UNHCR code repeats.
    """
    from pathlib import Path

    from .rfile import read_data_frame

    frame = read_data_frame(path, "countries", ["iso_code", "unhcr_code", "name"])
    if frame["unhcr_code"].duplicated().any() or frame["unhcr_code"].isna().any():
        raise SourceLayoutError(f"{Path(path).name}: 'unhcr_code' repeats or is blank.")
    iso = frame["iso_code"].astype(object).where(frame["iso_code"].notna() & (frame["iso_code"] != ""))
    return pd.DataFrame({"iso3": pd.array(iso.to_numpy(dtype=object), dtype="str"),
                         "unhcr_code": frame["unhcr_code"].astype("str").array,
                         "name": frame["name"].astype("str").array})
