"""Counts of conversations per area, month and theme, kept current as tags and conversations change.

Area pages must stay fast at national scale (2.5 million conversations), so they never count
conversations or tags directly: they sum these precomputed cells. Two tables hold them:

* :class:`~commonground.insight.models.AreaMonth` - every conversation, by area, month, host and
  ladder step (the denominators, and which hosts stand behind a figure);
* :class:`~commonground.insight.models.AreaThemeMonth` - conversations with a counted tag of a
  theme, by area, month and ladder step.

Each conversation's :class:`~commonground.insight.models.ConversationInsight` row remembers the
cells it is counted in. :func:`refresh` compares that with the conversation as it is now and moves
it by adding and subtracting one, so a re-tag or a corrected place touches only its own cells.
:func:`rebuild` recounts everything from scratch in a few SQL statements (after a restore, or to
check nothing has drifted).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import DateField
from django.db.models.functions import TruncMonth
from django.utils import timezone

from commonground.listening.models import Conversation

from .models import AreaKind, AreaMonth, AreaThemeMonth, ConversationInsight, ConversationTag

AREA_COLUMNS: tuple[tuple[str, str], ...] = (
    (AreaKind.AUTHORITY, "authority_id"),
    (AreaKind.WARD, "ward_id"),
    (AreaKind.LSOA, "lsoa_id"),
)
COUNTED_STATUSES = tuple(str(status) for status in ConversationTag.COUNTED)
_BATCH = 500


def month_of(moment: datetime) -> date:
    """The first day of the local month, the same as the database's TruncMonth in this time zone."""
    return timezone.localtime(moment).date().replace(day=1)


@dataclass(frozen=True)
class _Cells:
    month: date
    host_id: int
    areas: tuple[tuple[str, int], ...]
    ladder: str
    themes: frozenset[int]


def _cells_now(row: dict, themes: set[int]) -> _Cells:
    return _Cells(
        month=month_of(row["happened_at"]),
        host_id=row["host_id"],
        areas=tuple(
            (str(kind), row[column]) for kind, column in AREA_COLUMNS if row[column] is not None
        ),
        ladder=row["ladder"],
        themes=frozenset(themes),
    )


def _cells_counted(insight: ConversationInsight) -> _Cells | None:
    if not insight.counted or insight.counted_month is None or insight.counted_host_id is None:
        return None
    ids = {
        AreaKind.AUTHORITY: insight.counted_authority_id,
        AreaKind.WARD: insight.counted_ward_id,
        AreaKind.LSOA: insight.counted_lsoa_id,
    }
    return _Cells(
        month=insight.counted_month,
        host_id=insight.counted_host_id,
        areas=tuple((str(kind), ids[kind]) for kind, _c in AREA_COLUMNS if ids[kind] is not None),
        ladder=insight.counted_ladder,
        themes=frozenset(insight.counted_themes or []),
    )


def _add(
    cells: _Cells, sign: int, month_deltas: Counter[tuple], theme_deltas: Counter[tuple]
) -> None:
    for kind, area_id in cells.areas:
        month_deltas[(kind, area_id, cells.month, cells.host_id, cells.ladder)] += sign
        for theme_id in cells.themes:
            theme_deltas[(kind, area_id, cells.month, theme_id, cells.ladder)] += sign


def refresh(conversation_ids: Iterable[int]) -> int:
    """Bring the counts for these conversations up to date; returns how many moved.

    Call it inside the transaction that changed their tags or places, after the change.
    """
    ids = sorted(set(conversation_ids))
    moved = 0
    for start in range(0, len(ids), _BATCH):
        moved += _refresh_batch(ids[start : start + _BATCH])
    return moved


def _refresh_batch(ids: list[int]) -> int:
    rows = {
        row["id"]: row
        for row in Conversation.objects.filter(pk__in=ids).values(
            "id", "happened_at", "host_id", "authority_id", "ward_id", "lsoa_id", "ladder"
        )
    }
    themes: dict[int, set[int]] = {conversation_id: set() for conversation_id in rows}
    for conversation_id, theme_id in ConversationTag.objects.filter(
        conversation_id__in=rows, status__in=COUNTED_STATUSES
    ).values_list("conversation_id", "theme_id"):
        themes[conversation_id].add(theme_id)
    insights = {
        insight.conversation_id: insight
        for insight in ConversationInsight.objects.select_for_update().filter(
            conversation_id__in=rows
        )
    }
    missing = [ConversationInsight(conversation_id=pk) for pk in rows if pk not in insights]
    if missing:
        ConversationInsight.objects.bulk_create(missing, ignore_conflicts=True)
        insights.update(
            {
                insight.conversation_id: insight
                for insight in ConversationInsight.objects.select_for_update().filter(
                    conversation_id__in=[m.conversation_id for m in missing]
                )
            }
        )
    month_deltas: Counter[tuple] = Counter()
    theme_deltas: Counter[tuple] = Counter()
    changed: list[ConversationInsight] = []
    for conversation_id, row in rows.items():
        insight = insights[conversation_id]
        before = _cells_counted(insight)
        after = _cells_now(row, themes[conversation_id])
        if before == after:
            continue
        if before is not None:
            _add(before, -1, month_deltas, theme_deltas)
        _add(after, +1, month_deltas, theme_deltas)
        area_ids = dict(after.areas)
        insight.counted = True
        insight.counted_month = after.month
        insight.counted_host_id = after.host_id
        insight.counted_authority_id = area_ids.get(AreaKind.AUTHORITY)
        insight.counted_ward_id = area_ids.get(AreaKind.WARD)
        insight.counted_lsoa_id = area_ids.get(AreaKind.LSOA)
        insight.counted_ladder = after.ladder
        insight.counted_themes = sorted(after.themes)
        changed.append(insight)
    _apply(AreaMonth, "host_id", month_deltas)
    _apply(AreaThemeMonth, "theme_id", theme_deltas)
    if changed:
        ConversationInsight.objects.bulk_update(
            changed,
            [
                "counted",
                "counted_month",
                "counted_host_id",
                "counted_authority_id",
                "counted_ward_id",
                "counted_lsoa_id",
                "counted_ladder",
                "counted_themes",
            ],
        )
    return len(changed)


def remove(conversation_ids: Iterable[int]) -> int:
    """Take these conversations out of every count, before they are erased."""
    month_deltas: Counter[tuple] = Counter()
    theme_deltas: Counter[tuple] = Counter()
    insights = list(
        ConversationInsight.objects.select_for_update().filter(
            conversation_id__in=list(conversation_ids), counted=True
        )
    )
    for insight in insights:
        before = _cells_counted(insight)
        if before is not None:
            _add(before, -1, month_deltas, theme_deltas)
        insight.counted = False
        insight.counted_themes = []
    _apply(AreaMonth, "host_id", month_deltas)
    _apply(AreaThemeMonth, "theme_id", theme_deltas)
    ConversationInsight.objects.bulk_update(insights, ["counted", "counted_themes"])
    return len(insights)


def _apply(model: type, key_column: str, deltas: Counter[tuple]) -> None:
    """Add each delta to its cell in one statement per batch, then drop cells that reached zero."""
    values = [(*key, delta) for key, delta in deltas.items() if delta]
    if not values:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ["area_kind", "area_id", "month", key_column, "ladder"]
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}, conversations) VALUES (%s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT ({', '.join(columns)}) DO UPDATE "
        f"SET conversations = {table}.conversations + excluded.conversations"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)
        touched_areas = sorted({(key[0], key[1]) for key in deltas})
        for kind in {kind for kind, _id in touched_areas}:
            area_ids = [area_id for k, area_id in touched_areas if k == kind]
            placeholders = ", ".join(["%s"] * len(area_ids))
            cursor.execute(
                f"DELETE FROM {table} WHERE conversations <= 0 AND area_kind = %s "
                f"AND area_id IN ({placeholders})",
                [kind, *area_ids],
            )


@dataclass(frozen=True)
class RebuildSummary:
    conversations: int
    area_month_cells: int
    area_theme_month_cells: int


@transaction.atomic
def rebuild() -> RebuildSummary:
    """Recount every cell from the conversations and their tags, in SQL."""
    quote = connection.ops.quote_name
    insight_table = quote(ConversationInsight._meta.db_table)
    tag_table = quote(ConversationTag._meta.db_table)
    conversation_table = quote(Conversation._meta.db_table)
    month_table = quote(AreaMonth._meta.db_table)
    theme_table = quote(AreaThemeMonth._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {month_table}")
        cursor.execute(f"DELETE FROM {theme_table}")
        cursor.execute(
            f"INSERT INTO {insight_table} (conversation_id, tagged_version, needs_review, "
            "review_reason, reviewed_version, counted, counted_ladder, counted_themes) "
            f"SELECT c.id, 0, %s, '', 0, %s, '', '[]' FROM {conversation_table} c "
            f"WHERE NOT EXISTS (SELECT 1 FROM {insight_table} i WHERE i.conversation_id = c.id)",
            [False, False],
        )
        source = (
            Conversation.objects.order_by()
            .annotate(local_month=TruncMonth("happened_at", output_field=DateField()))
            .values("id", "local_month", "host_id", "authority_id", "ward_id", "lsoa_id", "ladder")
        )
        source_sql, source_params = source.query.sql_with_params()
        cursor.execute(
            f"UPDATE {insight_table} SET counted = %s, counted_month = src.local_month, "
            "counted_host_id = src.host_id, counted_authority_id = src.authority_id, "
            "counted_ward_id = src.ward_id, counted_lsoa_id = src.lsoa_id, "
            "counted_ladder = src.ladder, counted_themes = '[]' "
            f"FROM ({source_sql}) AS src WHERE {insight_table}.conversation_id = src.id",
            [True, *source_params],
        )
        placeholders = ", ".join(["%s"] * len(COUNTED_STATUSES))
        cursor.execute(
            f"UPDATE {insight_table} SET counted_themes = src.themes FROM ("
            f"SELECT conversation_id, {_json_array_of('theme_id')} AS themes FROM {tag_table} "
            f"WHERE status IN ({placeholders}) GROUP BY conversation_id) AS src "
            f"WHERE {insight_table}.conversation_id = src.conversation_id",
            list(COUNTED_STATUSES),
        )
        for kind, column in AREA_COLUMNS:
            counted_column = f"counted_{column}"
            cursor.execute(
                f"INSERT INTO {month_table} (area_kind, area_id, month, host_id, ladder, conversations) "
                f"SELECT %s, {counted_column}, counted_month, counted_host_id, counted_ladder, COUNT(*) "
                f"FROM {insight_table} WHERE counted = %s AND {counted_column} IS NOT NULL "
                f"GROUP BY {counted_column}, counted_month, counted_host_id, counted_ladder",
                [str(kind), True],
            )
            cursor.execute(
                f"INSERT INTO {theme_table} (area_kind, area_id, month, theme_id, ladder, conversations) "
                f"SELECT %s, i.{counted_column}, i.counted_month, t.theme_id, i.counted_ladder, COUNT(*) "
                f"FROM {tag_table} t JOIN {insight_table} i ON i.conversation_id = t.conversation_id "
                f"WHERE t.status IN ({placeholders}) AND i.counted = %s AND i.{counted_column} IS NOT NULL "
                f"GROUP BY i.{counted_column}, i.counted_month, t.theme_id, i.counted_ladder",
                [str(kind), *COUNTED_STATUSES, True],
            )
    return RebuildSummary(
        conversations=ConversationInsight.objects.filter(counted=True).count(),
        area_month_cells=AreaMonth.objects.count(),
        area_theme_month_cells=AreaThemeMonth.objects.count(),
    )


def _json_array_of(column: str) -> str:
    """A JSON array of the column's values per group: the one statement that differs by database."""
    if connection.vendor == "postgresql":
        return f"jsonb_agg({column} ORDER BY {column})"
    return f"json_group_array({column})"
