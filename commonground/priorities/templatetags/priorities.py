"""Number formats for the planner's pages: shares as percentages, need and deciles.

The site is in British English, so figures use a comma for thousands and a point for decimals.
"""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None, places: int = 1) -> str:
    """0.0345 -> "3.5%"; blank when there is no figure."""
    if value is None:
        return ""
    return f"{100 * float(value):,.{int(places)}f}%"


@register.filter
def need(value: float | None) -> str:
    """Need figures are large and their decimals mean nothing to a reader: 412404.2 -> "412,404"."""
    if value is None:
        return ""
    return f"{float(value):,.0f}"


@register.filter
def decile(value: float | None) -> str:
    """A population-weighted mean decile to one place: 2.4."""
    if value is None:
        return ""
    return f"{float(value):.1f}"
