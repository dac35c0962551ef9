from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonground.accounts.models import Role
from commonground.accounts.rules import organisation_ids
from commonground.core.caching import cache_parts, cached
from commonground.listening.models import Conversation, Resident
from commonground.places.models import LocalAuthority, Neighbourhood
from commonground.places.selectors import mapped_authorities, neighbourhoods_in
from commonground.programme.models import Organisation

from . import charts, selectors, services, store
from .areas import Area, area_from, area_of_neighbourhood, period_of
from .forms import (
    EmergingNameForm,
    EvidenceFilterForm,
    InvitationUpdateForm,
    MeetingForm,
    QuoteApproveForm,
    ThemeForm,
)
from .models import (
    AreaKind,
    ConversationTag,
    EmergingCluster,
    HouseMeeting,
    Invitation,
    Quote,
    Theme,
)

PRINT_CSS = Path(__file__).resolve().parent / "static" / "insight" / "what-we-heard.css"


def _require(request: HttpRequest, permission: str, obj: Any = None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _message_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- overview and taxonomy -----------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "can_review": user.has_perm("insight.view_review_queue"),
        "queue_size": selectors.review_queue_size(user=user),
        "looks_after_themes": user.has_perm("insight.change_theme"),
        "quotes_waiting": selectors.quotes_to_decide(user=user).count(),
        "authorities": mapped_authorities(),
        "neighbourhoods": neighbourhoods_in(),
        "active_model": store.active_model(),
    }
    return render(request, "insight/index.html", context)


@login_required
def theme_list(request: HttpRequest) -> HttpResponse:
    _require(request, "insight.view_theme")
    families = selectors.taxonomy()
    counts = selectors.tag_counts_by_theme()
    for family, children in families:
        for theme in [family, *children]:
            theme.tagged = counts.get(theme.pk, 0)
    context = {
        "families": families,
        "can_change": request.user.has_perm("insight.change_theme"),
    }
    return render(request, "insight/theme_list.html", context)


def _theme_form(request: HttpRequest, theme: Theme | None) -> HttpResponse:
    initial = (
        {
            "name": theme.name,
            "parent": theme.parent,
            "description": theme.description,
            "is_active": theme.is_active,
        }
        if theme
        else {"is_active": True}
    )
    form = ThemeForm(request.POST or None, initial=initial, exclude=theme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if theme is None:
                theme = services.theme_create(
                    actor=request.user,
                    name=data["name"],
                    parent=data["parent"],
                    description=data["description"],
                )
            else:
                services.theme_update(
                    actor=request.user,
                    theme=theme,
                    name=data["name"],
                    parent=data["parent"],
                    description=data["description"],
                    is_active=data["is_active"],
                )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": theme.name})
            return redirect("insight:theme_list")
    return render(request, "insight/theme_form.html", {"form": form, "theme": theme})


@login_required
def theme_create(request: HttpRequest) -> HttpResponse:
    _require(request, "insight.add_theme")
    return _theme_form(request, None)


@login_required
def theme_update(request: HttpRequest, slug: str) -> HttpResponse:
    theme = get_object_or_404(Theme, slug=slug)
    _require(request, "insight.change_theme", theme)
    return _theme_form(request, theme)


# --- review queue --------------------------------------------------------------------------------


def _next_in_queue(user: Any, after: Conversation | None = None) -> Conversation | None:
    queue = list(
        selectors.review_queue(user=user).values_list("conversation__public_id", flat=True)[:500]
    )
    if after is not None and after.public_id in queue:
        position = queue.index(after.public_id)
        queue = queue[position + 1 :] + queue[:position]
    for public_id in queue:
        return Conversation.objects.get(public_id=public_id)
    return None


@login_required
def review_next(request: HttpRequest) -> HttpResponse:
    _require(request, "insight.view_review_queue")
    conversation = _next_in_queue(request.user)
    if conversation is None:
        return render(request, "insight/review_empty.html", {})
    return redirect("insight:review_item", public_id=conversation.public_id)


def _reviewable(request: HttpRequest, public_id: str) -> Conversation:
    conversation = get_object_or_404(
        Conversation.objects.select_related("organiser", "neighbourhood", "lsoa"),
        public_id=public_id,
    )
    _require(request, "insight.review_conversation", conversation)
    return conversation


@login_required
def review_item(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _reviewable(request, public_id)
    tags = selectors.tags_for_review(conversation=conversation)
    insight = getattr(conversation, "insight", None)
    suggested = [t for t in tags if t.status == ConversationTag.Status.SUGGESTED]
    standing = [t for t in tags if t.status != ConversationTag.Status.REJECTED]
    rejected = [t for t in tags if t.status == ConversationTag.Status.REJECTED]
    alternatives = selectors.alternative_themes(conversation=conversation, tags=tags)
    context = {
        "conversation": conversation,
        "insight": insight,
        "tags": standing,
        "suggested_count": len(suggested),
        "rejected": rejected,
        "alternatives": list(zip("qwerty", alternatives, strict=False)),
        "all_themes": selectors.taggable_themes(),
        "queue_size": selectors.review_queue_size(user=request.user),
        "next": _next_in_queue(request.user, after=conversation),
    }
    return render(request, "insight/review_item.html", context)


def _back_to_item(conversation: Conversation) -> HttpResponse:
    return redirect(reverse("insight:review_item", args=[conversation.public_id]) + "#review")


@login_required
@require_POST
def review_tag_confirm(request: HttpRequest, public_id: str, tag_id: int) -> HttpResponse:
    conversation = _reviewable(request, public_id)
    tag = get_object_or_404(ConversationTag, pk=tag_id, conversation=conversation)
    services.tag_confirm(actor=request.user, tag=tag)
    messages.success(request, _("%(theme)s confirmed.") % {"theme": tag.theme.name})
    return _back_to_item(conversation)


@login_required
@require_POST
def review_tag_reject(request: HttpRequest, public_id: str, tag_id: int) -> HttpResponse:
    conversation = _reviewable(request, public_id)
    tag = get_object_or_404(ConversationTag, pk=tag_id, conversation=conversation)
    services.tag_reject(actor=request.user, tag=tag)
    messages.success(request, _("%(theme)s removed.") % {"theme": tag.theme.name})
    return _back_to_item(conversation)


@login_required
@require_POST
def review_tag_add(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _reviewable(request, public_id)
    theme = Theme.objects.filter(slug=request.POST.get("theme", "")).first()
    if theme is None:
        messages.error(request, _("Choose a theme to add."))
        return _back_to_item(conversation)
    try:
        services.tag_add(actor=request.user, conversation=conversation, theme=theme)
    except ValidationError as error:
        _message_errors(request, error)
    else:
        messages.success(request, _("%(theme)s added.") % {"theme": theme.name})
    return _back_to_item(conversation)


@login_required
@require_POST
def review_finish(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _reviewable(request, public_id)
    services.review_finish(actor=request.user, conversation=conversation)
    messages.success(request, _("Themes saved. They will teach the tagger."))
    following = _next_in_queue(request.user, after=conversation)
    if following is None or following.pk == conversation.pk:
        return redirect("insight:review_next")
    return redirect(reverse("insight:review_item", args=[following.public_id]) + "#review")


# --- tagger versions -----------------------------------------------------------------------------


@login_required
def taggermodel_list(request: HttpRequest) -> HttpResponse:
    _require(request, "insight.view_taggermodel")
    from .models import TrainingExample

    context = {
        "models": selectors.tagger_models()[:50],
        "examples": TrainingExample.objects.count(),
        "held_back": TrainingExample.objects.filter(is_holdout=True).count(),
        "can_retrain": request.user.has_perm("insight.retrain_tagger"),
    }
    return render(request, "insight/taggermodel_list.html", context)


@login_required
@require_POST
def tagger_retrain(request: HttpRequest) -> HttpResponse:
    _require(request, "insight.retrain_tagger")
    from .tasks import retrain

    retrain.enqueue(request.user.pk)
    messages.success(
        request,
        _(
            "Retraining has started in the background. Refresh this page in a minute to see the result."
        ),
    )
    return redirect("insight:taggermodel_list")


# --- emerging themes -----------------------------------------------------------------------------


@login_required
def emerging_list(request: HttpRequest) -> HttpResponse:
    _require(request, "insight.view_emergingcluster")
    clusters = list(selectors.emerging_clusters()[:40])
    context = {
        "clusters": [(cluster, selectors.cluster_examples(cluster)) for cluster in clusters],
        "can_change": request.user.has_perm("insight.change_emergingcluster"),
    }
    return render(request, "insight/emerging_list.html", context)


@login_required
@require_POST
def emerging_refresh(request: HttpRequest) -> HttpResponse:
    _require(request, "insight.change_emergingcluster")
    from .tasks import find_emerging

    find_emerging.enqueue(request.user.pk)
    messages.success(request, _("Looking for emerging themes in the background."))
    return redirect("insight:emerging_list")


@login_required
def emerging_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    cluster = get_object_or_404(EmergingCluster, public_id=public_id)
    _require(request, "insight.view_emergingcluster", cluster)
    can_change = request.user.has_perm("insight.change_emergingcluster", cluster)
    form = EmergingNameForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if request.POST.get("action") == "dismiss":
            try:
                services.emerging_dismiss(actor=request.user, cluster=cluster)
            except ValidationError as error:
                _message_errors(request, error)
            else:
                messages.success(request, _("The group was dismissed."))
            return redirect("insight:emerging_list")
        if form is not None and form.is_valid():
            try:
                theme = services.emerging_name(
                    actor=request.user, cluster=cluster, **form.cleaned_data
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "%(name)s was added as a theme and its conversations tagged. The tagger is "
                        "learning it and will re-tag past conversations if it does at least as well."
                    )
                    % {"name": theme.name},
                )
                return redirect("insight:emerging_list")
    context = {
        "cluster": cluster,
        "examples": selectors.cluster_examples(cluster),
        "form": form,
    }
    return render(request, "insight/emerging_detail.html", context)


# --- area evidence -------------------------------------------------------------------------------


@login_required
def area_choose(request: HttpRequest) -> HttpResponse:
    _require(request, "insight.view_area_evidence")
    query = request.GET.get("q", "").strip()
    found = None
    if query:
        from commonground.places.models import Lsoa, Ward

        found = {
            "authorities": LocalAuthority.objects.filter(name__icontains=query)[:10],
            "wards": Ward.objects.filter(name__icontains=query).select_related("authority")[:10],
            "neighbourhoods": Neighbourhood.objects.filter(name__icontains=query)[:10],
            "lsoas": Lsoa.objects.filter(code__iexact=query)[:1]
            or Lsoa.objects.filter(name__icontains=query)[:10],
        }
    context = {
        "q": query,
        "found": found,
        "authorities": mapped_authorities(),
        "neighbourhoods": neighbourhoods_in(),
    }
    return render(request, "insight/area_choose.html", context)


def _filter_choices(user: Any, area: Area) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    themes = [
        (theme.slug, str(theme))
        for family, children in selectors.taxonomy()
        if family.is_active
        for theme in [family, *children]
        if theme.is_active
    ]
    organisers = [
        (str(o.public_id), f"{o.full_name} ({o.host})")
        for o in selectors.organisers_for_filter(user=user, area=area)
    ]
    return themes, organisers


def _filters(request: HttpRequest, area: Area) -> tuple[EvidenceFilterForm, Any]:
    themes, organiser_choices = cached(
        "area-evidence-filters",
        (request.user.pk, area.kind, area.code),
        lambda: _filter_choices(request.user, area),
    )
    form = EvidenceFilterForm(request.GET or None, themes=themes, organisers=organiser_choices)
    return form, selectors.organisers_for_filter(user=request.user, area=area)


def _evidence_for(request: HttpRequest, area: Area) -> tuple[Any, EvidenceFilterForm]:
    form, organisers = _filters(request, area)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    theme = Theme.objects.filter(slug=data.get("theme") or "").first()
    organiser = (
        organisers.filter(public_id=data["organiser"]).first() if data.get("organiser") else None
    )
    period = form.chosen_period()
    evidence = cached(
        "area-evidence",
        (request.user.pk, area.kind, area.code, period, *cache_parts(theme, organiser)),
        lambda: selectors.area_evidence(
            user=request.user, area=area, period=period, theme=theme, organiser=organiser
        ),
    )
    return evidence, form


@login_required
def area_evidence(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    _require(request, "insight.view_area_evidence")
    area = area_from(kind, code)
    evidence, form = _evidence_for(request, area)
    host_ids = organisation_ids(request.user, Role.ORGANISER, Role.HOST_MANAGER)
    context = {
        "area": area,
        "evidence": evidence,
        "form": form,
        "charts": charts.all_charts(evidence),
        "works_in_host": bool(host_ids),
        "querystring": request.GET.urlencode(),
    }
    return render(request, "insight/area_evidence.html", context)


def _host_for(request: HttpRequest) -> Organisation | None:
    host_ids = sorted(organisation_ids(request.user, Role.ORGANISER, Role.HOST_MANAGER))
    wanted = request.GET.get("host") or request.POST.get("host")
    if wanted:
        host = Organisation.objects.filter(slug=wanted, pk__in=host_ids).first()
        if host is None:
            raise PermissionDenied
        return host
    return Organisation.objects.filter(pk__in=host_ids).order_by("name").first()


def _distinct_excerpts(conversations: Any, theme: Theme) -> list[tuple[Conversation, str]]:
    """One candidate per distinct excerpt: the same words twice tell a forum nothing more."""
    seen: set[str] = set()
    chosen = []
    for conversation in conversations:
        excerpt = services.best_excerpt(conversation, theme)
        if excerpt and excerpt.lower() not in seen:
            seen.add(excerpt.lower())
            chosen.append((conversation, excerpt))
    return chosen


@login_required
def area_theme(request: HttpRequest, kind: str, code: str, slug: str) -> HttpResponse:
    """One theme in one area: quotes to propose, residents to invite, house meetings."""
    _require(request, "insight.view_area_evidence")
    area = area_from(kind, code)
    theme = get_object_or_404(Theme, slug=slug)
    host = _host_for(request)
    if host is None or not request.user.has_perm("insight.invite_residents", host):
        raise PermissionDenied
    months = request.GET.get("months", "12")
    period = period_of(int(months) if months in {"3", "6", "12", "24"} else 12)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "propose":
                conversation = get_object_or_404(
                    Conversation, public_id=request.POST.get("conversation")
                )
                _require(request, "insight.propose_quote", conversation)
                services.quote_propose(actor=request.user, conversation=conversation, theme=theme)
                messages.success(request, _("The quote is waiting for approval."))
        except ValidationError as error:
            _message_errors(request, error)
        return redirect(request.get_full_path())
    context = {
        "area": area,
        "theme": theme,
        "host": host,
        "period": period,
        "residents": selectors.residents_to_invite(
            user=request.user, host=host, area=area, theme=theme
        ),
        "candidates": _distinct_excerpts(
            selectors.quote_candidates(user=request.user, area=area, period=period, theme=theme),
            theme,
        ),
        "meetings": selectors.meetings_for(user=request.user, area=area, theme=theme),
    }
    return render(request, "insight/area_theme.html", context)


@login_required
def meeting_create(request: HttpRequest, kind: str, code: str, slug: str) -> HttpResponse:
    area = area_from(kind, code)
    theme = get_object_or_404(Theme, slug=slug)
    host = _host_for(request)
    if host is None or not request.user.has_perm("insight.invite_residents", host):
        raise PermissionDenied
    residents = selectors.residents_to_invite(user=request.user, host=host, area=area, theme=theme)
    form = MeetingForm(
        request.POST or None,
        initial={"title": _("House meeting: %(theme)s") % {"theme": theme.name}},
    )
    if request.method == "POST" and form.is_valid():
        chosen = set(request.POST.getlist("residents"))
        invite = [row.resident for row in residents if str(row.resident.public_id) in chosen]
        try:
            meeting = services.meeting_create(
                actor=request.user,
                host=host,
                theme=theme,
                area=area,
                title=form.cleaned_data["title"],
                meets_at=form.meets_at(),
                venue=form.cleaned_data["venue"],
                notes=form.cleaned_data["notes"],
                invite=invite,
                method=request.POST.get("method") or Invitation.Method.IN_PERSON,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _("The meeting was saved and %(count)s residents were recorded as invited.")
                % {"count": len(invite)},
            )
            return redirect(meeting)
    context = {
        "area": area,
        "theme": theme,
        "host": host,
        "form": form,
        "residents": residents,
        "methods": Invitation.Method.choices,
        "chosen": set(request.POST.getlist("residents")),
    }
    return render(request, "insight/meeting_form.html", context)


@login_required
def meeting_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    meeting = get_object_or_404(
        HouseMeeting.objects.select_related("theme", "host"), public_id=public_id
    )
    _require(request, "insight.view_housemeeting", meeting)
    can_change = request.user.has_perm("insight.change_housemeeting", meeting)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if request.POST.get("action") == "invite":
            resident = get_object_or_404(
                Resident, public_id=request.POST.get("resident"), host=meeting.host
            )
            try:
                services.invitation_record(
                    actor=request.user,
                    meeting=meeting,
                    resident=resident,
                    method=request.POST.get("method") or Invitation.Method.IN_PERSON,
                )
            except ValidationError as error:
                _message_errors(request, error)
            return redirect(meeting)
        invitation = get_object_or_404(
            Invitation, pk=request.POST.get("invitation"), meeting=meeting
        )
        form = InvitationUpdateForm(request.POST)
        if form.is_valid():
            services.invitation_update(
                actor=request.user,
                invitation=invitation,
                response=form.cleaned_data["response"],
                attended=form.cleaned_data["attended"],
            )
            messages.success(request, _("Saved."))
        else:
            messages.error(request, _("Choose a reply."))
        return redirect(meeting)
    invitations = selectors.invitations_for(meeting=meeting)
    area = area_from(meeting.area_kind, meeting.area_code)
    invited_ids = {invitation.resident_id for invitation in invitations}
    context = {
        "meeting": meeting,
        "invitations": invitations,
        "can_change": can_change,
        "responses": Invitation.Response.choices,
        "methods": Invitation.Method.choices,
        "area": area,
        "more_residents": [
            row
            for row in selectors.residents_to_invite(
                user=request.user, host=meeting.host, area=area, theme=meeting.theme
            )
            if row.resident.pk not in invited_ids
        ],
        "came": sum(1 for invitation in invitations if invitation.attended),
    }
    return render(request, "insight/meeting_detail.html", context)


# --- quotes --------------------------------------------------------------------------------------


@login_required
def quote_list(request: HttpRequest) -> HttpResponse:
    _require(request, "insight.view_review_queue")
    return render(
        request,
        "insight/quote_list.html",
        {"quotes": selectors.quotes_to_decide(user=request.user)},
    )


@login_required
def quote_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    quote = get_object_or_404(
        Quote.objects.select_related("theme", "conversation"), public_id=public_id
    )
    _require(request, "insight.approve_quote", quote)
    form = QuoteApproveForm(request.POST or None, initial={"text": quote.text})
    if request.method == "POST":
        if request.POST.get("action") == "reject":
            services.quote_reject(actor=request.user, quote=quote)
            messages.success(request, _("The quote will not be published."))
            return redirect("insight:quote_list")
        if form.is_valid():
            try:
                services.quote_approve(
                    actor=request.user, quote=quote, text=form.cleaned_data["text"]
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("The quote is approved for publication."))
                return redirect("insight:quote_list")
    return render(request, "insight/quote_detail.html", {"quote": quote, "form": form})


# --- what we heard -------------------------------------------------------------------------------


def _what_we_heard_context(request: HttpRequest, slug: str) -> dict[str, Any]:
    neighbourhood = get_object_or_404(Neighbourhood.objects.select_related("authority"), slug=slug)
    _require(request, "insight.view_what_we_heard", neighbourhood)
    area = area_of_neighbourhood(neighbourhood)
    from django.contrib.auth.models import AnonymousUser

    # Published for residents and forums: always as anyone outside the host would see it.
    evidence = selectors.area_evidence(user=AnonymousUser(), area=area, period=period_of(12))
    meetings = HouseMeeting.objects.filter(
        area_kind=AreaKind.NEIGHBOURHOOD, area_code=area.code, meets_at__gte=timezone.now()
    ).select_related("theme")
    return {
        "neighbourhood": neighbourhood,
        "area": area,
        "evidence": evidence,
        "top": [row for row in evidence.rows if row.count_shown][:8],
        "rising": [
            row for row in evidence.rows if row.change_points is not None and row.change_points >= 5
        ][:5],
        "meetings": meetings,
        "generated": timezone.localtime(),
    }


def what_we_heard(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "insight/what_we_heard.html", _what_we_heard_context(request, slug))


def what_we_heard_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The same page as a PDF for printing; the style sheet is read from disk, nothing fetched."""
    from weasyprint import CSS, HTML

    context = _what_we_heard_context(request, slug)
    html = render_to_string("insight/what_we_heard_pdf.html", context, request=request)
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS))])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="what-we-heard-{slug}.pdf"'
    return response
