"""Reads of funds, applications and grants, always for a given viewer.

The officer's view of a fund is computed in the database (one query for a page of grants, whatever
the size of the fund): money paid, spend reported, the next payment, late milestones, and whether
the grant is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.accounts.models import Role
from commonground.accounts.rules import organisation_ids

from .models import (
    Application,
    Assignment,
    Criterion,
    Fund,
    FundraisingBid,
    Grant,
    Milestone,
    MonitoringReturn,
    PastGrant,
    Payment,
    PostFunding,
)

ZERO = Decimal(0)
LATE_FOR_RISK_DAYS = 90
LATE_MILESTONES_FOR_RISK = 2
ENDING_SOON_DAYS = 183
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


def _is_admin(user: Any) -> bool:
    return bool(organisation_ids(user, Role.ADMINISTRATOR))


# --------------------------------------------------------------------------- funds


def fund_list(*, user: Any) -> QuerySet[Fund]:
    """Funds are published: every signed-in user sees them, with what has been awarded."""
    committed = (
        Grant.objects.filter(fund=OuterRef("pk"))
        .exclude(status=Grant.Status.WITHDRAWN)
        .values("fund")
        .annotate(total=Sum("amount_awarded"))
        .values("total")
    )
    return (
        Fund.objects.select_related("council", "programme")
        .annotate(
            awarded_total=Coalesce(Subquery(committed, output_field=MONEY_FIELD), Value(ZERO)),
            grant_count=Count("grants", distinct=True),
        )
        .order_by("name")
    )


def funds_run_by(*, user: Any) -> QuerySet[Fund]:
    if _is_admin(user):
        return Fund.objects.all()
    return Fund.objects.filter(council_id__in=organisation_ids(user, Role.COUNCIL_OFFICER))


def _grant_figures(queryset: QuerySet[Grant], today: date) -> QuerySet[Grant]:
    paid = (
        Payment.objects.filter(grant=OuterRef("pk"), status=Payment.Status.PAID)
        .values("grant")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    spent = (
        MonitoringReturn.objects.filter(grant=OuterRef("pk"))
        .values("grant")
        .annotate(total=Sum("spend"))
        .values("total")
    )
    late = Milestone.objects.filter(grant=OuterRef("pk"), due_on__lt=today).exclude(
        status=Milestone.Status.MET
    )
    late_count = late.values("grant").annotate(n=Count("pk")).values("n")
    milestone_count = (
        Milestone.objects.filter(grant=OuterRef("pk"))
        .values("grant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    met_count = (
        Milestone.objects.filter(grant=OuterRef("pk"), status=Milestone.Status.MET)
        .values("grant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    next_payment = Payment.objects.filter(
        grant=OuterRef("pk"), status=Payment.Status.SCHEDULED
    ).order_by("due_on", "pk")
    last_return = MonitoringReturn.objects.filter(grant=OuterRef("pk")).order_by("-period_end")
    annotated = queryset.annotate(
        paid_total=Coalesce(Subquery(paid, output_field=MONEY_FIELD), Value(ZERO)),
        spent_total=Coalesce(Subquery(spent, output_field=MONEY_FIELD), Value(ZERO)),
        late_count=Coalesce(Subquery(late_count, output_field=IntegerField()), Value(0)),
        oldest_late_due=Subquery(late.order_by("due_on").values("due_on")[:1]),
        milestone_count=Coalesce(Subquery(milestone_count, output_field=IntegerField()), Value(0)),
        milestones_met=Coalesce(Subquery(met_count, output_field=IntegerField()), Value(0)),
        next_payment_due=Subquery(next_payment.values("due_on")[:1]),
        next_payment_amount=Subquery(next_payment.values("amount")[:1]),
        last_return_end=Subquery(last_return.values("period_end")[:1]),
    )
    active = Q(status=Grant.Status.ACTIVE)
    return annotated.annotate(
        is_late=ExpressionWrapper(active & Q(late_count__gt=0), output_field=BooleanField()),
        is_at_risk=ExpressionWrapper(
            active
            & (
                Q(at_risk_flag=True)
                | Q(late_count__gte=LATE_MILESTONES_FOR_RISK)
                | Q(oldest_late_due__lt=today - timedelta(days=LATE_FOR_RISK_DAYS))
            ),
            output_field=BooleanField(),
        ),
    )


def risk_reasons(grant: Grant, *, today: date | None = None) -> list[str]:
    """Why the officer's view calls an annotated grant at risk, in words."""
    today = today or timezone.localdate()
    reasons: list[str] = []
    if grant.status != Grant.Status.ACTIVE:
        return reasons
    if grant.at_risk_flag:
        reasons.append(grant.at_risk_reason or _("flagged by an officer"))
    late_count = getattr(grant, "late_count", 0)
    if late_count >= LATE_MILESTONES_FOR_RISK:
        reasons.append(_("%(count)s milestones late") % {"count": late_count})
    oldest = getattr(grant, "oldest_late_due", None)
    if oldest is not None and oldest < today - timedelta(days=LATE_FOR_RISK_DAYS):
        reasons.append(_("a milestone more than %(days)s days late") % {"days": LATE_FOR_RISK_DAYS})
    return reasons


GRANT_FILTERS = {
    "late": Q(is_late=True),
    "at_risk": Q(is_at_risk=True),
    "active": Q(status=Grant.Status.ACTIVE),
    "closed": Q(status=Grant.Status.CLOSED),
}


def fund_grant_overview(*, user: Any, fund: Fund, show: str = "") -> QuerySet[Grant]:
    """Every grant in a fund with its money and milestones, for the officers who run the fund."""
    if not user.has_perm("funding.manage_fund", fund):
        return Grant.objects.none()
    queryset = _grant_figures(
        Grant.objects.filter(fund=fund).select_related("recipient", "ward"),
        timezone.localdate(),
    )
    if show in GRANT_FILTERS:
        queryset = queryset.filter(GRANT_FILTERS[show])
    return queryset.order_by("reference")


@dataclass
class FundTotals:
    amount: Decimal
    awarded: Decimal
    paid: Decimal
    spent: Decimal
    scheduled: Decimal
    due_now: Decimal
    grants: int
    active: int
    late: int
    at_risk: int
    milestones_late: int

    @property
    def left(self) -> Decimal:
        return self.amount - self.awarded


def fund_totals(*, fund: Fund) -> FundTotals:
    today = timezone.localdate()
    grants = Grant.objects.filter(fund=fund).exclude(status=Grant.Status.WITHDRAWN)
    counts = _grant_figures(grants, today).aggregate(
        grants=Count("pk"),
        active=Count("pk", filter=Q(status=Grant.Status.ACTIVE)),
        late=Count("pk", filter=Q(is_late=True)),
        at_risk=Count("pk", filter=Q(is_at_risk=True)),
    )
    payments = Payment.objects.filter(grant__fund=fund).exclude(
        grant__status=Grant.Status.WITHDRAWN
    )
    money = payments.aggregate(
        paid=Sum("amount", filter=Q(status=Payment.Status.PAID)),
        scheduled=Sum("amount", filter=Q(status=Payment.Status.SCHEDULED)),
        due_now=Sum("amount", filter=Q(status=Payment.Status.SCHEDULED, due_on__lte=today)),
    )
    return FundTotals(
        amount=fund.amount,
        awarded=grants.aggregate(total=Sum("amount_awarded"))["total"] or ZERO,
        paid=money["paid"] or ZERO,
        spent=MonitoringReturn.objects.filter(grant__in=grants).aggregate(total=Sum("spend"))[
            "total"
        ]
        or ZERO,
        scheduled=money["scheduled"] or ZERO,
        due_now=money["due_now"] or ZERO,
        grants=counts["grants"],
        active=counts["active"],
        late=counts["late"],
        at_risk=counts["at_risk"],
        milestones_late=Milestone.objects.filter(
            grant__in=grants.filter(status=Grant.Status.ACTIVE), due_on__lt=today
        )
        .exclude(status=Milestone.Status.MET)
        .count(),
    )


# --------------------------------------------------------------------------- applications


def application_list_visible_to(
    *, user: Any, fund: Fund | None = None, status: str | None = None
) -> QuerySet[Application]:
    """Officers see their funds' applications, applicants their own, assessors what they score."""
    queryset = Application.objects.select_related("round__fund", "applicant", "theme", "ward")
    if _is_admin(user):
        queryset = queryset.exclude(status=Application.Status.DRAFT)
    else:
        visible = (
            (
                Q(round__fund__council_id__in=organisation_ids(user, Role.COUNCIL_OFFICER))
                & ~Q(status=Application.Status.DRAFT)
            )
            | Q(applicant_id__in=organisation_ids(user, Role.HOST_MANAGER))
            | Q(
                pk__in=Assignment.objects.filter(assessor_id=user.pk)
                .exclude(interest=Assignment.Interest.CONFLICT)
                .values("application_id")
            )
        )
        queryset = queryset.filter(visible)
    if fund is not None:
        queryset = queryset.filter(round__fund=fund)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-submitted_at", "-created_at")


def assignments_for_assessor(*, user: Any, open_only: bool = False) -> QuerySet[Assignment]:
    queryset = Assignment.objects.filter(assessor_id=user.pk).select_related(
        "application__round__fund", "application__applicant"
    )
    if open_only:
        queryset = queryset.filter(
            submitted_at__isnull=True,
            application__status=Application.Status.IN_ASSESSMENT,
        ).exclude(interest=Assignment.Interest.CONFLICT)
    return queryset.order_by("application__round__closes_on", "created_at")


def weighted_total(scores: dict[int, int], criteria: list[Criterion]) -> Decimal | None:
    """Out of 100: each criterion's score as a share of its highest, weighted. None if incomplete."""
    if not criteria or any(criterion.pk not in scores for criterion in criteria):
        return None
    weights = sum(criterion.weight for criterion in criteria)
    points = sum(
        Decimal(criterion.weight) * Decimal(scores[criterion.pk]) / Decimal(criterion.max_score)
        for criterion in criteria
    )
    return (points / Decimal(weights) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class AssessmentRow:
    assignment: Assignment
    scores: dict[int, int]
    comments: dict[int, str]
    total: Decimal | None


@dataclass
class AssessmentSummary:
    criteria: list[Criterion]
    rows: list[AssessmentRow] = field(default_factory=list)

    @property
    def submitted_totals(self) -> list[Decimal]:
        return [
            row.total
            for row in self.rows
            if row.total is not None
            and row.assignment.submitted_at is not None
            and row.assignment.interest == Assignment.Interest.NONE
        ]

    @property
    def mean(self) -> Decimal | None:
        totals = self.submitted_totals
        if not totals:
            return None
        return (sum(totals) / len(totals)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def spread(self) -> Decimal | None:
        totals = self.submitted_totals
        return max(totals) - min(totals) if len(totals) > 1 else None


def assessment_summary(*, user: Any, application: Application) -> AssessmentSummary:
    """Officers see every assessor's scores; an assessor sees only their own; applicants none."""
    criteria = list(application.round.fund.criteria.all())
    summary = AssessmentSummary(criteria=criteria)
    assignments = application.assignments.select_related("assessor").prefetch_related("scores")
    if not user.has_perm("funding.manage_application", application):
        assignments = assignments.filter(assessor_id=user.pk)
    for assignment in assignments:
        scores = {score.criterion_id: score.score for score in assignment.scores.all()}
        comments = {
            score.criterion_id: score.comment for score in assignment.scores.all() if score.comment
        }
        summary.rows.append(
            AssessmentRow(
                assignment=assignment,
                scores=scores,
                comments=comments,
                total=weighted_total(scores, criteria),
            )
        )
    return summary


def applications_awaiting(*, user: Any) -> dict[str, int]:
    """For the officer's dashboard: how many applications wait at each step."""
    visible = Application.objects.filter(
        round__fund__in=funds_run_by(user=user),
        status__in=[
            Application.Status.SUBMITTED,
            Application.Status.IN_ASSESSMENT,
            Application.Status.MODERATED,
        ],
    )
    counts = dict(visible.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in Application.Status.values}


# --------------------------------------------------------------------------- grants


def grant_list_visible_to(
    *, user: Any, fund: Fund | None = None, search: str = ""
) -> QuerySet[Grant]:
    """Awarded grants are published data: anyone with a role sees them (never withdrawn ones)."""
    if not user.has_perm("funding.view_grant"):
        return Grant.objects.none()
    queryset = (
        Grant.objects.exclude(status=Grant.Status.WITHDRAWN)
        .select_related("fund", "recipient", "ward")
        .order_by("-awarded_on", "reference")
    )
    if fund is not None:
        queryset = queryset.filter(fund=fund)
    if search:
        queryset = queryset.filter(
            Q(title__icontains=search)
            | Q(recipient__name__icontains=search)
            | Q(reference__icontains=search)
        )
    return queryset


def grants_for_recipient_managers(*, user: Any) -> QuerySet[Grant]:
    """Grants the viewer reports on: those made to organisations they manage."""
    figures = _grant_figures(
        Grant.objects.filter(
            recipient_id__in=organisation_ids(user, Role.HOST_MANAGER),
            status=Grant.Status.ACTIVE,
        ).select_related("fund", "recipient"),
        timezone.localdate(),
    )
    return figures.order_by("ends_on", "reference")


def grant_with_figures(*, grant: Grant) -> Grant:
    return _grant_figures(Grant.objects.filter(pk=grant.pk), timezone.localdate()).get()


def grants_for_export(
    *, user: Any, fund: Fund | None = None, council: Any = None
) -> QuerySet[Grant]:
    """Awarded grants in the order 360Giving files list them, with everything the export reads."""
    paid = (
        Payment.objects.filter(grant=OuterRef("pk"), status=Payment.Status.PAID)
        .values("grant")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    queryset = (
        grant_list_visible_to(user=user, fund=fund)
        .select_related("fund__council__authority", "recipient", "ward", "application")
        .annotate(paid_total=Coalesce(Subquery(paid, output_field=MONEY_FIELD), Value(ZERO)))
        .order_by("fund__council_id", "awarded_on", "reference")
    )
    if council is not None:
        queryset = queryset.filter(fund__council=council)
    return queryset


# --------------------------------------------------------------------------- fundraising


def bid_list_visible_to(*, user: Any, host: Any = None) -> QuerySet[FundraisingBid]:
    queryset = FundraisingBid.objects.select_related("host")
    if not _is_admin(user):
        queryset = queryset.filter(host_id__in=organisation_ids(user, Role.HOST_MANAGER))
    if host is not None:
        queryset = queryset.filter(host=host)
    return queryset.order_by("deadline", "title")


@dataclass
class PostRow:
    """How one organiser post is paid for, read from its sources on ``today``."""

    organiser: Any
    sources: list[PostFunding]
    covered_now: int
    pending_share: int
    first_end: date | None
    last_end: date | None
    today: date

    @property
    def ends_soon(self) -> bool:
        return self.first_end is not None and self.first_end <= self.today + timedelta(
            days=ENDING_SOON_DAYS
        )

    @property
    def fully_funded(self) -> bool:
        return self.covered_now >= 100


def post_funding_rows(*, user: Any, host: Any) -> list[PostRow] | None:
    """Each organiser post of a host: share funded today, pending bids, and when funding ends.

    "Funding ends" is the first date on which a secured source paying for the post today runs out;
    "all secured funding ends" is the last. None when the viewer may not see the host's posts:
    its managers, administrators and council officers of a programme its organisers work in may.
    """
    from commonground.programme.models import Organiser

    organisers = (
        Organiser.objects.filter(host=host, kind=Organiser.Kind.PAID)
        .exclude(stage=Organiser.Stage.FINISHED)
        .select_related("host", "programme")
        .prefetch_related(
            _prefetch_post_funding(),
        )
        .order_by("full_name")
    )
    if not (
        _is_admin(user)
        or host.pk in organisation_ids(user, Role.HOST_MANAGER)
        or organisers.filter(
            programme__council_id__in=organisation_ids(user, Role.COUNCIL_OFFICER)
        ).exists()
    ):
        return None
    today = timezone.localdate()
    rows: list[PostRow] = []
    for organiser in organisers:
        sources = list(organiser.post_funding.all())
        current = [s for s in sources if s.starts_on <= today <= s.ends_on]
        secured_now = [s for s in current if s.security == PostFunding.Security.SECURED]
        secured_future = [
            s for s in sources if s.security == PostFunding.Security.SECURED and s.ends_on >= today
        ]
        pending = [
            s for s in sources if s.security == PostFunding.Security.PENDING and s.ends_on >= today
        ]
        rows.append(
            PostRow(
                organiser=organiser,
                sources=sources,
                covered_now=min(100, sum(s.share_percent for s in secured_now)),
                pending_share=sum(s.share_percent for s in pending),
                first_end=min((s.ends_on for s in secured_now), default=None),
                last_end=max((s.ends_on for s in secured_future), default=None),
                today=today,
            )
        )
    return rows


def _prefetch_post_funding() -> Any:
    from django.db.models import Prefetch

    return Prefetch(
        "post_funding",
        queryset=PostFunding.objects.select_related("bid", "grant").order_by("ends_on"),
    )


# --------------------------------------------------------------------------- past grants


def past_grant_list(*, user: Any, search: str = "", funder: str = "") -> QuerySet[PastGrant]:
    if not user.has_perm("funding.view_past_grant"):
        return PastGrant.objects.none()
    queryset = PastGrant.objects.all()
    if search:
        queryset = queryset.filter(
            Q(title__icontains=search)
            | Q(recipient_name__icontains=search)
            | Q(location_name__icontains=search)
            | Q(location_code__iexact=search)
        )
    if funder:
        queryset = queryset.filter(funder_identifier=funder)
    return queryset.order_by("-award_date", "identifier")


def past_grant_funders(*, user: Any) -> list[tuple[str, str, int]]:
    """(identifier, name, grants) for each funder among the past grants."""
    if not user.has_perm("funding.view_past_grant"):
        return []
    return [
        (row["funder_identifier"], row["funder_name"], row["n"])
        for row in PastGrant.objects.values("funder_identifier", "funder_name")
        .annotate(n=Count("pk"))
        .order_by("funder_name")
    ]
