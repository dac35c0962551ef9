"""Dashboard panels about places: councillors see their wards; everyone sees the mapped authorities."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from commonground.accounts.models import Membership, Role

from .models import Ward
from .selectors import mapped_authorities


def panels(user: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    wards = (
        Ward.objects.filter(
            councillor_memberships__in=Membership.objects.filter(user=user, role=Role.COUNCILLOR)
        )
        .distinct()
        .select_related("authority")
    )
    if wards:
        result.append(
            {
                "title": _("Your wards"),
                "items": [
                    {"label": w.name, "url": w.get_absolute_url(), "note": w.authority.name}
                    for w in wards
                ],
            }
        )
    result.append(
        {
            "title": _("Maps and area pages"),
            "items": [
                {
                    "label": a.name,
                    "url": a.get_absolute_url(),
                    "note": _("%(n)s LSOAs") % {"n": a.lsoa_count},
                }
                for a in mapped_authorities()
            ],
            "empty": _("No geography is loaded yet."),
        }
    )
    return result
