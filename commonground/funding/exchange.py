"""Awarded grants out as 360Giving data: JSON, CSV and Excel, checked against the schema first.

``threesixty.py`` knows the standard and nothing of the database; this module turns ``Grant`` rows
into its records and writes the files. A package is written only when it validates, so nothing
invalid is ever published.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from . import threesixty
from .models import Grant

FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_AUTHORITY_CODE_TYPES = {"E06": "UA", "W06": "UA", "E07": "NMD", "E08": "MD", "E09": "LONB"}


class ExportError(Exception):
    """The grants cannot be published as they are; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:3]))
        self.problems = problems


def publisher_prefix(council: Any) -> str:
    """The 360Giving prefix: ``THREESIXTY_GIVING_PREFIX`` when set, else one made from the slug.

    360Giving issues each publisher its own prefix; until a council has one, ``360G-<slug>`` keeps
    identifiers stable and unique within the site.
    """
    configured = getattr(settings, "THREESIXTY_GIVING_PREFIX", "")
    return configured or f"360G-{council.slug}"


def publisher_for(council: Any) -> threesixty.Publisher:
    return threesixty.Publisher(
        name=council.name,
        prefix=publisher_prefix(council),
        identifier=council.org_id or None,
        website=council.website or None,
    )


def _organisation(organisation: Any, prefix: str) -> threesixty.Organisation:
    authority = getattr(organisation, "authority", None)
    return threesixty.Organisation(
        name=organisation.name,
        identifier=organisation.org_id or f"{prefix}-ORG-{organisation.slug}",
        description=organisation.description or None,
        url=organisation.website or None,
        address_region=authority.name if authority is not None else None,
        address_country="GB",
    )


def _locations(grant: Grant) -> tuple[tuple[threesixty.BeneficiaryLocation, ...], str | None]:
    if grant.ward is not None:
        location = threesixty.BeneficiaryLocation(
            name=grant.ward.name, geo_code=grant.ward.code, geo_code_type="WD", country_code="GB"
        )
        return (location,), "GLS060"
    authority = grant.fund.council.authority
    if authority is not None and authority.code[:3] in _AUTHORITY_CODE_TYPES:
        location = threesixty.BeneficiaryLocation(
            name=authority.name,
            geo_code=authority.code,
            geo_code_type=_AUTHORITY_CODE_TYPES[authority.code[:3]],
            country_code="GB",
        )
        return (location,), "GLS050"
    return (), None


def grant_record(grant: Grant) -> threesixty.GrantRecord:
    """One awarded grant as 360Giving sees it.

    ``grant`` should come from ``selectors.grants_for_export`` (it carries ``paid_total``); the
    amount disbursed is what has been paid, which is what 360Giving means by it.
    """
    council = grant.fund.council
    prefix = publisher_prefix(council)
    locations, scope = _locations(grant)
    application = grant.application
    duration = None
    if grant.starts_on and grant.ends_on:
        months = (grant.ends_on.year - grant.starts_on.year) * 12 + (
            grant.ends_on.month - grant.starts_on.month
        )
        duration = Decimal(max(months, 1))
    return threesixty.GrantRecord(
        identifier=threesixty.prefixed_identifier(grant.reference, prefix),
        title=grant.title,
        description=grant.description or grant.title,
        amount_awarded=grant.amount_awarded,
        award_date=grant.awarded_on,
        recipient=_organisation(grant.recipient, prefix),
        funder=_organisation(council, prefix),
        amount_applied_for=application.amount_requested if application is not None else None,
        amount_disbursed=getattr(grant, "paid_total", None),
        planned_dates=threesixty.PlannedDates(
            start_date=grant.starts_on, end_date=grant.ends_on, duration_months=duration
        )
        if grant.starts_on or grant.ends_on
        else None,
        grant_programme=threesixty.GrantProgramme(code=grant.fund.code, title=grant.fund.name),
        beneficiary_locations=locations,
        from_open_call=application is not None,
        location_scope=scope,
        date_modified=grant.updated_at,
    )


@dataclass
class Export:
    package: dict[str, Any]
    records: list[threesixty.GrantRecord]
    publisher: threesixty.Publisher

    @property
    def grant_count(self) -> int:
        return len(self.records)


def build_export(grants: Iterable[Grant], *, issued: date | None = None) -> Export:
    """A validated package for one publisher; ExportError lists every problem otherwise."""
    grant_list = list(grants)
    councils = {grant.fund.council_id: grant.fund.council for grant in grant_list}
    if len(councils) > 1:
        names = ", ".join(sorted(council.name for council in councils.values()))
        raise ExportError(
            [
                f"These grants come from more than one council ({names}); each publishes its "
                "own file. Choose one council."
            ]
        )
    if not councils:
        raise ExportError(["There are no awarded grants to publish."])
    council = next(iter(councils.values()))
    publisher = publisher_for(council)
    try:
        records = [grant_record(grant) for grant in grant_list]
        package = threesixty.build_package(
            records,
            publisher,
            title=f"{council.name} grants",
            issued=issued or timezone.localdate(),
        )
    except ValueError as error:
        raise ExportError([str(error)]) from error
    problems = threesixty.validate_package(package)
    if problems:
        raise ExportError(problems)
    return Export(package=package, records=records, publisher=publisher)


def render_json(export: Export) -> bytes:
    return (json.dumps(export.package, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _rows(export: Export) -> tuple[list[str], list[dict[str, Any]]]:
    rows = threesixty.flatten(export.records)
    location_count = max(
        (len(record.beneficiary_locations) for record in export.records), default=1
    )
    return threesixty.flat_columns(location_count), rows


def render_csv(export: Export) -> bytes:
    columns, rows = _rows(export)
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    # A byte-order mark so that Excel opens the file as UTF-8 (names with accents, £ signs).
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_xlsx(export: Export) -> bytes:
    from openpyxl import Workbook

    columns, rows = _rows(export)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("grants")
    sheet.append(columns)
    for row in rows:
        sheet.append([_cell(row[column]) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    return None if value == "" else value


RENDERERS = {"json": render_json, "csv": render_csv, "xlsx": render_xlsx}


def render(export: Export, file_format: str) -> bytes:
    if file_format not in RENDERERS:
        raise ValueError(f"unknown format {file_format!r}; use one of {', '.join(RENDERERS)}")
    return RENDERERS[file_format](export)


def file_name(export: Export, file_format: str, issued: date | None = None) -> str:
    day = (issued or timezone.localdate()).isoformat()
    return f"{export.publisher.prefix}-grants-{day}.{file_format}"


def format_for_path(name: str, choices: Sequence[str] = tuple(FORMATS)) -> str:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in choices:
        raise ValueError(f"{name}: the file name must end in .{', .'.join(choices)}")
    return suffix
