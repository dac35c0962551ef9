"""Themes and area evidence over HTTP, for dashboards and other councils' systems.

Evidence carries the same suppression as the pages: counts under 5 come back as null with
``suppressed: true`` unless every conversation behind them is held by the caller's organisation.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema

from . import selectors
from .areas import area_from, period_of
from .models import Theme

router = Router(tags=["insight"])


class ThemeOut(Schema):
    slug: str
    name: str
    family: str | None
    origin: str
    is_active: bool
    source_codes: str

    @staticmethod
    def resolve_family(obj: Any) -> str | None:
        return obj.parent.slug if obj.parent_id else None


class ThemeEvidenceOut(Schema):
    theme: str
    name: str
    conversations: int | None
    share: float | None
    previous_conversations: int | None
    change_points: float | None
    authority_share: float | None
    lift_over_authority: float | None
    over_represented: bool


class LadderOut(Schema):
    step: str
    conversations: int | None


class EvidenceOut(Schema):
    area_kind: str
    area_code: str
    area_name: str
    first_month: str
    last_month: str
    suppressed: bool
    conversations: int | None
    previous_conversations: int | None
    themes: list[ThemeEvidenceOut]
    ladder: list[LadderOut]


@router.get("/themes", response=list[ThemeOut])
def list_themes(request: Any) -> Any:
    return Theme.objects.select_related("parent").order_by("parent__name", "name")


@router.get("/review-queue", response={200: dict})
def review_queue_size(request: Any) -> Any:
    if not request.auth.has_perm("insight.view_review_queue"):
        raise PermissionDenied
    return {"waiting": selectors.review_queue_size(user=request.auth)}


@router.get("/areas/{kind}/{code}/evidence", response=EvidenceOut)
def area_evidence(request: Any, kind: str, code: str, months: int = 12) -> Any:
    if not request.auth.has_perm("insight.view_area_evidence"):
        raise PermissionDenied
    area = area_from(kind, code)
    evidence = selectors.area_evidence(
        user=request.auth, area=area, period=period_of(max(1, min(months, 120)))
    )

    def shown(count: int) -> int | None:
        return None if evidence.suppress and 0 < count < 5 else count

    return {
        "area_kind": area.kind,
        "area_code": area.code,
        "area_name": area.name,
        "first_month": evidence.period.first.isoformat()[:7],
        "last_month": evidence.period.last.isoformat()[:7],
        "suppressed": evidence.suppress,
        "conversations": shown(evidence.total),
        "previous_conversations": shown(evidence.previous_total),
        "themes": [
            {
                "theme": row.theme.slug,
                "name": row.theme.name,
                "conversations": row.count_shown,
                "share": row.share_shown,
                "previous_conversations": row.previous_shown,
                "change_points": row.change_points,
                "authority_share": row.authority_share_shown,
                "lift_over_authority": row.lift_shown,
                "over_represented": row.over_represented,
            }
            for row in evidence.rows
        ],
        "ladder": [
            {"step": row["key"], "conversations": row["shown"]} for row in evidence.ladder_rows
        ],
    }
