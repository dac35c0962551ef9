"""Writes to geography that people make: neighbourhoods and the markings that feed placement choices."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from commonground.core.audit import audit_record
from commonground.core.services import unique_slug

from .models import GpPractice, LocalAuthority, Lsoa, Neighbourhood


def _check_lsoas(authority: LocalAuthority, lsoas: list[Lsoa]) -> None:
    if not lsoas:
        raise ValidationError({"lsoas": "Choose at least one LSOA."})
    outside = [lsoa.code for lsoa in lsoas if lsoa.authority_id != authority.pk]
    if outside:
        raise ValidationError(
            {"lsoas": f"These LSOAs are not in {authority.name}: {', '.join(outside)}."}
        )


@transaction.atomic
def neighbourhood_create(
    *, actor: Any, name: str, authority: LocalAuthority, lsoas: list[Lsoa], description: str = ""
) -> Neighbourhood:
    _check_lsoas(authority, lsoas)
    neighbourhood = Neighbourhood(
        name=name.strip(),
        slug=unique_slug(Neighbourhood, name, max_length=110, fallback="neighbourhood"),
        authority=authority,
        description=description,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    neighbourhood.full_clean()
    neighbourhood.save()
    neighbourhood.lsoas.set(lsoas)
    audit_record(
        actor=actor,
        action="neighbourhood.create",
        obj=neighbourhood,
        changes={"lsoas": sorted(lsoa.code for lsoa in lsoas)},
    )
    return neighbourhood


@transaction.atomic
def neighbourhood_update(
    *, actor: Any, neighbourhood: Neighbourhood, name: str, lsoas: list[Lsoa], description: str = ""
) -> Neighbourhood:
    _check_lsoas(neighbourhood.authority, lsoas)
    before = sorted(neighbourhood.lsoas.values_list("code", flat=True))
    after = sorted(lsoa.code for lsoa in lsoas)
    changes: dict[str, Any] = {}
    if neighbourhood.name != name.strip():
        changes["name"] = [neighbourhood.name, name.strip()]
    if neighbourhood.description != description:
        changes["description"] = "changed"
    if before != after:
        changes["lsoas"] = [before, after]
    neighbourhood.name = name.strip()
    neighbourhood.description = description
    neighbourhood.full_clean()
    neighbourhood.save()
    neighbourhood.lsoas.set(lsoas)
    if changes:
        audit_record(actor=actor, action="neighbourhood.update", obj=neighbourhood, changes=changes)
    return neighbourhood


@transaction.atomic
def lsoa_mark_new_community(*, actor: Any, lsoa: Lsoa, is_new_community: bool) -> Lsoa:
    if lsoa.is_new_community != is_new_community:
        lsoa.is_new_community = is_new_community
        lsoa.save(update_fields=["is_new_community", "updated_at"])
        audit_record(
            actor=actor,
            action="lsoa.mark_new_community",
            obj=lsoa,
            changes={"is_new_community": is_new_community},
        )
    return lsoa


@transaction.atomic
def gp_practice_mark_connector(
    *, actor: Any, practice: GpPractice, has_community_connector: bool
) -> GpPractice:
    if practice.has_community_connector != has_community_connector:
        practice.has_community_connector = has_community_connector
        practice.save(update_fields=["has_community_connector", "updated_at"])
        audit_record(
            actor=actor,
            action="gp_practice.mark_connector",
            obj=practice,
            changes={"has_community_connector": has_community_connector},
        )
    return practice
