"""The impact panel: reports to finish or read, and the way to the indicators and open data.

The dashboard is shared by every app and guarded by a query budget, so this panel reads one list:
the reports a manager works on, or for everyone else the latest published reports.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from commonground.accounts.models import Role
from commonground.accounts.rules import organisation_ids

from . import selectors
from .models import Report


def _tag(report: Report) -> tuple[str, str]:
    if report.changed_since_published:
        return _("Changed since published"), "yellow"
    if report.status == Report.Status.PUBLISHED:
        return _("Published"), "green"
    return _("Draft"), "grey"


def panels(user: Any) -> list[dict[str, Any]]:
    if not organisation_ids(user):
        return []
    managers = organisation_ids(user, Role.HOST_MANAGER, Role.COUNCIL_OFFICER, Role.ADMINISTRATOR)
    links = [
        {"label": _("Shared indicators"), "url": reverse("impact:indicator_list")},
        {"label": _("Did it make a difference?"), "url": reverse("impact:compare")},
        {"label": _("Open data"), "url": reverse("impact:open_data")},
    ]
    if managers:
        reports = selectors.report_list_visible_to(user=user).filter(organisation_id__in=managers)
        items = []
        for report in reports[:6]:
            tag, colour = _tag(report)
            items.append(
                {
                    "label": report.title,
                    "url": report.get_absolute_url(),
                    "tag": tag,
                    "tag_colour": colour,
                }
            )
        links.insert(0, {"label": _("Impact reports"), "url": reverse("impact:report_list")})
        empty = _("No impact reports yet: start one for your programme's year.")
    else:
        items = [
            {
                "label": version.report.title,
                "url": version.get_absolute_url(),
                "note": _("published %(date)s") % {"date": f"{version.published_at:%d %B %Y}"},
            }
            for version in selectors.published_versions()[:5]
        ]
        empty = _("No impact reports have been published yet.")
    return [{"title": _("Impact"), "items": items, "empty": empty, "links": links}]
