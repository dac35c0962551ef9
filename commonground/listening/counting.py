"""The one home of the "residents listened to" counting rule.

Rule: a resident counts once per programme year however often they are met; each anonymous
conversation counts once. So that the figure can be summed by week, organiser and area with a plain
count, each conversation carries ``counts_toward_listened``: true for every anonymous conversation and
for the first conversation (by time) with each identified resident in each programme and programme
year, false for the rest. A resident met twice in one year counts in the week, area and organiser of
the first meeting. Services call :func:`refresh_counting` for every resident whose conversations they
add, move or re-date; nothing else sets the flag.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Conversation

COUNTING_RULE = _(
    "Residents listened to: a resident counts once per programme year however often they are met; "
    "each anonymous conversation counts once."
)


def residents_listened_to(conversations: QuerySet[Conversation]) -> int:
    """The figure for any set of conversations (an organiser's, an area's, a week's)."""
    return conversations.filter(counts_toward_listened=True).count()


def counting_filter() -> dict[str, bool]:
    """The filter to add to an aggregate query that groups conversations (by week, area, ...)."""
    return {"counts_toward_listened": True}


def residents_listened_to_from_scratch(conversations: QuerySet[Conversation]) -> int:
    """The same figure worked out from the rule itself, without the stored flags.

    Slower; used to check the flags and by anyone who wants to see the rule applied literally. It
    assumes ``conversations`` holds whole programme years for the residents in it.
    """
    anonymous = conversations.filter(resident__isnull=True).count()
    identified = (
        conversations.filter(resident__isnull=False)
        .values("resident_id", "programme_id", "programme_year")
        .distinct()
        .count()
    )
    return anonymous + identified


def refresh_counting(resident_ids: Iterable[int | None]) -> None:
    """Set ``counts_toward_listened`` again for every conversation of these residents."""
    ids = sorted({pk for pk in resident_ids if pk is not None})
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = (
            Conversation.objects.filter(resident_id__in=chunk)
            .order_by("resident_id", "programme_id", "programme_year", "happened_at", "id")
            .values_list(
                "id", "resident_id", "programme_id", "programme_year", "counts_toward_listened"
            )
        )
        first_seen: set[tuple[int, int, int]] = set()
        should_count: list[int] = []
        should_not: list[int] = []
        for pk, resident_id, programme_id, year, counted in rows.iterator(chunk_size=2000):
            key = (resident_id, programme_id, year)
            wanted = key not in first_seen
            first_seen.add(key)
            if wanted != counted:
                (should_count if wanted else should_not).append(pk)
        for flag, pks in ((True, should_count), (False, should_not)):
            for offset in range(0, len(pks), 900):
                Conversation.objects.filter(pk__in=pks[offset : offset + 900]).update(
                    counts_toward_listened=flag
                )
