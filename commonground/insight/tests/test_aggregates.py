"""The precomputed counts must always equal a recount from the conversations and their tags."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from commonground.insight import aggregates
from commonground.insight.models import (
    AreaKind,
    AreaMonth,
    AreaThemeMonth,
    ConversationInsight,
    ConversationTag,
)
from commonground.listening.models import Conversation, Ladder
from commonground.places.models import Lsoa
from commonground.programme.tests.factories import OrganiserFactory

from .factories import WHITEWAY, at, conversation, tag

pytestmark = pytest.mark.django_db


def _cells() -> tuple[Counter, Counter]:
    months = Counter(
        {
            (row.area_kind, row.area_id, row.month, row.host_id, row.ladder): row.conversations
            for row in AreaMonth.objects.all()
        }
    )
    themes = Counter(
        {
            (row.area_kind, row.area_id, row.month, row.theme_id, row.ladder): row.conversations
            for row in AreaThemeMonth.objects.all()
        }
    )
    return months, themes


def _recount() -> tuple[Counter, Counter]:
    months: Counter = Counter()
    themes: Counter = Counter()
    for c in Conversation.objects.all():
        month = aggregates.month_of(c.happened_at)
        counted = set(
            c.theme_tags.filter(status__in=ConversationTag.COUNTED).values_list(
                "theme_id", flat=True
            )
        )
        for kind, area_id in (
            (AreaKind.AUTHORITY, c.authority_id),
            (AreaKind.WARD, c.ward_id),
            (AreaKind.LSOA, c.lsoa_id),
        ):
            if area_id is None:
                continue
            months[(str(kind), area_id, month, c.host_id, c.ladder)] += 1
            for theme_id in counted:
                themes[(str(kind), area_id, month, theme_id, c.ladder)] += 1
    return months, themes


def test_tagging_adds_a_conversation_to_its_cells() -> None:
    made = conversation(happened_at=at(2026, 3, 31))
    tag(made, "fly-tipping")
    lsoa = Lsoa.objects.get(code=WHITEWAY[0])
    row = AreaThemeMonth.objects.get(
        area_kind=AreaKind.LSOA, area_id=lsoa.pk, theme__slug="fly-tipping"
    )
    assert row.conversations == 1
    assert row.month == date(2026, 3, 1)
    assert (
        AreaMonth.objects.get(area_kind=AreaKind.AUTHORITY, area_id=lsoa.authority_id).conversations
        == 1
    )
    assert _cells() == _recount()


def test_month_is_local_time() -> None:
    # 23:30 UTC on 31 March is 00:30 on 1 April in London (summer time).
    from datetime import UTC, datetime

    made = conversation(happened_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    aggregates.refresh([made.pk])
    assert AreaMonth.objects.filter(month=date(2026, 4, 1)).count() == 3


def test_suggested_and_rejected_tags_are_not_counted() -> None:
    made = conversation()
    tag(made, "fly-tipping", status=ConversationTag.Status.SUGGESTED)
    tag(made, "parking", status=ConversationTag.Status.REJECTED)
    assert not AreaThemeMonth.objects.exists()
    assert AreaMonth.objects.count() == 3, "the conversation itself still counts"


def test_status_changes_move_the_counts_and_empty_cells_go() -> None:
    made = conversation()
    applied = tag(made, "fly-tipping")
    assert AreaThemeMonth.objects.count() == 3
    applied.status = ConversationTag.Status.REJECTED
    applied.save()
    aggregates.refresh([made.pk])
    assert not AreaThemeMonth.objects.exists()
    assert _cells() == _recount()


def test_a_corrected_place_date_and_ladder_move_the_conversation() -> None:
    made = conversation(lsoa=WHITEWAY[0], happened_at=at(2026, 5))
    tag(made, "housing")
    other = Lsoa.objects.select_related("ward").get(code="E01014390")
    Conversation.objects.filter(pk=made.pk).update(
        lsoa=other, ward=other.ward, happened_at=at(2026, 7), ladder=Ladder.VOLUNTEERING
    )
    aggregates.refresh([made.pk])
    assert not AreaThemeMonth.objects.filter(area_kind=AreaKind.LSOA, area_id=made.lsoa_id).exists()
    moved = AreaThemeMonth.objects.get(area_kind=AreaKind.LSOA, area_id=other.pk)
    assert (moved.month, moved.ladder, moved.conversations) == (date(2026, 7, 1), "volunteering", 1)
    assert _cells() == _recount()


def test_many_changes_then_rebuild_agree() -> None:
    organiser = OrganiserFactory()
    conversations = [
        conversation(
            organiser=organiser, lsoa=WHITEWAY[index % 2], happened_at=at(2026, 1 + index % 6)
        )
        for index in range(12)
    ]
    for index, made in enumerate(conversations):
        tag(made, "fly-tipping" if index % 3 else "youth-provision")
        if index % 4 == 0:
            tag(made, "parking")
    ConversationTag.objects.filter(theme__slug="parking").update(
        status=ConversationTag.Status.REJECTED
    )
    aggregates.refresh([c.pk for c in conversations])
    incremental = _cells()
    assert incremental == _recount()
    summary = aggregates.rebuild()
    assert summary.conversations == 12
    assert _cells() == incremental
    snapshot = ConversationInsight.objects.get(conversation=conversations[0])
    assert snapshot.counted and snapshot.counted_month == date(2026, 1, 1)
    # After a rebuild the incremental path still moves exactly one conversation.
    ConversationTag.objects.filter(conversation=conversations[1]).update(
        status=ConversationTag.Status.REJECTED
    )
    assert aggregates.refresh([c.pk for c in conversations]) == 1
    assert _cells() == _recount()


def test_rebuild_counts_conversations_never_tagged() -> None:
    conversation()
    conversation()
    aggregates.rebuild()
    assert (
        sum(row.conversations for row in AreaMonth.objects.filter(area_kind=AreaKind.AUTHORITY))
        == 2
    )


def test_remove_takes_conversations_out_before_erasure() -> None:
    made = conversation()
    tag(made, "graffiti")
    assert aggregates.remove([made.pk]) == 1
    assert not AreaMonth.objects.exists()
    assert not AreaThemeMonth.objects.exists()
