"""Insight's part of the synthetic demo: a trained tagger, tagged conversations, some to review.

The tagger is trained on a fixed seed set of synthetic doorstep notes (from listening's text
generator, labelled with the themes they were written from), then every demo conversation is tagged;
the ones it is unsure of wait in the review queue. A few quotes are proposed, one per neighbourhood
is approved, and the emerging-themes search is run. Everything is reproducible and running it again
changes nothing that is there.

If no conversation exists yet (listening's demo has not recorded any), a small set is recorded here
through listening's own service so that the evidence pages have something to show.
"""

from __future__ import annotations

import contextlib
import random
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commonground.accounts.models import Membership, Role
from commonground.listening.models import ConsentTier, Conversation, Ladder
from commonground.listening.textgen import generate_conversations
from commonground.listening.textgen import synthetic_name as make_name
from commonground.programme.models import Organiser

from . import services, store
from .models import ConversationTag, EmergingCluster, Quote, TrainingExample

SEED = 20261124
SEED_EXAMPLES = 240
FALLBACK_CONVERSATIONS = 360

# The synthetic notes' themes, as the default taxonomy names them.
TEXTGEN_THEMES: dict[str, str] = {
    "litter_flytipping": "fly-tipping",
    "youth_provision": "youth-provision",
    "buses": "transport-and-buses",
    "loneliness": "loneliness-and-isolation",
    "housing_repairs": "housing",
    "parking": "parking",
    "green_spaces": "green-spaces",
    "antisocial_behaviour": "safety-and-anti-social-behaviour",
    "speeding": "road-safety",
    "cost_of_living": "cost-of-living",
}


def seed_examples(count: int = SEED_EXAMPLES, seed: int = SEED) -> list[tuple[str, list[str]]]:
    return [
        (note.text(), sorted(TEXTGEN_THEMES[theme] for theme in note.themes))
        for note in generate_conversations(count, seed=seed)
    ]


def demo_load() -> str:
    services.taxonomy_load_defaults(actor=None)
    recorded = _fallback_conversations()
    added = services.training_examples_add(
        actor=None, examples=seed_examples(), source=TrainingExample.Source.SEED
    )
    if store.active_model() is None:
        services.tagger_retrain(actor=None)
    ids = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
    tagged = to_review = 0
    for start in range(0, len(ids), 500):
        run = services.conversations_tag(conversation_ids=ids[start : start + 500])
        tagged += run.tagged
        to_review += run.to_review
    quotes = _demo_quotes()
    if ids and not EmergingCluster.objects.exists():
        services.emerging_refresh(actor=None, days=365)
    waiting = Conversation.objects.filter(insight__needs_review=True).count()
    return (
        f"{added} seed examples, tagger {store.active_model().version}, {recorded} conversations "
        f"recorded, {tagged} tagged, {waiting} waiting for review, {quotes} quotes proposed"
    )


def _fallback_conversations() -> int:
    """Record synthetic conversations through listening's service, only when there are none."""
    if Conversation.objects.exists():
        return 0
    from commonground.listening.services import (
        ConversationInput,
        EqualityAnswers,
        ResidentDetails,
        conversation_record,
    )

    organisers = list(
        Organiser.objects.filter(stage=Organiser.Stage.PLACED, neighbourhoods__isnull=False)
        .prefetch_related("neighbourhoods__lsoas")
        .distinct()
        .order_by("full_name")
    )
    if not organisers:
        return 0
    rng = random.Random(SEED)
    notes = list(generate_conversations(FALLBACK_CONVERSATIONS, seed=SEED + 1))
    now = timezone.now()
    recorded = 0
    for index, note in enumerate(notes):
        organiser = organisers[index % len(organisers)]
        lsoas = [
            lsoa
            for neighbourhood in organiser.neighbourhoods.all()
            for lsoa in neighbourhood.lsoas.all()
            if lsoa.centroid_lon is not None
        ]
        if not lsoas:
            continue
        lsoa = rng.choice(lsoas)
        happened = now - timedelta(days=rng.randint(1, 540), minutes=rng.randint(0, 600))
        if organiser.placement_starts_on:
            start = timezone.make_aware(
                datetime.combine(organiser.placement_starts_on, datetime.min.time())
            )
            happened = max(happened, start + timedelta(days=rng.randint(0, 30)))
        happened = min(happened, now - timedelta(hours=1))
        identified = rng.random() < 0.3 and not note.special_category
        name = make_name(rng)
        data = ConversationInput(
            organiser=organiser,
            happened_at=happened,
            lon=lsoa.centroid_lon,
            lat=lsoa.centroid_lat,
            loves=note.loves,
            concerns=note.concerns,
            ideas=note.ideas,
            would_do=note.would_do,
            talk_to=note.talk_to,
            ladder=rng.choices(
                [choice for choice, _label in Ladder.choices], weights=[60, 20, 10, 6, 4]
            )[0],
            consent_tier=ConsentTier.IDENTIFIED if identified else ConsentTier.ANONYMOUS,
            contact_consent_given=identified,
            new_resident=ResidentDetails(
                full_name=name,
                email=f"{name.split()[0].lower()}.{index}@example.test",
            )
            if identified
            else None,
            equality=EqualityAnswers(
                age_band=rng.choice(["18_24", "25_34", "35_49", "50_64", "65_79"]),
                sex=rng.choice(["female", "male"]),
            )
            if rng.random() < 0.5
            else None,
        )
        try:
            conversation_record(actor=None, data=data)
        except ValidationError:
            continue
        recorded += 1
    return recorded


@transaction.atomic
def _demo_quotes() -> int:
    """Propose quotes for each neighbourhood's two biggest themes; approve the first of each."""
    if Quote.objects.exists():
        return 0
    approver = Membership.objects.filter(role=Role.HOST_MANAGER).select_related("user").first()
    proposed = 0
    seen: set[tuple[int, int]] = set()
    tags = (
        ConversationTag.objects.filter(
            status__in=ConversationTag.COUNTED,
            conversation__special_category=False,
            conversation__neighbourhood__isnull=False,
            confidence__gte=0.9,
        )
        .select_related("conversation", "theme")
        .order_by("-confidence", "conversation_id")
    )
    for tag in tags[:400]:
        key = (tag.conversation.neighbourhood_id, tag.theme_id)
        if key in seen or sum(1 for n, _t in seen if n == key[0]) >= 2:
            continue
        seen.add(key)
        try:
            quote = services.quote_propose(
                actor=None, conversation=tag.conversation, theme=tag.theme
            )
        except ValidationError:
            continue
        proposed += 1
        first_for_area = sum(1 for n, _t in seen if n == key[0]) == 1
        if first_for_area and approver is not None:
            with contextlib.suppress(ValidationError):
                services.quote_approve(actor=approver.user, quote=quote, text=quote.text)
    return proposed
