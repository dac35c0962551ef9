"""Test data for impact: two organisational worlds, and records of the other apps written straight to
their tables (fast, and independent of how those apps' services record them)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.utils import timezone

from commonground.accounts.models import Membership, Role, User
from commonground.places.models import LocalAuthority, Lsoa
from commonground.programme.models import Organisation
from commonground.programme.tests.factories import (
    NeighbourhoodFactory,
    OrganisationFactory,
    OrganiserFactory,
    ProgrammeFactory,
)

from ..models import Indicator, Report
from ..periods import Period
from ..scopes import Scope
from ..services import report_create

WHITEWAY = ("E01014463", "E01014464")
RADSTOCK = "E01014448"
PERIOD = Period(date(2026, 4, 1), date(2027, 3, 31))

ROLE_HOME = {
    Role.ORGANISER: "host",
    Role.HOST_MANAGER: "host",
    Role.COUNCIL_OFFICER: "council",
    Role.PARTNER_OFFICER: "partner",
    Role.COUNCILLOR: "council",
    Role.FORUM_MEMBER: "forum",
    Role.ADMINISTRATOR: "council",
}


def moment(day: date, hour: int = 11) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def build_world(name: str, lsoa_codes: tuple[str, ...] = WHITEWAY) -> dict[str, Any]:
    authority = LocalAuthority.objects.get(code="E06000022")
    council = OrganisationFactory(
        name=f"{name} council",
        slug=f"{name}-council",
        kind=Organisation.Kind.COUNCIL,
        authority=authority,
    )
    host = OrganisationFactory(name=f"{name} host", slug=f"{name}-host", authority=authority)
    partner = OrganisationFactory(
        name=f"{name} police", slug=f"{name}-police", kind=Organisation.Kind.PARTNER
    )
    forum = OrganisationFactory(
        name=f"{name} forum", slug=f"{name}-forum", kind=Organisation.Kind.FORUM
    )
    programme = ProgrammeFactory(
        council=council, slug=f"{name}-programme", name=f"{name} programme"
    )
    programme.organisations.add(host, partner, forum)
    neighbourhood = NeighbourhoodFactory(
        name=f"{name} patch",
        slug=f"{name}-patch",
        authority=authority,
        lsoas=list(Lsoa.objects.filter(code__in=lsoa_codes)),
    )
    organiser = OrganiserFactory(host=host, programme=programme, full_name=f"{name} organiser")
    organiser.neighbourhoods.add(neighbourhood)
    return {
        "authority": authority,
        "council": council,
        "host": host,
        "partner": partner,
        "forum": forum,
        "programme": programme,
        "neighbourhood": neighbourhood,
        "organiser": organiser,
        "lsoas": list(Lsoa.objects.filter(code__in=lsoa_codes).order_by("code")),
    }


def member(world: dict[str, Any], role: str, email: str) -> User:
    user = User.objects.create_user(email=email, password="x-long-password-1", full_name=email)
    Membership.objects.create(user=user, organisation=world[ROLE_HOME[role]], role=role)
    return user


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def conversation(
    world: dict[str, Any],
    *,
    day: date,
    lsoa: Lsoa | None = None,
    resident: Any = None,
    ladder: str = "listened",
    counts: bool = True,
) -> Any:
    from commonground.listening.models import ConsentTier, Conversation

    place = lsoa or world["lsoas"][0]
    return Conversation.objects.create(
        host=world["host"],
        programme=world["programme"],
        programme_year=day.year if day.month >= 4 else day.year - 1,
        organiser=world["organiser"],
        happened_at=moment(day),
        lsoa=place,
        ward=place.ward,
        authority=place.authority,
        concerns="Fly-tipping behind the garages.",
        ladder=ladder,
        consent_tier=ConsentTier.IDENTIFIED if resident else ConsentTier.ANONYMOUS,
        resident=resident,
        counts_toward_listened=counts,
    )


def resident(world: dict[str, Any], name: str) -> Any:
    from commonground.listening.models import Resident

    return Resident.objects.create(host=world["host"], full_name=name)


def report(world: dict[str, Any], *, scope: Any = None, period: Period = PERIOD) -> Report:
    return report_create(
        actor=None,
        title=f"{world['programme'].name} impact report",
        scope=Scope.of(scope or world["programme"]),
        organisation=world["host"],
        period_start=period.start,
        period_end=period.end,
    )


def money(value: str) -> Decimal:
    return Decimal(value)
