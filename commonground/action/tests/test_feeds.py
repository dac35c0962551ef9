"""The Open Referral (HSDS 3) feed validates against the published schemas; the calendar is RFC 5545."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .. import ical
from ..models import GroupActivity, Meeting
from . import factories as f

pytestmark = pytest.mark.django_db

SCHEMAS = Path(settings.BASE_DIR) / "data" / "standards" / "hsds_openreferral" / "schema"
BASE = "https://hsds.test/"


def validator(name: str) -> Draft202012Validator:
    """A validator for one HSDS object schema, resolving its references to the sibling files."""
    resources = []
    for path in SCHEMAS.glob("*.json"):
        if path.name == "openapi.json":
            continue
        contents = json.loads(path.read_text())
        resources.append(
            (BASE + path.name, Resource.from_contents(contents, default_specification=DRAFT202012))
        )
    registry = Registry().with_resources(resources)
    schema = {"$ref": BASE + f"{name}.json"}
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def problems(name: str, instance: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(instance)]


@pytest.fixture
def published(db: Any) -> dict[str, Any]:
    world = f.build_world("own")
    group = f.group(
        world,
        is_published=True,
        email="larder@groups.example.test",
        website="https://larder.example.test",
    )
    GroupActivity.objects.create(
        group=group,
        name="Community larder",
        description="Pay what you can.",
        is_service=True,
        schedule="Tuesdays 10:00 to 13:00",
        venue="Community hub",
        address="4 Demo Road",
        town="Bath",
        postcode="BA2 9ZZ",
    )
    GroupActivity.objects.create(group=group, name="Committee meeting", is_service=False)
    hidden = f.group(world, name="Private", slug="private")
    GroupActivity.objects.create(group=hidden, name="Secret service", is_service=True)
    return {"world": world, "group": group}


def test_services_validate_against_the_hsds_schema(
    client: Client, published: dict[str, Any]
) -> None:
    page = client.get("/action/openreferral/services").json()
    assert page["total_items"] == 1 and page["first_page"] and page["last_page"]
    assert [s["name"] for s in page["contents"]] == ["Community larder"]
    service = page["contents"][0]
    assert problems("service", service) == []
    assert service["organization"]["id"] == str(published["group"].public_id)
    assert (
        service["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "BA2 9ZZ"
    )
    detail = client.get(f"/action/openreferral/services/{service['id']}").json()
    assert problems("service", detail) == []
    assert detail == service


def test_organizations_validate_and_hide_unpublished_groups(
    client: Client, published: dict[str, Any]
) -> None:
    page = client.get("/action/openreferral/organizations").json()
    assert [o["name"] for o in page["contents"]] == [published["group"].name]
    for organization in page["contents"]:
        assert problems("organization", organization) == []
    detail = client.get(f"/action/openreferral/organizations/{published['group'].public_id}").json()
    assert problems("organization", {k: v for k, v in detail.items() if k != "services"}) == []
    assert [s["name"] for s in detail["services"]] == ["Community larder"]
    for service in detail["services"]:
        assert problems("service", service) == []
    assert client.get("/action/openreferral/organizations/not-a-uuid").status_code == 404


def test_a_broken_record_would_fail_the_schema() -> None:
    """The check can fail: a service without its required status is refused."""
    assert problems("service", {"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x"})


def test_the_feed_names_nobody(client: Client, published: dict[str, Any]) -> None:
    resident = f.resident(published["world"]["host"], name="Wren Saltmarsh")
    from ..models import Involvement

    Involvement.objects.create(
        group=published["group"],
        resident=resident,
        started_on=timezone.localdate(),
        consent_given_on=timezone.localdate(),
    )
    text = client.get("/action/openreferral/services").content.decode()
    assert "Wren" not in text and "wren@example.test" not in text


def test_calendar_feed(client: Client, db: Any) -> None:
    world = f.build_world("own")
    forum = f.forum(world, name="Somer Valley Cluster, with commas; and more")
    start = timezone.now() + timedelta(days=10)
    meeting = Meeting.objects.create(
        forum=forum, starts_at=start, ends_at=start + timedelta(hours=2), place="Hall, Radstock"
    )
    response = client.get(f"/action/forums/{forum.slug}/meetings.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith(
        "END:VCALENDAR\r\n"
    )
    assert f"UID:{meeting.public_id}@commonground" in text
    assert "LOCATION:Hall\\, Radstock" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    forum.is_public = False
    forum.save()
    assert client.get(f"/action/forums/{forum.slug}/meetings.ics").status_code == 404


def test_ical_folding_keeps_characters_whole() -> None:
    line = "SUMMARY:" + "Ŵ" * 60
    folded = ical.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
