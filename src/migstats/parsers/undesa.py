"""Parsers for the UN DESA *International Migrant Stock* (IMS) workbooks.

The functions turn the publisher's wide Excel tables into the tidy tables described in
:mod:`migstats.schemas`:

* :func:`read_stock_by_destination` -- IMS 2024, 2020 and 2019 "by destination"
  workbooks (Tables 1-5, and Table 6 refugees for 2020/2019);
* :func:`read_area_names` -- the published names of every coded row of Table 1;
* :func:`read_stock_by_origin` -- IMS 2024 "by origin" workbook (Table 1);
* :func:`read_od_2019_xlsx` / :func:`read_od_2019_csv` -- IMS 2019 origin x destination
  matrix (official workbook, or the third-party reshaped CSV of the mirror);
* :func:`read_od_2024_xlsx` -- IMS 2024 origin x destination long table.

Conventions of the publisher (IMS 2020 ``Notes`` sheet): two dots ``..`` mean "not
available or not reported separately"; a tilde ``~`` means "protected for privacy
(fewer than five)"; ``0`` means a magnitude of zero; an em dash means "not zero but
less than half of the unit". All of these except ``0`` become NaN here -- a missing
figure is never turned into 0. A hyphen ``-`` in a data cell (the 2019 origin x
destination matrix has four, for Albanian-born in Montenegro 1990-2005, before
Montenegro's independence) is read as "not available" too. Any other text in a data
cell raises :class:`~migstats.exceptions.SourceLayoutError`, so that a new marker is
noticed rather than silently dropped.

Header rows are located by their content (the cell reading "Location code" or
"Code", and the row of years), not by fixed row numbers; a workbook whose headers
cannot be found raises :class:`~migstats.exceptions.SourceLayoutError` naming the
file, the sheet and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Union

import numpy as np
import pandas as pd

from ..exceptions import DataNotAvailableError, SourceLayoutError

__all__ = [
    "MISSING_MARKERS",
    "read_stock_by_destination",
    "read_area_names",
    "read_stock_by_origin",
    "read_od_2019_csv",
    "read_od_2019_xlsx",
    "read_od_2024_xlsx",
]

#: Text that the UN DESA tables print instead of a number when a figure is missing.
MISSING_MARKERS = frozenset({"", "..", "...", "~", "-", "\u2013", "\u2014", "\u2026"})

#: Editions of the "by destination" workbook this module knows.
DESTINATION_EDITIONS = (2019, 2020, 2024)

SEXES = ("both", "male", "female")

_NEXT_STEP = ("Check that the file is the publisher's (re-fetch with `migstats data fetch --force`) "
              "or report the changed layout.")

WorkbookLike = Union[str, Path, pd.ExcelFile]

_YEAR_RE = re.compile(r"^(\d{4})(?:\.0+)?$")
_PERIOD_RE = re.compile(r"^(\d{4})\s*[-\u2013]\s*(\d{4})$")


# --------------------------------------------------------------------------- helpers

def _open(path: WorkbookLike) -> pd.ExcelFile:
    if isinstance(path, pd.ExcelFile):
        return path
    return pd.ExcelFile(path, engine="calamine")


def _file_name(book: pd.ExcelFile) -> str:
    p = getattr(book, "_io", None)
    return Path(p).name if isinstance(p, (str, Path)) else repr(p)


def _layout_error(book_or_name, sheet: str | None, expected: str, found: str) -> SourceLayoutError:
    name = book_or_name if isinstance(book_or_name, str) else _file_name(book_or_name)
    where = f"{name}, sheet {sheet!r}" if sheet else name
    return SourceLayoutError(f"{where}: expected {expected}, found {found}. {_NEXT_STEP}")


def _sheet(book: pd.ExcelFile, sheet: str) -> pd.DataFrame:
    if sheet not in book.sheet_names:
        raise _layout_error(book, None, f"a sheet named {sheet!r}", f"sheets {book.sheet_names}")
    # keep_default_na=False: text such as "NA" or "n/a" must reach _to_number (and be
    # reported) instead of silently becoming NaN; blank cells arrive as "".
    return pd.read_excel(book, sheet_name=sheet, header=None, keep_default_na=False)


def _label(value) -> str:
    """Header cell as a clean lower-case string ('' for blanks)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return " ".join(str(value).split()).casefold()


def _year_or_period(value) -> int | tuple[int, int] | None:
    """1990 / 1995.0 / '1990' -> 1990; '1990-1995' -> (1990, 1995); else None."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value) if 1900 <= value <= 2100 else None
    if isinstance(value, (float, np.floating)):
        if np.isfinite(value) and value == int(value) and 1900 <= value <= 2100:
            return int(value)
        return None
    if isinstance(value, str):
        text = value.strip()
        if m := _YEAR_RE.match(text):
            return int(m.group(1))
        if m := _PERIOD_RE.match(text):
            return int(m.group(1)), int(m.group(2))
    return None


def clean_name(value) -> str | float:
    """Publisher name without footnote stars and surrounding or repeated whitespace."""
    if not isinstance(value, str):
        return np.nan if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    return " ".join(value.replace("*", " ").split())


def _to_number(values: pd.DataFrame | pd.Series, where: str) -> pd.DataFrame | pd.Series:
    """Cells to float64: numbers kept, missing markers -> NaN, other text -> error."""
    frame = values.to_frame() if isinstance(values, pd.Series) else values
    out = {}
    for col in frame.columns:
        s = frame[col]
        if s.dtype.kind in "fiub":
            out[col] = s.astype("float64")
            continue
        obj = s.astype(object)
        num = pd.to_numeric(obj, errors="coerce").astype("float64")
        left = obj[num.isna() & obj.notna()]
        if len(left):
            text = left.astype(str).str.strip()
            fixed = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
            bad = text[fixed.isna() & ~text.isin(MISSING_MARKERS)]
            if len(bad):
                raise SourceLayoutError(
                    f"{where}: unexpected text in data cells {sorted(set(bad))[:10]}; expected numbers "
                    f"or the missing-value markers {sorted(MISSING_MARKERS)}. {_NEXT_STEP}")
            num.loc[fixed.index] = fixed.astype("float64")
        out[col] = num
    result = pd.DataFrame(out, index=frame.index)
    return result.iloc[:, 0] if isinstance(values, pd.Series) else result


def _codes(series: pd.Series) -> tuple[pd.Series, bool]:
    """Location codes as floats (NaN where blank) and whether every non-blank cell was a number."""
    text = series.map(lambda v: v.strip() if isinstance(v, str) else v).replace("", np.nan)
    num = pd.to_numeric(text, errors="coerce")
    clean = bool(num.notna().sum() == text.notna().sum())
    return num, clean


class _Table:
    """One UN DESA wide table: header positions, id columns and year blocks."""

    def __init__(self, book: pd.ExcelFile, sheet: str, raw: pd.DataFrame, header_row: int,
                 year_row: int, columns: dict[str, int], blocks: list[list[tuple[int, object]]]):
        self.book, self.sheet, self.raw = book, sheet, raw
        self.header_row, self.year_row = header_row, year_row
        self.columns, self.blocks = columns, blocks
        self.data = raw.iloc[year_row + 1:]

    @property
    def where(self) -> str:
        return f"{_file_name(self.book)}, sheet {self.sheet!r}"

    def block_title(self, block: list[tuple[int, object]]) -> str:
        col = block[0][0]
        for r in range(self.year_row - 1, -1, -1):
            v = self.raw.iat[r, col]
            if isinstance(v, str) and v.strip() and _year_or_period(v) is None:
                return " ".join(v.split())
        return ""


_ROLE_LABELS = {
    "code": ("location code", "code"),
    "name": ("region, development group, country or area", "major area, region, country or area"),
    "data_type": ("data type", "type of data"),
    "notes": ("coverage", "notes", "population notes"),
}


def _find_table(book: pd.ExcelFile, sheet: str, raw: pd.DataFrame | None = None,
                max_rows: int = 40) -> _Table:
    raw = _sheet(book, sheet) if raw is None else raw
    header_row = code_col = None
    for r in range(min(max_rows, len(raw))):
        labels = [_label(v) for v in raw.iloc[r]]
        hits = [j for j, lab in enumerate(labels) if lab in _ROLE_LABELS["code"]]
        if hits:
            header_row, code_col = r, hits[0]
            break
    if header_row is None:
        raise _layout_error(book, sheet, f"a header row with a 'Location code' or 'Code' cell in the "
                            f"first {max_rows} rows", "none")
    # years on the header row (2020/2024 layout) or on the next row (2019 two-level header)
    year_row = None
    for r in (header_row, header_row + 1):
        if r < len(raw) and sum(_year_or_period(v) is not None for v in raw.iloc[r, code_col + 1:]) >= 3:
            year_row = r
            break
    if year_row is None:
        raise _layout_error(book, sheet, f"year columns (1990, 1995, ... or '1990-1995') on Excel row "
                            f"{header_row + 1} or {header_row + 2}", "no year headers")
    labels = [_label(v) for v in raw.iloc[header_row]]
    columns = {"index": 0, "code": code_col}
    for role in ("name", "data_type", "notes"):
        for j, lab in enumerate(labels):
            if any(lab.startswith(p) for p in _ROLE_LABELS[role]) and j not in columns.values():
                columns[role] = j
                break
    if "name" not in columns:
        raise _layout_error(book, sheet, f"a 'Region, development group, country or area' header on "
                            f"Excel row {header_row + 1}", f"{[v for v in labels if v]}")
    # split the year columns into blocks (one per sex, or per measure in Table 6)
    blocks: list[list[tuple[int, object]]] = []
    for j in range(raw.shape[1]):
        key = _year_or_period(raw.iat[year_row, j])
        if key is None or j <= max(columns.values()):
            continue
        cur = blocks[-1] if blocks else None
        if (cur is None or j != cur[-1][0] + 1 or type(key) is not type(cur[0][1])
                or key in [k for _, k in cur]):
            blocks.append([(j, key)])
        else:
            cur.append((j, key))
    return _Table(book, sheet, raw, header_row, year_row, columns, blocks)


def _check_blocks(t: _Table, n: int, edition: int, sexes: Sequence[str] | None = SEXES) -> None:
    if len(t.blocks) < n:
        raise _layout_error(t.book, t.sheet, f"{n} blocks of year columns", f"{len(t.blocks)}")
    for b in t.blocks[:n]:
        last = b[-1][1]
        last_year = last[1] if isinstance(last, tuple) else last
        if last_year != edition:
            raise _layout_error(t.book, t.sheet, f"years ending in {edition} (the edition asked for)",
                                f"columns {[k for _, k in b]}")
    if sexes:
        for sex, b in zip(sexes, t.blocks[:n]):
            title = t.block_title(b).casefold()
            if not title:
                continue
            ok = {"both": "female" not in title.replace("both sexes", "") and " males" not in title,
                  "male": "male" in title and "female" not in title,
                  "female": "female" in title}[sex]
            if not ok:
                raise _layout_error(t.book, t.sheet, f"the block at column {b[0][0] + 1} to be {sex!r}",
                                    f"title {t.block_title(b)!r}")


def _coded_rows(t: _Table, codes: pd.Series | None = None,
                unique: bool = True) -> tuple[pd.DataFrame, pd.Series]:
    """Data rows that carry a location code, and their codes (int).

    An area listed twice (IMS 2020/2019: "Australia and New Zealand" 927 as SDG region
    and as subregion; "Oceania"/"OCEANIA" 909) is kept once when ``unique``, after
    checking that both rows publish the same figures.
    """
    if codes is None:
        codes, clean = _codes(t.data.iloc[:, t.columns["code"]])
        if not clean:
            bad = t.data.iloc[:, t.columns["code"]][codes.isna()].dropna().unique()[:5]
            raise _layout_error(t.book, t.sheet, "numeric location codes in the 'Location code' column",
                                f"text such as {list(bad)}")
    keep = codes.notna()
    rows, codes = t.data[keep], codes[keep].astype("int64")
    if unique and codes.duplicated().any():
        first = t.blocks[0][0][0] if t.blocks else 0
        values = rows.iloc[:, first:].astype(str)
        for code in codes[codes.duplicated()].unique():
            same = values[(codes == code).to_numpy()]
            if len(same.drop_duplicates()) > 1:
                raise _layout_error(t.book, t.sheet, f"identical figures for the rows listing code {code}",
                                    "different figures")
        keep = ~codes.duplicated().to_numpy()
        rows, codes = rows[keep], codes[keep]
    return rows, codes


def _long(t: _Table, rows: pd.DataFrame, codes: pd.Series, blocks, sexes, value: str,
          edition: int, periods: bool = False, with_sex: bool = True) -> pd.DataFrame:
    parts = []
    for sex, block in zip(sexes, blocks):
        cols = [j for j, _ in block]
        values = _to_number(rows.iloc[:, cols].set_axis(range(len(cols)), axis=1), t.where)
        n = len(rows)
        for k, (_, key) in enumerate(block):
            part = {"edition": np.full(n, edition, dtype="int16"),
                    "location_code": codes.to_numpy().astype("int32")}
            if periods:
                part["period_start"] = np.full(n, key[0], dtype="int16")
                part["period_end"] = np.full(n, key[1], dtype="int16")
            else:
                part["year"] = np.full(n, key, dtype="int16")
            if with_sex:
                part["sex"] = pd.array([sex] * n, dtype="str")
            part[value] = values.iloc[:, k].to_numpy()
            parts.append(pd.DataFrame(part))
    out = pd.concat(parts, ignore_index=True)
    if periods:  # schema order: edition, location_code, period_start, period_end, sex, value
        out = out[["edition", "location_code", "period_start", "period_end", "sex", value]]
    return out


def _check_edition(edition: int, allowed: Sequence[int], what: str) -> int:
    if int(edition) not in allowed:
        raise DataNotAvailableError(f"{what}: edition {edition!r} is not supported; known editions are "
                                    f"{list(allowed)}.")
    return int(edition)


def _note_key(value) -> str | float:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, (float, np.floating)) and value == int(value):
        return str(int(value))
    text = " ".join(str(value).split())
    return text if text else np.nan


def _data_type(value) -> str | float:
    if not isinstance(value, str):
        return np.nan
    text = " ".join(value.split())
    return text if text else np.nan


# ----------------------------------------------------------------- by destination

def read_stock_by_destination(path: WorkbookLike, edition: int) -> dict[str, pd.DataFrame]:
    """Read a UN DESA "International migrant stock by destination" workbook.

    Parameters
    ----------
    path : str, Path or pandas.ExcelFile
        ``undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx`` (edition 2024),
        ``undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx`` (2020) or
        ``UN_MigrantStockTotal_2019.xlsx`` (2019). An open :class:`pandas.ExcelFile`
        is accepted so that a caller can read the workbook once for several parsers.
    edition : int
        2024, 2020 or 2019. The last year column of every table must equal it.

    Returns
    -------
    dict of str to pandas.DataFrame
        Tables keyed by their schema name (:data:`migstats.schemas.TABLES`), one row per
        location code x year (or period) x sex; every row with a location code is kept
        (countries, code < 900, and aggregates such as WORLD 900, SDG regions or income
        groups); header and grouping rows without a code are dropped.

        ``destination_stock``
            Table 1: international migrant stock, persons, by sex.
        ``population``
            Table 2: total population in persons (published in thousands, x 1000). The
            2024 Table 2 has no location-code column (its column headed "Location code"
            holds the data-type codes), so its rows are given the code of the Table 1 row
            with the same Index; the stripped names are checked to agree.
        ``destination_published``
            ``measure='migrant_share_pct'`` (Table 3, migrants as % of the total
            population, by sex) and ``measure='female_share_pct'`` (Table 4, female
            migrants as % of all migrants, ``sex='both'``).
        ``destination_growth``
            Table 5: annual rate of change of the migrant stock, % per year, for the
            periods ``period_start``-``period_end`` (e.g. 1990-1995), by sex.
        ``destination_notes``
            Table 1: ``data_type`` (B = foreign-born, C = citizenship, I = imputed, R =
            refugees added; whitespace normalised, e.g. "B R"), ``refugees_included``
            (letter R present) and ``coverage_note`` (footnote key as text).
        ``undesa_refugees``
            Editions 2020 and 2019 only: Table 6, refugees including asylum seekers,
            persons (the share and growth columns of Table 6 are not read).

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        If a table's headers, year columns or sex blocks are not where expected.
    migstats.exceptions.DataNotAvailableError
        For an edition other than 2019, 2020 or 2024.
    """
    edition = _check_edition(edition, DESTINATION_EDITIONS, "read_stock_by_destination")
    book = _open(path)
    out: dict[str, pd.DataFrame] = {}

    t1 = _find_table(book, "Table 1")
    _check_blocks(t1, 3, edition)
    rows1, codes1 = _coded_rows(t1)
    out["destination_stock"] = _long(t1, rows1, codes1, t1.blocks[:3], SEXES, "migrant_stock", edition)

    notes = pd.DataFrame({
        "edition": np.full(len(rows1), edition, dtype="int16"),
        "location_code": codes1.to_numpy().astype("int32"),
        "data_type": pd.array([_data_type(v) for v in rows1.iloc[:, t1.columns["data_type"]]]
                              if "data_type" in t1.columns else [np.nan] * len(rows1), dtype="str"),
    })
    notes["refugees_included"] = notes["data_type"].fillna("").str.contains("R", regex=False).astype(bool)
    notes["coverage_note"] = pd.array([_note_key(v) for v in rows1.iloc[:, t1.columns["notes"]]]
                                      if "notes" in t1.columns else [np.nan] * len(rows1), dtype="str")
    out["destination_notes"] = notes

    # Table 2: population in thousands
    t2 = _find_table(book, "Table 2")
    _check_blocks(t2, 3, edition)
    codes2, clean = _codes(t2.data.iloc[:, t2.columns["code"]])
    if not clean:  # 2024: the "Location code" column holds data types -> join on Index
        index1 = pd.to_numeric(rows1.iloc[:, 0], errors="coerce")
        by_index = pd.Series(codes1.to_numpy(), index=index1.to_numpy())
        names1 = pd.Series([clean_name(v) for v in rows1.iloc[:, t1.columns["name"]]], index=index1.to_numpy())
        index2 = pd.to_numeric(t2.data.iloc[:, 0], errors="coerce")
        codes2 = pd.Series(index2.map(by_index).to_numpy(), index=t2.data.index, dtype="float64")
        matched = codes2.notna()
        names2 = t2.data.iloc[:, t2.columns["name"]][matched].map(clean_name).to_numpy()
        expected = index2[matched].map(names1).to_numpy()
        if len(names2) != len(codes1) or (names2 != expected).any():
            bad = [(a, b) for a, b in zip(names2, expected) if a != b][:3]
            raise _layout_error(book, "Table 2", "the same areas in the same Index order as Table 1",
                                f"{matched.sum()} matched rows of {len(codes1)}; name differences {bad}")
    rows2, c2 = _coded_rows(t2, codes2)
    pop = _long(t2, rows2, c2, t2.blocks[:3], SEXES, "population", edition)
    pop["population"] = pop["population"] * 1000.0
    out["population"] = pop

    # Tables 3 and 4: published ratios
    t3 = _find_table(book, "Table 3")
    _check_blocks(t3, 3, edition)
    rows3, codes3 = _coded_rows(t3)
    share = _long(t3, rows3, codes3, t3.blocks[:3], SEXES, "value", edition)
    share.insert(4, "measure", pd.array(["migrant_share_pct"] * len(share), dtype="str"))
    t4 = _find_table(book, "Table 4")
    _check_blocks(t4, 1, edition, sexes=None)
    rows4, codes4 = _coded_rows(t4)
    female = _long(t4, rows4, codes4, t4.blocks[:1], ("both",), "value", edition)
    female.insert(4, "measure", pd.array(["female_share_pct"] * len(female), dtype="str"))
    out["destination_published"] = pd.concat([share, female], ignore_index=True)

    # Table 5: growth rates by period
    t5 = _find_table(book, "Table 5")
    _check_blocks(t5, 3, edition)
    if not all(isinstance(k, tuple) for b in t5.blocks[:3] for _, k in b):
        raise _layout_error(book, "Table 5", "period headers such as '1990-1995'",
                            f"{[k for _, k in t5.blocks[0]]}")
    rows5, codes5 = _coded_rows(t5)
    out["destination_growth"] = _long(t5, rows5, codes5, t5.blocks[:3], SEXES, "growth_rate_pct",
                                      edition, periods=True)

    # Table 6: refugees (2020, 2019)
    if edition in (2019, 2020):
        t6 = _find_table(book, "Table 6")
        _check_blocks(t6, 1, edition, sexes=None)
        title = t6.block_title(t6.blocks[0]).casefold()
        if "refugee" not in title or "percent" in title or "rate" in title:
            raise _layout_error(book, "Table 6", "the first block to be the refugee stock",
                                f"title {t6.block_title(t6.blocks[0])!r}")
        rows6, codes6 = _coded_rows(t6)
        ref = _long(t6, rows6, codes6, t6.blocks[:1], ("both",), "refugees", edition, with_sex=False)
        out["undesa_refugees"] = ref
    return out


def read_area_names(path: WorkbookLike, edition: int) -> pd.DataFrame:
    """Published names of every coded row of Table 1 of a "by destination" workbook.

    Parameters
    ----------
    path : str, Path or pandas.ExcelFile
        A "by destination" workbook (see :func:`read_stock_by_destination`).
    edition : int
        2024, 2020 or 2019.

    Returns
    -------
    pandas.DataFrame
        ``location_code`` (int32) and ``name`` (str, footnote ``*`` and indentation
        removed), one row per coded row in sheet order, e.g. 792 "Turkey" (2019) or
        "Türkiye" (2024). Used to build the country resolver's aliases. An area listed
        twice under the same name appears once; under two spellings (IMS 2019/2020:
        909 "Oceania" and "OCEANIA") it appears twice.
    """
    edition = _check_edition(edition, DESTINATION_EDITIONS, "read_area_names")
    book = _open(path)
    t1 = _find_table(book, "Table 1")
    _check_blocks(t1, 3, edition)
    rows, codes = _coded_rows(t1, unique=False)
    names = pd.DataFrame({
        "location_code": codes.to_numpy().astype("int32"),
        "name": pd.array([clean_name(v) for v in rows.iloc[:, t1.columns["name"]]], dtype="str"),
    })
    return names.drop_duplicates().reset_index(drop=True)


# ---------------------------------------------------------------------- by origin

def read_stock_by_origin(path: WorkbookLike, edition: int = 2024) -> dict[str, pd.DataFrame]:
    """Read the UN DESA "International migrant stock by origin" workbook (Table 1).

    Parameters
    ----------
    path : str, Path or pandas.ExcelFile
        ``undesa_pd_2024_ims_stock_by_sex_and_origin.xlsx``.
    edition : int, default 2024
        Only 2024 is published in this form.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``{"origin_stock": frame}`` with columns edition, location_code, year, sex and
        ``emigrant_stock`` (persons born in, or citizens of, the area living abroad). All
        coded rows are kept: countries (code < 900), aggregates including WORLD (900)
        and ``OTHER`` (2003, origin unknown). Countries plus OTHER add up to WORLD.
    """
    edition = _check_edition(edition, (2024,), "read_stock_by_origin")
    book = _open(path)
    t1 = _find_table(book, "Table 1")
    _check_blocks(t1, 3, edition)
    rows, codes = _coded_rows(t1)
    return {"origin_stock": _long(t1, rows, codes, t1.blocks[:3], SEXES, "emigrant_stock", edition)}


# ------------------------------------------------------- origin x destination 2019

_OD_COLUMNS = ["year", "sex", "destination_name", "origin_name", "migrant_stock"]


def _od_long(wide: pd.DataFrame, years: pd.Series, dests: pd.Series, origins: list[str], sex: str,
             where: str) -> pd.DataFrame:
    values = _to_number(wide.set_axis(range(wide.shape[1]), axis=1), where).to_numpy()
    n_rows, n_orig = values.shape
    out = pd.DataFrame({
        "year": np.repeat(years.to_numpy().astype("int16"), n_orig),
        "sex": pd.array([sex] * (n_rows * n_orig), dtype="str"),
        "destination_name": pd.array(np.repeat(dests.to_numpy(dtype=object), n_orig), dtype="str"),
        "origin_name": pd.array(np.tile(np.asarray(origins, dtype=object), n_rows), dtype="str"),
        "migrant_stock": values.reshape(-1),
    })
    return out[out["migrant_stock"].notna()].reset_index(drop=True)


def read_od_2019_csv(path: str | Path) -> pd.DataFrame:
    """Read the third-party reshaped CSV of the IMS 2019 origin x destination matrix.

    The file (``UN_MigrantStockByOriginAndDestination_2019_clean.csv``) has columns
    ``Year``, ``Dest`` (UN destination name) and one column per country of origin
    (both sexes). It has no "Total"/"Other North"/"Other South" columns.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    pandas.DataFrame
        Long table: ``year`` (int16), ``sex`` ("both"), ``destination_name``,
        ``origin_name`` (str, stripped, footnote stars removed) and ``migrant_stock``
        (float64, persons). Cells with ``..``, ``-`` or blank (not available) are left
        out; published zeros are kept.

    Notes
    -----
    The ``Dest`` column also holds five subregion rows -- "Caribbean", "South America",
    "Melanesia", "Micronesia" and "Polynesia" -- that are the sums of the country rows
    under them (e.g. South America 2019 equals the sum of its 14 countries). They are
    recognised as destinations whose name is not one of the origin (country) columns
    and dropped: keeping them would double count, and "Micronesia" (the subregion)
    would be confused with "Micronesia (Fed. States of)". The copy also has no blank
    cells: it shows 0 where the official workbook may leave a cell blank.
    """
    name = Path(path).name
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    cols = [clean_name(c) for c in raw.columns]
    if cols[:2] != ["Year", "Dest"] or len(cols) < 3:
        raise _layout_error(name, None, "columns 'Year', 'Dest', then one column per origin",
                            f"{cols[:4]}")
    raw.columns = cols
    origins = cols[2:]
    dests = raw["Dest"].map(clean_name)
    years = pd.to_numeric(raw["Year"].str.strip(), errors="coerce")
    if years.isna().any():
        raise _layout_error(name, None, "a year in every row of 'Year'",
                            f"{sorted(set(raw['Year'][years.isna()]))[:5]}")
    countries = dests.isin(set(origins))
    return _od_long(raw.loc[countries, origins], years[countries], dests[countries], origins, "both", name)


_OD2019_SHEETS = {"Table 1": "both", "Table 2": "male", "Table 3": "female"}


def read_od_2019_xlsx(path: WorkbookLike) -> pd.DataFrame:
    """Read the official IMS 2019 origin x destination workbook.

    ``UN_MigrantStockByOriginAndDestination_2019.xlsx`` has sheets "Table 1" (both
    sexes), "Table 2" (males) and "Table 3" (females). Each has a header row (Excel row
    16 in the publisher's file; found here by content) with columns Year, Sort order,
    destination name, Notes, Code, Type of data, then "Total" and one column per origin
    (country names, "Other North", "Other South").

    Parameters
    ----------
    path : str, Path or pandas.ExcelFile

    Returns
    -------
    pandas.DataFrame
        Same columns as :func:`read_od_2019_csv` for the three sexes: ``year``,
        ``sex``, ``destination_name``, ``origin_name`` (including "Other North" and
        "Other South"; the "Total" column is dropped) and ``migrant_stock`` (persons).
        Only country destinations (Code < 900) are kept; WORLD and the regional rows
        are sums of them. Cells with ``..``, ``-`` or blank are left out; zeros kept.

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        If a sheet or its header row (cells "Year" and "Code") is missing.
    """
    book = _open(path)
    parts = []
    for sheet, sex in _OD2019_SHEETS.items():
        raw = _sheet(book, sheet)
        header_row = None
        for r in range(min(40, len(raw))):
            labels = [_label(v) for v in raw.iloc[r]]
            if "year" in labels and "code" in labels:
                header_row = r
                break
        if header_row is None:
            raise _layout_error(book, sheet, "a header row with cells 'Year' and 'Code' in the first 40 rows",
                                "none")
        labels = [_label(v) for v in raw.iloc[header_row]]
        year_col, code_col = labels.index("year"), labels.index("code")
        name_col = next((j for j, lab in enumerate(labels) if "country or area of destination" in lab
                         or lab.startswith("major area")), None)
        type_col = next((j for j, lab in enumerate(labels) if lab.startswith("type of data")), code_col)
        if name_col is None:
            raise _layout_error(book, sheet, "a destination-name header ('... country or area of destination')",
                                f"{[v for v in labels if v]}")
        origin_cols = [j for j in range(max(type_col, code_col, name_col) + 1, raw.shape[1])
                       if labels[j] and labels[j] != "total"]
        if not origin_cols:
            raise _layout_error(book, sheet, "origin columns after 'Type of data'", "none")
        origins = [clean_name(raw.iat[header_row, j]) for j in origin_cols]
        data = raw.iloc[header_row + 1:]
        codes, _ = _codes(data.iloc[:, code_col])
        years = pd.to_numeric(data.iloc[:, year_col], errors="coerce").ffill()
        keep = codes.notna() & (codes < 900) & years.notna()
        dests = data.iloc[:, name_col][keep].map(clean_name)
        parts.append(_od_long(data.loc[keep].iloc[:, origin_cols], years[keep], dests, origins, sex,
                              f"{_file_name(book)}, sheet {sheet!r}"))
    return pd.concat(parts, ignore_index=True)[_OD_COLUMNS]


# ------------------------------------------------------- origin x destination 2024

_OD2024_YEARS = (1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024)


def read_od_2024_xlsx(path: WorkbookLike, edition: int = 2024) -> pd.DataFrame:
    """Read the IMS 2024 origin x destination workbook (sheet "Table 1", long layout).

    ``undesa_pd_2024_ims_stock_by_sex_destination_and_origin.xlsx``: header row (Excel
    row 11 in the publisher's file; found here by content) with Index, destination
    name, "Notes of destination", "Location code of destination", "Type of data of
    destination", origin name, "Location code of origin", then 3 x 8 year columns
    (both sexes, males, females; 1990, 1995, ..., 2020, 2024).

    Parameters
    ----------
    path : str, Path or pandas.ExcelFile
    edition : int, default 2024
        The last year column must equal it.

    Returns
    -------
    pandas.DataFrame
        ``edition`` (int16), ``year`` (int16), ``sex``, ``origin_code`` (int32),
        ``destination_code`` (int32) and ``migrant_stock`` (float64, persons), one row
        per published figure. Every row with both codes is kept, aggregates (WORLD 900,
        regions) and OTHER (2003) too; the store separates them. Missing figures are
        left out; zeros are kept.

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        If "Table 1" lacks the expected headers or year blocks; the message names
        the file, the sheet and what differs.
    """
    book = _open(path)
    sheet = "Table 1"
    raw = _sheet(book, sheet)
    header_row = None
    for r in range(min(40, len(raw))):
        labels = [_label(v) for v in raw.iloc[r]]
        if "location code of destination" in labels and "location code of origin" in labels:
            header_row = r
            break
    if header_row is None:
        seen = next(([str(v) for v in raw.iloc[r] if _label(v)] for r in range(min(40, len(raw)))
                     if sum(bool(_label(v)) for v in raw.iloc[r]) >= 5), [])
        raise _layout_error(book, sheet, "a header row with 'Location code of destination' and "
                            "'Location code of origin' in the first 40 rows", f"first wide row {seen[:10]}")
    labels = [_label(v) for v in raw.iloc[header_row]]
    dest_col = labels.index("location code of destination")
    orig_col = labels.index("location code of origin")
    year_cols = [(j, _year_or_period(raw.iat[header_row, j])) for j in range(orig_col + 1, raw.shape[1])]
    year_cols = [(j, y) for j, y in year_cols if isinstance(y, int)]
    years = [y for _, y in year_cols]
    expected = list(_OD2024_YEARS[:-1]) + [edition]
    if years != expected * 3:
        raise _layout_error(book, sheet, f"3 blocks (both sexes, males, females) of year columns {expected} "
                            f"after 'Location code of origin' on Excel row {header_row + 1}", f"{years}")
    for sex, k in zip(SEXES[1:], (8, 16)):
        title = ""
        for r in range(header_row - 1, -1, -1):
            v = raw.iat[r, year_cols[k][0]]
            if isinstance(v, str) and v.strip():
                title = v.casefold()
                break
        if title and (sex not in title or (sex == "male" and "female" in title)):
            raise _layout_error(book, sheet, f"the block at column {year_cols[k][0] + 1} to be {sex}",
                                f"title {title!r}")
    data = raw.iloc[header_row + 1:]
    dcodes, dclean = _codes(data.iloc[:, dest_col])
    ocodes, oclean = _codes(data.iloc[:, orig_col])
    if not (dclean and oclean):
        raise _layout_error(book, sheet, "numeric location codes of destination and origin", "text")
    keep = dcodes.notna() & ocodes.notna()
    data, dcodes, ocodes = data[keep], dcodes[keep], ocodes[keep]
    values = _to_number(data.iloc[:, [j for j, _ in year_cols]].set_axis(range(24), axis=1),
                        f"{_file_name(book)}, sheet {sheet!r}").to_numpy()
    n = len(data)
    sexes = np.repeat(np.array(SEXES, dtype=object), 8)
    out = pd.DataFrame({
        "edition": np.full(n * 24, edition, dtype="int16"),
        "year": np.tile(np.asarray(years, dtype="int16"), n),
        "sex": pd.array(np.tile(sexes, n), dtype="str"),
        "origin_code": np.repeat(ocodes.to_numpy().astype("int32"), 24),
        "destination_code": np.repeat(dcodes.to_numpy().astype("int32"), 24),
        "migrant_stock": values.reshape(-1),
    })
    return out[out["migrant_stock"].notna()].reset_index(drop=True)
