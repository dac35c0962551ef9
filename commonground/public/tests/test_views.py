"""You said, we did: open to anyone, without JavaScript, counts suppressed under 5, nobody named."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from commonground.action.evidence import (
    ThemeTrend,
    register_area_theme_evidence,
    unregister_area_theme_evidence,
)
from commonground.action.models import Idea, Matter, Project, VolunteerTime
from commonground.action.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    world = f.build_world("own")
    wren = f.resident(world["host"], name="Wren Saltmarsh")
    tipping = f.MatterCategoryFactory(theme=f.ThemeFactory(name="Fly-tipping"))
    lights = f.MatterCategoryFactory(theme=f.ThemeFactory(name="Street lights"))
    # Six residents raised fly-tipping (Wren twice, five anonymous conversations); two raised lights.
    f.matter(
        world,
        category=tipping,
        title="Fly-tipping behind the shops",
        status=Matter.Status.RESOLVED,
        public_note="Cleared and a camera installed.",
        conversations=[
            f.conversation(organiser=world["organiser"], resident=wren),
            f.conversation(organiser=world["organiser"], resident=wren),
            *[f.conversation(organiser=world["organiser"]) for _ in range(3)],
        ],
    )
    f.matter(
        world,
        category=tipping,
        title="Mattresses by the garages",
        conversations=[f.conversation(organiser=world["organiser"]) for _ in range(2)],
        public_note="Collection booked.",
    )
    f.matter(
        world,
        category=lights,
        title="Dark footpath",
        conversations=[f.conversation(organiser=world["organiser"]) for _ in range(2)],
    )
    f.matter(
        world,
        category=lights,
        title="Not for publication",
        is_public=False,
        status=Matter.Status.RESOLVED,
    )
    project = f.project(world, title="Proud of Your Doorstep", slug="doorstep")
    VolunteerTime.objects.create(
        project=project, worked_on=date(2026, 10, 3), volunteers=8, hours=Decimal(16)
    )
    f.project(world, title="Hidden project", slug="hidden", is_public=False)
    f.idea(
        world,
        title="Bulky waste day",
        status=Idea.Status.ADOPTED,
        change="A monthly collection point.",
    )
    f.idea(world, title="Still an idea", status=Idea.Status.IDEA)
    return world


def test_page_for_anyone_with_suppressed_counts_and_no_names(
    client: Client, world: dict[str, Any]
) -> None:
    response = client.get(f"/public/neighbourhoods/{world['neighbourhood'].slug}/")
    assert response.status_code == 200
    page = response.content.decode()
    themes = page[page.index('id="themes"') : page.index("</table>", page.index('id="themes"'))]
    assert (
        "Fly-tipping" in themes
        and '<td class="govuk-table__cell govuk-table__cell--numeric">6</td>' in themes
    )
    assert "Street lights" in themes and "fewer than 5" in themes
    assert "Cleared and a camera installed." in page  # what was done
    assert "Dark footpath" in page and "Mattresses by the garages" in page  # being worked on
    assert "Proud of Your Doorstep" in page and "16 hours given by volunteers" in page
    assert "Bulky waste day" in page and "Still an idea" not in page
    for hidden in ("Not for publication", "Hidden project"):
        assert hidden not in page
    for personal in ("Wren", "Saltmarsh", "wren@example.test", world["organiser"].full_name):
        assert personal not in page
    assert "<script>" not in page.replace('<script type="module"', "")


def test_theme_evidence_from_insight_is_used_when_provided(
    client: Client, world: dict[str, Any]
) -> None:
    def provider(lsoa_ids: Collection[int], since: date, until: date) -> list[ThemeTrend]:
        return [ThemeTrend("Loneliness and isolation", 14), ThemeTrend("Youth provision", 2)]

    register_area_theme_evidence(provider)
    try:
        page = client.get(f"/public/neighbourhoods/{world['neighbourhood'].slug}/").content.decode()
    finally:
        unregister_area_theme_evidence(provider)
    assert "Loneliness and isolation" in page and ">14<" in page
    assert "Youth provision" in page and "fewer than 5" in page


def test_index_lists_neighbourhoods(client: Client, world: dict[str, Any]) -> None:
    page = client.get("/public/").content.decode()
    assert f"/public/neighbourhoods/{world['neighbourhood'].slug}/" in page
    assert client.get("/public/neighbourhoods/no-such-place/").status_code == 404


def test_page_takes_a_fixed_number_of_queries(
    client: Client, world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for n in range(20):
        f.project(world, title=f"Project {n}", slug=f"project-{n}")
    with django_assert_max_num_queries(14):
        assert (
            client.get(f"/public/neighbourhoods/{world['neighbourhood'].slug}/").status_code == 200
        )
    assert Project.objects.count() == 22


def test_page_links_to_the_other_public_pages_and_each_opens_for_anyone(
    client: Client, world: dict[str, Any]
) -> None:
    slug = world["neighbourhood"].slug
    page = client.get(f"/public/neighbourhoods/{slug}/").content.decode()
    for url in (
        f"/insight/neighbourhoods/{slug}/what-we-heard/",
        f"/places/neighbourhoods/{slug}/",
        "/action/toolkit/",
        "/impact/open-data/",
    ):
        assert f'href="{url}"' in page
        assert client.get(url).status_code == 200, url
