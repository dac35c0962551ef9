"""Template tags other apps' pages use to show listening figures without knowing how they are made."""

from __future__ import annotations

from typing import Any

from django import template

from ..selectors import area_listening

register = template.Library()


@register.inclusion_tag("listening/_area_panel.html", takes_context=True)
def listening_area_panel(
    context: dict[str, Any],
    *,
    lsoa: Any = None,
    ward: Any = None,
    neighbourhood: Any = None,
    authority: Any = None,
) -> dict[str, Any]:
    """Residents listened to in one area, suppressed under 5 for anyone outside the holding hosts.

    Usage on a place page: ``{% load listening_tags %}{% listening_area_panel ward=ward %}``.
    """
    request = context.get("request")
    return {
        "listening": area_figures(
            getattr(request, "user", None),
            lsoa=lsoa,
            ward=ward,
            neighbourhood=neighbourhood,
            authority=authority,
        )
    }


def area_figures(
    user: Any,
    *,
    lsoa: Any = None,
    ward: Any = None,
    neighbourhood: Any = None,
    authority: Any = None,
) -> dict[str, Any]:
    """The figures for one area: an LSOA, a ward, a neighbourhood or a whole authority."""
    if authority is not None:
        return area_listening(user=user, authority_id=authority.pk)
    if lsoa is not None:
        lsoa_ids = [lsoa.pk]
    elif ward is not None:
        lsoa_ids = list(ward.lsoas.values_list("pk", flat=True))
    elif neighbourhood is not None:
        lsoa_ids = list(neighbourhood.lsoas.values_list("pk", flat=True))
    else:
        lsoa_ids = []
    return area_listening(user=user, lsoa_ids=lsoa_ids)
