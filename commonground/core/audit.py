"""Writing audit events.

Services call :func:`audit_record` inside their own transaction so an event exists exactly when the
change it describes does. Who is acting comes from the caller; from where (address and agent) comes
from the request context that :class:`~commonground.core.middleware.AuditContextMiddleware` sets, or
names the command line for management commands and tasks.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models

from .models import AuditEvent

_source: contextvars.ContextVar[str] = contextvars.ContextVar(
    "audit_source", default="command line"
)


@contextmanager
def audit_source(source: str) -> Iterator[None]:
    token = _source.set(source[:255])
    try:
        yield
    finally:
        _source.reset(token)


def current_source() -> str:
    return _source.get()


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    organisation_id: int | None = None,
    changes: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Record that ``actor`` did ``action`` to ``obj``; returns the saved event."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_label=(getattr(actor, "email", "") if is_user else "system")[:254],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        organisation_id=organisation_id,
        changes=_jsonable(changes or {}),
        source=current_source(),
    )


def model_changes(
    instance: models.Model, fields: list[str], before: dict[str, Any]
) -> dict[str, Any]:
    """The fields whose values differ from ``before``, as ``{field: [old, new]}``."""
    changed: dict[str, Any] = {}
    for name in fields:
        new = getattr(instance, name)
        if before.get(name) != new:
            changed[name] = [_jsonable(before.get(name)), _jsonable(new)]
    return changed
