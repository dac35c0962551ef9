from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from commonground.accounts.models import Role
from commonground.funding import selectors
from commonground.funding.models import Application, Assignment, Criterion, Grant, PostFunding
from commonground.funding.tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    BidFactory,
    CriterionFactory,
    FundFactory,
    GrantFactory,
    MilestoneFactory,
    PaymentFactory,
    ReturnFactory,
)
from commonground.programme.models import Organisation
from commonground.programme.tests.factories import OrganisationFactory, OrganiserFactory

pytestmark = pytest.mark.django_db


def test_weighted_total_is_out_of_100_and_needs_every_criterion() -> None:
    need = Criterion(pk=1, name="Need", weight=3, max_score=5)
    value = Criterion(pk=2, name="Value", weight=1, max_score=4)
    assert selectors.weighted_total({1: 5, 2: 4}, [need, value]) == Decimal("100.0")
    # (3 * 4/5 + 1 * 1/4) / 4 * 100 = 66.25 -> 66.3
    assert selectors.weighted_total({1: 4, 2: 1}, [need, value]) == Decimal("66.3")
    assert selectors.weighted_total({1: 4}, [need, value]) is None


def test_application_lists_follow_the_viewer(make_user: Callable[..., Any]) -> None:
    fund = FundFactory()
    officer = make_user(Role.COUNCIL_OFFICER, fund.council)
    host = OrganisationFactory()
    manager = make_user(Role.HOST_MANAGER, host)
    assessor = make_user(Role.PARTNER_OFFICER, OrganisationFactory(kind=Organisation.Kind.PARTNER))
    councillor = make_user(Role.COUNCILLOR, fund.council)
    submitted = ApplicationFactory(round__fund=fund, applicant=host)
    draft = ApplicationFactory(round__fund=fund, applicant=host, status="draft", reference=None)
    scored = ApplicationFactory(round__fund=fund)
    conflicted = ApplicationFactory(round__fund=fund)
    AssignmentFactory(application=scored, assessor=assessor)
    AssignmentFactory(application=conflicted, assessor=assessor, interest="conflict")

    def visible(user: Any) -> set[int]:
        return set(selectors.application_list_visible_to(user=user).values_list("pk", flat=True))

    assert visible(officer) == {submitted.pk, scored.pk, conflicted.pk}
    assert visible(manager) == {submitted.pk, draft.pk}
    assert visible(assessor) == {scored.pk}
    assert visible(councillor) == set()


def test_assessors_see_only_their_own_scores(make_user: Callable[..., Any]) -> None:
    fund = FundFactory()
    criterion = CriterionFactory(fund=fund)
    application = ApplicationFactory(round__fund=fund, status="in_assessment")
    officer = make_user(Role.COUNCIL_OFFICER, fund.council)
    first = make_user(Role.FORUM_MEMBER, OrganisationFactory())
    second = make_user(Role.FORUM_MEMBER, OrganisationFactory())
    for assessor, score in [(first, 2), (second, 5)]:
        assignment = AssignmentFactory(
            application=application, assessor=assessor, interest="none", submitted_at=timezone.now()
        )
        assignment.scores.create(criterion=criterion, score=score)
    own = selectors.assessment_summary(user=first, application=application)
    assert [row.assignment.assessor_id for row in own.rows] == [first.pk]
    everyone = selectors.assessment_summary(user=officer, application=application)
    assert len(everyone.rows) == 2
    assert everyone.mean == Decimal("70.0")  # (40 + 100) / 2
    assert everyone.spread == Decimal("60.0")


def test_the_fund_view_counts_money_and_lateness(make_user: Callable[..., Any]) -> None:
    today = timezone.localdate()
    fund = FundFactory(amount=Decimal(50_000))
    officer = make_user(Role.COUNCIL_OFFICER, fund.council)
    on_track = GrantFactory(fund=fund, reference="A", amount_awarded=Decimal(10_000))
    PaymentFactory(grant=on_track, amount=Decimal(4_000), status="paid", paid_on=date(2026, 2, 1))
    PaymentFactory(grant=on_track, amount=Decimal(6_000), due_on=today + timedelta(days=40))
    ReturnFactory(grant=on_track, spend=Decimal(1_500))
    MilestoneFactory(grant=on_track, due_on=today - timedelta(days=5), status="met")
    late = GrantFactory(fund=fund, reference="B")
    MilestoneFactory(grant=late, due_on=today - timedelta(days=10))
    PaymentFactory(grant=late, amount=Decimal(2_000), due_on=today - timedelta(days=1))
    very_late = GrantFactory(fund=fund, reference="C")
    MilestoneFactory(grant=very_late, due_on=today - timedelta(days=120), status="missed")
    two_late = GrantFactory(fund=fund, reference="D")
    MilestoneFactory(grant=two_late, due_on=today - timedelta(days=3))
    MilestoneFactory(grant=two_late, due_on=today - timedelta(days=2))
    GrantFactory(fund=fund, reference="E", at_risk_flag=True, at_risk_reason="Lead left.")
    GrantFactory(fund=FundFactory(), reference="OTHER")

    rows = {g.reference: g for g in selectors.fund_grant_overview(user=officer, fund=fund)}
    assert set(rows) == {"A", "B", "C", "D", "E"}
    assert rows["A"].paid_total == Decimal(4_000)
    assert rows["A"].spent_total == Decimal(1_500)
    assert rows["A"].next_payment_due == today + timedelta(days=40)
    assert (rows["A"].milestones_met, rows["A"].milestone_count) == (1, 1)
    assert not rows["A"].is_late and not rows["A"].is_at_risk
    assert rows["B"].is_late and not rows["B"].is_at_risk
    assert rows["C"].is_at_risk and "more than 90 days" in " ".join(
        selectors.risk_reasons(rows["C"])
    )
    assert rows["D"].is_at_risk and rows["D"].late_count == 2
    assert rows["E"].is_at_risk and selectors.risk_reasons(rows["E"]) == ["Lead left."]
    late_only = selectors.fund_grant_overview(user=officer, fund=fund, show="late")
    assert set(late_only.values_list("reference", flat=True)) == {"B", "C", "D"}

    totals = selectors.fund_totals(fund=fund)
    assert totals.awarded == Decimal(50_000)
    assert totals.paid == Decimal(4_000)
    assert totals.spent == Decimal(1_500)
    assert totals.due_now == Decimal(2_000)
    assert (totals.late, totals.at_risk, totals.milestones_late) == (3, 3, 4)
    partner = make_user(Role.PARTNER_OFFICER, OrganisationFactory())
    assert not selectors.fund_grant_overview(user=partner, fund=fund).exists()


def test_closed_grants_are_never_late() -> None:
    grant = GrantFactory(status=Grant.Status.CLOSED, closed_on=date(2026, 5, 1))
    MilestoneFactory(grant=grant, due_on=date(2026, 1, 1))
    figures = selectors.grant_with_figures(grant=grant)
    assert figures.late_count == 1
    assert not figures.is_late and not figures.is_at_risk


def test_published_grants_exclude_withdrawn(make_user: Callable[..., Any]) -> None:
    councillor = make_user(Role.COUNCILLOR, OrganisationFactory(kind=Organisation.Kind.COUNCIL))
    shown = GrantFactory()
    GrantFactory(status=Grant.Status.WITHDRAWN)
    assert list(selectors.grant_list_visible_to(user=councillor)) == [shown]
    nobody = make_user()
    assert not selectors.grant_list_visible_to(user=nobody).exists()


def test_post_funding_shows_what_is_secured_and_when_it_ends(
    make_user: Callable[..., Any],
) -> None:
    today = timezone.localdate()
    organiser = OrganiserFactory()
    manager = make_user(Role.HOST_MANAGER, organiser.host)
    PostFunding.objects.create(
        organiser=organiser,
        source_name="National programme",
        share_percent=60,
        starts_on=today - timedelta(days=200),
        ends_on=today + timedelta(days=60),
    )
    PostFunding.objects.create(
        organiser=organiser,
        source_name="Council",
        share_percent=20,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=400),
    )
    PostFunding.objects.create(
        organiser=organiser,
        bid=BidFactory(host=organiser.host, status="submitted"),
        share_percent=60,
        starts_on=today + timedelta(days=61),
        ends_on=today + timedelta(days=900),
    )
    [row] = selectors.post_funding_rows(user=manager, host=organiser.host)
    assert row.covered_now == 80
    assert not row.fully_funded
    assert row.first_end == today + timedelta(days=60)
    assert row.last_end == today + timedelta(days=400)
    assert row.pending_share == 60
    assert row.ends_soon
    stranger = make_user(Role.HOST_MANAGER, OrganisationFactory())
    assert selectors.post_funding_rows(user=stranger, host=organiser.host) is None


def test_only_open_assignments_are_offered(make_user: Callable[..., Any]) -> None:
    assessor = make_user(Role.FORUM_MEMBER, OrganisationFactory())
    scoring = AssignmentFactory(
        assessor=assessor, application__status=Application.Status.IN_ASSESSMENT
    )
    AssignmentFactory(
        assessor=assessor,
        application__status=Application.Status.IN_ASSESSMENT,
        interest=Assignment.Interest.CONFLICT,
    )
    AssignmentFactory(
        assessor=assessor,
        application__status=Application.Status.IN_ASSESSMENT,
        submitted_at=timezone.now(),
    )
    AssignmentFactory(assessor=assessor, application__status=Application.Status.MODERATED)
    assert list(selectors.assignments_for_assessor(user=assessor, open_only=True)) == [scoring]
    assert selectors.assignments_for_assessor(user=assessor).count() == 4
