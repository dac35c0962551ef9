"""Residents' rights of access and erasure, gathered from every app that holds something about them.

Each app that keeps personal data about a resident has a ``personal_data`` module with two functions,
found by :func:`commonground.core.discovery.app_modules`:

* ``find(resident) -> list[Section]`` – what it holds, for the subject access export;
* ``erase(resident, *, dry_run) -> list[Change]`` – what erasure removes or anonymises there. With
  ``dry_run`` it only counts, so the preview and the removal run the same code and cannot disagree.

An ``erase`` must work from the resident object it is given (its values as they were before erasure
began) and write with queryset updates and deletes, never by saving that object, because modules run
one after another inside one transaction and a later one may need the name an earlier one removed.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from commonground.core.audit import audit_record
from commonground.core.discovery import app_modules

if TYPE_CHECKING:
    from commonground.listening.models import Resident

# Audit rows are anonymised while everything they point at still exists, so they run first.
ERASE_FIRST = ("core",)
EXPORT_FORMAT_VERSION = 1


@dataclass
class Record:
    """One thing held (a conversation, a consent, a version): a heading and its fields in order."""

    heading: str
    rows: list[tuple[str, Any]] = field(default_factory=list)


@dataclass
class Section:
    """One kind of data held about a resident, as the export shows it."""

    key: str
    title: str
    rows: list[tuple[str, Any]] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    note: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.rows and not self.records


@dataclass(frozen=True)
class Change:
    """What erasure does to one kind of record.

    ``action`` is "remove" (rows deleted), "anonymise" (rows kept, identifying values taken out) or
    "keep" (rows kept unchanged because, once the resident's record is emptied, they identify nobody;
    listed so the officer sees they exist).
    """

    model: str
    action: str
    count: int
    description: str

    @property
    def label(self) -> str:
        from django.apps import apps

        meta = apps.get_model(self.model)._meta
        return str(meta.verbose_name if self.count == 1 else meta.verbose_name_plural).capitalize()


class ErasureChanged(Exception):
    """What erasure would do is no longer what the officer was shown; they must look again."""


def text(value: Any) -> str:
    """A value as the export shows it: dates in local time, nothing as an empty string."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def personal_values(resident: Resident) -> list[str]:
    """Strings that identify this resident wherever they appear as free text.

    The postcode is left out: many residents share one, and a postcode alone is a place, not a person.
    Very short values are left out too, so that erasing "Al" does not touch every "Also".
    """
    values = {resident.full_name, resident.email, resident.phone, resident.address}
    for merged in resident.merged_from.all():
        values.update({merged.full_name, merged.email, merged.phone, merged.address})
    return sorted(v.strip() for v in values if v and len(v.strip()) >= 4)


def _modules() -> list[tuple[str, Any]]:
    found = list(app_modules("personal_data"))
    return sorted(found, key=lambda item: item[0] not in ERASE_FIRST)


def find_everything(resident: Resident) -> list[Section]:
    """Every section, in the order of the apps, with the audit trail last (it refers to the rest)."""
    sections: list[Section] = []
    for _label, module in sorted(_modules(), key=lambda item: item[0] in ERASE_FIRST):
        sections.extend(module.find(resident))
    # Who the person is and what they agreed to come first, whichever app holds them.
    return sorted(sections, key=lambda s: s.key not in ("contact_details", "consents"))


def plan_erasure(resident: Resident) -> list[Change]:
    """What erasure would do, without doing it."""
    changes: list[Change] = []
    for _label, module in _modules():
        changes.extend(module.erase(resident, dry_run=True))
    return [change for change in changes if change.count]


def fingerprint(changes: Iterable[Change]) -> str:
    """A short digest of a preview, so the removal can tell it is doing what was shown."""
    payload = json.dumps([asdict(c) for c in changes], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@transaction.atomic
def resident_erase(
    *, actor: Any, resident: Resident, expected_fingerprint: str | None = None
) -> list[Change]:
    """Remove or anonymise everything held about a resident, all of it or none of it.

    The resident's row and their conversations stay, emptied of anything that identifies them, so
    every figure already counted (residents listened to, themes, meeting turnout, group sizes) keeps
    its count. The audit event names only the record's random id and the counts of what changed.
    """
    from commonground.listening.models import Resident as ResidentModel

    resident = ResidentModel.objects.select_for_update().get(pk=resident.pk)
    planned = plan_erasure(resident)
    if expected_fingerprint is not None and fingerprint(planned) != expected_fingerprint:
        raise ErasureChanged
    done: list[Change] = []
    for _label, module in _modules():
        done.extend(module.erase(resident, dry_run=False))
    done = [change for change in done if change.count]
    audit_record(
        actor=actor,
        action="resident.erase",
        object_type="listening.resident",
        object_id=str(resident.pk),
        object_repr=f"Resident {resident.public_id}",
        organisation_id=resident.host_id,
        changes={
            "changed": [{"model": c.model, "action": c.action, "count": c.count} for c in done]
        },
    )
    return done


# --- subject access export ------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    filename: str
    content: bytes
    sections: list[Section]


def sections_as_json(sections: list[Section]) -> dict[str, Any]:
    def rows(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        return {label: _jsonable(value) for label, value in pairs}

    return {
        section.key: {
            "title": section.title,
            "note": section.note,
            "fields": rows(section.rows),
            "records": [
                {"heading": record.heading, "fields": rows(record.rows)}
                for record in section.records
            ],
        }
        for section in sections
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


def render_pdf(*, resident: Resident, sections: list[Section], made_at: datetime) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    def shown(value: Any) -> str:
        if isinstance(value, dict | list):
            return json.dumps(_jsonable(value), ensure_ascii=False)
        return text(value)

    readable = [
        Section(
            key=section.key,
            title=section.title,
            note=section.note,
            rows=[(label, shown(value)) for label, value in section.rows],
            records=[
                Record(record.heading, [(label, shown(value)) for label, value in record.rows])
                for record in section.records
            ],
        )
        for section in sections
    ]
    with translation.override("en-gb"):
        html = render_to_string(
            "privacy/subject_access_print.html",
            {"resident": resident, "sections": readable, "made_at": made_at},
        )
    buffer = io.BytesIO()
    # Nothing but inline data may be fetched: the export never reaches out to the network.
    HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}, timeout=1)).write_pdf(
        buffer, pdf_variant="pdf/ua-1"
    )
    return buffer.getvalue()


@transaction.atomic
def resident_export(*, actor: Any, resident: Resident) -> Export:
    """Everything held about a resident, as a readable PDF and a JSON file in one zip. Audited."""
    made_at = timezone.now()
    sections = find_everything(resident)
    document = {
        "format": "commonground-subject-access",
        "format_version": EXPORT_FORMAT_VERSION,
        "made_at": made_at.isoformat(),
        "resident": str(resident.public_id),
        "held_by": resident.host.name,
        "sections": sections_as_json(sections),
    }
    pdf = render_pdf(resident=resident, sections=sections, made_at=made_at)
    stem = f"subject-access-{str(resident.public_id)[:8]}-{timezone.localdate():%Y-%m-%d}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}/{stem}.pdf", pdf)
        archive.writestr(f"{stem}/{stem}.json", json.dumps(document, indent=2, ensure_ascii=False))
    audit_record(
        actor=actor,
        action="resident.export",
        object_type="listening.resident",
        object_id=str(resident.pk),
        object_repr=f"Resident {resident.public_id}",
        organisation_id=resident.host_id,
        changes={"sections": [s.key for s in sections if not s.is_empty]},
    )
    return Export(filename=f"{stem}.zip", content=buffer.getvalue(), sections=sections)


# --- helpers for erase() ---------------------------------------------------------------------------

REMOVED = "[removed]"


def mentioning(queryset: Any, fields: Iterable[str], values: Iterable[str]) -> Any:
    """Rows in which any of ``fields`` (text or JSON) contains any of ``values``, ignoring case."""
    from django.db.models import Q, TextField
    from django.db.models.functions import Cast

    values = [v for v in values if v]
    if not values:
        return queryset.none()
    condition = Q()
    annotations: dict[str, Any] = {}
    for name in fields:
        model_field = queryset.model._meta.get_field(name)
        target = name
        if model_field.get_internal_type() == "JSONField":
            target = f"_{name}_as_text"
            annotations[target] = Cast(name, TextField())
        for value in values:
            condition |= Q(**{f"{target}__icontains": value})
            if annotations.get(target) is not None:
                # JSON text may hold the value with its characters escaped; search for that too.
                escaped = json.dumps(value)[1:-1]
                if escaped != value:
                    condition |= Q(**{f"{target}__icontains": escaped})
    return (
        queryset.annotate(**annotations).filter(condition)
        if annotations
        else (queryset.filter(condition))
    )


def scrub(value: Any, values: Iterable[str]) -> Any:
    """``value`` (a string or any JSON) with every occurrence of ``values`` replaced, ignoring case."""
    import re

    patterns = [re.compile(re.escape(v), re.IGNORECASE) for v in values if v]
    if not patterns:
        return value

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            for pattern in patterns:
                item = pattern.sub(REMOVED, item)
            return item
        if isinstance(item, dict):
            return {walk(k): walk(v) for k, v in item.items()}
        if isinstance(item, list):
            return [walk(v) for v in item]
        return item

    return walk(value)
