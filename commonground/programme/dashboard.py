"""Dashboard panels about the programme register, chosen by the viewer's roles."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from commonground.accounts.models import Role
from commonground.accounts.rules import organisation_ids

from . import selectors
from .models import Organiser, TrainingRecord


def panels(user: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    own = (
        Organiser.objects.filter(user=user)
        .select_related("host", "programme")
        .prefetch_related("neighbourhoods")
        .first()
    )
    if own is not None:
        result.append(
            {
                "title": _("Your placement"),
                "caption": _("%(host)s, %(programme)s")
                % {"host": own.host, "programme": own.programme},
                "stats": [
                    {
                        "value": own.listening_target,
                        "label": _("residents to listen to (your target)"),
                    },
                    {"value": own.weeks_in_post() or 0, "label": _("weeks in post")},
                ],
                "items": [
                    {"label": n.name, "url": n.get_absolute_url(), "note": _("your neighbourhood")}
                    for n in own.neighbourhoods.all()
                ],
                "links": [{"label": _("Your organiser page"), "url": own.get_absolute_url()}],
            }
        )
    host_ids = organisation_ids(user, Role.HOST_MANAGER)
    if host_ids:
        organisers = selectors.organiser_list_visible_to(user=user).filter(host_id__in=host_ids)
        overdue = [
            r
            for r in TrainingRecord.objects.filter(organiser__host_id__in=host_ids).select_related(
                "organiser"
            )
            if r.is_overdue
        ]
        result.append(
            {
                "title": _("Your organisers"),
                "items": [
                    {
                        "label": o.full_name,
                        "url": o.get_absolute_url(),
                        "note": ", ".join(n.name for n in o.neighbourhoods.all())
                        or _("no neighbourhood yet"),
                        "tag": o.get_stage_display(),
                    }
                    for o in organisers
                ],
                "empty": _("Your organisation hosts no organisers yet."),
            }
        )
        if overdue:
            result.append(
                {
                    "title": _("Training overdue"),
                    "items": [
                        {
                            "label": f"{r.organiser.full_name}: {r.title}",
                            "url": r.organiser.get_absolute_url(),
                            "tag": _("Overdue"),
                            "tag_colour": "red",
                        }
                        for r in overdue
                    ],
                }
            )
    if organisation_ids(
        user,
        Role.COUNCIL_OFFICER,
        Role.PARTNER_OFFICER,
        Role.HOST_MANAGER,
        Role.ADMINISTRATOR,
        Role.FORUM_MEMBER,
    ):
        programmes = selectors.programme_list_visible_to(user=user)
        result.append(
            {
                "title": _("Programmes"),
                "items": [
                    {"label": p.name, "url": p.get_absolute_url(), "note": str(p.council)}
                    for p in programmes
                ],
                "empty": _("You are not part of any programme yet."),
            }
        )
        overdue_commitments = selectors.overdue_commitments_visible_to(user=user)
        agreements = selectors.agreement_list_visible_to(user=user)
        result.append(
            {
                "title": _("Co-operation agreements"),
                "stats": [
                    {
                        "value": agreements.count(),
                        "label": _("agreements you are party to"),
                        "url": reverse("programme:agreement_list"),
                    },
                    {"value": len(overdue_commitments), "label": _("commitments overdue")},
                ],
                "items": [
                    {
                        "label": f"{c.party}: {c.description[:90]}",
                        "url": c.agreement.get_absolute_url(),
                        "tag": _("Overdue"),
                        "tag_colour": "red",
                    }
                    for c in overdue_commitments[:10]
                ],
            }
        )
    if organisation_ids(user, Role.ADMINISTRATOR):
        result.append(
            {
                "title": _("Administration"),
                "links": [
                    {"label": _("Django admin"), "url": "/admin/"},
                    {"label": _("Organisations"), "url": reverse("programme:organisation_list")},
                ],
            }
        )
    return result
