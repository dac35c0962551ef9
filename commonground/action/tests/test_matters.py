"""Raising, routing, acting on and merging matters; duplicates; counting residents; e-mail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from commonground.accounts.models import Role
from commonground.core.models import AuditEvent
from commonground.places.models import Lsoa

from .. import services
from ..models import Matter, MatterUpdate, RoutingRule
from ..routing import Place, choose_route
from ..selectors import possible_duplicates_of, residents_raised
from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    world = f.build_world("own")
    world["officer"] = f.member(world, Role.COUNCIL_OFFICER, "council", "officer@example.test")
    world["police"] = f.member(world, Role.PARTNER_OFFICER, "partner", "pc@example.test")
    world["organiser_user"] = f.member(world, Role.ORGANISER, "host", "organiser@example.test")
    f.default_owner(world, world["officer"])
    world["category"] = f.MatterCategoryFactory(target_days=5)
    return world


def _rule(world: dict[str, Any], **fields: Any) -> RoutingRule:
    values = {"council": world["council"], "partner": world["partner"], "team": "Team"}
    values.update(fields)
    return RoutingRule.objects.create(**values)


def _place(world: dict[str, Any]) -> Place:
    return Place.of(lsoa=world["lsoa"], neighbourhood=world["neighbourhood"])


# --- routing ------------------------------------------------------------------------------------


def test_no_rule_goes_to_the_named_default_owner(world: dict[str, Any]) -> None:
    route = choose_route(world["category"], _place(world))
    assert route.by_default and route.rule is None
    assert route.organisation == world["council"]
    assert route.owner == world["officer"]
    assert "default owner" in route.reason


def test_without_any_default_routing_refuses_rather_than_losing_the_matter(
    world: dict[str, Any],
) -> None:
    from ..models import RoutingDefault

    RoutingDefault.objects.all().delete()
    with pytest.raises(ValidationError, match="default owner"):
        choose_route(world["category"], _place(world))


def test_most_specific_rule_wins(world: dict[str, Any]) -> None:
    anywhere_any = _rule(world, team="Anything anywhere")
    anywhere_category = _rule(world, category=world["category"], team="Category anywhere")
    ward_category = _rule(
        world, category=world["category"], ward=world["lsoa"].ward, team="Category in ward"
    )
    patch_category = _rule(
        world,
        category=world["category"],
        neighbourhood=world["neighbourhood"],
        team="Category in patch",
    )
    route = choose_route(world["category"], _place(world))
    assert route.rule == patch_category
    assert [c.rule for c in route.candidates] == [
        patch_category,
        ward_category,
        anywhere_category,
        anywhere_any,
    ]
    lsoa_any = _rule(world, lsoa=world["lsoa"], team="Anything in this LSOA")
    # A named category still beats a smaller area with "any category".
    assert choose_route(world["category"], _place(world)).rule == patch_category
    other_category = f.MatterCategoryFactory()
    assert choose_route(other_category, _place(world)).rule == lsoa_any


def test_priority_breaks_ties_and_inactive_rules_are_ignored(world: dict[str, Any]) -> None:
    _rule(world, category=world["category"], priority=50, team="Second")
    first = _rule(world, category=world["category"], priority=10, team="First")
    assert choose_route(world["category"], _place(world)).rule == first
    first.is_active = False
    first.save()
    assert choose_route(world["category"], _place(world)).rule.team == "Second"


def test_a_councils_rules_apply_only_in_its_own_authority(world: dict[str, Any]) -> None:
    from ..models import RoutingDefault

    _rule(world, category=world["category"], team="Bath team")
    RoutingDefault.objects.create(
        council=world["council"],
        authority=None,
        organisation=world["council"],
        team="Catch-all",
        owner=world["officer"],
    )
    exeter = Lsoa.objects.select_related("ward", "authority").get(code=f.EXETER)
    route = choose_route(world["category"], Place.of(lsoa=exeter))
    assert route.rule is None and route.team == "Catch-all"  # not the other council's rule


def test_a_neighbourhood_rule_matches_a_place_given_only_by_lsoa(world: dict[str, Any]) -> None:
    rule = _rule(world, neighbourhood=world["neighbourhood"], team="Patch team")
    route = choose_route(world["category"], Place.of(lsoa=world["lsoa"]))
    assert route.rule == rule


# --- raising and acting -------------------------------------------------------------------------


def test_raise_routes_records_audits_and_tells_people_after_commit(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _rule(world, category=world["category"], owner=world["police"], team="Neighbourhood team")
    conversations = [f.conversation(organiser=world["organiser"]) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        matter = services.matter_raise(
            actor=world["organiser_user"],
            title="Fly-tipping by the garages",
            description="Bags and a sofa.",
            category=world["category"],
            conversations=conversations,
            lsoa=world["lsoa"],
        )
    assert mail.outbox == []  # nothing is sent before the transaction commits
    for callback in callbacks:
        callback()
    assert matter.routed_to == world["partner"] and matter.team == "Neighbourhood team"
    assert matter.raised_by_organisation == world["host"]
    assert matter.neighbourhood == world["neighbourhood"]
    assert matter.due_at == matter.raised_at + timedelta(days=5)
    assert set(matter.conversations.all()) == set(conversations)
    assert list(matter.updates.values_list("kind", flat=True)) == ["raised", "routed"]
    assert AuditEvent.objects.filter(action="matter.raise", object_id=str(matter.pk)).exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["pc@example.test"]
    assert "New matter" in mail.outbox[0].subject


def test_a_site_matter_needs_a_conversation(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        services.matter_raise(
            actor=world["organiser_user"],
            title="Dark footpath",
            description="Lights out.",
            category=world["category"],
            conversations=[],
            lsoa=world["lsoa"],
        )
    assert "conversations" in caught.value.message_dict


def test_partner_acknowledges_updates_with_a_public_note_and_closes(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    matter = f.matter(world, category=world["category"])
    matter.raised_by = world["organiser_user"]
    matter.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.matter_acknowledge(actor=world["police"], matter=matter)
    assert matter.status == Matter.Status.ACKNOWLEDGED and matter.acknowledged_at is not None
    assert [m.to for m in mail.outbox] == [["organiser@example.test"]]  # not the actor
    with pytest.raises(ValidationError):
        services.matter_update_status(
            actor=world["police"], matter=matter, status="in_progress", public_note="  "
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.matter_update_status(
            actor=world["police"],
            matter=matter,
            status="in_progress",
            public_note="Patrols start Friday.",
        )
    assert matter.public_note == "Patrols start Friday."
    with pytest.raises(ValidationError):
        services.matter_close(
            actor=world["police"], matter=matter, outcome="merged", public_note="x"
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.matter_close(
            actor=world["police"], matter=matter, outcome="resolved", public_note="Done."
        )
    assert matter.status == Matter.Status.RESOLVED and matter.closed_at is not None
    assert len(mail.outbox) == 3
    kinds = list(matter.updates.values_list("kind", "public_note"))
    assert kinds == [
        ("acknowledged", ""),
        ("status", "Patrols start Friday."),
        ("closed", "Done."),
    ]
    with pytest.raises(ValidationError):
        services.matter_acknowledge(actor=world["police"], matter=matter)
    services.matter_reopen(actor=world["officer"], matter=matter, reason="Back again.")
    assert matter.status == Matter.Status.IN_PROGRESS and matter.closed_at is None


def test_overdue_against_the_category_target(world: dict[str, Any]) -> None:
    late = f.matter(world, category=world["category"], raised_at=timezone.now() - timedelta(days=6))
    on_time = f.matter(
        world, category=world["category"], raised_at=timezone.now() - timedelta(days=4)
    )
    closed = f.matter(
        world,
        category=world["category"],
        raised_at=timezone.now() - timedelta(days=30),
        status=Matter.Status.RESOLVED,
    )
    assert late.is_overdue and not on_time.is_overdue and not closed.is_overdue


def test_reroute_sends_it_to_another_team(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    matter = f.matter(world, category=world["category"], status=Matter.Status.ACKNOWLEDGED)
    with django_capture_on_commit_callbacks(execute=True):
        services.matter_reroute(
            actor=world["officer"],
            matter=matter,
            organisation=world["council"],
            team="Highways",
            owner=None,
            reason="Not a police matter.",
        )
    assert matter.routed_to == world["council"] and matter.status == Matter.Status.NEW
    assert matter.routing_reason.startswith("Sent by hand")


# --- residents who raised it, duplicates and merging --------------------------------------------


def test_residents_raised_counts_each_resident_once_and_each_anonymous_conversation(
    world: dict[str, Any],
) -> None:
    wren = f.resident(world["host"])
    conversations = [
        f.conversation(organiser=world["organiser"], resident=wren),
        f.conversation(organiser=world["organiser"], resident=wren, days_ago=40),
        f.conversation(organiser=world["organiser"]),
        f.conversation(organiser=world["organiser"]),
    ]
    matter = f.matter(
        world, category=world["category"], conversations=conversations, outside_reports=2
    )
    # Wren once, two anonymous conversations, two Open311 reports.
    assert residents_raised(matter) == 5


def test_duplicates_are_same_category_nearby_and_same_period(world: dict[str, Any]) -> None:
    first = f.matter(world, category=world["category"])
    same = f.matter(world, category=world["category"], title="Same again")
    other_category = f.matter(world, category=f.MatterCategoryFactory(), title="Other kind")
    long_ago = f.matter(
        world,
        category=world["category"],
        title="Last spring",
        raised_at=timezone.now() - timedelta(days=90),
    )
    exeter_world = f.build_world("far", lsoa_code=f.EXETER, authority="E07000041")
    far_away = f.matter(exeter_world, category=world["category"], title="Far away")
    found = possible_duplicates_of(
        category=first.category,
        lsoa_id=first.lsoa_id,
        neighbourhood_id=first.neighbourhood_id,
        lon=None,
        lat=None,
        raised_at=first.raised_at,
        exclude_pk=first.pk,
    )
    assert found == [same]
    assert other_category not in found and long_ago not in found and far_away not in found


def test_duplicates_by_distance_when_both_have_a_point(world: dict[str, Any]) -> None:
    here = f.matter(world, category=world["category"], lon=-2.35, lat=51.37, lsoa=None)
    near = f.matter(world, category=world["category"], lon=-2.352, lat=51.371, lsoa=None)
    far = f.matter(world, category=world["category"], lon=-2.45, lat=51.30, lsoa=None)
    found = possible_duplicates_of(
        category=here.category,
        lsoa_id=None,
        neighbourhood_id=None,
        lon=here.lon,
        lat=here.lat,
        raised_at=here.raised_at,
        exclude_pk=here.pk,
    )
    assert near in found and far not in found


def test_merge_keeps_every_conversation_and_counts_everyone(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    wren = f.resident(world["host"])
    shared = f.conversation(organiser=world["organiser"], resident=wren)
    keep = f.matter(
        world,
        category=world["category"],
        conversations=[shared, f.conversation(organiser=world["organiser"])],
    )
    duplicate = f.matter(
        world,
        category=world["category"],
        title="Again",
        conversations=[
            f.conversation(organiser=world["organiser"], resident=wren),
            f.conversation(organiser=world["organiser"]),
        ],
        outside_reports=1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.matter_merge(actor=world["officer"], keep=keep, duplicate=duplicate)
    duplicate.refresh_from_db()
    keep.refresh_from_db()
    assert keep.conversations.count() == 4
    assert keep.outside_reports == 1
    # Wren once, two anonymous conversations, one report.
    assert residents_raised(keep) == 4
    assert duplicate.status == Matter.Status.MERGED and duplicate.merged_into == keep
    assert duplicate.public_note.startswith("Duplicate of")
    assert MatterUpdate.objects.filter(matter=keep, kind="merged").exists()
    with pytest.raises(ValidationError):
        services.matter_merge(actor=world["officer"], keep=keep, duplicate=duplicate)


def test_merge_refuses_different_categories(world: dict[str, Any]) -> None:
    keep = f.matter(world, category=world["category"])
    other = f.matter(world, category=f.MatterCategoryFactory(), title="Lights")
    with pytest.raises(ValidationError, match="same category"):
        services.matter_merge(actor=world["officer"], keep=keep, duplicate=other)
