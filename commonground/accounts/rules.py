"""Permission building blocks shared by every app.

The organisation membership is the data boundary: a predicate asks which organisations an object
belongs to and whether the user holds one of the given roles there. Each app's ``rules.py`` composes
these into ``<app>.<verb>_<model>`` permissions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import rules

from .models import Membership, Role

OrganisationsOf = Callable[[Any], Iterable[int]]


def roles_by_organisation(user: Any) -> dict[int, frozenset[str]]:
    """The user's roles keyed by organisation id, loaded once per request and cached on the user."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_roles_by_organisation", None)
    if cached is None:
        collected: dict[int, set[str]] = {}
        for organisation_id, role in Membership.objects.filter(user=user).values_list(
            "organisation_id", "role"
        ):
            collected.setdefault(organisation_id, set()).add(role)
        cached = {key: frozenset(value) for key, value in collected.items()}
        user._roles_by_organisation = cached
    return cached


def forget_roles(user: Any) -> None:
    if hasattr(user, "_roles_by_organisation"):
        del user._roles_by_organisation


def organisation_ids(user: Any, *roles: str) -> set[int]:
    """Organisations where the user holds any of ``roles`` (any role when none are given)."""
    wanted = set(roles)
    return {
        organisation_id
        for organisation_id, held in roles_by_organisation(user).items()
        if not wanted or held & wanted
    }


def holds_role(user: Any, *roles: str) -> bool:
    return bool(organisation_ids(user, *roles))


def role_in(*roles: str, organisations_of: OrganisationsOf, name: str) -> rules.Predicate:
    """A predicate true when the user holds one of ``roles`` in an organisation the object belongs to."""

    def check(user: Any, obj: Any) -> bool:
        if obj is None:
            return False
        mine = roles_by_organisation(user)
        wanted = set(roles)
        for organisation_id in organisations_of(obj):
            held = mine.get(organisation_id)
            if held and (not wanted or held & wanted):
                return True
        return False

    return rules.predicate(check, name=name)


@rules.predicate
def is_administrator(user: Any) -> bool:
    return holds_role(user, Role.ADMINISTRATOR)


@rules.predicate
def is_council_officer(user: Any) -> bool:
    return holds_role(user, Role.COUNCIL_OFFICER)


@rules.predicate
def is_host_manager(user: Any) -> bool:
    return holds_role(user, Role.HOST_MANAGER)


is_authenticated = rules.is_authenticated

rules.add_perm("accounts.view_own_tokens", rules.is_authenticated)
rules.add_perm("accounts.admin_site", is_administrator)
