"""Open data: every figure in the published reports, as CSV and JSON, with a data dictionary.

Only published versions are exported, and from their frozen snapshots, so the open data says exactly
what the published report says, suppression included: a count of people under 5 is an empty value
with ``suppressed`` true, never the number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import Indicator, ReportVersion

LICENCE = "Open Government Licence v3.0"

FIELDS: tuple[tuple[str, str, Any], ...] = (
    ("report_id", "text", _("The report's permanent identifier.")),
    ("report_title", "text", _("The report's title.")),
    ("version", "integer", _("The published version the figure comes from (1 is the first).")),
    ("published_at", "date-time", _("When that version was published (ISO 8601, with time zone).")),
    ("organisation", "text", _("The organisation that wrote and published the report.")),
    (
        "scope_kind",
        "text",
        _("What the report covers: programme, organisation, neighbourhood or authority."),
    ),
    (
        "scope_code",
        "text",
        _("The code of what it covers: a slug, or an ONS code for an authority."),
    ),
    ("scope_name", "text", _("The name of what it covers.")),
    ("period_start", "date", _("First day of the period the figures cover.")),
    ("period_end", "date", _("Last day of the period the figures cover.")),
    (
        "table",
        "text",
        _(
            "Which part of the report: indicators, themes (what residents talked about), "
            "equality_answers, deprivation_reach or money (total_awarded, total_paid and "
            "total_spent for grants received; given_awarded and given_paid for grants made)."
        ),
    ),
    (
        "measure",
        "text",
        _(
            "What is measured: an indicator code (see the indicators list), a theme's code, an "
            "equality question, a deprivation group or a money total."
        ),
    ),
    ("category", "text", _("The answer or group within the measure, where there is one.")),
    ("value", "decimal", _("The figure. Empty when it is suppressed or there is none.")),
    (
        "unit",
        "text",
        _(
            "people, hours, groups, projects, matters, improvements, pounds, percent, reports, conversations or share (0 to 1)."
        ),
    ),
    (
        "suppressed",
        "boolean",
        _("true when a small count (1 to 4) is hidden so that no one can be identified."),
    ),
    (
        "target",
        "decimal",
        _("The target for the indicator over the target's period, if one was set."),
    ),
    ("target_period_start", "date", _("First day of the target's period.")),
    ("target_period_end", "date", _("Last day of the target's period.")),
)
FIELD_NAMES = tuple(name for name, _kind, _description in FIELDS)


def _base(version: ReportVersion) -> dict[str, Any]:
    snapshot = version.snapshot
    return {
        "report_id": str(version.report.public_id),
        "report_title": snapshot["title"],
        "version": version.number,
        "published_at": version.published_at.isoformat(),
        "organisation": snapshot["organisation"],
        "scope_kind": snapshot["scope"]["kind"],
        "scope_code": snapshot["scope"]["code"],
        "scope_name": snapshot["scope"]["name"],
        "period_start": snapshot["period"]["start"],
        "period_end": snapshot["period"]["end"],
    }


def _row(base: dict[str, Any], **values: Any) -> dict[str, Any]:
    row = dict.fromkeys(FIELD_NAMES, "")
    row.update(base)
    row.update({key: "" if value is None else value for key, value in values.items()})
    row["suppressed"] = bool(values.get("suppressed", False))
    return row


def figure_rows(version: ReportVersion) -> Iterator[dict[str, Any]]:
    """One row per published figure of a version, in the order the report shows them."""
    snapshot = version.snapshot
    base = _base(version)
    for item in snapshot["indicators"]:
        target = item.get("target") or {}
        yield _row(
            base,
            table="indicators",
            measure=item["code"],
            value=item["value"],
            unit=item["unit"],
            suppressed=item["suppressed"],
            target=target.get("value"),
            target_period_start=target.get("from"),
            target_period_end=target.get("to"),
        )
    themes = snapshot["themes"]
    if themes.get("available"):
        yield _row(
            base,
            table="themes",
            measure="all",
            value=themes["conversations"],
            unit="conversations",
            suppressed=themes["conversations"] is None,
        )
        for theme in themes["themes"]:
            yield _row(
                base,
                table="themes",
                measure=theme["slug"],
                value=theme["count"],
                unit="conversations",
                suppressed=theme["count"] is None,
            )
    for question in snapshot["equality"]["questions"]:
        for row in question["rows"]:
            yield _row(
                base,
                table="equality_answers",
                measure=question["question"],
                category=row["key"],
                value=row["count"],
                unit="people",
                suppressed=row["count"] is None,
            )
    for group in snapshot["equality"]["deprivation"]:
        yield _row(
            base,
            table="deprivation_reach",
            measure="residents_listened_to",
            category=group["key"],
            value=group["listened"],
            unit="people",
            suppressed=group["listened"] is None,
        )
        yield _row(
            base,
            table="deprivation_reach",
            measure="population_mid_2017",
            category=group["key"],
            value=group["population"],
            unit="people",
        )
    money = snapshot.get("money")
    if money:
        for key in ("total_awarded", "total_paid", "total_spent", "given_awarded", "given_paid"):
            if money.get(key) is not None:
                yield _row(base, table="money", measure=key, value=money[key], unit="pounds")


def rows_for(versions: Iterable[ReportVersion]) -> Iterator[dict[str, Any]]:
    for version in versions:
        yield from figure_rows(version)


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV text a line at a time, so a large export streams instead of filling memory."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELD_NAMES, lineterminator="\n")
    writer.writeheader()
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow({**row, "suppressed": "true" if row["suppressed"] else "false"})
        yield buffer.getvalue()


def dictionary() -> dict[str, Any]:
    """The data dictionary: every column, and every indicator an ``indicators`` row may name."""
    return {
        "licence": LICENCE,
        "fields": [
            {"name": name, "type": kind, "description": str(description)}
            for name, kind, description in FIELDS
        ],
        "indicators": [
            {
                "code": indicator.code,
                "name": indicator.name,
                "unit": indicator.unit,
                "direction": indicator.direction,
                "method": indicator.method,
                "definition": indicator.definition,
                "how_counted": indicator.how_counted,
            }
            for indicator in Indicator.objects.order_by("position", "name")
        ],
    }


def json_document(versions: Iterable[ReportVersion]) -> dict[str, Any]:
    return {**dictionary(), "figures": list(rows_for(versions))}
