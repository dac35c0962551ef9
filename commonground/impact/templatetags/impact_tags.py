"""Small helpers for the impact templates."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

_HIDDEN = {"changed"}


@register.filter
def change_summary(changes: Any) -> str:
    """An audit event's changes in one line: ``value 12.5 → 14; reason: survey re-weighted``."""
    if not isinstance(changes, dict):
        return ""
    parts = []
    for key, value in changes.items():
        if key in _HIDDEN:
            continue
        if isinstance(value, list) and len(value) == 2:
            parts.append(f"{key} {value[0]} → {value[1]}")
        else:
            parts.append(f"{key}: {value}")
    return "; ".join(parts)
