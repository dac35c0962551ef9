"""Every role against every action object, in its own organisations' world and in another's."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from commonground.accounts.models import Membership, Role, User

from ..models import ActionPlan, ProjectPhoto, RoutingRule
from . import factories as f

OR, HM, CO, PO, CL, FM, AD = (
    Role.ORGANISER,
    Role.HOST_MANAGER,
    Role.COUNCIL_OFFICER,
    Role.PARTNER_OFFICER,
    Role.COUNCILLOR,
    Role.FORUM_MEMBER,
    Role.ADMINISTRATOR,
)
EVERYONE = {OR, HM, CO, PO, CL, FM, AD}
ADMIN = {AD}

# permission, object key, roles allowed on their own world's object, roles allowed on another world's
MATRIX: list[tuple[str, str, set[str], set[str]]] = [
    ("action.view_matter", "matter", {OR, HM, CO, PO, AD}, ADMIN),
    ("action.change_matter", "matter", {PO, AD}, ADMIN),
    ("action.route_matter", "matter", {CO, AD}, ADMIN),
    ("action.merge_matter", "matter", {CO, PO, AD}, ADMIN),
    # Routed to the council: the police partner must not see it.
    ("action.view_matter", "council_matter", {OR, HM, CO, AD}, ADMIN),
    ("action.change_matter", "council_matter", {CO, AD}, ADMIN),
    ("action.change_routingrule", "rule", {CO, AD}, ADMIN),
    ("action.view_group", "group", EVERYONE, EVERYONE),
    ("action.change_group", "group", {OR, HM, AD}, ADMIN),
    ("action.view_group_people", "group", {OR, HM}, set()),
    ("action.add_involvement", "group", {OR, HM}, set()),
    ("action.view_project", "project", EVERYONE, EVERYONE),
    ("action.change_project", "project", {OR, HM, AD}, ADMIN),
    ("action.view_projectphoto", "photo", {OR, HM, CO, AD}, ADMIN),
    ("action.view_forum", "forum", EVERYONE, EVERYONE),
    ("action.change_forum", "forum", {CO, FM, AD}, ADMIN),
    ("action.change_actionplan", "plan", {CO, FM, AD}, ADMIN),
    ("action.view_idea", "idea", {OR, HM, CO, PO, FM, AD}, ADMIN),
    ("action.change_idea", "idea", {CO, PO, AD}, ADMIN),
    ("action.change_toolkitentry", "entry", {HM, AD}, ADMIN),
]

GLOBAL: list[tuple[str, set[str]]] = [
    ("action.add_matter", {OR, HM, CO, PO, AD}),
    ("action.view_matter_list", {OR, HM, CO, PO, AD}),
    ("action.add_routingrule", {CO, AD}),
    ("action.view_routingrule", {OR, HM, CO, PO, AD}),
    ("action.add_group", {OR, HM}),
    ("action.add_project", {OR, HM}),
    ("action.view_network", {OR, HM, CO, AD}),
    ("action.add_forum", {CO, AD}),
    ("action.add_actionplan", {CO, FM, AD}),
    ("action.add_idea", {OR, HM, CO, PO, FM, AD}),
    ("action.view_savings", {HM, CO, PO, AD}),
    ("action.add_toolkitentry", {OR, HM, CO, PO, AD}),
]


def objects_for(world: dict[str, Any]) -> dict[str, Any]:
    category = f.MatterCategoryFactory()
    project = f.project(world)
    forum = f.forum(world)
    return {
        "matter": f.matter(world, category=category),
        "council_matter": f.matter(world, category=category, routed_to=world["council"]),
        "rule": RoutingRule.objects.create(
            council=world["council"], partner=world["partner"], team="Team"
        ),
        "group": f.group(world),
        "project": project,
        "photo": ProjectPhoto(project=project, content_type="image/png", size=1, caption="c"),
        "forum": forum,
        "plan": ActionPlan.objects.create(
            title="Plan", forum=forum, starts_on=world["programme"].starts_on
        ),
        "idea": f.idea(world, forum=forum),
        "entry": f.toolkit_entry(
            organisation=world["host"], slug=f"{world['host'].slug}-entry", title="Entry"
        ),
    }


@pytest.fixture
def worlds(db: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, User]]:
    own_world = f.build_world("own")
    other_world = f.build_world("other", lsoa_code=f.EXETER, authority="E07000041")
    own = {**own_world, **objects_for(own_world)}
    other = {**other_world, **objects_for(other_world)}
    users: dict[str, User] = {}
    for role, home in f.ROLE_HOME.items():
        user = User.objects.create_user(
            email=f"{role}@example.test", password="x-long-password-1", full_name=role
        )
        Membership.objects.create(user=user, organisation=own[home], role=role)
        users[role] = user
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


@pytest.mark.parametrize(("permission", "allowed"), GLOBAL, ids=[g[0] for g in GLOBAL])
def test_permissions_without_an_object(worlds: Any, permission: str, allowed: set[str]) -> None:
    _own, _other, users = worlds
    for role, user in users.items():
        assert user.has_perm(permission) == (role in allowed), role


def test_anonymous_has_no_action_permission(worlds: Any) -> None:
    own, _other, _users = worlds
    anonymous = AnonymousUser()
    for permission, key, _allowed, _other_roles in MATRIX:
        assert not anonymous.has_perm(permission, own[key]), permission
    for permission, _allowed in GLOBAL:
        assert not anonymous.has_perm(permission), permission


def test_partner_sees_a_matter_once_it_is_routed_to_them(worlds: Any) -> None:
    own, _other, users = worlds
    police = users[PO]
    matter = own["council_matter"]
    assert not police.has_perm("action.view_matter", matter)
    matter.routed_to = own["partner"]
    matter.save()
    assert police.has_perm("action.view_matter", matter)
    assert police.has_perm("action.change_matter", matter)
