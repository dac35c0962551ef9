"""Six-monthly progress reports on action plans, and savings totals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ActionPlan, ActionPlanItem, ActionPlanUpdate


@dataclass(frozen=True)
class HalfYear:
    """April to September or October to March: the council's financial half-years."""

    starts_on: date
    ends_on: date

    @property
    def key(self) -> str:
        return f"{self.starts_on:%Y-%m}"

    @property
    def label(self) -> str:
        return _("%(start)s to %(end)s") % {
            "start": f"{self.starts_on:%B %Y}",
            "end": f"{self.ends_on:%B %Y}",
        }


def half_year_containing(day: date) -> HalfYear:
    if 4 <= day.month <= 9:
        return HalfYear(date(day.year, 4, 1), date(day.year, 9, 30))
    year = day.year if day.month >= 10 else day.year - 1
    return HalfYear(date(year, 10, 1), date(year + 1, 3, 31))


def half_years_since(start: date, *, until: date | None = None) -> list[HalfYear]:
    until = until or timezone.localdate()
    periods = []
    current = half_year_containing(start)
    while current.starts_on <= until:
        periods.append(current)
        current = half_year_containing(current.ends_on + timedelta(days=1))
    return periods


@dataclass
class ItemReport:
    item: ActionPlanItem
    status_at_end: str
    status_label: str
    updates: list[ActionPlanUpdate]
    done_in_period: bool
    overdue_at_end: bool


def plan_progress_report(plan: ActionPlan, period: HalfYear) -> dict[str, Any]:
    """Each item's status at the end of the period (from its progress history) and what happened."""
    labels = dict(ActionPlanItem.Status.choices)
    rows = []
    counts: Counter[str] = Counter()
    for item in plan.items.prefetch_related("updates").order_by("due_on", "id"):
        history = [u for u in item.updates.all() if u.on <= period.ends_on]
        in_period = [u for u in history if u.on >= period.starts_on]
        status = history[-1].status if history else ActionPlanItem.Status.NOT_STARTED
        if item.created_at.date() > period.ends_on:
            continue
        done_now = status == ActionPlanItem.Status.DONE and any(
            u.status == ActionPlanItem.Status.DONE for u in in_period
        )
        overdue = (
            status not in {ActionPlanItem.Status.DONE, ActionPlanItem.Status.DROPPED}
            and item.due_on is not None
            and item.due_on <= period.ends_on
        )
        counts[status] += 1
        rows.append(
            ItemReport(
                item=item,
                status_at_end=status,
                status_label=str(labels[status]),
                updates=in_period,
                done_in_period=done_now,
                overdue_at_end=overdue,
            )
        )
    return {
        "rows": rows,
        "counts": [(str(labels[key]), counts.get(key, 0)) for key in labels],
        "total": len(rows),
        "done_in_period": sum(1 for r in rows if r.done_in_period),
        "overdue": sum(1 for r in rows if r.overdue_at_end),
        "updates": sum(len(r.updates) for r in rows),
    }


def total_savings(rows: list[Any]) -> dict[str, Decimal | int]:
    return {
        "ideas": sum(r.ideas for r in rows),
        "adopted": sum(r.adopted for r in rows),
        "one_off_cost": sum((r.one_off_cost for r in rows), Decimal(0)),
        "estimated": sum((r.estimated for r in rows), Decimal(0)),
        "realised": sum((r.realised for r in rows), Decimal(0)),
    }
