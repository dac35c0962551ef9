"""Plans too long to make while the planner waits run here, in the background worker."""

from __future__ import annotations

from django_tasks import task

from .models import Scenario


@task()
def scenario_solve_task(scenario_public_id: str) -> str:
    """Solve a queued scenario; a scenario already run (or deleted meanwhile) is left alone."""
    from .services import scenario_solve

    scenario = (
        Scenario.objects.select_related("authority")
        .filter(public_id=scenario_public_id, status=Scenario.Status.QUEUED)
        .first()
    )
    if scenario is None:
        return "skipped"
    scenario_solve(scenario=scenario)
    return scenario.status
