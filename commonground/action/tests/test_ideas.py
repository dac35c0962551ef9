"""Ideas move along the pipeline with a timeline; savings are totalled by neighbourhood and organiser."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from commonground.accounts.models import Role

from .. import services
from ..models import Idea
from ..selectors import idea_pipeline, savings_totals
from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    world = f.build_world("own")
    world["officer"] = f.member(world, Role.COUNCIL_OFFICER, "council", "officer@example.test")
    world["organiser_user"] = f.member(world, Role.ORGANISER, "host", "organiser@example.test")
    return world


def test_idea_pipeline_with_timeline_and_reasons(world: dict[str, Any]) -> None:
    idea = services.idea_create(
        actor=world["organiser_user"],
        title="Bulky waste day",
        summary="Once a month.",
        service_affected="Waste",
        change="Monthly collection point.",
        council=world["council"],
        response_due_on=timezone.localdate() + timedelta(weeks=8),
        host=world["host"],
    )
    assert idea.status == Idea.Status.IDEA and idea.progress.count() == 1
    with pytest.raises(ValidationError):
        services.idea_move(
            actor=world["officer"], idea=idea, status=Idea.Status.ADOPTED, note="Skip"
        )
    services.idea_move(
        actor=world["officer"], idea=idea, status=Idea.Status.ASSESSED, note="Costed."
    )
    assert idea.responded_on == timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        services.idea_move(
            actor=world["officer"], idea=idea, status=Idea.Status.REJECTED, note="No."
        )
    assert "rejection_reason" in caught.value.message_dict
    services.idea_move(
        actor=world["officer"],
        idea=idea,
        status=Idea.Status.REJECTED,
        note="No.",
        rejection_reason="Too costly.",
    )
    idea.refresh_from_db()
    assert idea.rejection_reason == "Too costly."
    assert list(idea.progress.values_list("status_after", flat=True)) == [
        "idea",
        "assessed",
        "rejected",
    ]


def test_response_due_date(world: dict[str, Any]) -> None:
    late = f.idea(world, response_due_on=timezone.localdate() - timedelta(days=1))
    answered = f.idea(
        world,
        title="Answered",
        status=Idea.Status.APPROVED,
        response_due_on=timezone.localdate() - timedelta(days=1),
    )
    assert late.response_overdue and not answered.response_overdue
    with pytest.raises(ValidationError):
        services.idea_create(
            actor=world["organiser_user"],
            title="x",
            summary="x",
            service_affected="x",
            change="x",
            council=world["council"],
            raised_on=timezone.localdate(),
            response_due_on=timezone.localdate() - timedelta(days=1),
        )


def test_savings_totals_by_neighbourhood_and_organiser(world: dict[str, Any]) -> None:
    f.idea(world, yearly_saving_estimated=Decimal(1000), one_off_cost=Decimal(300))
    f.idea(
        world,
        title="Adopted",
        status=Idea.Status.ADOPTED,
        yearly_saving_estimated=Decimal(500),
        yearly_saving_realised=Decimal(400),
    )
    f.idea(
        world,
        title="Rejected",
        status=Idea.Status.REJECTED,
        rejection_reason="No",
        yearly_saving_estimated=Decimal(9999),
    )
    f.idea(
        world,
        title="Nowhere",
        neighbourhood=None,
        organiser=None,
        yearly_saving_estimated=Decimal(50),
    )
    rows = {r.label: r for r in savings_totals(user=world["officer"], by="neighbourhood")}
    patch = rows[world["neighbourhood"].name]
    assert (patch.ideas, patch.adopted, patch.estimated, patch.realised, patch.one_off_cost) == (
        2,
        1,
        Decimal(1500),
        Decimal(400),
        Decimal(300),
    )
    assert rows["Not linked to a neighbourhood"].estimated == Decimal(50)
    by_organiser = {r.label: r for r in savings_totals(user=world["officer"], by="organiser")}
    assert by_organiser[world["organiser"].full_name].estimated == Decimal(1500)
    outsider = f.member(
        f.build_world("other", lsoa_code=f.EXETER, authority="E07000041"),
        Role.COUNCIL_OFFICER,
        "council",
        "x@example.test",
    )
    assert savings_totals(user=outsider, by="neighbourhood") == []


def test_pipeline_groups_by_status(world: dict[str, Any]) -> None:
    f.idea(world, status=Idea.Status.PILOTING, yearly_saving_estimated=Decimal(10))
    columns = {c.status: c for c in idea_pipeline(user=world["officer"])}
    assert [c for c in columns] == list(Idea.PIPELINE)
    assert len(columns[Idea.Status.PILOTING].ideas) == 1
    assert columns[Idea.Status.PILOTING].estimated == Decimal(10)


def test_idea_pages(world: dict[str, Any], signed_in: Callable[..., Client]) -> None:
    idea = f.idea(world)
    client = signed_in(world["officer"])
    response = client.post(
        f"/action/ideas/{idea.public_id}/move/",
        {"status": "assessed", "note": "Looked at the costs."},
    )
    assert response.status_code == 302
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Looked at the costs." in page
    assert "Savings" in client.get("/action/ideas/savings/").content.decode()
    assert client.get("/action/ideas/pipeline/").status_code == 200
