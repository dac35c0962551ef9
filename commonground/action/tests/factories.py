"""Test data for the action app: two organisational worlds, conversations and residents written
straight to listening's tables (fast, and independent of how listening records them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import factory
from django.utils import timezone

from commonground.accounts.models import Membership, Role, User
from commonground.insight.models import Theme
from commonground.listening.models import ConsentTier, Conversation, Resident
from commonground.places.models import Lsoa
from commonground.programme.models import Organisation
from commonground.programme.tests.factories import (
    NeighbourhoodFactory,
    OrganisationFactory,
    OrganiserFactory,
    ProgrammeFactory,
)

from ..models import (
    Forum,
    Group,
    Idea,
    Matter,
    MatterCategory,
    Project,
    RoutingDefault,
    ToolkitEntry,
    target_due_at,
)

WHITEWAY = ("E01014463", "E01014464")
RADSTOCK = "E01014448"
EXETER = "E01019990"


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    slug = factory.Sequence(lambda n: f"test-theme-{n}")
    name = factory.Sequence(lambda n: f"Test theme {n}")


class MatterCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatterCategory

    theme = factory.SubFactory(ThemeFactory)
    service_code = factory.Sequence(lambda n: f"service-{n}")
    target_days = 10


def conversation(
    *,
    organiser: Any,
    lsoa: str = WHITEWAY[0],
    resident: Resident | None = None,
    days_ago: int = 3,
    neighbourhood: Any = None,
    concerns: str = "Fly-tipping behind the garages again.",
) -> Conversation:
    place = Lsoa.objects.select_related("ward", "authority").get(code=lsoa)
    return Conversation.objects.create(
        host=organiser.host,
        programme=organiser.programme,
        programme_year=2026,
        organiser=organiser,
        happened_at=timezone.now() - timedelta(days=days_ago),
        lsoa=place,
        ward=place.ward,
        authority=place.authority,
        neighbourhood=neighbourhood,
        concerns=concerns,
        consent_tier=ConsentTier.IDENTIFIED if resident else ConsentTier.ANONYMOUS,
        resident=resident,
    )


def resident(host: Organisation, name: str = "Wren Saltmarsh") -> Resident:
    return Resident.objects.create(
        host=host, full_name=name, email=f"{name.split()[0].lower()}@example.test"
    )


def build_world(
    name: str, lsoa_code: str = WHITEWAY[0], authority: str = "E06000022"
) -> dict[str, Any]:
    """A council (for the authority), a host with an organiser, a police partner and a forum."""
    from commonground.places.models import LocalAuthority

    place = LocalAuthority.objects.get(code=authority)
    council = OrganisationFactory(
        name=f"{name} council",
        slug=f"{name}-council",
        kind=Organisation.Kind.COUNCIL,
        authority=place,
    )
    host = OrganisationFactory(name=f"{name} host", slug=f"{name}-host", authority=place)
    partner = OrganisationFactory(
        name=f"{name} police",
        slug=f"{name}-police",
        kind=Organisation.Kind.PARTNER,
        authority=place,
    )
    forum_org = OrganisationFactory(
        name=f"{name} forum", slug=f"{name}-forum", kind=Organisation.Kind.FORUM, authority=place
    )
    programme = ProgrammeFactory(council=council, slug=f"{name}-programme")
    programme.organisations.add(host, partner, forum_org)
    organiser = OrganiserFactory(host=host, programme=programme, full_name=f"{name} organiser")
    neighbourhood = NeighbourhoodFactory(
        name=f"{name} patch",
        slug=f"{name}-patch",
        authority=place,
        lsoas=[Lsoa.objects.get(code=lsoa_code)],
    )
    organiser.neighbourhoods.add(neighbourhood)
    return {
        "authority": place,
        "council": council,
        "host": host,
        "partner": partner,
        "forum_org": forum_org,
        "programme": programme,
        "organiser": organiser,
        "neighbourhood": neighbourhood,
        "lsoa": Lsoa.objects.select_related("ward", "authority").get(code=lsoa_code),
    }


def member(world: dict[str, Any], role: str, home: str, email: str) -> User:
    user = User.objects.create_user(email=email, password="x-long-password-1", full_name=email)
    Membership.objects.create(user=user, organisation=world[home], role=role)
    return user


def default_owner(world: dict[str, Any], owner: User) -> RoutingDefault:
    return RoutingDefault.objects.create(
        council=world["council"],
        authority=world["authority"],
        organisation=world["council"],
        team="Community Engagement",
        owner=owner,
    )


def matter(
    world: dict[str, Any],
    *,
    category: MatterCategory | None = None,
    routed_to: Organisation | None = None,
    raised_at: datetime | None = None,
    status: str = Matter.Status.NEW,
    conversations: list[Conversation] | None = None,
    is_public: bool = True,
    **extra: Any,
) -> Matter:
    """A matter written straight to the table, for tests of reading and permissions."""
    category = category or MatterCategoryFactory()
    raised_at = raised_at or timezone.now() - timedelta(days=1)
    values: dict[str, Any] = {
        "title": "Fly-tipping by the garages",
        "description": "Mattresses and bags dumped by the garages.",
        "category": category,
        "authority": world["authority"],
        "lsoa": world["lsoa"],
        "ward": world["lsoa"].ward,
        "neighbourhood": world["neighbourhood"],
        "raised_by_organisation": world["host"],
        "routed_to": routed_to or world["partner"],
        "team": "Neighbourhood team",
        "status": status,
        "raised_at": raised_at,
        "due_at": target_due_at(raised_at, category),
        "is_public": is_public,
        "closed_at": timezone.now() if status in Matter.DONE_STATUSES else None,
    }
    values.update(extra)
    made = Matter.objects.create(**values)
    if conversations:
        made.conversations.set(conversations)
    return made


def group(world: dict[str, Any], **extra: Any) -> Group:
    defaults = {
        "name": f"{world['host'].name} residents",
        "slug": f"{world['host'].slug}-residents",
        "host": world["host"],
        "neighbourhood": world["neighbourhood"],
    }
    defaults.update(extra)
    return Group.objects.create(**defaults)


def project(world: dict[str, Any], **extra: Any) -> Project:
    defaults = {
        "title": f"{world['host'].name} clean-up",
        "slug": f"{world['host'].slug}-clean-up",
        "summary": "Clearing the alleys.",
        "aims": "Clear alleys.",
        "host": world["host"],
        "neighbourhood": world["neighbourhood"],
    }
    defaults.update(extra)
    return Project.objects.create(**defaults)


def forum(world: dict[str, Any], **extra: Any) -> Forum:
    defaults = {
        "name": f"{world['council'].name} cluster",
        "slug": f"{world['council'].slug}-cluster",
        "council": world["council"],
        "organisation": world["forum_org"],
        "authority": world["authority"],
    }
    defaults.update(extra)
    made = Forum.objects.create(**defaults)
    made.neighbourhoods.add(world["neighbourhood"])
    return made


def idea(world: dict[str, Any], **extra: Any) -> Idea:
    defaults = {
        "title": "Monthly bulky waste day",
        "summary": "A free collection point once a month.",
        "service_affected": "Waste",
        "change": "Collect bulky waste monthly.",
        "council": world["council"],
        "host": world["host"],
        "service_organisation": world["partner"],
        "neighbourhood": world["neighbourhood"],
        "organiser": world["organiser"],
        "response_due_on": timezone.localdate() + timedelta(weeks=8),
    }
    defaults.update(extra)
    return Idea.objects.create(**defaults)


def toolkit_entry(**extra: Any) -> ToolkitEntry:
    defaults = {
        "title": "Running a house meeting",
        "slug": "running-a-house-meeting",
        "kind": ToolkitEntry.Kind.HOW_TO,
        "summary": "Bring neighbours together.",
        "body": "Invite the people who raised the same thing.",
    }
    defaults.update(extra)
    return ToolkitEntry.objects.create(**defaults)


ROLE_HOME = {
    Role.ORGANISER: "host",
    Role.HOST_MANAGER: "host",
    Role.COUNCIL_OFFICER: "council",
    Role.PARTNER_OFFICER: "partner",
    Role.COUNCILLOR: "council",
    Role.FORUM_MEMBER: "forum_org",
    Role.ADMINISTRATOR: "council",
}
