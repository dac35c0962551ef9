"""Forum meetings with agendas drafted from evidence, actions carried forward, plans and reports."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from commonground.accounts.models import Role

from .. import services
from ..evidence import ThemeTrend, register_area_theme_evidence, unregister_area_theme_evidence
from ..models import ActionPlan, AgendaItem, ForumAction, Matter, Meeting
from ..reports import half_year_containing, half_years_since, plan_progress_report
from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    world = f.build_world("own")
    world["officer"] = f.member(world, Role.COUNCIL_OFFICER, "council", "officer@example.test")
    world["forum"] = f.forum(world)
    return world


def _meeting(world: dict[str, Any], days: int = 14) -> Meeting:
    start = timezone.now() + timedelta(days=days)
    return services.meeting_create(
        actor=world["officer"],
        forum=world["forum"],
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Hall",
    )


def test_draft_agenda_is_built_from_the_areas_evidence(world: dict[str, Any]) -> None:
    category = f.MatterCategoryFactory()
    overdue = f.matter(
        world,
        category=category,
        title="Dark footpath",
        raised_at=timezone.now() - timedelta(days=30),
    )
    f.matter(world, category=category, title="Fixed already", status=Matter.Status.RESOLVED)
    f.project(world, needs_help=True, help_wanted="Two volunteers for Thursdays")
    ForumAction.objects.create(
        forum=world["forum"],
        description="Map empty halls",
        owner="Parish",
        due_on=timezone.localdate() - timedelta(days=3),
    )
    meeting = _meeting(world)
    items = {item.kind: item for item in meeting.agenda_items.all()}
    assert all(item.drafted_from_evidence for item in items.values())
    assert "Map empty halls" in items[AgendaItem.Kind.ACTIONS].body
    assert "overdue" in items[AgendaItem.Kind.ACTIONS].body
    assert (
        overdue.title in items[AgendaItem.Kind.MATTERS].body
        and "overdue" in items[AgendaItem.Kind.MATTERS].body
    )
    assert "Fixed already" not in items[AgendaItem.Kind.MATTERS].body
    assert "Two volunteers" in items[AgendaItem.Kind.PROJECTS].body
    assert "not available" in items[AgendaItem.Kind.THEMES].body


def test_theme_evidence_reaches_the_agenda_through_the_hook(world: dict[str, Any]) -> None:
    seen: dict[str, Any] = {}

    def provider(lsoa_ids: Collection[int], since: date, until: date) -> list[ThemeTrend]:
        seen["lsoas"] = set(lsoa_ids)
        return [ThemeTrend("Fly-tipping", 12, previous=5), ThemeTrend("Buses", 3, previous=4)]

    register_area_theme_evidence(provider)
    try:
        meeting = _meeting(world)
    finally:
        unregister_area_theme_evidence(provider)
    body = meeting.agenda_items.get(kind=AgendaItem.Kind.THEMES).body
    assert "Fly-tipping: 12 residents" in body and "(rising)" in body
    assert "Buses: fewer than 5 residents" in body  # suppressed under 5
    assert seen["lsoas"] == {world["lsoa"].pk}


def test_actions_are_carried_forward_until_done(world: dict[str, Any]) -> None:
    first = _meeting(world, days=-30)
    action = services.forum_action_add(
        actor=world["officer"],
        forum=world["forum"],
        description="Fix the gate",
        owner="Housing",
        due_on=timezone.localdate() + timedelta(days=10),
        raised_at=first,
    )
    second = _meeting(world, days=10)
    assert "Fix the gate" in second.agenda_items.get(kind=AgendaItem.Kind.ACTIONS).body
    services.forum_action_update(
        actor=world["officer"], action=action, status=ForumAction.Status.DONE
    )
    assert action.done_on == timezone.localdate()
    services.meeting_redraft_agenda(actor=world["officer"], meeting=second)
    assert "Fix the gate" not in second.agenda_items.get(kind=AgendaItem.Kind.ACTIONS).body


def test_redrafting_keeps_items_added_by_hand_and_publishing_freezes_it(
    world: dict[str, Any],
) -> None:
    meeting = _meeting(world)
    services.agenda_item_add(actor=world["officer"], meeting=meeting, title="Library opening hours")
    services.meeting_redraft_agenda(actor=world["officer"], meeting=meeting)
    titles = list(meeting.agenda_items.values_list("title", flat=True))
    assert titles.count("Library opening hours") == 1 and titles[-1] == "Library opening hours"
    services.meeting_publish_agenda(actor=world["officer"], meeting=meeting)
    with pytest.raises(ValidationError):
        services.meeting_redraft_agenda(actor=world["officer"], meeting=meeting)
    services.meeting_record_minutes(actor=world["officer"], meeting=meeting, minutes="Agreed.")
    assert meeting.status == Meeting.Status.HELD


def test_half_years_follow_the_financial_year() -> None:
    assert half_year_containing(date(2026, 5, 1)).key == "2026-04"
    assert half_year_containing(date(2026, 11, 1)).key == "2026-10"
    assert half_year_containing(date(2027, 2, 1)).key == "2026-10"
    keys = [p.key for p in half_years_since(date(2025, 6, 1), until=date(2026, 11, 24))]
    assert keys == ["2025-04", "2025-10", "2026-04", "2026-10"]


def test_six_monthly_report_uses_the_status_at_the_end_of_the_period(world: dict[str, Any]) -> None:
    plan = ActionPlan.objects.create(title="Plan", forum=world["forum"], starts_on=date(2025, 4, 1))
    item = services.action_plan_item_add(
        actor=world["officer"],
        plan=plan,
        title="Youth club",
        owner="Youth service",
        due_on=date(2025, 9, 1),
    )
    type(item).objects.filter(pk=item.pk).update(
        created_at=timezone.make_aware(timezone.datetime(2025, 4, 2))
    )
    item.refresh_from_db()
    services.action_plan_item_progress(
        actor=world["officer"],
        item=item,
        status="on_track",
        note="Hall found.",
        on=date(2025, 5, 1),
    )
    services.action_plan_item_progress(
        actor=world["officer"], item=item, status="done", note="Opened.", on=date(2025, 11, 1)
    )
    first = plan_progress_report(plan, half_year_containing(date(2025, 5, 1)))
    second = plan_progress_report(plan, half_year_containing(date(2025, 11, 1)))
    assert first["rows"][0].status_at_end == "on_track" and first["overdue"] == 1
    assert [u.note for u in first["rows"][0].updates] == ["Hall found."]
    assert second["rows"][0].status_at_end == "done" and second["done_in_period"] == 1
    assert second["overdue"] == 0
    with pytest.raises(ValidationError):
        services.action_plan_item_progress(
            actor=world["officer"], item=item, status="done", note=" "
        )


def test_meeting_pages_for_those_who_run_the_forum(
    world: dict[str, Any], signed_in: Callable[..., Client]
) -> None:
    client = signed_in(world["officer"])
    response = client.post(
        f"/action/forums/{world['forum'].slug}/meetings/new/",
        {"starts_at": "2030-03-04T18:30", "ends_at": "2030-03-04T20:00", "place": "Hall"},
    )
    assert response.status_code == 302
    meeting = world["forum"].meetings.get()
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "What residents are raising" in page and "from evidence" in page
    bad = client.post(
        f"/action/forums/{world['forum'].slug}/meetings/new/",
        {"starts_at": "2030-03-04T18:30", "ends_at": "2030-03-04T17:00", "place": "Hall"},
    )
    assert "must end after it starts" in bad.content.decode()
    councillor = f.member(world, Role.COUNCILLOR, "council", "cllr@example.test")
    client.logout()
    assert (
        signed_in(councillor).get(f"/action/forums/{world['forum'].slug}/meetings/new/").status_code
        == 403
    )
