"""Data files of IOM Global Data Institute's R package ``gdidata`` (third-party reshapes).

Two files of the package are registered (see :mod:`migstats.registry`):

``data/undesa_stocks.rda`` (source ``undesa_2024_od_gdidata``)
    UN DESA International Migrant Stock 2024 by destination, origin and sex, 1990-2024, in
    long format: one object ``undesa_stocks`` with columns ``geo`` (destination, ISO3),
    ``t`` (year), ``from`` (origin, ISO3), ``sex`` (``"female"``/``"male"``), ``n``
    (persons) and the destination's data-type flags ``type_b``, ``type_c``, ``type_r``,
    ``type_i``. There is no both-sexes row and no aggregate row. Non-ISO codes: ``XCX`` =
    Channel Islands (UN code 830; the IMS Annex writes ``CHI``) and ``OOO`` = origin unknown
    (UN DESA "OTHER", 2003). A destination-origin pair that is absent means "insufficient
    data" (package documentation), not zero; published zeros are rows with ``n = 0``.
    Checked in the MANIFEST: its sums equal the official 2024 destination and origin
    tables in every area x year x sex.

``data/wdi.rda`` (source ``wdi_gdidata``)
    An extract of World Bank WDI series, long format: object ``wdi`` with ``geo`` (ISO3,
    countries only), ``var`` (short variable name), ``t`` (year) and ``v`` (value);
    missing values are absent rows. ``remout`` = BM.TRF.PWKR.CD.DT (personal remittances
    paid, current US$) is read because it is not otherwise in the mirror, and ``remin`` =
    BX.TRF.PWKR.CD.DT (received) so that net remittances can be computed from one vintage.
    The WDI vintage of the extract is not stated.
"""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from ..exceptions import SourceLayoutError
from .rfile import read_data_frame

__all__ = ["NON_ISO_CODES", "WDI_NON_AREA_CODES", "WDI_VARIABLES", "EXTRACT_VINTAGE", "read_undesa_stocks",
           "undesa_stocks_long", "read_wdi_extract", "wdi_extract_long"]

#: Codes of ``undesa_stocks.rda`` that are not ISO 3166-1 alpha-3, with their UN DESA meaning.
NON_ISO_CODES = {"XCX": "Channel Islands (UN DESA location code 830)",
                 "OOO": "origin unknown (UN DESA 'OTHER', code 2003)"}

#: ``geo`` codes of ``wdi.rda`` that are World Bank economies but not UN DESA areas.
WDI_NON_AREA_CODES = {"XKX": "Kosovo (World Bank economy XKX; UN DESA counts it within Serbia)"}

#: ``wdi.rda`` variables this module reads: short name -> (WDI code, unit).
WDI_VARIABLES = {"remout": ("BM.TRF.PWKR.CD.DT", "current US$"), "remin": ("BX.TRF.PWKR.CD.DT", "current US$")}

#: What the ``vintage`` column says for values from ``wdi.rda``.
EXTRACT_VINTAGE = "IOM GDI extract (gdidata, 2025-02-07; WDI vintage unstated)"

_STOCK_COLUMNS = ["geo", "t", "from", "sex", "n"]
_WDI_COLUMNS = ["geo", "var", "t", "v"]


def _years(values: pd.Series, file: str) -> np.ndarray:
    years = values.to_numpy(dtype="float64")
    if np.isnan(years).any() or (years != np.round(years)).any():
        raise SourceLayoutError(f"{file}: the year column 't' holds missing or non-integer values.")
    return years.astype("int16")


def undesa_stocks_long(frame: pd.DataFrame, file: str = "undesa_stocks.rda") -> pd.DataFrame:
    """Tidy the ``undesa_stocks`` data frame; add both sexes as male + female.

    Parameters
    ----------
    frame : pandas.DataFrame
        The R object ``undesa_stocks`` (columns ``geo``, ``t``, ``from``, ``sex``, ``n``).
    file : str
        File name for error messages.

    Returns
    -------
    pandas.DataFrame
        ``year`` (int16), ``sex`` (``"both"``, ``"male"``, ``"female"``),
        ``destination_iso3`` and ``origin_iso3`` (str, as in the file, including
        :data:`NON_ISO_CODES`) and ``migrant_stock`` (float64, persons). One row per row
        of the file, plus a ``"both"`` row for every destination x origin x year with both
        a male and a female row (their sum). Absent pairs stay absent; zeros stay 0.

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        If a column is missing, ``sex`` holds other values, ``n`` is missing or
        negative, or a destination x origin x year x sex repeats.
    """
    missing = [c for c in _STOCK_COLUMNS if c not in frame.columns]
    if missing:
        raise SourceLayoutError(f"{file}: columns {missing} are missing; found {list(frame.columns)}.")
    sexes = set(frame["sex"].dropna().unique())
    if sexes - {"male", "female"} or frame["sex"].isna().any():
        raise SourceLayoutError(f"{file}: column 'sex' should hold 'male' and 'female' only; found "
                                f"{sorted(map(str, sexes))}.")
    n = frame["n"].to_numpy(dtype="float64")
    if np.isnan(n).any() or (n < 0).any():
        raise SourceLayoutError(f"{file}: column 'n' (persons) holds missing or negative values.")
    out = pd.DataFrame({
        "year": _years(frame["t"], file),
        "sex": frame["sex"].astype("str").array,
        "destination_iso3": frame["geo"].astype("str").array,
        "origin_iso3": frame["from"].astype("str").array,
        "migrant_stock": n,
    })
    keys = ["destination_iso3", "origin_iso3", "year"]
    if out.duplicated(keys + ["sex"]).any():
        dup = out[out.duplicated(keys + ["sex"], keep=False)].head(4).to_dict("records")
        raise SourceLayoutError(f"{file}: destination x origin x year x sex repeats, e.g. {dup}.")
    wide = out.pivot(index=keys, columns="sex", values="migrant_stock")
    both = (wide["male"] + wide["female"]).dropna()  # both sexes only where both are published
    both = both.reset_index(name="migrant_stock").assign(sex="both")
    both["sex"] = both["sex"].astype("str")
    cols = ["year", "sex", "destination_iso3", "origin_iso3", "migrant_stock"]
    return pd.concat([both[cols], out[cols]], ignore_index=True)


def read_undesa_stocks(path: str | PathLike) -> pd.DataFrame:
    """Read ``undesa_stocks.rda`` (IMS 2024 origin x destination x sex, reshaped by IOM GDI).

    See :func:`undesa_stocks_long` for the columns returned.
    """
    from pathlib import Path

    frame = read_data_frame(path, "undesa_stocks", _STOCK_COLUMNS)
    return undesa_stocks_long(frame, Path(path).name)


def wdi_extract_long(frame: pd.DataFrame, file: str = "wdi.rda") -> pd.DataFrame:
    """The :data:`WDI_VARIABLES` of the ``wdi`` data frame, in the layout of the WDI parser.

    Parameters
    ----------
    frame : pandas.DataFrame
        The R object ``wdi`` (columns ``geo``, ``var``, ``t``, ``v``).
    file : str
        File name for error messages.

    Returns
    -------
    pandas.DataFrame
        ``indicator`` (str, WDI code, e.g. "BM.TRF.PWKR.CD.DT"), ``iso3`` (str, the file's
        ``geo``), ``year`` (int16), ``value`` (float64, in ``unit``), ``unit`` (str,
        "current US$") and ``vintage`` (str, :data:`EXTRACT_VINTAGE`). Rows with a
        missing value are left out (the file has none).

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        If a column or a variable of :data:`WDI_VARIABLES` is missing, or a
        ``geo`` x ``var`` x ``t`` repeats.
    """
    missing = [c for c in _WDI_COLUMNS if c not in frame.columns]
    if missing:
        raise SourceLayoutError(f"{file}: columns {missing} are missing; found {list(frame.columns)}.")
    absent = sorted(set(WDI_VARIABLES) - set(frame["var"].dropna().unique()))
    if absent:
        raise SourceLayoutError(f"{file}: variable(s) {absent} not found in column 'var'.")
    part = frame[frame["var"].isin(list(WDI_VARIABLES))]
    part = part[part["v"].notna()]
    if part.duplicated(["geo", "var", "t"]).any():
        raise SourceLayoutError(f"{file}: geo x var x t repeats.")
    codes = part["var"].map({k: v[0] for k, v in WDI_VARIABLES.items()})
    units = part["var"].map({k: v[1] for k, v in WDI_VARIABLES.items()})
    return pd.DataFrame({
        "indicator": pd.array(codes.to_numpy(dtype=object), dtype="str"),
        "iso3": part["geo"].astype("str").array,
        "year": _years(part["t"], file),
        "value": part["v"].to_numpy(dtype="float64"),
        "unit": pd.array(units.to_numpy(dtype=object), dtype="str"),
        "vintage": pd.array([EXTRACT_VINTAGE] * len(part), dtype="str"),
    })


def read_wdi_extract(path: str | PathLike) -> pd.DataFrame:
    """Read ``wdi.rda`` (remittances paid); see :func:`wdi_extract_long` for the columns."""
    from pathlib import Path

    frame = read_data_frame(path, "wdi", _WDI_COLUMNS)
    return wdi_extract_long(frame, Path(path).name)
