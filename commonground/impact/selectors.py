"""Reads of indicators, figures, targets and reports, always for a given viewer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from commonground.accounts.models import Role
from commonground.accounts.rules import organisation_ids
from commonground.core.models import AuditEvent
from commonground.places.models import LocalAuthority, Neighbourhood
from commonground.programme.models import Organisation, Programme

from .models import (
    Comparison,
    Indicator,
    Measurement,
    Report,
    ReportVersion,
    Target,
)
from .periods import Period, programme_year_containing
from .registry import Figure, computed_functions, measure, target_for
from .scopes import Scope

MANAGER_ROLES = (Role.HOST_MANAGER, Role.COUNCIL_OFFICER)


def _is_admin(user: Any) -> bool:
    return bool(organisation_ids(user, Role.ADMINISTRATOR))


def indicator_list(*, user: Any, include_inactive: bool = False) -> QuerySet[Indicator]:
    queryset = Indicator.objects.all()
    return queryset if include_inactive else queryset.filter(is_active=True)


def acting_organisations(*, user: Any) -> QuerySet[Organisation]:
    """Organisations the user may record figures, set targets and write reports for."""
    if _is_admin(user):
        return Organisation.objects.filter(
            kind__in=[Organisation.Kind.HOST, Organisation.Kind.COUNCIL]
        ).order_by("name")
    return Organisation.objects.filter(pk__in=organisation_ids(user, *MANAGER_ROLES)).order_by(
        "name"
    )


def scopes_for(*, user: Any) -> list[Scope]:
    """What the user may report on: their organisations, their programmes and their places."""
    organisations = list(acting_organisations(user=user))
    if _is_admin(user):
        programmes = Programme.objects.all()
        neighbourhoods = Neighbourhood.objects.all()
        authorities = LocalAuthority.objects.exclude(boundary="")
    else:
        ids = [organisation.pk for organisation in organisations]
        councils = [o.pk for o in organisations if o.kind == Organisation.Kind.COUNCIL]
        programmes = Programme.objects.filter(
            Q(council_id__in=ids) | Q(organisations__in=ids) | Q(organisers__host_id__in=ids)
        )
        authorities = LocalAuthority.objects.filter(
            pk__in=Organisation.objects.filter(pk__in=councils).values("authority_id")
        )
        neighbourhoods = Neighbourhood.objects.filter(
            Q(organisers__host_id__in=ids)
            | Q(organisers__programme__council_id__in=ids)
            | Q(authority__in=authorities)
        )
    scopes = [Scope.of(item) for item in programmes.distinct().order_by("name")]
    scopes += [Scope.of(item) for item in organisations]
    scopes += [Scope.of(item) for item in neighbourhoods.distinct().order_by("name")]
    scopes += [Scope.of(item) for item in authorities.distinct().order_by("name")]
    return scopes


def scope_choices(*, user: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """Scopes grouped by kind, for a select with option groups."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for scope in scopes_for(user=user):
        grouped.setdefault(scope.kind_label, []).append((scope.key, scope.name))
    return list(grouped.items())


@dataclass(frozen=True)
class ScopeFigure:
    scope: Scope
    period: Period
    figure: Figure
    target: Target | None


def figures_for(
    *, user: Any, indicator: Indicator, periods: list[Period], limit: int = 12
) -> list[ScopeFigure]:
    """The indicator's figure for each of the user's scopes and periods (computed on the spot)."""
    functions = computed_functions()
    rows = []
    for scope in scopes_for(user=user)[:limit]:
        for period in periods:
            rows.append(
                ScopeFigure(
                    scope=scope,
                    period=period,
                    figure=measure(indicator, scope, period, functions=functions),
                    target=target_for(indicator, scope, period),
                )
            )
    return rows


def recent_programme_years(*, today: Any, starts_month: int = 4, count: int = 2) -> list[Period]:
    current = programme_year_containing(today, starts_month=starts_month)
    years = [current]
    while len(years) < count:
        previous = years[-1]
        years.append(
            programme_year_containing(
                previous.start.replace(year=previous.start.year - 1), starts_month=starts_month
            )
        )
    return years


def measurements_of(*, indicator: Indicator) -> QuerySet[Measurement]:
    return Measurement.objects.filter(indicator=indicator).select_related(
        "organisation",
        "for_programme",
        "for_organisation",
        "for_authority",
        "for_ward",
        "for_neighbourhood",
        "for_lsoa",
        "recorded_by",
    )


def targets_of(*, indicator: Indicator) -> QuerySet[Target]:
    return Target.objects.filter(indicator=indicator).select_related(
        "organisation", "for_programme", "for_organisation", "for_authority", "for_neighbourhood"
    )


def change_log(*, indicator: Indicator, limit: int = 50) -> list[AuditEvent]:
    """Every recorded change to the indicator, its hand-entered figures and its targets."""
    entered = Measurement.objects.filter(
        indicator=indicator, source=Measurement.Source.ENTERED
    ).values_list("pk", flat=True)
    targets = Target.objects.filter(indicator=indicator).values_list("pk", flat=True)
    condition = (
        Q(object_type="impact.indicator", object_id=str(indicator.pk))
        | Q(object_type="impact.measurement", object_id__in=[str(pk) for pk in entered])
        | Q(object_type="impact.target", object_id__in=[str(pk) for pk in targets])
    )
    return list(AuditEvent.objects.filter(condition).order_by("-at", "-id")[:limit])


def report_change_log(*, report: Report, limit: int = 50) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="impact.report", object_id=str(report.pk)).order_by(
            "-at", "-id"
        )[:limit]
    )


def report_list_visible_to(*, user: Any) -> QuerySet[Report]:
    """Reports whose working draft the user may open."""
    queryset = Report.objects.select_related(
        "organisation", "for_programme", "for_organisation", "for_neighbourhood", "for_authority"
    )
    if _is_admin(user):
        return queryset
    mine = organisation_ids(user)
    councils = organisation_ids(user, Role.COUNCIL_OFFICER)
    return queryset.filter(
        Q(organisation_id__in=mine) | Q(for_programme__council_id__in=councils)
    ).distinct()


def published_versions() -> QuerySet[ReportVersion]:
    """The latest version of every published report: what the public and open data see."""
    latest = (
        ReportVersion.objects.filter(report=OuterRef("pk")).order_by("-number").values("pk")[:1]
    )
    latest_ids = (
        Report.objects.filter(status=Report.Status.PUBLISHED)
        .annotate(latest_version=Subquery(latest))
        .values("latest_version")
    )
    return (
        ReportVersion.objects.filter(pk__in=latest_ids)
        .select_related("report", "report__organisation")
        .defer("pdf")
        .order_by("-report__period_end", "report__title")
    )


def versions_of(*, report: Report) -> QuerySet[ReportVersion]:
    return report.versions.defer("pdf", "snapshot").order_by("-number")


def comparisons_visible_to(*, user: Any) -> QuerySet[Comparison]:
    return Comparison.objects.select_related("indicator", "organisation", "neighbourhood")
