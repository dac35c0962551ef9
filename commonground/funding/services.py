"""Every write to funds, applications, grants and fundraising. Each is atomic, validated and audited.

The fund's rules are enforced here rather than in forms, so that the site, the API and the commands
all refuse the same things: an application without an exit strategy to a fund that requires one, an
award beyond what is left in the fund, an increase to a one-off grant, a score from an assessor who
declared a conflict of interest.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.core.audit import audit_record
from commonground.core.services import save_changes, unique_slug

from . import threesixty
from .attachments import check_upload
from .models import (
    INDICATOR_CODE_PATTERN,
    Application,
    Assignment,
    Attachment,
    Criterion,
    Fund,
    FundraisingBid,
    FundTheme,
    Grant,
    Milestone,
    MonitoringReturn,
    PastGrant,
    PastGrantImport,
    Payment,
    PostFunding,
    ReturnFigure,
    Round,
    Score,
    Variation,
)

ZERO = Decimal(0)
MAX_IMPORT_BYTES = 25 * 1024 * 1024


def _fail(field_name: str | None, message: str) -> None:
    raise ValidationError({field_name: [message]} if field_name else message)


def _money(amount: Decimal) -> str:
    return f"£{amount:,.0f}" if amount == amount.to_integral_value() else f"£{amount:,.2f}"


# --------------------------------------------------------------------------- funds


@transaction.atomic
def fund_create(
    *,
    actor: Any,
    name: str,
    code: str,
    council: Any,
    source: str,
    amount: Decimal,
    source_detail: str = "",
    description: str = "",
    programme: Any = None,
    one_off: bool = False,
    invest_to_save: bool = False,
    exit_strategy_required: bool = False,
    milestones_required: bool = False,
    max_award: Decimal | None = None,
) -> Fund:
    fund = Fund(
        name=name.strip(),
        slug=unique_slug(Fund, name, fallback="fund"),
        code=code.strip().upper(),
        council=council,
        programme=programme,
        source=source,
        source_detail=source_detail,
        amount=amount,
        description=description,
        one_off=one_off,
        invest_to_save=invest_to_save,
        exit_strategy_required=exit_strategy_required,
        milestones_required=milestones_required,
        max_award=max_award,
    )
    fund.full_clean()
    fund.save()
    audit_record(actor=actor, action="fund.create", obj=fund, organisation_id=council.pk)
    return fund


@transaction.atomic
def fund_update(*, actor: Any, fund: Fund, data: Mapping[str, Any]) -> Fund:
    if "amount" in data:
        committed = committed_amount(fund)
        if data["amount"] < committed:
            _fail(
                "amount",
                _("Grants of %(committed)s have already been awarded from this fund.")
                % {"committed": _money(committed)},
            )
    save_changes(
        actor=actor, instance=fund, data=data, action="fund.update", organisation_id=fund.council_id
    )
    return fund


@transaction.atomic
def fund_theme_add(*, actor: Any, fund: Fund, name: str, description: str = "") -> FundTheme:
    theme = FundTheme(fund=fund, name=name.strip(), description=description)
    theme.full_clean()
    theme.save()
    audit_record(
        actor=actor,
        action="fund.theme_add",
        obj=fund,
        organisation_id=fund.council_id,
        changes={"theme": theme.name},
    )
    return theme


@transaction.atomic
def criterion_add(
    *, actor: Any, fund: Fund, name: str, weight: int, max_score: int = 5, guidance: str = ""
) -> Criterion:
    if Score.objects.filter(criterion__fund=fund).exists():
        _fail(None, _("Scoring has started in this fund, so its criteria can no longer change."))
    position = fund.criteria.count() + 1
    criterion = Criterion(
        fund=fund,
        name=name.strip(),
        weight=weight,
        max_score=max_score,
        guidance=guidance,
        position=position,
    )
    criterion.full_clean()
    criterion.save()
    audit_record(
        actor=actor,
        action="fund.criterion_add",
        obj=fund,
        organisation_id=fund.council_id,
        changes={"criterion": criterion.name, "weight": weight, "max_score": max_score},
    )
    return criterion


@transaction.atomic
def round_create(
    *,
    actor: Any,
    fund: Fund,
    name: str,
    opens_on: date,
    closes_on: date,
    decision_by: date | None = None,
    budget: Decimal | None = None,
) -> Round:
    if budget is not None and budget > fund.amount:
        _fail("budget", _("A round cannot have more than the whole fund."))
    funding_round = Round(
        fund=fund,
        name=name.strip(),
        opens_on=opens_on,
        closes_on=closes_on,
        decision_by=decision_by,
        budget=budget,
    )
    funding_round.full_clean()
    funding_round.save()
    audit_record(
        actor=actor, action="round.create", obj=funding_round, organisation_id=fund.council_id
    )
    return funding_round


def committed_amount(fund: Fund, *, exclude: Grant | None = None) -> Decimal:
    """Money promised to grants that have not been withdrawn."""
    grants = fund.grants.exclude(status=Grant.Status.WITHDRAWN)
    if exclude is not None:
        grants = grants.exclude(pk=exclude.pk)
    return grants.aggregate(total=Sum("amount_awarded"))["total"] or ZERO


# --------------------------------------------------------------------------- applications

APPLICATION_FIELDS = (
    "title",
    "summary",
    "theme",
    "amount_requested",
    "match_funding",
    "match_funding_source",
    "starts_on",
    "ends_on",
    "ward",
    "proposed_milestones",
    "exit_strategy",
    "invest_to_save_case",
    "expected_saving",
)


def _check_theme(funding_round: Round, theme: FundTheme | None) -> None:
    if theme is not None and theme.fund_id != funding_round.fund_id:
        _fail("theme", _("Choose one of this fund's themes."))


@transaction.atomic
def application_create(
    *, actor: Any, funding_round: Round, applicant: Any, data: Mapping[str, Any]
) -> Application:
    if not funding_round.is_open():
        _fail(None, _("This round is not open for applications."))
    unknown = set(data) - set(APPLICATION_FIELDS)
    if unknown:
        raise TypeError(f"not application fields: {sorted(unknown)}")
    _check_theme(funding_round, data.get("theme"))
    application = Application(
        round=funding_round, applicant=applicant, created_by=actor, **dict(data)
    )
    application.full_clean()
    application.save()
    audit_record(
        actor=actor, action="application.create", obj=application, organisation_id=applicant.pk
    )
    return application


@transaction.atomic
def application_update(
    *, actor: Any, application: Application, data: Mapping[str, Any]
) -> Application:
    if application.status != Application.Status.DRAFT:
        _fail(None, _("Only a draft can be changed; this application has been submitted."))
    unknown = set(data) - set(APPLICATION_FIELDS)
    if unknown:
        raise TypeError(f"not application fields: {sorted(unknown)}")
    _check_theme(application.round, data.get("theme"))
    save_changes(
        actor=actor,
        instance=application,
        data=data,
        action="application.update",
        organisation_id=application.applicant_id,
    )
    return application


@transaction.atomic
def attachment_add(
    *, actor: Any, application: Application, upload: UploadedFile, kind: str
) -> Attachment:
    if application.status != Application.Status.DRAFT:
        _fail(None, _("Files can only be added to a draft application."))
    name = Path(upload.name or "file").name[:200]
    content_type = check_upload(name, upload, upload.size or 0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        application=application,
        kind=kind,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    attachment.full_clean(exclude=["file"])
    attachment.file.save(name, upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    audit_record(
        actor=actor,
        action="application.attachment_add",
        obj=application,
        organisation_id=application.applicant_id,
        changes={"file": name, "kind": kind, "size": attachment.size},
    )
    return attachment


def submission_problems(application: Application) -> list[str]:
    """Everything that stops an application being submitted, in the order the form asks for it."""
    fund = application.round.fund
    problems: list[str] = []
    if not application.round.is_open():
        problems.append(_("The round closed on %(date)s.") % {"date": application.round.closes_on})
    if fund.max_award is not None and application.amount_requested > fund.max_award:
        problems.append(_("The most this fund gives is %(max)s.") % {"max": _money(fund.max_award)})
    if fund.themes.exists() and application.theme_id is None:
        problems.append(_("Choose the fund theme the project fits."))
    if fund.milestones_required and not application.proposed_milestones.strip():
        problems.append(_("This fund needs realistic milestones: list them with dates."))
    if fund.exit_strategy_required and not application.exit_strategy.strip():
        problems.append(
            _("This fund needs an exit strategy: say how the work continues when the grant ends.")
        )
    if fund.invest_to_save and not application.invest_to_save_case.strip():
        problems.append(
            _("This fund is invest to save: say what future spending the project avoids.")
        )
    if application.starts_on is None or application.ends_on is None:
        problems.append(_("Give the planned start and end dates."))
    return problems


@transaction.atomic
def application_submit(*, actor: Any, application: Application) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.Status.DRAFT:
        _fail(None, _("This application has already been submitted."))
    problems = submission_problems(application)
    if problems:
        raise ValidationError(problems)
    fund = Fund.objects.select_for_update().get(pk=application.round.fund_id)
    year = application.round.opens_on.year
    prefix = f"{fund.code}-{year}-"
    taken = Application.objects.filter(reference__startswith=prefix).count()
    number = taken + 1
    while Application.objects.filter(reference=f"{prefix}{number:03d}").exists():
        number += 1
    application.reference = f"{prefix}{number:03d}"
    application.status = Application.Status.SUBMITTED
    application.submitted_at = timezone.now()
    application.full_clean()
    application.save()
    audit_record(
        actor=actor,
        action="application.submit",
        obj=application,
        organisation_id=application.applicant_id,
        changes={"reference": application.reference},
    )
    return application


@transaction.atomic
def application_withdraw(*, actor: Any, application: Application, reason: str = "") -> Application:
    if application.status in {
        Application.Status.AWARDED,
        Application.Status.DECLINED,
        Application.Status.WITHDRAWN,
    }:
        _fail(None, _("A decided or withdrawn application cannot be withdrawn."))
    before = application.status
    application.status = Application.Status.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="application.withdraw",
        obj=application,
        organisation_id=application.applicant_id,
        changes={"status": [before, application.status], "reason": reason},
    )
    return application


# --------------------------------------------------------------------------- assessment


@transaction.atomic
def assessor_assign(*, actor: Any, application: Application, assessor: Any) -> Assignment:
    if application.status not in {Application.Status.SUBMITTED, Application.Status.IN_ASSESSMENT}:
        _fail(
            None,
            _("Assessors can be added once an application is submitted and until it is moderated."),
        )
    if assessor.memberships.filter(organisation_id=application.applicant_id).exists():
        _fail(
            "assessor",
            _("%(person)s belongs to the applicant, so cannot assess this application.")
            % {"person": assessor},
        )
    if Assignment.objects.filter(application=application, assessor=assessor).exists():
        _fail(
            "assessor",
            _("%(person)s is already assessing this application.") % {"person": assessor},
        )
    assignment = Assignment(application=application, assessor=assessor, assigned_by=actor)
    assignment.full_clean()
    assignment.save()
    if application.status == Application.Status.SUBMITTED:
        application.status = Application.Status.IN_ASSESSMENT
        application.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="application.assessor_assign",
        obj=application,
        organisation_id=application.round.fund.council_id,
        changes={"assessor": assessor.pk},
    )
    return assignment


@transaction.atomic
def interest_declare(
    *, actor: Any, assignment: Assignment, has_conflict: bool, note: str = ""
) -> Assignment:
    """An assessor says whether they have a conflict of interest; with one, they cannot score."""
    if assignment.assessor_id != actor.pk:
        raise PermissionError("only the assessor declares their own interests")
    if assignment.interest != Assignment.Interest.UNDECLARED:
        _fail(None, _("You have already declared your interests for this application."))
    if has_conflict and not note.strip():
        _fail("note", _("Say what the conflict of interest is."))
    assignment.interest = Assignment.Interest.CONFLICT if has_conflict else Assignment.Interest.NONE
    assignment.interest_note = note.strip()
    assignment.declared_at = timezone.now()
    assignment.full_clean()
    assignment.save()
    audit_record(
        actor=actor,
        action="assignment.declare_interest",
        obj=assignment,
        organisation_id=assignment.application.round.fund.council_id,
        changes={"interest": assignment.interest},
    )
    return assignment


@transaction.atomic
def scores_record(
    *,
    actor: Any,
    assignment: Assignment,
    scores: Mapping[int, tuple[int | None, str]],
    submit: bool = False,
) -> Assignment:
    """Save an assessor's scores (criterion id -> (score, comment)); submit makes them final."""
    if assignment.assessor_id != actor.pk:
        raise PermissionError("only the assessor scores their own assignment")
    if assignment.interest == Assignment.Interest.CONFLICT:
        _fail(None, _("You declared a conflict of interest, so you cannot score this application."))
    if assignment.interest != Assignment.Interest.NONE:
        _fail(None, _("Declare your interests before scoring."))
    if assignment.submitted_at is not None:
        _fail(None, _("Your scores were submitted and can no longer change."))
    if assignment.application.status != Application.Status.IN_ASSESSMENT:
        _fail(None, _("This application is not being scored."))
    criteria = {c.pk: c for c in assignment.application.round.fund.criteria.all()}
    unknown = set(scores) - set(criteria)
    if unknown:
        _fail(None, _("Those criteria do not belong to this fund."))
    errors: dict[str, list[str]] = {}
    kept: dict[int, tuple[int, str]] = {}
    for criterion_id, (value, comment) in scores.items():
        if value is None:
            continue
        criterion = criteria[criterion_id]
        if not 0 <= value <= criterion.max_score:
            errors.setdefault(f"criterion_{criterion_id}", []).append(
                _("Score %(criterion)s from 0 to %(max)s.")
                % {"criterion": criterion.name, "max": criterion.max_score}
            )
        kept[criterion_id] = (value, comment.strip())
    if submit:
        for criterion_id, criterion in criteria.items():
            if criterion_id not in kept:
                errors.setdefault(f"criterion_{criterion_id}", []).append(
                    _("Score %(criterion)s before submitting.") % {"criterion": criterion.name}
                )
    if errors:
        raise ValidationError(errors)
    existing = {score.criterion_id: score for score in assignment.scores.all()}
    changed: dict[str, Any] = {}
    for criterion_id, (value, comment) in kept.items():
        score = existing.get(criterion_id) or Score(
            assignment=assignment, criterion_id=criterion_id
        )
        if score.pk is None or score.score != value or score.comment != comment:
            changed[criteria[criterion_id].name] = value
            score.score = value
            score.comment = comment
            score.criterion = criteria[criterion_id]
            score.full_clean()
            score.save()
    if submit:
        assignment.submitted_at = timezone.now()
        assignment.save(update_fields=["submitted_at", "updated_at"])
    audit_record(
        actor=actor,
        action="assignment.submit" if submit else "assignment.score",
        obj=assignment,
        organisation_id=assignment.application.round.fund.council_id,
        changes={"scores": changed},
    )
    return assignment


@transaction.atomic
def application_moderate(
    *, actor: Any, application: Application, moderated_score: Decimal, note: str
) -> Application:
    """Settle the score after reading every assessor's: usually the mean, unless they disagree."""
    if application.status not in {Application.Status.IN_ASSESSMENT, Application.Status.MODERATED}:
        _fail(None, _("Only an application that has been scored can be moderated."))
    if not application.assignments.filter(
        submitted_at__isnull=False, interest=Assignment.Interest.NONE
    ).exists():
        _fail(None, _("No assessor has submitted scores yet."))
    if not note.strip():
        _fail("note", _("Record why the moderated score is what it is."))
    save_changes(
        actor=actor,
        instance=application,
        data={
            "moderated_score": moderated_score,
            "moderation_note": note.strip(),
            "moderated_by": actor,
            "moderated_at": timezone.now(),
            "status": Application.Status.MODERATED,
        },
        action="application.moderate",
        organisation_id=application.round.fund.council_id,
    )
    return application


@transaction.atomic
def application_decide(
    *,
    actor: Any,
    application: Application,
    award: bool,
    reasons: str,
    amount_awarded: Decimal | None = None,
    conditions: str = "",
    awarded_on: date | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Grant | None:
    """Award or decline. An award becomes a grant; the fund and the round cannot be overspent."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.Status.MODERATED:
        _fail(None, _("Moderate the scores before deciding."))
    if not reasons.strip():
        _fail("reasons", _("Give the reasons for the decision; the applicant is told them."))
    fund = Fund.objects.select_for_update().get(pk=application.round.fund_id)
    grant = None
    if award:
        amount = amount_awarded if amount_awarded is not None else application.amount_requested
        if amount <= 0:
            _fail("amount_awarded", _("An award must be more than £0."))
        left = fund.amount - committed_amount(fund)
        if amount > left:
            _fail(
                "amount_awarded",
                _("Only %(left)s of the fund is left to award.") % {"left": _money(left)},
            )
        funding_round = application.round
        if funding_round.budget is not None:
            round_awarded = (
                Grant.objects.filter(application__round=funding_round)
                .exclude(status=Grant.Status.WITHDRAWN)
                .aggregate(total=Sum("amount_awarded"))["total"]
                or ZERO
            )
            if round_awarded + amount > funding_round.budget:
                _fail(
                    "amount_awarded",
                    _("Only %(left)s of this round's budget is left.")
                    % {"left": _money(funding_round.budget - round_awarded)},
                )
        grant = Grant(
            fund=fund,
            application=application,
            reference=application.reference or f"{fund.code}-{application.pk}",
            recipient=application.applicant,
            title=application.title,
            description=application.summary,
            amount_awarded=amount,
            awarded_on=awarded_on or timezone.localdate(),
            starts_on=starts_on or application.starts_on,
            ends_on=ends_on or application.ends_on,
            ward=application.ward,
            conditions=conditions.strip(),
            exit_strategy=application.exit_strategy,
        )
        grant.full_clean()
        grant.save()
    before = application.status
    application.status = Application.Status.AWARDED if award else Application.Status.DECLINED
    application.decision_reasons = reasons.strip()
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save()
    audit_record(
        actor=actor,
        action="application.decide",
        obj=application,
        organisation_id=fund.council_id,
        changes={
            "status": [before, application.status],
            "grant": grant.reference if grant else None,
            "amount": grant.amount_awarded if grant else None,
        },
    )
    return grant


# --------------------------------------------------------------------------- grants


def paid_amount(grant: Grant) -> Decimal:
    return (
        grant.payments.filter(status=Payment.Status.PAID).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )


@transaction.atomic
def payment_schedule_add(
    *, actor: Any, grant: Grant, due_on: date, amount: Decimal, note: str = ""
) -> Payment:
    if grant.status != Grant.Status.ACTIVE:
        _fail(None, _("Payments can only be scheduled on an active grant."))
    scheduled = (
        grant.payments.exclude(status=Payment.Status.CANCELLED).aggregate(total=Sum("amount"))[
            "total"
        ]
        or ZERO
    )
    if scheduled + amount > grant.amount_awarded:
        _fail(
            "amount",
            _("Payments would come to %(total)s, more than the grant of %(grant)s.")
            % {"total": _money(scheduled + amount), "grant": _money(grant.amount_awarded)},
        )
    payment = Payment(grant=grant, due_on=due_on, amount=amount, note=note)
    payment.full_clean()
    payment.save()
    audit_record(
        actor=actor,
        action="grant.payment_schedule",
        obj=grant,
        organisation_id=grant.fund.council_id,
        changes={"due_on": due_on, "amount": amount},
    )
    return payment


@transaction.atomic
def payment_mark_paid(*, actor: Any, payment: Payment, paid_on: date) -> Payment:
    if payment.status != Payment.Status.SCHEDULED:
        _fail(None, _("Only a scheduled payment can be marked paid."))
    if paid_on > timezone.localdate():
        _fail("paid_on", _("A payment cannot be paid in the future."))
    payment.status = Payment.Status.PAID
    payment.paid_on = paid_on
    payment.full_clean()
    payment.save()
    audit_record(
        actor=actor,
        action="grant.payment_paid",
        obj=payment.grant,
        organisation_id=payment.grant.fund.council_id,
        changes={"payment": payment.pk, "paid_on": paid_on, "amount": payment.amount},
    )
    return payment


@transaction.atomic
def milestone_add(*, actor: Any, grant: Grant, title: str, due_on: date) -> Milestone:
    milestone = Milestone(grant=grant, title=title.strip(), due_on=due_on)
    milestone.full_clean()
    milestone.save()
    audit_record(
        actor=actor,
        action="grant.milestone_add",
        obj=grant,
        organisation_id=grant.fund.council_id,
        changes={"milestone": milestone.title, "due_on": due_on},
    )
    return milestone


@transaction.atomic
def milestone_update(
    *,
    actor: Any,
    milestone: Milestone,
    status: str,
    evidence: str,
    completed_on: date | None = None,
) -> Milestone:
    if status == Milestone.Status.MET:
        if not evidence.strip():
            _fail("evidence", _("Say what shows the milestone was met."))
        completed_on = completed_on or timezone.localdate()
    else:
        completed_on = None
    save_changes(
        actor=actor,
        instance=milestone,
        data={"status": status, "evidence": evidence.strip(), "completed_on": completed_on},
        action="grant.milestone_update",
        organisation_id=milestone.grant.recipient_id,
    )
    return milestone


def indicator_choices() -> list[tuple[str, str]] | None:
    """(code, label) for each indicator the ``impact`` app defines and uses, or None while it
    defines none, in which case any well-formed code is kept."""
    try:
        indicator = apps.get_model("impact", "Indicator")
    except LookupError:
        return None
    names = {getattr(f, "name", "") for f in indicator._meta.get_fields()}
    if "code" not in names:
        return None
    queryset = indicator._default_manager.all()
    if "is_active" in names:
        queryset = queryset.filter(is_active=True)
    rows = list(queryset.values_list("code", "name" if "name" in names else "code"))
    if not rows:
        return None
    return [(code, f"{label} ({code})" if label != code else code) for code, label in rows]


def known_indicator_codes() -> set[str] | None:
    choices = indicator_choices()
    return None if choices is None else {code for code, _label in choices}


@transaction.atomic
def monitoring_return_submit(
    *,
    actor: Any,
    grant: Grant,
    period_start: date,
    period_end: date,
    narrative: str,
    spend: Decimal,
    figures: Mapping[str, tuple[Decimal, str]] | None = None,
) -> MonitoringReturn:
    """A return's figures are keyed by indicator code, e.g. ``{"residents_listened_to": (120, "")}``."""
    if grant.status != Grant.Status.ACTIVE:
        _fail(None, _("Returns are made while a grant is active."))
    figures = dict(figures or {})
    bad = sorted(code for code in figures if not INDICATOR_CODE_PATTERN.match(code))
    if bad:
        _fail("figures", _("Not indicator codes: %(codes)s.") % {"codes": ", ".join(bad)})
    known = known_indicator_codes()
    if known is not None:
        unknown = sorted(set(figures) - known)
        if unknown:
            _fail(
                "figures",
                _("No shared indicator has the code %(codes)s.") % {"codes": ", ".join(unknown)},
            )
    monitoring_return = MonitoringReturn(
        grant=grant,
        period_start=period_start,
        period_end=period_end,
        narrative=narrative.strip(),
        spend=spend,
        submitted_by=actor,
    )
    monitoring_return.full_clean()
    monitoring_return.save()
    rows = [
        ReturnFigure(
            monitoring_return=monitoring_return, indicator_code=code, value=value, note=note
        )
        for code, (value, note) in sorted(figures.items())
    ]
    for row in rows:
        row.full_clean(exclude=["monitoring_return"])
    ReturnFigure.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="grant.return_submit",
        obj=grant,
        organisation_id=grant.recipient_id,
        changes={
            "period": [period_start, period_end],
            "spend": spend,
            "figures": {code: value for code, (value, _note) in figures.items()},
        },
    )
    return monitoring_return


@transaction.atomic
def variation_request(
    *,
    actor: Any,
    grant: Grant,
    kind: str,
    reason: str,
    amount_change: Decimal = ZERO,
    new_ends_on: date | None = None,
) -> Variation:
    if grant.status != Grant.Status.ACTIVE:
        _fail(None, _("Only an active grant can be varied."))
    if kind == Variation.Kind.BUDGET:
        if amount_change == 0:
            _fail("amount_change", _("Give the change to the amount."))
        if amount_change > 0 and grant.fund.one_off:
            _fail(
                "amount_change",
                _("%(fund)s gives one-off funding only, so a grant cannot be increased.")
                % {"fund": grant.fund},
            )
    elif amount_change != 0:
        _fail("amount_change", _("Only a change to the amount can change the amount."))
    if kind == Variation.Kind.TIMING and new_ends_on is None:
        _fail("new_ends_on", _("Give the new end date."))
    if new_ends_on is not None and grant.starts_on and new_ends_on < grant.starts_on:
        _fail("new_ends_on", _("The grant cannot end before it starts."))
    variation = Variation(
        grant=grant,
        kind=kind,
        reason=reason.strip(),
        amount_change=amount_change,
        new_ends_on=new_ends_on,
        requested_by=actor,
    )
    variation.full_clean()
    variation.save()
    audit_record(
        actor=actor,
        action="grant.variation_request",
        obj=grant,
        organisation_id=grant.recipient_id,
        changes={"kind": kind, "amount_change": amount_change, "new_ends_on": new_ends_on},
    )
    return variation


@transaction.atomic
def variation_decide(
    *, actor: Any, variation: Variation, approve: bool, note: str = ""
) -> Variation:
    """Approving applies the change to the grant in the same transaction."""
    if variation.status != Variation.Status.REQUESTED:
        _fail(None, _("This variation has already been decided."))
    grant = Grant.objects.select_for_update().get(pk=variation.grant_id)
    changes: dict[str, Any] = {}
    if approve:
        if variation.amount_change:
            new_amount = grant.amount_awarded + variation.amount_change
            if new_amount <= 0:
                _fail(None, _("The grant would be £0 or less."))
            if new_amount < paid_amount(grant):
                _fail(None, _("The grant would be less than has already been paid."))
            if variation.amount_change > 0:
                left = grant.fund.amount - committed_amount(grant.fund)
                if variation.amount_change > left:
                    _fail(
                        None,
                        _("Only %(left)s of the fund is left to award.") % {"left": _money(left)},
                    )
            changes["amount_awarded"] = [grant.amount_awarded, new_amount]
            grant.amount_awarded = new_amount
        if variation.new_ends_on is not None:
            changes["ends_on"] = [grant.ends_on, variation.new_ends_on]
            grant.ends_on = variation.new_ends_on
        grant.full_clean()
        grant.save()
    variation.status = Variation.Status.APPROVED if approve else Variation.Status.REFUSED
    variation.decided_by = actor
    variation.decided_at = timezone.now()
    variation.decision_note = note.strip()
    variation.save()
    audit_record(
        actor=actor,
        action="grant.variation_decide",
        obj=grant,
        organisation_id=grant.fund.council_id,
        changes={"variation": variation.pk, "status": variation.status, **changes},
    )
    return variation


@transaction.atomic
def grant_flag_risk(*, actor: Any, grant: Grant, at_risk: bool, reason: str = "") -> Grant:
    if at_risk and not reason.strip():
        _fail("reason", _("Say why the grant is at risk."))
    save_changes(
        actor=actor,
        instance=grant,
        data={"at_risk_flag": at_risk, "at_risk_reason": reason.strip() if at_risk else ""},
        action="grant.flag_risk",
        organisation_id=grant.fund.council_id,
    )
    return grant


@transaction.atomic
def grant_close(
    *,
    actor: Any,
    grant: Grant,
    closed_on: date,
    exit_outcome: str,
    closure_report: str,
) -> Grant:
    """Close a grant and cancel payments still scheduled; funds needing an exit strategy need its outcome."""
    if grant.status != Grant.Status.ACTIVE:
        _fail(None, _("Only an active grant can be closed."))
    if grant.fund.exit_strategy_required and not exit_outcome:
        _fail(
            "exit_outcome",
            _("Say what happened to the work after the funding (the exit strategy's outcome)."),
        )
    if not closure_report.strip():
        _fail("closure_report", _("Write a short closure report."))
    cancelled = grant.payments.filter(status=Payment.Status.SCHEDULED).update(
        status=Payment.Status.CANCELLED, updated_at=timezone.now()
    )
    save_changes(
        actor=actor,
        instance=grant,
        data={
            "status": Grant.Status.CLOSED,
            "closed_on": closed_on,
            "exit_outcome": exit_outcome,
            "closure_report": closure_report.strip(),
            "at_risk_flag": False,
        },
        action="grant.close",
        organisation_id=grant.fund.council_id,
    )
    if cancelled:
        audit_record(
            actor=actor,
            action="grant.payments_cancelled",
            obj=grant,
            organisation_id=grant.fund.council_id,
            changes={"payments_cancelled": cancelled},
        )
    return grant


# --------------------------------------------------------------------------- fundraising

BID_FIELDS = (
    "funder_name",
    "title",
    "amount_requested",
    "match_funding",
    "match_funding_source",
    "status",
    "deadline",
    "decision_expected_on",
    "amount_awarded",
    "funding_starts_on",
    "funding_ends_on",
    "notes",
)


@transaction.atomic
def bid_create(*, actor: Any, host: Any, data: Mapping[str, Any]) -> FundraisingBid:
    unknown = set(data) - set(BID_FIELDS)
    if unknown:
        raise TypeError(f"not bid fields: {sorted(unknown)}")
    bid = FundraisingBid(host=host, **dict(data))
    bid.full_clean()
    bid.save()
    audit_record(actor=actor, action="bid.create", obj=bid, organisation_id=host.pk)
    return bid


@transaction.atomic
def bid_update(*, actor: Any, bid: FundraisingBid, data: Mapping[str, Any]) -> FundraisingBid:
    unknown = set(data) - set(BID_FIELDS)
    if unknown:
        raise TypeError(f"not bid fields: {sorted(unknown)}")
    save_changes(
        actor=actor, instance=bid, data=data, action="bid.update", organisation_id=bid.host_id
    )
    return bid


@transaction.atomic
def post_funding_add(
    *,
    actor: Any,
    organiser: Any,
    share_percent: int,
    starts_on: date,
    ends_on: date,
    bid: FundraisingBid | None = None,
    grant: Grant | None = None,
    source_name: str = "",
) -> PostFunding:
    if bid is not None and bid.host_id != organiser.host_id:
        _fail("bid", _("Choose one of your organisation's own bids."))
    if grant is not None and grant.recipient_id != organiser.host_id:
        _fail("grant", _("Choose a grant made to your organisation."))
    if sum(x is not None and x != "" for x in (bid, grant, source_name.strip())) != 1:
        _fail(None, _("Name one source: a bid, a grant, or another source."))
    entry = PostFunding(
        organiser=organiser,
        bid=bid,
        grant=grant,
        source_name=source_name.strip(),
        share_percent=share_percent,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    entry.full_clean()
    if entry.security == PostFunding.Security.SECURED:
        overlapping = [
            existing
            for existing in PostFunding.objects.filter(
                organiser=organiser, starts_on__lte=ends_on, ends_on__gte=starts_on
            ).select_related("bid", "grant")
            if existing.security == PostFunding.Security.SECURED
        ]
        if sum(existing.share_percent for existing in overlapping) + share_percent > 100:
            _fail(
                "share_percent",
                _("Secured funding for this post would come to more than 100% in that period."),
            )
    entry.save()
    audit_record(
        actor=actor,
        action="post_funding.add",
        obj=organiser,
        organisation_id=organiser.host_id,
        changes={"source": entry.source_label, "share": share_percent, "until": ends_on},
    )
    return entry


# --------------------------------------------------------------------------- past grants


class ImportRefused(Exception):
    """The file was not imported at all; ``problems`` says why, row by row."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:3]))
        self.problems = problems


@dataclass
class ImportSummary:
    batch: PastGrantImport
    imported: int
    replaced: int
    problems: list[str] = field(default_factory=list)


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items() if v not in (None, "", (), {})}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _past_grant(record: threesixty.GrantRecord, batch: PastGrantImport) -> PastGrant:
    location = record.beneficiary_locations[0] if record.beneficiary_locations else None
    planned = record.planned_dates
    return PastGrant(
        batch=batch,
        identifier=record.identifier[:200],
        title=record.title[:500],
        description=record.description,
        currency=record.currency[:3],
        amount_awarded=record.amount_awarded,
        award_date=record.award_date,
        recipient_name=record.recipient.name[:300],
        recipient_identifier=(threesixty.organisation_identifier(record.recipient) or "")[:200],
        funder_name=record.funder.name[:300],
        funder_identifier=(threesixty.organisation_identifier(record.funder) or "")[:200],
        programme_title=((record.grant_programme.title if record.grant_programme else None) or "")[
            :300
        ],
        location_name=((location.name if location else None) or "")[:300],
        location_code=((location.geo_code if location else None) or "")[:60],
        planned_start=planned.start_date if planned else None,
        planned_end=planned.end_date if planned else None,
        record=_json_safe(asdict(record)),
    )


@transaction.atomic
def past_grants_import(*, actor: Any, path: Path, file_name: str | None = None) -> ImportSummary:
    """Import a published 360Giving file (.json, .csv, .xlsx) as past grants: all of it, or none.

    Grants already held under the same identifier are replaced by this file's version, so reading
    a funder's newer publication updates what is held. A file where any grant cannot be read is
    refused with every problem listed; optional fields that cannot be read are left empty and
    reported with the import.
    """
    name = file_name or path.name
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise ImportRefused([_("%(name)s is larger than 25 MB.") % {"name": name}])
    try:
        result = threesixty.read_file(path)
    except ValueError as error:
        raise ImportRefused([str(error)]) from error
    except Exception as error:  # a corrupt spreadsheet raises whatever its reader raises
        raise ImportRefused(
            [_("%(name)s could not be read: %(error)s") % {"name": name, "error": error}]
        ) from error
    problems = [str(problem) for problem in result.problems]
    if not result.complete:
        skipped = [
            str(problem)
            for problem in result.problems
            if problem.severity is threesixty.Severity.SKIPPED
        ]
        raise ImportRefused(
            [
                _(
                    "%(name)s was not imported: %(count)s grants could not be read. Fix them and "
                    "import the file again."
                )
                % {"name": name, "count": len(result.skipped_records) or len(skipped)},
                *skipped,
            ]
        )
    if not result.grants:
        raise ImportRefused([_("%(name)s holds no grants.") % {"name": name}])
    identifiers = [grant.identifier for grant in result.grants]
    duplicates = sorted({i for i in identifiers if identifiers.count(i) > 1})
    if duplicates:
        raise ImportRefused(
            [
                _("%(name)s uses the same identifier for several grants: %(ids)s.")
                % {"name": name, "ids": ", ".join(duplicates[:10])}
            ]
        )
    batch = PastGrantImport.objects.create(
        file_name=name[:250],
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        imported_by=actor if getattr(actor, "is_authenticated", False) else None,
        grant_count=len(result.grants),
        problems=problems,
    )
    replaced, _details = PastGrant.objects.filter(identifier__in=identifiers).delete()
    rows = [_past_grant(record, batch) for record in result.grants]
    PastGrant.objects.bulk_create(rows, batch_size=500)
    PastGrantImport.objects.filter(grants__isnull=True).exclude(pk=batch.pk).delete()
    audit_record(
        actor=actor,
        action="past_grants.import",
        obj=batch,
        changes={
            "file": name,
            "grants": len(rows),
            "replaced": replaced,
            "problems": len(problems),
        },
    )
    return ImportSummary(batch=batch, imported=len(rows), replaced=replaced, problems=problems)


def past_grants_import_upload(*, actor: Any, upload: UploadedFile) -> ImportSummary:
    """The same import for a file uploaded on the site: kept in a temporary file while it is read."""
    name = Path(upload.name or "grants").name
    suffix = Path(name).suffix.lower()
    if suffix not in {".json", ".csv", ".xlsx"}:
        raise ImportRefused(
            [_("%(name)s is not a 360Giving file: upload .json, .csv or .xlsx.") % {"name": name}]
        )
    if (upload.size or 0) > MAX_IMPORT_BYTES:
        raise ImportRefused([_("%(name)s is larger than 25 MB.") % {"name": name}])
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"upload{suffix}"
        with target.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        return past_grants_import(actor=actor, path=target, file_name=name)
