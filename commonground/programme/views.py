from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import selectors, services
from .forms import (
    CommitmentUpdateForm,
    OrganisationForm,
    OrganiserForm,
    SupervisionNoteForm,
    TrainingRecordForm,
)
from .models import Agreement, Commitment, Organisation, Organiser, Programme


def _require(request: HttpRequest, permission: str, obj: Any = None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def _page(request: HttpRequest, queryset: Any, per_page: int = 25) -> dict[str, Any]:
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return {"page_obj": page, "querystring_without_page": f"{encoded}&" if encoded else ""}


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind") or None
    search = request.GET.get("q", "").strip()
    organisations = selectors.organisation_list(user=request.user, kind=kind, search=search)
    context = {
        "kinds": Organisation.Kind.choices,
        "kind": kind,
        "q": search,
        "can_add": request.user.has_perm("programme.add_organisation"),
        **_page(request, organisations),
    }
    return render(request, "programme/organisation_list.html", context)


@login_required
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.select_related("authority"), slug=slug)
    _require(request, "programme.view_organisation", organisation)
    organisers = selectors.organiser_list_visible_to(user=request.user, host=organisation)
    context = {
        "organisation": organisation,
        "organisers": organisers,
        "programmes": selectors.programme_list_visible_to(user=request.user).filter(
            pk__in=organisation.programmes.values("pk")
        ),
        "can_change": request.user.has_perm("programme.change_organisation", organisation),
    }
    return render(request, "programme/organisation_detail.html", context)


def _organisation_form(request: HttpRequest, organisation: Organisation | None) -> HttpResponse:
    initial = {}
    if organisation is not None:
        initial = {
            f: getattr(organisation, f)
            for f in ["name", "kind", "org_id", "authority", "website", "description"]
        }
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if organisation is None:
                organisation = services.organisation_create(actor=request.user, **form.cleaned_data)
            else:
                services.organisation_update(
                    actor=request.user, organisation=organisation, data=dict(form.cleaned_data)
                )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": organisation.name})
            return redirect(organisation)
    return render(
        request, "programme/organisation_form.html", {"form": form, "organisation": organisation}
    )


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    _require(request, "programme.add_organisation")
    return _organisation_form(request, None)


@login_required
def organisation_update(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    _require(request, "programme.change_organisation", organisation)
    return _organisation_form(request, organisation)


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = selectors.programme_list_visible_to(user=request.user)
    return render(request, "programme/programme_list.html", _page(request, programmes))


@login_required
def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(Programme.objects.select_related("council"), slug=slug)
    _require(request, "programme.view_programme", programme)
    context = {
        "programme": programme,
        "organisers": selectors.organiser_list_visible_to(user=request.user, programme=programme),
        "agreements": selectors.agreement_list_visible_to(user=request.user).filter(
            programme=programme
        ),
    }
    return render(request, "programme/programme_detail.html", context)


@login_required
def organiser_list(request: HttpRequest) -> HttpResponse:
    organisers = selectors.organiser_list_visible_to(user=request.user)
    return render(request, "programme/organiser_list.html", _page(request, organisers))


@login_required
def organiser_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    organiser = get_object_or_404(
        Organiser.objects.select_related("host", "programme__council", "supervisor"),
        public_id=public_id,
    )
    _require(request, "programme.view_organiser", organiser)
    can_supervise = request.user.has_perm("programme.add_supervisionnote", organiser)
    note_form = SupervisionNoteForm(request.POST or None) if can_supervise else None
    if request.method == "POST" and note_form is not None and note_form.is_valid():
        services.supervision_note_add(
            actor=request.user, organiser=organiser, **note_form.cleaned_data
        )
        messages.success(request, _("The supervision note was saved."))
        return redirect(organiser)
    context = {
        "organiser": organiser,
        "neighbourhoods": organiser.neighbourhoods.select_related("authority"),
        "supervision_notes": selectors.supervision_notes_for(
            user=request.user, organiser=organiser
        ),
        "can_see_supervision": request.user.has_perm(
            "programme.view_supervision_of_organiser", organiser
        ),
        "training": selectors.training_for(user=request.user, organiser=organiser),
        "can_see_training": request.user.has_perm(
            "programme.view_training_of_organiser", organiser
        ),
        "can_change": request.user.has_perm("programme.change_organiser", organiser),
        "note_form": note_form,
        "volunteers": organiser.volunteers.all(),
    }
    return render(request, "programme/organiser_detail.html", context)


@login_required
def organiser_update(request: HttpRequest, public_id: str) -> HttpResponse:
    organiser = get_object_or_404(Organiser, public_id=public_id)
    _require(request, "programme.change_organiser", organiser)
    form = OrganiserForm(
        request.POST or None,
        instance=organiser,
        initial={"neighbourhoods": organiser.neighbourhoods.all()},
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in OrganiserForm.Meta.fields}
        fresh = Organiser.objects.get(pk=organiser.pk)
        try:
            services.organiser_update(
                actor=request.user,
                organiser=fresh,
                data=data,
                neighbourhoods=list(form.cleaned_data["neighbourhoods"]),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("The organiser's record was saved."))
            return redirect(fresh)
    return render(request, "programme/organiser_form.html", {"form": form, "organiser": organiser})


@login_required
def training_add(request: HttpRequest, public_id: str) -> HttpResponse:
    organiser = get_object_or_404(Organiser, public_id=public_id)
    _require(request, "programme.change_organiser", organiser)
    form = TrainingRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.training_record_add(actor=request.user, organiser=organiser, **form.cleaned_data)
        messages.success(request, _("The training record was added."))
        return redirect(organiser)
    return render(request, "programme/training_form.html", {"form": form, "organiser": organiser})


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    agreements = selectors.agreement_list_visible_to(user=request.user)
    return render(request, "programme/agreement_list.html", _page(request, agreements))


@login_required
def agreement_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    agreement = get_object_or_404(
        Agreement.objects.select_related("programme"), public_id=public_id
    )
    _require(request, "programme.view_agreement", agreement)
    commitments = [
        (commitment, request.user.has_perm("programme.change_commitment", commitment))
        for commitment in selectors.commitments_for(agreement=agreement)
    ]
    context = {
        "agreement": agreement,
        "parties": agreement.parties.all(),
        "commitments": commitments,
    }
    return render(request, "programme/agreement_detail.html", context)


@login_required
def commitment_update(request: HttpRequest, public_id: str) -> HttpResponse:
    commitment = get_object_or_404(
        Commitment.objects.select_related("agreement", "party"), public_id=public_id
    )
    _require(request, "programme.change_commitment", commitment)
    form = CommitmentUpdateForm(
        request.POST or None, instance=Commitment.objects.get(pk=commitment.pk)
    )
    if request.method == "POST" and form.is_valid():
        services.commitment_update(
            actor=request.user,
            commitment=commitment,
            status=form.cleaned_data["status"],
            evidence=form.cleaned_data["evidence"],
        )
        messages.success(request, _("The commitment was updated."))
        return redirect(commitment.agreement)
    return render(
        request, "programme/commitment_form.html", {"form": form, "commitment": commitment}
    )
