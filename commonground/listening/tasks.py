"""Background work: checking and importing spreadsheets, which can be too big for a request."""

from __future__ import annotations

from django_tasks import task

from commonground.accounts.models import User
from commonground.core.audit import audit_source

from .models import ImportBatch


@task()
def check_import(batch_id: str) -> str:
    from .imports import import_check

    with audit_source("background task"):
        batch = ImportBatch.objects.select_related("host", "default_organiser").get(pk=batch_id)
        return import_check(batch=batch).status


@task()
def run_import(batch_id: str, actor_id: int | None) -> str:
    from .imports import import_run

    with audit_source("background task"):
        batch = ImportBatch.objects.select_related("host", "default_organiser").get(pk=batch_id)
        actor = User.objects.filter(pk=actor_id).first() if actor_id else None
        return import_run(batch=batch, actor=actor).status
