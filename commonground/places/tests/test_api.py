from __future__ import annotations

import json

import pytest
from django.test import Client

from commonground.places.lookup import locate
from commonground.places.models import Lsoa

pytestmark = pytest.mark.django_db


def test_lsoas_of_an_authority_need_no_login_and_are_paginated(client: Client) -> None:
    response = client.get("/api/places/lsoas", {"authority": "E06000022"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 115
    assert len(body["items"]) == 100
    assert body["items"][0]["authority"] == "E06000022"
    rest = client.get("/api/places/lsoas", {"authority": "E06000022", "offset": 100}).json()
    codes = {item["code"] for item in body["items"]} | {item["code"] for item in rest["items"]}
    assert len(codes) == 115


def test_lsoa_items_carry_deprivation_and_population(client: Client) -> None:
    item = client.get("/api/places/lsoas", {"authority": "E06000022", "limit": 1000}).json()[
        "items"
    ]
    kingsmead = next(row for row in item if row["code"] == "E01014370")
    assert kingsmead["imd_decile"] == 4
    assert kingsmead["population"] == 1938
    assert kingsmead["ward"] == "E05012471"


def test_unknown_authority_is_a_json_error_with_a_message(client: Client) -> None:
    response = client.get("/api/places/lsoas", {"authority": "E99999999"})
    assert response.status_code == 404
    assert "E99999999" in response.json()["message"]


def test_limit_is_bounded(client: Client) -> None:
    response = client.get("/api/places/lsoas", {"limit": 5000})
    assert response.status_code == 422
    assert "message" in response.json()


def test_lsoa_detail_includes_the_boundary(client: Client) -> None:
    body = client.get("/api/places/lsoas/E01014370").json()
    assert body["boundary"]["type"] in {"Polygon", "MultiPolygon"}
    assert client.get("/api/places/lsoas/E01999999").status_code == 404


def test_point_lookup_finds_the_lsoa_ward_and_authority(client: Client) -> None:
    lsoa = Lsoa.objects.get(code="E01014370")
    found = locate(lsoa.centroid_lon, lsoa.centroid_lat)
    assert found is not None
    assert (found.lsoa_code, found.ward_name, found.authority_code) == (
        "E01014370",
        "Kingsmead",
        "E06000022",
    )
    body = client.get(
        "/api/places/lookup", {"lon": lsoa.centroid_lon, "lat": lsoa.centroid_lat}
    ).json()
    assert body["lsoa_code"] == "E01014370"


def test_point_lookup_agrees_with_every_centroid() -> None:
    for code, lon, lat in Lsoa.objects.exclude(boundary="").values_list(
        "code", "centroid_lon", "centroid_lat"
    ):
        found = locate(lon, lat)
        assert found is not None and found.lsoa_code == code


def test_point_outside_mapped_areas(client: Client) -> None:
    assert locate(-1.5, 53.8) is None  # Leeds: an English LSOA without a loaded boundary
    assert client.get("/api/places/lookup", {"lon": -1.5, "lat": 53.8}).status_code == 404
    assert client.get("/api/places/lookup", {"lon": 40, "lat": 10}).status_code == 422


def test_openapi_schema_lists_the_places_endpoints(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "/api/places/lsoas" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def test_authorities_filter(client: Client) -> None:
    mapped = client.get("/api/places/authorities", {"mapped": "true"}).json()
    assert {a["code"] for a in mapped} == {"E06000022", "E07000041"}
    assert len(client.get("/api/places/authorities").json()) == 317


def test_geojson_for_the_map(client: Client) -> None:
    data = json.loads(client.get("/places/authorities/E06000022/lsoas.geojson").content)
    assert len(data["features"]) == 115
    assert {"code", "imd_decile", "population"} <= set(data["features"][0]["properties"])
