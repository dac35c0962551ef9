from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonground.accounts.models import Role
from commonground.accounts.rules import organisation_ids
from commonground.programme.models import Organisation

from . import selectors, services
from .forms import DataSharingAgreementForm
from .models import DataSharingAgreement


def _require(request: HttpRequest, permission: str, obj: Any = None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    agreements = selectors.agreement_list_visible_to(user=request.user)
    context = {
        "agreements": agreements,
        "can_add": request.user.has_perm("privacy.add_datasharingagreement"),
    }
    return render(request, "privacy/agreement_list.html", context)


@login_required
def agreement_create(request: HttpRequest) -> HttpResponse:
    _require(request, "privacy.add_datasharingagreement")
    providers = Organisation.objects.filter(
        pk__in=organisation_ids(request.user, Role.HOST_MANAGER)
    ).order_by("name")
    form = DataSharingAgreementForm(request.POST or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreement = services.data_sharing_agreement_create(
                actor=request.user,
                title=data["title"],
                provider=data["provider"],
                recipients=list(data["recipients"]),
                purpose=data["purpose"],
                lawful_basis=data["lawful_basis"],
                fields_shared=list(data["fields_shared"]),
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                signed_on=data["signed_on"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("The data-sharing agreement was saved."))
            return redirect(agreement)
    return render(request, "privacy/agreement_form.html", {"form": form})


@login_required
def agreement_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    agreement = get_object_or_404(
        DataSharingAgreement.objects.select_related("provider", "created_by"),
        public_id=public_id,
    )
    _require(request, "privacy.view_datasharingagreement", agreement)
    context = {
        "agreement": agreement,
        "recipients": agreement.recipients.order_by("name"),
        "can_end": request.user.has_perm("privacy.change_datasharingagreement", agreement)
        and agreement.status != DataSharingAgreement.Status.ENDED,
    }
    return render(request, "privacy/agreement_detail.html", context)


@login_required
@require_POST
def agreement_end(request: HttpRequest, public_id: str) -> HttpResponse:
    agreement = get_object_or_404(DataSharingAgreement, public_id=public_id)
    _require(request, "privacy.change_datasharingagreement", agreement)
    try:
        services.data_sharing_agreement_end(actor=request.user, agreement=agreement)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The agreement has ended; nothing more is shared under it."))
    return redirect(agreement)
