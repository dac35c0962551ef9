"""A synthetic demonstration programme shaped on the council papers.

Organisations are named after the public bodies the papers name, with invented identifiers where a real
one is not needed; every person is invented. Running it again changes nothing that exists.
"""

from __future__ import annotations

import binascii
import hashlib
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from commonground.accounts.models import Membership, Role, User
from commonground.core.audit import audit_record
from commonground.places.models import LocalAuthority, Lsoa, Neighbourhood, Ward

from .models import (
    Agreement,
    Commitment,
    Organisation,
    Organiser,
    Programme,
    SupervisionNote,
    TrainingRecord,
)

DEMO_PASSWORD = "listen-act-change-2026"
DEMO_DOMAIN = "demo.commonground.test"


class DemoPrerequisiteError(Exception):
    pass


@dataclass
class DemoLogin:
    email: str
    role: str
    organisation: str
    totp_secret: str | None


ORGANISATIONS = [
    # slug, name, kind, org-id, authority
    (
        "banes-council",
        "Bath and North East Somerset Council",
        Organisation.Kind.COUNCIL,
        "GB-LAE-BAS",
        "E06000022",
    ),
    (
        "regen-bath",
        "Regenerate Together Bath (demo host)",
        Organisation.Kind.HOST,
        "GB-CHC-9900001",
        "E06000022",
    ),
    (
        "avon-somerset-police",
        "Avon and Somerset Police",
        Organisation.Kind.PARTNER,
        "GB-GOR-PB1001",
        "E06000022",
    ),
    (
        "avon-fire",
        "Avon Fire and Rescue Service",
        Organisation.Kind.PARTNER,
        "GB-GOR-PB1002",
        "E06000022",
    ),
    (
        "banes-ccg",
        "Bath and North East Somerset Clinical Commissioning Group",
        Organisation.Kind.PARTNER,
        "GB-GOR-PB1003",
        "E06000022",
    ),
    (
        "somer-homes",
        "Somer Valley Homes (demo housing association)",
        Organisation.Kind.PARTNER,
        "GB-COH-99000002",
        "E06000022",
    ),
    ("somer-valley-forum", "Somer Valley Area Forum", Organisation.Kind.FORUM, None, "E06000022"),
    ("community-fund", "Community Empowerment Fund", Organisation.Kind.FUNDER, None, "E06000022"),
    ("exeter-council", "Exeter City Council", Organisation.Kind.COUNCIL, "GB-LAE-EXE", "E07000041"),
    (
        "exeter-forum",
        "Exeter Community Forum",
        Organisation.Kind.FORUM,
        "GB-CHC-9900003",
        "E07000041",
    ),
    (
        "whipton-together",
        "Whipton Together (demo host)",
        Organisation.Kind.HOST,
        "GB-CHC-9900004",
        "E07000041",
    ),
    (
        "riverside-trust",
        "Riverside Community Trust (demo host)",
        Organisation.Kind.HOST,
        "GB-CHC-9900005",
        "E07000041",
    ),
]

NEIGHBOURHOODS = [
    # slug, name, authority, LSOAs
    ("whiteway", "Whiteway", "E06000022", ["E01014463", "E01014464"]),
    ("foxhill-and-odd-down", "Foxhill and Odd Down", "E06000022", ["E01014390", "E01014431"]),
    ("radstock", "Radstock", "E06000022", ["E01014448", "E01014450"]),
    (
        "timsbury-farmborough-camerton",
        "Timsbury, Farmborough and Camerton",
        "E06000022",
        ["E01014459", "E01014386"],
    ),
    (
        "london-road-and-snowhill",
        "London Road and Snowhill",
        "E06000022",
        ["E01014466", "E01014409"],
    ),
    ("whipton", "Mincinglake and Whipton", "E07000041", ["E01019990", "E01019991"]),
    ("wonford", "Wonford and Burnthouse Lane", "E07000041", ["E01020014", "E01020015"]),
    ("st-davids-riverside", "St David's Riverside", "E07000041", ["E01020016"]),
]

ORGANISERS = [
    # name, host, programme, neighbourhood, start, stage, login email (or None)
    (
        "Tamsin Okafor-Reeve",
        "regen-bath",
        "better-together",
        "whiteway",
        date(2025, 11, 3),
        Organiser.Stage.PLACED,
        f"organiser@{DEMO_DOMAIN}",
    ),
    (
        "Rhys Lindqvist",
        "regen-bath",
        "better-together",
        "foxhill-and-odd-down",
        date(2025, 11, 3),
        Organiser.Stage.PLACED,
        None,
    ),
    (
        "Priya Castellano",
        "regen-bath",
        "better-together",
        "radstock",
        date(2026, 1, 12),
        Organiser.Stage.PLACED,
        None,
    ),
    (
        "Owain Matsuda",
        "regen-bath",
        "better-together",
        "timsbury-farmborough-camerton",
        date(2026, 5, 4),
        Organiser.Stage.IN_TRAINING,
        None,
    ),
    (
        "Bethan Adeyemi-Clark",
        "regen-bath",
        "better-together",
        "london-road-and-snowhill",
        date(2026, 9, 7),
        Organiser.Stage.IN_TRAINING,
        None,
    ),
    (
        "Jonah Fairweather-Ng",
        "whipton-together",
        "exeter-organisers",
        "whipton",
        date(2026, 2, 2),
        Organiser.Stage.PLACED,
        None,
    ),
    (
        "Maisie Oduya",
        "riverside-trust",
        "exeter-organisers",
        "st-davids-riverside",
        date(2026, 2, 2),
        Organiser.Stage.PLACED,
        None,
    ),
    (
        "Kit Varga-Holloway",
        "riverside-trust",
        "exeter-organisers",
        "wonford",
        date(2026, 6, 1),
        Organiser.Stage.RECRUITED,
        None,
    ),
]

LOGINS = [
    # e-mail local part, name, organisation slug, role
    ("organiser", "Tamsin Okafor-Reeve", "regen-bath", Role.ORGANISER),
    ("host.manager", "Gwen Marchetti", "regen-bath", Role.HOST_MANAGER),
    ("council.officer", "Idris Pembury", "banes-council", Role.COUNCIL_OFFICER),
    ("partner.officer", "Sergeant Lola Brannigan", "avon-somerset-police", Role.PARTNER_OFFICER),
    ("councillor", "Councillor Ferdie Ashworth", "banes-council", Role.COUNCILLOR),
    ("forum.member", "Hattie Quennell", "somer-valley-forum", Role.FORUM_MEMBER),
    ("admin", "Ada Trelawney", "banes-council", Role.ADMINISTRATOR),
    ("exeter.host", "Nico Ballantyne", "riverside-trust", Role.HOST_MANAGER),
]


def _demo_totp_key(email: str) -> str:
    """A fixed key per demo login, so the demo can print it once and it keeps working after a rerun."""
    return hashlib.sha1(f"commonground-demo:{email}".encode()).hexdigest()


def _base32(hex_key: str) -> str:
    import base64

    return base64.b32encode(binascii.unhexlify(hex_key)).decode().rstrip("=")


@transaction.atomic
def demo_load() -> list[DemoLogin]:
    if not LocalAuthority.objects.filter(code="E06000022").exclude(boundary="").exists():
        raise DemoPrerequisiteError("Load the geography first: commonground load_places")
    authorities = {
        a.code: a for a in LocalAuthority.objects.filter(code__in=["E06000022", "E07000041"])
    }

    organisations: dict[str, Organisation] = {}
    for slug, name, kind, org_id, authority in ORGANISATIONS:
        organisations[slug], _ = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "org_id": org_id,
                "authority": authorities[authority],
                "description": "",
            },
        )

    neighbourhoods: dict[str, Neighbourhood] = {}
    for slug, name, authority, codes in NEIGHBOURHOODS:
        neighbourhood, created = Neighbourhood.objects.get_or_create(
            slug=slug, defaults={"name": name, "authority": authorities[authority]}
        )
        if created:
            neighbourhood.lsoas.set(Lsoa.objects.filter(code__in=codes))
        neighbourhoods[slug] = neighbourhood

    programmes = {
        "better-together": Programme.objects.get_or_create(
            slug="better-together",
            defaults={
                "name": "Better Together",
                "council": organisations["banes-council"],
                "starts_on": date(2025, 10, 1),
                "description": "Community organisers hosted by a local charity listen to residents in five neighbourhoods, "
                "help them act together and bring ideas for better, cheaper services to the council and its partners.",
            },
        )[0],
        "exeter-organisers": Programme.objects.get_or_create(
            slug="exeter-organisers",
            defaults={
                "name": "Exeter Community Organisers",
                "council": organisations["exeter-council"],
                "starts_on": date(2026, 1, 5),
                "description": "Hosted by two community organisations and steered by Exeter Community Forum.",
            },
        )[0],
    }
    programmes["better-together"].organisations.add(
        *(
            organisations[s]
            for s in [
                "regen-bath",
                "avon-somerset-police",
                "avon-fire",
                "banes-ccg",
                "somer-homes",
                "somer-valley-forum",
                "community-fund",
            ]
        )
    )
    programmes["exeter-organisers"].organisations.add(
        *(organisations[s] for s in ["exeter-forum", "whipton-together", "riverside-trust"])
    )

    logins: list[DemoLogin] = []
    users: dict[str, User] = {}
    for local, name, organisation_slug, role in LOGINS:
        email = f"{local}@{DEMO_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                full_name=name,
                is_staff=role == Role.ADMINISTRATOR,
                is_superuser=role == Role.ADMINISTRATOR,
            )
        Membership.objects.get_or_create(
            user=user, organisation=organisations[organisation_slug], role=role
        )
        secret = None
        if role in {
            Role.ORGANISER,
            Role.HOST_MANAGER,
            Role.COUNCIL_OFFICER,
            Role.PARTNER_OFFICER,
            Role.ADMINISTRATOR,
        }:
            key = _demo_totp_key(email)
            TOTPDevice.objects.get_or_create(
                user=user, name="Demo authenticator", defaults={"key": key, "confirmed": True}
            )
            secret = _base32(key)
        users[local] = user
        logins.append(
            DemoLogin(
                email=email,
                role=str(role.label),
                organisation=organisations[organisation_slug].name,
                totp_secret=secret,
            )
        )
    councillor = Membership.objects.get(user=users["councillor"], role=Role.COUNCILLOR)
    councillor.wards.add(*Ward.objects.filter(code__in=["E05012488", "E05012486"]))

    organisers: dict[str, Organiser] = {}
    for name, host, programme, neighbourhood, start, stage, email in ORGANISERS:
        organiser, created = Organiser.objects.get_or_create(
            full_name=name,
            defaults={
                "host": organisations[host],
                "programme": programmes[programme],
                "placement_starts_on": start,
                "placement_ends_on": date(start.year + 1, start.month, 1),
                "stage": stage,
                "user": User.objects.filter(email=email).first() if email else None,
            },
        )
        if created:
            organiser.neighbourhoods.add(neighbourhoods[neighbourhood])
            due = date(start.year, start.month, start.day)
            from datetime import timedelta

            TrainingRecord.objects.create(
                organiser=organiser,
                title="Community Organising qualification",
                level=2,
                provider="Demo Training Partnership",
                due_on=due + timedelta(weeks=26),
                status=TrainingRecord.Status.COMPLETED
                if stage == Organiser.Stage.PLACED
                else TrainingRecord.Status.IN_PROGRESS,
                completed_on=due + timedelta(weeks=24) if stage == Organiser.Stage.PLACED else None,
            )
        organisers[name] = organiser
    volunteer, created = Organiser.objects.get_or_create(
        full_name="Sol Featherstone",
        defaults={
            "host": organisations["regen-bath"],
            "programme": programmes["better-together"],
            "kind": Organiser.Kind.VOLUNTEER,
            "supervisor": organisers["Tamsin Okafor-Reeve"],
            "stage": Organiser.Stage.PLACED,
            "listening_target": 100,
            "placement_starts_on": date(2026, 3, 2),
        },
    )
    if created:
        volunteer.neighbourhoods.add(neighbourhoods["whiteway"])
        SupervisionNote.objects.create(
            organiser=organisers["Tamsin Okafor-Reeve"],
            author=users["host.manager"],
            met_on=date(2026, 10, 6),
            notes="Listening is ahead of plan on the estate; door-knocking on the upper streets has been slower. "
            "Agreed to try two evening sessions at the community centre and to bring the litter-pick group to the next forum.",
        )
        TrainingRecord.objects.create(
            organiser=organisers["Bethan Adeyemi-Clark"],
            title="Safeguarding adults",
            provider="Demo Training Partnership",
            due_on=date(2026, 10, 1),
            status=TrainingRecord.Status.PLANNED,
        )

    agreement, created = Agreement.objects.get_or_create(
        title="Co-operation agreement: community organisers in Bath and North East Somerset",
        programme=programmes["better-together"],
        defaults={
            "purpose": "How the council and the host work together so that ideas from communities are acted on, "
            "ward councillors are involved as community leaders and projects leave a lasting legacy.",
            "signed_on": date(2025, 10, 20),
            "starts_on": date(2025, 11, 1),
            "status": Agreement.Status.SIGNED,
        },
    )
    if created:
        agreement.parties.add(
            organisations["banes-council"],
            organisations["regen-bath"],
            organisations["avon-somerset-police"],
        )
        for party, description, owner, due, status in [
            (
                "banes-council",
                "Name a lead officer for each neighbourhood and respond to ideas for changing services within 8 weeks.",
                "Community Engagement Manager",
                date(2026, 1, 31),
                Commitment.Status.DONE,
            ),
            (
                "banes-council",
                "Provide analytical support to develop business cases for service improvements and savings.",
                "Strategy and Performance Team",
                date(2026, 6, 30),
                Commitment.Status.IN_PROGRESS,
            ),
            (
                "banes-council",
                "Brief ward councillors for each neighbourhood on community organising.",
                "Democratic Services",
                date(2025, 12, 15),
                Commitment.Status.DONE,
            ),
            (
                "regen-bath",
                "Share themes from listening with the council and partners every quarter.",
                "Host Manager",
                date(2026, 3, 31),
                Commitment.Status.IN_PROGRESS,
            ),
            (
                "regen-bath",
                "Work with parish councils and local forums in each neighbourhood.",
                "Organisers",
                date(2026, 4, 30),
                Commitment.Status.NOT_STARTED,
            ),
            (
                "regen-bath",
                "Report impact each year using the shared indicators.",
                "Host Manager",
                date(2026, 11, 30),
                Commitment.Status.NOT_STARTED,
            ),
            (
                "avon-somerset-police",
                "Join one forum meeting a quarter in each neighbourhood and act on matters raised.",
                "Neighbourhood Inspector",
                date(2026, 3, 31),
                Commitment.Status.IN_PROGRESS,
            ),
        ]:
            Commitment.objects.create(
                agreement=agreement,
                party=organisations[party],
                description=description,
                owner=owner,
                due_on=due,
                status=status,
            )

    audit_record(
        actor=None, action="demo.load", object_type="demo", object_repr="Synthetic demo programme"
    )
    return logins
