"""Geography of the UN DESA areas: centroids, distances, shared borders and landlocked areas.

Everything is derived from the Natural Earth 1:50m admin-0 polygons of the store
(:func:`migstats.store.load_boundaries`), with the store's ``area_points`` for the areas
that have no polygon at that scale (Gibraltar, Tokelau, Tuvalu, the French overseas
departments, ...). Several Natural Earth features can belong to one UN DESA area
(Kosovo -> Serbia, Northern Cyprus -> Cyprus, Jersey/Guernsey -> Channel Islands): they are
merged per ``location_code`` before anything is computed.

Results are cached in the processed store as Parquet
(``<processed>/geography_pairs.parquet`` and ``<processed>/geography_areas.parquet``),
written atomically and tagged with the store's build id: they are recomputed when missing
or when the store has been rebuilt since.

Definitions
-----------
centroid
    Area-weighted centroid of the merged polygons, computed in a Lambert azimuthal
    equal-area projection centred on the area's ``area_points`` point (so areas that
    cross the antimeridian, such as Fiji or Russia, get a sensible centroid), then
    converted back to longitude/latitude (EPSG:4326). Areas without polygon use their
    ``area_points`` point (``centroid_source = "area_points"``).
distance_km
    Great-circle (geodesic, WGS 84 ellipsoid, :class:`pyproj.Geod`) distance between the
    centroids of two areas, in kilometres.
contiguous
    ``True`` when the merged polygons of two areas lie within :data:`CONTIGUITY_TOLERANCE_DEG`
    degrees (about 1 km) of each other, i.e. they share a land border at the 1:50m scale.
    The tolerance absorbs digitising gaps; it does not bridge sea straits wider than ~1 km.
landlocked
    ``True`` when no part of the area's polygons lies on the ocean coast. The ocean coast
    is the set of outer rings of the union of all country polygons (each slightly
    buffered to close digitising slivers), leaving out the rings of islands that lie inside
    a hole of another land mass (islands of the Caspian Sea). Inland water enclosed by
    land -- the Caspian Sea, lakes -- is therefore *not* coast: Kazakhstan, Turkmenistan
    and Azerbaijan are landlocked, as in physical geography. This is a geometric flag;
    it differs from the UN list of landlocked *developing* countries (``countries.lldc``),
    which leaves out e.g. Switzerland, Austria and Serbia. Areas without polygon are
    treated as not landlocked (all of them are islands or coastal).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from . import locations, store

__all__ = ["centroids", "distances", "contiguity", "landlocked", "pairs", "areas",
           "CONTIGUITY_TOLERANCE_DEG", "EARTH_RADIUS_KM", "haversine_km"]

#: Gap between two polygons (degrees, ~1 km at the equator) still counted as a shared border.
CONTIGUITY_TOLERANCE_DEG = 0.01
#: Buffer (degrees) applied to each polygon before forming the land union for the coast test.
_LAND_BUFFER_DEG = 0.005
#: Mean Earth radius (IUGG), km, for :func:`haversine_km`.
EARTH_RADIUS_KM = 6371.0088

_PAIRS_FILE = "geography_pairs.parquet"
_AREAS_FILE = "geography_areas.parquet"
_META_KEY = b"migstats_build_id"
_MEMO: dict[tuple[str, str], tuple[pd.DataFrame, pd.DataFrame]] = {}


def haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance on a sphere of radius :data:`EARTH_RADIUS_KM` (vectorised).

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : array_like
        Coordinates in degrees.

    Returns
    -------
    ndarray
        Distances in kilometres.
    """
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype="float64")) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


# -- computation ---------------------------------------------------------------------------
def _merged_polygons(data_dir=None):
    """Natural Earth 1:50m polygons merged per UN DESA location code (GeoSeries, EPSG:4326).

    Natural Earth draws some UN DESA areas as parts of another country (French Guiana,
    Guadeloupe, Martinique, Reunion and Mayotte inside France, ...). A part of a
    multipolygon that contains (or lies within 0.1 degree of) the ``area_points`` point of
    an area without polygon is given to that area -- unless it is the host's largest part
    (Gibraltar's point falls on mainland Spain at this scale and stays a point).
    """
    import geopandas
    import shapely

    g = store.load_boundaries("50m", data_dir)
    g = g[g["location_code"].notna()]
    parts = g[["location_code", "geometry"]].explode(index_parts=False, ignore_index=True)
    parts["location_code"] = parts["location_code"].astype("int32")
    area = shapely.area(parts.geometry.to_numpy())
    largest = pd.Series(area).groupby(parts["location_code"].to_numpy()).transform("max").to_numpy()
    is_largest = area >= largest
    points = store.load("area_points", data_dir)
    orphans = points[~points["location_code"].isin(parts["location_code"])]
    if len(orphans):
        tree = shapely.STRtree(parts.geometry.to_numpy())
        pts = shapely.points(orphans["lon"].to_numpy(), orphans["lat"].to_numpy())
        (pi, gi), dist = tree.query_nearest(pts, max_distance=0.1, return_distance=True)
        codes = parts["location_code"].to_numpy().copy()
        for p, gidx in zip(pi, gi):
            if not is_largest[gidx]:
                codes[gidx] = int(orphans["location_code"].iloc[p])
        parts["location_code"] = codes
    parts = geopandas.GeoDataFrame(parts, geometry="geometry", crs=g.crs)
    merged = parts.dissolve(by="location_code").geometry
    merged.index = merged.index.astype("int32")
    return merged


def _centroids(merged, points: pd.DataFrame) -> pd.DataFrame:
    import pyproj
    import shapely

    pts = points.set_index("location_code")
    rows = []
    for code, geom in merged.items():
        lon0, lat0 = float(pts.at[code, "lon"]), float(pts.at[code, "lat"])
        laea = pyproj.CRS.from_proj4(f"+proj=laea +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m")
        fwd = pyproj.Transformer.from_crs("EPSG:4326", laea, always_xy=True)
        inv = pyproj.Transformer.from_crs(laea, "EPSG:4326", always_xy=True)
        c = shapely.centroid(shapely.transform(
            geom, lambda xy, f=fwd: np.column_stack(f.transform(xy[:, 0], xy[:, 1]))))
        lon, lat = inv.transform(c.x, c.y)
        rows.append((int(code), float(lon), float(lat), "polygon centroid (equal-area)"))
    have = {r[0] for r in rows}
    for code, row in pts.iterrows():
        if int(code) not in have:
            rows.append((int(code), float(row["lon"]), float(row["lat"]), "area_points"))
    out = pd.DataFrame(rows, columns=["location_code", "lon", "lat", "centroid_source"])
    return out.astype({"location_code": "int32", "centroid_source": "str"}).sort_values(
        "location_code", ignore_index=True)


def _contiguous_pairs(merged) -> set[tuple[int, int]]:
    import shapely

    geoms = merged.to_numpy()
    codes = merged.index.to_numpy()
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="dwithin", distance=CONTIGUITY_TOLERANCE_DEG)
    keep = a != b
    return {(int(codes[i]), int(codes[j])) for i, j in zip(a[keep], b[keep])}


def _landlocked(merged) -> pd.Series:
    import shapely

    geoms = merged.to_numpy()
    land = shapely.union_all(shapely.buffer(geoms, _LAND_BUFFER_DEG))
    parts = shapely.get_parts(land)
    shells = shapely.polygons(shapely.get_exterior_ring(parts))
    # islands lying in a hole of another land mass (Caspian Sea islands) are not ocean coast
    tree = shapely.STRtree(shells)
    inner, outer = tree.query(shells, predicate="within")
    inland = np.zeros(len(parts), dtype=bool)
    inland[inner[inner != outer]] = True
    coast = shapely.get_exterior_ring(parts[~inland])
    ctree = shapely.STRtree(coast)
    hit, _ = ctree.query(geoms, predicate="dwithin", distance=2 * _LAND_BUFFER_DEG)
    coastal = np.zeros(len(geoms), dtype=bool)
    coastal[hit] = True
    return pd.Series(~coastal, index=merged.index, name="landlocked")


def _compute(data_dir=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    import pyproj

    points = store.load("area_points", data_dir)
    merged = _merged_polygons(data_dir)
    cen = _centroids(merged, points)
    ll = _landlocked(merged)
    cen["landlocked"] = cen["location_code"].map(ll).fillna(False).astype("bool")
    cen["has_polygon"] = cen["location_code"].isin(merged.index)

    codes = cen["location_code"].to_numpy()
    n = len(codes)
    oi, di = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    oi, di = oi.ravel(), di.ravel()
    off = oi != di
    oi, di = oi[off], di[off]
    lon, lat = cen["lon"].to_numpy(), cen["lat"].to_numpy()
    _, _, dist_m = pyproj.Geod(ellps="WGS84").inv(lon[oi], lat[oi], lon[di], lat[di])
    contiguous = _contiguous_pairs(merged)
    pairs = pd.DataFrame({
        "origin_code": codes[oi].astype("int32"),
        "destination_code": codes[di].astype("int32"),
        "distance_km": np.asarray(dist_m, dtype="float64") / 1000.0,
    })
    key = pd.MultiIndex.from_arrays([pairs["origin_code"], pairs["destination_code"]])
    pairs["contiguous"] = key.isin(list(contiguous))
    return pairs, cen


# -- cache -------------------------------------------------------------------------------------
def _write_atomic(df: pd.DataFrame, path: Path, build: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), _META_KEY: build.encode()})
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".parquet", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _read_cached(path: Path, build: str) -> pd.DataFrame | None:
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
    except (FileNotFoundError, OSError):
        return None
    if meta.get(_META_KEY, b"").decode() != build:
        return None
    return pd.read_parquet(path)


def _tables(data_dir=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    build = store.build_id(data_dir)
    folder = locations.processed_dir(data_dir)
    key = (str(folder), build)
    if key in _MEMO:
        return _MEMO[key]
    pairs = _read_cached(folder / _PAIRS_FILE, build)
    areas_ = _read_cached(folder / _AREAS_FILE, build)
    if pairs is None or areas_ is None:
        pairs, areas_ = _compute(data_dir)
        _write_atomic(areas_, folder / _AREAS_FILE, build)
        _write_atomic(pairs, folder / _PAIRS_FILE, build)
    _MEMO.clear()
    _MEMO[key] = (pairs, areas_)
    return pairs, areas_


# -- public API -----------------------------------------------------------------------------
def areas(*, data_dir=None) -> pd.DataFrame:
    """One row per UN DESA area: centroid and landlocked flag.

    Returns
    -------
    DataFrame
        ``location_code`` (int32), ``lon``, ``lat`` (degrees, EPSG:4326),
        ``centroid_source`` ("polygon centroid (equal-area)" or "area_points"),
        ``landlocked`` (bool), ``has_polygon`` (bool: a Natural Earth 1:50m polygon exists).
    """
    return _tables(data_dir)[1].copy()


def pairs(*, data_dir=None) -> pd.DataFrame:
    """Every ordered pair of distinct areas with ``distance_km`` and ``contiguous``."""
    return _tables(data_dir)[0].copy()


def centroids(*, data_dir=None) -> pd.DataFrame:
    """One point per UN DESA area (see the module docstring for the definition).

    Returns
    -------
    DataFrame
        ``location_code``, ``lon``, ``lat`` (degrees), ``centroid_source``.
    """
    return areas(data_dir=data_dir)[["location_code", "lon", "lat", "centroid_source"]]


def distances(*, data_dir=None) -> pd.DataFrame:
    """Geodesic distance between the centroids of all ordered pairs of distinct areas.

    Returns
    -------
    DataFrame
        ``origin_code``, ``destination_code``, ``distance_km`` (kilometres, WGS 84
        ellipsoid). Symmetric: both orders are listed.
    """
    return pairs(data_dir=data_dir)[["origin_code", "destination_code", "distance_km"]]


def contiguity(*, data_dir=None) -> pd.DataFrame:
    """Pairs of areas sharing a land border at the 1:50m scale (both orders listed).

    Returns
    -------
    DataFrame
        ``origin_code``, ``destination_code`` of the contiguous pairs only.
    """
    p = pairs(data_dir=data_dir)
    return p.loc[p["contiguous"], ["origin_code", "destination_code"]].reset_index(drop=True)


def landlocked(*, data_dir=None) -> pd.Series:
    """Geometric landlocked flag per area (bool Series indexed by ``location_code``).

    See the module docstring: an area is landlocked when none of its polygons touches the
    ocean coast; Caspian shores are not ocean coast.
    """
    a = areas(data_dir=data_dir)
    return pd.Series(a["landlocked"].to_numpy(), index=pd.Index(a["location_code"], name="location_code"),
                     name="landlocked")
