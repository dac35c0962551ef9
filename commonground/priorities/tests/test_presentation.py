"""Themes heard and parameters as the pages show them; the theme hook wired end to end."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from commonground.accounts.models import Role
from commonground.accounts.testing import verified_client
from commonground.places.models import Lsoa

from .. import planning, presentation, views
from ..models import Scenario
from .factories import build_world, people_in
from .support import BANES
from .test_views import PLAN


def test_small_theme_counts_are_suppressed_and_the_largest_come_first() -> None:
    counts = {
        "A": {"Parking": 3, "Litter": 9},
        "B": {"Parking": 1, "Damp homes": 2},
        "C": {"X": 50},
    }
    assert presentation.themes_in(["A", "B"], counts) == [
        ("Litter", "9"),
        ("Parking", "fewer than 5"),
        ("Damp homes", "fewer than 5"),
    ]
    assert presentation.themes_in(["D"], counts) == []


def test_parameters_read_plainly() -> None:
    rows = dict(
        presentation.describe_parameters(
            planning.PlanParameters(
                organisers=4,
                domain_weights={"income": 3.0, "health": 1.0},
                placements="discount",
                covered_multiplier=0.25,
                theme_bonus=0.5,
                themes=("Parking",),
            )
        )
    )
    assert rows["Organisers"] == "4"
    assert (
        rows["Need"]
        == "Weighted domains (exponential scale): Income 75%; Health deprivation and disability 25%"
    )
    assert rows["Areas where an organiser is placed now"] == "Need counted at 25%"
    assert rows["Bonus for themes heard"] == "0.5 (Parking)"


@pytest.mark.django_db
def test_themes_heard_reach_the_form_the_need_and_the_page(monkeypatch: Any) -> None:
    plain = planning.make_plan(
        planning.prepare(
            Lsoa.objects.get(code="E01014370").authority, planning.PlanParameters(organisers=3)
        )
    )
    target = (
        Lsoa.objects.filter(authority__code=BANES, population__range=(1_000, 1_500))
        .exclude(code__in=[code for patch in plain.patches for code in patch.lsoas])
        .order_by("imd_rank")
        .first()
        .code
    )
    heard = {target: {"Damp homes": 40, "Parking": 2}, "E01014371": {"Damp homes": 3}}

    def hook(*, authority_code: str, lsoa_codes: Any = None) -> dict[str, dict[str, int]]:
        return heard if authority_code == BANES else {}

    monkeypatch.setattr(planning, "themes_heard_by_lsoa", hook)
    monkeypatch.setattr(views, "themes_heard_by_lsoa", hook)
    world = build_world("bath", BANES)
    client: Client = verified_client(people_in(world, "bath")[Role.COUNCIL_OFFICER])
    form = client.get("/priorities/").content.decode()
    assert 'value="Damp homes"' in form and "Bonus for themes heard" in form
    response = client.post(
        "/priorities/", {**PLAN, "theme_bonus": "10", "themes": ["Damp homes"], "organisers": "3"}
    )
    assert response.status_code == 302
    scenario = Scenario.objects.get()
    chosen = {code for patch in scenario.results["patches"] for code in patch["lsoas"]}
    assert target in chosen, "a large theme bonus draws the plan to where the theme was heard"
    details = {
        lsoa["code"]: lsoa
        for patch in scenario.results["patches"]
        for lsoa in patch["lsoa_details"]
    }
    assert details[target]["theme_signal"] == 40.0
    page = client.get(scenario.get_absolute_url()).content.decode()
    assert "Damp homes: " in page
