"""Reads of geography. Places are open data, so these take no viewer."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Avg, Count, Min, QuerySet, Sum

from .models import DOMAINS, LocalAuthority, Lsoa, Neighbourhood, Ward


def mapped_authorities() -> QuerySet[LocalAuthority]:
    """Authorities whose boundaries are loaded, with their LSOA counts and population."""
    return (
        LocalAuthority.objects.exclude(boundary="")
        .annotate(lsoa_count=Count("lsoas"), population_total=Sum("lsoas__population"))
        .order_by("name")
    )


def lsoas_in(
    *,
    authority: LocalAuthority | None = None,
    ward: Ward | None = None,
    neighbourhood: Neighbourhood | None = None,
) -> QuerySet[Lsoa]:
    queryset = Lsoa.objects.select_related("ward", "authority").order_by("imd_rank")
    if authority is not None:
        queryset = queryset.filter(authority=authority)
    if ward is not None:
        queryset = queryset.filter(ward=ward)
    if neighbourhood is not None:
        queryset = queryset.filter(neighbourhoods=neighbourhood)
    return queryset


def deprivation_summary(lsoas: QuerySet[Lsoa]) -> dict[str, Any]:
    """Population, LSOA count, most deprived rank and the spread over IMD deciles."""
    totals = lsoas.aggregate(
        population=Sum("population"),
        count=Count("id"),
        best_rank=Min("imd_rank"),
        mean_score=Avg("imd_score"),
    )
    by_decile = dict(
        lsoas.values_list("imd_decile").annotate(n=Count("id")).values_list("imd_decile", "n")
    )
    return {
        **totals,
        "deciles": [(decile, by_decile.get(decile, 0)) for decile in range(1, 11)],
        "most_deprived_fifth": sum(by_decile.get(d, 0) for d in (1, 2)),
    }


def domain_profile(lsoas: QuerySet[Lsoa]) -> list[dict[str, Any]]:
    """Mean decile per domain, population-weighted where population is known."""
    rows = list(lsoas.values(*(f"{key}_decile" for key, _ in DOMAINS), "population"))
    profile = []
    for key, label in DOMAINS:
        weight = sum(row["population"] or 0 for row in rows)
        if weight:
            mean = sum(row[f"{key}_decile"] * (row["population"] or 0) for row in rows) / weight
        else:
            mean = sum(row[f"{key}_decile"] for row in rows) / len(rows) if rows else None
        profile.append(
            {
                "key": key,
                "label": str(label),
                "mean_decile": round(mean, 1) if mean is not None else None,
            }
        )
    return profile


def feature_collection(lsoas: QuerySet[Lsoa]) -> dict[str, Any]:
    """GeoJSON for the map: one feature per LSOA with the properties the legend and popups need."""
    features = []
    for code, name, boundary, decile, rank, population, ward in lsoas.exclude(
        boundary=""
    ).values_list("code", "name", "boundary", "imd_decile", "imd_rank", "population", "ward__name"):
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(boundary),
                "properties": {
                    "code": code,
                    "name": name,
                    "imd_decile": decile,
                    "imd_rank": rank,
                    "population": population,
                    "ward": ward,
                    "url": f"/places/lsoas/{code}/",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def neighbourhoods_in(*, authority: LocalAuthority | None = None) -> QuerySet[Neighbourhood]:
    queryset = Neighbourhood.objects.select_related("authority").annotate(
        population_total=Sum("lsoas__population"), lsoa_count=Count("lsoas")
    )
    if authority is not None:
        queryset = queryset.filter(authority=authority)
    return queryset.order_by("name")
