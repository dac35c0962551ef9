"""Open311 GeoReport v2, checked against the examples in the specification.

The examples (copied from the specification into ``open311_examples/``) fix the element names, their
order, the nesting and the error format; each test compares a response of ours with one of them.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from commonground.accounts.models import Role
from commonground.accounts.services import api_token_create

from ..models import Matter
from . import factories as f

EXAMPLES = Path(__file__).resolve().parent / "open311_examples"
W3_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")

pytestmark = pytest.mark.django_db


def example_xml(name: str) -> ElementTree.Element:
    return ElementTree.fromstring((EXAMPLES / name).read_bytes())


def example_json(name: str) -> Any:
    """Read an example as published, mending its leading-zero numbers (001) into strings."""
    text = (EXAMPLES / name).read_text()
    text = re.sub(r":\s*(0\d+)(\s*[,}\n])", r':"\1"\2', text)
    return json.loads(text)


def tags(element: ElementTree.Element) -> list[str]:
    return [child.tag for child in element]


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    world = f.build_world("own")
    world["officer"] = f.member(world, Role.COUNCIL_OFFICER, "council", "officer@example.test")
    f.default_owner(world, world["officer"])
    world["category"] = f.MatterCategoryFactory(
        service_code="fly-tipping", target_days=5, group="Streets", keywords="dumping, rubbish"
    )
    world["matter"] = f.matter(world, category=world["category"], public_note="Cleared.")
    world["closed"] = f.matter(
        world,
        category=world["category"],
        title="Lights out",
        status=Matter.Status.RESOLVED,
        raised_at=timezone.now() - timedelta(days=10),
    )
    return world


def xml(client: Client, url: str, **params: Any) -> tuple[Any, ElementTree.Element]:
    response = client.get(url, params)
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return response, ElementTree.fromstring(response.content)


def test_service_list_matches_the_example(client: Client, world: dict[str, Any]) -> None:
    _response, root = xml(client, "/open311/v2/services.xml")
    spec = example_xml("get_service_list.xml")
    assert root.tag == spec.tag == "services"
    service = root.find("service")
    assert tags(service) == tags(spec[0])  # same fields in the same order as the first example
    assert service.findtext("service_code") == "fly-tipping"
    assert service.findtext("metadata") in {"true", "false"}
    assert service.findtext("type") == "realtime"
    assert service.findtext("group") == "Streets"

    response = client.get("/open311/v2/services.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    rows = response.json()
    assert list(rows[0]) == list(
        example_json("get_service_list_as_published_not_strict_json.json")[0]
    )
    assert rows[0]["metadata"] is False


def test_service_definition_matches_the_example(client: Client, world: dict[str, Any]) -> None:
    _response, root = xml(client, "/open311/v2/services/fly-tipping.xml")
    spec = example_xml("get_service_definition.xml")
    assert root.tag == spec.tag and tags(root) == tags(spec)
    body = client.get("/open311/v2/services/fly-tipping.json").json()
    assert list(body) == list(example_json("get_service_definition.json"))
    assert body == {"service_code": "fly-tipping", "attributes": []}


def test_requests_match_the_example_field_by_field(client: Client, world: dict[str, Any]) -> None:
    _response, root = xml(client, "/open311/v2/requests.xml")
    spec = example_xml("get_service_requests.xml")
    assert root.tag == spec.tag == "service_requests"
    assert len(root) == 2
    for request in root:
        assert request.tag == "request"
        assert tags(request) == tags(spec[0])
        assert request.findtext("status") in {"open", "closed"}
        for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
            assert W3_DATETIME.match(request.findtext(name)), name
    by_id = {r.findtext("service_request_id"): r for r in root}
    matter = by_id[str(world["matter"].public_id)]
    assert matter.findtext("status") == "open"
    assert matter.findtext("status_notes") == "Cleared."
    assert matter.findtext("agency_responsible") == world["partner"].name
    assert float(matter.findtext("lat")) == pytest.approx(world["lsoa"].centroid_lat, abs=1e-3)
    assert by_id[str(world["closed"].public_id)].findtext("status") == "closed"

    rows = client.get("/open311/v2/requests.json").json()
    spec_rows = example_json("get_service_requests_as_published_not_strict_json.json")
    assert [list(row) for row in rows] == [list(spec_rows[0])] * 2


def test_one_request_matches_the_example(client: Client, world: dict[str, Any]) -> None:
    public_id = world["matter"].public_id
    _response, root = xml(client, f"/open311/v2/requests/{public_id}.xml")
    spec = example_xml("get_service_request.xml")
    assert root.tag == spec.tag and len(root) == 1 and tags(root[0]) == tags(spec[0])
    rows = client.get(f"/open311/v2/requests/{public_id}.json").json()
    assert len(rows) == 1
    assert list(rows[0]) == list(
        example_json("get_service_request_as_published_not_strict_json.json")[0]
    )
    assert rows[0]["service_request_id"] == str(public_id)


def test_unpublished_matters_are_not_listed(client: Client, world: dict[str, Any]) -> None:
    hidden = f.matter(world, category=world["category"], title="Private", is_public=False)
    ids = [r["service_request_id"] for r in client.get("/open311/v2/requests.json").json()]
    assert str(hidden.public_id) not in ids
    assert client.get(f"/open311/v2/requests/{hidden.public_id}.json").status_code == 404


def test_filters(client: Client, world: dict[str, Any]) -> None:
    other = f.MatterCategoryFactory(service_code="street-lights")
    lights = f.matter(world, category=other, title="Lamp")
    old = f.matter(
        world,
        category=world["category"],
        title="Old",
        raised_at=timezone.now() - timedelta(days=200),
    )

    def ids(**params: Any) -> set[str]:
        return {
            r["service_request_id"] for r in client.get("/open311/v2/requests.json", params).json()
        }

    assert ids() == {
        str(world["matter"].public_id),
        str(world["closed"].public_id),
        str(lights.public_id),
    }
    assert ids(service_code="street-lights") == {str(lights.public_id)}
    assert ids(service_code="street-lights,fly-tipping", status="closed") == {
        str(world["closed"].public_id)
    }
    assert ids(status="open") == {str(world["matter"].public_id), str(lights.public_id)}
    start = (timezone.now() - timedelta(days=220)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (timezone.now() - timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(start_date=start, end_date=end) == {str(old.public_id)}
    # service_request_id overrides every other argument.
    assert ids(service_request_id=f"{old.public_id},{lights.public_id}", status="closed") == {
        str(old.public_id),
        str(lights.public_id),
    }


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
        ({"status": "pending"}, "status"),
    ],
)
def test_bad_arguments_get_errors_in_the_spec_format(
    client: Client, world: dict[str, Any], params: dict[str, str], message: str
) -> None:
    response = client.get("/open311/v2/requests.xml", params)
    assert response.status_code == 400
    root = ElementTree.fromstring(response.content)
    assert root.tag == "errors" and tags(root[0]) == ["code", "description"]
    assert root[0].findtext("code") == "400" and message in root[0].findtext("description")
    body = client.get("/open311/v2/requests.json", params).json()
    assert body[0]["code"] == 400 and list(body[0]) == ["code", "description"]


def test_not_found_and_bad_urls(client: Client, world: dict[str, Any]) -> None:
    assert client.get("/open311/v2/services/no-such-thing.xml").status_code == 404
    assert client.get("/open311/v2/requests/12345.json").status_code == 404
    assert client.get("/open311/v2/tokens/12345.json").status_code == 404
    bad_format = client.get("/open311/v2/services.csv")
    assert bad_format.status_code == 400 and b"<errors>" in bad_format.content
    assert client.get("/open311/v2/nonsense").status_code == 400


def _post(client: Client, fmt: str = "xml", **data: Any) -> Any:
    return client.post(f"/open311/v2/requests.{fmt}", data)


def test_post_needs_a_valid_api_key(client: Client, world: dict[str, Any]) -> None:
    point = {
        "service_code": "fly-tipping",
        "lat": world["lsoa"].centroid_lat,
        "long": world["lsoa"].centroid_lon,
    }
    for data in (point, {**point, "api_key": "wrong"}):
        response = _post(client, **data)
        assert response.status_code == 403
        root = ElementTree.fromstring(response.content)
        spec = ElementTree.fromstring(
            b'<?xml version="1.0" encoding="utf-8"?><errors><error><code>403</code>'
            b"<description>x</description></error></errors>"
        )
        assert tags(root) == tags(spec) and tags(root[0]) == tags(spec[0])
        assert root[0].findtext("code") == "403"
    councillor = f.member(world, Role.COUNCILLOR, "council", "cllr@example.test")
    _token, key = api_token_create(actor=councillor, name="tool")
    assert _post(client, **point, api_key=key).status_code == 403
    assert Matter.objects.filter(source=Matter.Source.OPEN311).count() == 0


def test_post_creates_a_routed_matter_and_answers_like_the_example(
    client: Client, world: dict[str, Any]
) -> None:
    _token, key = api_token_create(actor=world["officer"], name="Reporting tool")
    response = _post(
        client,
        api_key=key,
        service_code="fly-tipping",
        lat=world["lsoa"].centroid_lat,
        long=world["lsoa"].centroid_lon,
        address_string="Back lane by the garages",
        description="A sofa and bags.",
        email="reporter@example.test",
        first_name="Wren",
        last_name="Saltmarsh",
        phone="07700900000",
        **{"attribute[WHISPAWN]": "123"},
    )
    assert response.status_code == 200, response.content
    root = ElementTree.fromstring(response.content)
    spec = example_xml("post_service_request.xml")
    assert root.tag == spec.tag and tags(root[0]) == tags(spec[0])
    matter = Matter.objects.get(public_id=root[0].findtext("service_request_id"))
    assert matter.source == Matter.Source.OPEN311 and matter.outside_reports == 1
    assert matter.lsoa == world["lsoa"] and matter.neighbourhood == world["neighbourhood"]
    assert matter.routed_to == world["council"] and matter.routed_by_default
    assert "Sent to" in root[0].findtext("service_notice")
    stored = " ".join(str(v) for v in Matter.objects.filter(pk=matter.pk).values().first().values())
    for personal in ("reporter@example.test", "Wren", "Saltmarsh", "07700900000"):
        assert personal not in stored

    body = _post(
        client,
        "json",
        api_key=key,
        service_code="fly-tipping",
        address_string="Another lane",
    ).json()
    assert list(body[0]) == list(example_json("post_service_request.json")[0])
    assert body[0]["account_id"] is None


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({}, 400),
        ({"service_code": "nope", "address_string": "x"}, 404),
        ({"service_code": "fly-tipping"}, 400),
        ({"service_code": "fly-tipping", "lat": "51.1"}, 400),
        ({"service_code": "fly-tipping", "lat": "abc", "long": "1"}, 400),
        ({"service_code": "fly-tipping", "lat": "55.95", "long": "-3.19"}, 400),
        ({"service_code": "fly-tipping", "address_string": "x", "description": "a" * 4001}, 400),
    ],
)
def test_post_refuses_bad_requests_and_keeps_nothing(
    client: Client, world: dict[str, Any], data: dict[str, str], status: int
) -> None:
    _token, key = api_token_create(actor=world["officer"], name="Reporting tool")
    response = _post(client, "json", api_key=key, **data)
    assert response.status_code == status
    assert response.json()[0]["code"] == status
    assert Matter.objects.filter(source=Matter.Source.OPEN311).count() == 0


def test_discovery(client: Client, world: dict[str, Any]) -> None:
    body = client.get("/open311/v2/discovery.json").json()
    assert body["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert "application/json" in body["endpoints"][0]["formats"]


@pytest.mark.urls("commonground.urls")
def test_the_project_mounts_open311_at_open311_v2() -> None:
    """Passes once commonground/urls.py has
    path("open311/v2/", include("commonground.action.open311_urls"))."""
    assert resolve("/open311/v2/services.xml").func.__name__ == "service_list"
