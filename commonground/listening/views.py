from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from commonground.accounts.models import Role
from commonground.accounts.rules import organisation_ids
from commonground.places.models import Lsoa
from commonground.privacy.models import Consent
from commonground.privacy.selectors import active_consents
from commonground.programme.models import Organiser

from . import imports, selectors, services, special_category, wording
from .counting import COUNTING_RULE
from .forms import (
    AssignmentForm,
    ConversationForm,
    DoorKnockForm,
    FollowUpForm,
    ImportForm,
    MergeForm,
    ResidentForm,
)
from .models import (
    CanvassAssignment,
    ConsentTier,
    Conversation,
    FollowUp,
    ImportBatch,
    Resident,
    Source,
    Street,
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


def _own_organiser(user: Any) -> Organiser | None:
    return (
        Organiser.objects.filter(user=user, host_id__in=organisation_ids(user, Role.ORGANISER))
        .select_related("programme", "host")
        .first()
    )


def _conversation(public_id: str) -> Conversation:
    return get_object_or_404(
        Conversation.objects.select_related(*selectors.CONVERSATION_RELATED, "programme"),
        public_id=public_id,
    )


# --- capture and the offline queue ---------------------------------------------------------------


def _capture_context(request: HttpRequest, form: ConversationForm) -> dict[str, Any]:
    organisers = form.fields["organiser"].queryset
    host_names = sorted({o.host.name for o in organisers})
    host_name = host_names[0] if len(host_names) == 1 else _("the host organisation")
    partners = [o.name for o in form.fields["shared_with"].queryset]
    return {
        "form": form,
        "wording_identified": wording.identified_wording(host_name),
        "wording_shareable": wording.shareable_wording(host_name, partners),
        "wording_special": wording.special_category_wording(),
        "wording_location": wording.location_wording(),
        "how_to_withdraw": wording.how_to_withdraw(host_name),
        "streets": Street.objects.filter(
            lsoa__neighbourhoods__organisers__in=organisers
        ).distinct()[:500],
        "special_patterns": special_category.patterns_for_browser(),
        "single_organiser": organisers.count() == 1,
        "sync_url": reverse("api:listening_sync"),
        "lookup_url": reverse("api:listening_postcode", kwargs={"postcode": "POSTCODE"}),
        "service_worker_url": reverse("listening:service_worker"),
    }


@login_required
def capture(request: HttpRequest) -> HttpResponse:
    _require(request, "listening.add_conversation")
    organisers = selectors.organisers_recordable_by(user=request.user)
    if not organisers.exists():
        raise PermissionDenied
    own = organisers.filter(user=request.user).first()
    form = ConversationForm(
        request.POST or None,
        organisers=organisers,
        initial={"organiser": own.public_id} if own else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.to_input()
        _require(request, "listening.record_for_organiser", data.organiser)
        source = Source.PAPER if form.cleaned_data.get("from_paper") else Source.FORM
        try:
            outcome = services.conversation_record(actor=request.user, data=data, source=source)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            message = (
                _("The conversation was saved. Record the next one below.")
                if outcome.created
                else _("That conversation was already saved.")
            )
            messages.success(request, message)
            for notice in outcome.notices:
                messages.info(request, notice)
            for duplicate in outcome.possible_duplicates:
                messages.info(
                    request,
                    _("This may be the same person as a resident already held: %(url)s")
                    % {"url": duplicate.get_absolute_url()},
                )
            return redirect("listening:capture")
    return render(request, "listening/conversation_capture.html", _capture_context(request, form))


def _static_fingerprint(paths: list[str]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        found = finders.find(path)
        digest.update(path.encode())
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:16]


OFFLINE_STATIC = [
    "build/main.css",
    "listening/listening.css",
    "js/init.js",
    "vendor/govuk/govuk-frontend.min.js",
    "js/listening-queue.js",
    "js/listening-capture.js",
]


@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The capture form's service worker, served from /listening/ so that is its scope."""
    capture_url = reverse("listening:capture")
    assets = [static(path) for path in OFFLINE_STATIC]
    version = _static_fingerprint([*OFFLINE_STATIC, "js/listening-sw.js"]) + wording.WORDING_VERSION
    found = finders.find("js/listening-sw.js")
    if not found:
        raise Http404
    with open(found, encoding="utf-8") as handle:
        body = handle.read()
    config = json.dumps({"version": version, "capture": capture_url, "assets": assets})
    response = HttpResponse(
        f"const CONFIG = {config};\n{body}", content_type="application/javascript"
    )
    response["Service-Worker-Allowed"] = "/listening/"
    return response


# --- conversations -------------------------------------------------------------------------------


@login_required
def conversation_list(request: HttpRequest) -> HttpResponse:
    organisers = selectors.organisers_recordable_by(user=request.user)
    chosen = None
    if request.GET.get("organiser"):
        chosen = organisers.filter(public_id=request.GET["organiser"]).first()
    search = request.GET.get("q", "").strip()
    needs_review = True if request.GET.get("review") == "1" else None
    conversations = selectors.conversation_list_visible_to(
        user=request.user, organiser=chosen, search=search, needs_review=needs_review
    )
    context = _page(request, conversations)
    rows = []
    outside: list[Conversation] = []
    for conversation in context["page_obj"]:
        access = selectors.conversation_access(user=request.user, conversation=conversation)
        rows.append((conversation, access))
        if not access.inside_host and access.fields:
            outside.append(conversation)
    shared_fields = frozenset().union(*(a.fields for c, a in rows if not a.inside_host))
    services.personal_data_viewed(actor=request.user, records=outside, fields=shared_fields)
    context.update(
        {
            "rows": rows,
            "organisers": organisers,
            "chosen": chosen,
            "q": search,
            "review": needs_review,
            "can_record": request.user.has_perm("listening.add_conversation")
            and organisers.exists(),
            "user_email": request.user.email,
        }
    )
    return render(request, "listening/conversation_list.html", context)


HISTORY_LABELS = {
    "happened_at": gettext_lazy("when"),
    "mode": gettext_lazy("where they talked"),
    "lsoa": gettext_lazy("LSOA"),
    "neighbourhood": gettext_lazy("neighbourhood"),
    "postcode": gettext_lazy("postcode"),
    "street": gettext_lazy("street"),
    "loves": gettext_lazy("what they love"),
    "concerns": gettext_lazy("what concerns them"),
    "ideas": gettext_lazy("ideas"),
    "would_do": gettext_lazy("what they would do"),
    "talk_to": gettext_lazy("who else to talk to"),
    "ladder": gettext_lazy("ladder of involvement"),
    "consent_tier": gettext_lazy("consent"),
    "resident": gettext_lazy("resident"),
    "special_category": gettext_lazy("special category"),
}


def _diffs(versions: list[Any]) -> list[dict[str, Any]]:
    """Each version with what it changed from the one before, newest first."""
    ordered = sorted(versions, key=lambda v: v.number)
    result = []
    previous: dict[str, Any] | None = None
    for version in ordered:
        changes = []
        if previous is not None:
            for key, after in version.data.items():
                before = previous.get(key)
                if before != after and key in HISTORY_LABELS:
                    changes.append((str(HISTORY_LABELS[key]), before, after))
        result.append({"version": version, "changes": changes})
        previous = version.data
    return list(reversed(result))


@login_required
def conversation_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _conversation(public_id)
    _require(request, "listening.view_conversation", conversation)
    access = selectors.conversation_access(user=request.user, conversation=conversation)
    if not access.inside_host:
        services.personal_data_viewed(
            actor=request.user, records=[conversation], fields=access.fields
        )
    can_change = request.user.has_perm("listening.change_conversation", conversation)
    follow_up_form = FollowUpForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if follow_up_form is None:
            raise PermissionDenied
        if follow_up_form.is_valid():
            try:
                services.follow_up_add(
                    actor=request.user, conversation=conversation, **follow_up_form.cleaned_data
                )
            except ValidationError as error:
                follow_up_form.add_error(None, error)
            else:
                messages.success(request, _("The follow-up was added."))
                return redirect(conversation)
    context = {
        "conversation": conversation,
        "access": access,
        "can_change": can_change,
        "history": _diffs(list(selectors.versions_of(conversation=conversation)))
        if access.sees("notes")
        else [],
        "follow_ups": selectors.follow_ups_of(conversation=conversation)
        if access.sees("follow_ups")
        else [],
        "follow_up_form": follow_up_form,
        "shared_with": conversation.shared_with.all(),
    }
    return render(request, "listening/conversation_detail.html", context)


@login_required
def conversation_correct(request: HttpRequest, public_id: str) -> HttpResponse:
    conversation = _conversation(public_id)
    _require(request, "listening.change_conversation", conversation)
    organisers = Organiser.objects.filter(host_id=conversation.host_id).select_related(
        "programme", "host"
    )
    form = ConversationForm(
        request.POST or None,
        organisers=organisers,
        correcting=conversation,
        initial=ConversationForm.initial_for(conversation),
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.conversation_correct(
                actor=request.user,
                conversation=conversation,
                data=form.to_input(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("The correction was saved as version %(number)s.")
                % {"number": outcome.conversation.version},
            )
            for notice in outcome.notices:
                messages.info(request, notice)
            return redirect(outcome.conversation)
    context = {**_capture_context(request, form), "conversation": conversation}
    return render(request, "listening/conversation_correct.html", context)


@login_required
@require_POST
def follow_up_close(request: HttpRequest, public_id: str) -> HttpResponse:
    follow_up = get_object_or_404(
        FollowUp.objects.select_related("conversation__organiser__supervisor"), public_id=public_id
    )
    _require(request, "listening.change_conversation", follow_up.conversation)
    try:
        services.follow_up_complete(
            actor=request.user, follow_up=follow_up, cancelled=request.POST.get("cancel") == "1"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The follow-up was closed."))
    return redirect(follow_up.conversation)


# --- residents -----------------------------------------------------------------------------------


@login_required
def resident_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    residents = selectors.resident_list_visible_to(user=request.user, search=search)
    context = {
        **_page(request, residents),
        "q": search,
        "can_see_duplicates": request.user.has_perm("listening.view_duplicates"),
    }
    return render(request, "listening/resident_list.html", context)


def _resident(public_id: str) -> Resident:
    return get_object_or_404(
        Resident.objects.select_related("host", "lsoa", "merged_into"), public_id=public_id
    )


@login_required
def resident_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    resident = _resident(public_id)
    _require(request, "listening.view_resident", resident)
    access = selectors.resident_access(user=request.user, resident=resident)
    if not access.inside_host:
        services.personal_data_viewed(actor=request.user, records=[resident], fields=access.fields)
    conversations = (
        selectors.conversations_of_resident(user=request.user, resident=resident)
        if access.inside_host
        else Conversation.objects.none()
    )
    context = {
        "resident": resident,
        "access": access,
        "consents": active_consents(resident=resident) if access.inside_host else [],
        "past_consents": resident.consents.filter(withdrawn_at__isnull=False)
        if access.inside_host
        else [],
        "conversations": conversations,
        "duplicates": services.possible_duplicates(resident) if access.inside_host else [],
        "can_change": request.user.has_perm("listening.change_resident", resident),
        "can_merge": request.user.has_perm("listening.merge_residents", resident),
    }
    return render(request, "listening/resident_detail.html", context)


@login_required
def resident_update(request: HttpRequest, public_id: str) -> HttpResponse:
    resident = _resident(public_id)
    _require(request, "listening.change_resident", resident)
    form = ResidentForm(
        request.POST or None,
        initial={
            name: getattr(resident, name)
            for name in ("full_name", "email", "phone", "address", "postcode")
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_update(
                actor=request.user,
                resident=resident,
                details=services.ResidentDetails(**form.cleaned_data),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The contact details were saved."))
            return redirect(resident)
    return render(request, "listening/resident_form.html", {"form": form, "resident": resident})


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    _require(request, "listening.view_duplicates")
    groups = selectors.duplicate_groups(user=request.user)
    return render(request, "listening/resident_duplicates.html", {"groups": groups})


@login_required
def resident_merge(request: HttpRequest) -> HttpResponse:
    form = MergeForm(request.POST or request.GET or None)
    if not form.is_valid():
        raise Http404
    keep = _resident(str(form.cleaned_data["keep"]))
    merge = _resident(str(form.cleaned_data["merge"]))
    _require(request, "listening.merge_residents", keep)
    _require(request, "listening.merge_residents", merge)
    if request.method == "POST" and request.POST.get("confirm") == "1":
        try:
            services.resident_merge(actor=request.user, keep=keep, merge=merge)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The residents were merged; no conversation was lost."))
            return redirect(keep)
    context = {
        "keep": keep,
        "merge": merge,
        "keep_conversations": keep.conversations.count(),
        "merge_conversations": merge.conversations.count(),
    }
    return render(request, "listening/resident_merge.html", context)


@login_required
def consent_withdraw(request: HttpRequest, public_id: str) -> HttpResponse:
    from commonground.privacy.services import consent_withdraw as withdraw

    consent = get_object_or_404(Consent.objects.select_related("resident"), public_id=public_id)
    _require(request, "privacy.withdraw_consent", consent)
    if request.method == "POST":
        try:
            withdraw(actor=request.user, consent=consent, note=request.POST.get("note", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The consent was withdrawn."))
        return redirect(consent.resident)
    return render(request, "listening/consent_withdraw.html", {"consent": consent})


# --- progress ------------------------------------------------------------------------------------


def _progress_spec(weeks: list[dict[str, Any]], title: str) -> dict[str, Any]:
    values = []
    for week in weeks:
        values.append(
            {"week": week["week"], "series": _("Residents listened to"), "n": week["cumulative"]}
        )
        values.append({"week": week["week"], "series": _("Target pace"), "n": week["target_pace"]})
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": title,
        "width": "container",
        "height": 240,
        "data": {"values": values},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "week", "type": "temporal", "title": _("Week beginning")},
            "y": {"field": "n", "type": "quantitative", "title": _("Residents (cumulative)")},
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "scale": {"range": ["#00594f", "#b1b4b6"]},
                "legend": {"orient": "bottom"},
            },
            "strokeDash": {"field": "series", "type": "nominal", "legend": None},
        },
    }


@login_required
def my_progress(request: HttpRequest) -> HttpResponse:
    own = _own_organiser(request.user)
    if own is None:
        if request.user.has_perm("listening.compare_organisers"):
            return redirect("listening:compare")
        raise PermissionDenied
    return redirect("listening:organiser_progress", public_id=own.public_id)


@login_required
def organiser_progress(request: HttpRequest, public_id: str) -> HttpResponse:
    organiser = get_object_or_404(
        Organiser.objects.select_related("programme__council", "host"), public_id=public_id
    )
    _require(request, "listening.view_organiser_progress", organiser)
    progress = selectors.organiser_progress(organiser=organiser)
    context = {
        "organiser": organiser,
        "progress": progress,
        "rule": COUNTING_RULE,
        "spec": _progress_spec(
            progress.weeks,
            _("Residents listened to by %(name)s, week by week, against the target pace")
            % {"name": organiser.full_name},
        ),
        "recent_weeks": list(reversed(progress.weeks))[:12],
    }
    return render(request, "listening/organiser_progress.html", context)


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    _require(request, "listening.compare_organisers")
    rows = selectors.host_progress(user=request.user)
    values = [
        {"week": week["week"], "organiser": row.organiser.full_name, "n": week["cumulative"]}
        for row in rows
        for week in row.weeks
    ]
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": _("Residents listened to by each organiser, cumulative by week"),
        "width": "container",
        "height": 260,
        "data": {"values": values},
        "mark": {"type": "line"},
        "encoding": {
            "x": {"field": "week", "type": "temporal", "title": _("Week beginning")},
            "y": {"field": "n", "type": "quantitative", "title": _("Residents (cumulative)")},
            "color": {
                "field": "organiser",
                "type": "nominal",
                "title": _("Organiser"),
                "legend": {"orient": "bottom", "columns": 2},
            },
        },
    }
    return render(
        request,
        "listening/organiser_compare.html",
        {"rows": rows, "spec": spec, "rule": COUNTING_RULE},
    )


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    _require(request, "listening.view_listening_figures")
    context = {
        "by_neighbourhood": selectors.listening_by_neighbourhood(user=request.user),
        "equality": selectors.equality_summary(user=request.user)
        if organisation_ids(request.user, Role.HOST_MANAGER)
        else [],
        "rule": COUNTING_RULE,
    }
    return render(request, "listening/figures.html", context)


# --- canvassing ----------------------------------------------------------------------------------


@login_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    assignments = selectors.assignments_visible_to(user=request.user)
    rows = [
        (assignment, selectors.assignment_progress(assignment=assignment))
        for assignment in assignments[:50]
    ]
    return render(
        request,
        "listening/assignment_list.html",
        {
            "rows": rows,
            "can_add": request.user.has_perm("listening.add_canvassassignment"),
        },
    )


@login_required
def assignment_create(request: HttpRequest) -> HttpResponse:
    _require(request, "listening.add_canvassassignment")
    organisers = (
        Organiser.objects.filter(host_id__in=organisation_ids(request.user, Role.HOST_MANAGER))
        .select_related("host")
        .order_by("full_name")
    )
    form = AssignmentForm(request.POST or None, organisers=organisers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = services.canvass_assignment_create(
                actor=request.user,
                organiser=data["organiser"],
                title=data["title"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                target_conversations=data["target_conversations"],
                target_doors=data["target_doors"],
                lsoas=list(data["lsoas"]),
                streets=list(data["streets"]),
                notes=data["notes"],
            )
        except ValidationError as error:
            for field_name, problems in error.message_dict.items():
                form.add_error(field_name if field_name in form.fields else None, problems)
        else:
            messages.success(request, _("The assignment was saved."))
            return redirect(assignment)
    return render(request, "listening/assignment_form.html", {"form": form})


def _assignment(public_id: str) -> CanvassAssignment:
    return get_object_or_404(
        CanvassAssignment.objects.select_related("organiser__supervisor", "host"),
        public_id=public_id,
    )


@login_required
def assignment_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    assignment = _assignment(public_id)
    _require(request, "listening.view_canvassassignment", assignment)
    can_record = request.user.has_perm("listening.record_doors", assignment)
    form = (
        DoorKnockForm(
            request.POST or None, initial={"knocked_on": timezone.localdate().isoformat()}
        )
        if can_record
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.doors_knocked_record(
                    actor=request.user, assignment=assignment, **form.cleaned_data
                )
            except ValidationError as error:
                for field_name, problems in error.message_dict.items():
                    form.add_error(field_name if field_name in form.fields else None, problems)
            else:
                messages.success(request, _("The doors knocked were added."))
                return redirect(assignment)
    progress = selectors.assignment_progress(assignment=assignment)
    values = []
    for week in progress.by_week:
        values.append({"week": week["week"], "series": _("Conversations"), "n": week["cumulative"]})
        values.append({"week": week["week"], "series": _("Target pace"), "n": week["target_pace"]})
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": _("Conversations in this patch against the target pace"),
        "width": "container",
        "height": 220,
        "data": {"values": values},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "week", "type": "temporal", "title": _("Week beginning")},
            "y": {"field": "n", "type": "quantitative", "title": _("Conversations (cumulative)")},
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "scale": {"range": ["#00594f", "#b1b4b6"]},
                "legend": {"orient": "bottom"},
            },
        },
    }
    lsoas = Lsoa.objects.filter(pk__in=selectors.assignment_lsoa_ids(assignment)).order_by("code")
    context = {
        "assignment": assignment,
        "progress": progress,
        "spec": spec,
        "form": form,
        "lsoas": [(lsoa, progress.by_lsoa.get(lsoa.code, 0)) for lsoa in lsoas],
        "streets": assignment.streets.all(),
        "door_knocks": assignment.door_knocks.select_related("recorded_by")[:20],
        "geojson_url": reverse("listening:assignment_geojson", kwargs={"public_id": public_id}),
    }
    return render(request, "listening/assignment_detail.html", context)


@login_required
def assignment_geojson(request: HttpRequest, public_id: str) -> JsonResponse:
    assignment = _assignment(public_id)
    _require(request, "listening.view_canvassassignment", assignment)
    progress = selectors.assignment_progress(assignment=assignment)
    features = []
    for lsoa in Lsoa.objects.filter(pk__in=selectors.assignment_lsoa_ids(assignment)).exclude(
        boundary=""
    ):
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(lsoa.boundary),
                "properties": {
                    "code": lsoa.code,
                    "name": lsoa.name,
                    "conversations": progress.by_lsoa.get(lsoa.code, 0),
                },
            }
        )
    streets = [
        {"name": str(street), "lon": street.lon, "lat": street.lat}
        for street in assignment.streets.all()
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features, "streets": streets})


# --- spreadsheet import and paper sheets ---------------------------------------------------------


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    _require(request, "listening.import_conversations")
    organisers = selectors.organisers_recordable_by(user=request.user)
    form = ImportForm(request.POST or None, request.FILES or None, organisers=organisers)
    if request.method == "POST" and form.is_valid():
        try:
            batch = imports.import_upload(
                actor=request.user,
                upload=form.cleaned_data["file"],
                default_organiser=form.cleaned_data["default_organiser"],
                organisers=organisers,
                from_paper=form.cleaned_data["from_paper"],
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            return redirect(batch)
    context = {
        "form": form,
        "batches": selectors.import_batches_visible_to(user=request.user)[:20],
        "columns": imports.COLUMNS,
    }
    return render(request, "listening/import_list.html", context)


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    _require(request, "listening.import_conversations")
    if kind == "csv":
        response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="listening-template.csv"'
        return response
    if kind == "xlsx":
        return FileResponse(
            imports.template_xlsx(),
            as_attachment=True,
            filename="listening-template.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    raise Http404


@login_required
def import_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    batch = get_object_or_404(
        ImportBatch.objects.select_related("host", "uploaded_by", "default_organiser"),
        public_id=public_id,
    )
    _require(request, "listening.view_importbatch", batch)
    if request.method == "POST":
        try:
            imports.import_confirm(actor=request.user, batch=batch)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(batch)
    errors = batch.errors or []
    context = {
        "batch": batch,
        "errors": errors[:500],
        "error_count": len(errors),
        "preview": batch.preview,
        "working": batch.status in {ImportBatch.Status.UPLOADED, ImportBatch.Status.IMPORTING},
        "columns": imports.COLUMNS,
    }
    return render(request, "listening/import_detail.html", context)


@login_required
def listening_sheet(request: HttpRequest) -> HttpResponse:
    _require(request, "listening.add_conversation")
    organisers = selectors.organisers_recordable_by(user=request.user)
    own = organisers.first()
    host_name = own.host.name if own else _("the host organisation")
    partners = []
    if own is not None:
        partners = [
            o.name
            for o in own.programme.organisations.exclude(pk=own.host_id).filter(kind="partner")
        ]
    try:
        count = max(1, min(int(request.GET.get("count", 4)), 20))
    except ValueError:
        count = 4
    context = {
        "organiser": own,
        "host_name": host_name,
        "wording_identified": wording.identified_wording(host_name),
        "wording_shareable": wording.shareable_wording(host_name, partners),
        "wording_special": wording.special_category_wording(),
        "wording_location": wording.location_wording(),
        "how_to_withdraw": wording.how_to_withdraw(host_name),
        "sheets": range(count),
        "modes": [label for _value, label in Conversation._meta.get_field("mode").choices],
        "ladder": [label for _value, label in Conversation._meta.get_field("ladder").choices],
        "tiers": ConsentTier.choices,
        "version": wording.WORDING_VERSION,
    }
    return render(request, "listening/listening_sheet.html", context)
