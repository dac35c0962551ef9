"""Who may see and change matters, groups, projects, forums, plans, ideas and the toolkit.

Matters follow "one conversation": the organisation a matter is routed to acts on it, the
organisation that raised it follows it, and the council for the area oversees routing and merging.
A partner sees only the matters routed to it. Groups, projects and the network belong to the host
whose organisers work with them; residents' names in them are for that host alone. Forums are run by
the convening council's officers with the forum's own members. Ideas are answered by the council and
the organisation that runs the service.
"""

from __future__ import annotations

from typing import Any

import rules

from commonground.accounts.models import Role
from commonground.accounts.rules import holds_role, is_administrator, is_council_officer, role_in
from commonground.programme.models import Organisation

OFFICERS = (Role.COUNCIL_OFFICER, Role.PARTNER_OFFICER)
HOST_ROLES = (Role.ORGANISER, Role.HOST_MANAGER)


def councils_for_authority(authority_id: int | None) -> list[int]:
    if authority_id is None:
        return []
    return list(
        Organisation.objects.filter(
            kind=Organisation.Kind.COUNCIL, authority_id=authority_id
        ).values_list("id", flat=True)
    )


def _holds(*roles: str) -> rules.Predicate:
    def check(user: Any) -> bool:
        return holds_role(user, *roles)

    return rules.predicate(check, name="holds_" + "_or_".join(roles))


# --- matters ------------------------------------------------------------------------------------


def _matter_routed_to(matter: Any) -> list[int]:
    return [matter.routed_to_id]


def _matter_raised_by(matter: Any) -> list[int]:
    return [matter.raised_by_organisation_id] if matter.raised_by_organisation_id else []


def _matter_area_council(matter: Any) -> list[int]:
    return councils_for_authority(matter.authority_id)


officer_of_routed_organisation = role_in(
    *OFFICERS, Role.HOST_MANAGER, organisations_of=_matter_routed_to, name="officer_of_routed_org"
)
member_of_raising_organisation = role_in(
    *HOST_ROLES, *OFFICERS, organisations_of=_matter_raised_by, name="member_of_raising_org"
)
council_officer_for_matter_area = role_in(
    Role.COUNCIL_OFFICER, organisations_of=_matter_area_council, name="council_officer_for_area"
)
may_raise_matters = _holds(*HOST_ROLES, *OFFICERS, Role.ADMINISTRATOR)
is_officer = _holds(*OFFICERS, Role.ADMINISTRATOR)


def _rule_council(rule: Any) -> list[int]:
    return [rule.council_id]


council_officer_of_rule = role_in(
    Role.COUNCIL_OFFICER, organisations_of=_rule_council, name="council_officer_of_rule"
)

rules.add_perm("action.add_matter", may_raise_matters)
rules.add_perm(
    "action.view_matter",
    is_administrator
    | officer_of_routed_organisation
    | member_of_raising_organisation
    | council_officer_for_matter_area,
)
rules.add_perm("action.change_matter", is_administrator | officer_of_routed_organisation)
rules.add_perm("action.route_matter", is_administrator | council_officer_for_matter_area)
rules.add_perm(
    "action.merge_matter",
    is_administrator | council_officer_for_matter_area | officer_of_routed_organisation,
)
rules.add_perm("action.view_matter_list", may_raise_matters)
rules.add_perm("action.view_routingrule", may_raise_matters)
rules.add_perm("action.add_routingrule", is_administrator | is_council_officer)
rules.add_perm("action.change_routingrule", is_administrator | council_officer_of_rule)

# --- groups and the network ---------------------------------------------------------------------


def _host(obj: Any) -> list[int]:
    return [obj.host_id]


host_member = role_in(*HOST_ROLES, organisations_of=_host, name="action_host_member")
may_work_with_groups = _holds(*HOST_ROLES)

rules.add_perm("action.view_group", rules.is_authenticated)
rules.add_perm("action.add_group", may_work_with_groups)
rules.add_perm("action.change_group", is_administrator | host_member)
rules.add_perm("action.view_group_people", host_member)
rules.add_perm("action.add_involvement", host_member)
rules.add_perm("action.add_networklink", may_work_with_groups)
rules.add_perm("action.view_network", _holds(*HOST_ROLES, Role.COUNCIL_OFFICER, Role.ADMINISTRATOR))

# --- projects -----------------------------------------------------------------------------------


def _project_area_council(project: Any) -> list[int]:
    neighbourhood = project.neighbourhood
    return councils_for_authority(neighbourhood.authority_id if neighbourhood else None)


def _photo_project_host(photo: Any) -> list[int]:
    return [photo.project.host_id]


def _photo_area_council(photo: Any) -> list[int]:
    return _project_area_council(photo.project)


rules.add_perm("action.view_project", rules.is_authenticated)
rules.add_perm("action.add_project", may_work_with_groups)
rules.add_perm("action.change_project", is_administrator | host_member)
rules.add_perm(
    "action.view_projectphoto",
    is_administrator
    | role_in(organisations_of=_photo_project_host, name="member_of_photo_host")
    | role_in(
        Role.COUNCIL_OFFICER, organisations_of=_photo_area_council, name="council_of_photo_area"
    ),
)

# --- forums and action plans --------------------------------------------------------------------


def _forum_organisations(forum: Any) -> list[int]:
    return [forum.organisation_id] if forum.organisation_id else []


def _forum_council(forum: Any) -> list[int]:
    return [forum.council_id]


forum_runner = role_in(
    Role.COUNCIL_OFFICER, organisations_of=_forum_council, name="forum_council_officer"
) | role_in(Role.FORUM_MEMBER, organisations_of=_forum_organisations, name="forum_own_member")


def _plan_forum_or_programme(plan: Any) -> list[int]:
    if plan.forum_id:
        return [plan.forum.council_id, *_forum_organisations(plan.forum)]
    return [plan.programme.council_id]


rules.add_perm("action.view_forum", rules.is_authenticated)
rules.add_perm("action.add_forum", is_administrator | is_council_officer)
rules.add_perm("action.change_forum", is_administrator | forum_runner)
rules.add_perm("action.view_actionplan", rules.is_authenticated)
rules.add_perm(
    "action.add_actionplan", is_administrator | _holds(Role.COUNCIL_OFFICER, Role.FORUM_MEMBER)
)
rules.add_perm(
    "action.change_actionplan",
    is_administrator
    | role_in(
        Role.COUNCIL_OFFICER,
        Role.FORUM_MEMBER,
        organisations_of=_plan_forum_or_programme,
        name="runs_plan",
    ),
)

# --- ideas and business cases -------------------------------------------------------------------


def _idea_host(idea: Any) -> list[int]:
    return [idea.host_id] if idea.host_id else []


def _idea_council(idea: Any) -> list[int]:
    return [idea.council_id]


def _idea_service(idea: Any) -> list[int]:
    return [idea.service_organisation_id] if idea.service_organisation_id else []


def _idea_forum(idea: Any) -> list[int]:
    return _forum_organisations(idea.forum) if idea.forum_id else []


answers_idea = role_in(
    Role.COUNCIL_OFFICER, organisations_of=_idea_council, name="council_officer_of_idea"
) | role_in(*OFFICERS, organisations_of=_idea_service, name="officer_of_idea_service")

rules.add_perm(
    "action.add_idea",
    _holds(*HOST_ROLES, *OFFICERS, Role.FORUM_MEMBER, Role.ADMINISTRATOR),
)
rules.add_perm(
    "action.view_idea",
    is_administrator
    | answers_idea
    | role_in(organisations_of=_idea_host, name="member_of_idea_host")
    | role_in(Role.FORUM_MEMBER, organisations_of=_idea_forum, name="member_of_idea_forum"),
)
rules.add_perm("action.change_idea", is_administrator | answers_idea)
rules.add_perm(
    "action.view_savings",
    _holds(Role.ADMINISTRATOR, Role.COUNCIL_OFFICER, Role.PARTNER_OFFICER, Role.HOST_MANAGER),
)

# --- toolkit ------------------------------------------------------------------------------------


@rules.predicate
def wrote_entry(user: Any, entry: Any) -> bool:
    return entry is not None and entry.author_id is not None and entry.author_id == user.pk


def _entry_organisation(entry: Any) -> list[int]:
    return [entry.organisation_id] if entry.organisation_id else []


may_write_toolkit = _holds(*HOST_ROLES, *OFFICERS, Role.ADMINISTRATOR)

rules.add_perm("action.add_toolkitentry", may_write_toolkit)
rules.add_perm(
    "action.change_toolkitentry",
    is_administrator
    | (wrote_entry & may_write_toolkit)
    | role_in(
        Role.HOST_MANAGER, *OFFICERS, organisations_of=_entry_organisation, name="entry_org_officer"
    ),
)
