"""The planner's panel: where to start a plan, the latest saved scenarios, what to mark."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from . import selectors


def panels(user: Any) -> list[dict[str, Any]]:
    if not user.has_perm("priorities.view_planner"):
        return []
    saved = list(selectors.scenario_list_visible_to(user=user)[:5])
    links = [{"label": _("All saved scenarios"), "url": reverse("priorities:scenario_list")}]
    if selectors.plannable_authorities(user=user).exists():
        links.insert(0, {"label": _("Make a plan"), "url": reverse("priorities:planner")})
    links.extend(
        {
            "label": _("Mark connectors and new communities in %(name)s") % {"name": a.name},
            "url": reverse("priorities:markings", kwargs={"code": a.code}),
        }
        for a in selectors.markable_authorities(user=user)
    )
    return [
        {
            "title": _("Where the next organisers should work"),
            "caption": _(
                "Patches of about 2,000 to 3,000 residents holding the most need, compared with "
                "sorting a spreadsheet by deprivation."
            ),
            "items": [
                {
                    "label": scenario.name,
                    "url": scenario.get_absolute_url(),
                    "note": scenario.authority.name,
                }
                for scenario in saved
            ],
            "empty": _("No scenarios have been saved yet."),
            "links": links,
        }
    ]
