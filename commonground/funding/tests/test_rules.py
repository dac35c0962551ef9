"""Every role against every funding object, in its own organisation and in another.

Assessors are not a role: they are whoever an officer assigns, so they are tested on their own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from commonground.accounts.models import Membership, Role, User
from commonground.funding.models import Application, Assignment
from commonground.programme.models import Organisation
from commonground.programme.tests.factories import (
    OrganisationFactory,
    OrganiserFactory,
    ProgrammeFactory,
)

from .factories import (
    ApplicationFactory,
    AssignmentFactory,
    BidFactory,
    FundFactory,
    GrantFactory,
    RoundFactory,
)

ROLE_HOME = {
    Role.ORGANISER: "host",
    Role.HOST_MANAGER: "host",
    Role.COUNCIL_OFFICER: "council",
    Role.PARTNER_OFFICER: "partner",
    Role.COUNCILLOR: "council",
    Role.FORUM_MEMBER: "forum",
    Role.ADMINISTRATOR: "council",
}
EVERYONE = set(ROLE_HOME)
ADMIN = {Role.ADMINISTRATOR}
RUNS = {Role.COUNCIL_OFFICER, Role.ADMINISTRATOR}
NOBODY: set[str] = set()

# permission, object key (None: no object), allowed on own world's object, on another world's
MATRIX: list[tuple[str, str | None, set[str], set[str]]] = [
    ("funding.view_fund", "fund", EVERYONE, EVERYONE),
    ("funding.add_fund", None, RUNS, RUNS),
    ("funding.manage_fund", "fund", RUNS, ADMIN),
    ("funding.apply_to_round", "round", {Role.HOST_MANAGER}, {Role.HOST_MANAGER}),
    ("funding.apply_to_round", "closed_round", NOBODY, NOBODY),
    ("funding.view_application", "application", RUNS | {Role.HOST_MANAGER}, ADMIN),
    ("funding.view_application", "draft", {Role.HOST_MANAGER}, NOBODY),
    ("funding.change_application", "draft", {Role.HOST_MANAGER}, NOBODY),
    ("funding.change_application", "application", NOBODY, NOBODY),
    ("funding.withdraw_application", "application", {Role.HOST_MANAGER}, NOBODY),
    ("funding.manage_application", "application", RUNS, ADMIN),
    ("funding.view_grant", "grant", EVERYONE, EVERYONE),
    ("funding.view_grant_monitoring", "grant", RUNS | {Role.HOST_MANAGER}, ADMIN),
    ("funding.manage_grant", "grant", RUNS, ADMIN),
    ("funding.report_on_grant", "grant", RUNS | {Role.HOST_MANAGER}, ADMIN),
    ("funding.report_on_grant", "closed_grant", NOBODY, NOBODY),
    ("funding.export_grants", None, EVERYONE, EVERYONE),
    ("funding.view_past_grant", None, EVERYONE, EVERYONE),
    ("funding.import_past_grants", None, RUNS, RUNS),
    ("funding.add_bid", None, {Role.HOST_MANAGER}, {Role.HOST_MANAGER}),
    ("funding.view_bid", "bid", {Role.HOST_MANAGER, Role.ADMINISTRATOR}, ADMIN),
    ("funding.change_bid", "bid", {Role.HOST_MANAGER}, NOBODY),
    ("funding.view_post_funding", "organiser", RUNS | {Role.HOST_MANAGER}, ADMIN),
    ("funding.change_post_funding", "organiser", {Role.HOST_MANAGER}, NOBODY),
]


def build_world(name: str) -> dict[str, Any]:
    council = OrganisationFactory(
        name=f"{name} council", slug=f"{name}-council", kind=Organisation.Kind.COUNCIL
    )
    host = OrganisationFactory(name=f"{name} host", slug=f"{name}-host")
    partner = OrganisationFactory(
        name=f"{name} police", slug=f"{name}-police", kind=Organisation.Kind.PARTNER
    )
    forum = OrganisationFactory(
        name=f"{name} forum", slug=f"{name}-forum", kind=Organisation.Kind.FORUM
    )
    programme = ProgrammeFactory(council=council, slug=f"{name}-programme")
    programme.organisations.add(host, partner, forum)
    fund = FundFactory(council=council, slug=f"{name}-fund", code=name.upper()[:4])
    open_round = RoundFactory(fund=fund)
    closed_round = RoundFactory(
        fund=fund, opens_on=date(2020, 1, 1), closes_on=date(2020, 2, 1), name="old"
    )
    return {
        "council": council,
        "host": host,
        "partner": partner,
        "forum": forum,
        "fund": fund,
        "round": open_round,
        "closed_round": closed_round,
        "application": ApplicationFactory(round=open_round, applicant=host),
        "draft": ApplicationFactory(
            round=open_round, applicant=host, status=Application.Status.DRAFT, reference=None
        ),
        "grant": GrantFactory(fund=fund, recipient=host),
        "closed_grant": GrantFactory(
            fund=fund, recipient=host, status="closed", closed_on=date(2026, 6, 30)
        ),
        "bid": BidFactory(host=host),
        "organiser": OrganiserFactory(host=host, programme=programme),
    }


@pytest.fixture
def worlds(db: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, User]]:
    own, other = build_world("own"), build_world("other")
    users: dict[str, User] = {}
    for role, home in ROLE_HOME.items():
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
    worlds: Any, permission: str, key: str | None, allowed_own: set[str], allowed_other: set[str]
) -> None:
    own, other, users = worlds
    for role, user in users.items():
        own_object = own[key] if key else None
        other_object = other[key] if key else None
        assert user.has_perm(permission, own_object) == (role in allowed_own), f"{role} on own"
        assert user.has_perm(permission, other_object) == (role in allowed_other), (
            f"{role} on other"
        )


def test_anonymous_has_no_funding_permission(worlds: Any) -> None:
    own, _other, _users = worlds
    anonymous = AnonymousUser()
    for permission, key, _own, _other_roles in MATRIX:
        assert not anonymous.has_perm(permission, own[key] if key else None), permission


def test_assessors_see_only_what_they_score(worlds: Any) -> None:
    """A forum member assigned to one application sees it, and no other; a conflict ends that."""
    own, other, users = worlds
    assessor = users[Role.FORUM_MEMBER]
    unassigned = ApplicationFactory(round=own["round"], applicant=own["host"])
    assignment = AssignmentFactory(application=own["application"], assessor=assessor)
    assert assessor.has_perm("funding.view_application", own["application"])
    assert not assessor.has_perm("funding.view_application", unassigned)
    assert not assessor.has_perm("funding.view_application", other["application"])
    assert not assessor.has_perm("funding.manage_application", own["application"])
    assert assessor.has_perm("funding.declare_interest", assignment)
    assert not assessor.has_perm("funding.score_assignment", assignment), "must declare first"

    assignment.interest = Assignment.Interest.NONE
    assignment.save()
    own["application"].status = Application.Status.IN_ASSESSMENT
    own["application"].save()
    assert assessor.has_perm("funding.score_assignment", assignment)
    assert not assessor.has_perm("funding.declare_interest", assignment)
    assert not users[Role.COUNCIL_OFFICER].has_perm("funding.score_assignment", assignment)

    assignment.interest = Assignment.Interest.CONFLICT
    assignment.save()
    assert not assessor.has_perm("funding.score_assignment", assignment)
    assert not assessor.has_perm("funding.view_application", own["application"])


def test_submitted_scores_cannot_be_changed(worlds: Any) -> None:
    own, _other, users = worlds
    own["application"].status = Application.Status.IN_ASSESSMENT
    own["application"].save()
    assignment = AssignmentFactory(
        application=own["application"],
        assessor=users[Role.PARTNER_OFFICER],
        interest=Assignment.Interest.NONE,
    )
    assert users[Role.PARTNER_OFFICER].has_perm("funding.score_assignment", assignment)
    assignment.submitted_at = timezone.now()
    assert not users[Role.PARTNER_OFFICER].has_perm("funding.score_assignment", assignment)
