"""Grow the synthetic demo to a large council's volume of conversations, for load testing.

``load_demo`` writes a few thousand conversations; a large council has hundreds of thousands. This
adds synthetic ones until there are ``target`` in all, listened to by synthetic organisers (500 each,
the national programme's target) who work in the demo's neighbourhoods for its hosts, with residents,
consents, version rows and theme tags in the demo's proportions, and then counts everything into the
area cells. Rows are written with ``bulk_create`` in chunks, so it works on SQLite
for the tests and takes a few minutes for 200,000 on PostgreSQL.

Every conversation keeps the invariants the services keep for real ones: its place resolved from an
LSOA to its ward, neighbourhood and authority (or no place at all for a phone call), a first version
row holding its snapshot, contact details only with a consent row, no name kept beside special
category notes without explicit consent, ``counts_toward_listened`` set by listening's counting rule,
and a tagging state that the area cells are rebuilt from. The text comes from listening's synthetic
note generator; the people are invented.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from commonground.core.audit import audit_record
from commonground.insight import aggregates, store
from commonground.insight.demo import TEXTGEN_THEMES
from commonground.insight.models import ConversationInsight, ConversationTag, Theme
from commonground.listening import special_category, wording
from commonground.listening.counting import refresh_counting
from commonground.listening.demo import LADDER, MODES  # the demo's proportions, kept
from commonground.listening.models import (
    ConsentTier,
    Conversation,
    ConversationVersion,
    Mode,
    PlacePrecision,
    Resident,
    Source,
    programme_year_of,
)
from commonground.listening.services import ResidentDetails, resident_keys, snapshot
from commonground.listening.textgen import DEFAULT_WEIGHTS, generate_conversation, synthetic_name
from commonground.places.models import Lsoa, Neighbourhood
from commonground.privacy.models import Consent
from commonground.programme.models import Organiser

SEED = 20_000
CHUNK = 5_000
CONVERSATIONS_PER_ORGANISER = 500
SCALED_SUFFIX = " (scaled demo)"
SCALED_NAMESPACE = uuid.UUID("5b0e7f42-93c6-4d1e-a8b2-6f1c0d9e3a71")
IDENTIFIED_SHARE = 0.25
RETURNING_RESIDENT_SHARE = 0.18
SUGGESTED_TAG_SHARE = 0.05

NO_PLACE_MODES = {Mode.PHONE, Mode.ONLINE}


@dataclass(frozen=True)
class ScaleSummary:
    conversations_before: int
    conversations_added: int
    residents_added: int
    tags_added: int
    area_month_cells: int
    area_theme_month_cells: int

    def __str__(self) -> str:
        return (
            f"{self.conversations_added:,} conversations added to {self.conversations_before:,}, "
            f"{self.residents_added:,} residents, {self.tags_added:,} theme tags; "
            f"{self.area_month_cells:,} area-month and {self.area_theme_month_cells:,} "
            "area-theme-month cells"
        )


@dataclass(frozen=True)
class _Place:
    lsoa: Lsoa
    neighbourhood: Neighbourhood


@dataclass
class _Patch:
    organiser: Organiser
    places: list[_Place]
    starts_on: date
    ends_on: date
    known: list[Resident]


def scaled_client_id(index: int) -> uuid.UUID:
    return uuid.uuid5(SCALED_NAMESPACE, f"conversation-{index}")


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _w in weighted], weights=[w for _v, w in weighted])[0]


def _templates(today: date) -> list[_Patch]:
    """The demo organisers who work in a neighbourhood, with where and when they work."""
    templates = []
    organisers = (
        Organiser.objects.filter(neighbourhoods__isnull=False)
        .exclude(full_name__endswith=SCALED_SUFFIX)
        .distinct()
        .select_related("host", "programme")
        .prefetch_related("neighbourhoods__lsoas__ward", "neighbourhoods__lsoas__authority")
        .order_by("full_name", "pk")
    )
    for organiser in organisers:
        places = [
            _Place(lsoa, neighbourhood)
            for neighbourhood in organiser.neighbourhoods.all()
            for lsoa in neighbourhood.lsoas.all()
        ]
        starts_on = organiser.placement_starts_on or organiser.programme.starts_on
        ends_on = min(today - timedelta(days=1), organiser.placement_ends_on or today)
        if places and ends_on > starts_on:
            templates.append(_Patch(organiser, places, starts_on, ends_on, []))
    return templates


def _scaled_organisers(templates: list[_Patch], count: int) -> list[_Patch]:
    """``count`` synthetic organisers, each working where and when one of the demo's organisers does.

    A large council has hundreds of organisers, each listening to a few hundred residents a year,
    so the added conversations are spread over them rather than piled onto the demo's eight.
    """
    names = [f"Organiser {number:04d}{SCALED_SUFFIX}" for number in range(count)]
    existing = {o.full_name: o for o in Organiser.objects.filter(full_name__in=names)}
    missing = [(number, name) for number, name in enumerate(names) if name not in existing]
    made = Organiser.objects.bulk_create(
        [
            Organiser(
                full_name=name,
                host=templates[number % len(templates)].organiser.host,
                programme=templates[number % len(templates)].organiser.programme,
                placement_starts_on=templates[number % len(templates)].starts_on,
                placement_ends_on=templates[number % len(templates)].organiser.placement_ends_on,
                stage=Organiser.Stage.PLACED,
            )
            for number, name in missing
        ]
    )
    for (number, _name), organiser in zip(missing, made, strict=True):
        organiser.neighbourhoods.set(
            templates[number % len(templates)].organiser.neighbourhoods.all()
        )
        existing[organiser.full_name] = organiser
    patches = []
    for number, name in enumerate(names):
        template = templates[number % len(templates)]
        organiser = existing[name]
        organiser.host = template.organiser.host
        organiser.programme = template.organiser.programme
        patches.append(_Patch(organiser, template.places, template.starts_on, template.ends_on, []))
    return patches


def _moment(rng: random.Random, patch: _Patch) -> datetime:
    day = patch.starts_on + timedelta(days=rng.randrange((patch.ends_on - patch.starts_on).days))
    minutes = rng.randrange(10 * 60, 19 * 60)
    return timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)))


def scale_demo(*, target: int, seed: int = SEED) -> ScaleSummary:
    """Add synthetic conversations until there are ``target``; a second run adds nothing.

    Needs the demo loaded first (``commonground load_demo``): it works over the demo's organisers,
    neighbourhoods and theme taxonomy.
    """
    before = Conversation.objects.count()
    wanted = max(0, target - before)
    start = _scaled_so_far()
    today = timezone.localdate()
    templates = _templates(today)
    if not templates:
        raise ValueError("Load the demo first: no organiser works in a neighbourhood.")
    patches = _scaled_organisers(
        templates, -(-(start + wanted) // CONVERSATIONS_PER_ORGANISER) if wanted else 0
    )
    themes = dict(Theme.objects.filter(slug__in=TEXTGEN_THEMES.values()).values_list("slug", "pk"))
    if len(themes) != len(TEXTGEN_THEMES):
        raise ValueError("Load the demo first: the default theme taxonomy is missing.")
    tagger = store.active_model()
    rng = random.Random(seed + start)
    residents = tags = 0
    for offset in range(0, wanted, CHUNK):
        count = min(CHUNK, wanted - offset)
        made = _write_chunk(
            rng, patches, themes, tagger, first_index=start + offset, count=count, today=today
        )
        residents += made[0]
        tags += made[1]
    cells = aggregates.rebuild()
    if wanted:
        audit_record(
            actor=None,
            action="demo.scale",
            object_type="listening",
            object_repr="Synthetic conversations for load testing",
            changes={"conversations": wanted, "residents": residents},
        )
    return ScaleSummary(
        conversations_before=before,
        conversations_added=wanted,
        residents_added=residents,
        tags_added=tags,
        area_month_cells=cells.area_month_cells,
        area_theme_month_cells=cells.area_theme_month_cells,
    )


def _scaled_so_far() -> int:
    """How many scaled conversations exist, so a rerun with a higher target carries on the sequence.

    They are numbered from 0 without gaps, so a binary search over their client ids finds the end.
    """
    if not Conversation.objects.filter(client_id=scaled_client_id(0)).exists():
        return 0
    low, high = 1, Conversation.objects.count()
    while low < high:
        middle = (low + high + 1) // 2
        if Conversation.objects.filter(client_id=scaled_client_id(middle - 1)).exists():
            low = middle
        else:
            high = middle - 1
    return low


@transaction.atomic
def _write_chunk(
    rng: random.Random,
    patches: list[_Patch],
    themes: dict[str, int],
    tagger: Any,
    *,
    first_index: int,
    count: int,
    today: date,
) -> tuple[int, int]:
    conversations: list[Conversation] = []
    note_themes: list[tuple[str, ...]] = []
    new_residents: list[Resident] = []
    consents: list[tuple[int, Consent]] = []
    for index in range(first_index, first_index + count):
        patch = patches[index // CONVERSATIONS_PER_ORGANISER]
        organiser = patch.organiser
        place = rng.choice(patch.places)
        note = generate_conversation(rng, theme_weights=DEFAULT_WEIGHTS)
        moment = _moment(rng, patch)
        mode = _pick(rng, MODES)
        found = special_category.categories_in(
            note.loves, note.concerns, note.ideas, note.would_do, note.talk_to
        )
        identified = rng.random() < IDENTIFIED_SHARE
        explicit = bool(found) and rng.random() < 0.5
        withheld = identified and bool(found) and not explicit
        resident = None
        if identified and not withheld:
            if patch.known and rng.random() < RETURNING_RESIDENT_SHARE:
                resident = rng.choice(patch.known)
            else:
                name = synthetic_name(rng)
                details = ResidentDetails(
                    full_name=name,
                    email=f"{name.split()[0].lower()}.s{index}@residents.example",
                )
                resident = Resident(
                    host=organiser.host,
                    full_name=details.full_name,
                    email=details.email,
                    lsoa=place.lsoa,
                    **resident_keys(details),
                )
                new_residents.append(resident)
                patch.known.append(resident)
        recorder = None
        located = mode not in NO_PLACE_MODES
        conversation = Conversation(
            client_id=scaled_client_id(index),
            host=organiser.host,
            programme=organiser.programme,
            programme_year=programme_year_of(
                timezone.localtime(moment).date(),
                year_starts_month=organiser.programme.year_starts_month,
            ),
            organiser=organiser,
            recorded_by=recorder,
            source=_pick(rng, [(Source.FORM, 72), (Source.OFFLINE, 12), (Source.PAPER, 16)]),
            happened_at=moment,
            mode=mode,
            lsoa=place.lsoa if located else None,
            ward=place.lsoa.ward if located else None,
            neighbourhood=place.neighbourhood if located else None,
            authority=place.lsoa.authority if located else None,
            place_precision=PlacePrecision.POSTCODE if located else PlacePrecision.NONE,
            loves=note.loves,
            concerns=note.concerns,
            ideas=note.ideas,
            would_do=note.would_do,
            talk_to=note.talk_to,
            ladder=_pick(rng, LADDER),
            consent_tier=ConsentTier.IDENTIFIED if resident else ConsentTier.ANONYMOUS,
            resident=resident,
            name_withheld=withheld,
            special_category_detected=found,
            special_category=bool(found),
            special_category_consent=explicit and resident is not None,
        )
        conversations.append(conversation)
        note_themes.append(note.themes)
        if resident is not None:
            consents.append(
                (
                    len(conversations) - 1,
                    Consent(
                        resident=resident,
                        host=organiser.host,
                        purpose=Consent.Purpose.FOLLOW_UP,
                        wording=wording.identified_wording(organiser.host.name),
                        wording_version=wording.WORDING_VERSION,
                        explicit_special_category=explicit,
                        given_at=moment,
                        taken_by=recorder,
                        taken_by_name=organiser.full_name,
                        how_to_withdraw=wording.how_to_withdraw(organiser.host.name),
                    ),
                )
            )
    # Snapshots are taken before the rows exist, so that none asks the database for its sharing.
    snapshots = [snapshot(conversation) for conversation in conversations]
    Resident.objects.bulk_create(new_residents, batch_size=1_000)
    Conversation.objects.bulk_create(conversations, batch_size=1_000)
    if any(conversation.pk is None for conversation in conversations):
        stored = dict(
            Conversation.objects.filter(
                client_id__in=[c.client_id for c in conversations]
            ).values_list("client_id", "pk")
        )
        for conversation in conversations:
            conversation.pk = stored[conversation.client_id]
    ConversationVersion.objects.bulk_create(
        [
            ConversationVersion(
                conversation_id=conversation.pk,
                number=1,
                data=data,
                changed_by=conversation.recorded_by,
                recorded_at=conversation.happened_at,
            )
            for conversation, data in zip(conversations, snapshots, strict=True)
        ],
        batch_size=1_000,
    )
    for position, consent in consents:
        consent.conversation_id = conversations[position].pk
    Consent.objects.bulk_create([consent for _position, consent in consents], batch_size=1_000)
    tag_rows, insight_rows = _tags(rng, conversations, note_themes, themes, tagger)
    ConversationTag.objects.bulk_create(tag_rows, batch_size=2_000)
    ConversationInsight.objects.bulk_create(insight_rows, batch_size=2_000)
    refresh_counting(
        {conversation.resident_id for conversation in conversations if conversation.resident_id}
    )
    return len(new_residents), len(tag_rows)


def _tags(
    rng: random.Random,
    conversations: list[Conversation],
    note_themes: list[tuple[str, ...]],
    themes: dict[str, int],
    tagger: Any,
) -> tuple[list[ConversationTag], list[ConversationInsight]]:
    """The themes each note was written from, as the tagger would apply them; a few left unsure."""
    version = tagger.version if tagger else "scaled-demo"
    tag_rows: list[ConversationTag] = []
    insight_rows: list[ConversationInsight] = []
    for conversation, names in zip(conversations, note_themes, strict=True):
        lowest = 1.0
        unsure = False
        for name in names:
            suggested = rng.random() < SUGGESTED_TAG_SHARE
            confidence = round(rng.uniform(0.3, 0.69) if suggested else rng.uniform(0.7, 1.0), 4)
            lowest = min(lowest, confidence)
            unsure = unsure or suggested
            tag_rows.append(
                ConversationTag(
                    conversation_id=conversation.pk,
                    theme_id=themes[TEXTGEN_THEMES[name]],
                    status=ConversationTag.Status.SUGGESTED
                    if suggested
                    else ConversationTag.Status.APPLIED,
                    source=ConversationTag.Source.MODEL,
                    confidence=confidence,
                    tagger=tagger,
                    model_version=version,
                )
            )
        insight_rows.append(
            ConversationInsight(
                conversation_id=conversation.pk,
                tagged_version=conversation.version,
                tagger=tagger,
                needs_review=unsure,
                review_reason=ConversationInsight.ReviewReason.LOW_CONFIDENCE if unsure else "",
                lowest_confidence=lowest,
            )
        )
    return tag_rows, insight_rows
