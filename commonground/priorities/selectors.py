"""Reads for the planner, always for a given viewer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet

from commonground.accounts.models import Role
from commonground.accounts.rules import organisation_ids
from commonground.places.models import GpPractice, LocalAuthority, Lsoa, Neighbourhood
from commonground.programme.models import Organisation, Organiser

from .models import Scenario
from .rules import PLANNING_ROLES, VIEWING_ROLES


def _is_admin(user: Any) -> bool:
    return bool(organisation_ids(user, Role.ADMINISTRATOR))


def _authority_ids(user: Any, *roles: str) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        id__in=organisation_ids(user, *roles), authority__isnull=False
    ).values("authority_id")


def plannable_authorities(*, user: Any) -> QuerySet[LocalAuthority]:
    """Authorities with boundaries loaded that the user may plan for."""
    queryset = LocalAuthority.objects.exclude(boundary="").order_by("name")
    if _is_admin(user):
        return queryset
    return queryset.filter(id__in=_authority_ids(user, *PLANNING_ROLES))


def markable_authorities(*, user: Any) -> QuerySet[LocalAuthority]:
    queryset = LocalAuthority.objects.exclude(boundary="").order_by("name")
    if _is_admin(user):
        return queryset
    return queryset.filter(id__in=_authority_ids(user, Role.COUNCIL_OFFICER))


def scenario_list_visible_to(
    *, user: Any, authority: LocalAuthority | None = None
) -> QuerySet[Scenario]:
    """Saved scenarios the user may see, newest first."""
    queryset = Scenario.objects.filter(saved_at__isnull=False).select_related(
        "authority", "saved_by"
    )
    if not _is_admin(user):
        queryset = queryset.filter(
            Q(authority_id__in=_authority_ids(user, *VIEWING_ROLES)) | Q(created_by=user)
        )
    if authority is not None:
        queryset = queryset.filter(authority=authority)
    return queryset.order_by("-saved_at")


def unsaved_scenarios_of(*, user: Any, limit: int = 5) -> list[Scenario]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Scenario.objects.filter(created_by=user, saved_at__isnull=True)
        .select_related("authority")
        .order_by("-created_at")[:limit]
    )


def scenarios_to_compare(*, user: Any, public_ids: Sequence[UUID]) -> list[Scenario]:
    """The finished scenarios asked for that the user may see, in the order asked."""
    found = {
        scenario.public_id: scenario
        for scenario in Scenario.objects.filter(
            public_id__in=public_ids, status=Scenario.Status.FINISHED
        ).select_related("authority", "saved_by", "created_by")
        if user.has_perm("priorities.view_scenario", scenario)
    }
    ordered: list[Scenario] = []
    for public_id in public_ids:
        if public_id in found and found[public_id] not in ordered:
            ordered.append(found[public_id])
    return ordered


@dataclass(frozen=True, slots=True)
class NearbyOrganiser:
    organiser: Organiser
    neighbourhood: Neighbourhood
    overlaps: bool


def organisers_near(
    *,
    authority: LocalAuthority,
    patches: Sequence[Sequence[str]],
    adjacency: Mapping[str, frozenset[str]],
) -> list[list[NearbyOrganiser]]:
    """For each patch, organisers whose neighbourhoods overlap it or lie next to it.

    Neighbourhoods and who works in them are public on the places pages, so every planner sees
    them. Finished placements are left out.
    """
    neighbourhoods = list(
        Neighbourhood.objects.filter(authority=authority, organisers__isnull=False)
        .distinct()
        .prefetch_related("lsoas")
    )
    lsoas_of = {n.pk: {lsoa.code for lsoa in n.lsoas.all()} for n in neighbourhoods}
    organisers = (
        Organiser.objects.filter(neighbourhoods__in=neighbourhoods)
        .exclude(stage=Organiser.Stage.FINISHED)
        .select_related("host")
        .prefetch_related("neighbourhoods")
        .distinct()
        .order_by("full_name")
    )
    by_neighbourhood: dict[int, list[Organiser]] = {}
    for organiser in organisers:
        for neighbourhood in organiser.neighbourhoods.all():
            by_neighbourhood.setdefault(neighbourhood.pk, []).append(organiser)
    result: list[list[NearbyOrganiser]] = []
    for codes in patches:
        inside = set(codes)
        around = set().union(*(adjacency.get(code, frozenset()) for code in codes)) - inside
        near: list[NearbyOrganiser] = []
        for neighbourhood in neighbourhoods:
            members = lsoas_of[neighbourhood.pk]
            overlaps = bool(members & inside)
            if overlaps or members & around:
                near.extend(
                    NearbyOrganiser(organiser=o, neighbourhood=neighbourhood, overlaps=overlaps)
                    for o in by_neighbourhood.get(neighbourhood.pk, [])
                )
        near.sort(key=lambda item: (not item.overlaps, item.organiser.full_name))
        result.append(near)
    return result


def practices_in(*, authority: LocalAuthority) -> QuerySet[GpPractice]:
    """Open GP practices of the authority, for marking community connectors."""
    return (
        GpPractice.objects.filter(authority=authority, is_active=True)
        .select_related("lsoa")
        .order_by("name")
    )


def lsoas_for_marking(*, authority: LocalAuthority) -> QuerySet[Lsoa]:
    return (
        Lsoa.objects.filter(authority=authority)
        .exclude(boundary="")
        .select_related("ward")
        .only("code", "name", "population", "imd_decile", "is_new_community", "ward__name")
        .order_by("ward__name", "code")
    )
