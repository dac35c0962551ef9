"""Every write to indicators, measurements, targets, comparisons and reports.

Each is atomic, validated and audited; the audit events are the change log shown beside each
indicator and report. Figures the system counts itself are refused here, so they are never typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.core.audit import audit_record, model_changes
from commonground.places.models import Lsoa

from . import comparison as comparing
from . import did
from .models import (
    Comparison,
    Indicator,
    Measurement,
    Report,
    ReportSection,
    ReportVersion,
    ScopeKind,
    Target,
)
from .pdf import render_report_pdf
from .reporting import build_snapshot
from .scopes import Scope


def _fail(field: str | None, message: str) -> None:
    raise ValidationError({field: [message]} if field else message)


def _check_period(start: date, end: date) -> None:
    if end < start:
        _fail("period_end", _("The period must end on or after the day it starts."))


# --------------------------------------------------------------------------- indicators


@transaction.atomic
def indicator_create(
    *,
    actor: Any,
    code: str,
    name: str,
    definition: str,
    unit: str,
    direction: str,
    method: str,
    how_counted: str,
    aggregation: str = Indicator.Aggregation.SUM,
    source: str = "",
    counts_reports: bool = False,
) -> Indicator:
    if method == Indicator.Method.COMPUTED:
        from .registry import computed_functions

        if code not in computed_functions():
            _fail(
                "method",
                _(
                    "Nothing in Common Ground counts “%(code)s” yet, so it cannot be computed; "
                    "make it an indicator entered by hand."
                )
                % {"code": code},
            )
    if Indicator.objects.filter(code=code).exists():
        _fail("code", _("An indicator already has the code %(code)s.") % {"code": code})
    indicator = Indicator(
        code=code,
        name=name.strip(),
        definition=definition.strip(),
        unit=unit,
        direction=direction,
        method=method,
        how_counted=how_counted.strip(),
        aggregation=aggregation,
        source=source.strip(),
        counts_reports=counts_reports,
        position=(Indicator.objects.aggregate(top=Max("position"))["top"] or 0) + 10,
    )
    indicator.full_clean()
    indicator.save()
    audit_record(actor=actor, action="indicator.create", obj=indicator)
    return indicator


INDICATOR_EDITABLE = (
    "name",
    "definition",
    "how_counted",
    "unit",
    "direction",
    "aggregation",
    "source",
    "counts_reports",
    "is_active",
)


@transaction.atomic
def indicator_update(*, actor: Any, indicator: Indicator, data: Mapping[str, Any]) -> Indicator:
    """The code and the way an indicator is measured never change: returns and reports rely on them."""
    unknown = set(data) - set(INDICATOR_EDITABLE)
    if unknown:
        _fail(
            None, _("These cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    before = {name: getattr(indicator, name) for name in data}
    for name, value in data.items():
        setattr(indicator, name, value.strip() if isinstance(value, str) else value)
    indicator.full_clean()
    indicator.save()
    changes = model_changes(indicator, list(data), before)
    if changes:
        audit_record(actor=actor, action="indicator.update", obj=indicator, changes=changes)
    return indicator


# --------------------------------------------------------------------------- measurements


def _check_value(indicator: Indicator, value: Decimal) -> None:
    if value < 0:
        _fail("value", _("A figure cannot be negative."))
    if indicator.unit == Indicator.Unit.PERCENT and value > 100:
        _fail("value", _("A percentage is between 0 and 100."))


@transaction.atomic
def measurement_record(
    *,
    actor: Any,
    indicator: Indicator,
    scope: Scope,
    organisation: Any,
    period_start: date,
    period_end: date,
    value: Decimal,
    evidence: str,
    evidence_url: str = "",
    base: int | None = None,
) -> Measurement:
    if indicator.is_computed:
        _fail(
            None,
            _(
                "“%(name)s” is counted from the records in Common Ground, so it is never typed in. "
                "Correct the records it is counted from instead."
            )
            % {"name": indicator.name},
        )
    _check_period(period_start, period_end)
    _check_value(indicator, value)
    if not evidence.strip():
        _fail("evidence", _("Say where the figure comes from."))
    if Measurement.objects.filter(
        indicator=indicator,
        scope_key=scope.key,
        period_start=period_start,
        period_end=period_end,
    ).exists():
        _fail(
            None,
            _(
                "There is already a figure for %(scope)s for this period; correct it instead of "
                "adding another."
            )
            % {"scope": scope.name},
        )
    measurement = Measurement(
        indicator=indicator,
        organisation=organisation,
        period_start=period_start,
        period_end=period_end,
        value=value,
        evidence=evidence.strip(),
        evidence_url=evidence_url,
        base=base,
        source=Measurement.Source.ENTERED,
        recorded_by=actor,
        **scope.model_fields(),
    )
    measurement.full_clean()
    measurement.save()
    audit_record(
        actor=actor,
        action="measurement.record",
        obj=measurement,
        organisation_id=organisation.pk if organisation else None,
        changes={"indicator": indicator.code, "scope": scope.key, "value": str(value)},
    )
    return measurement


@transaction.atomic
def measurement_correct(
    *,
    actor: Any,
    measurement: Measurement,
    value: Decimal,
    evidence: str,
    reason: str,
    evidence_url: str = "",
    base: int | None = None,
) -> Measurement:
    """A correction keeps the old figure in the change log, with who changed it and why."""
    if not reason.strip():
        _fail("reason", _("Say why the figure is being corrected."))
    _check_value(measurement.indicator, value)
    fields = ["value", "evidence", "evidence_url", "base"]
    before = {name: getattr(measurement, name) for name in fields}
    measurement.value = value
    measurement.evidence = evidence.strip()
    measurement.evidence_url = evidence_url
    measurement.base = base
    measurement.full_clean()
    measurement.save()
    changes = model_changes(measurement, fields, before)
    if changes:
        audit_record(
            actor=actor,
            action="measurement.correct",
            obj=measurement,
            organisation_id=measurement.organisation_id,
            changes={**changes, "reason": reason.strip()},
        )
    return measurement


@transaction.atomic
def measurements_load_fixmystreet(
    *,
    actor: Any,
    indicator: Indicator,
    counts_csv: Path,
    category_code: str,
    lsoa_codes: Iterable[str] | None = None,
) -> dict[str, int]:
    """Load yearly FixMyStreet report counts per LSOA as the indicator's figures, all or nothing.

    Years with no report are real zeros (the published file lists only non-zero counts). Figures
    already loaded for the same LSOA and year are replaced, so loading again after the file is
    updated is safe.
    """
    if indicator.method != Indicator.Method.OPEN_DATA:
        _fail(None, _("Only an indicator loaded from open data can take these figures."))
    series = did.read_fixmystreet_series(
        counts_csv, category_code=category_code, lsoa_codes=lsoa_codes
    )
    if not series:
        _fail(None, _("The file has no LSOAs to load."))
    lsoas = dict(Lsoa.objects.filter(code__in=list(series)).values_list("code", "pk"))
    unknown = sorted(set(series) - set(lsoas))
    if unknown:
        _fail(
            None,
            _("These LSOAs are not in the register (load the places first): %(codes)s")
            % {"codes": ", ".join(unknown[:20])},
        )
    evidence = _(
        "FixMyStreet geographic data, mySociety, ODC-By: yearly counts of reports per LSOA, "
        "theme %(code)s."
    ) % {"code": category_code}
    existing = {
        (item.scope_key, item.period_start): item
        for item in Measurement.objects.filter(
            indicator=indicator, scope_key__startswith=f"{ScopeKind.LSOA}:"
        ).only("pk", "scope_key", "period_start", "value", "evidence")
    }
    now = timezone.now()
    new: list[Measurement] = []
    replaced: list[Measurement] = []
    for code, years in sorted(series.items()):
        for year, value in sorted(years.items()):
            start = date(year, 1, 1)
            key = f"{ScopeKind.LSOA}:{code}"
            figure = Decimal(str(value))
            if (key, start) in existing:
                item = existing[(key, start)]
                item.value, item.evidence, item.updated_at = figure, evidence, now
                replaced.append(item)
                continue
            new.append(
                Measurement(
                    indicator=indicator,
                    for_lsoa_id=lsoas[code],
                    scope_key=key,
                    period_start=start,
                    period_end=date(year, 12, 31),
                    value=figure,
                    evidence=evidence,
                    evidence_url="https://github.com/mysociety/fms_geographic_data",
                    source=Measurement.Source.OPEN_DATA,
                    recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
            )
    Measurement.objects.bulk_update(replaced, ["value", "evidence", "updated_at"], batch_size=1000)
    Measurement.objects.bulk_create(new, batch_size=1000)
    summary = {"lsoas": len(series), "added": len(new), "replaced": len(replaced)}
    audit_record(
        actor=actor,
        action="measurement.load_open_data",
        obj=indicator,
        changes={"file": counts_csv.name, "category": category_code, **summary},
    )
    return summary


# --------------------------------------------------------------------------- targets


@transaction.atomic
def target_set(
    *,
    actor: Any,
    indicator: Indicator,
    scope: Scope,
    organisation: Any,
    period_start: date,
    period_end: date,
    value: Decimal,
    note: str = "",
) -> Target:
    """Set a target, or change the one already set for the same scope and period."""
    if scope.kind not in {
        ScopeKind.PROGRAMME,
        ScopeKind.ORGANISATION,
        ScopeKind.NEIGHBOURHOOD,
        ScopeKind.AUTHORITY,
    }:
        _fail(
            None,
            _("Targets are set for a programme, an organisation, a neighbourhood or an authority."),
        )
    _check_period(period_start, period_end)
    _check_value(indicator, value)
    target = Target.objects.filter(
        indicator=indicator, scope_key=scope.key, period_start=period_start, period_end=period_end
    ).first()
    if target is None:
        target = Target(
            indicator=indicator,
            organisation=organisation,
            period_start=period_start,
            period_end=period_end,
            value=value,
            note=note.strip(),
            set_by=actor if getattr(actor, "is_authenticated", False) else None,
            **scope.model_fields(),
        )
        target.full_clean()
        target.save()
        audit_record(
            actor=actor,
            action="target.set",
            obj=target,
            organisation_id=organisation.pk,
            changes={"indicator": indicator.code, "scope": scope.key, "value": str(value)},
        )
        return target
    before = {"value": target.value, "note": target.note}
    target.value = value
    target.note = note.strip()
    target.full_clean()
    target.save()
    changes = model_changes(target, ["value", "note"], before)
    if changes:
        audit_record(
            actor=actor,
            action="target.change",
            obj=target,
            organisation_id=target.organisation_id,
            changes=changes,
        )
    return target


# --------------------------------------------------------------------------- comparisons


@transaction.atomic
def comparison_save(
    *,
    actor: Any,
    title: str,
    organisation: Any,
    request: comparing.ComparisonRequest,
    neighbourhood: Any = None,
) -> Comparison:
    """Run the comparison and keep its parameters and result, so a report can quote it later."""
    result = comparing.run(request)
    saved = Comparison(
        title=title.strip(),
        indicator=request.indicator,
        organisation=organisation,
        neighbourhood=neighbourhood,
        treated_codes=list(request.treated_codes),
        start_year=request.start_year,
        first_year=request.first_year,
        last_year=request.last_year,
        exclude_years=list(request.exclude_years),
        band_width=request.band_width,
        broad_class=request.broad_class,
        same_authority=request.same_authority,
        exclude_codes=list(request.exclude_codes),
        result={**comparing.result_as_json(result), "exclude_organised": request.exclude_organised},
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    saved.full_clean()
    saved.save()
    audit_record(
        actor=actor,
        action="comparison.save",
        obj=saved,
        organisation_id=organisation.pk,
        changes={"indicator": request.indicator.code, "estimate": round(result.estimate, 4)},
    )
    return saved


# --------------------------------------------------------------------------- reports


DEFAULT_SECTIONS = (
    (ReportSection.Kind.SUMMARY, _("Summary"), 10),
    (ReportSection.Kind.LESSONS, _("Lessons learned"), 90),
)


@transaction.atomic
def report_create(
    *,
    actor: Any,
    title: str,
    scope: Scope,
    organisation: Any,
    period_start: date,
    period_end: date,
) -> Report:
    if scope.kind not in {
        ScopeKind.PROGRAMME,
        ScopeKind.ORGANISATION,
        ScopeKind.NEIGHBOURHOOD,
        ScopeKind.AUTHORITY,
    }:
        _fail(None, _("A report is for a programme, a host, a neighbourhood or an authority."))
    _check_period(period_start, period_end)
    report = Report(
        title=title.strip(),
        organisation=organisation,
        period_start=period_start,
        period_end=period_end,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **scope.model_fields(),
    )
    report.full_clean()
    report.save()
    for kind, heading, position in DEFAULT_SECTIONS:
        ReportSection.objects.create(
            report=report, kind=kind, heading=str(heading), position=position
        )
    audit_record(
        actor=actor,
        action="report.create",
        obj=report,
        organisation_id=organisation.pk,
        changes={"scope": scope.key, "from": period_start, "to": period_end},
    )
    return report


def _mark_changed(report: Report) -> None:
    if report.status == Report.Status.PUBLISHED and not report.changed_since_published:
        report.changed_since_published = True
        report.save(update_fields=["changed_since_published", "updated_at"])


@transaction.atomic
def report_update(
    *,
    actor: Any,
    report: Report,
    title: str,
    period_start: date,
    period_end: date,
    comparisons: Iterable[Comparison] = (),
) -> Report:
    _check_period(period_start, period_end)
    fields = ["title", "period_start", "period_end"]
    before = {name: getattr(report, name) for name in fields}
    report.title = title.strip()
    report.period_start = period_start
    report.period_end = period_end
    report.full_clean()
    report.save()
    changes = model_changes(report, fields, before)
    chosen = sorted(c.pk for c in comparisons)
    previous = sorted(report.comparisons.values_list("pk", flat=True))
    if chosen != previous:
        report.comparisons.set(chosen)
        changes["comparisons"] = [previous, chosen]
    if changes:
        _mark_changed(report)
        audit_record(
            actor=actor,
            action="report.update",
            obj=report,
            organisation_id=report.organisation_id,
            changes=changes,
        )
    return report


@transaction.atomic
def report_section_save(
    *,
    actor: Any,
    report: Report,
    heading: str,
    body: str,
    section: ReportSection | None = None,
    position: int | None = None,
) -> ReportSection:
    if section is not None and section.report_id != report.pk:
        _fail(None, _("That section belongs to another report."))
    if section is None:
        top = report.sections.aggregate(top=Max("position"))["top"] or 0
        section = ReportSection(report=report, kind=ReportSection.Kind.OTHER, position=top + 10)
        before: dict[str, Any] = {"heading": "", "body": ""}
        action = "report.section_add"
    else:
        before = {"heading": section.heading, "body": section.body}
        action = "report.section_edit"
    section.heading = heading.strip()
    section.body = body.strip()
    if position is not None:
        section.position = position
    section.full_clean()
    section.save()
    changes = model_changes(section, ["heading", "body"], before)
    if changes or action == "report.section_add":
        _mark_changed(report)
        audit_record(
            actor=actor,
            action=action,
            obj=report,
            organisation_id=report.organisation_id,
            changes={"section": section.heading, "changed": sorted(changes)},
        )
    return section


@transaction.atomic
def report_section_remove(*, actor: Any, section: ReportSection) -> None:
    report = section.report
    heading = section.heading
    section.delete()
    _mark_changed(report)
    audit_record(
        actor=actor,
        action="report.section_remove",
        obj=report,
        organisation_id=report.organisation_id,
        changes={"section": heading},
    )


def _enqueue_pdf(version_id: int) -> None:
    from .tasks import make_report_pdf

    make_report_pdf.enqueue(version_id)


@transaction.atomic
def report_publish(
    *, actor: Any, report: Report, change_note: str = "", make_pdf_now: bool = False
) -> ReportVersion:
    """Freeze the report as its next version; the PDF is made in the background from that snapshot."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not report.sections.exclude(body="").exists():
        _fail(
            None, _("Write at least one narrative section, such as the summary, before publishing.")
        )
    number = (report.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    if number > 1 and not change_note.strip():
        _fail("change_note", _("Say what changed since the last version."))
    version = ReportVersion.objects.create(
        report=report,
        number=number,
        snapshot=build_snapshot(report),
        change_note=change_note.strip(),
        published_at=timezone.now(),
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    report.status = Report.Status.PUBLISHED
    report.changed_since_published = False
    report.save(update_fields=["status", "changed_since_published", "updated_at"])
    audit_record(
        actor=actor,
        action="report.publish",
        obj=report,
        organisation_id=report.organisation_id,
        changes={"version": number},
    )
    if make_pdf_now:
        report_version_make_pdf(version=version)
    else:
        transaction.on_commit(partial(_enqueue_pdf, version.pk))
    return version


def report_version_make_pdf(*, version: ReportVersion) -> ReportVersion:
    """Render and keep the PDF of a published version; made once, from the frozen snapshot."""
    made = render_report_pdf(
        version.snapshot, version=version.number, published_at=version.published_at
    )
    version.pdf = made.content
    version.pdf_sha256 = made.sha256
    version.pdf_pages = made.pages
    version.save(update_fields=["pdf", "pdf_sha256", "pdf_pages", "updated_at"])
    return version
