"""Every role against insight's objects, in its own organisation's world and in another's."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from commonground.accounts.models import Membership, Role, User
from commonground.insight.models import EmergingCluster, HouseMeeting, Quote
from commonground.programme.tests.test_rules import ROLE_HOME, build_world

from .factories import at, conversation, tag, theme

EVERYONE = set(ROLE_HOME)
IN_HOST = {Role.ORGANISER, Role.HOST_MANAGER}
LOOK_AFTER_THEMES = {Role.HOST_MANAGER, Role.COUNCIL_OFFICER, Role.ADMINISTRATOR}

# permission, object key (None: no object), roles allowed on their own world's object, on another's
MATRIX: list[tuple[str, str | None, set[str], set[str]]] = [
    ("insight.view_theme", None, EVERYONE, EVERYONE),
    ("insight.add_theme", None, LOOK_AFTER_THEMES, LOOK_AFTER_THEMES),
    ("insight.change_theme", "theme", LOOK_AFTER_THEMES, LOOK_AFTER_THEMES),
    ("insight.view_taggermodel", None, LOOK_AFTER_THEMES, LOOK_AFTER_THEMES),
    ("insight.retrain_tagger", None, LOOK_AFTER_THEMES, LOOK_AFTER_THEMES),
    ("insight.view_emergingcluster", "cluster", LOOK_AFTER_THEMES, LOOK_AFTER_THEMES),
    ("insight.change_emergingcluster", "cluster", LOOK_AFTER_THEMES, LOOK_AFTER_THEMES),
    ("insight.view_review_queue", None, IN_HOST, IN_HOST),
    ("insight.review_conversation", "conversation", IN_HOST, set()),
    ("insight.view_area_evidence", None, EVERYONE, EVERYONE),
    ("insight.view_what_we_heard", None, EVERYONE, EVERYONE),
    ("insight.propose_quote", "conversation", IN_HOST, set()),
    ("insight.approve_quote", "proposed_quote", IN_HOST, set()),
    ("insight.view_quote", "proposed_quote", IN_HOST, set()),
    ("insight.view_quote", "approved_quote", EVERYONE, EVERYONE),
    ("insight.invite_residents", "host", IN_HOST, set()),
    ("insight.view_housemeeting", "meeting", IN_HOST, set()),
    ("insight.change_housemeeting", "meeting", IN_HOST, set()),
]


def _insight_world(name: str) -> dict[str, Any]:
    world = build_world(name)
    made = conversation(organiser=world["organiser"])
    tag(made, "fly-tipping")
    world["conversation"] = made
    world["theme"] = theme("fly-tipping")
    world["proposed_quote"] = Quote.objects.create(
        conversation=made, theme=theme("fly-tipping"), text="Flytipping everywhere."
    )
    approved = conversation(organiser=world["organiser"])
    tag(approved, "parking")
    world["approved_quote"] = Quote.objects.create(
        conversation=approved, theme=theme("parking"), text="No parking.", status="approved"
    )
    world["meeting"] = HouseMeeting.objects.create(
        host=world["host"],
        theme=theme("fly-tipping"),
        area_kind="lsoa",
        area_code="E01014463",
        area_name="Whiteway",
        title="Clean-up",
        meets_at=at(2026, 12),
        venue="Hall",
    )
    world["cluster"] = EmergingCluster.objects.create(key_terms=["scooter"], size=3, member_ids=[])
    world[None] = None
    return world


@pytest.fixture
def worlds(db: Any) -> tuple[dict[Any, Any], dict[Any, Any], dict[str, User]]:
    own, other = _insight_world("own"), _insight_world("other")
    users: dict[str, User] = {}
    for role, home in ROLE_HOME.items():
        user = User.objects.create_user(
            email=f"{role}@example.test", password="x-long-password-1", full_name=role
        )
        Membership.objects.create(user=user, organisation=own[home], role=role)
        users[role] = user
    own["organiser"].user = users[Role.ORGANISER]
    own["organiser"].save()
    return own, other, users


@pytest.mark.parametrize(
    ("permission", "key", "allowed_own", "allowed_other"),
    MATRIX,
    ids=[f"{m[0]}:{m[1]}" for m in MATRIX],
)
def test_permission_matrix(
    worlds: Any, permission: str, key: str | None, allowed_own: set[str], allowed_other: set[str]
) -> None:
    own, other, users = worlds
    for role, user in users.items():
        assert user.has_perm(permission, own[key]) == (role in allowed_own), f"{role} on own {key}"
        assert user.has_perm(permission, other[key]) == (role in allowed_other), (
            f"{role} on other {key}"
        )


def test_anonymous_sees_only_what_we_heard(worlds: Any) -> None:
    own, _other, _users = worlds
    anonymous = AnonymousUser()
    for permission, key, _own, _other_roles in MATRIX:
        expected = permission == "insight.view_what_we_heard"
        assert anonymous.has_perm(permission, own[key]) == expected, permission


def test_an_organiser_cannot_review_a_colleagues_conversation(worlds: Any) -> None:
    from commonground.programme.tests.factories import OrganiserFactory

    own, _other, users = worlds
    colleague = OrganiserFactory(host=own["host"], programme=own["programme"])
    theirs = conversation(organiser=colleague)
    assert not users[Role.ORGANISER].has_perm("insight.review_conversation", theirs)
    assert users[Role.HOST_MANAGER].has_perm("insight.review_conversation", theirs)
