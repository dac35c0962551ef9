"""Writes: figures never typed twice, corrections kept in the change log, targets, publishing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from commonground.accounts.models import Role
from commonground.core.models import AuditEvent
from commonground.impact import services
from commonground.impact.models import Measurement, ReportSection, ReportVersion, Target
from commonground.impact.periods import Period
from commonground.impact.registry import Status, measure, target_for
from commonground.impact.scopes import Scope
from commonground.places.models import Lsoa

from .factories import PERIOD, build_world, conversation, indicator, member, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    made = build_world("own")
    made["manager"] = member(made, Role.HOST_MANAGER, "manager@example.test")
    return made


def record(
    world: dict[str, Any], code: str = "lonely_often_or_always", **extra: Any
) -> Measurement:
    values: dict[str, Any] = {
        "actor": world["manager"],
        "indicator": indicator(code),
        "scope": Scope.of(world["programme"]),
        "organisation": world["host"],
        "period_start": date(2026, 9, 1),
        "period_end": date(2026, 9, 30),
        "value": Decimal("11.5"),
        "evidence": "Residents' survey, September 2026, 380 answers.",
        "base": 380,
    }
    values.update(extra)
    return services.measurement_record(**values)


def test_a_computed_indicator_cannot_be_typed_in(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="never typed in"):
        record(world, code="residents_listened_to", value=Decimal(500))
    assert not Measurement.objects.exists()


def test_an_entered_figure_needs_evidence_and_a_sensible_value(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="where the figure comes from"):
        record(world, evidence="  ")
    with pytest.raises(ValidationError, match="between 0 and 100"):
        record(world, value=Decimal("120"))
    with pytest.raises(ValidationError, match="end on or after"):
        record(world, period_end=date(2026, 8, 1))
    assert not Measurement.objects.exists()


def test_an_entered_figure_is_used_for_its_scope_and_audited(world: dict[str, Any]) -> None:
    made = record(world)
    assert made.scope_key == f"programme:{world['programme'].slug}"
    result = measure(indicator("lonely_often_or_always"), Scope.of(world["programme"]), PERIOD)
    assert result.status == Status.ENTERED
    assert result.value == Decimal("11.5")
    assert result.evidence[0]["base"] == 380
    event = AuditEvent.objects.get(action="measurement.record")
    assert event.actor == world["manager"]
    assert Decimal(event.changes["value"]) == Decimal("11.5")


def test_the_same_figure_cannot_be_entered_twice(world: dict[str, Any]) -> None:
    record(world)
    with pytest.raises(ValidationError, match="correct it instead"):
        record(world, value=Decimal("9"))
    assert Measurement.objects.count() == 1


def test_the_latest_survey_figure_in_the_period_is_the_one_used(world: dict[str, Any]) -> None:
    record(world)
    record(world, period_start=date(2027, 2, 1), period_end=date(2027, 2, 28), value=Decimal("8.2"))
    record(world, period_start=date(2027, 5, 1), period_end=date(2027, 5, 31), value=Decimal("1"))
    result = measure(indicator("lonely_often_or_always"), Scope.of(world["programme"]), PERIOD)
    assert result.value == Decimal("8.2")


def test_a_correction_keeps_the_old_figure_and_the_reason(world: dict[str, Any]) -> None:
    made = record(world)
    with pytest.raises(ValidationError, match="why"):
        services.measurement_correct(
            actor=world["manager"], measurement=made, value=Decimal("12"), evidence="x", reason=""
        )
    services.measurement_correct(
        actor=world["manager"],
        measurement=made,
        value=Decimal("12.1"),
        evidence=made.evidence,
        base=380,
        reason="Survey re-weighted by age",
    )
    event = AuditEvent.objects.get(action="measurement.correct")
    assert [Decimal(v) for v in event.changes["value"]] == [Decimal("11.5"), Decimal("12.1")]
    assert event.changes["reason"] == "Survey re-weighted by age"
    made.refresh_from_db()
    assert made.value == Decimal("12.10")


def test_setting_a_target_again_changes_it_and_logs_both(world: dict[str, Any]) -> None:
    scope = Scope.of(world["programme"])
    for value in ("500", "650"):
        services.target_set(
            actor=world["manager"],
            indicator=indicator("residents_listened_to"),
            scope=scope,
            organisation=world["host"],
            period_start=PERIOD.start,
            period_end=PERIOD.end,
            value=Decimal(value),
        )
    assert Target.objects.count() == 1
    assert target_for(indicator("residents_listened_to"), scope, PERIOD).value == Decimal(650)
    assert list(
        AuditEvent.objects.filter(object_type="impact.target")
        .values_list("action", flat=True)
        .order_by("id")
    ) == ["target.set", "target.change"]


def test_targets_are_for_programmes_organisations_neighbourhoods_or_authorities(
    world: dict[str, Any],
) -> None:
    with pytest.raises(ValidationError, match="Targets are set"):
        services.target_set(
            actor=world["manager"],
            indicator=indicator("residents_listened_to"),
            scope=Scope.of(world["lsoas"][0]),
            organisation=world["host"],
            period_start=PERIOD.start,
            period_end=PERIOD.end,
            value=Decimal(5),
        )


def test_the_best_fitting_target_is_chosen(world: dict[str, Any]) -> None:
    scope = Scope.of(world["programme"])
    for start, end, value in [
        (date(2025, 10, 1), date(2027, 9, 30), "2500"),
        (PERIOD.start, PERIOD.end, "1200"),
    ]:
        services.target_set(
            actor=None,
            indicator=indicator("residents_listened_to"),
            scope=scope,
            organisation=world["host"],
            period_start=start,
            period_end=end,
            value=Decimal(value),
        )
    assert target_for(indicator("residents_listened_to"), scope, PERIOD).value == Decimal(1200)
    half = Period(date(2026, 4, 1), date(2026, 9, 30))
    assert target_for(indicator("residents_listened_to"), scope, half).value == Decimal(2500)


def test_a_new_report_has_a_summary_and_lessons_to_write(world: dict[str, Any]) -> None:
    made = report(world)
    assert list(made.sections.values_list("kind", flat=True)) == ["summary", "lessons"]
    assert made.scope_key == f"programme:{world['programme'].slug}"
    assert AuditEvent.objects.filter(action="report.create", object_id=str(made.pk)).exists()


def test_a_report_cannot_be_about_an_lsoa(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="A report is for"):
        report(world, scope=world["lsoas"][0])


def test_publishing_freezes_the_figures_and_numbers_each_version(world: dict[str, Any]) -> None:
    made = report(world)
    with pytest.raises(ValidationError, match="narrative"):
        services.report_publish(actor=world["manager"], report=made)
    summary = made.sections.get(kind=ReportSection.Kind.SUMMARY)
    services.report_section_save(
        actor=world["manager"], report=made, section=summary, heading="Summary", body="A good year."
    )
    conversation(world, day=date(2026, 6, 1))
    first = services.report_publish(actor=world["manager"], report=made, make_pdf_now=False)
    frozen = {row["code"]: row for row in first.snapshot["indicators"]}
    assert frozen["residents_listened_to"]["display"] == "fewer than 5"

    for day in range(2, 12):
        conversation(world, day=date(2026, 6, day))
    first.refresh_from_db()
    assert {row["code"]: row for row in first.snapshot["indicators"]}[
        "residents_listened_to"
    ] == frozen["residents_listened_to"]

    made.refresh_from_db()
    assert made.status == "published" and not made.changed_since_published
    services.report_section_save(
        actor=world["manager"], report=made, heading="Next steps", body="More."
    )
    made.refresh_from_db()
    assert made.changed_since_published
    with pytest.raises(ValidationError, match="what changed"):
        services.report_publish(actor=world["manager"], report=made)
    second = services.report_publish(
        actor=world["manager"], report=made, change_note="Added next steps."
    )
    assert second.number == 2
    assert {row["code"]: row for row in second.snapshot["indicators"]}["residents_listened_to"][
        "value"
    ] == "11"
    assert [s["heading"] for s in second.snapshot["sections"]][-1] == "Next steps"


def test_a_published_version_cannot_be_changed_except_to_add_its_pdf(world: dict[str, Any]) -> None:
    made = report(world)
    services.report_section_save(
        actor=None, report=made, section=made.sections.first(), heading="Summary", body="Done."
    )
    version = services.report_publish(actor=None, report=made)
    version.snapshot = {"title": "rewritten"}
    with pytest.raises(ValueError, match="frozen"):
        version.save()
    with pytest.raises(ValueError, match="frozen"):
        version.save(update_fields=["snapshot"])
    fresh = ReportVersion.objects.get(pk=version.pk)
    assert fresh.snapshot["title"] == made.title


def test_publishing_asks_for_the_pdf_after_commit(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    made = report(world)
    services.report_section_save(
        actor=None, report=made, section=made.sections.first(), heading="Summary", body="Done."
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        version = services.report_publish(actor=None, report=made)
    assert len(callbacks) == 1
    version.refresh_from_db()
    assert version.pdf is not None and bytes(version.pdf).startswith(b"%PDF")
    assert version.pdf_pages and version.pdf_pages >= 5


COUNTS = """lsoa11cd,lad19cd,lad19nm,year,level,category_code,reports,unique_users
E01014458,E06000022,Bath and North East Somerset,2007,SHEF_B,B26,2,2
E01014461,E06000022,Bath and North East Somerset,2008,SHEF_B,B26,1,1
E01014461,E06000022,Bath and North East Somerset,2008,SHEF_B,B6,4,4
"""


def test_fixmystreet_counts_load_with_zeros_and_reload_in_place(
    world: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "counts.csv"
    path.write_text(COUNTS, encoding="utf-8")
    rubbish = indicator("fixmystreet_rubbish_reports")

    summary = services.measurements_load_fixmystreet(
        actor=None, indicator=rubbish, counts_csv=path, category_code="B26"
    )
    assert summary == {"lsoas": 2, "added": 4, "replaced": 0}
    values = {
        (m.for_lsoa.code, m.period_start.year): m.value
        for m in Measurement.objects.filter(indicator=rubbish).select_related("for_lsoa")
    }
    assert values == {
        ("E01014458", 2007): 2,
        ("E01014458", 2008): 0,
        ("E01014461", 2007): 0,
        ("E01014461", 2008): 1,
    }
    path.write_text(COUNTS.replace(",B26,1,1", ",B26,3,3"), encoding="utf-8")
    summary = services.measurements_load_fixmystreet(
        actor=None, indicator=rubbish, counts_csv=path, category_code="B26"
    )
    assert summary == {"lsoas": 2, "added": 0, "replaced": 4}
    assert (
        Measurement.objects.get(
            indicator=rubbish, for_lsoa__code="E01014461", period_start__year=2008
        ).value
        == 3
    )


def test_fixmystreet_load_is_all_or_nothing(world: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "counts.csv"
    path.write_text(COUNTS + "E09999999,E06000022,Nowhere,2007,SHEF_B,B26,1,1\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="E09999999"):
        services.measurements_load_fixmystreet(
            actor=None,
            indicator=indicator("fixmystreet_rubbish_reports"),
            counts_csv=path,
            category_code="B26",
        )
    assert not Measurement.objects.exists()
    assert Lsoa.objects.filter(code="E01014458").exists()
    with pytest.raises(ValidationError, match="open data"):
        services.measurements_load_fixmystreet(
            actor=None, indicator=indicator("volunteers"), counts_csv=path, category_code="B26"
        )


def test_the_indicator_code_and_method_never_change(world: dict[str, Any]) -> None:
    volunteers = indicator("volunteers")
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.indicator_update(actor=None, indicator=volunteers, data={"code": "helpers"})
    services.indicator_update(
        actor=None, indicator=volunteers, data={"name": "Volunteers giving time"}
    )
    assert AuditEvent.objects.get(action="indicator.update").changes["name"] == [
        "Volunteers",
        "Volunteers giving time",
    ]


def test_a_new_computed_indicator_needs_something_to_count_it(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="cannot be computed"):
        services.indicator_create(
            actor=None,
            code="trees_planted",
            name="Trees planted",
            definition="d",
            unit="people",
            direction="up",
            method="computed",
            how_counted="h",
        )
    made = services.indicator_create(
        actor=None,
        code="trees_planted",
        name="Trees planted",
        definition="d",
        unit="people",
        direction="up",
        method="entered",
        how_counted="h",
    )
    assert made.position > indicator("formal_volunteering_rate").position
