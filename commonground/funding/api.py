"""Funds, awarded grants and applications over HTTP, with the same permissions as the pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from commonground.core.pagination import LimitOffsetPagination

from . import exchange, selectors
from .models import Fund, Grant

router = Router(tags=["funding"])


class FundOut(Schema):
    slug: str
    code: str
    name: str
    council: str = Field(..., alias="council.slug")
    source: str
    amount: Decimal
    awarded: Decimal = Field(..., alias="awarded_total")
    grants: int = Field(..., alias="grant_count")
    one_off: bool
    invest_to_save: bool
    exit_strategy_required: bool
    milestones_required: bool


class GrantOut(Schema):
    id: UUID = Field(..., alias="public_id")
    reference: str
    title: str
    fund: str = Field(..., alias="fund.slug")
    recipient: str = Field(..., alias="recipient.name")
    amount_awarded: Decimal
    awarded_on: date
    starts_on: date | None
    ends_on: date | None
    ward: str | None
    status: str

    @staticmethod
    def resolve_ward(obj: Any) -> str | None:
        return obj.ward.code if obj.ward else None


class MilestoneOut(Schema):
    title: str
    due_on: date
    status: str
    late: bool = Field(..., alias="is_late")


class GrantMonitoringOut(GrantOut):
    paid: Decimal = Field(..., alias="paid_total")
    spent: Decimal = Field(..., alias="spent_total")
    late_milestones: int = Field(..., alias="late_count")
    at_risk: bool = Field(..., alias="is_at_risk")
    milestones: list[MilestoneOut]

    @staticmethod
    def resolve_milestones(obj: Any) -> list[Any]:
        return list(obj.milestones.all())


class ApplicationOut(Schema):
    id: UUID = Field(..., alias="public_id")
    reference: str | None
    title: str
    fund: str = Field(..., alias="round.fund.slug")
    applicant: str = Field(..., alias="applicant.name")
    amount_requested: Decimal
    status: str


@router.get("/funds", response=list[FundOut])
@paginate(LimitOffsetPagination)
def list_funds(request: Any) -> Any:
    if not request.auth.has_perm("funding.view_fund"):
        raise PermissionDenied
    return selectors.fund_list(user=request.auth)


@router.get("/grants", response=list[GrantOut])
@paginate(LimitOffsetPagination)
def list_grants(request: Any, fund: str | None = None) -> Any:
    fund_object = get_object_or_404(Fund, slug=fund) if fund else None
    return selectors.grant_list_visible_to(user=request.auth, fund=fund_object)


def _grant(request: Any, grant_id: UUID, permission: str) -> Grant:
    grant = get_object_or_404(
        Grant.objects.select_related("fund__council", "recipient", "ward"), public_id=grant_id
    )
    if not request.auth.has_perm(permission, grant):
        raise PermissionDenied
    return grant


@router.get("/grants/{grant_id}", response=GrantOut)
def get_grant(request: Any, grant_id: UUID) -> Any:
    """The published details of an awarded grant."""
    return _grant(request, grant_id, "funding.view_grant")


@router.get("/grants/{grant_id}/monitoring", response=GrantMonitoringOut)
def get_grant_monitoring(request: Any, grant_id: UUID) -> Any:
    """Money and milestones: for the fund's officers and the recipient's managers."""
    grant = _grant(request, grant_id, "funding.view_grant_monitoring")
    return selectors.grant_with_figures(grant=grant)


@router.get("/applications", response=list[ApplicationOut])
@paginate(LimitOffsetPagination)
def list_applications(request: Any) -> Any:
    """Officers get their funds' applications, applicants their own, assessors what they score."""
    return selectors.application_list_visible_to(user=request.auth)


@router.get("/360giving", response={200: dict, 422: dict})
def threesixty_package(request: Any, fund: str | None = None) -> Any:
    """Awarded grants as a validated 360Giving data package."""
    if not request.auth.has_perm("funding.export_grants"):
        raise PermissionDenied
    fund_object = get_object_or_404(Fund, slug=fund) if fund else None
    grants = selectors.grants_for_export(user=request.auth, fund=fund_object)
    try:
        return exchange.build_export(grants).package
    except exchange.ExportError as error:
        return 422, {"detail": error.problems}
