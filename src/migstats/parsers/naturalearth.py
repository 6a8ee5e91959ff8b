"""Natural Earth admin-0 countries (v5.1.1 zips, 1:110m and 1:50m).

Read with pyogrio straight from the zip. CRS EPSG:4326. Codes are strings; ``"-99"``
(and ``"-099"`` in ``UN_A3``) means "none".

Quirks (checked on the v5.1.1 files):

* ``ISO_A3`` is ``"-99"`` for France and Norway (their ``ISO_A3_EH`` is FRA / NOR), for
  N. Cyprus, Somaliland and Kosovo (``ADM0_A3`` CYN / SOL / KOS, none with an ISO code),
  and in 1:50m also for Indian Ocean Ter., Ashmore and Cartier Is. (``ISO_A3_EH`` "AUS",
  i.e. counted with Australia; ``ADM0_A3`` IOA / ATC) and Siachen Glacier (KAS).
* ``ISO_N3`` is "-99" for the same features; ``ISO_N3_EH`` has 250 (France), 578 (Norway).
  1:50m Ashmore and Cartier Is. carries ``ISO_N3`` "036", Australia's number.
* ``UN_A3`` is "-099" for Taiwan, Kosovo, N. Cyprus, Somaliland and several territories, but
  "-99" for Norway.
"""

from __future__ import annotations

from os import PathLike

import pandas as pd

from migstats.exceptions import SourceLayoutError

__all__ = ["read_admin0"]

_NEEDED = ["ISO_A3", "ISO_A3_EH", "ADM0_A3", "ISO_N3", "ISO_N3_EH", "UN_A3", "NAME", "NAME_LONG",
           "CONTINENT", "POP_EST"]


def _code_to_int(s: pd.Series) -> pd.Series:
    """'004' -> 4, '-99'/'-099'/blank -> <NA> (Int32)."""
    num = pd.to_numeric(s.astype("str").str.strip(), errors="coerce")
    return num.where(num >= 0).astype("Int32")


def read_admin0(path: str | PathLike):
    """Read a Natural Earth admin-0 countries zip.

    Parameters
    ----------
    path : str or path-like
        ``ne_110m_admin_0_countries.zip`` or ``ne_50m_admin_0_countries.zip``.

    Returns
    -------
    geopandas.GeoDataFrame
        All features (177 at 1:110m, 242 at 1:50m), CRS EPSG:4326, columns:

        ``iso3`` (str, unique)
            ``ISO_A3``; where that is "-99", ``ISO_A3_EH`` if it is a code not already
            used by another feature (France FRA, Norway NOR); otherwise ``ADM0_A3``
            (Natural Earth's own code, not ISO: Kosovo KOS, N. Cyprus CYN, Somaliland SOL,
            Indian Ocean Ter. IOA, Ashmore and Cartier Is. ATC, Siachen Glacier KAS).
        ``iso_n3`` (Int32)
            ISO 3166-1 numeric from ``ISO_N3``; where "-99" and ``iso3`` came from
            ``ISO_A3_EH``, ``ISO_N3_EH`` (France 250, Norway 578); else <NA>.
        ``un_a3`` (Int32)
            ``UN_A3`` (M49 numeric; <NA> for "-99"/"-099").
        ``adm0_a3`` (str)
            Natural Earth ``ADM0_A3`` as published.
        ``name``, ``name_long``, ``continent`` (str)
            ``NAME``, ``NAME_LONG``, ``CONTINENT``.
        ``pop_est`` (float64, persons)
            ``POP_EST`` (mostly 2019 estimates).
        ``geometry``
            (Multi)polygons in degrees.

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        If the file cannot be read as a shapefile zip, lacks the columns above, or the CRS
        is not EPSG:4326.
    """
    import geopandas as gpd

    try:
        raw = gpd.read_file(f"zip://{path}", engine="pyogrio")
    except Exception as exc:
        raise SourceLayoutError(
            f"{path}: cannot be read as a zipped Natural Earth shapefile ({exc}). "
            "Re-fetch the file with `migstats data fetch --force`."
        ) from exc
    missing = [c for c in _NEEDED if c not in raw.columns]
    if missing:
        raise SourceLayoutError(f"{path}: expected Natural Earth admin-0 attributes {_NEEDED}, missing {missing}. "
                                "Re-fetch the file with `migstats data fetch --force`.")
    if raw.crs is None or raw.crs.to_epsg() != 4326:
        raise SourceLayoutError(f"{path}: expected CRS EPSG:4326, found {raw.crs}.")

    def clean(col: str) -> pd.Series:
        s = raw[col].astype("str").str.strip()
        return s.where(~s.isin(["-99", "-099", ""]))

    iso_a3, iso_a3_eh, adm0 = clean("ISO_A3"), clean("ISO_A3_EH"), clean("ADM0_A3")
    taken = set(iso_a3.dropna())
    use_eh = iso_a3.isna() & iso_a3_eh.notna() & ~iso_a3_eh.isin(taken)
    iso3 = iso_a3.where(iso_a3.notna(), iso_a3_eh.where(use_eh, adm0))
    iso_n3 = _code_to_int(raw["ISO_N3"])
    iso_n3 = iso_n3.where(iso_n3.notna() | ~use_eh, _code_to_int(raw["ISO_N3_EH"]))

    out = gpd.GeoDataFrame({
        "iso3": iso3.astype("str"),
        "iso_n3": iso_n3.astype("Int32"),
        "un_a3": _code_to_int(raw["UN_A3"]),
        "adm0_a3": raw["ADM0_A3"].astype("str"),
        "name": raw["NAME"].astype("str"),
        "name_long": raw["NAME_LONG"].astype("str"),
        "continent": raw["CONTINENT"].astype("str"),
        "pop_est": raw["POP_EST"].astype("float64"),
    }, geometry=raw.geometry.values, crs=raw.crs)
    if out.iso3.isna().any() or out.iso3.duplicated().any():
        dup = out.loc[out.iso3.isna() | out.iso3.duplicated(keep=False), "name"].tolist()
        raise SourceLayoutError(f"{path}: could not give a unique code to {dup}.")
    return out
