"""KNOMAD / World Bank bilateral migration and remittance matrices (2017 and 2021 editions).

Each workbook holds one square matrix on its first sheet:

* Excel row 1: title.
* Excel row 2: header. Column A reads e.g. "destination (across) / origin (down)"
  (migration 2017), "Destination country (across) - Source country (down)" (migration
  2021), "receiving (across) / sending (down)" (remittances 2017) or
  "Remittance-receiving country (across) - Remittance-sending country (down)"
  (remittances 2021). The rest of the row holds the column names.
* Then one row per country (World Bank spellings such as "Yemen, Rep."), the migration
  matrices also carry "Other North" and "Other South" rows and columns, and the last
  matrix row and column are the totals, "World" (migration) or "WORLD" (remittances).
* Footer rows after the total row hold citations and notes.

Units: migrant stocks are persons; remittances are published in **US$ millions** and
:func:`read_remittance_matrix` converts them to US$ (x 1e6).

Missing cells: blank, "…" (2021 migration, one cell: Ghana -> Latvia) and "-" (2017
remittances: India <-> Pakistan and Israel <-> Lebanon, corridors the 2021 notes say are
"assumed to be zero given the political economy situations"). All become NaN; the long
tables drop them. Zeros are kept.

Quirks found in the files:

* The 2021 migration sheet is named "BRM 2021" and its footer cites the *Remittance*
  matrix; the content is migrant stocks (title "Bilateral Estimates of Migrant Stocks in
  2021").
* The 2021 migration matrix spells "GuineaBissau" and "TimorLeste" (no hyphen); the 2021
  remittance matrix and the 2017 files write "Guinea-Bissau" and "Timor-Leste".
  The 2017 files still use "Swaziland" and "Macedonia, FYR".
* 2021 migration: the World row is blank under Kosovo, St. Martin (French part), Other
  North and Other South (those columns hold zeros or blanks).
* 2021 remittances: the WORLD row is blank for the 39 receiving countries without any
  estimate (e.g. Venezuela, RB, which the notes exclude).
* 2017 remittances: the WORLD row under Israel and Lebanon includes the flows shown as "-"
  (column sums fall short by US$ 1.20 m and 0.84 m), so the grand total (613,465.84)
  exceeds the sum of the WORLD column (613,463.80).
"""

from __future__ import annotations

import re
from os import PathLike

import numpy as np
import pandas as pd

from migstats.exceptions import SourceLayoutError

__all__ = ["read_matrix_wide", "read_migration_matrix", "read_remittance_matrix"]

#: Cell texts that the publisher uses for "no estimate".
MISSING_MARKERS = frozenset({"", "…", "...", "-", "–", ".."})
#: Names of the total row and column (case-insensitive).
_TOTAL = "world"
_REFETCH = "Re-fetch the file with `migstats data fetch --force` or check the edition."


def _layout_error(path, sheet, expected, found) -> SourceLayoutError:
    return SourceLayoutError(
        f"{path} (sheet {sheet!r}): expected {expected}, found {found}. {_REFETCH}"
    )


def _clean_name(value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text or None


def _read_first_sheet(path) -> tuple[pd.DataFrame, str]:
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="calamine", keep_default_na=False)
    except Exception as exc:  # corrupt or not an xlsx
        raise SourceLayoutError(f"{path}: cannot be read as an Excel workbook ({exc}). {_REFETCH}") from exc
    # The matrix sits on the first sheet in every edition; the 2017 files carry a second
    # helper sheet ('countries-comparison', 'remshare'). Prefer the first sheet whose
    # column A has the "(across)" header; fall back to reporting the first sheet.
    for name, frame in sheets.items():
        if _header_row(frame) is not None:
            return frame, name
    first = next(iter(sheets), None)
    raise _layout_error(path, first, "a header cell in column A containing '(across)' in the first 10 rows",
                        "none")


def _header_row(frame: pd.DataFrame) -> int | None:
    if frame.shape[1] < 3:
        return None
    for i, value in enumerate(frame.iloc[:10, 0].tolist()):
        if isinstance(value, str) and "(across)" in value.lower():
            return i
    return None


def _parse_number(text: str) -> float:
    """``float(text)`` (thousands separators allowed) or NaN; NaN/inf spellings are not numbers."""
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return np.nan
    return value if np.isfinite(value) else np.nan


def _to_float(body: pd.DataFrame, path, sheet) -> pd.DataFrame:
    """Convert cells to float64; texts in :data:`MISSING_MARKERS` become NaN.

    ``body`` keeps the 0-based sheet row positions as its index (Excel row = index + 1).
    """
    cells = body.to_numpy(dtype=object)
    is_text = np.frompyfunc(lambda v: isinstance(v, str), 1, 1)(cells).astype(bool)
    out = np.full(cells.shape, np.nan)
    num = ~is_text
    out[num] = pd.to_numeric(pd.Series(cells[num], dtype=object), errors="coerce").to_numpy(float)
    if is_text.any():
        r, c = np.nonzero(is_text)
        for i, j in zip(r, c):
            text = cells[i, j].strip()
            if text in MISSING_MARKERS:
                continue
            value = _parse_number(text)
            if np.isnan(value):
                raise _layout_error(path, sheet, "numbers or a missing marker (blank, '…', '-')",
                                    f"{cells[i, j]!r} in Excel row {body.index[i] + 1}, column {body.columns[j]!r}")
            out[i, j] = value
    return pd.DataFrame(out, index=body.index, columns=body.columns)


def read_matrix_wide(path: str | PathLike) -> pd.DataFrame:
    """Read a KNOMAD bilateral matrix as published (wide).

    Parameters
    ----------
    path : str or path-like
        One of ``bilateral_migration_matrix_2017.xlsx``,
        ``bilateral_migration_matrix_2021_latest.xlsx``,
        ``bilateral_remittance_matrix_2017.xlsx`` or ``bilateral_remittance_matrix_2021.xlsx``.

    Returns
    -------
    pandas.DataFrame
        Index (named after the "(down)" part of the header, e.g. ``"origin"`` or
        ``"sending"``): row names as published, stripped — origin countries for the
        migration matrices, *sending* countries for the remittance matrices. Columns
        (named after the "(across)" part): destination / *receiving* countries. Both
        include "Other North" / "Other South" where present and the total
        "World"/"WORLD" as the last row and column. Values are float64 in the file's unit
        (persons for migration, US$ **millions** for remittances); blank, "…" and "-"
        cells are NaN. Footer notes are dropped. ``DataFrame.attrs`` holds ``sheet``,
        ``header`` (the column A header text) and ``title``.

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        If no sheet has an "(across)" header in column A, the total row or column is
        missing, names repeat, or a cell holds unexpected text.
    """
    frame, sheet = _read_first_sheet(path)
    h = _header_row(frame)
    header_text = _clean_name(frame.iat[h, 0])

    col_names = [_clean_name(v) for v in frame.iloc[h, 1:].tolist()]
    # Drop trailing empty header cells (formatting-only columns).
    while col_names and col_names[-1] is None:
        col_names.pop()
    if any(n is None for n in col_names):
        raise _layout_error(path, sheet, f"a name in every header cell of Excel row {h + 1}",
                            f"an empty header cell at column {col_names.index(None) + 2}")
    if not col_names or col_names[-1].lower() != _TOTAL:
        raise _layout_error(path, sheet, f"the last header of Excel row {h + 1} to be 'World'/'WORLD'",
                            repr(col_names[-1] if col_names else None))

    row_names = [_clean_name(v) for v in frame.iloc[h + 1:, 0].tolist()]
    total_at = next((i for i, n in enumerate(row_names) if n is not None and n.lower() == _TOTAL), None)
    if total_at is None:
        raise _layout_error(path, sheet, "a 'World'/'WORLD' total row in column A", "none")
    rows = [(h + 1 + i, n) for i, n in enumerate(row_names[: total_at + 1]) if n is not None]
    positions = [p for p, _ in rows]
    names = [n for _, n in rows]
    for kind, lst in (("row", names), ("column", col_names)):
        dup = pd.Index(lst)[pd.Index(lst).duplicated()]
        if len(dup):
            raise _layout_error(path, sheet, f"unique {kind} names", f"repeated {list(dup)}")

    body = frame.iloc[positions, 1: 1 + len(col_names)]
    body.columns = col_names
    values = _to_float(body, path, sheet)
    values.index = pd.Index(names)

    down, across = _axis_labels(header_text)
    values.index.name = down
    values.columns.name = across
    values.attrs = {"sheet": sheet, "header": header_text, "title": _clean_name(frame.iat[0, 0]) if h > 0 else None}
    return values


def _axis_labels(header: str) -> tuple[str, str]:
    """("origin", "destination") etc. from e.g. "destination (across) / origin (down)"."""
    text = header.lower()
    across = re.search(r"([a-z-]+)\s*(?:country\s*)?\(across\)", text)
    down = re.search(r"([a-z-]+)\s*(?:country\s*)?\(down\)", text)
    across_name = across.group(1).removeprefix("remittance-") if across else "across"
    down_name = down.group(1).removeprefix("remittance-") if down else "down"
    return ("origin" if down_name == "source" else down_name), across_name


def _long(wide: pd.DataFrame, path, row_kind: str, col_kind: str) -> pd.DataFrame:
    total_rows = [n for n in wide.index if n.lower() == _TOTAL]
    total_cols = [n for n in wide.columns if n.lower() == _TOTAL]
    inner = wide.drop(index=total_rows, columns=total_cols)
    down, across = wide.index.name, wide.columns.name
    if (down, across) != (row_kind, col_kind):
        raise _layout_error(path, wide.attrs.get("sheet"),
                            f"rows = {row_kind} (down), columns = {col_kind} (across)",
                            f"header {wide.attrs.get('header')!r}")
    arr = inner.to_numpy()
    r, c = np.nonzero(~np.isnan(arr))
    return pd.DataFrame({
        "row": pd.array(inner.index.to_numpy()[r], dtype="str"),
        "col": pd.array(inner.columns.to_numpy()[c], dtype="str"),
        "value": arr[r, c].astype("float64"),
    })


def read_migration_matrix(path: str | PathLike, edition: int) -> pd.DataFrame:
    """Bilateral migrant stocks, long format, with names (not codes).

    Parameters
    ----------
    path : str or path-like
        ``bilateral_migration_matrix_2017.xlsx`` or ``bilateral_migration_matrix_2021_latest.xlsx``.
    edition : int
        Edition year (2017, 2021); also used as the reference year.

    Returns
    -------
    pandas.DataFrame
        Columns ``edition`` (int16), ``year`` (int16, = edition), ``sex`` ("both"),
        ``origin_name`` (str, row name, World Bank spelling), ``destination_name`` (str,
        column name), ``migrant_stock`` (float64, **persons** born in the origin living in
        the destination). The World row and column are dropped; "Other North" and "Other
        South" are kept as names (the store maps them to code 2003). Missing cells are
        dropped; zeros are kept.

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        See :func:`read_matrix_wide`; also if the header does not say rows = origin
        ("origin (down)" or "Source country (down)").
    """
    wide = read_matrix_wide(path)
    long = _long(wide, path, "origin", "destination")
    n = len(long)
    return pd.DataFrame({
        "edition": np.full(n, edition, dtype="int16"),
        "year": np.full(n, edition, dtype="int16"),
        "sex": pd.array(["both"] * n, dtype="str"),
        "origin_name": long["row"],
        "destination_name": long["col"],
        "migrant_stock": long["value"],
    })


def read_remittance_matrix(path: str | PathLike, edition: int) -> pd.DataFrame:
    """Bilateral remittance estimates, long format, with names (not codes).

    Parameters
    ----------
    path : str or path-like
        ``bilateral_remittance_matrix_2017.xlsx`` or ``bilateral_remittance_matrix_2021.xlsx``.
    edition : int
        Edition year (2017, 2021); also used as the reference year.

    Returns
    -------
    pandas.DataFrame
        Columns ``edition`` (int16), ``year`` (int16, = edition), ``sending_name`` (str,
        host country where migrants earn, matrix row), ``receiving_name`` (str, origin
        country receiving the money, matrix column), ``remittances_usd`` (float64,
        **current US$** = published millions x 1e6; model estimates, not reported
        data). The WORLD row and column are dropped; missing cells (blank, "-") are
        dropped; zeros are kept.

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        See :func:`read_matrix_wide`; also if the header does not say rows = sending.
    """
    wide = read_matrix_wide(path)
    long = _long(wide, path, "sending", "receiving")
    n = len(long)
    return pd.DataFrame({
        "edition": np.full(n, edition, dtype="int16"),
        "year": np.full(n, edition, dtype="int16"),
        "sending_name": long["row"],
        "receiving_name": long["col"],
        "remittances_usd": long["value"] * 1e6,
    })
