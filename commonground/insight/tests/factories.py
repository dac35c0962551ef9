"""Conversations and tags for insight's tests, written straight to the tables (fast, and
independent of how listening resolves places)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from commonground.insight import aggregates
from commonground.insight.models import ConversationTag, Theme
from commonground.listening.models import ConsentTier, Conversation, Ladder, Resident
from commonground.places.models import Lsoa
from commonground.privacy.models import Consent
from commonground.programme.models import Organiser
from commonground.programme.tests.factories import OrganiserFactory

WHITEWAY = ("E01014463", "E01014464")
LONDON = ZoneInfo("Europe/London")


def at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 12, 0, tzinfo=LONDON)


def conversation(
    *,
    organiser: Organiser | None = None,
    lsoa: str = WHITEWAY[0],
    happened_at: datetime | None = None,
    concerns: str = "Flytipping behind the garages again, mattresses everywhere.",
    ladder: str = Ladder.LISTENED,
    resident: Resident | None = None,
    **extra: Any,
) -> Conversation:
    organiser = organiser or OrganiserFactory()
    place = Lsoa.objects.select_related("ward", "authority").get(code=lsoa)
    made = Conversation.objects.create(
        host=organiser.host,
        programme=organiser.programme,
        programme_year=2026,
        organiser=organiser,
        happened_at=happened_at or at(2026, 10),
        lsoa=place,
        ward=place.ward,
        authority=place.authority,
        concerns=concerns,
        ladder=ladder,
        consent_tier=ConsentTier.IDENTIFIED if resident else ConsentTier.ANONYMOUS,
        resident=resident,
        **extra,
    )
    # As the tagging hook would: every conversation is counted, tagged or not.
    aggregates.refresh([made.pk])
    return made


def theme(slug: str) -> Theme:
    return Theme.objects.get(slug=slug)


def tag(
    conversation: Conversation,
    slug: str,
    *,
    status: str = ConversationTag.Status.APPLIED,
    source: str = ConversationTag.Source.MODEL,
    confidence: float | None = 0.9,
    refresh: bool = True,
) -> ConversationTag:
    made = ConversationTag.objects.create(
        conversation=conversation,
        theme=theme(slug),
        status=status,
        source=source,
        confidence=confidence,
    )
    if refresh:
        aggregates.refresh([conversation.pk])
    return made


def resident_with_consent(organiser: Organiser, name: str = "Wren Saltmarsh") -> Resident:
    resident = Resident.objects.create(
        host=organiser.host, full_name=name, email=f"{name.split()[0].lower()}@example.test"
    )
    Consent.objects.create(
        resident=resident,
        host=organiser.host,
        purpose=Consent.Purpose.FOLLOW_UP,
        wording="We would like to keep your details to get back in touch.",
        given_at=at(2026, 9),
        taken_by_name=organiser.full_name,
        how_to_withdraw="Tell us.",
    )
    return resident
