"""A few thousand synthetic conversations across the demo neighbourhoods.

Everything is invented and reproducible from :data:`SEED`: residents' names, what they said (see
:mod:`.textgen`), when and where. Conversations are written in bulk; a rerun finds them and returns at
once. Postcodes in the demo start with ZZ, which is no real postcode area: one sits at the centroid
of each mapped LSOA.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from commonground.accounts.models import Membership, Role, User
from commonground.core.audit import audit_record
from commonground.places.lookup import locate
from commonground.places.models import Lsoa
from commonground.privacy.models import Consent, DataSharingAgreement
from commonground.programme.models import Organisation, Organiser

from . import special_category, wording
from .counting import refresh_counting
from .models import (
    CanvassAssignment,
    ConsentTier,
    Conversation,
    ConversationVersion,
    DoorKnock,
    EqualityMonitoring,
    FollowUp,
    Ladder,
    Mode,
    PlacePrecision,
    Resident,
    Source,
    Street,
    programme_year_of,
)
from .postcodes import seed_synthetic_postcodes, synthetic_postcode
from .services import (
    ConversationInput,
    conversation_correct,
    conversations_changed,
    resident_keys,
    snapshot,
)
from .services import ResidentDetails as Details
from .textgen import DEFAULT_WEIGHTS, generate_conversation, synthetic_name

SEED = 2026
DEMO_NAMESPACE = uuid.UUID("0c7d9a3e-2f41-4a5b-8e1d-9b6f4c2a7e55")
AUTHORITY_AREAS = {"E06000022": 1, "E07000041": 2}

# Conversations per organiser, roughly in step with how long they have been in post.
VOLUMES = {
    "Tamsin Okafor-Reeve": 620,
    "Rhys Lindqvist": 560,
    "Priya Castellano": 430,
    "Owain Matsuda": 170,
    "Bethan Adeyemi-Clark": 40,
    "Jonah Fairweather-Ng": 480,
    "Maisie Oduya": 450,
    "Sol Featherstone": 160,
}

# What comes up more in each neighbourhood, so the areas read differently.
LOCAL_WEIGHTS: dict[str, dict[str, float]] = {
    "whiteway": {"antisocial_behaviour": 20, "litter_flytipping": 20, "youth_provision": 15},
    "foxhill-and-odd-down": {"housing_repairs": 20, "youth_provision": 16},
    "radstock": {"buses": 22, "loneliness": 14},
    "timsbury-farmborough-camerton": {"buses": 24, "speeding": 14, "loneliness": 12},
    "london-road-and-snowhill": {"parking": 22, "speeding": 12, "litter_flytipping": 18},
    "whipton": {"green_spaces": 16, "cost_of_living": 14},
    "wonford": {"housing_repairs": 18, "cost_of_living": 16},
    "st-davids-riverside": {"parking": 18, "antisocial_behaviour": 16},
}

STREET_NAMES = [
    "Larkspur Close", "Meadowsweet Rise", "Kestrel Way", "Quarry View", "Orchard Terrace",
    "Foxglove Road", "Millstream Lane", "Beacon Crescent", "Hollybush Walk", "Tanners Row",
    "Sorrel Gardens", "Wheelwright Street", "Cobbler's Yard", "Heron Parade", "Lantern Hill",
    "Bellfounder Close",
]  # fmt: skip

MODES = [
    (Mode.DOORSTEP, 60),
    (Mode.STREET, 14),
    (Mode.EVENT, 10),
    (Mode.GROUP, 7),
    (Mode.PHONE, 6),
    (Mode.ONLINE, 3),
]
LADDER = [
    (Ladder.LISTENED, 62),
    (Ladder.INTERESTED, 22),
    (Ladder.ATTENDED, 9),
    (Ladder.VOLUNTEERING, 5),
    (Ladder.LEADING, 2),
]


def _drama_phone(number: int) -> str:
    """A number from the range Ofcom keeps for drama, so no real phone is ever written down."""
    return f"07700 900{number:03d}"


def demo_client_id(index: int) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"conversation-{index}")


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _w in weighted], weights=[w for _v, w in weighted])[0]


def _moments(rng: random.Random, start: date, end: date, count: int) -> Iterator[datetime]:
    """Times of day organisers knock on doors, more often as a placement gets going."""
    span = max((end - start).days, 1)
    for _index in range(count):
        day = start + timedelta(days=int(span * (rng.random() ** 0.8)))
        if day.weekday() == 6:
            day -= timedelta(days=1)
        minutes = rng.choice([10 * 60, 11 * 60, 13 * 60, 14 * 60, 16 * 60, 17 * 60, 18 * 60])
        minutes += rng.randrange(0, 90)
        yield timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)))


def _streets(rng: random.Random, lsoas: list[Lsoa]) -> dict[int, list[Street]]:
    """Two or three invented streets in each LSOA, at points that the lookup puts inside it."""
    by_lsoa: dict[int, list[Street]] = {}
    names = iter(STREET_NAMES * 8)
    for lsoa in lsoas:
        existing = list(Street.objects.filter(lsoa=lsoa, is_synthetic=True))
        if existing:
            by_lsoa[lsoa.pk] = existing
            continue
        made = []
        for _n in range(rng.choice([2, 3])):
            lon, lat = lsoa.centroid_lon, lsoa.centroid_lat
            for _attempt in range(10):
                candidate = (lon + rng.uniform(-0.002, 0.002), lat + rng.uniform(-0.0015, 0.0015))
                found = locate(*candidate)
                if found is not None and found.lsoa_code == lsoa.code:
                    lon, lat = candidate
                    break
            street, _created = Street.objects.get_or_create(
                name=next(names),
                locality=lsoa.name,
                defaults={"lon": lon, "lat": lat, "lsoa": lsoa, "is_synthetic": True},
            )
            made.append(street)
        by_lsoa[lsoa.pk] = made
    return by_lsoa


@dataclass
class _Place:
    lsoa: Lsoa
    neighbourhood: Any
    postcode: str


def demo_load(*, scale: float = 1.0) -> str:
    """Load the demo once; ``scale`` shrinks the volumes (the tests use a small fraction)."""
    if not Organiser.objects.filter(full_name="Tamsin Okafor-Reeve").exists():
        return "skipped: the programme demo is not loaded"
    seeded = seed_synthetic_postcodes(AUTHORITY_AREAS)
    if Conversation.objects.filter(client_id=demo_client_id(0)).exists():
        return "synthetic conversations already loaded"
    with transaction.atomic():
        summary = _load(random.Random(SEED), scale=scale)
    return f"{summary}; {seeded} synthetic postcodes"


def _postcode_index() -> dict[int, str]:
    """The synthetic postcode of each mapped LSOA, as seeded."""
    result: dict[int, str] = {}
    for code, area in AUTHORITY_AREAS.items():
        lsoas = Lsoa.objects.filter(authority__code=code).exclude(boundary="").order_by("code")
        for index, lsoa_id in enumerate(lsoas.values_list("pk", flat=True)):
            result[lsoa_id] = synthetic_postcode(area, index)
    return result


def _load(rng: random.Random, *, scale: float) -> str:
    today = timezone.localdate()
    postcodes = _postcode_index()
    organisers = list(
        Organiser.objects.filter(full_name__in=VOLUMES)
        .select_related("host", "programme", "supervisor__user", "user")
        .prefetch_related("neighbourhoods__lsoas")
    )
    host_managers = {
        m.organisation_id: m.user
        for m in Membership.objects.filter(role=Role.HOST_MANAGER).select_related("user")
    }
    partners = {o.slug: o for o in Organisation.objects.filter(kind=Organisation.Kind.PARTNER)}
    all_lsoas: list[Lsoa] = []
    places: dict[int, list[_Place]] = {}
    for organiser in organisers:
        options = []
        for neighbourhood in organiser.neighbourhoods.all():
            for lsoa in neighbourhood.lsoas.select_related("ward", "authority"):
                options.append(_Place(lsoa, neighbourhood, postcodes.get(lsoa.pk, "")))
                all_lsoas.append(lsoa)
        places[organiser.pk] = options
    # Streets draw from their own generator, so the conversations are the same whether or not the
    # streets were already there.
    streets = _streets(
        random.Random(SEED + 1), list({lsoa.pk: lsoa for lsoa in all_lsoas}.values())
    )

    conversations: list[Conversation] = []
    residents: list[Resident] = []
    consents: list[tuple[int, Consent, list[Organisation]]] = []
    follow_ups: list[tuple[int, FollowUp]] = []
    equality: list[EqualityMonitoring] = []
    shared: list[tuple[int, list[Organisation]]] = []
    residents_of: list[Resident | None] = []
    phones = iter(range(1000))
    index = 0
    for organiser in sorted(organisers, key=lambda o: o.full_name):
        options = places[organiser.pk]
        if not options:
            continue
        start = organiser.placement_starts_on or organiser.programme.starts_on
        end = min(today - timedelta(days=1), organiser.placement_ends_on or today)
        if end <= start:
            continue
        known: list[Resident] = []
        volume = max(1, round(VOLUMES[organiser.full_name] * scale))
        for moment in _moments(rng, start, end, volume):
            place = rng.choice(options)
            weights = {**DEFAULT_WEIGHTS, **LOCAL_WEIGHTS.get(place.neighbourhood.slug, {})}
            note = generate_conversation(rng, theme_weights=weights)
            mode = _pick(rng, MODES)
            roll = rng.random()
            tier = ConsentTier.ANONYMOUS
            if roll < 0.04:
                tier = ConsentTier.SHAREABLE
            elif roll < 0.27:
                tier = ConsentTier.IDENTIFIED
            found = special_category.categories_in(
                note.loves, note.concerns, note.ideas, note.would_do, note.talk_to
            )
            explicit = bool(found) and rng.random() < 0.5
            withheld = tier != ConsentTier.ANONYMOUS and bool(found) and not explicit
            if withheld:
                tier = ConsentTier.ANONYMOUS
            resident = None
            if tier != ConsentTier.ANONYMOUS:
                if known and rng.random() < 0.18:
                    resident = rng.choice(known)
                else:
                    name = synthetic_name(rng)
                    details = Details(
                        full_name=name,
                        email=f"{name.split()[0].lower()}.{len(residents)}@residents.example"
                        if rng.random() < 0.6
                        else "",
                        phone=_drama_phone(next(phones)) if rng.random() < 0.7 else "",
                        postcode=place.postcode,
                    )
                    resident = Resident(
                        host=organiser.host,
                        full_name=details.full_name,
                        email=details.email,
                        phone=details.phone,
                        postcode=details.postcode,
                        lsoa=place.lsoa,
                        created_by=organiser.user,
                        **resident_keys(details),
                    )
                    residents.append(resident)
                    known.append(resident)
            source = _pick(rng, [(Source.FORM, 72), (Source.OFFLINE, 12), (Source.PAPER, 16)])
            recorder = organiser.user or (
                organiser.supervisor.user if organiser.supervisor else None
            )
            if source == Source.PAPER:
                recorder = host_managers.get(organiser.host_id, recorder)
            keep_exact = rng.random() < 0.2
            street = rng.choice(streets.get(place.lsoa.pk) or [None])
            use_street = street is not None and rng.random() < 0.3
            local_day = timezone.localtime(moment).date()
            conversation = Conversation(
                client_id=demo_client_id(index),
                host=organiser.host,
                programme=organiser.programme,
                programme_year=programme_year_of(
                    local_day, year_starts_month=organiser.programme.year_starts_month
                ),
                organiser=organiser,
                recorded_by=recorder,
                source=source,
                happened_at=moment,
                mode=mode,
                lsoa=None if mode in {Mode.PHONE, Mode.ONLINE} else place.lsoa,
                ward=None if mode in {Mode.PHONE, Mode.ONLINE} else place.lsoa.ward,
                neighbourhood=None if mode in {Mode.PHONE, Mode.ONLINE} else place.neighbourhood,
                authority=None if mode in {Mode.PHONE, Mode.ONLINE} else place.lsoa.authority,
                place_precision=PlacePrecision.NONE
                if mode in {Mode.PHONE, Mode.ONLINE}
                else (PlacePrecision.STREET if use_street else PlacePrecision.POSTCODE),
                location_consent=keep_exact and mode not in {Mode.PHONE, Mode.ONLINE},
                loves=note.loves,
                concerns=note.concerns,
                ideas=note.ideas,
                would_do=note.would_do,
                talk_to=note.talk_to,
                ladder=_pick(rng, LADDER),
                consent_tier=tier,
                name_withheld=withheld,
                special_category_detected=found,
                special_category=bool(found),
                special_category_consent=explicit and resident is not None,
            )
            if conversation.location_consent:
                if use_street:
                    conversation.street = str(street)
                    conversation.lon, conversation.lat = street.lon, street.lat
                else:
                    conversation.postcode = place.postcode
                    conversation.lon = place.lsoa.centroid_lon
                    conversation.lat = place.lsoa.centroid_lat
            conversations.append(conversation)
            residents_of.append(resident)
            if resident is not None:
                chosen = [
                    partners[s] for s in ("avon-somerset-police", "somer-homes") if s in partners
                ]
                named = [rng.choice(chosen)] if tier == ConsentTier.SHAREABLE and chosen else []
                if tier == ConsentTier.SHAREABLE and not named:
                    conversation.consent_tier = ConsentTier.IDENTIFIED
                if named:
                    shared.append((index, named))
                consents.append(
                    (
                        index,
                        Consent(
                            resident=resident,
                            host=organiser.host,
                            purpose=Consent.Purpose.REFERRAL
                            if named
                            else Consent.Purpose.FOLLOW_UP,
                            wording=wording.shareable_wording(
                                organiser.host.name, [p.name for p in named]
                            )
                            if named
                            else wording.identified_wording(organiser.host.name),
                            wording_version=wording.WORDING_VERSION,
                            explicit_special_category=explicit,
                            method=Consent.Method.PAPER
                            if source == Source.PAPER
                            else Consent.Method.IN_PERSON,
                            given_at=moment,
                            taken_by=recorder,
                            taken_by_name=organiser.full_name,
                            how_to_withdraw=wording.how_to_withdraw(organiser.host.name),
                        ),
                        named,
                    )
                )
            if rng.random() < 0.1:
                due = local_day + timedelta(days=rng.choice([7, 14, 21, 28]))
                done = due < today and rng.random() < 0.7
                follow_ups.append(
                    (
                        index,
                        FollowUp(
                            description=rng.choice(
                                [
                                    "Invite to the next residents' meeting",
                                    "Send details of the litter pick",
                                    "Call back about the youth club idea",
                                    "Introduce to the housing association's repairs lead",
                                    "Drop round the bus timetable petition",
                                    "Ask if they would host a street meeting",
                                ]
                            ),
                            due_on=due,
                            assigned_to=organiser,
                            status=FollowUp.Status.DONE if done else FollowUp.Status.OPEN,
                            done_at=timezone.make_aware(datetime.combine(due, time(12)))
                            if done
                            else None,
                        ),
                    )
                )
            if rng.random() < 0.3:
                equality.append(
                    EqualityMonitoring(
                        host=organiser.host,
                        programme=organiser.programme,
                        programme_year=conversation.programme_year,
                        month=local_day.replace(day=1),
                        lsoa=conversation.lsoa,
                        age_band=rng.choice(EqualityMonitoring.AgeBand.values),
                        ethnic_group=rng.choices(
                            EqualityMonitoring.EthnicGroup.values, weights=[3, 2, 3, 86, 2, 4]
                        )[0],
                        disability=rng.choices(
                            EqualityMonitoring.YesNo.values, weights=[22, 70, 8]
                        )[0],
                        sex=rng.choices(EqualityMonitoring.Sex.values, weights=[52, 44, 1, 3])[0],
                        carer=rng.choices(EqualityMonitoring.YesNo.values, weights=[15, 80, 5])[0],
                    )
                )
            index += 1

    Resident.objects.bulk_create(residents, batch_size=1000)
    for conversation, resident in zip(conversations, residents_of, strict=True):
        conversation.resident = resident
    Conversation.objects.bulk_create(conversations, batch_size=1000)
    stored = dict(
        Conversation.objects.filter(client_id__in=[c.client_id for c in conversations]).values_list(
            "client_id", "pk"
        )
    )
    for conversation in conversations:
        conversation.pk = stored[conversation.client_id]
    through = Conversation.shared_with.through
    through.objects.bulk_create(
        [
            through(conversation_id=conversations[i].pk, organisation_id=partner.pk)
            for i, named in shared
            for partner in named
        ]
    )
    shared_slugs = {i: sorted(p.slug for p in named) for i, named in shared}
    ConversationVersion.objects.bulk_create(
        [
            ConversationVersion(
                conversation_id=conversation.pk,
                number=1,
                data={**snapshot(conversation), "shared_with": shared_slugs.get(i, [])},
                changed_by=conversation.recorded_by,
                recorded_at=conversation.happened_at,
            )
            for i, conversation in enumerate(conversations)
        ],
        batch_size=1000,
    )
    for i, consent, _named in consents:
        consent.conversation_id = conversations[i].pk
    Consent.objects.bulk_create([consent for _i, consent, _n in consents], batch_size=1000)
    Consent.partners.through.objects.bulk_create(
        [
            Consent.partners.through(consent_id=consent.pk, organisation_id=partner.pk)
            for _i, consent, named in consents
            for partner in named
        ]
    )
    for i, follow_up in follow_ups:
        follow_up.conversation_id = conversations[i].pk
    FollowUp.objects.bulk_create([f for _i, f in follow_ups], batch_size=1000)
    EqualityMonitoring.objects.bulk_create(equality, batch_size=1000)
    refresh_counting(r.pk for r in residents)
    conversations_changed([c.pk for c in conversations])

    _lookalikes(rng, residents)
    _corrections(rng, conversations)
    _sharing_agreement()
    assignments = _assignments(rng, organisers, streets, today)
    audit_record(
        actor=None,
        action="demo.load",
        object_type="listening",
        object_repr="Synthetic listening conversations",
        changes={"conversations": len(conversations), "residents": len(residents)},
    )
    return (
        f"{len(conversations)} synthetic conversations, {len(residents)} residents, "
        f"{assignments} canvass assignments"
    )


def _lookalikes(rng: random.Random, residents: list[Resident]) -> None:
    """A few residents entered twice (the same name and postcode), for the duplicates page."""
    copies = []
    for original in rng.sample(residents, k=min(6, len(residents))):
        details = Details(full_name=original.full_name, postcode=original.postcode)
        copies.append(
            Resident(
                host_id=original.host_id,
                full_name=original.full_name,
                postcode=original.postcode,
                lsoa_id=original.lsoa_id,
                created_by=original.created_by,
                **resident_keys(details),
            )
        )
    Resident.objects.bulk_create(copies)
    for copy in copies:
        Consent.objects.create(
            resident=copy,
            host_id=copy.host_id,
            purpose=Consent.Purpose.FOLLOW_UP,
            wording=wording.identified_wording(copy.host.name),
            wording_version=wording.WORDING_VERSION,
            given_at=timezone.now() - timedelta(days=rng.randrange(5, 60)),
            taken_by=copy.created_by,
            taken_by_name=str(copy.created_by or "organiser"),
            how_to_withdraw=wording.how_to_withdraw(copy.host.name),
        )


def _corrections(rng: random.Random, conversations: list[Conversation]) -> None:
    """A handful of conversations corrected after the event, so history pages have something."""
    anonymous = [c for c in conversations if c.consent_tier == ConsentTier.ANONYMOUS and c.lsoa_id]
    for conversation in rng.sample(anonymous, k=min(5, len(anonymous))):
        fresh = Conversation.objects.select_related(
            "organiser__host", "organiser__programme", "lsoa", "ward", "neighbourhood", "authority"
        ).get(pk=conversation.pk)
        postcode = _postcode_index().get(fresh.lsoa_id, "")
        data = ConversationInput(
            organiser=fresh.organiser,
            happened_at=fresh.happened_at,
            mode=fresh.mode,
            postcode=postcode,
            loves=fresh.loves,
            concerns=f"{fresh.concerns} Also said the streetlight outside has been out for weeks.",
            ideas=fresh.ideas,
            would_do=fresh.would_do,
            talk_to=fresh.talk_to,
            ladder=fresh.ladder,
        )
        conversation_correct(
            actor=fresh.recorded_by,
            conversation=fresh,
            data=data,
            reason="Added what she said at the end, from my paper notes",
        )


def _sharing_agreement() -> None:
    host = Organisation.objects.filter(slug="regen-bath").first()
    police = Organisation.objects.filter(slug="avon-somerset-police").first()
    housing = Organisation.objects.filter(slug="somer-homes").first()
    if (
        host is None
        or police is None
        or DataSharingAgreement.objects.filter(provider=host).exists()
    ):
        return
    agreement = DataSharingAgreement.objects.create(
        title="Referrals to neighbourhood policing and housing",
        provider=host,
        purpose="So that residents who ask for help with anti-social behaviour or repairs can be "
        "contacted by the right service.",
        lawful_basis="Consent of the resident for a referral",
        fields_shared=["name", "phone", "email", "notes"],
        signed_on=date(2025, 12, 1),
        starts_on=date(2025, 12, 1),
        status=DataSharingAgreement.Status.ACTIVE,
    )
    agreement.recipients.add(*(o for o in (police, housing) if o is not None))


def _assignments(
    rng: random.Random, organisers: list[Organiser], streets: dict[int, list[Street]], today: date
) -> int:
    made = 0
    manager = User.objects.filter(email="host.manager@demo.commonground.test").first()
    for organiser in organisers:
        if organiser.full_name not in {
            "Tamsin Okafor-Reeve",
            "Sol Featherstone",
            "Rhys Lindqvist",
            "Jonah Fairweather-Ng",
        }:
            continue
        lsoas = [lsoa for n in organiser.neighbourhoods.all() for lsoa in n.lsoas.all()]
        if not lsoas:
            continue
        starts = today - timedelta(days=today.weekday() + 7 * 6)
        ends = starts + timedelta(weeks=10, days=-1)
        volunteer = organiser.kind == Organiser.Kind.VOLUNTEER
        assignment = CanvassAssignment.objects.create(
            host=organiser.host,
            organiser=organiser,
            title=f"{lsoas[0].name}: {'two streets' if volunteer else 'autumn round'}",
            starts_on=starts,
            ends_on=ends,
            target_conversations=30 if volunteer else 90,
            target_doors=150 if volunteer else 500,
            created_by=manager,
        )
        if volunteer:
            assignment.streets.set(streets.get(lsoas[0].pk, [])[:2])
        else:
            assignment.lsoas.set(lsoas)
            assignment.streets.set(streets.get(lsoas[0].pk, [])[:1])
        day = starts
        knocks = []
        while day < today:
            if day.weekday() in {1, 3}:
                knocked = rng.randrange(15, 45) if not volunteer else rng.randrange(5, 15)
                knocks.append(
                    DoorKnock(
                        assignment=assignment,
                        knocked_on=day,
                        doors_knocked=knocked,
                        doors_answered=int(knocked * rng.uniform(0.3, 0.55)),
                        recorded_by=organiser.user or manager,
                    )
                )
            day += timedelta(days=1)
        DoorKnock.objects.bulk_create(knocks)
        made += 1
    return made
