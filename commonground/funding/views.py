from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonground.accounts.models import Role
from commonground.accounts.rules import organisation_ids
from commonground.programme.models import Organisation, Organiser

from . import exchange, selectors, services
from .forms import (
    ApplicationForm,
    AssignAssessorForm,
    AttachmentForm,
    BidForm,
    CloseForm,
    CriterionForm,
    DecisionForm,
    FundForm,
    InterestForm,
    MilestoneForm,
    MilestoneUpdateForm,
    ModerationForm,
    MonitoringReturnForm,
    PastGrantImportForm,
    PaymentForm,
    PaymentPaidForm,
    PostFundingForm,
    RiskForm,
    RoundForm,
    ScoreForm,
    ThemeForm,
    VariationDecisionForm,
    VariationForm,
)
from .models import (
    Application,
    Assignment,
    Attachment,
    Fund,
    FundraisingBid,
    Grant,
    Milestone,
    Payment,
    Round,
    Variation,
)


def _require(request: HttpRequest, permission: str, obj: Any = None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def _page(request: HttpRequest, queryset: Any, per_page: int = 25) -> dict[str, Any]:
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return {"page_obj": page, "querystring_without_page": f"{encoded}&" if encoded else ""}


def _apply_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _form_page(
    request: HttpRequest,
    form: Form,
    *,
    title: str,
    caption: str = "",
    back: str | None = None,
    submit: str = "",
    intro: str = "",
    multipart: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "caption": caption,
        "back": back,
        "submit": submit or _("Save"),
        "intro": intro,
        "multipart": multipart,
    }
    return render(request, "funding/form.html", context, status=status)


def _application(public_id: Any) -> Application:
    return get_object_or_404(
        Application.objects.select_related("round__fund__council", "applicant", "theme", "ward"),
        public_id=public_id,
    )


def _grant(public_id: Any) -> Grant:
    return get_object_or_404(
        Grant.objects.select_related("fund__council", "recipient", "ward", "application"),
        public_id=public_id,
    )


# --------------------------------------------------------------------------- funds


@login_required
def fund_list(request: HttpRequest) -> HttpResponse:
    _require(request, "funding.view_fund")
    funds = selectors.fund_list(user=request.user)
    rounds = (
        Round.objects.select_related("fund")
        .filter(closes_on__gte=timezone.localdate())
        .order_by("closes_on")
    )
    context = {
        "funds": funds,
        "open_rounds": [r for r in rounds if r.is_open()],
        "can_add": request.user.has_perm("funding.add_fund"),
        "runs": set(selectors.funds_run_by(user=request.user).values_list("pk", flat=True)),
        "can_export": request.user.has_perm("funding.export_grants"),
        "councils": Organisation.objects.filter(funds_run__isnull=False).distinct(),
    }
    return render(request, "funding/fund_list.html", context)


def _councils_for(user: Any) -> Any:
    if organisation_ids(user, Role.ADMINISTRATOR):
        return Organisation.objects.filter(kind=Organisation.Kind.COUNCIL)
    return Organisation.objects.filter(pk__in=organisation_ids(user, Role.COUNCIL_OFFICER))


@login_required
def fund_create(request: HttpRequest) -> HttpResponse:
    _require(request, "funding.add_fund")
    form = FundForm(request.POST or None, councils=_councils_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not request.user.has_perm(
            "funding.manage_fund", Fund(council=data["council"])
        ):  # only for the councils one works in
            raise PermissionDenied
        try:
            fund = services.fund_create(actor=request.user, **data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": fund.name})
            return redirect(fund)
    return _form_page(request, form, title=_("Set up a fund"), back="/funding/")


@login_required
def fund_detail(request: HttpRequest, slug: str) -> HttpResponse:
    fund = get_object_or_404(Fund.objects.select_related("council", "programme"), slug=slug)
    _require(request, "funding.view_fund", fund)
    can_manage = request.user.has_perm("funding.manage_fund", fund)
    context = {
        "fund": fund,
        "themes": fund.themes.all(),
        "criteria": fund.criteria.all(),
        "rounds": [
            (r, request.user.has_perm("funding.apply_to_round", r)) for r in fund.rounds.all()
        ],
        "can_manage": can_manage,
        "totals": selectors.fund_totals(fund=fund),
    }
    return render(request, "funding/fund_detail.html", context)


def _fund_part(request: HttpRequest, slug: str, form_class: type[Form]) -> Any:
    fund = get_object_or_404(Fund.objects.select_related("council"), slug=slug)
    _require(request, "funding.manage_fund", fund)
    return fund, form_class(request.POST or None)


@login_required
def fund_theme_add(request: HttpRequest, slug: str) -> HttpResponse:
    fund, form = _fund_part(request, slug, ThemeForm)
    if request.method == "POST" and form.is_valid():
        try:
            services.fund_theme_add(actor=request.user, fund=fund, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The theme was added."))
            return redirect(fund)
    return _form_page(
        request, form, title=_("Add a theme"), caption=fund.name, back=fund.get_absolute_url()
    )


@login_required
def fund_criterion_add(request: HttpRequest, slug: str) -> HttpResponse:
    fund, form = _fund_part(request, slug, CriterionForm)
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_add(actor=request.user, fund=fund, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The criterion was added."))
            return redirect(fund)
    return _form_page(
        request, form, title=_("Add a criterion"), caption=fund.name, back=fund.get_absolute_url()
    )


@login_required
def round_create(request: HttpRequest, slug: str) -> HttpResponse:
    fund, form = _fund_part(request, slug, RoundForm)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_create(actor=request.user, fund=fund, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The round was added."))
            return redirect(fund)
    return _form_page(
        request, form, title=_("Open a round"), caption=fund.name, back=fund.get_absolute_url()
    )


@login_required
def fund_grants(request: HttpRequest, slug: str) -> HttpResponse:
    """The officer's view of every grant in a fund: spent, due, late, at risk."""
    fund = get_object_or_404(Fund.objects.select_related("council"), slug=slug)
    _require(request, "funding.manage_fund", fund)
    show = request.GET.get("show", "")
    grants = selectors.fund_grant_overview(user=request.user, fund=fund, show=show)
    context = {
        "fund": fund,
        "show": show if show in selectors.GRANT_FILTERS else "",
        "today": timezone.localdate(),
        "totals": selectors.fund_totals(fund=fund),
        "filters": [
            ("", _("All")),
            ("late", _("Late")),
            ("at_risk", _("At risk")),
            ("active", _("Active")),
            ("closed", _("Closed")),
        ],
        **_page(request, grants, per_page=50),
    }
    page = context["page_obj"]
    context["rows"] = [(grant, selectors.risk_reasons(grant)) for grant in page.object_list]
    return render(request, "funding/fund_grants.html", context)


@login_required
def fund_applications(request: HttpRequest, slug: str) -> HttpResponse:
    fund = get_object_or_404(Fund.objects.select_related("council"), slug=slug)
    _require(request, "funding.manage_fund", fund)
    status = request.GET.get("status") or None
    applications = selectors.application_list_visible_to(
        user=request.user, fund=fund, status=status
    ).annotate(
        assessor_count=Count("assignments", distinct=True),
    )
    context = {
        "fund": fund,
        "status": status,
        "statuses": Application.Status.choices,
        **_page(request, applications),
    }
    return render(request, "funding/fund_applications.html", context)


# --------------------------------------------------------------------------- applications


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = selectors.application_list_visible_to(user=request.user).filter(
        applicant_id__in=organisation_ids(request.user, Role.HOST_MANAGER)
    )
    assignments = selectors.assignments_for_assessor(user=request.user)
    open_rounds = [
        r
        for r in Round.objects.select_related("fund").filter(closes_on__gte=timezone.localdate())
        if request.user.has_perm("funding.apply_to_round", r)
    ]
    context = {
        "applications": applications,
        "assignments": assignments,
        "open_rounds": open_rounds,
    }
    return render(request, "funding/application_list.html", context)


@login_required
def application_create(request: HttpRequest, public_id: str) -> HttpResponse:
    funding_round = get_object_or_404(
        Round.objects.select_related("fund__council"), public_id=public_id
    )
    _require(request, "funding.apply_to_round", funding_round)
    applicants = Organisation.objects.filter(
        pk__in=organisation_ids(request.user, Role.HOST_MANAGER)
    ).order_by("name")
    form = ApplicationForm(request.POST or None, funding_round=funding_round, applicants=applicants)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                actor=request.user,
                funding_round=funding_round,
                applicant=form.cleaned_data["applicant"],
                data=form.application_data(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Your draft was saved. Add any files, then check and submit it."),
            )
            return redirect(application)
    return _form_page(
        request,
        form,
        title=_("Apply to %(round)s") % {"round": funding_round.name},
        caption=funding_round.fund.name,
        back=funding_round.fund.get_absolute_url(),
        submit=_("Save draft"),
        intro=_("You can save a draft and come back to it. Nothing is sent until you submit."),
    )


@login_required
def application_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    application = _application(public_id)
    _require(request, "funding.view_application", application)
    user = request.user
    can_manage = user.has_perm("funding.manage_application", application)
    own_assignment = application.assignments.filter(assessor=user).first()
    summary = (
        selectors.assessment_summary(user=user, application=application)
        if can_manage or own_assignment is not None
        else None
    )
    context = {
        "application": application,
        "fund": application.round.fund,
        "attachments": application.attachments.all(),
        "summary": summary,
        "own_assignment": own_assignment,
        "can_manage": can_manage,
        "can_change": user.has_perm("funding.change_application", application),
        "can_withdraw": user.has_perm("funding.withdraw_application", application),
        "problems": services.submission_problems(application)
        if application.status == Application.Status.DRAFT
        else [],
        "grant": Grant.objects.filter(application=application).first(),
        "moderation_form": ModerationForm(
            initial={"moderated_score": summary.mean if summary else None}
        )
        if can_manage and application.status == Application.Status.IN_ASSESSMENT
        else None,
    }
    return render(request, "funding/application_detail.html", context)


@login_required
def application_update(request: HttpRequest, public_id: str) -> HttpResponse:
    application = _application(public_id)
    _require(request, "funding.change_application", application)
    form = ApplicationForm(
        request.POST or None, instance=application, funding_round=application.round
    )
    if request.method == "POST" and form.is_valid():
        fresh = Application.objects.get(pk=application.pk)
        try:
            services.application_update(
                actor=request.user, application=fresh, data=form.application_data()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your draft was saved."))
            return redirect(fresh)
    return _form_page(
        request,
        form,
        title=_("Change your application"),
        caption=application.round.name,
        back=application.get_absolute_url(),
        submit=_("Save draft"),
    )


@login_required
@require_POST
def application_submit(request: HttpRequest, public_id: str) -> HttpResponse:
    application = _application(public_id)
    _require(request, "funding.change_application", application)
    try:
        application = services.application_submit(actor=request.user, application=application)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    else:
        messages.success(
            request,
            _("Your application was submitted. Its reference is %(reference)s.")
            % {"reference": application.reference},
        )
    return redirect(application)


@login_required
def application_withdraw(request: HttpRequest, public_id: str) -> HttpResponse:
    application = _application(public_id)
    _require(request, "funding.withdraw_application", application)
    if request.method == "POST":
        try:
            services.application_withdraw(
                actor=request.user,
                application=application,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The application was withdrawn."))
        return redirect(application)
    return render(request, "funding/application_withdraw.html", {"application": application})


@login_required
def attachment_add(request: HttpRequest, public_id: str) -> HttpResponse:
    application = _application(public_id)
    _require(request, "funding.change_application", application)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attachment_add(
                actor=request.user,
                application=application,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The file was added."))
            return redirect(application)
    return _form_page(
        request,
        form,
        title=_("Add a file"),
        caption=application.title,
        back=application.get_absolute_url(),
        submit=_("Upload"),
        multipart=True,
    )


@login_required
def attachment_download(request: HttpRequest, public_id: str) -> FileResponse:
    """Files are served only through here, after the same check as the application itself."""
    attachment = get_object_or_404(
        Attachment.objects.select_related("application__round__fund"), public_id=public_id
    )
    _require(request, "funding.view_application", attachment.application)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --------------------------------------------------------------------------- assessment


@login_required
def assessor_assign(request: HttpRequest, public_id: str) -> HttpResponse:
    application = _application(public_id)
    _require(request, "funding.manage_application", application)
    form = AssignAssessorForm(request.POST or None, application=application)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessor_assign(
                actor=request.user, application=application, assessor=form.cleaned_data["assessor"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The assessor was added."))
            return redirect(application)
    return _form_page(
        request,
        form,
        title=_("Add an assessor"),
        caption=application.title,
        back=application.get_absolute_url(),
        intro=_(
            "Assessors see only the applications they are asked to score. People who belong to "
            "the applicant cannot be chosen."
        ),
    )


def _assignment(request: HttpRequest, public_id: str) -> Assignment:
    assignment = get_object_or_404(
        Assignment.objects.select_related(
            "application__round__fund__council", "application__applicant", "assessor"
        ),
        public_id=public_id,
    )
    if assignment.assessor_id != request.user.pk:
        raise PermissionDenied
    return assignment


@login_required
def assignment_declare(request: HttpRequest, public_id: str) -> HttpResponse:
    assignment = _assignment(request, public_id)
    _require(request, "funding.declare_interest", assignment)
    form = InterestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.interest_declare(
                actor=request.user,
                assignment=assignment,
                has_conflict=form.cleaned_data["has_conflict"] == "yes",
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if assignment.interest == Assignment.Interest.CONFLICT:
                messages.success(
                    request,
                    _("Thank you. You will not score this application; the fund's officers know."),
                )
                return redirect("funding:application_list")
            return redirect(assignment)
    return render(
        request,
        "funding/assignment_declare.html",
        {"assignment": assignment, "application": assignment.application, "form": form},
    )


@login_required
def assignment_score(request: HttpRequest, public_id: str) -> HttpResponse:
    assignment = _assignment(request, public_id)
    if assignment.interest == Assignment.Interest.UNDECLARED:
        return redirect("funding:assignment_declare", public_id=assignment.public_id)
    if assignment.interest == Assignment.Interest.CONFLICT:
        raise PermissionDenied
    application = assignment.application
    criteria = list(application.round.fund.criteria.all())
    existing = list(assignment.scores.all())
    can_score = request.user.has_perm("funding.score_assignment", assignment)
    form = ScoreForm(
        request.POST if request.method == "POST" and can_score else None,
        criteria=criteria,
        initial_scores={s.criterion_id: s.score for s in existing},
        initial_comments={s.criterion_id: s.comment for s in existing},
    )
    if request.method == "POST":
        if not can_score:
            raise PermissionDenied
        if form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                services.scores_record(
                    actor=request.user, assignment=assignment, scores=form.scores(), submit=submit
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                if submit:
                    messages.success(request, _("Your scores were submitted. Thank you."))
                    return redirect("funding:application_list")
                messages.success(request, _("Your scores were saved. Submit them when finished."))
                return redirect(assignment)
    summary = selectors.assessment_summary(user=request.user, application=application)
    context = {
        "assignment": assignment,
        "application": application,
        "attachments": application.attachments.all(),
        "form": form,
        "can_score": can_score,
        "own_total": summary.rows[0].total if summary.rows else None,
    }
    return render(request, "funding/assignment_score.html", context)


@login_required
@require_POST
def application_moderate(request: HttpRequest, public_id: str) -> HttpResponse:
    application = _application(public_id)
    _require(request, "funding.manage_application", application)
    form = ModerationForm(request.POST)
    if form.is_valid():
        try:
            services.application_moderate(
                actor=request.user,
                application=application,
                moderated_score=form.cleaned_data["moderated_score"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The moderated score was recorded."))
    else:
        messages.error(request, _("Give a score from 0 to 100 and say why."))
    return redirect(application)


@login_required
def application_decide(request: HttpRequest, public_id: str) -> HttpResponse:
    application = _application(public_id)
    _require(request, "funding.manage_application", application)
    form = DecisionForm(
        request.POST or None,
        initial={
            "amount_awarded": application.amount_requested,
            "starts_on": application.starts_on,
            "ends_on": application.ends_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = services.application_decide(
                actor=request.user,
                application=application,
                award=data["outcome"] == "award",
                reasons=data["reasons"],
                amount_awarded=data["amount_awarded"],
                conditions=data["conditions"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if grant is not None:
                messages.success(
                    request, _("Grant %(reference)s was awarded.") % {"reference": grant.reference}
                )
                return redirect(grant)
            messages.success(request, _("The application was declined."))
            return redirect(application)
    return _form_page(
        request,
        form,
        title=_("Decide"),
        caption=application.title,
        back=application.get_absolute_url(),
        submit=_("Record the decision"),
        intro=_("Moderated score: %(score)s out of 100.")
        % {
            "score": application.moderated_score if application.moderated_score is not None else "–"
        },
    )


# --------------------------------------------------------------------------- grants


@login_required
def grant_list(request: HttpRequest) -> HttpResponse:
    _require(request, "funding.view_grant")
    fund_slug = request.GET.get("fund") or ""
    fund = Fund.objects.filter(slug=fund_slug).first() if fund_slug else None
    search = request.GET.get("q", "").strip()
    grants = selectors.grant_list_visible_to(user=request.user, fund=fund, search=search)
    context = {
        "fund": fund,
        "funds": Fund.objects.order_by("name"),
        "q": search,
        **_page(request, grants),
    }
    return render(request, "funding/grant_list.html", context)


@login_required
def grant_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    grant = _grant(public_id)
    _require(request, "funding.view_grant", grant)
    user = request.user
    can_monitor = user.has_perm("funding.view_grant_monitoring", grant)
    context: dict[str, Any] = {
        "grant": grant,
        "can_monitor": can_monitor,
        "can_manage": user.has_perm("funding.manage_grant", grant),
        "can_report": user.has_perm("funding.report_on_grant", grant),
    }
    if can_monitor:
        figures = selectors.grant_with_figures(grant=grant)
        context.update(
            {
                "figures": figures,
                "risk": selectors.risk_reasons(figures),
                "payments": grant.payments.all(),
                "milestones": grant.milestones.all(),
                "returns": grant.returns.prefetch_related("figures").select_related("submitted_by"),
                "variations": grant.variations.select_related("requested_by", "decided_by"),
            }
        )
    return render(request, "funding/grant_detail.html", context)


def _grant_form(
    request: HttpRequest,
    public_id: str,
    permission: str,
    form: Form,
    title: str,
    action: Any,
    success: str,
    **page: Any,
) -> HttpResponse:
    grant = _grant(public_id)
    _require(request, permission, grant)
    if request.method == "POST" and form.is_valid():
        try:
            action(grant, form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(grant)
    return _form_page(
        request, form, title=title, caption=str(grant), back=grant.get_absolute_url(), **page
    )


@login_required
def payment_add(request: HttpRequest, public_id: str) -> HttpResponse:
    return _grant_form(
        request,
        public_id,
        "funding.manage_grant",
        PaymentForm(request.POST or None),
        _("Schedule a payment"),
        lambda grant, data: services.payment_schedule_add(actor=request.user, grant=grant, **data),
        _("The payment was scheduled."),
    )


@login_required
def payment_paid(request: HttpRequest, public_id: str) -> HttpResponse:
    payment = get_object_or_404(Payment.objects.select_related("grant__fund"), public_id=public_id)
    _require(request, "funding.manage_grant", payment.grant)
    form = PaymentPaidForm(request.POST or None, initial={"paid_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_mark_paid(
                actor=request.user, payment=payment, paid_on=form.cleaned_data["paid_on"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The payment was marked paid."))
            return redirect(payment.grant)
    return _form_page(
        request,
        form,
        title=_("Mark a payment paid"),
        caption=str(payment),
        back=payment.grant.get_absolute_url(),
    )


@login_required
def milestone_add(request: HttpRequest, public_id: str) -> HttpResponse:
    return _grant_form(
        request,
        public_id,
        "funding.manage_grant",
        MilestoneForm(request.POST or None),
        _("Add a milestone"),
        lambda grant, data: services.milestone_add(actor=request.user, grant=grant, **data),
        _("The milestone was added."),
    )


@login_required
def milestone_update(request: HttpRequest, public_id: str) -> HttpResponse:
    milestone = get_object_or_404(
        Milestone.objects.select_related("grant__fund"), public_id=public_id
    )
    _require(request, "funding.report_on_grant", milestone.grant)
    form = MilestoneUpdateForm(
        request.POST or None,
        initial={
            "status": milestone.status,
            "evidence": milestone.evidence,
            "completed_on": milestone.completed_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_update(actor=request.user, milestone=milestone, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The milestone was updated."))
            return redirect(milestone.grant)
    return _form_page(
        request,
        form,
        title=_("Update a milestone"),
        caption=f"{milestone.title} ({milestone.due_on:%d %B %Y})",
        back=milestone.grant.get_absolute_url(),
    )


@login_required
def return_add(request: HttpRequest, public_id: str) -> HttpResponse:
    form = MonitoringReturnForm(request.POST or None, indicators=services.indicator_choices())
    return _grant_form(
        request,
        public_id,
        "funding.report_on_grant",
        form,
        _("Send a monitoring return"),
        lambda grant, data: services.monitoring_return_submit(
            actor=request.user,
            grant=grant,
            period_start=data["period_start"],
            period_end=data["period_end"],
            narrative=data["narrative"],
            spend=data["spend"],
            figures=form.figures(),
        ),
        _("Your return was sent."),
        intro=_(
            "Figures are counted against the shared indicators, named by their code, so that "
            "every host's numbers add up the same way."
        ),
    )


@login_required
def variation_add(request: HttpRequest, public_id: str) -> HttpResponse:
    return _grant_form(
        request,
        public_id,
        "funding.report_on_grant",
        VariationForm(request.POST or None),
        _("Ask for a change to the grant"),
        lambda grant, data: services.variation_request(
            actor=request.user,
            grant=grant,
            kind=data["kind"],
            reason=data["reason"],
            amount_change=data["amount_change"] or 0,
            new_ends_on=data["new_ends_on"],
        ),
        _("The variation was requested."),
    )


@login_required
def variation_decide(request: HttpRequest, public_id: str) -> HttpResponse:
    variation = get_object_or_404(
        Variation.objects.select_related("grant__fund"), public_id=public_id
    )
    _require(request, "funding.manage_grant", variation.grant)
    form = VariationDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.variation_decide(
                actor=request.user,
                variation=variation,
                approve=form.cleaned_data["approve"] == "yes",
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The variation was decided."))
            return redirect(variation.grant)
    return _form_page(
        request,
        form,
        title=_("Decide a variation"),
        caption=str(variation.grant),
        back=variation.grant.get_absolute_url(),
        intro=variation.reason,
    )


@login_required
def grant_risk(request: HttpRequest, public_id: str) -> HttpResponse:
    grant = _grant(public_id)
    form = RiskForm(
        request.POST or None,
        initial={"at_risk": grant.at_risk_flag, "reason": grant.at_risk_reason},
    )
    return _grant_form(
        request,
        public_id,
        "funding.manage_grant",
        form,
        _("Flag the grant at risk"),
        lambda grant, data: services.grant_flag_risk(
            actor=request.user, grant=grant, at_risk=data["at_risk"], reason=data["reason"]
        ),
        _("The grant's risk was updated."),
    )


@login_required
def grant_close(request: HttpRequest, public_id: str) -> HttpResponse:
    return _grant_form(
        request,
        public_id,
        "funding.manage_grant",
        CloseForm(request.POST or None, initial={"closed_on": timezone.localdate()}),
        _("Close the grant"),
        lambda grant, data: services.grant_close(actor=request.user, grant=grant, **data),
        _("The grant was closed."),
        submit=_("Close the grant"),
    )


# --------------------------------------------------------------------------- 360Giving


@login_required
def export_grants(request: HttpRequest, file_format: str) -> HttpResponse:
    _require(request, "funding.export_grants")
    if file_format not in exchange.FORMATS:
        raise Http404
    fund = None
    council = None
    if request.GET.get("fund"):
        fund = get_object_or_404(Fund, slug=request.GET["fund"])
    if request.GET.get("council"):
        council = get_object_or_404(Organisation, slug=request.GET["council"])
    grants = selectors.grants_for_export(user=request.user, fund=fund, council=council)
    try:
        export = exchange.build_export(grants)
    except exchange.ExportError as error:
        return render(
            request, "funding/export_problems.html", {"problems": error.problems}, status=422
        )
    response = HttpResponse(
        exchange.render(export, file_format), content_type=exchange.FORMATS[file_format]
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{exchange.file_name(export, file_format)}"'
    )
    return response


@login_required
def past_grant_list(request: HttpRequest) -> HttpResponse:
    _require(request, "funding.view_past_grant")
    search = request.GET.get("q", "").strip()
    funder = request.GET.get("funder", "")
    grants = selectors.past_grant_list(user=request.user, search=search, funder=funder)
    context = {
        "q": search,
        "funder": funder,
        "funders": selectors.past_grant_funders(user=request.user),
        "can_import": request.user.has_perm("funding.import_past_grants"),
        **_page(request, grants),
    }
    return render(request, "funding/past_grant_list.html", context)


@login_required
def past_grant_import(request: HttpRequest) -> HttpResponse:
    _require(request, "funding.import_past_grants")
    form = PastGrantImportForm(request.POST or None, request.FILES or None)
    refused: list[str] = []
    summary = None
    if request.method == "POST" and form.is_valid():
        try:
            summary = services.past_grants_import_upload(
                actor=request.user, upload=form.cleaned_data["file"]
            )
        except services.ImportRefused as error:
            refused = error.problems
    return render(
        request,
        "funding/past_grant_import.html",
        {"form": form, "refused": refused, "summary": summary},
        status=422 if refused else 200,
    )


# --------------------------------------------------------------------------- fundraising


def _managed_hosts(user: Any) -> Any:
    return Organisation.objects.filter(pk__in=organisation_ids(user, Role.HOST_MANAGER)).order_by(
        "name"
    )


@login_required
def bid_list(request: HttpRequest) -> HttpResponse:
    bids = selectors.bid_list_visible_to(user=request.user)
    if not request.user.has_perm("funding.add_bid") and not organisation_ids(
        request.user, Role.ADMINISTRATOR
    ):
        raise PermissionDenied
    context = {
        "bids": bids,
        "can_add": request.user.has_perm("funding.add_bid"),
        "hosts": _managed_hosts(request.user),
    }
    return render(request, "funding/bid_list.html", context)


@login_required
def bid_create(request: HttpRequest) -> HttpResponse:
    _require(request, "funding.add_bid")
    hosts = _managed_hosts(request.user)
    form = BidForm(request.POST or None, hosts=hosts)
    if request.method == "POST" and form.is_valid():
        try:
            services.bid_create(
                actor=request.user, host=form.cleaned_data["host"], data=form.bid_data()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The bid was saved."))
            return redirect("funding:bid_list")
    return _form_page(request, form, title=_("Record a fundraising bid"), back="/funding/bids/")


@login_required
def bid_update(request: HttpRequest, public_id: str) -> HttpResponse:
    bid = get_object_or_404(FundraisingBid.objects.select_related("host"), public_id=public_id)
    _require(request, "funding.view_bid", bid)
    can_change = request.user.has_perm("funding.change_bid", bid)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    form = BidForm(request.POST or None, instance=bid)
    if request.method == "POST" and form.is_valid():
        fresh = FundraisingBid.objects.get(pk=bid.pk)
        try:
            services.bid_update(actor=request.user, bid=fresh, data=form.bid_data())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The bid was saved."))
            return redirect("funding:bid_list")
    return _form_page(
        request, form, title=_("Fundraising bid"), caption=bid.host.name, back="/funding/bids/"
    )


@login_required
def post_funding(request: HttpRequest) -> HttpResponse:
    """How each organiser post of a host is funded and when that funding ends."""
    hosts = _managed_hosts(request.user)
    host_slug = request.GET.get("host")
    if host_slug:
        host = get_object_or_404(Organisation, slug=host_slug)
    else:
        host = hosts.first()
        if host is None:
            raise PermissionDenied
    rows = selectors.post_funding_rows(user=request.user, host=host)
    if rows is None:
        raise PermissionDenied
    context = {
        "host": host,
        "rows": [
            (row, request.user.has_perm("funding.change_post_funding", row.organiser))
            for row in rows
        ],
        "ending_soon_days": selectors.ENDING_SOON_DAYS,
    }
    return render(request, "funding/post_funding.html", context)


@login_required
def post_funding_add(request: HttpRequest, public_id: str) -> HttpResponse:
    organiser = get_object_or_404(Organiser.objects.select_related("host"), public_id=public_id)
    _require(request, "funding.change_post_funding", organiser)
    form = PostFundingForm(request.POST or None, organiser=organiser)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.post_funding_add(
                actor=request.user,
                organiser=organiser,
                share_percent=data["share_percent"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                bid=data["bid"],
                grant=data["grant"],
                source_name=data["source_name"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The funding was added."))
            return redirect(f"/funding/posts/?host={organiser.host.slug}")
    return _form_page(
        request,
        form,
        title=_("Add funding for a post"),
        caption=organiser.full_name,
        back=f"/funding/posts/?host={organiser.host.slug}",
    )
