"""Formatting for evidence figures: shares, changes and lifts, with suppressed values spelled out."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """A share (0-1) as a percentage; a hidden or unknown share as a dash."""
    if value is None:
        return "–"
    return f"{value * 100:.1f}%"


@register.filter
def points(value: float | None) -> str:
    """A change in percentage points, signed."""
    if value is None:
        return "–"
    if value == 0:
        return _("no change")
    return _("%(sign)s%(value)s points") % {
        "sign": "+" if value > 0 else "−",
        "value": f"{abs(value):.1f}",
    }


@register.filter
def times(value: float | None) -> str:
    """A lift, e.g. 1.8 → "1.8 x"."""
    if value is None:
        return "–"
    return f"{value:.2f} ×"


@register.filter
def pvalue(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 0.001:
        return "< 0.001"
    return f"{value:.3f}"
