"""Officers' page for the record of processing, on screen and ready to print."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .governance import may_read_processing_record, processing_record_context


@login_required
def processing_record(request: HttpRequest) -> HttpResponse:
    if not may_read_processing_record(request.user):
        raise PermissionDenied
    return render(request, "privacy/governance/processing_record.html", processing_record_context())


@login_required
def processing_record_print(request: HttpRequest) -> HttpResponse:
    if not may_read_processing_record(request.user):
        raise PermissionDenied
    return render(
        request, "privacy/governance/processing_record_print.html", processing_record_context()
    )
