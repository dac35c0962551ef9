"""Who may plan where organisers go, see the scenarios and act on them.

The boundary is the local authority: organisations belong to one, and a council officer or forum
member of an organisation in an authority plans for that authority (Exeter's forum steering group
decides where organisers go; in Bath and North East Somerset the council does). Host managers of
organisations there may look at saved scenarios. A plan stays private to whoever ran it until it is
saved. Accepting a patch draws a neighbourhood, and marking practices and new communities changes
what every plan sees, so those are for council officers (and administrators).
"""

from __future__ import annotations

from typing import Any

import rules

from commonground.accounts.models import Role
from commonground.accounts.rules import holds_role, is_administrator, role_in
from commonground.programme.models import Organisation

PLANNING_ROLES = (Role.COUNCIL_OFFICER, Role.FORUM_MEMBER)
VIEWING_ROLES = (Role.COUNCIL_OFFICER, Role.FORUM_MEMBER, Role.HOST_MANAGER)


def organisations_in_authority(authority_id: int | None) -> list[int]:
    if authority_id is None:
        return []
    return list(Organisation.objects.filter(authority_id=authority_id).values_list("id", flat=True))


def _authority_organisations(authority: Any) -> list[int]:
    return organisations_in_authority(authority.pk)


def _organisations_of_authority_of(obj: Any) -> list[int]:
    """For anything with an `authority_id`: a scenario, an LSOA, a GP practice."""
    return organisations_in_authority(obj.authority_id)


@rules.predicate
def holds_a_planning_role(user: Any) -> bool:
    return holds_role(user, *VIEWING_ROLES)


@rules.predicate
def started_the_scenario(user: Any, scenario: Any) -> bool:
    return (
        scenario is not None
        and scenario.created_by_id is not None
        and (scenario.created_by_id == user.pk)
    )


@rules.predicate
def scenario_is_saved(user: Any, scenario: Any) -> bool:
    return scenario is not None and scenario.saved_at is not None


plans_in_authority = role_in(
    *PLANNING_ROLES, organisations_of=_authority_organisations, name="plans_in_authority"
)
plans_in_scenario_authority = role_in(
    *PLANNING_ROLES,
    organisations_of=_organisations_of_authority_of,
    name="plans_in_scenario_authority",
)
views_in_scenario_authority = role_in(
    *VIEWING_ROLES,
    organisations_of=_organisations_of_authority_of,
    name="views_in_scenario_authority",
)
council_officer_in_authority = role_in(
    Role.COUNCIL_OFFICER,
    organisations_of=_authority_organisations,
    name="council_officer_in_authority",
)
council_officer_in_authority_of = role_in(
    Role.COUNCIL_OFFICER,
    organisations_of=_organisations_of_authority_of,
    name="council_officer_in_authority_of",
)

can_view_scenario = started_the_scenario | (
    scenario_is_saved & (is_administrator | views_in_scenario_authority)
)

rules.add_perm("priorities.view_planner", is_administrator | holds_a_planning_role)
rules.add_perm("priorities.plan_localauthority", is_administrator | plans_in_authority)
rules.add_perm("priorities.view_scenario", can_view_scenario)
rules.add_perm(
    "priorities.save_scenario",
    started_the_scenario & (is_administrator | plans_in_scenario_authority),
)
rules.add_perm(
    "priorities.delete_scenario",
    started_the_scenario | (scenario_is_saved & is_administrator),
)
rules.add_perm(
    "priorities.accept_scenario",
    can_view_scenario & (is_administrator | council_officer_in_authority_of),
)
rules.add_perm("priorities.change_markings", is_administrator | council_officer_in_authority)
