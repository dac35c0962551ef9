"""Who may see and change indicators, figures, targets, comparisons and impact reports.

The indicator framework is shared: everyone signed in reads it; council officers and administrators
maintain it. Figures and targets belong to the organisation that recorded or set them, and its
managers (host managers, council officers) change them. A report in draft is read by the members of
the organisation writing it (and, for a programme's report, the programme council's officers);
only its managers edit and publish it. A published version is public: anyone may read it,
signed in or not, because it is made to be reported to communities.
"""

from __future__ import annotations

from typing import Any

import rules

from commonground.accounts.models import Role
from commonground.accounts.rules import (
    is_administrator,
    is_council_officer,
    is_host_manager,
    role_in,
)

MANAGERS = (Role.HOST_MANAGER, Role.COUNCIL_OFFICER)


def _owner(obj: Any) -> list[int]:
    return [obj.organisation_id] if getattr(obj, "organisation_id", None) else []


def _programme_council(report: Any) -> list[int]:
    programme = getattr(report, "for_programme", None)
    return [programme.council_id] if programme is not None else []


def _organisation(obj: Any) -> list[int]:
    return [obj.pk]


member_of_owner = role_in(organisations_of=_owner, name="member_of_owner")
manager_of_owner = role_in(*MANAGERS, organisations_of=_owner, name="manager_of_owner")
council_officer_of_programme = role_in(
    Role.COUNCIL_OFFICER, organisations_of=_programme_council, name="impact_programme_council"
)
manager_of_organisation = role_in(
    *MANAGERS, organisations_of=_organisation, name="manager_of_organisation"
)
is_manager = is_host_manager | is_council_officer

rules.add_perm("impact.view_indicator", rules.is_authenticated)
rules.add_perm("impact.add_indicator", is_administrator | is_council_officer)
rules.add_perm("impact.change_indicator", is_administrator | is_council_officer)

rules.add_perm("impact.view_measurement", rules.is_authenticated)
rules.add_perm("impact.add_measurement", is_administrator | is_manager)
rules.add_perm("impact.change_measurement", is_administrator | manager_of_owner)

rules.add_perm("impact.view_target", rules.is_authenticated)
rules.add_perm("impact.add_target", is_administrator | is_manager)
rules.add_perm("impact.change_target", is_administrator | manager_of_owner)

# Asked of an organisation: may this user record figures, set targets or write reports for it?
rules.add_perm("impact.act_for_organisation", is_administrator | manager_of_organisation)

rules.add_perm("impact.view_comparison", rules.is_authenticated)
rules.add_perm("impact.add_comparison", is_administrator | is_manager)

rules.add_perm("impact.add_report", is_administrator | is_manager)
rules.add_perm(
    "impact.view_report", is_administrator | member_of_owner | council_officer_of_programme
)
rules.add_perm("impact.change_report", is_administrator | manager_of_owner)
rules.add_perm("impact.publish_report", is_administrator | manager_of_owner)
rules.add_perm("impact.view_reportversion", rules.always_allow)
