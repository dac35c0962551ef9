"""The fund's rules are refused the same way whoever asks, and every write is audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commonground.accounts.models import Role
from commonground.core.models import AuditEvent
from commonground.funding import services
from commonground.funding.models import (
    Application,
    Assignment,
    Grant,
    Milestone,
    Payment,
    PostFunding,
    ReturnFigure,
    Variation,
)
from commonground.programme.models import Organisation
from commonground.programme.tests.factories import OrganisationFactory, OrganiserFactory

from .factories import (
    ApplicationFactory,
    BidFactory,
    CriterionFactory,
    FundFactory,
    GrantFactory,
    MilestoneFactory,
    PaymentFactory,
    RoundFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user: Callable[..., Any]) -> Any:
    council = OrganisationFactory(kind=Organisation.Kind.COUNCIL)
    return make_user(Role.COUNCIL_OFFICER, council)


def _in_assessment(fund: Any = None, **changes: Any) -> Application:
    fund = fund or FundFactory()
    CriterionFactory(fund=fund, name="Need", weight=2, max_score=5)
    CriterionFactory(fund=fund, name="Value", weight=1, max_score=4)
    return ApplicationFactory(
        round=RoundFactory(fund=fund), status=Application.Status.IN_ASSESSMENT, **changes
    )


def test_submission_enforces_the_funds_rules(make_user: Callable[..., Any]) -> None:
    fund = FundFactory(
        exit_strategy_required=True,
        milestones_required=True,
        invest_to_save=True,
        max_award=Decimal(3_000),
        code="MF",
    )
    ThemeFactory(fund=fund, name="Clean and green")
    host = OrganisationFactory()
    manager = make_user(Role.HOST_MANAGER, host)
    application = services.application_create(
        actor=manager,
        funding_round=RoundFactory(fund=fund, opens_on=date(2026, 1, 5)),
        applicant=host,
        data={
            "title": "Tool library",
            "summary": "Lend tools.",
            "amount_requested": Decimal(5_000),
        },
    )
    with pytest.raises(ValidationError) as refused:
        services.application_submit(actor=manager, application=application)
    messages = " ".join(refused.value.messages)
    for expected in [
        "planned start",
        "most this fund gives",
        "theme",
        "milestones",
        "exit strategy",
        "invest to save",
    ]:
        assert expected in messages
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT and application.reference is None

    services.application_update(
        actor=manager,
        application=application,
        data={
            "amount_requested": Decimal(3_000),
            "theme": fund.themes.get(),
            "proposed_milestones": "March 2027: open",
            "exit_strategy": "Members' fees.",
            "invest_to_save_case": "Fewer bulky waste collections.",
            "starts_on": date(2027, 1, 4),
            "ends_on": date(2027, 12, 20),
        },
    )
    submitted = services.application_submit(actor=manager, application=application)
    assert submitted.status == Application.Status.SUBMITTED
    assert submitted.reference == "MF-2026-001"
    assert AuditEvent.objects.filter(action="application.submit", object_id=str(application.pk))


def test_a_closed_round_takes_no_applications(make_user: Callable[..., Any]) -> None:
    host = OrganisationFactory()
    closed = RoundFactory(opens_on=date(2020, 1, 1), closes_on=date(2020, 2, 1))
    with pytest.raises(ValidationError, match="not open"):
        services.application_create(
            actor=make_user(Role.HOST_MANAGER, host),
            funding_round=closed,
            applicant=host,
            data={"title": "Late", "summary": "x", "amount_requested": Decimal(100)},
        )
    assert not Application.objects.exists()


def test_an_applicants_member_cannot_assess_it(officer: Any, make_user: Callable[..., Any]) -> None:
    application = ApplicationFactory()
    insider = make_user(Role.FORUM_MEMBER, application.applicant)
    with pytest.raises(ValidationError, match="belongs to the applicant"):
        services.assessor_assign(actor=officer, application=application, assessor=insider)
    outsider = make_user(Role.FORUM_MEMBER, OrganisationFactory())
    services.assessor_assign(actor=officer, application=application, assessor=outsider)
    application.refresh_from_db()
    assert application.status == Application.Status.IN_ASSESSMENT


def test_a_conflict_of_interest_stops_scoring(officer: Any, make_user: Callable[..., Any]) -> None:
    application = _in_assessment()
    assessor = make_user(Role.PARTNER_OFFICER, OrganisationFactory())
    assignment = services.assessor_assign(actor=officer, application=application, assessor=assessor)
    criteria = list(application.round.fund.criteria.all())
    with pytest.raises(ValidationError, match="Declare your interests"):
        services.scores_record(
            actor=assessor, assignment=assignment, scores={criteria[0].pk: (3, "")}
        )
    with pytest.raises(ValidationError):
        services.interest_declare(actor=assessor, assignment=assignment, has_conflict=True)
    services.interest_declare(
        actor=assessor, assignment=assignment, has_conflict=True, note="My sister runs it."
    )
    with pytest.raises(ValidationError, match="conflict of interest"):
        services.scores_record(
            actor=assessor, assignment=assignment, scores={criteria[0].pk: (3, "")}
        )
    assert not assignment.scores.exists()
    event = AuditEvent.objects.get(action="assignment.declare_interest")
    assert event.changes == {"interest": "conflict"}


def test_scores_are_checked_and_submitting_needs_every_criterion(
    officer: Any, make_user: Callable[..., Any]
) -> None:
    application = _in_assessment()
    assessor = make_user(Role.FORUM_MEMBER, OrganisationFactory())
    assignment = services.assessor_assign(actor=officer, application=application, assessor=assessor)
    services.interest_declare(actor=assessor, assignment=assignment, has_conflict=False)
    need, value = application.round.fund.criteria.order_by("position", "id")
    with pytest.raises(ValidationError) as too_high:
        services.scores_record(actor=assessor, assignment=assignment, scores={value.pk: (5, "")})
    assert f"criterion_{value.pk}" in too_high.value.message_dict
    services.scores_record(actor=assessor, assignment=assignment, scores={need.pk: (4, "Good")})
    with pytest.raises(ValidationError) as incomplete:
        services.scores_record(
            actor=assessor, assignment=assignment, scores={need.pk: (4, "")}, submit=True
        )
    assert f"criterion_{value.pk}" in incomplete.value.message_dict
    services.scores_record(
        actor=assessor,
        assignment=assignment,
        scores={need.pk: (4, "Good"), value.pk: (2, "")},
        submit=True,
    )
    assignment.refresh_from_db()
    assert assignment.submitted_at is not None
    assert {s.criterion_id: s.score for s in assignment.scores.all()} == {need.pk: 4, value.pk: 2}
    with pytest.raises(ValidationError, match="submitted"):
        services.scores_record(actor=assessor, assignment=assignment, scores={need.pk: (1, "")})


def test_someone_else_cannot_score_an_assignment(
    officer: Any, make_user: Callable[..., Any]
) -> None:
    application = _in_assessment()
    assessor = make_user(Role.FORUM_MEMBER, OrganisationFactory())
    assignment = services.assessor_assign(actor=officer, application=application, assessor=assessor)
    with pytest.raises(PermissionError):
        services.interest_declare(actor=officer, assignment=assignment, has_conflict=False)


def _scored(officer: Any, make_user: Callable[..., Any], fund: Any = None, **changes: Any) -> Any:
    application = _in_assessment(fund, **changes)
    assessor = make_user(Role.FORUM_MEMBER, OrganisationFactory())
    assignment = services.assessor_assign(actor=officer, application=application, assessor=assessor)
    services.interest_declare(actor=assessor, assignment=assignment, has_conflict=False)
    services.scores_record(
        actor=assessor,
        assignment=assignment,
        scores={c.pk: (3, "") for c in application.round.fund.criteria.all()},
        submit=True,
    )
    return application


def test_moderation_needs_submitted_scores_and_a_reason(
    officer: Any, make_user: Callable[..., Any]
) -> None:
    unscored = _in_assessment()
    with pytest.raises(ValidationError, match="No assessor"):
        services.application_moderate(
            actor=officer, application=unscored, moderated_score=Decimal(60), note="x"
        )
    application = _scored(officer, make_user)
    with pytest.raises(ValidationError):
        services.application_moderate(
            actor=officer, application=application, moderated_score=Decimal(60), note=" "
        )
    services.application_moderate(
        actor=officer, application=application, moderated_score=Decimal("62.5"), note="Agreed."
    )
    application.refresh_from_db()
    assert application.status == Application.Status.MODERATED
    assert application.moderated_score == Decimal("62.5")


def test_an_award_becomes_a_grant_with_its_conditions(
    officer: Any, make_user: Callable[..., Any]
) -> None:
    application = _scored(officer, make_user, exit_strategy="Volunteers take it on.")
    services.application_moderate(
        actor=officer, application=application, moderated_score=Decimal(70), note="Agreed."
    )
    grant = services.application_decide(
        actor=officer,
        application=application,
        award=True,
        reasons="Strong local need.",
        amount_awarded=Decimal(4_000),
        conditions="Report every quarter.",
    )
    assert grant is not None
    assert grant.amount_awarded == Decimal(4_000)
    assert grant.conditions == "Report every quarter."
    assert grant.reference == application.reference
    assert grant.exit_strategy == "Volunteers take it on."
    assert grant.recipient_id == application.applicant_id
    application.refresh_from_db()
    assert application.status == Application.Status.AWARDED
    assert application.decision_reasons == "Strong local need."
    event = AuditEvent.objects.get(action="application.decide")
    assert event.changes["status"] == ["moderated", "awarded"]


def test_a_decision_needs_reasons_and_cannot_overspend(
    officer: Any, make_user: Callable[..., Any]
) -> None:
    fund = FundFactory(amount=Decimal(10_000))
    GrantFactory(fund=fund, amount_awarded=Decimal(8_000))
    application = _scored(officer, make_user, fund=fund)
    services.application_moderate(
        actor=officer, application=application, moderated_score=Decimal(70), note="Agreed."
    )
    with pytest.raises(ValidationError, match="reasons"):
        services.application_decide(actor=officer, application=application, award=False, reasons="")
    with pytest.raises(ValidationError, match="£2,000"):
        services.application_decide(
            actor=officer,
            application=application,
            award=True,
            reasons="Good.",
            amount_awarded=Decimal(3_000),
        )
    assert not Grant.objects.filter(application=application).exists()
    assert (
        services.application_decide(
            actor=officer, application=application, award=False, reasons="Over budget."
        )
        is None
    )
    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED


def test_a_round_budget_limits_its_awards(officer: Any, make_user: Callable[..., Any]) -> None:
    application = _scored(officer, make_user)
    funding_round = application.round
    funding_round.budget = Decimal(4_000)
    funding_round.save()
    services.application_moderate(
        actor=officer, application=application, moderated_score=Decimal(70), note="Agreed."
    )
    with pytest.raises(ValidationError, match="round's budget"):
        services.application_decide(
            actor=officer,
            application=application,
            award=True,
            reasons="Good.",
            amount_awarded=Decimal(5_000),
        )


def test_payments_cannot_exceed_the_grant(officer: Any) -> None:
    grant = GrantFactory(amount_awarded=Decimal(10_000))
    services.payment_schedule_add(
        actor=officer, grant=grant, due_on=date(2026, 3, 1), amount=Decimal(6_000)
    )
    with pytest.raises(ValidationError, match="more than the grant"):
        services.payment_schedule_add(
            actor=officer, grant=grant, due_on=date(2026, 9, 1), amount=Decimal(4_001)
        )
    payment = grant.payments.get()
    with pytest.raises(ValidationError):
        services.payment_mark_paid(
            actor=officer, payment=payment, paid_on=timezone.localdate() + timedelta(days=1)
        )
    services.payment_mark_paid(actor=officer, payment=payment, paid_on=date(2026, 3, 2))
    assert services.paid_amount(grant) == Decimal(6_000)


def test_a_milestone_is_met_only_with_evidence(officer: Any) -> None:
    milestone = MilestoneFactory(due_on=timezone.localdate() - timedelta(days=3))
    assert milestone.is_late
    with pytest.raises(ValidationError, match="shows"):
        services.milestone_update(actor=officer, milestone=milestone, status="met", evidence="")
    services.milestone_update(
        actor=officer, milestone=milestone, status="met", evidence="Minutes of 3 March."
    )
    milestone.refresh_from_db()
    assert milestone.completed_on == timezone.localdate()
    assert not milestone.is_late


def test_return_figures_are_keyed_by_indicator_code(officer: Any) -> None:
    grant = GrantFactory()
    with pytest.raises(ValidationError, match="Not indicator codes"):
        services.monitoring_return_submit(
            actor=officer,
            grant=grant,
            period_start=date(2026, 2, 1),
            period_end=date(2026, 4, 30),
            narrative="Busy.",
            spend=Decimal(100),
            figures={"Residents Listened To": (Decimal(3), "")},
        )
    services.monitoring_return_submit(
        actor=officer,
        grant=grant,
        period_start=date(2026, 2, 1),
        period_end=date(2026, 4, 30),
        narrative="Busy.",
        spend=Decimal(1_250),
        figures={
            "residents_listened_to": (Decimal(120), ""),
            "volunteer_hours": (Decimal(340), ""),
        },
    )
    figures = dict(
        ReturnFigure.objects.filter(monitoring_return__grant=grant).values_list(
            "indicator_code", "value"
        )
    )
    assert figures == {"residents_listened_to": Decimal(120), "volunteer_hours": Decimal(340)}


def test_a_one_off_grant_cannot_be_increased(officer: Any) -> None:
    grant = GrantFactory(fund=FundFactory(one_off=True), amount_awarded=Decimal(10_000))
    with pytest.raises(ValidationError, match="one-off"):
        services.variation_request(
            actor=officer, grant=grant, kind="budget", reason="More", amount_change=Decimal(500)
        )
    variation = services.variation_request(
        actor=officer, grant=grant, kind="budget", reason="Less", amount_change=Decimal(-1_500)
    )
    services.variation_decide(actor=officer, variation=variation, approve=True, note="Fine.")
    grant.refresh_from_db()
    assert grant.amount_awarded == Decimal(8_500)
    assert Variation.objects.get().status == Variation.Status.APPROVED


def test_a_variation_cannot_cut_below_what_was_paid(officer: Any) -> None:
    grant = GrantFactory(amount_awarded=Decimal(10_000))
    PaymentFactory(grant=grant, amount=Decimal(9_000), status="paid", paid_on=date(2026, 2, 1))
    variation = services.variation_request(
        actor=officer, grant=grant, kind="budget", reason="Less", amount_change=Decimal(-2_000)
    )
    with pytest.raises(ValidationError, match="already been paid"):
        services.variation_decide(actor=officer, variation=variation, approve=True)
    grant.refresh_from_db()
    assert grant.amount_awarded == Decimal(10_000)


def test_a_timing_variation_moves_the_end_date(officer: Any) -> None:
    grant = GrantFactory()
    variation = services.variation_request(
        actor=officer,
        grant=grant,
        kind="timing",
        reason="Lease delayed.",
        new_ends_on=date(2027, 6, 30),
    )
    services.variation_decide(actor=officer, variation=variation, approve=True)
    grant.refresh_from_db()
    assert grant.ends_on == date(2027, 6, 30)


def test_closing_needs_the_exit_strategys_outcome_and_cancels_what_is_unpaid(
    officer: Any,
) -> None:
    grant = GrantFactory(fund=FundFactory(exit_strategy_required=True))
    PaymentFactory(grant=grant, amount=Decimal(4_000), status="paid", paid_on=date(2026, 2, 1))
    PaymentFactory(grant=grant, amount=Decimal(6_000))
    with pytest.raises(ValidationError, match="exit strategy"):
        services.grant_close(
            actor=officer,
            grant=grant,
            closed_on=date(2026, 10, 1),
            exit_outcome="",
            closure_report="Done.",
        )
    services.grant_close(
        actor=officer,
        grant=grant,
        closed_on=date(2026, 10, 1),
        exit_outcome=Grant.ExitOutcome.PARTLY,
        closure_report="Half the sessions continue.",
    )
    grant.refresh_from_db()
    assert grant.status == Grant.Status.CLOSED
    statuses = sorted(grant.payments.values_list("status", flat=True))
    assert statuses == [Payment.Status.CANCELLED, Payment.Status.PAID]
    assert AuditEvent.objects.filter(action="grant.payments_cancelled").exists()


def test_secured_funding_for_a_post_cannot_pass_100_percent(
    make_user: Callable[..., Any],
) -> None:
    organiser = OrganiserFactory()
    manager = make_user(Role.HOST_MANAGER, organiser.host)
    services.post_funding_add(
        actor=manager,
        organiser=organiser,
        share_percent=70,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        source_name="National programme",
    )
    with pytest.raises(ValidationError, match="100%"):
        services.post_funding_add(
            actor=manager,
            organiser=organiser,
            share_percent=40,
            starts_on=date(2026, 6, 1),
            ends_on=date(2027, 5, 31),
            source_name="Council",
        )
    pending = BidFactory(host=organiser.host, status="submitted")
    services.post_funding_add(
        actor=manager,
        organiser=organiser,
        share_percent=40,
        starts_on=date(2026, 6, 1),
        ends_on=date(2027, 5, 31),
        bid=pending,
    )
    other_bid = BidFactory()
    with pytest.raises(ValidationError, match="own bids"):
        services.post_funding_add(
            actor=manager,
            organiser=organiser,
            share_percent=10,
            starts_on=date(2026, 6, 1),
            ends_on=date(2027, 5, 31),
            bid=other_bid,
        )
    assert [entry.security for entry in PostFunding.objects.order_by("pk")] == [
        "secured",
        "pending",
    ]


def test_milestone_status_is_late_only_when_unmet_and_past_due() -> None:
    today = timezone.localdate()
    assert Milestone(due_on=today - timedelta(days=1), status="in_progress").is_late
    assert Milestone(due_on=today - timedelta(days=1), status="missed").is_late
    assert not Milestone(due_on=today - timedelta(days=1), status="met").is_late
    assert not Milestone(due_on=today, status="not_started").is_late


def test_interest_is_recorded_on_the_assignment(
    officer: Any, make_user: Callable[..., Any]
) -> None:
    application = _in_assessment()
    assessor = make_user(Role.FORUM_MEMBER, OrganisationFactory())
    assignment = services.assessor_assign(actor=officer, application=application, assessor=assessor)
    services.interest_declare(actor=assessor, assignment=assignment, has_conflict=False)
    assignment.refresh_from_db()
    assert assignment.interest == Assignment.Interest.NONE
    assert assignment.declared_at is not None


def test_returns_accept_only_the_shared_indicators_once_they_exist(officer: Any) -> None:
    choices = services.indicator_choices()
    if choices is None:
        pytest.skip("no shared indicators are defined")
    codes = {code for code, _label in choices}
    assert "residents_listened_to" in codes
    grant = GrantFactory()
    with pytest.raises(ValidationError, match="No shared indicator has the code"):
        services.monitoring_return_submit(
            actor=officer,
            grant=grant,
            period_start=date(2026, 2, 1),
            period_end=date(2026, 4, 30),
            narrative="Busy.",
            spend=Decimal(10),
            figures={"made_up_indicator": (Decimal(1), "")},
        )
    assert not grant.returns.exists()
