"""Who may see and do what with funds, applications, grants and fundraising.

Council officers of the council that runs a fund run it: criteria, rounds, assessors, moderation,
decisions and monitoring. Applicants are the managers of the applying organisation (a host or a
community group) and see their own applications. An assessor sees only the applications they were
assigned to score, and cannot score one where they declared a conflict of interest. Everyone else
with a role (partners, councillors, forum members, organisers) sees awarded grants only, which are
published data.
"""

from __future__ import annotations

from typing import Any

import rules

from commonground.accounts.models import Role
from commonground.accounts.rules import (
    holds_role,
    is_administrator,
    is_council_officer,
    is_host_manager,
    role_in,
)

from .models import Application, Assignment


def _fund_council(fund: Any) -> list[int]:
    return [fund.council_id]


def _application_council(application: Any) -> list[int]:
    return [application.round.fund.council_id]


def _application_applicant(application: Any) -> list[int]:
    return [application.applicant_id]


def _grant_council(grant: Any) -> list[int]:
    return [grant.fund.council_id]


def _grant_recipient(grant: Any) -> list[int]:
    return [grant.recipient_id]


def _bid_host(bid: Any) -> list[int]:
    return [bid.host_id]


def _organiser_host(organiser: Any) -> list[int]:
    return [organiser.host_id]


def _organiser_council(organiser: Any) -> list[int]:
    return [organiser.programme.council_id]


@rules.predicate
def has_any_role(user: Any) -> bool:
    """Published data (funds, awarded grants) is for anyone working in the programme."""
    return holds_role(user)


@rules.predicate
def round_is_open(user: Any, funding_round: Any) -> bool:
    return funding_round is not None and funding_round.is_open()


@rules.predicate
def application_is_draft(user: Any, application: Any) -> bool:
    return application is not None and application.status == Application.Status.DRAFT


@rules.predicate
def application_is_submitted(user: Any, application: Any) -> bool:
    """Officers see an application once it is sent; a draft is the applicant's own."""
    return application is not None and application.status != Application.Status.DRAFT


@rules.predicate
def application_is_undecided(user: Any, application: Any) -> bool:
    return application is not None and application.status not in {
        Application.Status.AWARDED,
        Application.Status.DECLINED,
        Application.Status.WITHDRAWN,
    }


@rules.predicate
def assessor_without_conflict(user: Any, application: Any) -> bool:
    if application is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        Assignment.objects.filter(application=application, assessor=user)
        .exclude(interest=Assignment.Interest.CONFLICT)
        .exists()
    )


@rules.predicate
def is_the_assessor(user: Any, assignment: Any) -> bool:
    return assignment is not None and assignment.assessor_id == user.pk


@rules.predicate
def interest_undeclared(user: Any, assignment: Any) -> bool:
    return assignment is not None and assignment.interest == Assignment.Interest.UNDECLARED


@rules.predicate
def can_still_score(user: Any, assignment: Any) -> bool:
    return (
        assignment is not None
        and assignment.interest == Assignment.Interest.NONE
        and assignment.submitted_at is None
        and assignment.application.status == Application.Status.IN_ASSESSMENT
    )


@rules.predicate
def grant_is_active(user: Any, grant: Any) -> bool:
    return grant is not None and grant.status == "active"


council_officer_of_fund = role_in(
    Role.COUNCIL_OFFICER, organisations_of=_fund_council, name="council_officer_of_fund"
)
council_officer_of_application = role_in(
    Role.COUNCIL_OFFICER,
    organisations_of=_application_council,
    name="council_officer_of_application",
)
applicant_manager = role_in(
    Role.HOST_MANAGER, organisations_of=_application_applicant, name="applicant_manager"
)
council_officer_of_grant = role_in(
    Role.COUNCIL_OFFICER, organisations_of=_grant_council, name="council_officer_of_grant"
)
recipient_manager = role_in(
    Role.HOST_MANAGER, organisations_of=_grant_recipient, name="recipient_manager"
)
bid_host_manager = role_in(Role.HOST_MANAGER, organisations_of=_bid_host, name="bid_host_manager")
host_manager_of_post = role_in(
    Role.HOST_MANAGER, organisations_of=_organiser_host, name="host_manager_of_post"
)
council_officer_of_post = role_in(
    Role.COUNCIL_OFFICER, organisations_of=_organiser_council, name="council_officer_of_post"
)

runs_fund = is_administrator | council_officer_of_fund
runs_application_fund = is_administrator | council_officer_of_application
runs_grant_fund = is_administrator | council_officer_of_grant

rules.add_perm("funding.view_fund", rules.is_authenticated)
rules.add_perm("funding.add_fund", is_administrator | is_council_officer)
rules.add_perm("funding.manage_fund", runs_fund)

rules.add_perm("funding.apply_to_round", is_host_manager & round_is_open)
rules.add_perm(
    "funding.view_application",
    (runs_application_fund & application_is_submitted)
    | applicant_manager
    | assessor_without_conflict,
)
rules.add_perm("funding.change_application", applicant_manager & application_is_draft)
rules.add_perm("funding.withdraw_application", applicant_manager & application_is_undecided)
rules.add_perm("funding.manage_application", runs_application_fund)

rules.add_perm("funding.declare_interest", is_the_assessor & interest_undeclared)
rules.add_perm("funding.score_assignment", is_the_assessor & can_still_score)

rules.add_perm("funding.view_grant", has_any_role)
rules.add_perm("funding.view_grant_monitoring", runs_grant_fund | recipient_manager)
rules.add_perm("funding.manage_grant", runs_grant_fund)
rules.add_perm("funding.report_on_grant", (recipient_manager | runs_grant_fund) & grant_is_active)
rules.add_perm("funding.export_grants", has_any_role)

rules.add_perm("funding.view_past_grant", has_any_role)
rules.add_perm("funding.import_past_grants", is_administrator | is_council_officer)

rules.add_perm("funding.add_bid", is_host_manager)
rules.add_perm("funding.view_bid", is_administrator | bid_host_manager)
rules.add_perm("funding.change_bid", bid_host_manager)
rules.add_perm(
    "funding.view_post_funding",
    is_administrator | host_manager_of_post | council_officer_of_post,
)
rules.add_perm("funding.change_post_funding", host_manager_of_post)
