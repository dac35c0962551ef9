"""Conversations over HTTP: for the capture form's offline queue and for other tools.

Every record carries a ``client_id`` made by the device. Sending the same record twice – a sync
retried after a dropped connection – returns the stored record and creates nothing.
"""

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from commonground.core.pagination import LimitOffsetPagination
from commonground.privacy.models import Consent
from commonground.programme.models import Organisation

from . import selectors, services
from .geography import PlaceNotFound, resolve_place
from .models import ConsentTier, Conversation, Ladder, Mode, Source

router = Router(tags=["listening"])

MAX_BATCH = 200


class ResidentIn(Schema):
    full_name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""


class FollowUpIn(Schema):
    description: str
    due_on: date | None = None


class EqualityIn(Schema):
    age_band: str = ""
    ethnic_group: str = ""
    disability: str = ""
    sex: str = ""
    carer: str = ""


class ConversationIn(Schema):
    client_id: UUID = Field(
        ..., description="Made by the device; the same id is never stored twice."
    )
    organiser: UUID | None = Field(
        None,
        description="The organiser who listened; defaults to the caller's own organiser record.",
    )
    happened_at: datetime
    mode: Mode = Mode.DOORSTEP
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
    ladder: Ladder = Ladder.LISTENED
    consent_tier: ConsentTier = ConsentTier.ANONYMOUS
    contact_consent_given: bool = False
    special_category_flagged: bool = False
    special_category_consent: bool = False
    resident: ResidentIn | None = None
    shared_with: list[str] = Field(default_factory=list, description="Organisation slugs.")
    follow_ups: list[FollowUpIn] = Field(default_factory=list)
    equality: EqualityIn | None = None
    from_paper: bool = False
    captured_offline: bool = Field(
        False,
        description="Saved on the device without a connection; an unknown place is then kept for "
        "review instead of refusing the record.",
    )


class ConversationOut(Schema):
    id: UUID = Field(..., alias="public_id")
    client_id: UUID
    organiser: UUID
    happened_at: datetime
    mode: str
    lsoa: str | None
    ward: str | None
    neighbourhood: str | None
    authority: str | None
    place_needs_review: bool
    ladder: str
    consent_tier: str
    special_category: bool
    source: str
    version: int
    counts_toward_listened: bool

    @staticmethod
    def resolve_organiser(obj: Conversation) -> UUID:
        return obj.organiser.public_id

    @staticmethod
    def resolve_lsoa(obj: Conversation) -> str | None:
        return obj.lsoa.code if obj.lsoa_id else None

    @staticmethod
    def resolve_ward(obj: Conversation) -> str | None:
        return obj.ward.code if obj.ward_id else None

    @staticmethod
    def resolve_neighbourhood(obj: Conversation) -> str | None:
        return obj.neighbourhood.slug if obj.neighbourhood_id else None

    @staticmethod
    def resolve_authority(obj: Conversation) -> str | None:
        return obj.authority.code if obj.authority_id else None


class ConversationDetailOut(ConversationOut):
    """With what the resident said; only for those inside the host or given it by agreement."""

    loves: str
    concerns: str
    ideas: str
    would_do: str
    talk_to: str


class SyncIn(Schema):
    conversations: list[ConversationIn] = Field(..., max_length=MAX_BATCH)


class SyncResult(Schema):
    client_id: UUID
    status: Literal["created", "already_synced", "rejected"]
    id: UUID | None = None
    errors: dict[str, list[str]] = Field(default_factory=dict)
    notices: list[str] = Field(default_factory=list)


class SyncOut(Schema):
    results: list[SyncResult]


class PlaceOut(Schema):
    postcode: str
    lsoa: str | None
    lsoa_name: str | None
    ward: str | None
    neighbourhood: str | None
    authority: str | None


def _to_input(request: Any, payload: ConversationIn) -> services.ConversationInput:
    organisers = selectors.organisers_recordable_by(user=request.auth)
    if payload.organiser is not None:
        organiser = organisers.filter(public_id=payload.organiser).first()
    else:
        organiser = organisers.filter(user=request.auth).first() or (
            organisers.first() if organisers.count() == 1 else None
        )
    if organiser is None or not request.auth.has_perm("listening.record_for_organiser", organiser):
        raise PermissionDenied
    shared = list(Organisation.objects.filter(slug__in=payload.shared_with))
    missing = sorted(set(payload.shared_with) - {o.slug for o in shared})
    if missing:
        raise ValidationError({"shared_with": [f"Unknown organisation: {', '.join(missing)}"]})
    resident = payload.resident
    happened_at = payload.happened_at
    if timezone.is_naive(happened_at):
        happened_at = timezone.make_aware(happened_at)
    return services.ConversationInput(
        organiser=organiser,
        happened_at=happened_at,
        mode=payload.mode,
        postcode=payload.postcode,
        street=payload.street,
        lon=payload.lon,
        lat=payload.lat,
        keep_exact_location=payload.keep_exact_location,
        loves=payload.loves,
        concerns=payload.concerns,
        ideas=payload.ideas,
        would_do=payload.would_do,
        talk_to=payload.talk_to,
        ladder=payload.ladder,
        consent_tier=payload.consent_tier,
        contact_consent_given=payload.contact_consent_given,
        special_category_flagged=payload.special_category_flagged,
        special_category_consent=payload.special_category_consent,
        new_resident=services.ResidentDetails(**resident.model_dump()) if resident else None,
        shared_with=shared,
        consent_method=Consent.Method.PAPER if payload.from_paper else Consent.Method.IN_PERSON,
        follow_ups=[services.FollowUpDetails(f.description, f.due_on) for f in payload.follow_ups],
        equality=services.EqualityAnswers(**payload.equality.model_dump())
        if payload.equality
        else None,
        client_id=payload.client_id,
    )


def _source(payload: ConversationIn) -> str:
    if payload.from_paper:
        return Source.PAPER
    if payload.captured_offline:
        return Source.OFFLINE
    return Source.API


def _record(request: Any, payload: ConversationIn, *, source: str) -> services.RecordOutcome:
    if not request.auth.has_perm("listening.add_conversation"):
        raise PermissionDenied
    return services.conversation_record(
        actor=request.auth,
        data=_to_input(request, payload),
        source=source,
        accept_unresolved_place=payload.captured_offline,
    )


def _errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {key: list(value) for key, value in error.message_dict.items()}
    return {"__all__": list(error.messages)}


def _load(conversation: Conversation) -> Conversation:
    return Conversation.objects.select_related(*selectors.CONVERSATION_RELATED).get(
        pk=conversation.pk
    )


@router.post(
    "/conversations",
    response={201: ConversationOut, 200: ConversationOut},
    url_name="listening_create",
    summary="Record a conversation (idempotent by client_id)",
)
def create_conversation(request: Any, payload: ConversationIn) -> Any:
    try:
        outcome = _record(request, payload, source=_source(payload))
    except ValidationError as error:
        raise HttpError(
            422, "; ".join(f"{k}: {' '.join(v)}" for k, v in _errors(error).items())
        ) from error
    return (201 if outcome.created else 200), _load(outcome.conversation)


@router.post(
    "/conversations/sync",
    response=SyncOut,
    url_name="listening_sync",
    summary="Send queued conversations; each is created once however often it is sent",
)
def sync_conversations(request: Any, payload: SyncIn) -> Any:
    if not request.auth.has_perm("listening.add_conversation"):
        raise PermissionDenied
    results = []
    for item in payload.conversations:
        try:
            source = (
                Source.PAPER
                if item.from_paper
                else (Source.OFFLINE if item.captured_offline else Source.FORM)
            )
            outcome = _record(request, item, source=source)
        except ValidationError as error:
            results.append(
                SyncResult(client_id=item.client_id, status="rejected", errors=_errors(error))
            )
        except PermissionDenied:
            results.append(
                SyncResult(
                    client_id=item.client_id,
                    status="rejected",
                    errors={"organiser": ["You cannot record for this organiser."]},
                )
            )
        else:
            results.append(
                SyncResult(
                    client_id=item.client_id,
                    status="created" if outcome.created else "already_synced",
                    id=outcome.conversation.public_id,
                    notices=[str(n) for n in outcome.notices],
                )
            )
    return {"results": results}


@router.get(
    "/conversations",
    response=list[ConversationOut],
    url_name="listening_list",
    summary="Conversations you may see, newest first",
)
@paginate(LimitOffsetPagination)
def list_conversations(
    request: Any, since: datetime | None = None, needs_review: bool | None = None
) -> Any:
    return selectors.conversation_list_visible_to(
        user=request.auth,
        since=since,
        needs_review=needs_review,
        compact=True,
    )


@router.get(
    "/conversations/{conversation_id}",
    response=ConversationDetailOut,
    url_name="listening_detail",
)
def get_conversation(request: Any, conversation_id: UUID) -> Any:
    conversation = get_object_or_404(
        Conversation.objects.select_related(*selectors.CONVERSATION_RELATED),
        public_id=conversation_id,
    )
    access = selectors.conversation_access(user=request.auth, conversation=conversation)
    if not access.any or not access.sees("notes"):
        raise PermissionDenied
    if not access.inside_host:
        services.personal_data_viewed(
            actor=request.auth, records=[conversation], fields=access.fields
        )
    return conversation


@router.get(
    "/postcodes/{postcode}",
    response=PlaceOut,
    url_name="listening_postcode",
    summary="Where a postcode is: its LSOA, ward, neighbourhood and authority",
)
def lookup_postcode(request: Any, postcode: str) -> Any:
    try:
        place = resolve_place(postcode=postcode)
    except PlaceNotFound as problem:
        raise HttpError(404, str(problem)) from problem
    return place.as_dict()
