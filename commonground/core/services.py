"""Write helpers every app's services share, so each change is validated and audited the same way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Model
from django.utils.text import slugify

from .audit import audit_record, model_changes


def unique_slug(
    model: type[Model],
    text: str,
    *,
    max_length: int = 180,
    fallback: str = "item",
    exclude_pk: int | None = None,
) -> str:
    """A slug for ``text`` that no other row of ``model`` has: ``name``, then ``name-2``, ``name-3``."""
    base = slugify(text)[:max_length] or fallback
    slug, counter = base, 2
    while model._default_manager.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


def save_changes(
    *,
    actor: Any,
    instance: Model,
    data: Mapping[str, Any],
    action: str,
    organisation_id: int | None,
) -> dict[str, Any]:
    """Set the plain fields in ``data``, validate, save, and audit what actually changed.

    Many-to-many values (lists, tuples, sets) are left for the caller to set; an update that changes
    nothing writes no audit row. Returns the changes as recorded.
    """
    fields = [name for name in data if not isinstance(data[name], list | tuple | set)]
    before = {name: getattr(instance, name) for name in fields}
    for name in fields:
        setattr(instance, name, data[name])
    instance.full_clean()
    instance.save()
    changes = model_changes(instance, fields, before)
    if changes:
        audit_record(
            actor=actor,
            action=action,
            obj=instance,
            organisation_id=organisation_id,
            changes=changes,
        )
    return changes
