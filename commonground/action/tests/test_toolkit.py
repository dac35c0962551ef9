"""The toolkit: written in the site, tagged, searchable, open to read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from commonground.accounts.models import Role
from commonground.insight.models import Theme

from .. import services
from ..models import AreaType, ToolkitEntry, area_type_of_rural_urban_code
from ..selectors import toolkit_search
from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(db: Any) -> dict[str, ToolkitEntry]:
    buses = f.ThemeFactory(slug="t-buses", name="Buses")
    youth = f.ThemeFactory(slug="t-youth", name="Youth")
    return {
        "bus": services.toolkit_entry_create(
            actor=None,
            title="Getting a bus route back",
            kind=ToolkitEntry.Kind.HOW_TO,
            summary="Evidence the need and talk to the operator.",
            body="Count the passengers who would travel on the evening journeys.",
            themes=[buses],
            area_types=[AreaType.VILLAGE],
        ),
        "youth": services.toolkit_entry_create(
            actor=None,
            title="Reopening a youth club",
            kind=ToolkitEntry.Kind.CASE_STUDY,
            summary="Volunteers and a church hall.",
            body="Young people chose the activities; a bus timetable was pinned by the door.",
            themes=[youth],
            area_types=[AreaType.TOWN_FRINGE, AreaType.VILLAGE],
        ),
        "draft": services.toolkit_entry_create(
            actor=None,
            title="Bus draft",
            kind=ToolkitEntry.Kind.HOW_TO,
            summary="Not ready.",
            body="Buses.",
            is_published=False,
        ),
    }


def titles(queryset: Any) -> list[str]:
    return [entry.title for entry in queryset]


def test_search_ranks_title_matches_first_and_hides_drafts(
    entries: dict[str, ToolkitEntry],
) -> None:
    assert titles(toolkit_search(query="bus")) == [
        "Getting a bus route back",
        "Reopening a youth club",
    ]
    assert titles(toolkit_search(query="youth hall")) == ["Reopening a youth club"]
    assert titles(toolkit_search(query="tramway")) == []


def test_search_by_theme_area_type_and_kind(entries: dict[str, ToolkitEntry]) -> None:
    assert titles(toolkit_search(theme=Theme.objects.get(slug="t-youth"))) == [
        "Reopening a youth club"
    ]
    assert titles(toolkit_search(area_type=AreaType.VILLAGE)) == [
        "Getting a bus route back",
        "Reopening a youth club",
    ]
    assert titles(toolkit_search(area_type=AreaType.TOWN_FRINGE)) == ["Reopening a youth club"]
    assert titles(toolkit_search(kind=ToolkitEntry.Kind.CASE_STUDY)) == ["Reopening a youth club"]


def test_stemming_on_postgresql_and_words_anywhere_elsewhere(
    entries: dict[str, ToolkitEntry],
) -> None:
    """ "passengers travelling" finds the bus guide: by stem on PostgreSQL, by substring elsewhere."""
    from django.db import connection

    query = "passengers travel" if connection.vendor != "postgresql" else "passenger travelling"
    assert titles(toolkit_search(query=query)) == ["Getting a bus route back"]


def test_area_types_from_the_rural_urban_classification() -> None:
    assert area_type_of_rural_urban_code("C1") == AreaType.CITY_TOWN
    assert area_type_of_rural_urban_code("E2") == AreaType.VILLAGE
    assert area_type_of_rural_urban_code("D1") == AreaType.TOWN_FRINGE
    assert area_type_of_rural_urban_code("") is None


def test_anyone_may_read_published_entries_without_signing_in(
    client: Client, entries: dict[str, ToolkitEntry]
) -> None:
    page = client.get("/action/toolkit/?q=bus").content.decode()
    assert "Getting a bus route back" in page and "Bus draft" not in page
    assert client.get(entries["bus"].get_absolute_url()).status_code == 200
    assert client.get(entries["draft"].get_absolute_url()).status_code == 404


def test_writing_an_entry_in_the_site(db: Any, signed_in: Callable[..., Client]) -> None:
    world = f.build_world("own")
    organiser = f.member(world, Role.ORGANISER, "host", "organiser@example.test")
    client = signed_in(organiser)
    response = client.post(
        "/action/toolkit/new/",
        {
            "title": "Litter picks that last",
            "kind": "how_to",
            "summary": "Keep a monthly date.",
            "body": "First paragraph.\n\nSecond paragraph.",
            "area_types": ["city_town"],
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    entry = ToolkitEntry.objects.get(title="Litter picks that last")
    assert entry.author == organiser and entry.organisation == world["host"]
    assert entry.area_types == ["city_town"]
    page = client.get(entry.get_absolute_url()).content.decode()
    assert page.count('<p class="govuk-body">First paragraph.</p>') == 1
    councillor = f.member(world, Role.COUNCILLOR, "council", "cllr@example.test")
    client.logout()
    assert signed_in(councillor).get(f"/action/toolkit/{entry.slug}/edit/").status_code == 403
