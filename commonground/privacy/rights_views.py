"""Pages for residents' rights: find a resident, download everything held, preview and erase."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonground.listening.models import Resident

from . import rights, selectors
from .forms import ErasureConfirmForm, ResidentSearchForm


def _resident(request: HttpRequest, public_id: str, permission: str) -> Resident:
    resident = get_object_or_404(
        Resident.objects.select_related("host", "lsoa"), public_id=public_id
    )
    if not request.user.has_perm(permission, resident):
        raise PermissionDenied
    return resident


@login_required
def index(request: HttpRequest) -> HttpResponse:
    context = {"can_find": request.user.has_perm("privacy.find_residents")}
    return render(request, "privacy/index.html", context)


@login_required
def resident_search(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("privacy.find_residents"):
        raise PermissionDenied
    form = ResidentSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    residents = list(selectors.residents_for_rights(user=request.user, search=search)[:50])
    return render(
        request,
        "privacy/resident_search.html",
        {"form": form, "search": search, "residents": residents},
    )


@login_required
def resident_rights(request: HttpRequest, public_id: str) -> HttpResponse:
    resident = _resident(request, public_id, "privacy.export_resident")
    sections = rights.find_everything(resident)
    return render(
        request,
        "privacy/resident_rights.html",
        {
            "resident": resident,
            "sections": sections,
            "can_erase": request.user.has_perm("privacy.erase_resident", resident),
        },
    )


@login_required
@require_POST
def resident_export(request: HttpRequest, public_id: str) -> HttpResponse:
    resident = _resident(request, public_id, "privacy.export_resident")
    export = rights.resident_export(actor=request.user, resident=resident)
    response = HttpResponse(export.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def resident_erase(request: HttpRequest, public_id: str) -> HttpResponse:
    resident = _resident(request, public_id, "privacy.erase_resident")
    changes = rights.plan_erasure(resident)
    digest = rights.fingerprint(changes)
    form = ErasureConfirmForm(request.POST or None, initial={"preview": digest})
    if request.method == "POST" and form.is_valid():
        try:
            rights.resident_erase(
                actor=request.user,
                resident=resident,
                expected_fingerprint=form.cleaned_data["preview"],
            )
        except rights.ErasureChanged:
            form = ErasureConfirmForm(initial={"preview": digest})
            messages.warning(
                request,
                _(
                    "Something held about this resident changed since you looked. Check the list "
                    "again before you erase."
                ),
            )
        else:
            messages.success(
                request,
                _("Everything held about this resident has been erased or anonymised."),
            )
            return redirect("privacy:resident_search")
    return render(
        request,
        "privacy/resident_erase.html",
        {
            "resident": resident,
            "form": form,
            "removed": [c for c in changes if c.action == "remove"],
            "anonymised": [c for c in changes if c.action == "anonymise"],
            "kept": [c for c in changes if c.action == "keep"],
        },
    )
