"""The action app's part of the synthetic demo.

Matters routed to the council and partners (some acknowledged, some resolved with public notes, one
overdue, a pair offered for merging), routing rules and default owners, groups with their services
in the directory feed, a patch network, community projects such as Proud of Your Doorstep clean-ups,
three Connecting Communities clusters with meetings, minutes and actions, action plans, ideas turned
into business cases and a toolkit. Every person is invented; matters use the demo's own
conversations. Dates are set relative to today so that "overdue" means something whenever the demo
is loaded. Running it again changes nothing that is there.
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from commonground.accounts.models import ApiToken, User
from commonground.insight.models import Theme
from commonground.listening.models import Conversation, Resident
from commonground.places.models import LocalAuthority, Neighbourhood, Ward
from commonground.programme.models import Organisation, Organiser, Programme

from . import services
from .models import (
    ActionPlan,
    ActionPlanItem,
    Forum,
    ForumAction,
    Group,
    Idea,
    Involvement,
    Matter,
    MatterCategory,
    MatterUpdate,
    Project,
    RoutingDefault,
    RoutingRule,
    ToolkitEntry,
)

SEED = 20261124
DEMO_DOMAIN = "demo.commonground.test"
OPEN311_DEMO_KEY = "demo-open311-key-not-a-secret"

CATEGORIES = [
    # theme slug, service code, target days, group, keywords
    ("fly-tipping", "fly-tipping", 5, "Streets", "dumping, rubbish, mattress"),
    ("litter-and-street-cleaning", "litter", 7, "Streets", "litter, bins, sweeping"),
    ("street-lights", "street-lights", 10, "Streets", "lamp, lighting, dark"),
    ("road-surface-defects", "potholes", 20, "Roads", "pothole, road, surface"),
    ("pavement-and-footway-defects", "pavements", 20, "Roads", "pavement, kerb, trip"),
    ("graffiti", "graffiti", 10, "Streets", "tagging, spray paint"),
    ("dog-fouling", "dog-fouling", 7, "Streets", "dog mess"),
    ("safety-and-anti-social-behaviour", "anti-social-behaviour", 14, "Safety", "ASB, nuisance"),
    ("transport-and-buses", "buses", 28, "Getting about", "bus route, timetable"),
    ("housing", "housing-repairs", 20, "Homes", "damp, repairs"),
    ("parking", "parking", 14, "Roads", "parking, cars"),
    ("green-spaces", "parks", 20, "Parks", "park, play area, trees"),
]

RULES = [
    # category code (None = any), area kind, area key, partner slug, team, owner local part
    ("fly-tipping", None, None, "banes-council", "Waste and Street Cleansing", None),
    ("litter", None, None, "banes-council", "Waste and Street Cleansing", None),
    ("street-lights", None, None, "banes-council", "Highways – Street Lighting", None),
    ("potholes", None, None, "banes-council", "Highways Maintenance", None),
    ("pavements", None, None, "banes-council", "Highways Maintenance", None),
    (
        "anti-social-behaviour",
        None,
        None,
        "avon-somerset-police",
        "Neighbourhood Policing",
        "partner.officer",
    ),
    (
        "anti-social-behaviour",
        "neighbourhood",
        "radstock",
        "avon-somerset-police",
        "Somer Valley Neighbourhood Team",
        "partner.officer",
    ),
    ("buses", None, None, "banes-council", "Passenger Transport", None),
    ("housing-repairs", "neighbourhood", "foxhill-and-odd-down", "somer-homes", "Repairs", None),
    ("parks", None, None, "banes-council", "Parks and Green Spaces", None),
]

MATTERS = [
    # title, category code, neighbourhood, days ago, status, public note, address
    (
        "Fly-tipping behind the Whiteway Road shops",
        "fly-tipping",
        "whiteway",
        9,
        "resolved",
        "Cleared on Tuesday; the alley is now on the weekly inspection round and a camera is being considered.",
        "Service lane behind the shops",
    ),
    (
        "Mattresses dumped by the garages on the upper estate",
        "fly-tipping",
        "whiteway",
        3,
        "new",
        "",
        "Garage block, upper estate",
    ),
    (
        "Rubbish left at the garage block after clear-out",
        "fly-tipping",
        "whiteway",
        1,
        "new",
        "",
        "Garage block, upper estate",
    ),
    (
        "Street lights out along the footpath to the school",
        "street-lights",
        "whiteway",
        24,
        "in_progress",
        "Engineers found a cable fault; a repair is booked with the power network.",
        "Footpath to the primary school",
    ),
    (
        "Young people gathering and fires lit in the recreation ground",
        "anti-social-behaviour",
        "radstock",
        20,
        "acknowledged",
        "The Somer Valley team will add evening patrols and meet the youth club.",
        "Recreation ground",
    ),
    (
        "Evening bus to Bath withdrawn",
        "buses",
        "timsbury-farmborough-camerton",
        45,
        "in_progress",
        "Talking to the operator about a later journey funded with the parish.",
        "",
    ),
    (
        "Damp and mould in the flats on the hill",
        "housing-repairs",
        "foxhill-and-odd-down",
        35,
        "acknowledged",
        "Surveys booked for every block.",
        "Hillside flats",
    ),
    (
        "Potholes on the road by the community centre",
        "potholes",
        "london-road-and-snowhill",
        50,
        "resolved",
        "Resurfaced in October.",
        "Road by the community centre",
    ),
    (
        "Motorbikes ridden across the green at night",
        "anti-social-behaviour",
        "whiteway",
        2,
        "new",
        "",
        "The green by the upper estate",
    ),
    (
        "Play area fence broken",
        "parks",
        "foxhill-and-odd-down",
        30,
        "new",
        "",
        "Play area",
    ),
    (
        "Litter around the bus shelter",
        "litter",
        "radstock",
        6,
        "new",
        "",
        "Bus shelter by the market place",
    ),
]

GROUPS = [
    # slug, name, kind, host, neighbourhood, formed months ago, published, supporters, description
    (
        "whiteway-residents-association",
        "Whiteway Residents' Association",
        Group.Kind.ASSOCIATION,
        "regen-bath",
        "whiteway",
        14,
        True,
        ["banes-council", "avon-somerset-police"],
        "Residents who meet monthly at the community centre to take up what neighbours raise.",
    ),
    (
        "proud-of-your-doorstep-whiteway",
        "Proud of Your Doorstep Whiteway",
        Group.Kind.FRIENDS,
        "regen-bath",
        "whiteway",
        10,
        True,
        ["banes-council", "somer-homes"],
        "Neighbours who organise litter picks and clean-ups of the alleys and green spaces.",
    ),
    (
        "upper-whiteway-house-group",
        "Upper Whiteway house group",
        Group.Kind.HOUSE_GROUP,
        "regen-bath",
        "whiteway",
        4,
        False,
        [],
        "A house group that grew from doorstep conversations about the garages.",
    ),
    (
        "foxhill-growers",
        "Foxhill Growers",
        Group.Kind.CLUB,
        "regen-bath",
        "foxhill-and-odd-down",
        7,
        True,
        ["somer-homes"],
        "A gardening club turning a patch of grass into a pocket park and growing space.",
    ),
    (
        "radstock-youth-club-friends",
        "Friends of Radstock Youth Club",
        Group.Kind.FRIENDS,
        "regen-bath",
        "radstock",
        5,
        True,
        ["avon-somerset-police", "avon-fire"],
        "Parents and young people reopening the youth club in the church hall.",
    ),
    (
        "timsbury-bus-users",
        "Timsbury Bus Users",
        Group.Kind.RESIDENTS,
        "regen-bath",
        "timsbury-farmborough-camerton",
        3,
        False,
        [],
        "Residents campaigning to bring back the evening bus.",
    ),
    (
        "whipton-community-larder",
        "Whipton Community Larder",
        Group.Kind.SOCIAL_ENTERPRISE,
        "whipton-together",
        "whipton",
        18,
        True,
        ["exeter-council"],
        "A pay-what-you-can food larder run by volunteers, now a community interest company.",
    ),
]

ACTIVITIES = [
    # group slug, name, is_service, schedule, venue, address, town, postcode
    (
        "proud-of-your-doorstep-whiteway",
        "Monthly litter pick",
        True,
        "First Saturday of the month, 10:00 to 12:00",
        "Whiteway Community Centre (demo venue)",
        "1 Demo Walk",
        "Bath",
        "BA2 9ZZ",
    ),
    (
        "whiteway-residents-association",
        "Residents' meeting",
        False,
        "Second Tuesday, 19:00",
        "Whiteway Community Centre (demo venue)",
        "",
        "",
        "",
    ),
    (
        "foxhill-growers",
        "Growing sessions",
        True,
        "Wednesdays 14:00 to 16:00, March to October",
        "Foxhill pocket park (demo)",
        "2 Demo Green",
        "Bath",
        "BA2 9ZY",
    ),
    (
        "radstock-youth-club-friends",
        "Youth club",
        True,
        "Thursdays 18:30 to 20:30 in term time",
        "Church hall (demo venue)",
        "3 Demo Street",
        "Radstock",
        "BA3 9ZZ",
    ),
    (
        "whipton-community-larder",
        "Community larder",
        True,
        "Tuesdays and Fridays, 10:00 to 13:00",
        "Whipton community hub (demo venue)",
        "4 Demo Road",
        "Exeter",
        "EX4 9ZZ",
    ),
]

TOOLKIT = [
    # title, kind, summary, themes, area types, body
    (
        "Proud of Your Doorstep: how Whiteway organised its clean-ups",
        ToolkitEntry.Kind.CASE_STUDY,
        "Neighbours, the council's cleansing team and the housing association cleared alleys and kept them clear.",
        ["litter-and-street-cleaning", "fly-tipping"],
        ["city_town"],
        "Doorstep conversations kept coming back to rubbish in the alleys behind the houses. The organiser "
        "brought the people who had raised it together in a front room.\n\n"
        "The group chose one alley, agreed a date with the council's cleansing team, who lent pickers and "
        "took the bags away, and asked the housing association to fix the broken gate.\n\n"
        "What made it last: a monthly date everybody knows, a shared e-mail address for the group, and a "
        "named officer at the council who answers within a week.",
    ),
    (
        "Running a house meeting",
        ToolkitEntry.Kind.HOW_TO,
        "Bring six to ten neighbours together in someone's home to turn a shared worry into a plan.",
        ["loneliness-and-isolation", "community-spaces"],
        ["city_town", "town_fringe", "village"],
        "Invite the people who raised the same thing on the doorstep. Keep it to an hour.\n\n"
        "Start with stories: why does this matter to you? Then agree one thing the group can do itself "
        "in the next month, and one thing to ask a public service for.\n\n"
        "Write down who will do what by when, and meet again.",
    ),
    (
        "Setting up a community larder",
        ToolkitEntry.Kind.CASE_STUDY,
        "How Whipton's larder went from a table in a hall to a community interest company.",
        ["cost-of-living"],
        ["city_town"],
        "The larder began as a volunteer table twice a week with surplus food from two supermarkets.\n\n"
        "After a year the volunteers formed a community interest company so they could rent the hub and "
        "apply for grants in their own name. Organisers stepped back; the larder now runs itself.",
    ),
    (
        "Getting a bus route back",
        ToolkitEntry.Kind.HOW_TO,
        "Evidence the need, talk to the operator and find a way to share the cost.",
        ["transport-and-buses"],
        ["village", "town_fringe"],
        "Count who would use the journey and when: a simple survey at the stop and on the doorstep.\n\n"
        "Meet the operator with the council's passenger transport team. Parish councils can sometimes "
        "share the cost of a later journey for a trial.",
    ),
    (
        "Reopening a youth club in a village hall",
        ToolkitEntry.Kind.HOW_TO,
        "Volunteers, safeguarding, insurance and a first term.",
        ["youth-provision"],
        ["town_fringe", "village"],
        "Find two or three adults willing to lead and ask young people what they want.\n\n"
        "Sort safeguarding checks and insurance before the first session; the council's youth service "
        "and the fire service's schools team can help with activities.",
    ),
    (
        "Taking on a community hall",
        ToolkitEntry.Kind.CASE_STUDY,
        "A community asset transfer from the first conversation to the keys.",
        ["community-spaces"],
        ["town_fringe", "village"],
        "The council's asset transfer programme lets community groups take on buildings. The group "
        "needed a business plan, a constitution and a lease; the organiser helped with the first and "
        "the council's property team with the last.",
    ),
]

IDEAS = [
    # title, service, change, neighbourhood, organiser name, status, cost, est, realised, days ago, due in days
    (
        "Collect bulky waste from the garage blocks once a month",
        "Waste collection",
        "A monthly free bulky waste collection point at the garage blocks instead of clearing fly-tips.",
        "whiteway",
        "Tamsin Okafor-Reeve",
        Idea.Status.PILOTING,
        "4500",
        "18000",
        None,
        120,
        -60,
    ),
    (
        "Let the residents' association look after the green",
        "Grounds maintenance",
        "A licence for the association to mow and plant the green, with the council supplying tools.",
        "whiteway",
        "Tamsin Okafor-Reeve",
        Idea.Status.ADOPTED,
        "1200",
        "6500",
        "5800",
        300,
        -240,
    ),
    (
        "Youth workers at the recreation ground on Friday evenings",
        "Youth service and policing",
        "Detached youth work on Friday evenings jointly funded by the police and the council.",
        "radstock",
        "Priya Castellano",
        Idea.Status.ASSESSED,
        "9000",
        "14000",
        None,
        50,
        6,
    ),
    (
        "Share the cost of a later bus with the parishes",
        "Passenger transport",
        "A 21:30 journey from Bath for a year's trial, cost shared with three parish councils.",
        "timsbury-farmborough-camerton",
        "Owain Matsuda",
        Idea.Status.IDEA,
        "22000",
        None,
        None,
        70,
        -14,
    ),
    (
        "Damp checks at the same visit as gas safety checks",
        "Housing repairs",
        "Add a damp and mould check to the yearly gas safety visit to catch problems early.",
        "foxhill-and-odd-down",
        "Rhys Lindqvist",
        Idea.Status.APPROVED,
        "3000",
        "25000",
        None,
        90,
        -30,
    ),
    (
        "Close the road outside the school at home time",
        "Highways",
        "A school street closure at drop-off and pick-up times.",
        "london-road-and-snowhill",
        "Bethan Adeyemi-Clark",
        Idea.Status.REJECTED,
        "15000",
        "0",
        None,
        150,
        -90,
    ),
]


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _months_ago(months: int) -> date:
    return timezone.localdate() - timedelta(days=30 * months)


def _conversations_in(neighbourhood: Neighbourhood, count: int, rng: random.Random) -> list[Any]:
    pool = list(
        Conversation.objects.filter(neighbourhood=neighbourhood)
        .order_by("pk")
        .values_list("pk", flat=True)[:60]
    )
    chosen = rng.sample(pool, min(count, len(pool)))
    return list(Conversation.objects.filter(pk__in=chosen))


def _categories() -> dict[str, MatterCategory]:
    found: dict[str, MatterCategory] = {}
    for slug, code, days, group, keywords in CATEGORIES:
        theme = Theme.objects.filter(slug=slug).first()
        if theme is None:
            continue
        category = (
            MatterCategory.objects.filter(service_code=code).first()
            or MatterCategory.objects.filter(theme=theme).first()
        )
        if category is None:
            category = services.matter_category_create(
                actor=None,
                theme=theme,
                service_code=code,
                target_days=days,
                group=group,
                keywords=keywords,
                description=theme.description,
            )
        found[code] = category
    return found


def _routing(
    organisations: dict[str, Organisation],
    categories: dict[str, MatterCategory],
    users: dict[str, User],
) -> None:
    council = organisations["banes-council"]
    if not RoutingRule.objects.filter(council=council).exists():
        for code, kind, key, partner, team, owner in RULES:
            if code and code not in categories:
                continue
            area: dict[str, Any] = {}
            if kind == "neighbourhood":
                area["neighbourhood"] = Neighbourhood.objects.get(slug=key)
            services.routing_rule_create(
                actor=None,
                council=council,
                category=categories.get(code) if code else None,
                authority=council.authority,
                partner=organisations[partner],
                team=team,
                owner=users.get(owner) if owner else None,
                **area,
            )
    if not RoutingDefault.objects.filter(authority=council.authority).exists():
        services.routing_default_set(
            actor=None,
            council=council,
            authority=council.authority,
            organisation=council,
            team="Community Engagement",
            owner=users["council.officer"],
        )
    exeter = organisations.get("exeter-council")
    if (
        exeter is not None
        and not RoutingDefault.objects.filter(authority=exeter.authority).exists()
    ):
        services.routing_default_set(
            actor=None,
            council=exeter,
            authority=exeter.authority,
            organisation=exeter,
            team="Communities",
            owner=users["admin"],
        )


def _matters(
    categories: dict[str, MatterCategory], users: dict[str, User], rng: random.Random
) -> int:
    made = 0
    for title, code, slug, days_ago, status, note, address in MATTERS:
        if Matter.objects.filter(title=title).exists() or code not in categories:
            continue
        neighbourhood = Neighbourhood.objects.get(slug=slug)
        conversations = _conversations_in(neighbourhood, rng.randint(2, 7), rng)
        raiser = users["host.manager"]
        matter = services.matter_raise(
            actor=raiser,
            title=title,
            description=f"{title}. Residents raised this on the doorstep in {neighbourhood.name}.",
            category=categories[code],
            conversations=conversations,
            neighbourhood=neighbourhood,
            address=address,
            source=Matter.Source.SITE if conversations else Matter.Source.OPEN311,
            outside_reports=0 if conversations else rng.randint(1, 3),
        )
        raised_at = _at(timezone.localdate() - timedelta(days=days_ago), rng.randint(9, 17))
        Matter.objects.filter(pk=matter.pk).update(
            raised_at=raised_at, due_at=raised_at + timedelta(days=categories[code].target_days)
        )
        MatterUpdate.objects.filter(matter=matter).update(at=raised_at)
        matter.refresh_from_db()
        actor = matter.owner or next(
            (
                u
                for u in users.values()
                if u.memberships.filter(organisation=matter.routed_to).exists()
            ),
            users["admin"],
        )
        if status in {"acknowledged", "in_progress", "resolved"}:
            services.matter_acknowledge(actor=actor, matter=matter)
        if status == "in_progress":
            services.matter_update_status(
                actor=actor, matter=matter, status=Matter.Status.IN_PROGRESS, public_note=note
            )
        if status == "acknowledged" and note:
            services.matter_update_status(
                actor=actor, matter=matter, status=Matter.Status.ACKNOWLEDGED, public_note=note
            )
        if status == "resolved":
            services.matter_close(
                actor=actor, matter=matter, outcome=Matter.Status.RESOLVED, public_note=note
            )
            Matter.objects.filter(pk=matter.pk).update(
                closed_at=raised_at + timedelta(days=max(1, days_ago // 2))
            )
        made += 1
    return made


def _groups(
    organisations: dict[str, Organisation], users: dict[str, User], rng: random.Random
) -> int:
    made = 0
    for slug, name, kind, host, neighbourhood, months, published, supporters, description in GROUPS:
        if Group.objects.filter(slug=slug).exists() or host not in organisations:
            continue
        group = services.group_create(
            actor=None,
            name=name,
            host=organisations[host],
            kind=kind,
            description=description,
            neighbourhood=Neighbourhood.objects.filter(slug=neighbourhood).first(),
            supporting_organisations=[organisations[s] for s in supporters if s in organisations],
            formed_on=_months_ago(months),
            email=f"{slug}@groups.{DEMO_DOMAIN}" if published else "",
            is_published=published,
        )
        Group.objects.filter(pk=group.pk).update(slug=slug)
        made += 1
    for group_slug, name, is_service, schedule, venue, address, town, postcode in ACTIVITIES:
        group = Group.objects.filter(slug=group_slug).first()
        if group is None or group.activities.filter(name=name).exists():
            continue
        services.group_activity_add(
            actor=None,
            group=group,
            name=name,
            is_service=is_service,
            schedule=schedule,
            venue=venue,
            address=address,
            town=town,
            postcode=postcode,
            description=f"{name} run by {group.name}.",
        )
    _people_and_links(organisations, rng)
    return made


def _people_and_links(organisations: dict[str, Organisation], rng: random.Random) -> None:
    """Residents the demo host already holds (with consent) join groups; links are brokered."""
    host = organisations["regen-bath"]
    if Involvement.objects.filter(group__host=host).exists():
        return
    residents = list(
        Resident.objects.filter(
            host=host, merged_into__isnull=True, contact_removed_at__isnull=True
        ).order_by("pk")[:40]
    )
    groups = list(Group.objects.filter(host=host).order_by("pk"))
    organiser = Organiser.objects.filter(full_name="Tamsin Okafor-Reeve").first()
    today = timezone.localdate()
    for index, resident in enumerate(residents):
        group = groups[index % len(groups)]
        started = today - timedelta(days=rng.randint(10, 330))
        role = Involvement.Role.LEADER if index % 7 == 0 else Involvement.Role.MEMBER
        services.involvement_add(
            actor=None,
            group=group,
            resident=resident,
            role=role,
            started_on=started,
            consent_given_on=started,
        )
    whiteway = Neighbourhood.objects.filter(slug="whiteway").first()
    in_whiteway = [g for g in groups if g.neighbourhood_id == (whiteway.pk if whiteway else None)]
    links = (
        [
            (
                in_whiteway[0],
                organisations["somer-homes"],
                "Met the housing officer about the garages",
            ),
            (in_whiteway[1], organisations["banes-council"], "Cleansing team lends litter pickers"),
            (in_whiteway[0], in_whiteway[1], "Association backs the monthly litter pick"),
            (in_whiteway[-1], in_whiteway[0], "House group brought the garages to the association"),
        ]
        if len(in_whiteway) >= 3
        else []
    )
    for index, resident in enumerate(residents[:6]):
        if whiteway is not None and in_whiteway:
            links.append(
                (resident, in_whiteway[index % len(in_whiteway)], "Introduced at a house meeting")
            )
    for number, (start, end, description) in enumerate(links):
        services.network_link_add(
            actor=None,
            host=host,
            made_on=today - timedelta(days=20 + 27 * number),
            from_end=start,
            to_end=end,
            description=description,
            brokered_by=organiser,
            neighbourhood=whiteway,
        )


def _toolkit(organisations: dict[str, Organisation]) -> dict[str, ToolkitEntry]:
    entries: dict[str, ToolkitEntry] = {}
    for title, kind, summary, themes, area_types, body in TOOLKIT:
        entry = ToolkitEntry.objects.filter(title=title).first()
        if entry is None:
            entry = services.toolkit_entry_create(
                actor=None,
                title=title,
                kind=kind,
                summary=summary,
                body=body,
                themes=Theme.objects.filter(slug__in=themes),
                area_types=area_types,
                organisation=organisations.get("regen-bath"),
            )
        entries[title] = entry
    return entries


def _demo_photo() -> tuple[io.BytesIO, int]:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (0, 112, 60))
    draw = ImageDraw.Draw(image)
    for index in range(8):
        draw.rectangle([30 + index * 55, 200, 60 + index * 55, 290], fill=(11, 12, 12))
    draw.ellipse([360, 30, 440, 110], fill=(255, 221, 0))
    data = io.BytesIO()
    image.save(data, format="PNG")
    size = data.tell()
    data.seek(0)
    return data, size


def _projects(
    organisations: dict[str, Organisation],
    toolkit: dict[str, ToolkitEntry],
    users: dict[str, User],
    rng: random.Random,
) -> int:
    if Project.objects.filter(slug="proud-of-your-doorstep-whiteway-clean-ups").exists():
        return 0
    host = organisations["regen-bath"]
    today = timezone.localdate()
    whiteway = Neighbourhood.objects.get(slug="whiteway")
    doorstep = services.project_create(
        actor=users["organiser"],
        title="Proud of Your Doorstep: Whiteway clean-ups",
        summary="Neighbours clear the alleys and green spaces every month with the council and the housing association.",
        aims="Clear the alleys residents named on the doorstep, keep them clear, and hand the litter picks to the group.",
        host=host,
        lead_group=Group.objects.get(slug="proud-of-your-doorstep-whiteway"),
        neighbourhood=whiteway,
        themes=Theme.objects.filter(slug__in=["litter-and-street-cleaning", "fly-tipping"]),
        conversations=_conversations_in(whiteway, 8, rng),
        toolkit_entries=[toolkit["Proud of Your Doorstep: how Whiteway organised its clean-ups"]],
        status=Project.Status.ACTIVE,
        starts_on=today - timedelta(days=280),
    )
    services.project_update(
        actor=None,
        project=doorstep,
        data={
            "sustainability": Project.Sustainability.VOLUNTEER_LED,
            "sustainability_note": "Volunteers now plan the picks themselves; the organiser only attends the first of each quarter.",
        },
    )
    for title, offset, status in [
        ("First clean-up of the service lane", -250, "done"),
        ("Council agrees to lend pickers and collect bags", -220, "done"),
        ("Group chooses its own dates", -90, "done"),
        ("Gate to the alley repaired by the housing association", -10, "in_progress"),
        ("Planting in the cleared corner", 40, "planned"),
    ]:
        milestone = services.milestone_add(
            actor=None, project=doorstep, title=title, due_on=today + timedelta(days=offset)
        )
        if status != "planned":
            services.milestone_update(actor=None, milestone=milestone, status=status)
    for weeks in range(0, 36, 4):
        day = today - timedelta(weeks=weeks + 1)
        event = services.project_event_add(
            actor=None,
            project=doorstep,
            title="Monthly litter pick",
            starts_at=_at(day, 10),
            place="Service lane behind the shops",
            attendance=rng.randint(8, 22),
        )
        volunteers = rng.randint(6, 15)
        services.volunteer_time_add(
            actor=None,
            project=doorstep,
            worked_on=day,
            volunteers=volunteers,
            hours=Decimal(volunteers * 2),
            event=event,
        )
    services.outcome_add(
        actor=None,
        project=doorstep,
        description="Bags of litter collected",
        value=Decimal(212),
        unit="bags",
        recorded_on=today - timedelta(days=7),
    )
    services.outcome_add(
        actor=None,
        project=doorstep,
        description="Fly-tipping reports in the lane fell after clean-ups began",
        recorded_on=today - timedelta(days=7),
    )
    photo, size = _demo_photo()
    services.project_photo_add(
        actor=None,
        project=doorstep,
        name="clean-up.png",
        stream=photo,
        size=size,
        caption="Bags lined up after the October pick (illustration)",
        alt_text="A row of full black bin bags on a green verge",
        everyone_agreed=True,
    )

    foxhill = Neighbourhood.objects.get(slug="foxhill-and-odd-down")
    services.project_create(
        actor=users["organiser"],
        title="Foxhill pocket park",
        summary="Turning a patch of grass into a small park with growing beds and benches.",
        aims="A safe green space with seats and raised beds, designed and looked after by neighbours.",
        host=host,
        lead_group=Group.objects.get(slug="foxhill-growers"),
        neighbourhood=foxhill,
        themes=Theme.objects.filter(slug__in=["green-spaces"]),
        conversations=_conversations_in(foxhill, 5, rng),
        status=Project.Status.PLANNING,
        starts_on=today - timedelta(days=60),
        needs_help=True,
        help_wanted="Someone with carpentry skills to build raised beds; a grant for benches.",
    )
    radstock = Neighbourhood.objects.get(slug="radstock")
    youth = services.project_create(
        actor=users["organiser"],
        title="Radstock youth club reopening",
        summary="Parents and young people reopened the youth club in the church hall.",
        aims="A weekly club run by trained volunteers, with the police and fire service joining some sessions.",
        host=host,
        lead_group=Group.objects.get(slug="radstock-youth-club-friends"),
        neighbourhood=radstock,
        themes=Theme.objects.filter(
            slug__in=["youth-provision", "safety-and-anti-social-behaviour"]
        ),
        conversations=_conversations_in(radstock, 6, rng),
        toolkit_entries=[toolkit["Reopening a youth club in a village hall"]],
        status=Project.Status.ACTIVE,
        starts_on=today - timedelta(days=120),
        needs_help=True,
        help_wanted="Two more adult volunteers for Thursday evenings.",
    )
    services.milestone_add(
        actor=None,
        project=youth,
        title="Safeguarding training for volunteers",
        due_on=today - timedelta(days=14),
    )
    whipton = Neighbourhood.objects.filter(slug="whipton").first()
    if "whipton-together" in organisations:
        larder = services.project_create(
            actor=None,
            title="Whipton community larder",
            summary="A pay-what-you-can larder that now runs as a community interest company.",
            aims="Affordable food for neighbours, run by neighbours.",
            host=organisations["whipton-together"],
            lead_group=Group.objects.get(slug="whipton-community-larder"),
            neighbourhood=whipton,
            themes=Theme.objects.filter(slug__in=["cost-of-living"]),
            toolkit_entries=[toolkit["Setting up a community larder"]],
            status=Project.Status.COMPLETED,
            starts_on=today - timedelta(days=540),
            ends_on=today - timedelta(days=60),
        )
        services.project_update(
            actor=None,
            project=larder,
            data={
                "sustainability": Project.Sustainability.SOCIAL_ENTERPRISE,
                "sustainability_note": "Registered as a community interest company; rents the hub itself.",
            },
        )
    return Project.objects.count()


def _forums(organisations: dict[str, Organisation], users: dict[str, User]) -> int:
    council = organisations["banes-council"]
    authority = council.authority
    made = 0
    clusters = [
        (
            "somer-valley-cluster",
            "Somer Valley Cluster",
            "The Connecting Communities cluster for Radstock, Midsomer Norton, Paulton, Peasedown and Timsbury.",
            organisations.get("somer-valley-forum"),
            ["radstock", "timsbury-farmborough-camerton"],
            [
                "Radstock",
                "Midsomer Norton North",
                "Midsomer Norton Redfield",
                "Paulton",
                "Peasedown",
                "Timsbury",
            ],
        ),
        (
            "keynsham-area-cluster",
            "Keynsham Area Cluster",
            "The Connecting Communities cluster for Keynsham and Saltford.",
            None,
            [],
            ["Keynsham East", "Keynsham North", "Keynsham South", "Saltford"],
        ),
        (
            "chew-valley-cluster",
            "Chew Valley Cluster",
            "The Connecting Communities cluster for the Chew Valley villages.",
            None,
            [],
            ["Chew Valley", "Publow & Whitchurch", "Clutton & Farmborough"],
        ),
    ]
    for slug, name, description, organisation, neighbourhoods, wards in clusters:
        if Forum.objects.filter(slug=slug).exists():
            continue
        forum = services.forum_create(
            actor=None,
            name=name,
            council=council,
            authority=authority,
            description=description,
            organisation=organisation,
            neighbourhoods=Neighbourhood.objects.filter(slug__in=neighbourhoods),
            wards=Ward.objects.filter(authority=authority, name__in=wards),
        )
        Forum.objects.filter(pk=forum.pk).update(slug=slug)
        forum.refresh_from_db()
        for member, sector, represents, org in [
            ("Cllr Morwenna Tilbury (demo)", "councillor", "Radstock ward", "banes-council"),
            ("Jago Penhallow (demo)", "parish", "A parish council in the cluster", None),
            (
                "PCSO Delia Marchbank (demo)",
                "police",
                "Neighbourhood policing",
                "avon-somerset-police",
            ),
            ("Station Manager Obi Ferrand (demo)", "fire", "Community fire safety", "avon-fire"),
            ("Dr Anwen Castell (demo)", "nhs", "Primary care network", "banes-ccg"),
            ("Rosalind Quarry (demo)", "housing", "Neighbourhood housing", "somer-homes"),
            ("Hattie Quennell", "community", "Community groups", None),
        ]:
            services.forum_member_add(
                actor=None,
                forum=forum,
                name=member,
                sector=sector,
                represents=represents,
                organisation=organisations.get(org) if org else None,
                joined_on=_months_ago(8),
            )
        today = timezone.localdate()
        past = services.meeting_create(
            actor=None,
            forum=forum,
            starts_at=_at(today - timedelta(days=49), 18),
            ends_at=_at(today - timedelta(days=49), 20),
            place="Community hall (demo venue)",
        )
        services.meeting_publish_agenda(actor=None, meeting=past)
        services.meeting_record_minutes(
            actor=None,
            meeting=past,
            minutes="Members heard what organisers are hearing on the doorstep. The police reported on evening patrols. "
            "The cluster agreed the actions below and to take the bus evidence to the operator.",
        )
        for description, owner, org, due_days, status in [
            (
                "Bring bus usage evidence to the operator",
                "Passenger Transport",
                "banes-council",
                -10,
                "open",
            ),
            (
                "Evening patrols at the recreation ground for six weeks",
                "PCSO",
                "avon-somerset-police",
                20,
                "open",
            ),
            (
                "Fire safety talk at the youth club",
                "Community fire safety",
                "avon-fire",
                -20,
                "done",
            ),
            ("Map empty community spaces in the cluster", "Parish councils", None, -5, "open"),
        ]:
            action = services.forum_action_add(
                actor=None,
                forum=forum,
                description=description,
                owner=owner,
                owner_organisation=organisations.get(org) if org else None,
                due_on=timezone.localdate() + timedelta(days=due_days),
                raised_at=past,
            )
            if status == "done":
                services.forum_action_update(
                    actor=None,
                    action=action,
                    status=ForumAction.Status.DONE,
                    progress_note="Held in October.",
                )
        services.meeting_create(
            actor=None,
            forum=forum,
            starts_at=_at(today + timedelta(days=16), 18),
            ends_at=_at(today + timedelta(days=16), 20),
            place="Community hall (demo venue)",
        )
        made += 1
    _plans(organisations)
    return made


def _plans(organisations: dict[str, Organisation]) -> None:
    forum = Forum.objects.filter(slug="somer-valley-cluster").first()
    today = timezone.localdate()
    if forum is not None and not ActionPlan.objects.filter(forum=forum).exists():
        plan = services.action_plan_create(
            actor=None,
            title="Somer Valley Cluster action plan",
            starts_on=today - timedelta(days=400),
            forum=forum,
            description="What the cluster's partners agreed to do together, reviewed every six months.",
        )
        _plan_items(
            plan,
            organisations,
            [
                (
                    "Reopen a youth club in each town",
                    "Youth service",
                    "banes-council",
                    120,
                    "on_track",
                ),
                (
                    "Bring back the evening bus",
                    "Passenger Transport",
                    "banes-council",
                    -30,
                    "at_risk",
                ),
                (
                    "Joint patrols at hot spots",
                    "Neighbourhood policing",
                    "avon-somerset-police",
                    -60,
                    "done",
                ),
                (
                    "Home fire safety visits for older residents",
                    "Community fire safety",
                    "avon-fire",
                    90,
                    "on_track",
                ),
                ("Community space directory", "Parish councils", None, -5, "not_started"),
            ],
        )
    programme = Programme.objects.filter(slug="better-together").first()
    if programme is not None and not ActionPlan.objects.filter(programme=programme).exists():
        plan = services.action_plan_create(
            actor=None,
            title="Better Together delivery plan",
            starts_on=programme.starts_on,
            programme=programme,
            description="The programme's commitments from the business case, with progress.",
        )
        _plan_items(
            plan,
            organisations,
            [
                (
                    "Listen to 500 residents in each neighbourhood",
                    "Host Manager",
                    "regen-bath",
                    200,
                    "on_track",
                ),
                (
                    "Five business cases for service improvements",
                    "Strategy and Performance",
                    "banes-council",
                    150,
                    "at_risk",
                ),
                (
                    "Share themes with partners every quarter",
                    "Host Manager",
                    "regen-bath",
                    -40,
                    "done",
                ),
            ],
        )


def _plan_items(
    plan: ActionPlan, organisations: dict[str, Organisation], items: list[tuple]
) -> None:
    today = timezone.localdate()
    for title, owner, org, due_days, status in items:
        item = services.action_plan_item_add(
            actor=None,
            plan=plan,
            title=title,
            owner=owner,
            organisation=organisations.get(org) if org else None,
            due_on=today + timedelta(days=due_days),
        )
        ActionPlanItem.objects.filter(pk=item.pk).update(
            created_at=timezone.now() - timedelta(days=380)
        )
        item.refresh_from_db()
        if status != "not_started":
            services.action_plan_item_progress(
                actor=None,
                item=item,
                status="on_track",
                note="Work started; partners named a lead.",
                on=today - timedelta(days=300),
            )
            services.action_plan_item_progress(
                actor=None,
                item=item,
                status=status,
                note={
                    "on_track": "Going to plan.",
                    "at_risk": "Behind: funding not yet agreed.",
                    "done": "Done and reported to the cluster.",
                }[status],
                on=today - timedelta(days=40),
            )


def _ideas(
    organisations: dict[str, Organisation], users: dict[str, User], rng: random.Random
) -> int:
    made = 0
    council = organisations["banes-council"]
    forum = Forum.objects.filter(slug="somer-valley-cluster").first()
    service_orgs = {
        "Housing repairs": organisations.get("somer-homes"),
        "Youth service and policing": organisations.get("avon-somerset-police"),
    }
    today = timezone.localdate()
    for (
        title,
        service,
        change,
        slug,
        organiser_name,
        status,
        cost,
        estimated,
        realised,
        days_ago,
        due_in,
    ) in IDEAS:
        if Idea.objects.filter(title=title).exists():
            continue
        neighbourhood = Neighbourhood.objects.get(slug=slug)
        organiser = Organiser.objects.filter(full_name=organiser_name).first()
        raised_on = today - timedelta(days=days_ago)
        idea = services.idea_create(
            actor=users["organiser"],
            title=title,
            summary=f"Residents in {neighbourhood.name} suggested: {change[0].lower()}{change[1:]}",
            service_affected=service,
            change=change,
            council=council,
            response_due_on=max(raised_on + timedelta(days=1), today + timedelta(days=due_in)),
            host=organisations["regen-bath"],
            organiser=organiser,
            neighbourhood=neighbourhood,
            forum=forum if slug in {"radstock", "timsbury-farmborough-camerton"} else None,
            conversations=_conversations_in(neighbourhood, 4, rng),
            service_organisation=service_orgs.get(service, council),
            raised_on=raised_on,
        )
        Idea.objects.filter(pk=idea.pk).update(response_due_on=raised_on + timedelta(weeks=8))
        idea.refresh_from_db()
        services.idea_update_case(
            actor=users["council.officer"],
            idea=idea,
            data={
                "one_off_cost": Decimal(cost) if cost else None,
                "yearly_saving_estimated": Decimal(estimated) if estimated else None,
                "beneficiaries": f"Residents of {neighbourhood.name} and the service's staff.",
                "evidence": "Doorstep conversations, the forum's discussion and the service's own figures.",
                "owner": users["council.officer"],
            },
        )
        path = {
            Idea.Status.IDEA: [],
            Idea.Status.ASSESSED: [Idea.Status.ASSESSED],
            Idea.Status.APPROVED: [Idea.Status.ASSESSED, Idea.Status.APPROVED],
            Idea.Status.PILOTING: [
                Idea.Status.ASSESSED,
                Idea.Status.APPROVED,
                Idea.Status.PILOTING,
            ],
            Idea.Status.ADOPTED: [
                Idea.Status.ASSESSED,
                Idea.Status.APPROVED,
                Idea.Status.PILOTING,
                Idea.Status.ADOPTED,
            ],
            Idea.Status.REJECTED: [Idea.Status.ASSESSED, Idea.Status.REJECTED],
        }[status]
        step_day = raised_on
        for step in path:
            step_day = min(today, step_day + timedelta(days=max(7, days_ago // (len(path) + 1))))
            services.idea_move(
                actor=users["council.officer"],
                idea=idea,
                status=step,
                note={
                    Idea.Status.ASSESSED: "The service looked at costs and likely savings.",
                    Idea.Status.APPROVED: "Approved by the service's management team.",
                    Idea.Status.PILOTING: "Pilot started in the neighbourhood.",
                    Idea.Status.ADOPTED: "Adopted as the way the service now works.",
                    Idea.Status.REJECTED: "Not taken forward this year.",
                }[step],
                rejection_reason="Traffic surveys showed the closure would move queues onto a busier road."
                if step == Idea.Status.REJECTED
                else "",
                on=step_day,
            )
        if realised:
            services.idea_update_case(
                actor=users["council.officer"],
                idea=idea,
                data={"yearly_saving_realised": Decimal(realised)},
            )
            services.idea_record_progress(
                actor=users["council.officer"],
                idea=idea,
                note="First full year: grounds maintenance visits fell from 24 to 6.",
                on=today - timedelta(days=20),
            )
        if status == Idea.Status.IDEA:
            Idea.objects.filter(pk=idea.pk).update(
                response_due_on=today - timedelta(days=14), responded_on=None
            )
        made += 1
    return made


def _open311_token(users: dict[str, User]) -> None:
    officer = users["council.officer"]
    key_hash = ApiToken.hash_key(OPEN311_DEMO_KEY)
    if not ApiToken.objects.filter(key_hash=key_hash).exists():
        ApiToken.objects.create(
            user=officer,
            name="Open311 demo reporting tool",
            key_hash=key_hash,
            prefix=OPEN311_DEMO_KEY[:8],
        )


@transaction.atomic
def _load() -> str:
    if not LocalAuthority.objects.filter(code="E06000022").exists():
        return "skipped: load the geography and the programme demo first"
    rng = random.Random(SEED)
    organisations = {o.slug: o for o in Organisation.objects.all()}
    if "banes-council" not in organisations:
        return "skipped: the programme demo is missing"
    users = {
        u.email.split("@")[0]: u for u in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
    }
    categories = _categories()
    _routing(organisations, categories, users)
    matters = _matters(categories, users, rng)
    _duplicate_pair_merged(categories, users)
    toolkit = _toolkit(organisations)
    groups = _groups(organisations, users, rng)
    projects = _projects(organisations, toolkit, users, rng)
    forums = _forums(organisations, users)
    ideas = _ideas(organisations, users, rng)
    _open311_token(users)
    return (
        f"{len(categories)} matter categories, {matters} matters raised, {groups} groups, {projects} projects, "
        f"{forums} forums, {ideas} ideas, {ToolkitEntry.objects.count()} toolkit entries; "
        f"Open311 at /open311/v2/ (demo api_key {OPEN311_DEMO_KEY})"
    )


def _duplicate_pair_merged(categories: dict[str, MatterCategory], users: dict[str, User]) -> None:
    """One litter report merged into another, to show a merged matter keeping every conversation."""
    title = "Litter blowing from the bus shelter bins"
    if Matter.objects.filter(title=title).exists() or "litter" not in categories:
        return
    keep = Matter.objects.filter(title="Litter around the bus shelter").first()
    if keep is None:
        return
    radstock = Neighbourhood.objects.get(slug="radstock")
    conversations = _conversations_in(radstock, 3, random.Random(SEED + 1))
    duplicate = services.matter_raise(
        actor=users["organiser"],
        title=title,
        description="Bins at the bus shelter overflow and litter blows across the road.",
        category=categories["litter"],
        conversations=conversations,
        neighbourhood=radstock,
        source=Matter.Source.SITE if conversations else Matter.Source.OPEN311,
        outside_reports=0 if conversations else 1,
    )
    services.matter_merge(actor=users["council.officer"], keep=keep, duplicate=duplicate)


def demo_load() -> str:
    # Nobody is e-mailed about demo matters: every address in the demo is invented.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        return _load()
