"""Choosing where a matter goes, and explaining the choice.

A council's rules apply inside its own authority. Among the rules that match a matter's category and
place, the most specific wins: a named category beats "any category"; then a smaller area beats a
larger one (LSOA, neighbourhood, ward, authority, anywhere); then the lower priority number; then the
older rule. When nothing matches, the matter goes to the authority's named default owner, or the
catch-all default: never nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from commonground.places.models import LocalAuthority, Lsoa, Neighbourhood, Ward
from commonground.programme.models import Organisation

from .models import MatterCategory, RoutingDefault, RoutingRule


@dataclass(frozen=True)
class Place:
    """Where a matter is, as precisely as known; finer levels imply the coarser ones."""

    lsoa: Lsoa | None = None
    ward: Ward | None = None
    neighbourhood: Neighbourhood | None = None
    authority: LocalAuthority | None = None

    @classmethod
    def of(
        cls,
        *,
        lsoa: Lsoa | None = None,
        ward: Ward | None = None,
        neighbourhood: Neighbourhood | None = None,
        authority: LocalAuthority | None = None,
    ) -> Place:
        """Fill in the coarser levels from the finest one given."""
        if lsoa is not None:
            ward = ward or lsoa.ward
            authority = authority or lsoa.authority
        if ward is not None:
            authority = authority or ward.authority
        if neighbourhood is not None:
            authority = authority or neighbourhood.authority
        return cls(lsoa=lsoa, ward=ward, neighbourhood=neighbourhood, authority=authority)

    def neighbourhood_ids(self) -> set[int]:
        ids: set[int] = set()
        if self.neighbourhood is not None:
            ids.add(self.neighbourhood.pk)
        if self.lsoa is not None:
            ids.update(self.lsoa.neighbourhoods.values_list("id", flat=True))
        return ids

    def describe(self) -> str:
        for area in (self.lsoa, self.neighbourhood, self.ward, self.authority):
            if area is not None:
                return str(area)
        return _("an unknown place")


@dataclass(frozen=True)
class Candidate:
    rule: RoutingRule
    reason: str

    @property
    def sort_key(self) -> tuple[int, int, int, int]:
        return (
            0 if self.rule.category_id else 1,
            -self.rule.area_level,
            self.rule.priority,
            self.rule.pk,
        )


@dataclass
class Route:
    organisation: Organisation
    team: str
    owner: Any
    rule: RoutingRule | None
    by_default: bool
    reason: str
    candidates: list[Candidate] = field(default_factory=list)


def _area_reason(rule: RoutingRule) -> str:
    if rule.area_level == 0:
        return _("anywhere in the council's area")
    return _("the place is in %(area)s") % {"area": rule.area_label}


def matching_rules(category: MatterCategory | None, place: Place) -> list[Candidate]:
    """Every active rule that covers this category and place, best first, each with why it matched."""
    queryset = RoutingRule.objects.filter(is_active=True).select_related(
        "category__theme", "partner", "owner", "lsoa", "ward", "neighbourhood", "authority"
    )
    if place.authority is not None:
        queryset = queryset.filter(council__authority=place.authority)
        queryset = queryset.filter(Q(authority__isnull=True) | Q(authority=place.authority))
    else:
        queryset = queryset.filter(authority__isnull=True)
    queryset = queryset.filter(
        Q(category__isnull=True) | Q(category=category)
        if category is not None
        else Q(category__isnull=True)
    )
    queryset = queryset.filter(
        Q(ward__isnull=True) | Q(ward=place.ward)
        if place.ward is not None
        else Q(ward__isnull=True)
    )
    queryset = queryset.filter(
        Q(lsoa__isnull=True) | Q(lsoa=place.lsoa)
        if place.lsoa is not None
        else Q(lsoa__isnull=True)
    )
    neighbourhood_ids = place.neighbourhood_ids()
    queryset = queryset.filter(
        Q(neighbourhood__isnull=True) | Q(neighbourhood_id__in=neighbourhood_ids)
    )
    candidates = []
    for rule in queryset:
        what = (
            _("the category is %(category)s") % {"category": rule.category}
            if rule.category_id
            else _("the rule covers any category")
        )
        candidates.append(Candidate(rule=rule, reason=f"{what}; {_area_reason(rule)}"))
    return sorted(candidates, key=lambda candidate: candidate.sort_key)


def default_for(place: Place) -> RoutingDefault | None:
    queryset = RoutingDefault.objects.select_related("organisation", "owner", "council")
    if place.authority is not None:
        found = queryset.filter(authority=place.authority).first()
        if found is not None:
            return found
        council_default = queryset.filter(
            authority__isnull=True, council__authority=place.authority
        ).first()
        if council_default is not None:
            return council_default
    catch_all = queryset.filter(authority__isnull=True).order_by("council__name", "pk").first()
    if catch_all is not None or place.authority is not None:
        return catch_all
    # A place not known at all (an Open311 report with only an address) on a site that serves one
    # council goes to that council's default owner.
    only = list(queryset[:2])
    return only[0] if len(only) == 1 else None


def choose_route(category: MatterCategory | None, place: Place) -> Route:
    """The route a matter takes; a ValidationError only if no default owner has been named at all."""
    candidates = matching_rules(category, place)
    if candidates:
        best = candidates[0].rule
        return Route(
            organisation=best.partner,
            team=best.team,
            owner=best.owner,
            rule=best,
            by_default=False,
            reason=_("Matched the rule for %(category)s in %(area)s.")
            % {
                "category": best.category or _("any category"),
                "area": best.area_label if best.area_level else _("the whole council area"),
            },
            candidates=candidates,
        )
    fallback = default_for(place)
    if fallback is None:
        raise ValidationError(
            _(
                "No routing rule covers this matter and no default owner is named. An administrator "
                "or council officer must name a default owner under Routing before matters can be raised."
            )
        )
    return Route(
        organisation=fallback.organisation,
        team=fallback.team,
        owner=fallback.owner,
        rule=None,
        by_default=True,
        reason=_("No rule covers %(category)s in %(place)s: sent to the default owner, %(owner)s.")
        % {
            "category": category or _("this category"),
            "place": place.describe(),
            "owner": fallback.owner,
        },
        candidates=[],
    )
