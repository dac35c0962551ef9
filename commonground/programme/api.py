from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from commonground.core.pagination import LimitOffsetPagination
from commonground.places.models import Neighbourhood

from . import selectors
from .models import Organiser

router = Router(tags=["programme"])


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str
    org_id: str | None
    authority: str | None

    @staticmethod
    def resolve_authority(obj: Any) -> str | None:
        return obj.authority.code if obj.authority else None


class ProgrammeOut(Schema):
    slug: str
    name: str
    council: str = Field(..., alias="council.slug")
    starts_on: date
    ends_on: date | None
    organisations: list[str]

    @staticmethod
    def resolve_organisations(obj: Any) -> list[str]:
        return [o.slug for o in obj.organisations.all()]


class OrganiserOut(Schema):
    id: UUID = Field(..., alias="public_id")
    full_name: str
    kind: str
    stage: str
    host: str = Field(..., alias="host.slug")
    programme: str = Field(..., alias="programme.slug")
    placement_starts_on: date | None
    placement_ends_on: date | None
    listening_target: int
    neighbourhoods: list[str]

    @staticmethod
    def resolve_neighbourhoods(obj: Any) -> list[str]:
        return [n.slug for n in obj.neighbourhoods.all()]


ORGANISER_LIST_FIELDS = (
    "public_id",
    "full_name",
    "kind",
    "stage",
    "host__slug",
    "programme__slug",
    "placement_starts_on",
    "placement_ends_on",
    "listening_target",
)


class AgreementOut(Schema):
    id: UUID = Field(..., alias="public_id")
    title: str
    status: str
    programme: str = Field(..., alias="programme.slug")
    parties: list[str]

    @staticmethod
    def resolve_parties(obj: Any) -> list[str]:
        return [p.slug for p in obj.parties.all()]


@router.get("/organisations", response=list[OrganisationOut])
@paginate(LimitOffsetPagination)
def list_organisations(request: Any, kind: str | None = None, q: str = "") -> Any:
    return selectors.organisation_list(user=request.auth, kind=kind, search=q)


@router.get("/programmes", response=list[ProgrammeOut])
@paginate(LimitOffsetPagination)
def list_programmes(request: Any) -> Any:
    return selectors.programme_list_visible_to(user=request.auth)


@router.get("/organisers", response=list[OrganiserOut])
@paginate(LimitOffsetPagination)
def list_organisers(request: Any) -> Any:
    # Only the columns the list shows: a page of full rows with every timestamp took longer to
    # turn into objects than the query took to run.
    return (
        selectors.organiser_list_visible_to(user=request.auth)
        .select_related(None)
        .select_related("host", "programme")
        .prefetch_related(None)
        .prefetch_related(Prefetch("neighbourhoods", queryset=Neighbourhood.objects.only("slug")))
        .only(*ORGANISER_LIST_FIELDS)
    )


@router.get("/organisers/{organiser_id}", response=OrganiserOut)
def get_organiser(request: Any, organiser_id: UUID) -> Any:
    organiser = get_object_or_404(
        Organiser.objects.select_related("host", "programme__council"), public_id=organiser_id
    )
    if not request.auth.has_perm("programme.view_organiser", organiser):
        raise PermissionDenied
    return organiser


@router.get("/agreements", response=list[AgreementOut])
@paginate(LimitOffsetPagination)
def list_agreements(request: Any) -> Any:
    return selectors.agreement_list_visible_to(user=request.auth)
