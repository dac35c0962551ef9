"""Every role against the planner's objects in their own authority and in another."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from commonground.accounts.models import Role

from ..models import Scenario
from .factories import ROLE_HOME, build_world, people_in
from .support import BANES, EXETER

EVERYONE = set(ROLE_HOME)
ADMIN = {Role.ADMINISTRATOR}
PLANNERS = {Role.COUNCIL_OFFICER, Role.FORUM_MEMBER, Role.ADMINISTRATOR}
VIEWERS = PLANNERS | {Role.HOST_MANAGER}
OFFICERS = {Role.COUNCIL_OFFICER, Role.ADMINISTRATOR}
CREATOR = {Role.COUNCIL_OFFICER}

# permission, object key, roles allowed on their own authority's object, on another's
MATRIX: list[tuple[str, str, set[str], set[str]]] = [
    ("priorities.plan_localauthority", "authority", PLANNERS, ADMIN),
    ("priorities.change_markings", "authority", OFFICERS, ADMIN),
    ("priorities.view_scenario", "saved", VIEWERS, ADMIN),
    ("priorities.view_scenario", "unsaved", CREATOR, set()),
    ("priorities.save_scenario", "unsaved", CREATOR, set()),
    ("priorities.save_scenario", "saved", CREATOR, set()),
    ("priorities.delete_scenario", "saved", CREATOR | ADMIN, ADMIN),
    ("priorities.delete_scenario", "unsaved", CREATOR, set()),
    ("priorities.accept_scenario", "saved", OFFICERS, ADMIN),
    ("priorities.accept_scenario", "unsaved", CREATOR, set()),
]


def _scenario(world: dict[str, Any], creator: Any, *, saved: bool) -> Scenario:
    return Scenario.objects.create(
        authority=world["authority"],
        created_by=creator,
        parameters={"organisers": 1},
        status=Scenario.Status.FINISHED,
        results={"patches": []},
        name="Saved" if saved else "",
        saved_at=timezone.now() if saved else None,
        saved_by=creator if saved else None,
    )


@pytest.fixture
def worlds(db: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    own, other = build_world("bath", BANES), build_world("exeter", EXETER)
    users = people_in(own, "own")
    strangers = people_in(other, "other")
    for world, creator in (
        (own, users[Role.COUNCIL_OFFICER]),
        (other, strangers[Role.COUNCIL_OFFICER]),
    ):
        world["saved"] = _scenario(world, creator, saved=True)
        world["unsaved"] = _scenario(world, creator, saved=False)
    return own, other, users


@pytest.mark.parametrize(
    ("permission", "key", "allowed_own", "allowed_other"),
    MATRIX,
    ids=[f"{m[0]}:{m[1]}" for m in MATRIX],
)
def test_permission_matrix(
    worlds: Any, permission: str, key: str, allowed_own: set[str], allowed_other: set[str]
) -> None:
    own, other, users = worlds
    for role, user in users.items():
        assert user.has_perm(permission, own[key]) == (role in allowed_own), f"{role} on own {key}"
        assert user.has_perm(permission, other[key]) == (role in allowed_other), (
            f"{role} on other {key}"
        )


def test_who_sees_the_planner(worlds: Any) -> None:
    _own, _other, users = worlds
    for role, user in users.items():
        assert user.has_perm("priorities.view_planner") == (role in VIEWERS), role
    assert not AnonymousUser().has_perm("priorities.view_planner")


def test_anonymous_has_no_planner_permission(worlds: Any) -> None:
    own, _other, _users = worlds
    anonymous = AnonymousUser()
    for permission, key, _allowed_own, _allowed_other in MATRIX:
        assert not anonymous.has_perm(permission, own[key]), permission


def test_an_organisation_without_an_authority_plans_nowhere(worlds: Any, make_user: Any) -> None:
    from commonground.programme.models import Organisation
    from commonground.programme.tests.factories import OrganisationFactory

    own, _other, _users = worlds
    national = OrganisationFactory(kind=Organisation.Kind.FORUM, authority=None)
    member = make_user(Role.FORUM_MEMBER, national)
    assert member.has_perm("priorities.view_planner")
    assert not member.has_perm("priorities.plan_localauthority", own["authority"])
    assert not member.has_perm("priorities.view_scenario", own["saved"])
