from __future__ import annotations

import json
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from commonground.core.pagination import LimitOffsetPagination

from .lookup import locate
from .models import LocalAuthority, Lsoa, Neighbourhood, Ward

router = Router(tags=["places"])
# Geography is open data: no authentication.
PUBLIC = True


class AuthorityOut(Schema):
    code: str
    name: str
    has_boundary: bool
    lsoa_count: int


class WardOut(Schema):
    code: str
    name: str
    authority: str = Field(..., alias="authority.code")


class LsoaOut(Schema):
    code: str
    name: str
    authority: str = Field(..., alias="authority.code")
    ward: str | None
    population: int | None
    imd_rank: int
    imd_decile: int
    imd_score: float
    income_decile: int
    employment_decile: int
    education_decile: int
    health_decile: int
    crime_decile: int
    barriers_decile: int
    living_env_decile: int
    idaci_decile: int
    idaopi_decile: int
    rural_urban_code: str
    centroid_lon: float | None
    centroid_lat: float | None

    @staticmethod
    def resolve_ward(obj: Lsoa) -> str | None:
        return obj.ward.code if obj.ward else None


class LsoaDetailOut(LsoaOut):
    rural_urban_class: str
    boundary: dict[str, Any] | None

    @staticmethod
    def resolve_boundary(obj: Lsoa) -> dict[str, Any] | None:
        return json.loads(obj.boundary) if obj.boundary else None


class NeighbourhoodOut(Schema):
    slug: str
    name: str
    authority: str = Field(..., alias="authority.code")
    population: int
    lsoas: list[str]

    @staticmethod
    def resolve_lsoas(obj: Neighbourhood) -> list[str]:
        return [lsoa.code for lsoa in obj.lsoas.all()]


class LocatedOut(Schema):
    lsoa_code: str
    lsoa_name: str
    ward_code: str | None
    ward_name: str | None
    authority_code: str
    authority_name: str


class LsoaPagination(LimitOffsetPagination):
    class Input(LimitOffsetPagination.Input):
        limit: int = Field(100, ge=1, le=1000, description="How many to return (at most 1,000).")


@router.get("/authorities", response=list[AuthorityOut], summary="Local authorities")
def list_authorities(request: Any, mapped: bool = False) -> Any:
    """All 317 English authorities of 2019, or with `mapped=true` only those with boundaries loaded."""
    queryset = LocalAuthority.objects.annotate(lsoa_count=Count("lsoas")).order_by("name")
    if mapped:
        queryset = queryset.exclude(boundary="")
    return [
        {
            "code": a.code,
            "name": a.name,
            "has_boundary": bool(a.boundary),
            "lsoa_count": a.lsoa_count,
        }
        for a in queryset
    ]


@router.get("/wards", response=list[WardOut], summary="Wards")
def list_wards(request: Any, authority: str | None = None) -> QuerySet[Ward]:
    queryset = Ward.objects.select_related("authority").order_by("name")
    if authority:
        queryset = queryset.filter(authority__code=authority)
    return queryset


@router.get("/lsoas", response=list[LsoaOut], summary="LSOAs with population and deprivation")
@paginate(LsoaPagination)
def list_lsoas(
    request: Any,
    authority: str | None = None,
    ward: str | None = None,
    imd_decile: int | None = None,
) -> QuerySet[Lsoa]:
    """Paginated as `{"count": N, "items": [...]}`, ordered by code. Filter by authority code (e.g.
    E06000022), ward code or IMD decile."""
    queryset = Lsoa.objects.select_related("authority", "ward").order_by("code")
    if authority:
        if not LocalAuthority.objects.filter(code=authority).exists():
            raise HttpError(404, f"No local authority has the code {authority}.")
        queryset = queryset.filter(authority__code=authority)
    if ward:
        queryset = queryset.filter(ward__code=ward)
    if imd_decile is not None:
        if not 1 <= imd_decile <= 10:
            raise HttpError(422, "imd_decile must be between 1 and 10.")
        queryset = queryset.filter(imd_decile=imd_decile)
    return queryset.defer("boundary")


@router.get("/lsoas/{code}", response=LsoaDetailOut, summary="One LSOA with its boundary")
def get_lsoa(request: Any, code: str) -> Lsoa:
    return get_object_or_404(Lsoa.objects.select_related("authority", "ward"), code=code)


@router.get("/neighbourhoods", response=list[NeighbourhoodOut], summary="Neighbourhoods")
@paginate(LimitOffsetPagination)
def list_neighbourhoods(request: Any, authority: str | None = None) -> QuerySet[Neighbourhood]:
    queryset = (
        Neighbourhood.objects.select_related("authority")
        .prefetch_related("lsoas")
        .annotate(population_total=Sum("lsoas__population"))
        .order_by("name")
    )
    if authority:
        queryset = queryset.filter(authority__code=authority)
    return queryset


@router.get(
    "/lookup", response=LocatedOut, summary="Which LSOA, ward and authority contain a point"
)
def lookup_point(request: Any, lon: float, lat: float) -> Any:
    if not (-8.7 <= lon <= 2.0 and 49.8 <= lat <= 60.9):
        raise HttpError(
            422,
            "That point is not in Great Britain: give lon (about -6 to 2) and lat (about 50 to 56).",
        )
    located = locate(lon, lat)
    if located is None:
        raise HttpError(404, "That point is outside the areas whose boundaries are loaded.")
    return located.__dict__
