"""Dashboard panels: the review queue for those who tag, evidence and taxonomy for officers."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from . import selectors, store
from .models import EmergingCluster


def panels(user: Any) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    result: list[dict[str, Any]] = []
    links = [{"label": _("Evidence by area"), "url": reverse("insight:area_choose")}]
    stats: list[dict[str, Any]] = []
    if user.has_perm("insight.view_review_queue"):
        stats.append(
            {
                "value": selectors.review_queue_size(user=user),
                "label": _("conversations waiting for theme review"),
                "url": reverse("insight:review_next"),
            }
        )
        stats.append(
            {
                "value": selectors.quotes_to_decide(user=user).count(),
                "label": _("quotes waiting for approval"),
                "url": reverse("insight:quote_list"),
            }
        )
    if user.has_perm("insight.view_emergingcluster"):
        stats.append(
            {
                "value": EmergingCluster.objects.filter(status=EmergingCluster.Status.OPEN).count(),
                "label": _("emerging themes to look at"),
                "url": reverse("insight:emerging_list"),
            }
        )
        links.append({"label": _("Themes"), "url": reverse("insight:theme_list")})
        links.append({"label": _("Tagger versions"), "url": reverse("insight:taggermodel_list")})
    active = store.active_model()
    result.append(
        {
            "title": _("Themes and evidence"),
            "caption": _("Tagger in use: version %(version)s") % {"version": active.version}
            if active
            else _("No tagger has been trained yet: themes are added by hand."),
            "stats": stats,
            "links": links,
        }
    )
    return result
