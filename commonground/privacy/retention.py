"""How long each kind of record is kept, and the job that keeps to it.

The schedule is a table in code, not rows in the database, so that the record of processing, the
privacy notice, the officers' pages and the job itself all read the same words and the same periods
and cannot drift apart. A council may change a period (never the reason) with the setting
``COMMONGROUND_RETENTION_MONTHS``, e.g. ``{"audit_events": 96}``.

Each rule finds what has passed its limit with one query, so a dry run can say how many records and
the oldest date without changing anything, and applying a rule a second time finds nothing left to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import DateTimeField, Exists, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from commonground.core.audit import audit_record
from commonground.core.models import AuditEvent
from commonground.listening.models import (
    ANSWER_FIELDS,
    Conversation,
    ConversationVersion,
    EqualityMonitoring,
    FollowUp,
    ImportBatch,
    Resident,
)

from .models import Consent

SETTING_NAME = "COMMONGROUND_RETENTION_MONTHS"

# The reason stored on the version that anonymisation writes; its presence marks the work as done.
NOTES_ANONYMISED_REASON = "Notes anonymised under the retention schedule."
CONTACT_FIELDS: tuple[str, ...] = ("full_name", "email", "phone", "address", "postcode")
FREE_TEXT_FIELDS: tuple[str, ...] = tuple(name for name in ANSWER_FIELDS if name != "talk_to")
EXACT_PLACE_VALUES: dict[str, Any] = {
    "postcode": "",
    "street": "",
    "lon": None,
    "lat": None,
    "location_consent": False,
}
BATCH_SIZE = 500


@dataclass(frozen=True)
class RetentionRule:
    """One line of the retention schedule: what is kept, for how long after what, and why."""

    key: str
    record_type: str | Promise
    starts_from: str | Promise
    default_months: int
    action: str | Promise
    reason: str | Promise
    plain_english: str | Promise
    find: Callable[[datetime], QuerySet[Any]] = field(repr=False)
    oldest: Callable[[QuerySet[Any]], datetime | None] = field(repr=False)
    apply: Callable[[QuerySet[Any], datetime], int] = field(repr=False)

    @property
    def months(self) -> int:
        overrides = getattr(settings, SETTING_NAME, {}) or {}
        value = overrides.get(self.key, self.default_months)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ImproperlyConfigured(
                f"{SETTING_NAME}[{self.key!r}] must be a whole number of months, at least 1."
            )
        return value

    @property
    def period(self) -> str:
        return period_label(self.months)

    @property
    def why(self) -> str:
        """The reason, with the period in force written into it."""
        return _with_period(self.reason, self.period)

    @property
    def notice(self) -> str:
        """The sentence residents read in the privacy notice, with the period in force."""
        return _with_period(self.plain_english, self.period)

    def cutoff(self, now: datetime) -> datetime:
        return months_before(now, self.months)


def _with_period(text: str | Promise, period: str) -> str:
    value = str(text)
    return value % {"period": period} if "%(period)s" in value else value


def period_label(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    return ngettext("%(count)d month", "%(count)d months", months) % {"count": months}


def months_before(moment: datetime, months: int) -> datetime:
    """The same time of day ``months`` calendar months earlier (the 31st becomes the month's end)."""
    total = moment.year * 12 + (moment.month - 1) - months
    year, month_index = divmod(total, 12)
    month = month_index + 1
    days_in_month = [31, 29 if _is_leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return moment.replace(year=year, month=month, day=min(moment.day, days_in_month[month - 1]))


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


# --- contact details -----------------------------------------------------------------------------


def _last_contact(resident_ref: OuterRef) -> Any:
    """The latest of: a conversation with them, a consent they gave, an invitation, or being added."""
    conversations = (
        Conversation.objects.filter(resident_id=resident_ref)
        .values("resident_id")
        .annotate(latest=Max("happened_at"))
        .values("latest")
    )
    consents = (
        Consent.objects.filter(resident_id=resident_ref)
        .values("resident_id")
        .annotate(latest=Max("given_at"))
        .values("latest")
    )
    moments: list[Any] = [
        Coalesce(Subquery(conversations, output_field=DateTimeField()), "created_at"),
        Coalesce(Subquery(consents, output_field=DateTimeField()), "created_at"),
    ]
    invitation_model = _invitation_model()
    if invitation_model is not None:
        invitations = (
            invitation_model.objects.filter(resident_id=resident_ref)
            .values("resident_id")
            .annotate(latest=Max("created_at"))
            .values("latest")
        )
        moments.append(Coalesce(Subquery(invitations, output_field=DateTimeField()), "created_at"))
    return Greatest("created_at", *moments, output_field=DateTimeField())


def _invitation_model() -> Any:
    from django.apps import apps

    if not apps.is_installed("commonground.insight"):
        return None
    return apps.get_model("insight", "Invitation")


def _residents_with_old_contact_details(now: datetime) -> QuerySet[Resident]:
    holds_details = Q()
    for name in CONTACT_FIELDS:
        holds_details |= ~Q(**{name: ""})
    return (
        Resident.objects.filter(holds_details, merged_into__isnull=True)
        .annotate(last_contact=_last_contact(OuterRef("pk")))
        .filter(last_contact__lt=RULES_BY_KEY["contact_details"].cutoff(now))
    )


def _oldest_last_contact(queryset: QuerySet[Resident]) -> datetime | None:
    return queryset.aggregate(oldest=Min("last_contact"))["oldest"]


def _remove_contact_details(queryset: QuerySet[Resident], now: datetime) -> int:
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        Resident.objects.filter(pk__in=chunk).update(
            **dict.fromkeys(CONTACT_FIELDS, ""),
            name_key="",
            postcode_key="",
            email_key="",
            phone_key="",
            contact_removed_at=now,
            updated_at=now,
        )
        FollowUp.objects.filter(
            conversation__resident_id__in=chunk, status=FollowUp.Status.OPEN
        ).update(status=FollowUp.Status.CANCELLED, done_at=now, updated_at=now)
    return len(ids)


# --- free-text notes -----------------------------------------------------------------------------


def _conversations_with_old_notes(now: datetime) -> QuerySet[Conversation]:
    done = ConversationVersion.objects.filter(
        conversation_id=OuterRef("pk"), reason=NOTES_ANONYMISED_REASON
    )
    return Conversation.objects.filter(
        happened_at__lt=RULES_BY_KEY["conversation_notes"].cutoff(now)
    ).filter(~Exists(done))


def _oldest_happened_at(queryset: QuerySet[Conversation]) -> datetime | None:
    return queryset.aggregate(oldest=Min("happened_at"))["oldest"]


def anonymised_answers(values: dict[str, Any]) -> dict[str, Any]:
    """What the notes become: personal details replaced by placeholders, other people's names gone."""
    from commonground.insight.redact import redact

    result = {name: redact(values.get(name) or "") for name in FREE_TEXT_FIELDS}
    result["talk_to"] = ""
    return result


def _anonymise_notes(queryset: QuerySet[Conversation], now: datetime) -> int:
    """Rewrite the notes and every earlier version of them, then record the result as a version.

    Earlier versions are rewritten too, or the history would still hold what the schedule removes.
    """
    from commonground.listening.services import conversations_changed, snapshot

    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        conversations = Conversation.objects.filter(pk__in=chunk).select_related(
            "organiser", "lsoa", "ward", "neighbourhood", "authority", "resident"
        )
        for conversation in conversations.prefetch_related("shared_with"):
            for name, value in {
                **anonymised_answers(conversation.answers()),
                **EXACT_PLACE_VALUES,
            }.items():
                setattr(conversation, name, value)
            conversation.version += 1
            conversation.save(
                update_fields=[*ANSWER_FIELDS, *EXACT_PLACE_VALUES, "version", "updated_at"]
            )
            for version in ConversationVersion.objects.filter(conversation=conversation):
                data = {**version.data, **anonymised_answers(version.data)}
                data.update({k: v for k, v in EXACT_PLACE_VALUES.items() if k in data})
                ConversationVersion.objects.filter(pk=version.pk).update(data=data)
            ConversationVersion.objects.create(
                conversation=conversation,
                number=conversation.version,
                data=snapshot(conversation),
                reason=NOTES_ANONYMISED_REASON,
                recorded_at=now,
            )
        conversations_changed(chunk)
    return len(ids)


# --- audit, imports, equality ----------------------------------------------------------------------


def _old_audit_events(now: datetime) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(at__lt=RULES_BY_KEY["audit_events"].cutoff(now))


def _oldest_audit_event(queryset: QuerySet[AuditEvent]) -> datetime | None:
    return queryset.aggregate(oldest=Min("at"))["oldest"]


def _delete(queryset: QuerySet[Any], now: datetime) -> int:
    count = queryset.count()
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        queryset.model.objects.filter(pk__in=ids[start : start + BATCH_SIZE]).delete()
    return count


def _old_import_files(now: datetime) -> QuerySet[ImportBatch]:
    holds_rows = ~Q(file="") | ~Q(preview=[]) | ~Q(errors=[])
    return ImportBatch.objects.filter(
        holds_rows, created_at__lt=RULES_BY_KEY["import_files"].cutoff(now)
    ).exclude(status=ImportBatch.Status.IMPORTING)


def _oldest_created(queryset: QuerySet[Any]) -> datetime | None:
    return queryset.aggregate(oldest=Min("created_at"))["oldest"]


def _clear_import_files(queryset: QuerySet[ImportBatch], now: datetime) -> int:
    """Delete the uploaded spreadsheet and the rows copied from it; the counts and outcome stay."""
    batches = list(queryset)
    for batch in batches:
        if batch.file:
            transaction.on_commit(_file_remover(batch.file.storage, batch.file.name))
        ImportBatch.objects.filter(pk=batch.pk).update(
            file="", preview=[], errors=[], updated_at=now
        )
    return len(batches)


def _file_remover(storage: Any, name: str) -> Callable[[], None]:
    """Delete the file once the rows no longer point at it, so a rollback never loses a file."""

    def remove() -> None:
        if storage.exists(name):
            storage.delete(name)

    return remove


def _old_equality_answers(now: datetime) -> QuerySet[EqualityMonitoring]:
    """Only the month is kept, so a month goes whole once all of it is past the limit."""
    cutoff = RULES_BY_KEY["equality_answers"].cutoff(now)
    return EqualityMonitoring.objects.filter(month__lt=cutoff.date().replace(day=1))


def _oldest_month(queryset: QuerySet[EqualityMonitoring]) -> datetime | None:
    oldest = queryset.aggregate(oldest=Min("month"))["oldest"]
    if oldest is None:
        return None
    return datetime(oldest.year, oldest.month, oldest.day, tzinfo=timezone.get_current_timezone())


RULES: tuple[RetentionRule, ...] = (
    RetentionRule(
        key="contact_details",
        record_type=_("Residents' names and contact details"),
        starts_from=_("after the last contact with the resident"),
        default_months=24,
        action=_(
            "Name, e-mail, phone, address and postcode removed; open follow-ups cancelled. The "
            "resident's record stays, empty, so their conversations still count once."
        ),
        reason=_(
            "Contact details are kept so the host can get back in touch. %(period)s without any "
            "contact (a conversation, a consent or an invitation) means the purpose has lapsed."
        ),
        plain_english=_(
            "Your name and contact details are deleted %(period)s after we were last in touch with "
            "you, or straight away if you withdraw your consent."
        ),
        find=_residents_with_old_contact_details,
        oldest=_oldest_last_contact,
        apply=_remove_contact_details,
    ),
    RetentionRule(
        key="conversation_notes",
        record_type=_("What residents said (free-text notes) and exact places"),
        starts_from=_("after the conversation"),
        default_months=36,
        action=_(
            "Names, phone numbers, e-mail addresses, addresses and postcodes in the notes replaced "
            'by placeholders such as [name]; "who else to talk to" and the exact place removed; '
            "every earlier version rewritten the same way. Themes, area and counts stay."
        ),
        reason=_(
            "Notes are needed in full while organisers act on them. After %(period)s only the "
            "themes and areas are used, for evidence and impact reports, and those need no one's "
            "personal details."
        ),
        plain_english=_(
            "What you told us is kept as you said it for %(period)s. After that, any names, contact "
            "details or exact "
            "places in it are removed; what remains is only used to count themes by area."
        ),
        find=_conversations_with_old_notes,
        oldest=_oldest_happened_at,
        apply=_anonymise_notes,
    ),
    RetentionRule(
        key="import_files",
        record_type=_("Uploaded listening spreadsheets"),
        starts_from=_("after upload"),
        default_months=3,
        action=_(
            "The uploaded file and the rows copied from it for checking are deleted; what was "
            "imported, and the counts, stay."
        ),
        reason=_(
            "A spreadsheet is a second copy of what was imported. %(period)s leaves time to "
            "check an import and correct it; after that the copy is only a risk."
        ),
        plain_english=_(
            "If your answers were typed in from a paper sheet, the uploaded spreadsheet is deleted "
            "after %(period)s."
        ),
        find=_old_import_files,
        oldest=_oldest_created,
        apply=_clear_import_files,
    ),
    RetentionRule(
        key="equality_answers",
        record_type=_("Equality monitoring answers"),
        starts_from=_("after the month they were given"),
        default_months=36,
        action=_("Deleted. Published reports keep the figures they showed."),
        reason=_(
            "Answers are kept apart from names and used only for yearly equality reach figures; "
            "%(period)s covers the current report and the years it is compared with."
        ),
        plain_english=_(
            "Equality monitoring answers, if you chose to give them, are never linked to your name "
            "and are deleted after %(period)s."
        ),
        find=_old_equality_answers,
        oldest=_oldest_month,
        apply=_delete,
    ),
    RetentionRule(
        key="audit_events",
        record_type=_("Audit trail (who did what, and who saw residents' details)"),
        starts_from=_("after the event"),
        default_months=72,
        action=_("Deleted."),
        reason=_(
            "The audit trail shows who saw or changed residents' information, for complaints, "
            "subject access requests and audits. Six years (the default) matches the time limit for "
            "most legal "
            "claims."
        ),
        plain_english=_(
            "Records of who looked at or changed your information are kept for %(period)s, so that "
            "we "
            "can answer questions and complaints about how it was used."
        ),
        find=_old_audit_events,
        oldest=_oldest_audit_event,
        apply=_delete,
    ),
)
RULES_BY_KEY: dict[str, RetentionRule] = {rule.key: rule for rule in RULES}


@dataclass(frozen=True)
class RuleOutcome:
    rule: RetentionRule
    cutoff: datetime
    count: int
    oldest: datetime | None
    applied: bool


def rules_named(keys: Iterable[str] | None) -> list[RetentionRule]:
    if not keys:
        return list(RULES)
    unknown = sorted(set(keys) - set(RULES_BY_KEY))
    if unknown:
        raise KeyError(", ".join(unknown))
    return [rule for rule in RULES if rule.key in set(keys)]


def retention_preview(
    *, now: datetime | None = None, keys: Iterable[str] | None = None
) -> list[RuleOutcome]:
    """What each rule would change now: how many records and the oldest date. Changes nothing."""
    moment = now or timezone.now()
    outcomes = []
    for rule in rules_named(keys):
        found = rule.find(moment)
        count = found.count()
        outcomes.append(
            RuleOutcome(
                rule=rule,
                cutoff=rule.cutoff(moment),
                count=count,
                oldest=rule.oldest(found) if count else None,
                applied=False,
            )
        )
    return outcomes


def retention_apply(
    *, actor: Any = None, now: datetime | None = None, keys: Iterable[str] | None = None
) -> list[RuleOutcome]:
    """Apply each rule in its own transaction, with an audit event saying what it did.

    One transaction per rule: a failure leaves that rule's records as they were and the rules already
    applied stay applied, so the next run picks up where this one stopped.
    """
    moment = now or timezone.now()
    outcomes = []
    for rule in rules_named(keys):
        with transaction.atomic():
            found = rule.find(moment)
            oldest = rule.oldest(found)
            count = rule.apply(found, moment)
            audit_record(
                actor=actor,
                action="retention.apply",
                object_type="privacy.retentionrule",
                object_id=rule.key,
                object_repr=str(rule.record_type),
                changes={
                    "rule": rule.key,
                    "months": rule.months,
                    "cutoff": rule.cutoff(moment).isoformat(),
                    "records": count,
                    "oldest": oldest.isoformat() if oldest else None,
                },
            )
        outcomes.append(
            RuleOutcome(
                rule=rule, cutoff=rule.cutoff(moment), count=count, oldest=oldest, applied=True
            )
        )
    return outcomes
