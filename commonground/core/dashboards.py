"""The dashboard is assembled from panels that each app provides.

An app with a ``dashboard.py`` defining ``panels(user) -> list[dict]`` contributes the panels that user
should see; they appear in the order of ``settings.COMMONGROUND_APPS``.
"""

from __future__ import annotations

from typing import Any

from .discovery import app_modules


def dashboard_context(user: Any) -> dict[str, Any]:
    panels: list[dict[str, Any]] = []
    for _label, module in app_modules("dashboard"):
        for panel in module.panels(user):
            # Every key the template reads is present, so a missing list never reads as dict.items.
            panels.append(
                {"caption": "", "stats": [], "items": [], "links": [], "empty": "", **panel}
            )
    return {"panels": panels}
