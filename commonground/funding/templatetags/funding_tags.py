"""Money as council papers write it: whole pounds without pence, pence only when there are some."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def money(value: Any) -> str:
    if value is None or value == "":
        return "–"
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if amount == amount.to_integral_value():
        return f"£{amount:,.0f}"
    return f"£{amount:,.2f}"


@register.filter
def percent_of(part: Any, whole: Any) -> str:
    """``part`` as a whole-number percentage of ``whole``; a dash when there is no whole."""
    try:
        whole_amount = Decimal(whole)
        if whole_amount == 0:
            return "–"
        share = Decimal(part or 0) / whole_amount * 100
    except (InvalidOperation, TypeError, ValueError):
        return "–"
    return f"{share:.0f}%"


_TAG_COLOURS = {
    "draft": "grey",
    "submitted": "blue",
    "in_assessment": "light-blue",
    "moderated": "purple",
    "awarded": "green",
    "declined": "red",
    "withdrawn": "grey",
    "active": "green",
    "closed": "grey",
    "not_started": "grey",
    "in_progress": "blue",
    "met": "green",
    "missed": "red",
    "scheduled": "blue",
    "paid": "green",
    "cancelled": "grey",
    "requested": "yellow",
    "approved": "green",
    "refused": "red",
    "planned": "grey",
    "secured": "green",
    "pending": "yellow",
    "lost": "red",
}


@register.filter
def tag_colour(status: Any) -> str:
    """The GOV.UK tag colour for a status value, so every page shows a status the same way."""
    return _TAG_COLOURS.get(str(status), "grey")


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return ""
