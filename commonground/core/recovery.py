"""Putting back in the queue the background tasks that a stopped worker left half-run.

The task worker marks a task as running when it starts it. If the worker is killed (a deploy, the
out-of-memory killer, a power cut) the task's own transaction is rolled back by the database, but the
task stays marked as running and nothing would ever run it again. Every task in Common Ground is
written to be safe to run twice (imports skip rows already there by their ids; a report PDF is made
only once), so requeueing is the whole recovery.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def interrupted_tasks(*, started_before: datetime) -> QuerySet[DBTaskResult]:
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=started_before
    ).order_by("started_at")


@transaction.atomic
def interrupted_tasks_requeue(*, started_before: datetime) -> list[DBTaskResult]:
    """Mark tasks still 'running' since before ``started_before`` as ready to run again."""
    tasks = list(interrupted_tasks(started_before=started_before).select_for_update())
    DBTaskResult.objects.filter(pk__in=[task.pk for task in tasks]).update(
        status=TaskResultStatus.READY, started_at=None
    )
    return tasks
