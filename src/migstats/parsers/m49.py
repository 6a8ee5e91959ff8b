"""UN M49 classifications: the UN DESA IMS 2020 Annex and the UNSD M49 overview CSV.

``m49/aggregates_correspondence_table_2020_1.xlsx``, sheet ``Annex``:

* two header rows: Excel row 10 holds the group titles ("Location Type", "Parent Location
  code", "WORLD", "Subregion", "SDG subregion", "SDG region", "Geographic region", "UN
  development groups", "World Bank income groups"), Excel row 11 the column names (name,
  Notes, Location code, ISO3 Alpha-code, Code/Name pairs, and membership columns whose
  header ends with the aggregate code, e.g. "More developed regions\\n901");
* 283 data rows from Excel row 12: WORLD, SDG regions, development and income groups,
  then the geographic hierarchy (regions in CAPS, subregions, countries); names are
  space-indented and may carry a ``*`` note marker;
* membership cells hold the aggregate's code (e.g. 941) or are blank;
* for aggregate rows the ISO3 cell is blank or whitespace.

Quirks: "Australia and New Zealand" (927) appears twice as an SDG-region row (Excel rows
19 and 268); the SDG subregions Europe (917) and Northern America (918) and the income
group "No income group available" (1518) have no row of their own — they appear only in
the country rows' code/name columns or as a column header. The development-group row is
named "Developed regions" but its column "More developed regions".

``m49/UNSD — Methodology.csv``: semicolon separated, UTF-8 with BOM, 248 rows, codes as
zero-padded strings, "x" flags. Namibia's ISO2 is "NA" (read with ``keep_default_na=False``).
Taiwan (158) and the Channel Islands (830) are not in it.
"""

from __future__ import annotations

import re
from os import PathLike

import numpy as np
import pandas as pd

from migstats.exceptions import SourceLayoutError

__all__ = ["read_annex", "read_unsd_m49"]

_REFETCH = "Re-fetch the file with `migstats data fetch --force`."
_GROUP_KINDS = {"UN development groups": "Development group", "World Bank income groups": "Income group"}


def _name(value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = re.sub(r"\s+", " ", str(value)).strip().rstrip("*").strip()
    return text or None


def _code(value) -> int | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    try:
        return int(float(value))
    except ValueError:
        return None


def _annex_columns(frame: pd.DataFrame, path, sheet) -> tuple[int, dict]:
    """Header row position and a map of the columns needed."""
    h = next((i for i in range(min(30, len(frame)))
              if any(isinstance(v, str) and v.strip() == "Location code" for v in frame.iloc[i])), None)
    if h is None or h == 0:
        raise SourceLayoutError(f"{path} (sheet {sheet!r}): expected a header row with 'Location code' "
                                f"in the first 30 rows, found none. {_REFETCH}")
    lower = [v.strip() if isinstance(v, str) else None for v in frame.iloc[h]]
    upper = pd.Series([v.strip() if isinstance(v, str) else None for v in frame.iloc[h - 1]]).ffill().tolist()

    def find(label, row, start=0):
        for j in range(start, len(row)):
            if row[j] == label:
                return j
        return None

    cols = {
        "name": next((j for j, v in enumerate(lower) if v and v.startswith("Region, subregion, country or area")), None),
        "location_code": find("Location code", lower),
        "iso3": find("ISO3 Alpha-code", lower),
    }
    for title in ("Location Type", "WORLD", "Subregion", "SDG subregion", "SDG region", "Geographic region"):
        j = find(title, [frame.iat[h - 1, k].strip() if isinstance(frame.iat[h - 1, k], str) else None
                         for k in range(frame.shape[1])])
        cols[title] = j
    missing = [k for k, v in cols.items() if v is None and k != "SDG subregion"]
    if missing:
        raise SourceLayoutError(f"{path} (sheet {sheet!r}): expected header cells {missing} in Excel rows "
                                f"{h}-{h + 1}, not found. {_REFETCH}")
    groups = []
    for j, v in enumerate(lower):
        m = re.search(r"\n\s*(\d+)\s*$", v or "")
        if m and upper[j] in _GROUP_KINDS:
            groups.append((j, int(m.group(1)), _name(v[: m.start()]), _GROUP_KINDS[upper[j]]))
    if not groups:
        raise SourceLayoutError(f"{path} (sheet {sheet!r}): expected membership columns headed "
                                f"'<group name>\\n<code>' under 'UN development groups', found none. {_REFETCH}")
    cols["groups"] = groups
    return h, cols


def read_annex(path: str | PathLike) -> dict[str, pd.DataFrame]:
    """Read the IMS 2020 Annex: countries, aggregates and memberships.

    Parameters
    ----------
    path : str or path-like
        ``m49/aggregates_correspondence_table_2020_1.xlsx``.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"areas"``: one row per Country/Area (235): ``location_code`` (int32, M49),
        ``iso3`` (str; "CHI" Channel Islands, "TWN" Taiwan), ``name`` (str, without
        indent and ``*``), ``subregion``, ``sdg_region``, ``geographic_region`` (str,
        names as in the code/name columns, e.g. "Eastern Europe", "Europe and Northern
        America", "Europe"), ``ldc`` (bool, member of 941), ``lldc`` (1636), ``sids``
        (1637), ``more_developed`` (901).

        ``"aggregates"``: one row per aggregate code: ``location_code`` (int32), ``name``
        (str, stripped), ``kind`` (str, the Location Type name: "SDG region",
        "Development group", "Income group", "Geographic region", "Subregion"; "World"
        for WORLD 900). Aggregates that have no row but are named in the file are added:
        SDG subregions 917 "Europe" and 918 "Northern America" (kind "SDG subregion") and
        1518 "No income group available" (kind "Income group"). The repeated 927 row is
        kept once.

        ``"members"``: ``aggregate_code``, ``location_code`` (int32) for every country
        membership in the file: WORLD, subregion, SDG subregion, SDG region, geographic
        region and each development / income group column. Unique pairs.

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        If the sheet, header cells or membership cells are not as documented, or the
        countries' ISO3 codes are missing or repeat.
    """
    try:
        frame = pd.read_excel(path, sheet_name="Annex", header=None, engine="calamine")
    except ValueError as exc:
        raise SourceLayoutError(f"{path}: expected a sheet 'Annex' ({exc}). {_REFETCH}") from exc
    sheet = "Annex"
    h, cols = _annex_columns(frame, path, sheet)
    data = frame.iloc[h + 1:]
    data = data[data.iloc[:, cols["location_code"]].map(_code).notna()]
    type_name_col = cols["Location Type"] + 1  # the column after the type code holds its name
    kinds = data.iloc[:, type_name_col].map(_name)
    is_area = (kinds == "Country/Area").to_numpy()

    codes = data.iloc[:, cols["location_code"]].map(_code).astype("int32").to_numpy()
    names = data.iloc[:, cols["name"]].map(_name).to_numpy(dtype=object)
    iso3 = data.iloc[:, cols["iso3"]].map(lambda v: v.strip() if isinstance(v, str) and v.strip() else None)

    def pair(title):
        j = cols.get(title)
        if j is None:
            return (pd.Series([None] * len(data), index=data.index),) * 2
        return data.iloc[:, j].map(_code), data.iloc[:, j + 1].map(_name)

    sub_c, sub_n = pair("Subregion")
    sdgsub_c, sdgsub_n = pair("SDG subregion")
    sdg_c, sdg_n = pair("SDG region")
    geo_c, geo_n = pair("Geographic region")
    world_c = data.iloc[:, cols["WORLD"]].map(_code)

    membership = {}
    for j, gcode, gname, gkind in cols["groups"]:
        cell = data.iloc[:, j].map(_code)
        bad = cell.notna() & ~cell.isin([gcode, 1, 0])
        if bad.any():
            raise SourceLayoutError(f"{path} (sheet {sheet!r}): column {gname!r} ({gcode}) should hold {gcode}, "
                                    f"1, 0 or blank; Excel row {data.index[bad.to_numpy()][0] + 1} holds "
                                    f"{cell[bad].iloc[0]!r}. {_REFETCH}")
        membership[gcode] = (cell.isin([gcode, 1]).to_numpy() & is_area)

    a_iso3 = iso3[is_area]
    if a_iso3.isna().any() or a_iso3.duplicated().any():
        raise SourceLayoutError(f"{path} (sheet {sheet!r}): every Country/Area row should have a unique ISO3 "
                                f"code; missing or repeated: {list(names[is_area][a_iso3.isna() | a_iso3.duplicated(keep=False)])}.")
    for g in (941, 1636, 1637, 901):
        if g not in membership:
            raise SourceLayoutError(f"{path} (sheet {sheet!r}): expected a membership column for {g}. {_REFETCH}")

    areas = pd.DataFrame({
        "location_code": codes[is_area],
        "iso3": pd.array(a_iso3.to_numpy(), dtype="str"),
        "name": pd.array(names[is_area], dtype="str"),
        "subregion": pd.array(sub_n[is_area].to_numpy(), dtype="str"),
        "sdg_region": pd.array(sdg_n[is_area].to_numpy(), dtype="str"),
        "geographic_region": pd.array(geo_n[is_area].to_numpy(), dtype="str"),
        "ldc": membership[941][is_area],
        "lldc": membership[1636][is_area],
        "sids": membership[1637][is_area],
        "more_developed": membership[901][is_area],
    })

    agg_rows = [(int(c), n, "World" if pd.isna(k) and c == 900 else (None if pd.isna(k) else k))
                for c, n, k in zip(codes[~is_area], names[~is_area], kinds[~is_area])]
    if any(k is None for _, _, k in agg_rows):
        raise SourceLayoutError(f"{path} (sheet {sheet!r}): every aggregate row should have a Location Type "
                                f"name (except WORLD 900). {_REFETCH}")
    known = {c for c, _, _ in agg_rows}
    extra = []
    for c_ser, n_ser in ((sdgsub_c, sdgsub_n),):
        for c, n in zip(c_ser[is_area], n_ser[is_area]):
            if c is not None and not pd.isna(c) and int(c) not in known:
                extra.append((int(c), n, "SDG subregion"))
                known.add(int(c))
    for _, gcode, gname, gkind in cols["groups"]:
        if gcode not in known:
            extra.append((gcode, gname, gkind))
            known.add(gcode)
    aggregates = pd.DataFrame(agg_rows + extra, columns=["location_code", "name", "kind"])
    aggregates = aggregates.drop_duplicates("location_code").reset_index(drop=True)
    aggregates = aggregates.astype({"location_code": "int32", "name": "str", "kind": "str"})

    pairs = []
    area_codes = codes[is_area]
    for ser in (world_c, sub_c, sdgsub_c, sdg_c, geo_c):
        agg = ser[is_area].to_numpy(dtype=object)
        for a, loc in zip(agg, area_codes):
            if a is not None and not pd.isna(a):
                pairs.append((int(a), int(loc)))
    for gcode, mask in membership.items():
        pairs.extend((gcode, int(loc)) for loc in codes[mask])
    members = (pd.DataFrame(pairs, columns=["aggregate_code", "location_code"])
               .drop_duplicates().astype("int32").sort_values(["aggregate_code", "location_code"])
               .reset_index(drop=True))
    return {"areas": areas, "aggregates": aggregates, "members": members}


_UNSD_COLUMNS = {
    "M49 Code": "location_code", "ISO-alpha2 Code": "iso2", "ISO-alpha3 Code": "iso3",
    "Country or Area": "name", "Region Name": "region", "Sub-region Name": "subregion",
    "Intermediate Region Name": "intermediate_region",
    "Least Developed Countries (LDC)": "ldc", "Land Locked Developing Countries (LLDC)": "lldc",
    "Small Island Developing States (SIDS)": "sids",
}


def read_unsd_m49(path: str | PathLike) -> pd.DataFrame:
    """Read the UNSD M49 overview CSV.

    Parameters
    ----------
    path : str or path-like
        ``m49/UNSD — Methodology.csv`` (semicolon separated, UTF-8 with BOM).

    Returns
    -------
    pandas.DataFrame
        One row per country or area (248): ``location_code`` (int32, from the
        zero-padded "M49 Code"), ``iso2`` (str; Namibia keeps "NA"), ``iso3`` (str),
        ``name`` (str, current UNSD name, e.g. "Türkiye", "Côte d’Ivoire" with U+2019),
        ``region``, ``subregion`` (str; NaN for Antarctica), ``intermediate_region`` (str,
        NaN where empty), ``ldc``, ``lldc``, ``sids`` (bool, the "x" flags).

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        If the columns differ from the UNSD export or M49 codes are not numeric/unique.
    """
    raw = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in _UNSD_COLUMNS if c not in raw.columns]
    if missing:
        raise SourceLayoutError(f"{path}: expected the UNSD M49 export (semicolon separated) with columns "
                                f"{list(_UNSD_COLUMNS)}; missing {missing}. {_REFETCH}")
    raw = raw[list(_UNSD_COLUMNS)].rename(columns=_UNSD_COLUMNS).apply(lambda s: s.str.strip())
    if not raw.location_code.str.fullmatch(r"\d{1,4}").all() or raw.location_code.duplicated().any():
        raise SourceLayoutError(f"{path}: 'M49 Code' should be unique numeric codes. {_REFETCH}")
    out = pd.DataFrame({"location_code": raw.location_code.astype("int32")})
    for c in ("iso2", "iso3", "name", "region", "subregion", "intermediate_region"):
        out[c] = raw[c].where(raw[c] != "").astype("str")
    for c in ("ldc", "lldc", "sids"):
        flags = raw[c].str.lower()
        if not flags.isin(["", "x"]).all():
            raise SourceLayoutError(f"{path}: flag column for {c.upper()} should hold 'x' or nothing. {_REFETCH}")
        out[c] = (flags == "x").to_numpy()
    return out
