from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from commonground.core.suppression import display_count

register = template.Library()

MATTER_COLOURS = {
    "new": "blue",
    "acknowledged": "light-blue",
    "in_progress": "yellow",
    "resolved": "green",
    "closed": "grey",
    "merged": "grey",
}
IDEA_COLOURS = {
    "idea": "grey",
    "assessed": "light-blue",
    "approved": "blue",
    "piloting": "yellow",
    "adopted": "green",
    "rejected": "red",
}
PLAN_COLOURS = {
    "not_started": "grey",
    "on_track": "green",
    "at_risk": "orange",
    "done": "blue",
    "dropped": "grey",
}


@register.filter
def matter_colour(status: str) -> str:
    return MATTER_COLOURS.get(status, "grey")


@register.filter
def idea_colour(status: str) -> str:
    return IDEA_COLOURS.get(status, "grey")


@register.filter
def plan_colour(status: str) -> str:
    return PLAN_COLOURS.get(status, "grey")


@register.filter
def pounds(value: Any) -> str:
    """£1,234 for whole pounds; a dash for nothing."""
    if value is None or value == "":
        return "–"
    amount = Decimal(value).quantize(Decimal("1"))
    return f"£{amount:,}"


@register.filter
def suppressed(value: int) -> str:
    return display_count(int(value or 0))
