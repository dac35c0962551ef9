"""Every write to listening records. Each is atomic, validated and audited.

Conversations arrive from the capture form, the offline queue, the API and spreadsheet imports; all of
them go through :func:`conversation_record`, so the rules about places, consent, special category
information and counting are applied once, the same way, whatever the route.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.core.audit import audit_record
from commonground.places.models import Lsoa
from commonground.privacy.models import Consent
from commonground.programme.models import Organisation, Organiser

from . import special_category, wording
from .counting import refresh_counting
from .geography import NOWHERE, PlaceNotFound, ResolvedPlace, normalise_postcode, resolve_place
from .models import (
    ANSWER_FIELDS,
    CanvassAssignment,
    ConsentTier,
    Conversation,
    ConversationVersion,
    DoorKnock,
    EqualityMonitoring,
    FollowUp,
    Ladder,
    Mode,
    Resident,
    Source,
    Street,
    programme_year_of,
)

# A phone's clock may run a little fast; anything further ahead than this is a mistake.
CLOCK_TOLERANCE = timedelta(minutes=10)


@dataclass
class ResidentDetails:
    full_name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""

    def is_empty(self) -> bool:
        return not any(
            value.strip()
            for value in (self.full_name, self.email, self.phone, self.address, self.postcode)
        )


@dataclass
class FollowUpDetails:
    description: str
    due_on: date | None = None


@dataclass
class EqualityAnswers:
    age_band: str = ""
    ethnic_group: str = ""
    disability: str = ""
    sex: str = ""
    carer: str = ""

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in EqualityMonitoring.QUESTIONS)


@dataclass
class ConversationInput:
    """Everything an organiser can say about one conversation, however it reaches us."""

    organiser: Organiser
    happened_at: datetime
    mode: str = Mode.DOORSTEP
    postcode: str = ""
    street: str = ""
    lon: float | None = None
    lat: float | None = None
    keep_exact_location: bool = False
    loves: str = ""
    concerns: str = ""
    ideas: str = ""
    would_do: str = ""
    talk_to: str = ""
    ladder: str = Ladder.LISTENED
    consent_tier: str = ConsentTier.ANONYMOUS
    contact_consent_given: bool = False
    special_category_flagged: bool = False
    special_category_consent: bool = False
    resident: Resident | None = None
    new_resident: ResidentDetails | None = None
    shared_with: list[Organisation] = field(default_factory=list)
    consent_method: str = Consent.Method.IN_PERSON
    consent_wording: str = ""
    follow_ups: list[FollowUpDetails] = field(default_factory=list)
    equality: EqualityAnswers | None = None
    client_id: uuid.UUID | None = None


@dataclass
class RecordOutcome:
    conversation: Conversation
    created: bool
    notices: list[str] = field(default_factory=list)
    possible_duplicates: list[Resident] = field(default_factory=list)


# --- helpers -------------------------------------------------------------------------------------


def _normalise_name(name: str) -> str:
    return " ".join(name.lower().replace(".", " ").split())


def _normalise_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("44") and len(digits) > 10:
        digits = "0" + digits[2:]
    return digits


def resident_keys(details: ResidentDetails) -> dict[str, str]:
    postcode = normalise_postcode(details.postcode) or ""
    return {
        "name_key": _normalise_name(details.full_name),
        "postcode_key": postcode.replace(" ", ""),
        "email_key": details.email.strip().lower(),
        "phone_key": _normalise_phone(details.phone),
    }


def _check_something_said(data: ConversationInput) -> None:
    if not any(getattr(data, name).strip() for name in ANSWER_FIELDS):
        raise ValidationError(
            {"concerns": _("Write down what concerns them or what they love about the area.")}
        )


def _check_happened_at(happened_at: datetime) -> None:
    if timezone.is_naive(happened_at):
        raise ValidationError({"happened_at": _("Give the time with its time zone.")})
    if happened_at > timezone.now() + CLOCK_TOLERANCE:
        raise ValidationError({"happened_at": _("The date and time cannot be in the future.")})


def _place_for(data: ConversationInput, *, accept_unresolved: bool) -> tuple[ResolvedPlace, bool]:
    """The resolved place, and whether it could not be resolved and must be reviewed later."""
    preferred = list(data.organiser.neighbourhoods.values_list("pk", flat=True))
    try:
        return (
            resolve_place(
                postcode=data.postcode,
                street=data.street,
                lon=data.lon,
                lat=data.lat,
                preferred_neighbourhoods=preferred,
            ),
            False,
        )
    except PlaceNotFound as problem:
        if not accept_unresolved:
            field_name = {"point": "lon"}.get(problem.field, problem.field)
            raise ValidationError({field_name: str(problem)}) from problem
        return NOWHERE, True


def _place_fields(
    place: ResolvedPlace, *, keep_exact: bool, needs_review: bool, typed_postcode: str
) -> dict[str, Any]:
    """What is stored about the place: the areas always, the exact place only with consent."""
    exact = keep_exact and not needs_review
    return {
        "lsoa": place.lsoa,
        "ward": place.ward,
        "neighbourhood": place.neighbourhood,
        "authority": place.authority,
        "place_precision": place.precision,
        "place_needs_review": needs_review,
        "location_consent": keep_exact,
        # An unresolved postcode is kept only until the organiser corrects it: it is the one clue.
        "postcode": place.postcode
        if exact
        else (typed_postcode.strip()[:8] if needs_review else ""),
        "street": place.street if exact else "",
        "lon": place.lon if exact else None,
        "lat": place.lat if exact else None,
    }


def snapshot(conversation: Conversation) -> dict[str, Any]:
    """The correctable state of a conversation, with places and people by their public codes."""
    return {
        "happened_at": conversation.happened_at.astimezone(UTC).isoformat(),
        "mode": conversation.mode,
        "organiser": str(conversation.organiser.public_id),
        "lsoa": conversation.lsoa.code if conversation.lsoa_id else None,
        "ward": conversation.ward.code if conversation.ward_id else None,
        "neighbourhood": conversation.neighbourhood.slug if conversation.neighbourhood_id else None,
        "authority": conversation.authority.code if conversation.authority_id else None,
        "place_precision": conversation.place_precision,
        "place_needs_review": conversation.place_needs_review,
        "location_consent": conversation.location_consent,
        "postcode": conversation.postcode,
        "street": conversation.street,
        "lon": conversation.lon,
        "lat": conversation.lat,
        **{name: getattr(conversation, name) for name in ANSWER_FIELDS},
        "ladder": conversation.ladder,
        "consent_tier": conversation.consent_tier,
        "shared_with": sorted(o.slug for o in conversation.shared_with.all())
        if conversation.pk
        else [],
        "resident": str(conversation.resident.public_id) if conversation.resident_id else None,
        "name_withheld": conversation.name_withheld,
        "special_category": conversation.special_category,
        "special_category_flagged": conversation.special_category_flagged,
        "special_category_detected": list(conversation.special_category_detected),
        "special_category_consent": conversation.special_category_consent,
    }


def find_resident_match(host: Organisation, details: ResidentDetails) -> Resident | None:
    """An existing resident of this host with the same e-mail or phone: certainly the same person."""
    keys = resident_keys(details)
    conditions = Q()
    if keys["email_key"]:
        conditions |= Q(email_key=keys["email_key"])
    if keys["phone_key"] and len(keys["phone_key"]) >= 10:
        conditions |= Q(phone_key=keys["phone_key"])
    if not conditions:
        return None
    return (
        Resident.objects.filter(conditions, host=host, merged_into__isnull=True)
        .order_by("created_at")
        .first()
    )


def possible_duplicates(resident: Resident) -> list[Resident]:
    """Other residents of the same host with the same name and postcode, e-mail or phone."""
    conditions = Q()
    if resident.email_key:
        conditions |= Q(email_key=resident.email_key)
    if resident.phone_key and len(resident.phone_key) >= 10:
        conditions |= Q(phone_key=resident.phone_key)
    if resident.name_key and resident.postcode_key:
        conditions |= Q(name_key=resident.name_key, postcode_key=resident.postcode_key)
    if not conditions:
        return []
    return list(
        Resident.objects.filter(conditions, host_id=resident.host_id, merged_into__isnull=True)
        .exclude(pk=resident.pk)
        .order_by("created_at")
    )


def _new_resident(
    *, actor: Any, host: Organisation, details: ResidentDetails, lsoa: Lsoa | None
) -> Resident:
    postcode = normalise_postcode(details.postcode) or details.postcode.strip().upper()
    resident = Resident(
        host=host,
        full_name=details.full_name.strip(),
        email=details.email.strip(),
        phone=details.phone.strip(),
        address=details.address.strip(),
        postcode=postcode[:8],
        lsoa=lsoa,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **resident_keys(details),
    )
    resident.full_clean()
    resident.save()
    return resident


@dataclass
class _Person:
    tier: str
    resident: Resident | None
    name_withheld: bool
    created_resident: bool
    notices: list[str]


def _person_for(
    data: ConversationInput,
    *,
    actor: Any,
    special: bool,
    lsoa: Lsoa | None,
    current: Resident | None = None,
) -> _Person:
    host = data.organiser.host
    details = data.new_resident or ResidentDetails()
    if data.consent_tier == ConsentTier.ANONYMOUS:
        if not details.is_empty() or data.resident is not None:
            raise ValidationError(
                {
                    "consent_tier": _(
                        "Missing consent for contact details: choose a consent option the resident "
                        "agreed to, or leave their details out."
                    )
                }
            )
        return _Person(ConsentTier.ANONYMOUS, None, False, False, [])
    if data.consent_tier not in ConsentTier.values:
        raise ValidationError({"consent_tier": _("Choose a consent option.")})
    resident = data.resident or current
    if resident is None and details.is_empty():
        raise ValidationError(
            {"full_name": _("Enter the resident's name or contact details, or choose anonymous.")}
        )
    if (resident is None or not details.is_empty()) and not data.contact_consent_given:
        raise ValidationError(
            {
                "contact_consent_given": _(
                    "Missing consent for contact details: confirm the resident agreed to the wording "
                    "shown, or choose anonymous."
                )
            }
        )
    if data.consent_tier == ConsentTier.SHAREABLE and not data.shared_with:
        raise ValidationError(
            {"shared_with": _("Name the partners the resident agreed their details may go to.")}
        )
    if special and not data.special_category_consent:
        return _Person(
            ConsentTier.ANONYMOUS,
            None,
            True,
            False,
            [
                _(
                    "The notes include health, beliefs or similar and the resident did not give "
                    "explicit consent, so their name and contact details were not kept."
                )
            ],
        )
    notices: list[str] = []
    created = False
    if resident is not None:
        if resident.merged_into_id is not None:
            resident = resident.merged_into
        if resident.host_id != host.pk:
            raise ValidationError({"resident": _("That resident is held by another organisation.")})
    else:
        resident = find_resident_match(host, details)
        if resident is not None:
            notices.append(
                _("Matched an existing resident with the same e-mail address or phone number.")
            )
        else:
            resident = _new_resident(actor=actor, host=host, details=details, lsoa=lsoa)
            created = True
    return _Person(data.consent_tier, resident, False, created, notices)


def _record_consent(
    *,
    actor: Any,
    data: ConversationInput,
    conversation: Conversation,
    resident: Resident,
) -> Consent:
    host = data.organiser.host
    partners = list(data.shared_with) if data.consent_tier == ConsentTier.SHAREABLE else []
    text = data.consent_wording or (
        wording.shareable_wording(host.name, [p.name for p in partners])
        if partners
        else wording.identified_wording(host.name)
    )
    if data.special_category_consent:
        text = f"{text}\n\n{wording.special_category_wording()}"
    consent = Consent(
        resident=resident,
        host=host,
        purpose=Consent.Purpose.REFERRAL if partners else Consent.Purpose.FOLLOW_UP,
        wording=text,
        wording_version=wording.WORDING_VERSION,
        explicit_special_category=data.special_category_consent,
        method=data.consent_method,
        given_at=min(conversation.happened_at, timezone.now()),
        taken_by=actor if getattr(actor, "is_authenticated", False) else None,
        taken_by_name=data.organiser.full_name,
        how_to_withdraw=wording.how_to_withdraw(host.name),
        conversation=conversation,
    )
    consent.full_clean()
    consent.save()
    if partners:
        consent.partners.set(partners)
    return consent


def _validate_shared_with(data: ConversationInput) -> None:
    if data.consent_tier != ConsentTier.SHAREABLE:
        return
    allowed = data.organiser.programme.organisation_ids()
    outside = [o.name for o in data.shared_with if o.pk not in allowed]
    if outside:
        raise ValidationError(
            {
                "shared_with": _("%(names)s is not part of this programme.")
                % {"names": ", ".join(outside)}
            }
        )


def _equality_record(
    *, conversation: Conversation, answers: EqualityAnswers | None
) -> EqualityMonitoring | None:
    if answers is None or answers.is_empty():
        return None
    local_day = timezone.localtime(conversation.happened_at).date()
    record = EqualityMonitoring(
        host_id=conversation.host_id,
        programme_id=conversation.programme_id,
        programme_year=conversation.programme_year,
        month=local_day.replace(day=1),
        lsoa_id=conversation.lsoa_id,
        **{name: getattr(answers, name) for name in EqualityMonitoring.QUESTIONS},
    )
    record.full_clean()
    record.save()
    return record


def conversations_changed(conversation_ids: Iterable[int]) -> None:
    """Tell theme tagging that these conversations are new or say something new.

    ``insight`` tags what residents said; it asks to hear of every record and correction, once the
    transaction that made it has committed. Listening works the same without it.
    """
    from django.apps import apps

    if not apps.is_installed("commonground.insight"):
        return
    from commonground.insight.services import tag_after_commit

    ids = list(conversation_ids)
    for start in range(0, len(ids), 5000):
        tag_after_commit(ids[start : start + 5000])


# --- conversations -------------------------------------------------------------------------------


def conversation_record(
    *,
    actor: Any,
    data: ConversationInput,
    source: str = Source.FORM,
    accept_unresolved_place: bool = False,
) -> RecordOutcome:
    """Record a conversation once. A client id already seen returns the stored one, unchanged.

    ``accept_unresolved_place`` is for records made offline, which cannot be sent back to the doorstep:
    a place that cannot be found is kept for the organiser to correct instead of refusing the record.
    """
    client_id = data.client_id or uuid.uuid4()
    existing = Conversation.objects.filter(client_id=client_id).first()
    if existing is not None:
        return _already_recorded(existing, data)
    try:
        with transaction.atomic():
            return _record_new(
                actor=actor,
                data=data,
                client_id=client_id,
                source=source,
                accept_unresolved_place=accept_unresolved_place,
            )
    except IntegrityError:
        # Two copies of one queued record arrived at once; the other one won.
        existing = Conversation.objects.filter(client_id=client_id).first()
        if existing is None:
            raise
        return _already_recorded(existing, data)


def _already_recorded(existing: Conversation, data: ConversationInput) -> RecordOutcome:
    if existing.host_id != data.organiser.host_id:
        raise ValidationError({"client_id": _("That id belongs to another record.")})
    return RecordOutcome(existing, created=False)


def _record_new(
    *,
    actor: Any,
    data: ConversationInput,
    client_id: uuid.UUID,
    source: str,
    accept_unresolved_place: bool,
) -> RecordOutcome:
    organiser = data.organiser
    _check_something_said(data)
    _check_happened_at(data.happened_at)
    _validate_shared_with(data)
    place, needs_review = _place_for(data, accept_unresolved=accept_unresolved_place)
    found = special_category.categories_in(*(getattr(data, name) for name in ANSWER_FIELDS))
    special = data.special_category_flagged or bool(found)
    person = _person_for(data, actor=actor, special=special, lsoa=place.lsoa)
    programme = organiser.programme
    local_day = timezone.localtime(data.happened_at).date()
    conversation = Conversation(
        client_id=client_id,
        host=organiser.host,
        programme=programme,
        programme_year=programme_year_of(local_day, year_starts_month=programme.year_starts_month),
        organiser=organiser,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        source=source,
        happened_at=data.happened_at,
        mode=data.mode,
        **_place_fields(
            place,
            keep_exact=data.keep_exact_location,
            needs_review=needs_review,
            typed_postcode=data.postcode,
        ),
        **{name: getattr(data, name).strip() for name in ANSWER_FIELDS},
        ladder=data.ladder,
        consent_tier=person.tier,
        resident=person.resident,
        name_withheld=person.name_withheld,
        special_category_flagged=data.special_category_flagged,
        special_category_detected=found,
        special_category=special,
        special_category_consent=data.special_category_consent and person.resident is not None,
    )
    conversation.full_clean(exclude=["client_id"])
    conversation.save()
    if person.tier == ConsentTier.SHAREABLE:
        conversation.shared_with.set(data.shared_with)
    if person.resident is not None and (person.created_resident or data.contact_consent_given):
        _record_consent(actor=actor, data=data, conversation=conversation, resident=person.resident)
    ConversationVersion.objects.create(
        conversation=conversation,
        number=1,
        data=snapshot(conversation),
        changed_by=conversation.recorded_by,
    )
    for item in data.follow_ups:
        if item.description.strip():
            follow_up = FollowUp(
                conversation=conversation,
                description=item.description.strip(),
                due_on=item.due_on,
                assigned_to=organiser,
            )
            follow_up.full_clean()
            follow_up.save()
    _equality_record(conversation=conversation, answers=data.equality)
    if person.resident is not None:
        refresh_counting([person.resident.pk])
        conversation.refresh_from_db(fields=["counts_toward_listened"])
    notices = list(person.notices)
    if needs_review:
        notices.append(_("The place could not be found; correct it when you can."))
    duplicates = possible_duplicates(person.resident) if person.created_resident else []
    conversations_changed([conversation.pk])
    audit_record(
        actor=actor,
        action="conversation.record",
        obj=conversation,
        organisation_id=organiser.host_id,
        changes={
            "source": source,
            "organiser": str(organiser.public_id),
            "consent_tier": person.tier,
            "resident": str(person.resident.public_id) if person.resident else None,
            "resident_created": person.created_resident,
            "special_category": special,
            "name_withheld": person.name_withheld,
            "place_needs_review": needs_review,
        },
    )
    return RecordOutcome(conversation, True, notices, duplicates)


def conversation_input_from(conversation: Conversation) -> ConversationInput:
    """The input that would record this conversation as it stands, to change and correct with.

    The exact place is only there if it was kept; otherwise the caller gives the place again.
    """
    return ConversationInput(
        organiser=conversation.organiser,
        happened_at=conversation.happened_at,
        mode=conversation.mode,
        postcode=conversation.postcode,
        street=conversation.street,
        lon=conversation.lon,
        lat=conversation.lat,
        keep_exact_location=conversation.location_consent,
        **{name: getattr(conversation, name) for name in ANSWER_FIELDS},
        ladder=conversation.ladder,
        consent_tier=conversation.consent_tier,
        special_category_flagged=conversation.special_category_flagged,
        special_category_consent=conversation.special_category_consent,
        shared_with=list(conversation.shared_with.all()),
        client_id=conversation.client_id,
    )


@transaction.atomic
def conversation_correct(
    *, actor: Any, conversation: Conversation, data: ConversationInput, reason: str
) -> RecordOutcome:
    """Record a correction as a new version; earlier versions stay exactly as they were."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say what you corrected and why.")})
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("organiser", "resident", "lsoa", "ward", "neighbourhood", "authority")
        .get(pk=conversation.pk)
    )
    if data.organiser.host_id != conversation.host_id:
        raise ValidationError({"organiser": _("Choose an organiser of the same host.")})
    before = snapshot(conversation)
    old_resident_id = conversation.resident_id
    _check_something_said(data)
    _check_happened_at(data.happened_at)
    _validate_shared_with(data)
    place, needs_review = _place_for(data, accept_unresolved=False)
    found = special_category.categories_in(*(getattr(data, name) for name in ANSWER_FIELDS))
    special = data.special_category_flagged or bool(found)
    current = conversation.resident if data.consent_tier != ConsentTier.ANONYMOUS else None
    person = _person_for(data, actor=actor, special=special, lsoa=place.lsoa, current=current)
    programme = data.organiser.programme
    local_day = timezone.localtime(data.happened_at).date()
    values: dict[str, Any] = {
        "organiser": data.organiser,
        "happened_at": data.happened_at,
        "programme_year": programme_year_of(
            local_day, year_starts_month=programme.year_starts_month
        ),
        "mode": data.mode,
        **_place_fields(
            place,
            keep_exact=data.keep_exact_location,
            needs_review=needs_review,
            typed_postcode=data.postcode,
        ),
        **{name: getattr(data, name).strip() for name in ANSWER_FIELDS},
        "ladder": data.ladder,
        "consent_tier": person.tier,
        "resident": person.resident,
        "name_withheld": person.name_withheld
        or (conversation.name_withheld and not person.resident),
        "special_category_flagged": data.special_category_flagged,
        "special_category_detected": found,
        "special_category": special,
        "special_category_consent": data.special_category_consent and person.resident is not None,
    }
    for name, value in values.items():
        setattr(conversation, name, value)
    conversation.full_clean(exclude=["client_id"])
    new_shared = data.shared_with if person.tier == ConsentTier.SHAREABLE else []
    after = {**snapshot(conversation), "shared_with": sorted(o.slug for o in new_shared)}
    changed = sorted(key for key in after if after[key] != before.get(key))
    if not changed:
        raise ValidationError(_("Nothing was changed, so no new version was made."))
    conversation.version += 1
    if person.resident is None:
        conversation.counts_toward_listened = True
    conversation.save()
    conversation.shared_with.set(new_shared)
    if person.resident is not None and (
        person.created_resident
        or (
            data.contact_consent_given
            and data.new_resident is not None
            and not data.new_resident.is_empty()
        )
    ):
        _record_consent(actor=actor, data=data, conversation=conversation, resident=person.resident)
    ConversationVersion.objects.create(
        conversation=conversation,
        number=conversation.version,
        data=after,
        reason=reason.strip(),
        changed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    refresh_counting([old_resident_id, conversation.resident_id])
    conversation.refresh_from_db(fields=["counts_toward_listened"])
    if any(before.get(name) != after.get(name) for name in ANSWER_FIELDS):
        conversations_changed([conversation.pk])
    audit_record(
        actor=actor,
        action="conversation.correct",
        obj=conversation,
        organisation_id=conversation.host_id,
        changes={"version": conversation.version, "fields": changed},
    )
    return RecordOutcome(conversation, True, list(person.notices))


# --- follow-ups ----------------------------------------------------------------------------------


@transaction.atomic
def follow_up_add(
    *, actor: Any, conversation: Conversation, description: str, due_on: date | None = None
) -> FollowUp:
    if (
        conversation.resident_id is not None
        and not conversation.resident.consents.filter(withdrawn_at__isnull=True).exists()
    ):
        raise ValidationError(
            _(
                "The resident has no consent in force, so they cannot be followed up. Record a "
                "fresh consent with them first."
            )
        )
    follow_up = FollowUp(
        conversation=conversation,
        description=description.strip(),
        due_on=due_on,
        assigned_to=conversation.organiser,
    )
    follow_up.full_clean()
    follow_up.save()
    audit_record(
        actor=actor, action="follow_up.add", obj=follow_up, organisation_id=conversation.host_id
    )
    return follow_up


@transaction.atomic
def follow_up_complete(*, actor: Any, follow_up: FollowUp, cancelled: bool = False) -> FollowUp:
    if follow_up.status != FollowUp.Status.OPEN:
        raise ValidationError(_("This follow-up is already closed."))
    follow_up.status = FollowUp.Status.CANCELLED if cancelled else FollowUp.Status.DONE
    follow_up.done_at = timezone.now()
    follow_up.done_by = actor
    follow_up.full_clean()
    follow_up.save()
    audit_record(
        actor=actor,
        action="follow_up.close",
        obj=follow_up,
        organisation_id=follow_up.conversation.host_id,
        changes={"status": follow_up.status},
    )
    return follow_up


# --- residents -----------------------------------------------------------------------------------


@transaction.atomic
def resident_update(*, actor: Any, resident: Resident, details: ResidentDetails) -> Resident:
    if resident.is_merged:
        raise ValidationError(_("This resident was merged into another; change that one."))
    in_force = resident.consents.filter(withdrawn_at__isnull=True)
    if resident.contact_removed_at is not None:
        # Details removed under the retention schedule need a consent given since, not the old one.
        in_force = in_force.filter(given_at__gt=resident.contact_removed_at)
    if not in_force.exists():
        raise ValidationError(
            _("There is no consent in force, so no contact details can be kept for this resident.")
        )
    before = {
        name: getattr(resident, name)
        for name in ("full_name", "email", "phone", "address", "postcode")
    }
    resident.full_name = details.full_name.strip()
    resident.email = details.email.strip()
    resident.phone = details.phone.strip()
    resident.address = details.address.strip()
    resident.postcode = (normalise_postcode(details.postcode) or details.postcode.strip().upper())[
        :8
    ]
    for key, value in resident_keys(details).items():
        setattr(resident, key, value)
    resident.full_clean()
    resident.save()
    changed = sorted(name for name, value in before.items() if getattr(resident, name) != value)
    audit_record(
        actor=actor,
        action="resident.update",
        obj=resident,
        object_repr=str(resident.public_id),
        organisation_id=resident.host_id,
        changes={"fields": changed},
    )
    return resident


@transaction.atomic
def resident_merge(*, actor: Any, keep: Resident, merge: Resident) -> Resident:
    """Fold ``merge`` into ``keep``: every conversation and consent moves, nothing is lost."""
    if keep.pk == merge.pk:
        raise ValidationError(_("Choose two different residents."))
    if keep.host_id != merge.host_id:
        raise ValidationError(_("Only residents held by the same organisation can be merged."))
    if keep.is_merged or merge.is_merged:
        raise ValidationError(_("One of these residents was already merged."))
    moved_conversations = list(merge.conversations.values_list("pk", flat=True))
    Conversation.objects.filter(pk__in=moved_conversations).update(resident=keep)
    moved_consents = list(merge.consents.values_list("pk", flat=True))
    Consent.objects.filter(pk__in=moved_consents).update(resident=keep)
    filled = []
    for name in ("full_name", "email", "phone", "address", "postcode", "lsoa"):
        if not getattr(keep, name) and getattr(merge, name):
            setattr(keep, name, getattr(merge, name))
            filled.append(name)
    keep.name_key = keep.name_key or merge.name_key
    keep.postcode_key = keep.postcode_key or merge.postcode_key
    keep.email_key = keep.email_key or merge.email_key
    keep.phone_key = keep.phone_key or merge.phone_key
    keep.full_clean()
    keep.save()
    for name in ("full_name", "email", "phone", "address", "postcode"):
        setattr(merge, name, "")
    merge.name_key = merge.postcode_key = merge.email_key = merge.phone_key = ""
    merge.lsoa = None
    merge.merged_into = keep
    merge.save()
    refresh_counting([keep.pk])
    audit_record(
        actor=actor,
        action="resident.merge",
        obj=keep,
        object_repr=str(keep.public_id),
        organisation_id=keep.host_id,
        changes={
            "merged": str(merge.public_id),
            "conversations_moved": len(moved_conversations),
            "consents_moved": len(moved_consents),
            "fields_filled": filled,
        },
    )
    return keep


# --- canvassing ----------------------------------------------------------------------------------


@transaction.atomic
def canvass_assignment_create(
    *,
    actor: Any,
    organiser: Organiser,
    title: str,
    starts_on: date,
    ends_on: date,
    target_conversations: int,
    lsoas: list[Lsoa] | None = None,
    streets: list[Street] | None = None,
    target_doors: int | None = None,
    notes: str = "",
) -> CanvassAssignment:
    if not lsoas and not streets:
        raise ValidationError({"lsoas": _("Choose at least one LSOA or street.")})
    assignment = CanvassAssignment(
        host=organiser.host,
        organiser=organiser,
        title=title.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        target_conversations=target_conversations,
        target_doors=target_doors,
        notes=notes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    assignment.full_clean()
    assignment.save()
    if lsoas:
        assignment.lsoas.set(lsoas)
    if streets:
        assignment.streets.set(streets)
    audit_record(
        actor=actor,
        action="canvass_assignment.create",
        obj=assignment,
        organisation_id=organiser.host_id,
        changes={
            "organiser": str(organiser.public_id),
            "lsoas": sorted(lsoa.code for lsoa in lsoas or []),
            "streets": sorted(str(street) for street in streets or []),
        },
    )
    return assignment


@transaction.atomic
def doors_knocked_record(
    *,
    actor: Any,
    assignment: CanvassAssignment,
    knocked_on: date,
    doors_knocked: int,
    doors_answered: int = 0,
    street: Street | None = None,
) -> DoorKnock:
    if knocked_on > timezone.localdate():
        raise ValidationError({"knocked_on": _("The date cannot be in the future.")})
    knock = DoorKnock(
        assignment=assignment,
        knocked_on=knocked_on,
        doors_knocked=doors_knocked,
        doors_answered=doors_answered,
        street=street,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    knock.full_clean()
    knock.save()
    audit_record(
        actor=actor,
        action="canvass_assignment.doors",
        obj=assignment,
        organisation_id=assignment.host_id,
        changes={"knocked_on": knocked_on, "doors_knocked": doors_knocked},
    )
    return knock


# --- reads that must leave a trace ---------------------------------------------------------------


def personal_data_viewed(
    *, actor: Any, records: list[Conversation | Resident], fields: frozenset[str]
) -> None:
    """Audit that someone outside the host saw residents' personal data, one event per record.

    Called by views and the API whenever a viewer from outside the holding host is shown any field a
    data-sharing agreement released to them, so a resident can later be told who saw what.
    """
    if not records or not fields:
        return
    with transaction.atomic():
        for record in records:
            audit_record(
                actor=actor,
                action="personal_data.view",
                obj=record,
                object_repr=f"{record._meta.verbose_name} {record.public_id}",
                organisation_id=record.host_id,
                changes={"fields": sorted(fields)},
            )
