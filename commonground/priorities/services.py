"""Every write the planner makes: starting and running plans, saving, deleting, accepting patches."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.core.audit import audit_record
from commonground.places import services as places_services
from commonground.places.models import GpPractice, LocalAuthority, Lsoa, Neighbourhood

from . import planning
from .models import AcceptedPatch, Scenario
from .need import PlanningInputError
from .optimiser import SolveProgress, SolverError

logger = logging.getLogger(__name__)

INLINE_TIME_LIMIT_SECONDS = 10.0
"""Plans allowed this long or less are solved while the planner waits (with HiGHS presolve off, so
the limit is firm); longer ones go to the background worker. Authority-sized plans take well under
a second either way."""

UNSAVED_KEPT_FOR = timedelta(days=7)
PROGRESS_EVERY_SECONDS = 1.0


def _forget_old_unsaved(actor: Any) -> None:
    if getattr(actor, "pk", None) is None:
        return
    Scenario.objects.filter(
        created_by=actor,
        saved_at__isnull=True,
        created_at__lt=timezone.now() - UNSAVED_KEPT_FOR,
        accepted_patches__isnull=True,
    ).delete()


def _enqueue(public_id: str) -> None:
    from .tasks import scenario_solve_task

    scenario_solve_task.enqueue(public_id)


def scenario_start(
    *, actor: Any, authority: LocalAuthority, parameters: planning.PlanParameters
) -> Scenario:
    """Check the request, then solve it now or hand it to the background worker.

    Everything a planner can get wrong (the ranges, the weights, more organisers than there are
    separate patches) is checked before anything is stored, so a mistake comes back at once as a
    `PlanningInputError` with nothing lost. Unsaved plans older than a week are cleared here.
    """
    inputs = planning.prepare(authority, parameters)
    planning.check_feasible(inputs)
    background = parameters.time_limit_seconds > INLINE_TIME_LIMIT_SECONDS
    with transaction.atomic():
        _forget_old_unsaved(actor)
        scenario = Scenario(
            authority=authority,
            created_by=actor if getattr(actor, "pk", None) else None,
            parameters=parameters.as_dict(),
            runs_in_background=background,
        )
        scenario.full_clean()
        scenario.save()
        audit_record(
            actor=actor,
            action="scenario.run",
            obj=scenario,
            changes={"parameters": scenario.parameters, "background": background},
        )
        if background:
            transaction.on_commit(partial(_enqueue, str(scenario.public_id)))
    if not background:
        scenario_solve(scenario=scenario, inputs=inputs, presolve=False)
    return scenario


class _ProgressWriter:
    """Writes a running solve's best plan and gap to the scenario, at most once a second."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario_pk = scenario.pk
        self.last_written = 0.0

    def __call__(self, progress: SolveProgress) -> None:
        now = time.monotonic()
        if now - self.last_written < PROGRESS_EVERY_SECONDS:
            return
        self.last_written = now
        if progress.best_need is None:
            note = _("No plan found yet; %(seconds)d seconds so far.") % {
                "seconds": progress.seconds
            }
        elif progress.gap is None:
            note = _("The best plan so far holds %(need)s need; %(seconds)d seconds so far.") % {
                "need": f"{progress.best_need:,.0f}",
                "seconds": progress.seconds,
            }
        else:
            note = _(
                "The best plan so far holds %(need)s need, and no plan can hold more than "
                "%(gap)s%% more; %(seconds)d seconds so far."
            ) % {
                "need": f"{progress.best_need:,.0f}",
                "gap": f"{100 * progress.gap:.2f}",
                "seconds": progress.seconds,
            }
        try:
            Scenario.objects.filter(pk=self.scenario_pk).update(progress_note=note[:300])
        except DatabaseError:
            logger.warning("Could not record progress of scenario %s", self.scenario_pk)


def _set_stage(scenario: Scenario, stage: str, **fields: Any) -> None:
    scenario.stage = stage
    for name, value in fields.items():
        setattr(scenario, name, value)
    Scenario.objects.filter(pk=scenario.pk).update(stage=stage, **fields)


def scenario_solve(
    *,
    scenario: Scenario,
    inputs: planning.PlanInputs | None = None,
    presolve: bool = True,
) -> Scenario:
    """Make the plan a scenario asks for and keep the result on it.

    Not one transaction: the stage and the best plan so far are written as the run goes, so the
    page polling this scenario can show them. The finished result is written in one step at the
    end. Problems a planner can fix, and a solver that stops without a plan, end the run as
    failed with the message to show; anything else is also recorded, then raised.
    """
    _set_stage(
        scenario,
        Scenario.Stage.PREPARING,
        status=Scenario.Status.RUNNING,
        started_at=timezone.now(),
        progress_note="",
    )
    try:
        if inputs is None:
            parameters = planning.PlanParameters.from_dict(scenario.parameters)
            inputs = planning.prepare(scenario.authority, parameters)
        _set_stage(scenario, Scenario.Stage.SOLVING)
        started = time.perf_counter()
        plan = planning.make_plan(inputs, presolve=presolve, progress=_ProgressWriter(scenario))
        _set_stage(scenario, Scenario.Stage.EXPLAINING, progress_note="")
        document = planning.document_for(inputs, plan, started=started)
    except (PlanningInputError, SolverError) as error:
        _finish(scenario, status=Scenario.Status.FAILED, error=str(error))
        return scenario
    except Exception:
        _finish(
            scenario,
            status=Scenario.Status.FAILED,
            error=_("Something went wrong while making this plan; it has been logged."),
        )
        raise
    _finish(scenario, status=Scenario.Status.FINISHED, results=document)
    return scenario


def _finish(scenario: Scenario, *, status: str, error: str = "", results: Any = None) -> None:
    scenario.status = status
    scenario.stage = Scenario.Stage.DONE
    scenario.error = error
    scenario.results = results or {}
    scenario.finished_at = timezone.now()
    scenario.progress_note = ""
    scenario.save(
        update_fields=[
            "status",
            "stage",
            "error",
            "results",
            "finished_at",
            "progress_note",
            "updated_at",
        ]
    )


def _default_name(scenario: Scenario) -> str:
    organisers = scenario.parameters.get("organisers")
    return _("%(count)s organisers in %(authority)s, %(date)s") % {
        "count": organisers,
        "authority": scenario.authority.name,
        "date": timezone.localtime(scenario.created_at).strftime("%d %b %Y %H:%M"),
    }


@transaction.atomic
def scenario_save(*, actor: Any, scenario: Scenario, name: str, notes: str = "") -> Scenario:
    """Name a finished plan and share it with the authority's planners."""
    if not scenario.is_finished:
        raise ValidationError(_("Only a finished plan can be saved."))
    before = {"name": scenario.name, "notes": scenario.notes}
    first_save = scenario.saved_at is None
    scenario.name = name.strip()
    scenario.notes = notes.strip()
    if first_save:
        scenario.saved_at = timezone.now()
        scenario.saved_by = actor if getattr(actor, "pk", None) else None
    scenario.full_clean()
    scenario.save()
    audit_record(
        actor=actor,
        action="scenario.save",
        obj=scenario,
        changes={
            "name": [before["name"], scenario.name],
            "notes": "changed" if before["notes"] != scenario.notes else "unchanged",
            "first_save": first_save,
        },
    )
    return scenario


@transaction.atomic
def scenario_delete(*, actor: Any, scenario: Scenario) -> None:
    """Remove a scenario, unless a patch of it became a neighbourhood: then it is the record of why."""
    if scenario.accepted_patches.exists():
        raise ValidationError(
            _(
                "A patch of this scenario was accepted as a neighbourhood, so the scenario is kept "
                "as the record of where it came from."
            )
        )
    audit_record(
        actor=actor,
        action="scenario.delete",
        obj=scenario,
        changes={"saved": scenario.is_saved, "parameters": scenario.parameters},
    )
    scenario.delete()


def patch_of(scenario: Scenario, number: int) -> dict[str, Any]:
    for patch in scenario.results.get("patches", []):
        if patch["number"] == number:
            return patch
    raise ValidationError(_("This scenario has no patch %(number)s.") % {"number": number})


@transaction.atomic
def scenario_accept_patch(
    *, actor: Any, scenario: Scenario, patch_number: int, name: str
) -> Neighbourhood:
    """Turn a proposed patch into a neighbourhood, ready for an organiser's placement.

    An unsaved plan is saved first (under a plain name) so that colleagues can see where the new
    neighbourhood came from.
    """
    if not scenario.is_finished:
        raise ValidationError(_("Only a finished plan's patches can be accepted."))
    patch = patch_of(scenario, patch_number)
    already = scenario.accepted_patches.filter(patch_number=patch_number).first()
    if already is not None:
        raise ValidationError(
            _("Patch %(number)s was already accepted as %(neighbourhood)s.")
            % {
                "number": patch_number,
                "neighbourhood": already.neighbourhood or _("a neighbourhood since removed"),
            }
        )
    lsoas = list(Lsoa.objects.filter(authority=scenario.authority, code__in=patch["lsoas"]))
    if len(lsoas) != len(patch["lsoas"]):
        raise ValidationError(
            _("Some LSOAs of this patch are no longer in %(authority)s.")
            % {"authority": scenario.authority.name}
        )
    if not scenario.is_saved:
        scenario_save(actor=actor, scenario=scenario, name=_default_name(scenario))
    description = _(
        "Proposed by the planner in the scenario “%(scenario)s” (patch %(number)s): "
        "%(population)s residents (mid-2017)."
    ) % {
        "scenario": scenario.name,
        "number": patch_number,
        "population": f"{patch['population']:,}",
    }
    neighbourhood = places_services.neighbourhood_create(
        actor=actor,
        name=name,
        authority=scenario.authority,
        lsoas=lsoas,
        description=description,
    )
    accepted = AcceptedPatch(
        scenario=scenario,
        patch_number=patch_number,
        neighbourhood=neighbourhood,
        accepted_by=actor if getattr(actor, "pk", None) else None,
    )
    accepted.full_clean()
    accepted.save()
    audit_record(
        actor=actor,
        action="scenario.accept_patch",
        obj=scenario,
        changes={
            "patch": patch_number,
            "lsoas": patch["lsoas"],
            "neighbourhood": neighbourhood.slug,
        },
    )
    return neighbourhood


@transaction.atomic
def connectors_mark(*, actor: Any, practices: list[GpPractice], chosen: set[str]) -> int:
    """Mark exactly the `chosen` practices (by code) of those listed as hosting a connector.

    All or nothing; each practice that changes gets its own audit event from the places service.
    Returns how many changed.
    """
    changed = 0
    for practice in practices:
        wanted = practice.code in chosen
        if practice.has_community_connector != wanted:
            places_services.gp_practice_mark_connector(
                actor=actor, practice=practice, has_community_connector=wanted
            )
            changed += 1
    return changed


@transaction.atomic
def new_communities_mark(*, actor: Any, lsoas: list[Lsoa], chosen: set[str]) -> int:
    """Mark exactly the `chosen` LSOAs (by code) of those listed as new or growing communities."""
    changed = 0
    for lsoa in lsoas:
        wanted = lsoa.code in chosen
        if lsoa.is_new_community != wanted:
            places_services.lsoa_mark_new_community(actor=actor, lsoa=lsoa, is_new_community=wanted)
            changed += 1
    return changed
