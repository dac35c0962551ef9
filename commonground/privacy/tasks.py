"""Background work: applying the retention schedule once a day.

django-tasks has no clock of its own, so ``commonground retention --enqueue`` (run daily by cron or a
systemd timer, see docs/privacy.md) puts this task on the queue and the worker runs it.
"""

from __future__ import annotations

from django_tasks import task

from commonground.core.audit import audit_source


@task()
def apply_retention_schedule() -> dict[str, int]:
    """Apply every retention rule; returns how many records each changed."""
    from .retention import retention_apply

    with audit_source("background task"):
        return {outcome.rule.key: outcome.count for outcome in retention_apply(actor=None)}
