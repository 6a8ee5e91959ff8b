"""Centroids, distances (centroid, population-weighted, capital), contiguity and landlocked flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from migstats import geography, locations, store
from migstats.countries import resolve


@pytest.fixture(scope="module")
def geo(data_dir):
    return geography.areas(data_dir=data_dir), geography.pairs(data_dir=data_dir)


def _code(iso3, data_dir):
    return resolve(iso3, data_dir=data_dir).location_code


def test_one_centroid_per_area(geo, data_dir):
    areas, _ = geo
    countries = store.load("countries", data_dir)
    assert sorted(areas["location_code"]) == sorted(countries["location_code"])
    assert areas[["lon", "lat"]].notna().all().all()
    assert areas["lon"].between(-180, 180).all() and areas["lat"].between(-90, 90).all()


def test_centroid_of_france_is_metropolitan(geo, data_dir):
    # Natural Earth draws French Guiana, Guadeloupe, Martinique, Reunion, Mayotte inside France;
    # UN DESA counts them separately, so France's centroid must lie in metropolitan France
    areas, _ = geo
    fra = areas.set_index("location_code").loc[_code("FRA", data_dir)]
    assert -5 < fra["lon"] < 8 and 42 < fra["lat"] < 51
    guf = areas.set_index("location_code").loc[_code("GUF", data_dir)]
    assert guf["has_polygon"] and -55 < guf["lon"] < -51


def test_us_centroid_not_pulled_by_alaska(geo, data_dir):
    # The geographic centre of the contiguous United States is near Lebanon, Kansas, 39 deg 50' N,
    # 98 deg 35' W (U.S. Coast and Geodetic Survey 1918; NGS monument "Geographic Center"). The
    # area-weighted centroid of all 50 states lies near Belle Fourche, South Dakota (44.97 N, 103.77 W).
    usa = geo[0].set_index("location_code").loc[_code("USA", data_dir)]
    km = geography.haversine_km(usa["lon"], usa["lat"], -(98 + 35 / 60), 39 + 50 / 60)
    assert km < 60
    assert geography.haversine_km(usa["lon"], usa["lat"], -103.77, 44.97) > 500
    assert 0.75 < usa["centroid_area_share"] < 0.9  # Alaska (about 17 % of the area) and Hawaii left out


def test_norway_centroid_on_the_mainland_not_pulled_by_svalbard(geo, data_dir):
    import shapely

    nor = geo[0].set_index("location_code").loc[_code("NOR", data_dir)]
    merged = geography._merged_polygons(data_dir)
    parts = shapely.get_parts(merged[_code("NOR", data_dir)])
    mainland = parts[np.argmax(shapely.area(parts))]
    assert shapely.contains(mainland, shapely.Point(nor["lon"], nor["lat"]))
    assert nor["lat"] < 66 and nor["centroid_area_share"] < 0.9  # Svalbard (61,000 of 385,000 km2) left out
    spain = geo[0].set_index("location_code").loc[_code("ESP", data_dir)]
    assert -5 < spain["lon"] < -2 and 39 < spain["lat"] < 41.5  # the Canaries do not pull it south-west


def test_centroid_across_antimeridian(geo, data_dir):
    # Fiji's islands straddle 180 degrees; a naive lon/lat average would land near 0 degrees
    fji = geo[0].set_index("location_code").loc[_code("FJI", data_dir)]
    assert abs(fji["lon"]) > 170 and -20 < fji["lat"] < -15


def test_areas_without_polygon_use_area_points(geo, data_dir):
    areas = geo[0].set_index("location_code")
    points = store.load("area_points", data_dir).set_index("location_code")
    gib = _code("GIB", data_dir)  # no Natural Earth 1:50m polygon of its own
    assert areas.at[gib, "centroid_source"] == "area_points"
    assert areas.at[gib, "lon"] == points.at[gib, "lon"]


def test_distances_symmetric_and_geodesic(geo, data_dir):
    _, pairs = geo
    areas = geo[0].set_index("location_code")
    n = len(areas)
    assert len(pairs) == n * (n - 1)
    d = pairs.set_index(["origin_code", "destination_code"])["distance_km"]
    back = pairs.set_index(["destination_code", "origin_code"])["distance_km"]
    np.testing.assert_allclose(d.sort_index().to_numpy(), back.sort_index().to_numpy(), rtol=1e-9)
    # ellipsoidal (WGS 84) vs spherical distance differ by < 0.6 %
    o, t = pairs["origin_code"], pairs["destination_code"]
    sphere = geography.haversine_km(areas.loc[o, "lon"].to_numpy(), areas.loc[o, "lat"].to_numpy(),
                                    areas.loc[t, "lon"].to_numpy(), areas.loc[t, "lat"].to_numpy())
    np.testing.assert_allclose(pairs["distance_km"].to_numpy(), sphere, rtol=0.006)
    assert (pairs["distance_km"] > 0).all() and pairs["distance_km"].max() < 20_038  # half the meridian


def test_haversine_quarter_circle():
    # equator to pole along a meridian: pi/2 * R
    assert geography.haversine_km(0, 0, 0, 90) == pytest.approx(np.pi / 2 * geography.EARTH_RADIUS_KM)


@pytest.mark.parametrize("a, b, expected", [
    ("FRA", "DEU", True), ("ESP", "PRT", True), ("USA", "CAN", True), ("LSO", "ZAF", True),
    ("SRB", "MKD", True),  # Kosovo's polygon is merged into Serbia
    ("FRA", "GBR", False), ("JPN", "KOR", False), ("FRA", "BRA", False),  # French Guiana is its own area
    # land borders the 1:50m polygons do not draw (geography.LAND_BORDERS_NOT_DRAWN)
    ("ESP", "GIB", True), ("ESP", "MAR", True), ("MYS", "SGP", True),
    ("SAU", "BHR", False),  # King Fahd Causeway: a bridge over the sea, not coded as a land border
])
def test_contiguity_known_borders(geo, data_dir, a, b, expected):
    _, pairs = geo
    p = pairs.set_index(["origin_code", "destination_code"])["contiguous"]
    ca, cb = _code(a, data_dir), _code(b, data_dir)
    assert bool(p[(ca, cb)]) is expected and bool(p[(cb, ca)]) is expected


def test_capital_distance(geo, data_dir):
    # Paris-Berlin between the city centres is about 878 km; Washington-Ottawa about 734 km
    p = geo[1].set_index(["origin_code", "destination_code"])
    assert p.at[(_code("FRA", data_dir), _code("DEU", data_dir)), "distance_capital_km"] == pytest.approx(878, abs=8)
    assert p.at[(_code("USA", data_dir), _code("CAN", data_dir)), "distance_capital_km"] == pytest.approx(734, abs=8)
    areas = geo[0].set_index("location_code")
    assert areas.at[_code("BRA", data_dir), "capital"] == "Brasília"  # GeoNames "Brasilia", matched without accents
    assert areas.at[_code("CHI", data_dir), "capital"] == "Saint Helier"


def test_population_weighted_distance(geo, data_dir):
    pts = geography.city_points(data_dir=data_dir)
    w = pts.groupby("location_code")["weight"].sum()
    np.testing.assert_allclose(w.to_numpy(), 1.0)
    assert set(w.index) == set(geo[0]["location_code"])
    assert (pts.groupby("location_code").size() <= geography.CITIES_PER_AREA).all()
    # Head & Mayer: sum over city pairs of weight_k * weight_l * distance_kl, checked for one pair
    mys, sgp = _code("MYS", data_dir), _code("SGP", data_dir)
    a, b = pts[pts["location_code"] == mys], pts[pts["location_code"] == sgp]
    dkl = geography.haversine_km(a["lon"].to_numpy()[:, None], a["lat"].to_numpy()[:, None],
                                 b["lon"].to_numpy()[None, :], b["lat"].to_numpy()[None, :])
    expected = float((a["weight"].to_numpy()[:, None] * b["weight"].to_numpy()[None, :] * dkl).sum())
    p = geo[1].set_index(["origin_code", "destination_code"])
    assert p.at[(mys, sgp), "distance_population_km"] == pytest.approx(expected, rel=1e-9)
    assert p.at[(sgp, mys), "distance_population_km"] == pytest.approx(expected, rel=1e-9)
    # Malaysia's main-landmass centroid is on Borneo (larger than the peninsula), but most
    # Malaysians live on the peninsula, 300-400 km from Singapore (Kuala Lumpur-Singapore: 316 km)
    assert p.at[(mys, sgp), "distance_centroid_km"] > 1000
    assert 250 < p.at[(mys, sgp), "distance_population_km"] < 500


def test_contiguity_table(data_dir):
    c = geography.contiguity(data_dir=data_dir)
    assert list(c.columns) == ["origin_code", "destination_code"]
    assert set(zip(c["origin_code"], c["destination_code"])) == set(zip(c["destination_code"], c["origin_code"]))


@pytest.mark.parametrize("iso3, expected", [
    ("BLR", True), ("TJK", True), ("AFG", True), ("CHE", True), ("AUT", True), ("LSO", True),
    ("KAZ", True),  # Caspian shores are not ocean coast
    ("POL", False), ("JPN", False), ("NZL", False), ("FRA", False), ("GIB", False),
])
def test_landlocked_known_cases(data_dir, iso3, expected):
    assert bool(geography.landlocked(data_dir=data_dir)[_code(iso3, data_dir)]) is expected


def test_cache_written_and_reused(data_dir, monkeypatch):
    import pyarrow.parquet as pq

    geography.pairs(data_dir=data_dir)
    path = locations.processed_dir(data_dir) / "geography_pairs.parquet"
    meta = pq.read_schema(path).metadata
    assert meta[b"migstats_build_id"].decode() == store.build_id(data_dir)
    geography._MEMO.clear()
    monkeypatch.setattr(geography, "_compute", lambda *a, **k: pytest.fail("recomputed despite a valid cache"))
    assert len(geography.pairs(data_dir=data_dir)) > 0


def test_cache_recomputed_when_outdated(data_dir, monkeypatch):
    folder = locations.processed_dir(data_dir)
    pairs, areas = geography.pairs(data_dir=data_dir), geography.areas(data_dir=data_dir)
    cities = geography.city_points(data_dir=data_dir)
    geography._write_atomic(pairs.head(3), folder / "geography_pairs.parquet", "an-older-build")
    geography._MEMO.clear()
    calls = []
    monkeypatch.setattr(geography, "_compute", lambda *a, **k: calls.append(1) or (pairs, areas, cities))
    assert len(geography.pairs(data_dir=data_dir)) == len(pairs)
    assert calls == [1]
    assert not list(folder.glob(".geography_pairs-*"))  # no temporary file left behind
    geography._MEMO.clear()
    pd.testing.assert_frame_equal(geography.pairs(data_dir=data_dir), pairs)
