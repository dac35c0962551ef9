"""Worlds for the planner's tests: organisations in B&NES and in Exeter, people with each role."""

from __future__ import annotations

from typing import Any

from commonground.accounts.models import Membership, Role, User
from commonground.places.models import LocalAuthority
from commonground.programme.models import Organisation
from commonground.programme.tests.factories import OrganisationFactory

from ..models import Scenario
from ..planning import PlanParameters
from ..services import scenario_save, scenario_start

ROLE_HOME = {
    Role.ORGANISER: "host",
    Role.HOST_MANAGER: "host",
    Role.COUNCIL_OFFICER: "council",
    Role.PARTNER_OFFICER: "partner",
    Role.COUNCILLOR: "council",
    Role.FORUM_MEMBER: "forum",
    Role.ADMINISTRATOR: "council",
}


def build_world(name: str, authority_code: str) -> dict[str, Any]:
    authority = LocalAuthority.objects.get(code=authority_code)
    world: dict[str, Any] = {"authority": authority}
    for key, kind in [
        ("council", Organisation.Kind.COUNCIL),
        ("host", Organisation.Kind.HOST),
        ("partner", Organisation.Kind.PARTNER),
        ("forum", Organisation.Kind.FORUM),
    ]:
        world[key] = OrganisationFactory(
            name=f"{name} {key}", slug=f"{name}-{key}", kind=kind, authority=authority
        )
    return world


def people_in(world: dict[str, Any], prefix: str) -> dict[str, User]:
    users: dict[str, User] = {}
    for role, home in ROLE_HOME.items():
        user = User.objects.create_user(
            email=f"{prefix}.{role}@example.test",
            password="x-long-password-1",
            full_name=f"{prefix} {role}",
        )
        Membership.objects.create(user=user, organisation=world[home], role=role)
        users[role] = user
    return users


def saved_scenario(
    actor: User, authority: LocalAuthority, name: str = "Saved plan", organisers: int = 3
) -> Scenario:
    scenario = scenario_start(
        actor=actor,
        authority=authority,
        parameters=PlanParameters(organisers=organisers, time_limit_seconds=5),
    )
    return scenario_save(actor=actor, scenario=scenario, name=name)
