"""Residents listened to, shown on the place pages (see ``places/templatetags/place_panels.py``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from .templatetags.listening_tags import area_figures


def panel(request: HttpRequest | None, **area: Any) -> str:
    figures = area_figures(getattr(request, "user", None), **area)
    return render_to_string("listening/_area_panel.html", {"listening": figures}, request=request)
