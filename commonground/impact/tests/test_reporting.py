"""The report's snapshot: every section, from the other apps' records, safe to publish."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from commonground.impact import services
from commonground.impact.equality import DEPRIVATION_GROUPS, suppress
from commonground.impact.reporting import build_snapshot, format_value
from commonground.impact.scopes import Scope

from .factories import PERIOD, build_world, conversation, indicator, report

pytestmark = pytest.mark.django_db
DAY = date(2026, 6, 10)


@pytest.fixture
def world() -> dict[str, Any]:
    return build_world("own")


def tag_all(conversations: list[Any], slug: str, name: str) -> Any:
    from commonground.insight.models import ConversationTag, Theme

    theme, _ = Theme.objects.get_or_create(slug=slug, defaults={"name": name})
    for item in conversations:
        ConversationTag.objects.create(
            conversation=item, theme=theme, status="applied", source="model"
        )
    return theme


def test_indicators_show_targets_progress_and_hide_small_counts_of_people(
    world: dict[str, Any],
) -> None:
    for _ in range(12):
        conversation(world, day=DAY)
    services.target_set(
        actor=None,
        indicator=indicator("residents_listened_to"),
        scope=Scope.of(world["programme"]),
        organisation=world["host"],
        period_start=PERIOD.start,
        period_end=PERIOD.end,
        value=Decimal(48),
    )
    conversation(world, day=DAY, ladder="attended")
    rows = {row["code"]: row for row in build_snapshot(report(world))["indicators"]}

    listened = rows["residents_listened_to"]
    assert listened["value"] == "13" and listened["display"] == "13"
    assert listened["target"]["value"] == "48.00" and listened["target"]["same_period"]
    assert listened["percent"] == 27 and listened["met"] is False
    involved = rows["residents_involved_in_action"]
    assert (
        involved["value"] is None
        and involved["suppressed"]
        and involved["display"] == "fewer than 5"
    )
    assert rows["lonely_often_or_always"]["status"] == "no_data"
    assert "fixmystreet_rubbish_reports" not in rows, (
        "open data per LSOA is left out when it has no figure"
    )


def test_themes_heard_with_small_themes_hidden_and_approved_quotes_only(
    world: dict[str, Any],
) -> None:
    from commonground.insight.models import Quote

    talks = [conversation(world, day=DAY) for _ in range(10)]
    flytipping = tag_all(talks[:8], "fly-tipping-test", "Fly-tipping")
    tag_all(talks[:3], "parking-test", "Parking")
    Quote.objects.create(
        conversation=talks[0], theme=flytipping, text="Bags every week.", status="approved"
    )
    Quote.objects.create(
        conversation=talks[1], theme=flytipping, text="Not approved.", status="proposed"
    )

    themes = build_snapshot(report(world))["themes"]
    assert themes["conversations"] == 10
    by_name = {row["name"]: row for row in themes["themes"]}
    assert by_name["Fly-tipping"]["count"] == 8 and by_name["Fly-tipping"]["share"] == 0.8
    assert by_name["Parking"]["count"] is None and by_name["Parking"]["share"] is None
    assert [quote["text"] for quote in themes["quotes"]] == ["Bags every week."]


def test_what_changed_names_only_public_projects_and_lists_savings(world: dict[str, Any]) -> None:
    from commonground.action.models import Idea, IdeaProgress, Project

    for slug, public in (("alley-clean-up", True), ("private-plan", False)):
        Project.objects.create(
            title=slug.replace("-", " ").title(),
            slug=slug,
            summary="s",
            aims="a",
            host=world["host"],
            neighbourhood=world["neighbourhood"],
            status="active",
            starts_on=DAY,
            is_public=public,
        )
    idea = Idea.objects.create(
        title="Bulky waste day",
        summary="s",
        service_affected="Waste",
        change="c",
        council=world["council"],
        host=world["host"],
        status="adopted",
        yearly_saving_estimated=Decimal("9000"),
        response_due_on=DAY,
    )
    IdeaProgress.objects.create(idea=idea, on=DAY, status_after="adopted", note="Adopted.")

    changes = build_snapshot(report(world))["changes"]
    assert [project["title"] for project in changes["projects"]] == ["Alley Clean Up"]
    assert changes["projects"][0]["started_in_period"]
    assert changes["improvements"][0]["estimated_saving"] == "9000.00"
    assert changes["improvements"][0]["realised_saving"] is None
    assert changes["matters"] == {"raised": 0, "resolved": 0, "by_category": []}


def test_money_in_and_out(world: dict[str, Any]) -> None:
    from commonground.funding.models import Fund, Grant, MonitoringReturn, Payment, ReturnFigure

    fund = Fund.objects.create(
        name="Main Fund",
        slug="main-fund",
        code="MF",
        council=world["council"],
        programme=world["programme"],
        source="performance_reward",
        amount=Decimal(1_000_000),
    )

    def grant(reference: str, recipient: Any, awarded_on: date) -> Grant:
        return Grant.objects.create(
            fund=fund,
            reference=reference,
            recipient=recipient,
            title=reference,
            description="d",
            amount_awarded=Decimal(100_000),
            awarded_on=awarded_on,
        )

    own = grant("MF-1", world["host"], date(2026, 5, 1))
    given = grant("MF-2", world["forum"], date(2025, 5, 1))
    Payment.objects.create(
        grant=own, due_on=DAY, amount=Decimal(40_000), status="paid", paid_on=DAY
    )
    Payment.objects.create(grant=own, due_on=date(2027, 6, 1), amount=Decimal(60_000))
    Payment.objects.create(
        grant=given, due_on=DAY, amount=Decimal(25_000), status="paid", paid_on=DAY
    )
    monitoring = MonitoringReturn.objects.create(
        grant=own,
        period_start=date(2026, 5, 1),
        period_end=date(2026, 10, 31),
        narrative="n",
        spend=Decimal(31_500),
    )
    ReturnFigure.objects.create(
        monitoring_return=monitoring, indicator_code="residents_listened_to", value=Decimal(210)
    )

    money = build_snapshot(report(world))["money"]
    assert [row["reference"] for row in money["grants"]] == ["MF-1"]
    assert money["total_awarded"] == "100000.00"
    assert money["total_paid"] == "40000.00"
    assert money["total_spent"] == "31500.00"
    assert [row["reference"] for row in money["grants_given"]] == ["MF-2"]
    assert money["given_awarded"] == "0.00" and money["given_paid"] == "25000.00"
    assert money["return_figures"] == {"residents_listened_to": "210.00"}

    host_report = report(world, scope=world["host"])
    assert [row["reference"] for row in build_snapshot(host_report)["money"]["grants"]] == ["MF-1"]


def test_equality_reach_in_aggregate_with_small_numbers_hidden(world: dict[str, Any]) -> None:
    from commonground.listening.models import EqualityMonitoring

    def answers(count: int, **values: str) -> None:
        for _ in range(count):
            EqualityMonitoring.objects.create(
                host=world["host"],
                programme=world["programme"],
                programme_year=2026,
                month=date(2026, 6, 1),
                lsoa=world["lsoas"][0],
                **values,
            )

    answers(12, age_band="25_34", carer="no")
    answers(7, age_band="65_79", carer="no")
    answers(2, age_band="80_plus", carer="yes")
    for _ in range(9):
        conversation(world, day=DAY, lsoa=world["lsoas"][0])
    conversation(world, day=DAY, lsoa=world["lsoas"][1])

    equality = build_snapshot(report(world))["equality"]
    ages = next(q for q in equality["questions"] if q["question"] == "age_band")
    counts = {row["key"]: row["count"] for row in ages["rows"]}
    assert ages["answered"] == 21
    assert counts["25_34"] == 12 and counts["80_plus"] is None
    assert counts["65_79"] is None, "the next smallest is hidden so 2 cannot be worked out"
    assert counts["under_18"] == 0
    carers = next(q for q in equality["questions"] if q["question"] == "carer")
    assert {row["key"]: row["count"] for row in carers["rows"]}["yes"] is None

    assert equality["population"] == sum(lsoa.population or 0 for lsoa in world["lsoas"])
    assert sum(row["population"] for row in equality["deprivation"]) == equality["population"]
    listened: dict[str, int] = {key: 0 for key, _label, _deciles in DEPRIVATION_GROUPS}
    for lsoa, count in ((world["lsoas"][0], 9), (world["lsoas"][1], 1)):
        group = next(key for key, _l, deciles in DEPRIVATION_GROUPS if lsoa.imd_decile in deciles)
        listened[group] += count
    assert {row["key"]: row["listened"] for row in equality["deprivation"]} == suppress(listened)
    assert {cell["code"] for cell in equality["map"]} == {lsoa.code for lsoa in world["lsoas"]}
    by_code = {cell["code"]: cell for cell in equality["map"]}
    assert by_code[world["lsoas"][0].code]["listened"] == 9
    assert by_code[world["lsoas"][1].code]["listened"] is None


def test_case_studies_from_the_toolkit(world: dict[str, Any]) -> None:
    from commonground.action.models import ToolkitEntry

    ToolkitEntry.objects.create(
        title="Proud of Your Doorstep",
        slug="proud",
        kind="case_study",
        summary="Clean-ups.",
        body="b",
        organisation=world["host"],
    )
    ToolkitEntry.objects.create(
        title="How to run a house meeting",
        slug="house",
        kind="how_to",
        summary="s",
        body="b",
        organisation=world["host"],
    )
    ToolkitEntry.objects.create(
        title="Someone else's",
        slug="else",
        kind="case_study",
        summary="s",
        body="b",
    )
    cases = build_snapshot(report(world))["case_studies"]
    assert [case["title"] for case in cases] == ["Proud of Your Doorstep"]


def test_values_are_written_in_their_unit() -> None:
    assert format_value(Decimal("12500"), "pounds") == "£12,500"
    assert format_value(Decimal("9.40"), "percent") == "9.4%"
    assert format_value(Decimal("1234.5"), "hours") == "1,234.5"
    assert format_value(None, "people") == "–"
