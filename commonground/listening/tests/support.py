"""Building blocks for listening tests: two organisational worlds and conversations recorded the real
way, through the service."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.utils import timezone

from commonground.accounts.models import Membership, Role, User
from commonground.places.models import Lsoa
from commonground.privacy.models import DataSharingAgreement
from commonground.privacy.services import data_sharing_agreement_create
from commonground.programme.models import Organisation, Organiser
from commonground.programme.tests.factories import (
    NeighbourhoodFactory,
    OrganisationFactory,
    OrganiserFactory,
    ProgrammeFactory,
)

from ..models import ConsentTier, Postcode
from ..services import ConversationInput, RecordOutcome, ResidentDetails, conversation_record

WHITEWAY_LSOA = "E01014463"
RADSTOCK_LSOA = "E01014448"
EXETER_LSOA = "E01019990"

ROLE_HOME = {
    Role.ORGANISER: "host",
    Role.HOST_MANAGER: "host",
    Role.COUNCIL_OFFICER: "council",
    Role.PARTNER_OFFICER: "partner",
    Role.COUNCILLOR: "council",
    Role.FORUM_MEMBER: "forum",
    Role.ADMINISTRATOR: "council",
}


def postcode_at(lsoa_code: str, code: str) -> Postcode:
    lsoa = Lsoa.objects.get(code=lsoa_code)
    postcode, _created = Postcode.objects.get_or_create(
        code=code,
        defaults={
            "lon": lsoa.centroid_lon,
            "lat": lsoa.centroid_lat,
            "lsoa": lsoa,
            "source": Postcode.Source.SYNTHETIC,
        },
    )
    return postcode


def a_while_ago(days: int = 1, hour: int = 11) -> datetime:
    day = timezone.localdate() - timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def conversation_input(organiser: Organiser, **overrides: Any) -> ConversationInput:
    values: dict[str, Any] = {
        "organiser": organiser,
        "happened_at": a_while_ago(),
        "postcode": "ZZ1 1AB",
        "loves": "Friendly neighbours",
        "concerns": "Flytipping behind the garages",
        "ideas": "A litter pick",
    }
    values.update(overrides)
    return ConversationInput(**values)


def record(actor: Any, organiser: Organiser, **overrides: Any) -> RecordOutcome:
    source = overrides.pop("source", "form")
    return conversation_record(
        actor=actor, data=conversation_input(organiser, **overrides), source=source
    )


def record_identified(
    actor: Any,
    organiser: Organiser,
    name: str = "Wren Saltmarsh",
    email: str = "wren@example.test",
    **overrides: Any,
) -> RecordOutcome:
    return record(
        actor,
        organiser,
        consent_tier=ConsentTier.IDENTIFIED,
        contact_consent_given=True,
        new_resident=ResidentDetails(full_name=name, email=email, postcode="ZZ1 1AB"),
        **overrides,
    )


def build_world(name: str, lsoa_code: str = WHITEWAY_LSOA) -> dict[str, Any]:
    council = OrganisationFactory(
        name=f"{name} council", slug=f"{name}-council", kind=Organisation.Kind.COUNCIL
    )
    host = OrganisationFactory(name=f"{name} host", slug=f"{name}-host")
    partner = OrganisationFactory(
        name=f"{name} police", slug=f"{name}-police", kind=Organisation.Kind.PARTNER
    )
    forum = OrganisationFactory(
        name=f"{name} forum", slug=f"{name}-forum", kind=Organisation.Kind.FORUM
    )
    programme = ProgrammeFactory(council=council, slug=f"{name}-programme")
    programme.organisations.add(host, partner, forum)
    organiser = OrganiserFactory(
        host=host, programme=programme, full_name=f"{name} organiser", listening_target=50
    )
    neighbourhood = NeighbourhoodFactory(
        name=f"{name} patch", slug=f"{name}-patch", lsoas=[Lsoa.objects.get(code=lsoa_code)]
    )
    organiser.neighbourhoods.add(neighbourhood)
    return {
        "council": council,
        "host": host,
        "partner": partner,
        "forum": forum,
        "programme": programme,
        "organiser": organiser,
        "neighbourhood": neighbourhood,
    }


def make_member(email: str, organisation: Organisation, role: str, **extra: Any) -> User:
    user = User.objects.create_user(
        email=email, password="a-long-test-password-1", full_name=extra.pop("full_name", email)
    )
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def share_agreement(
    world: dict[str, Any],
    *,
    recipient: str = "partner",
    fields: list[str] | None = None,
    starts_on: date | None = None,
    status: str = DataSharingAgreement.Status.ACTIVE,
) -> DataSharingAgreement:
    return data_sharing_agreement_create(
        actor=None,
        title=f"Referrals from {world['host'].name}",
        provider=world["host"],
        recipients=[world[recipient]],
        purpose="Referrals residents ask for",
        lawful_basis="Consent of the resident",
        fields_shared=fields or ["name", "phone", "notes"],
        starts_on=starts_on or date(2025, 1, 1),
        status=status,
    )


def uuid_of(n: int) -> UUID:
    return UUID(int=n)
