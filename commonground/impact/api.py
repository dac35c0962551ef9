"""The impact API: the shared indicators, figures for the caller's own scopes, and reports.

Published versions are public on the site; here, as everywhere in the API, a token or session is
needed. Figures are only given for the programmes, organisations and places the caller works with.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from commonground.core.pagination import LimitOffsetPagination

from . import selectors
from .models import Indicator, Report, ReportVersion
from .periods import Period
from .registry import measure, target_for

router = Router(tags=["impact"])


class IndicatorOut(Schema):
    code: str
    name: str
    definition: str
    how_counted: str
    unit: str
    direction: str
    method: str
    aggregation: str
    counts_reports: bool
    is_active: bool


class FigureOut(Schema):
    indicator: str
    scope: str
    period_start: date
    period_end: date
    value: str | None
    status: str
    explanation: str
    target: str | None


class ReportOut(Schema):
    id: UUID = Field(..., alias="public_id")
    title: str
    organisation: str = Field(..., alias="organisation.slug")
    scope: str = Field(..., alias="scope_key")
    period_start: date
    period_end: date
    status: str
    versions: list[int]

    @staticmethod
    def resolve_versions(obj: Any) -> list[int]:
        return sorted(obj.versions.values_list("number", flat=True))


class VersionOut(Schema):
    report: UUID
    number: int
    published_at: Any
    change_note: str
    snapshot: dict[str, Any]

    @staticmethod
    def resolve_report(obj: Any) -> UUID:
        return obj.report.public_id


@router.get("/indicators", response=list[IndicatorOut])
def list_indicators(request: Any) -> Any:
    return selectors.indicator_list(user=request.auth, include_inactive=True)


@router.get("/indicators/{code}/figure", response=FigureOut)
def get_figure(request: Any, code: str, scope: str, start: date, end: date) -> Any:
    """The indicator's figure for one of your scopes (e.g. ``programme:better-together``)."""
    indicator = get_object_or_404(Indicator, code=code)
    allowed = {item.key: item for item in selectors.scopes_for(user=request.auth)}
    if scope not in allowed:
        raise PermissionDenied
    if end < start:
        raise HttpError(422, "end is before start")
    period = Period(start, end)
    figure = measure(indicator, allowed[scope], period)
    target = target_for(indicator, allowed[scope], period)
    return {
        "indicator": indicator.code,
        "scope": scope,
        "period_start": start,
        "period_end": end,
        "value": None if figure.value is None else str(figure.value),
        "status": figure.status,
        "explanation": str(figure.explanation),
        "target": None if target is None else str(target.value),
    }


@router.get("/reports", response=list[ReportOut])
@paginate(LimitOffsetPagination)
def list_reports(request: Any) -> Any:
    return selectors.report_list_visible_to(user=request.auth).prefetch_related("versions")


@router.get("/reports/{report_id}/versions/{number}", response=VersionOut)
def get_version(request: Any, report_id: UUID, number: int) -> Any:
    report = get_object_or_404(Report, public_id=report_id)
    version = get_object_or_404(
        ReportVersion.objects.select_related("report").defer("pdf"), report=report, number=number
    )
    if not request.auth.has_perm("impact.view_reportversion", version):
        raise PermissionDenied
    return version
