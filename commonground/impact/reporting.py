"""The annual impact report's figures, gathered into one snapshot that publication freezes.

A draft is always shown from a freshly built snapshot; a published version from the snapshot stored
when it was published, so its figures never move afterwards even as records are corrected. The
snapshot holds only what may be published: counts of people under 5 are suppressed, named projects
and improvements are only the public ones, and equality answers are aggregates.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.core.suppression import is_suppressed
from commonground.places.models import Lsoa

from . import computations, equality
from .computations import Unavailable
from .models import Indicator, Report
from .periods import Period
from .registry import computed_functions, measure, progress, target_for
from .scopes import Scope

SNAPSHOT_SCHEMA = 1
PEOPLE_UNITS = {Indicator.Unit.PEOPLE}
MAP_CLASSES = (
    ("none", "#ffffff"),
    ("fewer than 5", "#deebf7"),
    ("5 to 19", "#9ecae1"),
    ("20 to 49", "#4292c6"),
    ("50 or more", "#08519c"),
)


def format_value(value: Decimal | float | int | None, unit: str) -> str:
    if value is None:
        return "–"
    number = Decimal(str(value))
    if unit == Indicator.Unit.POUNDS:
        return f"£{number:,.0f}"
    if unit == Indicator.Unit.PERCENT:
        return f"{number.normalize():f}%"
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number:,.1f}"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _count(value: int | None) -> str:
    return _("fewer than 5") if value is None else f"{value:,}"


def indicator_rows(scope: Scope, period: Period) -> list[dict[str, Any]]:
    functions = computed_functions()
    rows = []
    for indicator in Indicator.objects.filter(is_active=True):
        figure = measure(indicator, scope, period, functions=functions)
        if indicator.method == Indicator.Method.OPEN_DATA and not figure.has_value:
            continue
        value = figure.value
        suppressed = bool(
            value is not None and indicator.unit in PEOPLE_UNITS and is_suppressed(int(value))
        )
        if suppressed:
            value = None
        target = target_for(indicator, scope, period)
        reached = progress(value, target.value if target else None, indicator.direction)
        rows.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "unit": indicator.unit,
                "unit_label": str(indicator.get_unit_display()),
                "direction": indicator.direction,
                "direction_label": str(indicator.get_direction_display()),
                "method": indicator.method,
                "method_label": str(indicator.get_method_display()),
                "definition": indicator.definition,
                "how_counted": indicator.how_counted,
                "status": figure.status,
                "status_label": str(figure.explanation),
                "value": None if value is None else str(value),
                "suppressed": suppressed,
                "display": _("fewer than 5") if suppressed else format_value(value, indicator.unit),
                "target": None
                if target is None
                else {
                    "value": str(target.value),
                    "display": format_value(target.value, indicator.unit),
                    "from": target.period_start.isoformat(),
                    "to": target.period_end.isoformat(),
                    "same_period": target.period_start == period.start
                    and target.period_end == period.end,
                    "note": target.note,
                },
                "percent": reached["percent"],
                "met": reached["met"],
                "evidence": list(figure.evidence),
            }
        )
    return rows


def _themes(scope: Scope, period: Period) -> dict[str, Any]:
    try:
        heard = computations.themes_heard(period=period, **scope.as_kwargs())
    except Unavailable:
        return {"available": False, "conversations": None, "themes": [], "quotes": []}
    total = heard["conversations"]
    themes = []
    for row in heard["themes"]:
        hidden = is_suppressed(row["count"])
        count = None if hidden else row["count"]
        themes.append(
            {
                "slug": row["slug"],
                "name": row["name"],
                "count": count,
                "display": _count(count),
                "share": None if hidden or not total else row["count"] / total,
            }
        )
    try:
        quotes = computations.approved_quotes(
            period=period, theme_slugs=[t["slug"] for t in themes[:5]], **scope.as_kwargs()
        )
    except Unavailable:
        quotes = []
    return {
        "available": True,
        "conversations": None if is_suppressed(total) else total,
        "conversations_display": _count(None if is_suppressed(total) else total),
        "themes": themes,
        "quotes": quotes,
    }


def _safe(function: Any, default: Any, **kwargs: Any) -> Any:
    try:
        return function(**kwargs)
    except Unavailable:
        return default


def _equality(scope: Scope, period: Period) -> dict[str, Any]:
    kwargs = scope.as_kwargs()
    answers = _safe(computations.equality_answers, None, period=period, **kwargs)
    labels = computations.equality_labels()
    questions = []
    if answers is not None:
        for question, counts in answers.items():
            label, choices = labels.get(question, (question, []))
            total, rows = equality.distribution(counts, choices)
            questions.append(
                {
                    "question": question,
                    "label": label,
                    "answered": None if is_suppressed(total) else total,
                    "answered_display": _count(None if is_suppressed(total) else total),
                    "rows": [
                        {
                            "key": row.key,
                            "label": row.label,
                            "count": row.count,
                            "display": _count(row.count),
                            "share": row.share,
                            "share_display": _share(row.share),
                        }
                        for row in rows
                    ],
                }
            )
    by_lsoa_id, without_place = _safe(
        computations.listened_by_lsoa, ({}, 0), period=period, **kwargs
    )
    area_ids = scope.lsoa_ids() or set(by_lsoa_id)
    profile_rows = Lsoa.objects.filter(pk__in=area_ids).values_list(
        "pk", "code", "imd_decile", "population"
    )
    code_of = {pk: code for pk, code, _decile, _population in profile_rows}
    profile = {code: (decile, population or 0) for _pk, code, decile, population in profile_rows}
    listened = {code_of[pk]: n for pk, n in by_lsoa_id.items() if pk in code_of}
    outside = sum(n for pk, n in by_lsoa_id.items() if pk not in code_of)
    total, reach = equality.deprivation_reach(listened_by_lsoa=listened, lsoa_profile=profile)
    return {
        "questions": questions,
        "deprivation": [
            {
                "key": row.key,
                "label": row.label,
                "listened": row.listened,
                "listened_display": _count(row.listened),
                "listened_share": row.listened_share,
                "listened_share_display": _share(row.listened_share),
                "population": row.population,
                "population_share": row.population_share,
                "population_share_display": _share(row.population_share),
                "ratio": None if row.ratio is None else round(row.ratio, 2),
            }
            for row in reach
        ],
        "listened_in_area": None if is_suppressed(total) else total,
        "listened_in_area_display": _count(None if is_suppressed(total) else total),
        "listened_outside_area": None if is_suppressed(outside) else outside,
        "listened_without_place": None if is_suppressed(without_place) else without_place,
        "population": sum(people for _decile, people in profile.values()),
        "map": [
            {"code": code, "listened": None if is_suppressed(n) else n, "class": _map_class(n)}
            for code, n in sorted(
                ((code, listened.get(code, 0)) for code in profile), key=lambda item: item[0]
            )
        ],
    }


def _map_class(count: int) -> int:
    if count == 0:
        return 0
    if count < 5:
        return 1
    if count < 20:
        return 2
    if count < 50:
        return 3
    return 4


def build_snapshot(report: Report) -> dict[str, Any]:
    """Everything the report shows, as JSON-ready data; the published version stores this."""
    scope = Scope.of(report.scope_object)
    period = Period(report.period_start, report.period_end)
    kwargs = scope.as_kwargs()
    comparisons = [
        {
            "title": comparison.title,
            "indicator": comparison.indicator.name,
            "indicator_code": comparison.indicator.code,
            "start_year": comparison.start_year,
            "treated_codes": list(comparison.treated_codes),
            "result": comparison.result,
        }
        for comparison in report.comparisons.select_related("indicator").order_by("title")
    ]
    return {
        "schema": SNAPSHOT_SCHEMA,
        "title": report.title,
        "organisation": report.organisation.name,
        "scope": {
            "kind": scope.kind,
            "kind_label": scope.kind_label,
            "code": scope.code,
            "key": scope.key,
            "name": scope.name,
        },
        "period": period.as_dict(),
        "built_at": timezone.now().isoformat(),
        "indicators": indicator_rows(scope, period),
        "themes": _themes(scope, period),
        "changes": _safe(
            computations.what_changed,
            {"projects": [], "matters": None, "improvements": []},
            period=period,
            **kwargs,
        ),
        "money": _safe(computations.money_in_and_out, None, period=period, **kwargs),
        "case_studies": _safe(computations.case_studies, [], period=period, **kwargs),
        "equality": _equality(scope, period),
        "comparisons": comparisons,
        "sections": [
            {"kind": section.kind, "heading": section.heading, "body": section.body}
            for section in report.sections.all()
        ],
    }
