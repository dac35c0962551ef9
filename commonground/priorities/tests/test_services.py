"""Starting, running, saving, deleting and accepting plans."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commonground.accounts.models import Role
from commonground.core.models import AuditEvent
from commonground.places.models import Neighbourhood

from .. import planning, services
from ..models import AcceptedPatch, Scenario
from ..need import PlanningInputError
from ..optimiser import TooManyOrganisersError
from .factories import build_world, people_in
from .support import BANES

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db: Any) -> Any:
    world = build_world("bath", BANES)
    return people_in(world, "bath")[Role.COUNCIL_OFFICER], world["authority"]


def test_a_short_plan_is_solved_at_once(officer: Any) -> None:
    user, authority = officer
    scenario = services.scenario_start(
        actor=user,
        authority=authority,
        parameters=planning.PlanParameters(organisers=5, time_limit_seconds=5),
    )
    scenario.refresh_from_db()
    assert scenario.status == Scenario.Status.FINISHED
    assert not scenario.runs_in_background
    assert len(scenario.results["patches"]) == 5
    assert scenario.results["objective"] == sum(p["need"] for p in scenario.results["patches"])
    assert not scenario.is_saved
    event = AuditEvent.objects.get(action="scenario.run", object_id=str(scenario.pk))
    assert event.changes["parameters"]["organisers"] == 5


def test_a_long_plan_goes_to_the_background_and_reports_its_result(
    officer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user, authority = officer
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        scenario = services.scenario_start(
            actor=user,
            authority=authority,
            parameters=planning.PlanParameters(organisers=5, time_limit_seconds=60),
        )
    scenario.refresh_from_db()
    assert scenario.runs_in_background
    assert scenario.status == Scenario.Status.QUEUED
    assert scenario.stage == Scenario.Stage.WAITING
    assert len(callbacks) == 1
    callbacks[0]()
    scenario.refresh_from_db()
    assert scenario.status == Scenario.Status.FINISHED
    assert scenario.stage == Scenario.Stage.DONE
    assert len(scenario.results["patches"]) == 5


def test_the_background_task_leaves_a_finished_scenario_alone(officer: Any) -> None:
    from ..tasks import scenario_solve_task

    user, authority = officer
    scenario = services.scenario_start(
        actor=user,
        authority=authority,
        parameters=planning.PlanParameters(organisers=2, time_limit_seconds=5),
    )
    result = scenario_solve_task.enqueue(str(scenario.public_id))
    assert result.return_value == "skipped"


def test_progress_is_written_while_solving(officer: Any, monkeypatch: Any) -> None:
    user, authority = officer
    monkeypatch.setattr(services, "PROGRESS_EVERY_SECONDS", 0.0)
    notes: list[str] = []
    original = services._ProgressWriter.__call__

    def spy(self: Any, progress: Any) -> None:
        original(self, progress)
        notes.append(Scenario.objects.get(pk=self.scenario_pk).progress_note)

    monkeypatch.setattr(services._ProgressWriter, "__call__", spy)
    scenario = services.scenario_start(
        actor=user,
        authority=authority,
        parameters=planning.PlanParameters(organisers=20, time_limit_seconds=5),
    )
    assert notes, "a 20-organiser plan reports while solving"
    assert any("The best plan so far holds" in note for note in notes)
    scenario.refresh_from_db()
    assert scenario.progress_note == "", "the note is cleared when the plan is done"


def test_a_mistake_is_refused_before_anything_is_stored(officer: Any) -> None:
    user, authority = officer
    with pytest.raises(TooManyOrganisersError, match="Only 45 disjoint patches"):
        services.scenario_start(
            actor=user, authority=authority, parameters=planning.PlanParameters(organisers=80)
        )
    with pytest.raises(PlanningInputError, match="wrong way round"):
        services.scenario_start(
            actor=user,
            authority=authority,
            parameters=planning.PlanParameters(organisers=3, min_population=5_000),
        )
    assert not Scenario.objects.exists()


def test_saving_names_the_scenario_and_is_audited(officer: Any) -> None:
    user, authority = officer
    scenario = services.scenario_start(
        actor=user,
        authority=authority,
        parameters=planning.PlanParameters(organisers=3, time_limit_seconds=5),
    )
    services.scenario_save(
        actor=user, scenario=scenario, name="  Three organisers ", notes="For May"
    )
    scenario.refresh_from_db()
    assert scenario.name == "Three organisers" and scenario.is_saved and scenario.saved_by == user
    event = AuditEvent.objects.get(action="scenario.save")
    assert event.changes["name"] == ["", "Three organisers"] and event.changes["first_save"]
    with pytest.raises(ValidationError):
        services.scenario_save(actor=user, scenario=scenario, name="   ")


def test_accepting_a_patch_makes_a_neighbourhood_with_its_lsoas(officer: Any) -> None:
    user, authority = officer
    scenario = services.scenario_start(
        actor=user,
        authority=authority,
        parameters=planning.PlanParameters(organisers=3, time_limit_seconds=5),
    )
    patch = scenario.results["patches"][1]
    neighbourhood = services.scenario_accept_patch(
        actor=user, scenario=scenario, patch_number=2, name="Twerton Riverside"
    )
    assert sorted(neighbourhood.lsoas.values_list("code", flat=True)) == sorted(patch["lsoas"])
    assert neighbourhood.authority == authority and neighbourhood.name == "Twerton Riverside"
    assert "patch 2" in neighbourhood.description
    scenario.refresh_from_db()
    assert scenario.is_saved, "accepting saves the plan so colleagues see where it came from"
    accepted = AcceptedPatch.objects.get(scenario=scenario)
    assert (accepted.patch_number, accepted.neighbourhood, accepted.accepted_by) == (
        2,
        neighbourhood,
        user,
    )
    event = AuditEvent.objects.get(action="scenario.accept_patch")
    assert event.changes["lsoas"] == patch["lsoas"]
    assert AuditEvent.objects.filter(action="neighbourhood.create").count() == 1
    with pytest.raises(ValidationError, match="already accepted as Twerton Riverside"):
        services.scenario_accept_patch(actor=user, scenario=scenario, patch_number=2, name="Again")
    with pytest.raises(ValidationError, match="no patch 9"):
        services.scenario_accept_patch(actor=user, scenario=scenario, patch_number=9, name="X")
    assert Neighbourhood.objects.filter(name="Again").count() == 0


def test_a_scenario_with_an_accepted_patch_is_kept(officer: Any) -> None:
    user, authority = officer
    scenario = services.scenario_start(
        actor=user,
        authority=authority,
        parameters=planning.PlanParameters(organisers=2, time_limit_seconds=5),
    )
    services.scenario_accept_patch(actor=user, scenario=scenario, patch_number=1, name="Kept")
    with pytest.raises(ValidationError, match="kept as the record"):
        services.scenario_delete(actor=user, scenario=scenario)
    other = services.scenario_start(
        actor=user,
        authority=authority,
        parameters=planning.PlanParameters(organisers=2, time_limit_seconds=5),
    )
    other_pk = other.pk
    services.scenario_delete(actor=user, scenario=other)
    assert not Scenario.objects.filter(pk=other_pk).exists()
    assert AuditEvent.objects.filter(action="scenario.delete", object_id=str(other_pk)).exists()


def test_old_unsaved_plans_are_cleared_when_a_new_one_starts(officer: Any) -> None:
    user, authority = officer
    parameters = planning.PlanParameters(organisers=2, time_limit_seconds=5)
    old = services.scenario_start(actor=user, authority=authority, parameters=parameters)
    saved_old = services.scenario_start(actor=user, authority=authority, parameters=parameters)
    services.scenario_save(actor=user, scenario=saved_old, name="Keep me")
    long_ago = timezone.now() - services.UNSAVED_KEPT_FOR * 2
    Scenario.objects.filter(pk__in=[old.pk, saved_old.pk]).update(created_at=long_ago)
    services.scenario_start(actor=user, authority=authority, parameters=parameters)
    assert not Scenario.objects.filter(pk=old.pk).exists()
    assert Scenario.objects.filter(pk=saved_old.pk).exists()


def test_markings_change_exactly_what_was_chosen(officer: Any) -> None:
    from commonground.places.models import GpPractice, Lsoa

    user, authority = officer
    practices = list(GpPractice.objects.filter(authority=authority, is_active=True)[:3])
    chosen = {practices[0].code}
    assert services.connectors_mark(actor=user, practices=practices, chosen=chosen) == 1
    assert services.connectors_mark(actor=user, practices=practices, chosen=chosen) == 0
    assert (
        set(GpPractice.objects.filter(has_community_connector=True).values_list("code", flat=True))
        == chosen
    )
    lsoas = list(Lsoa.objects.filter(authority=authority)[:4])
    services.new_communities_mark(actor=user, lsoas=lsoas, chosen={lsoas[1].code, lsoas[2].code})
    assert set(Lsoa.objects.filter(is_new_community=True).values_list("code", flat=True)) == {
        lsoas[1].code,
        lsoas[2].code,
    }
    assert AuditEvent.objects.filter(action="lsoa.mark_new_community").count() == 2
    assert AuditEvent.objects.filter(action="gp_practice.mark_connector").count() == 1
