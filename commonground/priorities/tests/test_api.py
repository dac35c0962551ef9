"""Plans and scenarios over the HTTP API, with a token."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from commonground.accounts.models import Role
from commonground.accounts.services import api_token_create

from ..models import Scenario
from .factories import build_world, people_in, saved_scenario
from .support import BANES, EXETER

pytestmark = pytest.mark.django_db


@pytest.fixture
def bath(db: Any) -> dict[str, Any]:
    world = build_world("bath", BANES)
    world["people"] = people_in(world, "bath")
    return world


def bearer(user: Any) -> dict[str, str]:
    _token, key = api_token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_make_a_plan_and_read_it_back(bath: dict[str, Any], client: Client) -> None:
    headers = bearer(bath["people"][Role.COUNCIL_OFFICER])
    response = client.post(
        "/api/priorities/plans",
        {"authority": BANES, "organisers": 5},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "finished" and body["solve_status"] == "optimal"
    assert len(body["patches"]) == 5
    assert body["objective"] == sum(p["need"] for p in body["patches"])
    assert body["spreadsheet_objective"] < body["objective"]
    again = client.get(f"/api/priorities/scenarios/{body['id']}", **headers).json()
    assert again["patches"] == body["patches"]


def test_mistakes_are_refused_with_a_message(bath: dict[str, Any], client: Client) -> None:
    headers = bearer(bath["people"][Role.COUNCIL_OFFICER])
    for payload, message in [
        ({"authority": "E09999999", "organisers": 5}, "no local authority with the code"),
        ({"authority": BANES, "organisers": 80}, "Only 45 disjoint patches"),
        (
            {"authority": BANES, "organisers": 5, "min_population": 3000, "max_population": 10},
            "wrong way round",
        ),
    ]:
        response = client.post(
            "/api/priorities/plans", payload, content_type="application/json", **headers
        )
        assert response.status_code == 422
        assert message in response.json()["message"]
    assert not Scenario.objects.exists()


def test_permissions_follow_the_authority(bath: dict[str, Any], client: Client) -> None:
    officer = bath["people"][Role.COUNCIL_OFFICER]
    assert (
        client.post(
            "/api/priorities/plans",
            {"authority": EXETER, "organisers": 2},
            content_type="application/json",
            **bearer(officer),
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/priorities/plans",
            {"authority": BANES, "organisers": 2},
            content_type="application/json",
            **bearer(bath["people"][Role.ORGANISER]),
        ).status_code
        == 403
    )
    assert client.get("/api/priorities/scenarios").status_code == 401
    scenario = saved_scenario(officer, bath["authority"], "Shared")
    host = bearer(bath["people"][Role.HOST_MANAGER])
    listing = client.get("/api/priorities/scenarios", **host).json()
    assert [item["name"] for item in listing["items"]] == ["Shared"]
    outsider = people_in(build_world("exeter", EXETER), "exeter")[Role.COUNCIL_OFFICER]
    assert client.get("/api/priorities/scenarios", **bearer(outsider)).json()["count"] == 0
    assert (
        client.get(
            f"/api/priorities/scenarios/{scenario.public_id}", **bearer(outsider)
        ).status_code
        == 403
    )


def test_the_endpoints_are_in_the_openapi_schema(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    for path in (
        "/api/priorities/plans",
        "/api/priorities/scenarios",
        "/api/priorities/scenarios/{scenario_id}",
    ):
        assert path in schema["paths"], path
    assert "PlanIn" in schema["components"]["schemas"]
