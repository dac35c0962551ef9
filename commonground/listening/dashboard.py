"""Dashboard panels about listening, chosen by the viewer's roles."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from commonground.accounts.models import Role
from commonground.accounts.rules import organisation_ids
from commonground.programme.models import Organiser

from . import selectors
from .counting import COUNTING_RULE


def panels(user: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    own = (
        Organiser.objects.filter(user=user, host_id__in=organisation_ids(user, Role.ORGANISER))
        .select_related("programme", "host")
        .first()
    )
    if own is not None:
        progress = selectors.organiser_progress(organiser=own)
        due = list(selectors.follow_ups_due(user=user)[:5])
        result.append(
            {
                "title": _("Your listening"),
                "caption": str(COUNTING_RULE),
                "stats": [
                    {
                        "value": progress.listened,
                        "label": _("residents listened to of your %(target)s")
                        % {"target": progress.target},
                        "url": reverse("listening:organiser_progress", args=[own.public_id]),
                    },
                    {"value": progress.percent, "label": _("per cent of your target")},
                    {"value": progress.expected_by_now, "label": _("where a steady pace would be")},
                ],
                "items": [
                    {
                        "label": f.description,
                        "url": f.conversation.get_absolute_url(),
                        "note": _("due %(date)s") % {"date": f.due_on.strftime("%d %b %Y")}
                        if f.due_on
                        else _("no date"),
                        "tag": _("Overdue") if f.is_overdue else _("Follow-up"),
                        "tag_colour": "red" if f.is_overdue else "blue",
                    }
                    for f in due
                ],
                "links": [
                    {"label": _("Record a conversation"), "url": reverse("listening:capture")},
                    {
                        "label": _("Your progress week by week"),
                        "url": reverse("listening:organiser_progress", args=[own.public_id]),
                    },
                    {
                        "label": _("Your conversations"),
                        "url": reverse("listening:conversation_list"),
                    },
                ],
            }
        )
    if organisation_ids(user, Role.HOST_MANAGER):
        rows = selectors.host_progress(user=user)
        result.append(
            {
                "title": _("Listening by organiser"),
                "caption": str(COUNTING_RULE),
                "items": [
                    {
                        "label": row.organiser.full_name,
                        "url": reverse(
                            "listening:organiser_progress", args=[row.organiser.public_id]
                        ),
                        "note": _("%(n)s of %(target)s residents listened to (%(percent)s%%)")
                        % {"n": row.listened, "target": row.target, "percent": row.percent},
                        "tag": _("Behind") if row.listened < row.expected_by_now else _("On track"),
                        "tag_colour": "orange" if row.listened < row.expected_by_now else "green",
                    }
                    for row in rows
                ],
                "empty": _("Your organisation hosts no organisers yet."),
                "links": [
                    {"label": _("Side by side, week by week"), "url": reverse("listening:compare")},
                    {"label": _("Canvassing"), "url": reverse("listening:assignment_list")},
                    {"label": _("Import a spreadsheet"), "url": reverse("listening:import_list")},
                ],
            }
        )
    if organisation_ids(
        user, Role.COUNCIL_OFFICER, Role.PARTNER_OFFICER, Role.COUNCILLOR, Role.FORUM_MEMBER
    ):
        areas = selectors.listening_by_neighbourhood(user=user)
        result.append(
            {
                "title": _("Residents listened to, by neighbourhood"),
                "caption": str(COUNTING_RULE),
                "items": [
                    {
                        "label": area["name"],
                        "url": reverse("places:neighbourhood_detail", args=[area["slug"]]),
                        "note": area["figure"].display,
                    }
                    for area in areas
                ],
                "empty": _("No conversations have been recorded in your programmes yet."),
                "links": [
                    {"label": _("Listening figures by area"), "url": reverse("listening:figures")}
                ],
            }
        )
    return result
