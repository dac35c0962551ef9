"""The pages of the matters journey: raising with duplicate offers, the partner's queue, routing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from commonground.accounts.models import Role

from ..models import Matter, RoutingRule
from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    world = f.build_world("own")
    world["officer"] = f.member(world, Role.COUNCIL_OFFICER, "council", "officer@example.test")
    world["police"] = f.member(world, Role.PARTNER_OFFICER, "partner", "pc@example.test")
    world["organiser_user"] = f.member(world, Role.ORGANISER, "host", "organiser@example.test")
    world["organiser"].user = world["organiser_user"]
    world["organiser"].save()
    f.default_owner(world, world["officer"])
    world["category"] = f.MatterCategoryFactory(target_days=5)
    RoutingRule.objects.create(
        council=world["council"],
        category=world["category"],
        partner=world["partner"],
        team="Neighbourhood team",
        owner=world["police"],
    )
    world["other"] = f.build_world("other", lsoa_code=f.EXETER, authority="E07000041")
    world["other_police"] = f.member(
        world["other"], Role.PARTNER_OFFICER, "partner", "pc2@example.test"
    )
    return world


def _raise(client: Client, world: dict[str, Any], conversations: list[Any], **extra: Any) -> Any:
    data = {
        "title": "Fly-tipping by the garages",
        "description": "A sofa and bags.",
        "category": world["category"].pk,
        "conversations": [c.pk for c in conversations],
        "neighbourhood": world["neighbourhood"].pk,
        "is_public": "on",
    }
    data.update(extra)
    return client.post("/action/matters/new/", data)


def test_raise_offers_the_duplicate_then_adds_to_it(
    world: dict[str, Any], signed_in: Callable[..., Client], django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(world["organiser_user"])
    first = f.conversation(organiser=world["organiser"], concerns="Sofa dumped by the garages")
    form = client.get("/action/matters/new/").content.decode()
    assert "Sofa dumped by the garages" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = _raise(client, world, [first])
    matter = Matter.objects.get()
    assert response.status_code == 302 and response.url == matter.get_absolute_url()
    assert matter.routed_to == world["partner"] and [m.to for m in mail.outbox] == [
        ["pc@example.test"]
    ]

    second = f.conversation(organiser=world["organiser"], concerns="More rubbish at the garages")
    offered = _raise(client, world, [second], title="Rubbish at the garages")
    page = offered.content.decode()
    assert offered.status_code == 200 and "This may already have been raised" in page
    assert matter.reference in page and Matter.objects.count() == 1
    added = client.post(
        f"/action/matters/{matter.public_id}/add-conversations/", {"conversations": [second.pk]}
    )
    assert added.status_code == 302
    assert set(matter.conversations.all()) == {first, second}

    third = f.conversation(organiser=world["organiser"])
    anyway = _raise(client, world, [third], title="Something else there", confirm_new="1")
    assert anyway.status_code == 302 and Matter.objects.count() == 2


def test_raise_refuses_conversations_the_organiser_may_not_open(
    world: dict[str, Any], signed_in: Callable[..., Client]
) -> None:
    theirs = f.conversation(organiser=world["other"]["organiser"], lsoa=f.EXETER)
    response = _raise(signed_in(world["organiser_user"]), world, [theirs])
    assert response.status_code == 200 and Matter.objects.count() == 0
    assert "There is a problem" in response.content.decode()


def test_partner_queue_holds_only_what_is_routed_to_them(
    world: dict[str, Any], signed_in: Callable[..., Client]
) -> None:
    ours = f.matter(world, category=world["category"], title="Ours")
    theirs = f.matter(world["other"], category=world["category"], title="Theirs")
    to_council = f.matter(
        world, category=world["category"], title="For the council", routed_to=world["council"]
    )
    client = signed_in(world["police"])
    page = client.get("/action/matters/queue/").content.decode()
    assert "Ours" in page and "Theirs" not in page and "For the council" not in page
    assert client.get(theirs.get_absolute_url()).status_code == 403
    assert client.get(to_council.get_absolute_url()).status_code == 403
    assert client.post(f"/action/matters/{theirs.public_id}/acknowledge/").status_code == 403
    listed = client.get("/action/matters/").content.decode()
    assert "Ours" in listed and "Theirs" not in listed and "For the council" not in listed
    assert ours.status == Matter.Status.NEW


def test_partner_acts_through_the_pages(
    world: dict[str, Any], signed_in: Callable[..., Client], django_capture_on_commit_callbacks: Any
) -> None:
    matter = f.matter(world, category=world["category"])
    matter.raised_by = world["organiser_user"]
    matter.save()
    client = signed_in(world["police"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/action/matters/{matter.public_id}/acknowledge/").status_code == 302
        missing_note = client.post(
            f"/action/matters/{matter.public_id}/status/",
            {"status": "in_progress", "public_note": ""},
        )
        assert missing_note.status_code == 200
        done = client.post(
            f"/action/matters/{matter.public_id}/close/",
            {"outcome": "resolved", "public_note": "Cleared on Tuesday."},
        )
    assert done.status_code == 302
    matter.refresh_from_db()
    assert matter.status == Matter.Status.RESOLVED and matter.public_note == "Cleared on Tuesday."
    assert [m.to for m in mail.outbox] == [["organiser@example.test"], ["organiser@example.test"]]
    organiser_page = signed_in(world["organiser_user"]).get(matter.get_absolute_url())
    assert "Cleared on Tuesday." in organiser_page.content.decode()


def test_partner_sees_how_many_raised_it_but_not_the_conversations(
    world: dict[str, Any], signed_in: Callable[..., Client], client: Client
) -> None:
    conversations = [
        f.conversation(organiser=world["organiser"], concerns=f"Secret detail {n}")
        for n in range(6)
    ]
    matter = f.matter(world, category=world["category"], conversations=conversations)
    police_page = signed_in(world["police"]).get(matter.get_absolute_url()).content.decode()
    assert "Secret detail" not in police_page
    assert "from 6 conversations" in police_page
    client.logout()
    organiser_page = (
        signed_in(world["organiser_user"]).get(matter.get_absolute_url()).content.decode()
    )
    assert "Secret detail 0" in organiser_page


def test_merge_is_offered_on_the_matter_page(
    world: dict[str, Any], signed_in: Callable[..., Client], django_capture_on_commit_callbacks: Any
) -> None:
    keep = f.matter(
        world,
        category=world["category"],
        conversations=[f.conversation(organiser=world["organiser"])],
    )
    duplicate = f.matter(
        world,
        category=world["category"],
        title="Again",
        conversations=[f.conversation(organiser=world["organiser"])],
    )
    client = signed_in(world["officer"])
    page = client.get(keep.get_absolute_url()).content.decode()
    assert "Possible duplicates" in page and duplicate.reference in page
    confirm = client.get(f"/action/matters/{keep.public_id}/merge/{duplicate.public_id}/")
    assert "Merge these matters?" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(
                f"/action/matters/{keep.public_id}/merge/{duplicate.public_id}/"
            ).status_code
            == 302
        )
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep and keep.conversations.count() == 2


def test_where_would_this_go(world: dict[str, Any], signed_in: Callable[..., Client]) -> None:
    client = signed_in(world["organiser_user"])
    page = client.get(
        "/action/routing/preview/",
        {"category": world["category"].pk, "lsoa": world["lsoa"].code},
    ).content.decode()
    assert "It would go to own police, Neighbourhood team" in page
    other = f.MatterCategoryFactory()
    fallback = client.get(
        "/action/routing/preview/",
        {"category": other.pk, "neighbourhood": world["neighbourhood"].pk},
    ).content.decode()
    assert "Community Engagement" in fallback and "default owner" in fallback
    assert Matter.objects.count() == 0  # a preview raises nothing
    unknown = client.get("/action/routing/preview/", {"category": other.pk, "lsoa": "E0NOTREAL"})
    assert "is not an LSOA code" in unknown.content.decode()


def test_rules_are_edited_by_the_councils_own_officers(
    world: dict[str, Any], signed_in: Callable[..., Client]
) -> None:
    client = signed_in(world["officer"])
    response = client.post(
        "/action/routing/rules/new/",
        {
            "council": world["council"].pk,
            "category": world["category"].pk,
            "neighbourhood": world["neighbourhood"].pk,
            "partner": world["council"].pk,
            "team": "Street Cleansing",
            "priority": 10,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    rule = RoutingRule.objects.get(team="Street Cleansing")
    assert rule.neighbourhood == world["neighbourhood"] and rule.authority == world["authority"]
    both = client.post(
        "/action/routing/rules/new/",
        {
            "council": world["council"].pk,
            "neighbourhood": world["neighbourhood"].pk,
            "lsoa": world["lsoa"].code,
            "partner": world["council"].pk,
            "team": "Two areas",
            "priority": 10,
        },
    )
    assert "at most one" in both.content.decode()
    other_officer = f.member(
        world["other"], Role.COUNCIL_OFFICER, "council", "officer2@example.test"
    )
    client.logout()
    other_client = signed_in(other_officer)
    assert other_client.get(f"/action/routing/rules/{rule.public_id}/edit/").status_code == 403
    refused = other_client.post(
        "/action/routing/rules/new/",
        {
            "council": world["council"].pk,
            "partner": world["council"].pk,
            "team": "Sneaky",
            "priority": 1,
        },
    )
    assert refused.status_code == 200 and not RoutingRule.objects.filter(team="Sneaky").exists()


def test_queue_and_list_take_a_fixed_number_of_queries(
    world: dict[str, Any], signed_in: Callable[..., Client], django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        f.matter(
            world,
            category=world["category"],
            title=f"Matter {n}",
            conversations=[f.conversation(organiser=world["organiser"])],
        )
    client = signed_in(world["police"])
    client.get("/action/matters/queue/")
    with django_assert_max_num_queries(14):
        assert client.get("/action/matters/queue/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/action/matters/").status_code == 200


def test_dashboard_panels_follow_the_roles(world: dict[str, Any]) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from ..dashboard import panels

    f.matter(world, category=world["category"], raised_at=timezone.now() - timedelta(days=9))
    f.matter(world, category=world["category"], title="Fresh")
    police = {p["title"]: p for p in panels(world["police"])}
    stats = {s["label"]: s["value"] for s in police["Matters for your organisation"]["stats"]}
    assert stats == {"open": 2, "to acknowledge": 2, "overdue": 1}
    assert police["Matters for your organisation"]["items"][0]["tag"] == "Overdue"
    organiser = {p["title"] for p in panels(world["organiser_user"])}
    assert organiser == {"Community action"}
    councillor = f.member(world, Role.COUNCILLOR, "council", "cllr@example.test")
    assert panels(councillor) == []


def test_an_older_conversation_found_by_search_can_be_chosen(
    world: dict[str, Any], signed_in: Callable[..., Client]
) -> None:
    oldest = f.conversation(organiser=world["organiser"], days_ago=90, concerns="Abandoned caravan")
    for _n in range(31):
        f.conversation(organiser=world["organiser"], days_ago=1)
    client = signed_in(world["organiser_user"])
    assert "Abandoned caravan" not in client.get("/action/matters/new/").content.decode()
    assert "Abandoned caravan" in client.get("/action/matters/new/?q=caravan").content.decode()
    response = _raise(client, world, [oldest], title="Caravan left on the verge", confirm_new="1")
    assert response.status_code == 302
    assert list(Matter.objects.get().conversations.all()) == [oldest]
