"""What listening holds about a resident, for subject access and erasure (see ``privacy.rights``).

Erasure keeps the resident's row and their conversations, emptied: the conversations still count once
under the counting rule, their themes stay counted, and nothing left can lead back to the person.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils import timezone
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

from .models import (
    ANSWER_FIELDS,
    Conversation,
    ConversationVersion,
    FollowUp,
    ImportBatch,
    Resident,
)

CONTACT_FIELDS = ("full_name", "email", "phone", "address", "postcode")
# Keys of a version snapshot that can identify the resident or the exact place they were met.
VERSION_PERSONAL_KEYS = (*ANSWER_FIELDS, "postcode", "street", "lon", "lat")


def _label(model: Any, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name).capitalize()


def _version_label(key: str) -> str:
    try:
        return _label(Conversation, key)
    except FieldDoesNotExist:
        return key.replace("_", " ").capitalize()


def _conversations(resident: Resident) -> Any:
    return (
        Conversation.objects.filter(resident=resident)
        .select_related("organiser", "lsoa", "ward", "neighbourhood", "host")
        .prefetch_related("shared_with")
        .order_by("happened_at", "id")
    )


def _conversation_record(conversation: Conversation) -> Record:
    rows: list[tuple[str, Any]] = [
        (_("When"), text(conversation.happened_at)),
        (_("How"), conversation.get_mode_display()),
        (_("Organiser"), conversation.organiser.full_name),
        (_("Held by"), conversation.host.name),
        (
            _("Area (LSOA)"),
            f"{conversation.lsoa.code} {conversation.lsoa.name}" if conversation.lsoa_id else "",
        ),
        (_("Postcode"), conversation.postcode),
        (_("Street"), conversation.street),
        (
            _("Exact location"),
            f"{conversation.lat}, {conversation.lon}" if conversation.lat is not None else "",
        ),
    ]
    rows += [(_label(Conversation, name), getattr(conversation, name)) for name in ANSWER_FIELDS]
    rows += [
        (_("Ladder of involvement"), conversation.get_ladder_display()),
        (_("Consent"), conversation.get_consent_tier_display()),
        (_("Shared with"), ", ".join(o.name for o in conversation.shared_with.all())),
        (_("Special category information"), text(conversation.special_category)),
        (_("Explicit consent for special category"), text(conversation.special_category_consent)),
        (_("Counted in residents listened to"), text(conversation.counts_toward_listened)),
        (_("Version"), conversation.version),
        (_("Reference"), str(conversation.public_id)),
    ]
    heading = _("Conversation on %(day)s") % {"day": text(conversation.happened_at)}
    return Record(heading=heading, rows=rows)


def find(resident: Resident) -> list[Section]:
    merged = list(resident.merged_from.values_list("public_id", flat=True))
    contact = Section(
        key="contact_details",
        title=_("Contact details"),
        rows=[
            *[(_label(Resident, name), getattr(resident, name)) for name in CONTACT_FIELDS],
            (
                _("Area (LSOA)"),
                f"{resident.lsoa.code} {resident.lsoa.name}" if resident.lsoa_id else "",
            ),
            (_("Held by"), resident.host.name),
            (_("Record created"), text(resident.created_at)),
            (_("Contact details removed"), text(resident.contact_removed_at)),
            (_("Records merged into this one"), ", ".join(str(m) for m in merged)),
            (_("Reference"), str(resident.public_id)),
        ],
    )
    conversations = list(_conversations(resident))
    versions = (
        ConversationVersion.objects.filter(conversation__in=conversations)
        .select_related("conversation", "changed_by")
        .order_by("conversation__happened_at", "conversation_id", "number")
    )
    history = Section(
        key="conversation_versions",
        title=_("Every version of each conversation"),
        note=_(
            "A conversation is never changed in place: each correction is a new version, and every "
            "earlier version is kept as it was."
        ),
        records=[
            Record(
                heading=_("Conversation on %(day)s, version %(number)s")
                % {"day": text(version.conversation.happened_at), "number": version.number},
                rows=[
                    (_("Recorded"), text(version.recorded_at)),
                    (_("Reason for the change"), version.reason),
                    (_("Changed by"), version.changed_by.email if version.changed_by else ""),
                    *[(_version_label(key), text(value)) for key, value in version.data.items()],
                ],
            )
            for version in versions
        ],
    )
    follow_ups = FollowUp.objects.filter(conversation__in=conversations).select_related(
        "assigned_to", "conversation"
    )
    return [
        contact,
        Section(
            key="conversations",
            title=_("Conversations"),
            records=[_conversation_record(c) for c in conversations],
        ),
        history,
        Section(
            key="follow_ups",
            title=_("Follow-ups"),
            records=[
                Record(
                    heading=follow_up.description[:80],
                    rows=[
                        (_("What"), follow_up.description),
                        (_("Due"), text(follow_up.due_on)),
                        (_("Status"), follow_up.get_status_display()),
                        (
                            _("Assigned to"),
                            follow_up.assigned_to.full_name if follow_up.assigned_to else "",
                        ),
                        (_("Done"), text(follow_up.done_at)),
                        (
                            _("From the conversation on"),
                            text(follow_up.conversation.happened_at),
                        ),
                    ],
                )
                for follow_up in follow_ups
            ],
        ),
        Section(
            key="equality_monitoring",
            title=_("Equality monitoring answers"),
            note=_(
                "Equality monitoring answers are stored with no link to any resident or "
                "conversation (only the host, the programme year, the area and the month), so they "
                "cannot be found for one person, and are not personal data once given. They are "
                "only ever shown counted together, with counts under 5 shown as fewer than 5."
            ),
        ),
    ]


def _anonymised_version_data(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(data)
    for key in VERSION_PERSONAL_KEYS:
        if key in cleaned:
            cleaned[key] = None if key in ("lon", "lat") else ""
    if "location_consent" in cleaned:
        cleaned["location_consent"] = False
    return cleaned


def erase(resident: Resident, *, dry_run: bool) -> list[Change]:
    values = personal_values(resident)
    conversations = Conversation.objects.filter(resident=resident)
    with_content = conversations.filter(
        Q(shared_with__isnull=False)
        | ~Q(postcode="")
        | ~Q(street="")
        | Q(lon__isnull=False)
        | Q(lat__isnull=False)
        | Q(location_consent=True)
        | Q(*[~Q(**{name: ""}) for name in ANSWER_FIELDS], _connector=Q.OR)
    ).distinct()
    version_updates = [
        (version.pk, _anonymised_version_data(version.data))
        for version in ConversationVersion.objects.filter(conversation__in=conversations)
        if version.reason or _anonymised_version_data(version.data) != version.data
    ]
    follow_ups = FollowUp.objects.filter(conversation__in=conversations).exclude(
        description=REMOVED
    )
    has_details = any(getattr(resident, name) for name in CONTACT_FIELDS) or resident.lsoa_id
    other_conversations = mentioning(
        Conversation.objects.filter(host_id=resident.host_id).exclude(resident=resident),
        ANSWER_FIELDS,
        values,
    )
    other_versions = mentioning(
        ConversationVersion.objects.filter(conversation__host_id=resident.host_id).exclude(
            conversation__in=conversations
        ),
        ["data", "reason"],
        values,
    )
    other_follow_ups = mentioning(
        FollowUp.objects.filter(conversation__host_id=resident.host_id).exclude(
            conversation__in=conversations
        ),
        ["description"],
        values,
    )
    batches = mentioning(
        ImportBatch.objects.filter(host_id=resident.host_id), ["preview", "errors"], values
    )
    changes = [
        Change(
            "listening.Resident",
            "anonymise",
            1 if has_details else 0,
            _(
                "Name, e-mail, phone, address, postcode and area removed. The empty record stays "
                "so that their conversations still count once."
            ),
        ),
        Change(
            "listening.Conversation",
            "anonymise",
            with_content.count(),
            _(
                "What they said, who else to talk to and the exact place removed; the date, the "
                "area (LSOA), the organiser, the themes and the ladder step stay, without them."
            ),
        ),
        Change(
            "listening.ConversationVersion",
            "anonymise",
            len(version_updates),
            _("The same removed from every earlier version and the reasons given for changes."),
        ),
        Change(
            "listening.FollowUp",
            "anonymise",
            follow_ups.count(),
            _("What the follow-up said removed; its dates and status stay."),
        ),
        Change(
            "listening.Conversation",
            "anonymise",
            other_conversations.count(),
            _(
                "Their name, e-mail or phone removed where other residents' conversations mention it."
            ),
        ),
        Change(
            "listening.ConversationVersion",
            "anonymise",
            other_versions.count(),
            _("The same in those conversations' earlier versions."),
        ),
        Change(
            "listening.FollowUp",
            "anonymise",
            other_follow_ups.count(),
            _("Their name, e-mail or phone removed where other follow-ups mention it."),
        ),
        Change(
            "listening.ImportBatch",
            "anonymise",
            batches.count(),
            _("Their details removed from the row previews kept with imported spreadsheets."),
        ),
    ]
    if dry_run:
        return changes

    Resident.objects.filter(pk=resident.pk).update(
        **{name: "" for name in CONTACT_FIELDS},
        name_key="",
        postcode_key="",
        email_key="",
        phone_key="",
        lsoa=None,
        contact_removed_at=resident.contact_removed_at or timezone.now(),
    )
    content_pks = list(with_content.values_list("pk", flat=True))
    for pk, data in version_updates:
        ConversationVersion.objects.filter(pk=pk).update(data=data, reason="")
    Conversation.shared_with.through.objects.filter(conversation__in=conversations).delete()
    Conversation.objects.filter(pk__in=content_pks).update(
        **{name: "" for name in ANSWER_FIELDS},
        postcode="",
        street="",
        lon=None,
        lat=None,
        location_consent=False,
        updated_at=timezone.now(),
    )
    follow_ups.update(description=REMOVED, updated_at=timezone.now())
    for conversation in list(other_conversations):
        Conversation.objects.filter(pk=conversation.pk).update(
            **{name: scrub(getattr(conversation, name), values) for name in ANSWER_FIELDS}
        )
    for version in list(other_versions):
        ConversationVersion.objects.filter(pk=version.pk).update(
            data=scrub(version.data, values), reason=scrub(version.reason, values)
        )
    for follow_up in list(other_follow_ups):
        FollowUp.objects.filter(pk=follow_up.pk).update(
            description=scrub(follow_up.description, values)
        )
    for batch in list(batches):
        ImportBatch.objects.filter(pk=batch.pk).update(
            preview=scrub(batch.preview, values), errors=scrub(batch.errors, values)
        )
    return changes
