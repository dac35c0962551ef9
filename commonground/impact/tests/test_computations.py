"""Each computed indicator counted from the other apps' records, for every kind of scope."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from commonground.impact import computations, registry
from commonground.impact.periods import Period
from commonground.impact.registry import Status, measure
from commonground.impact.scopes import Scope
from commonground.places.models import Lsoa

from .factories import PERIOD, RADSTOCK, build_world, conversation, indicator, moment, resident

pytestmark = pytest.mark.django_db
INSIDE = date(2026, 6, 10)
BEFORE = date(2026, 3, 20)


@pytest.fixture
def world() -> dict[str, Any]:
    return build_world("own")


def figure(code: str, scope_object: Any, period: Period = PERIOD) -> Decimal | None:
    return measure(indicator(code), Scope.of(scope_object), period).value


def test_residents_listened_to_follows_the_listening_counting_rule(world: dict[str, Any]) -> None:
    wren = resident(world, "Wren Saltmarsh")
    conversation(world, day=INSIDE, resident=wren)
    conversation(world, day=INSIDE + timedelta(days=20), resident=wren, counts=False)
    conversation(world, day=INSIDE)
    conversation(world, day=BEFORE)
    radstock = Lsoa.objects.get(code=RADSTOCK)
    conversation(world, day=INSIDE, lsoa=radstock)

    assert figure("residents_listened_to", world["programme"]) == 3
    assert figure("residents_listened_to", world["host"]) == 3
    assert figure("residents_listened_to", world["neighbourhood"]) == 2
    assert figure("residents_listened_to", radstock) == 1
    assert figure("residents_listened_to", world["authority"]) == 3
    assert figure("residents_listened_to", world["lsoas"][0].ward) >= 2
    other = build_world("other")
    assert figure("residents_listened_to", other["programme"]) == 0


def test_residents_involved_in_action_counts_each_named_resident_once(
    world: dict[str, Any],
) -> None:
    from commonground.action.models import Group, Involvement

    wren = resident(world, "Wren Saltmarsh")
    ash = resident(world, "Ash Penhallow")
    conversation(world, day=INSIDE, resident=wren, ladder="volunteering")
    conversation(world, day=INSIDE, ladder="attended")
    conversation(world, day=INSIDE, ladder="interested")
    group = Group.objects.create(
        name="Street group",
        slug="street-group",
        host=world["host"],
        neighbourhood=world["neighbourhood"],
    )
    for person in (wren, ash):
        Involvement.objects.create(
            group=group, resident=person, started_on=INSIDE, consent_given_on=INSIDE
        )

    assert figure("residents_involved_in_action", world["programme"]) == 3


def test_action_indicators(world: dict[str, Any]) -> None:
    from commonground.action.models import Group, Involvement, Project, VolunteerTime

    group = Group.objects.create(
        name="Street group",
        slug="street-group",
        host=world["host"],
        neighbourhood=world["neighbourhood"],
        formed_on=INSIDE,
    )
    Group.objects.create(name="Old group", slug="old-group", host=world["host"], formed_on=BEFORE)
    wren = resident(world, "Wren Saltmarsh")
    Involvement.objects.create(
        group=group, resident=wren, role="volunteer", started_on=BEFORE, consent_given_on=BEFORE
    )
    Involvement.objects.create(
        group=group,
        resident=resident(world, "Left Early"),
        role="leader",
        started_on=BEFORE - timedelta(days=60),
        ended_on=BEFORE,
        consent_given_on=BEFORE,
    )
    project = Project.objects.create(
        title="Clean-up",
        slug="clean-up",
        summary="Clearing alleys.",
        aims="Clear alleys.",
        host=world["host"],
        neighbourhood=world["neighbourhood"],
        status="active",
        starts_on=INSIDE,
        sustainability="volunteer_led",
    )
    Project.objects.create(
        title="Park plan",
        slug="park",
        summary="s",
        aims="a",
        host=world["host"],
        status="planning",
        starts_on=INSIDE,
    )
    VolunteerTime.objects.create(
        project=project, worked_on=INSIDE, volunteers=6, hours=Decimal("18.5")
    )
    VolunteerTime.objects.create(
        project=project, worked_on=BEFORE, volunteers=3, hours=Decimal("9")
    )

    assert figure("new_groups_formed", world["programme"]) == 1
    assert figure("volunteers", world["host"]) == 1
    assert figure("volunteer_hours", world["neighbourhood"]) == Decimal("18.5")
    assert figure("projects_started", world["programme"]) == 1
    assert figure("projects_self_sustaining", world["programme"]) == 1
    assert (
        figure(
            "projects_self_sustaining",
            world["programme"],
            Period(date(2025, 4, 1), date(2026, 3, 31)),
        )
        == 0
    )


def test_matters_resolved_and_improvements_adopted_with_savings(world: dict[str, Any]) -> None:
    from commonground.action.models import Idea, IdeaProgress, Matter, MatterCategory
    from commonground.insight.models import Theme

    category = MatterCategory.objects.create(
        theme=Theme.objects.create(slug="test-bins", name="Bins"),
        service_code="bins",
        target_days=10,
    )
    common = {
        "description": "Bags by the garages.",
        "category": category,
        "authority": world["authority"],
        "lsoa": world["lsoas"][0],
        "raised_by_organisation": world["host"],
        "routed_to": world["partner"],
        "team": "Waste",
        "raised_at": moment(INSIDE),
        "due_at": moment(INSIDE) + timedelta(days=10),
    }
    Matter.objects.create(title="Resolved", status="resolved", closed_at=moment(INSIDE), **common)
    Matter.objects.create(title="Closed", status="closed", closed_at=moment(INSIDE), **common)
    Matter.objects.create(title="Open", status="in_progress", **common)

    def idea(title: str, **extra: Any) -> Idea:
        return Idea.objects.create(
            title=title,
            summary="s",
            service_affected="Waste",
            change="c",
            council=world["council"],
            host=world["host"],
            neighbourhood=world["neighbourhood"],
            response_due_on=INSIDE,
            **extra,
        )

    adopted = idea("Bulky waste day", status="adopted", yearly_saving_realised=Decimal("12000"))
    IdeaProgress.objects.create(idea=adopted, on=INSIDE, status_after="adopted", note="Adopted.")
    earlier = idea("Earlier", status="adopted", yearly_saving_realised=Decimal("500"))
    IdeaProgress.objects.create(idea=earlier, on=BEFORE, status_after="adopted", note="Adopted.")
    idea(
        "By response date",
        status="adopted",
        responded_on=INSIDE,
        yearly_saving_estimated=Decimal("800"),
    )
    idea("Still an idea")

    assert figure("matters_resolved", world["programme"]) == 1
    assert figure("matters_resolved", world["neighbourhood"]) == 1
    assert figure("service_improvements_adopted", world["host"]) == 2
    assert figure("yearly_savings", world["host"]) == Decimal("12000")


def test_a_missing_model_makes_the_indicator_not_yet_available(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = computations.apps.get_model

    def without_action(label: str, *args: Any) -> Any:
        if label.startswith("action."):
            raise LookupError(label)
        return real(label, *args)

    monkeypatch.setattr(computations.apps, "get_model", without_action)
    result = measure(indicator("volunteer_hours"), Scope.of(world["programme"]), PERIOD)
    assert result.status == Status.NOT_AVAILABLE
    assert result.value is None
    assert "Not yet available" in result.explanation


def test_a_renamed_field_is_reported_as_not_available_rather_than_failing(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.exceptions import FieldError

    def broken(**kwargs: Any) -> Decimal:
        raise FieldError("Cannot resolve keyword 'hours'")

    monkeypatch.setitem(computations.COMPUTED, "volunteer_hours", computations.guarded(broken))
    result = measure(indicator("volunteer_hours"), Scope.of(world["programme"]), PERIOD)
    assert result.status == Status.NOT_AVAILABLE


def test_an_apps_own_indicators_module_takes_over(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import types

    module = types.ModuleType("commonground.action.indicators")
    module.COMPUTED = {"volunteer_hours": lambda **kwargs: Decimal("42")}  # type: ignore[attr-defined]
    monkeypatch.setattr(registry, "app_modules", lambda name: iter([("action", module)]))

    result = measure(indicator("volunteer_hours"), Scope.of(world["programme"]), PERIOD)
    assert result.value == Decimal("42")
    assert result.source_app == "action"


def test_a_figure_not_counted_at_an_area_level_says_so(world: dict[str, Any]) -> None:
    # Money is a report section, but a computation may also decline a scope it cannot apply to.
    result = measure(
        indicator("residents_listened_to"),
        Scope.of(world["programme"]),
        PERIOD,
        functions={"residents_listened_to": (lambda **kwargs: None, "listening")},
    )
    assert result.status == Status.NOT_MEASURED


def test_periods_include_both_end_days(world: dict[str, Any]) -> None:
    conversation(world, day=PERIOD.start)
    conversation(world, day=PERIOD.end)
    conversation(world, day=PERIOD.end + timedelta(days=1))
    assert figure("residents_listened_to", world["programme"]) == 2
    assert timezone.is_aware(PERIOD.end_moment)
