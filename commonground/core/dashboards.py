"""The dashboard is assembled from panels that each app provides.

``settings.DASHBOARD_PANELS`` lists functions ``panels(user) -> list[dict]``; each returns the panels
that user should see, so a new app adds its panel without touching this module.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


def dashboard_context(user: Any) -> dict[str, Any]:
    panels: list[dict[str, Any]] = []
    for dotted in settings.DASHBOARD_PANELS:
        panels.extend(import_string(dotted)(user))
    return {"panels": panels}
