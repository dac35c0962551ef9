"""Panels other apps add to place pages, without places knowing about them.

An app joins in with a ``place_panels.py`` module holding ``panel(request, *, lsoa=None, ward=None,
neighbourhood=None, authority=None)`` that returns HTML (or an empty string to show nothing).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from commonground.core.discovery import app_modules

register = template.Library()


@register.simple_tag(takes_context=True)
def place_panels(context: dict[str, Any], **area: Any) -> SafeString:
    """Every app's panel for this area, in settings order. Usage: ``{% place_panels ward=ward %}``."""
    request = context.get("request")
    parts = [module.panel(request, **area) for _label, module in app_modules("place_panels")]
    return format_html_join("", "{}", ((part,) for part in parts if part))
