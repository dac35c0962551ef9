"""Audit entries that name a resident, for subject access and erasure (see ``privacy.rights``).

An audit entry names a resident when it is about one of their records (their resident record,
conversations, follow-ups, consents, quotes, invitations, group involvement or connections) or when
its summary mentions their name, e-mail, phone, address or one of their records' public ids. Erasure
keeps every entry – who did what, and when, is still true – but takes out anything that identifies
the resident.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from commonground.privacy.rights import (
    REMOVED,
    Change,
    Record,
    Section,
    mentioning,
    personal_values,
    scrub,
    text,
)

from .models import AuditEvent

# The record of an erasure holds nothing personal by design, and must itself survive a later erasure.
ERASURE_ACTION = "resident.erase"

# Records whose own description (``object_repr``) or change summary can carry what a resident said or
# who they are, so the whole summary goes, not only the values we know of today.
WHOLLY_PERSONAL = frozenset(
    {"listening.resident", "listening.followup", "privacy.consent", "insight.quote"}
)


def _object_keys(resident: Any) -> dict[str, list[str]]:
    def ids(label: str, **lookup: Any) -> list[str]:
        model = apps.get_model(label)
        return [str(pk) for pk in model.objects.filter(**lookup).values_list("pk", flat=True)]

    residents = [
        str(resident.pk),
        *[str(pk) for pk in resident.merged_from.values_list("pk", flat=True)],
    ]
    return {
        "listening.resident": residents,
        "listening.conversation": ids("listening.Conversation", resident=resident),
        "listening.followup": ids("listening.FollowUp", conversation__resident=resident),
        "privacy.consent": ids("privacy.Consent", resident=resident),
        "insight.quote": ids("insight.Quote", conversation__resident=resident),
        "insight.invitation": ids("insight.Invitation", resident=resident),
        "action.involvement": ids("action.Involvement", resident=resident),
        "action.networklink": [
            str(pk)
            for pk in apps.get_model("action.NetworkLink")
            .objects.filter(Q(from_resident=resident) | Q(to_resident=resident))
            .values_list("pk", flat=True)
        ],
    }


def _public_ids(resident: Any) -> list[str]:
    conversations = apps.get_model("listening.Conversation").objects.filter(resident=resident)
    consents = apps.get_model("privacy.Consent").objects.filter(resident=resident)
    return [
        str(resident.public_id),
        *[str(r) for r in resident.merged_from.values_list("public_id", flat=True)],
        *[str(p) for p in conversations.values_list("public_id", flat=True)],
        *[str(p) for p in consents.values_list("public_id", flat=True)],
    ]


def _by_object(keys: dict[str, list[str]]) -> Q:
    condition = Q(pk__in=[])
    for object_type, ids in keys.items():
        if ids:
            condition |= Q(object_type=object_type, object_id__in=ids)
    return condition


def entries_naming(resident: Any) -> QuerySet[AuditEvent]:
    keys = _object_keys(resident)
    by_text = mentioning(
        AuditEvent.objects.all(),
        ["object_repr", "changes"],
        [*personal_values(resident), *_public_ids(resident)],
    )
    return AuditEvent.objects.filter(_by_object(keys) | Q(pk__in=by_text.values("pk"))).order_by(
        "at", "id"
    )


def find(resident: Any) -> list[Section]:
    return [
        Section(
            key="audit_entries",
            title=_("Audit entries that name them"),
            note=_(
                "Every recorded action on their records, and every time someone outside the "
                "organisation holding them was shown their details."
            ),
            records=[
                Record(
                    heading=f"{text(event.at)} {event.action}",
                    rows=[
                        (_("When"), text(event.at)),
                        (_("What"), event.action),
                        (_("By"), event.actor_label),
                        (_("Record"), f"{event.object_type} {event.object_repr}".strip()),
                        (_("Details"), event.changes),
                        (_("From where"), event.source),
                    ],
                )
                for event in entries_naming(resident)
            ],
        )
    ]


def _emptied(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _emptied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_emptied(item) for item in value]
    if isinstance(value, str):
        return REMOVED
    return value


def erase(resident: Any, *, dry_run: bool) -> list[Change]:
    values = personal_values(resident)
    updates: list[tuple[int, str, Any]] = []
    for event in entries_naming(resident):
        if event.action == ERASURE_ACTION:
            continue
        if event.object_type in WHOLLY_PERSONAL:
            object_repr = f"{event.object_type} {event.object_id}"
            changes = _emptied(event.changes)
        else:
            object_repr = scrub(event.object_repr, values)
            changes = scrub(event.changes, values)
        if object_repr != event.object_repr or changes != event.changes:
            updates.append((event.pk, object_repr, changes))
    change = Change(
        "core.AuditEvent",
        "anonymise",
        len(updates),
        _(
            "Entries stay (who did what, when) but their name, contact details and anything they "
            "said are taken out of each entry's description and summary."
        ),
    )
    if not dry_run:
        for pk, object_repr, changes in updates:
            AuditEvent.objects.filter(pk=pk).update(object_repr=object_repr, changes=changes)
    return [change]
