"""Reads for insight pages, always for a given viewer.

The area evidence is read from the precomputed cells (:mod:`.aggregates`) so it costs the same few
queries at any scale; only the organiser filter, which by nature covers a few hundred conversations,
counts tags directly. Small numbers are suppressed unless every conversation behind a figure is
held by an organisation the viewer belongs to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.accounts.models import Role
from commonground.accounts.rules import organisation_ids
from commonground.core.suppression import display_count, is_suppressed
from commonground.listening.models import Conversation, EqualityMonitoring, Ladder, Resident
from commonground.places.selectors import deprivation_summary, domain_profile
from commonground.privacy.models import Consent
from commonground.programme.models import Organisation, Organiser

from .areas import Area, Period, authority_area
from .crosstab import SIGNIFICANCE_LEVEL, benjamini_hochberg, compare_with_authority, cross_tab
from .models import (
    AreaMonth,
    AreaThemeMonth,
    ConversationInsight,
    ConversationTag,
    EmergingCluster,
    HouseMeeting,
    Invitation,
    Quote,
    TaggerModel,
    Theme,
)

COUNTED = [str(status) for status in ConversationTag.COUNTED]


# --- themes --------------------------------------------------------------------------------------


def taxonomy() -> list[tuple[Theme, list[Theme]]]:
    """Families with their themes, for the taxonomy page and theme pickers."""
    themes = list(Theme.objects.select_related("parent").order_by("name"))
    children: dict[int, list[Theme]] = defaultdict(list)
    for theme in themes:
        if theme.parent_id:
            children[theme.parent_id].append(theme)
    return [(theme, children[theme.pk]) for theme in themes if theme.parent_id is None]


def taggable_themes() -> QuerySet[Theme]:
    """Active themes a conversation can carry: themes in a family, and families with no themes."""
    return (
        Theme.objects.filter(is_active=True)
        .filter(Q(parent__isnull=False) | Q(children__isnull=True))
        .select_related("parent")
        .distinct()
        .order_by("parent__name", "name")
    )


def tag_counts_by_theme() -> dict[int, int]:
    return dict(
        ConversationTag.objects.filter(status__in=COUNTED)
        .values_list("theme_id")
        .annotate(n=Count("id"))
        .values_list("theme_id", "n")
    )


def tagger_models() -> QuerySet[TaggerModel]:
    return TaggerModel.objects.select_related("trained_by").order_by("-created_at")


# --- review queue --------------------------------------------------------------------------------


def _conversations_changeable_by(user: Any, prefix: str = "") -> Q:
    """Mirrors listening's rule for changing a conversation, as a filter."""
    managers = organisation_ids(user, Role.HOST_MANAGER)
    organisers = organisation_ids(user, Role.ORGANISER)
    condition = Q(**{f"{prefix}host_id__in": managers})
    if organisers:
        condition |= Q(**{f"{prefix}host_id__in": organisers}) & (
            Q(**{f"{prefix}organiser__user": user})
            | Q(**{f"{prefix}organiser__supervisor__user": user})
        )
    return condition


def review_queue(*, user: Any) -> QuerySet[ConversationInsight]:
    """Conversations waiting for a person, least certain first, that this viewer may review."""
    if not getattr(user, "is_authenticated", False):
        return ConversationInsight.objects.none()
    return (
        ConversationInsight.objects.filter(needs_review=True)
        .filter(_conversations_changeable_by(user, "conversation__"))
        .select_related("conversation", "conversation__organiser", "conversation__neighbourhood")
        .order_by("lowest_confidence", "conversation__happened_at", "conversation_id")
    )


def review_queue_size(*, user: Any) -> int:
    return review_queue(user=user).count()


def tags_for_review(*, conversation: Conversation) -> list[ConversationTag]:
    return list(
        conversation.theme_tags.select_related("theme", "theme__parent", "person").order_by(
            "status", "-confidence", "theme__name"
        )
    )


def alternative_themes(
    *, conversation: Conversation, tags: Iterable[ConversationTag], limit: int = 6
) -> list[Theme]:
    """Themes to offer as one-click additions: the tagger's next guesses, then common themes."""
    present = {tag.theme_id for tag in tags}
    from . import store

    record = store.active_model()
    ranked: list[str] = []
    if record is not None and conversation.text:
        probabilities = store.load(record).predict_proba([conversation.text])[0]
        ranked = [slug for slug, _p in sorted(probabilities.items(), key=lambda item: -item[1])]
    themes = {theme.slug: theme for theme in taggable_themes()}
    chosen = [themes[slug] for slug in ranked if slug in themes and themes[slug].pk not in present]
    if len(chosen) < limit:
        common = (
            ConversationTag.objects.filter(status__in=COUNTED)
            .values_list("theme__slug")
            .annotate(n=Count("id"))
            .order_by("-n")[:20]
        )
        for slug, _n in common:
            theme = themes.get(slug)
            if theme is not None and theme.pk not in present and theme not in chosen:
                chosen.append(theme)
    return chosen[:limit]


# --- emerging ------------------------------------------------------------------------------------


def emerging_clusters() -> QuerySet[EmergingCluster]:
    return EmergingCluster.objects.select_related("theme", "decided_by").order_by("status", "-size")


def cluster_examples(cluster: EmergingCluster) -> list[str]:
    """The group's examples with personal details removed: officers see no one's words as said."""
    from .redact import redact

    texts = {
        row.pk: row.text
        for row in Conversation.objects.filter(
            pk__in=cluster.example_ids, special_category=False
        ).only("id", "loves", "concerns", "ideas", "would_do")
    }
    return [redact(texts[pk]) for pk in cluster.example_ids if pk in texts]


# --- area evidence -------------------------------------------------------------------------------


@dataclass
class ThemeRow:
    theme: Theme
    count: int
    share: float | None
    previous_count: int
    previous_share: float | None
    authority_count: int
    authority_share: float | None
    lift: float | None = None
    p_value: float | None = None
    adjusted_p: float | None = None
    suppress: bool = True
    authority_suppress: bool = True

    @property
    def count_shown(self) -> int | None:
        return None if self.suppress and is_suppressed(self.count) else self.count

    @property
    def count_display(self) -> str:
        return display_count(self.count, suppress=self.suppress)

    @property
    def share_shown(self) -> float | None:
        return self.share if self.count_shown is not None else None

    @property
    def previous_shown(self) -> int | None:
        hidden = self.suppress and is_suppressed(self.previous_count)
        return None if hidden else self.previous_count

    @property
    def previous_display(self) -> str:
        return display_count(self.previous_count, suppress=self.suppress)

    @property
    def previous_share_shown(self) -> float | None:
        return self.previous_share if self.previous_shown is not None else None

    @property
    def change_points(self) -> float | None:
        """Change in share, in percentage points, against the previous period."""
        if self.share_shown is None or self.previous_share_shown is None:
            return None
        return round((self.share_shown - self.previous_share_shown) * 100, 1)

    @property
    def authority_display(self) -> str:
        return display_count(self.authority_count, suppress=self.authority_suppress)

    @property
    def authority_share_shown(self) -> float | None:
        hidden = self.authority_suppress and is_suppressed(self.authority_count)
        return None if hidden else self.authority_share

    @property
    def lift_shown(self) -> float | None:
        if self.lift is None or self.count_shown is None or self.authority_share_shown is None:
            return None
        return round(self.lift, 2)

    @property
    def over_represented(self) -> bool:
        return (
            self.lift_shown is not None
            and self.lift_shown > 1
            and self.adjusted_p is not None
            and self.adjusted_p < SIGNIFICANCE_LEVEL
        )

    @property
    def under_represented(self) -> bool:
        return (
            self.lift_shown is not None
            and self.lift_shown < 1
            and self.adjusted_p is not None
            and self.adjusted_p < SIGNIFICANCE_LEVEL
        )


@dataclass
class CrossTabCell:
    group: str
    group_label: str
    theme: Theme
    count: int
    group_size: int
    lift: float | None
    adjusted_p: float
    suppress: bool

    @property
    def hidden(self) -> bool:
        return self.suppress and (is_suppressed(self.count) or is_suppressed(self.group_size))

    @property
    def count_display(self) -> str:
        if self.hidden:
            return _("fewer than 5")
        return f"{self.count:,}"

    @property
    def lift_shown(self) -> float | None:
        return None if self.hidden or self.lift is None else round(self.lift, 2)

    @property
    def significant(self) -> bool:
        return not self.hidden and self.adjusted_p < SIGNIFICANCE_LEVEL


@dataclass
class CrossTab:
    title: str
    question: str
    groups: list[tuple[str, str, int]]
    themes: list[Theme]
    cells: dict[tuple[str, int], CrossTabCell]
    suppress: bool

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "group": key,
                "label": label,
                "size": size,
                "size_display": display_count(size, suppress=self.suppress),
                "cells": [self.cells[(key, theme.pk)] for theme in self.themes],
            }
            for key, label, size in self.groups
        ]


@dataclass
class AreaEvidence:
    area: Area
    period: Period
    previous: Period
    suppress: bool
    total: int
    previous_total: int
    authority_total: int
    rows: list[ThemeRow]
    ladder: list[tuple[str, str, int]]
    who_said_it: list[CrossTab]
    equality_linked: bool
    imd_summary: dict[str, Any]
    imd_profile: list[dict[str, Any]]
    quotes: list[Quote]
    organiser: Organiser | None = None
    theme: Theme | None = None
    hosts: set[int] = field(default_factory=set)

    @property
    def total_display(self) -> str:
        return display_count(self.total, suppress=self.suppress)

    @property
    def previous_total_display(self) -> str:
        return display_count(self.previous_total, suppress=self.suppress)

    @property
    def ladder_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "key": key,
                "label": label,
                "count": count,
                "display": display_count(count, suppress=self.suppress),
                "shown": None if self.suppress and is_suppressed(count) else count,
                "share": (count / self.total) if self.total else None,
            }
            for key, label, count in self.ladder
        ]

    @property
    def over_represented(self) -> list[ThemeRow]:
        return [row for row in self.rows if row.over_represented]


def _month_bounds(period: Period) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(period.first, time.min), zone)
    end = timezone.make_aware(datetime.combine(period.end_exclusive, time.min), zone)
    return start, end


def _themes_within(theme: Theme | None) -> set[int] | None:
    if theme is None:
        return None
    if theme.parent_id is None:
        return {theme.pk, *theme.children.values_list("pk", flat=True)}
    return {theme.pk}


def _aggregate_counts(
    area: Area, period: Period
) -> tuple[dict[tuple[int, str], int], dict[tuple[int, str], int]]:
    """(theme, ladder) counts and (host, ladder) totals from the precomputed cells."""
    kind, ids = area.counted_cells()
    if not ids:
        return {}, {}
    cells = {"area_kind": kind, "area_id__in": ids}
    months = {"month__gte": period.first, "month__lte": period.last}
    themes = {
        (theme_id, ladder): n
        for theme_id, ladder, n in AreaThemeMonth.objects.filter(**cells, **months)
        .values_list("theme_id", "ladder")
        .annotate(n=Sum("conversations"))
        .values_list("theme_id", "ladder", "n")
    }
    totals = {
        (host_id, ladder): n
        for host_id, ladder, n in AreaMonth.objects.filter(**cells, **months)
        .values_list("host_id", "ladder")
        .annotate(n=Sum("conversations"))
        .values_list("host_id", "ladder", "n")
    }
    return themes, totals


def _live_counts(
    area: Area, period: Period, organiser: Organiser
) -> tuple[dict[tuple[int, str], int], dict[tuple[int, str], int]]:
    """The same figures counted from the conversations themselves, for one organiser's work."""
    start, end = _month_bounds(period)
    conversations = Conversation.objects.filter(
        area.conversation_filter(), organiser=organiser, happened_at__gte=start, happened_at__lt=end
    )
    totals = {
        (host_id, ladder): n
        for host_id, ladder, n in conversations.order_by()
        .values_list("host_id", "ladder")
        .annotate(n=Count("id"))
        .values_list("host_id", "ladder", "n")
    }
    themes = {
        (theme_id, ladder): n
        for theme_id, ladder, n in ConversationTag.objects.filter(
            status__in=COUNTED, conversation__in=conversations
        )
        .order_by()
        .values_list("theme_id", "conversation__ladder")
        .annotate(n=Count("id"))
        .values_list("theme_id", "conversation__ladder", "n")
    }
    return themes, totals


def _sum_by_first(counts: dict[tuple[int, str], int]) -> dict[int, int]:
    result: dict[int, int] = defaultdict(int)
    for (key, _ladder), n in counts.items():
        result[key] += n
    return result


def _sum_by_ladder(counts: dict[tuple[int, str], int]) -> dict[str, int]:
    result: dict[str, int] = defaultdict(int)
    for (_key, ladder), n in counts.items():
        result[ladder] += n
    return result


def sees_exact_counts(user: Any, hosts: Iterable[int]) -> bool:
    """Exact small numbers only for a member of every organisation that holds the conversations."""
    behind = set(hosts)
    return bool(behind) and behind <= organisation_ids(user)


def equality_answers(conversation_ids: Iterable[int]) -> dict[int, dict[str, str]] | None:
    """Each conversation's voluntary equality answers, or None where they cannot be linked.

    Listening keeps equality answers apart from conversations (no link at all), so until it records
    one this returns None and the page says why the cross-tab is not shown.
    """
    field_names = {f.name for f in EqualityMonitoring._meta.get_fields()}
    if "conversation" not in field_names:
        return None
    rows = EqualityMonitoring.objects.filter(conversation_id__in=list(conversation_ids)).values(
        "conversation_id", *EqualityMonitoring.QUESTIONS
    )
    return {
        row["conversation_id"]: {q: row[q] for q in EqualityMonitoring.QUESTIONS} for row in rows
    }


def _cross_tab(
    *,
    title: str,
    question: str,
    groups: list[tuple[str, str, int]],
    counts: dict[tuple[str, int], int],
    theme_totals: dict[int, int],
    total: int,
    themes: list[Theme],
    suppress: bool,
) -> CrossTab:
    tests = cross_tab(
        group_sizes={key: size for key, _label, size in groups},
        counts={(group, str(theme_id)): n for (group, theme_id), n in counts.items()},
        theme_totals={str(theme.pk): theme_totals.get(theme.pk, 0) for theme in themes},
        total=total,
    )
    labels = {key: label for key, label, _size in groups}
    by_pk = {str(theme.pk): theme for theme in themes}
    cells = {
        (test.group, int(test.theme)): CrossTabCell(
            group=test.group,
            group_label=labels[test.group],
            theme=by_pk[test.theme],
            count=test.count,
            group_size=test.group_size,
            lift=test.lift,
            adjusted_p=test.adjusted_p,
            suppress=suppress,
        )
        for test in tests
    }
    return CrossTab(title, question, groups, themes, cells, suppress)


def _equality_tables(
    *,
    area: Area,
    period: Period,
    organiser: Organiser | None,
    themes: list[Theme],
    suppress: bool,
) -> tuple[list[CrossTab], bool]:
    start, end = _month_bounds(period)
    conversations = Conversation.objects.filter(
        area.conversation_filter(), happened_at__gte=start, happened_at__lt=end
    )
    if organiser is not None:
        conversations = conversations.filter(organiser=organiser)
    probe = equality_answers([])
    if probe is None:
        return [], False
    ids = list(conversations.values_list("pk", flat=True))
    answers = equality_answers(ids) or {}
    theme_ids = {theme.pk for theme in themes}
    tagged: dict[int, set[int]] = defaultdict(set)
    for conversation_id, theme_id in ConversationTag.objects.filter(
        conversation_id__in=list(answers), status__in=COUNTED, theme_id__in=theme_ids
    ).values_list("conversation_id", "theme_id"):
        tagged[conversation_id].add(theme_id)
    tables = []
    for question in EqualityMonitoring.QUESTIONS:
        model_field = EqualityMonitoring._meta.get_field(question)
        choices = dict(model_field.choices or [])
        respondents = {
            pk: values[question]
            for pk, values in answers.items()
            if values.get(question) and values[question] != "prefer_not"
        }
        if not respondents:
            continue
        sizes: dict[str, int] = defaultdict(int)
        counts: dict[tuple[str, int], int] = defaultdict(int)
        theme_totals: dict[int, int] = defaultdict(int)
        for pk, answer in respondents.items():
            sizes[answer] += 1
            for theme_id in tagged.get(pk, ()):
                counts[(answer, theme_id)] += 1
                theme_totals[theme_id] += 1
        groups = [
            (key, str(choices.get(key, key)), sizes[key]) for key in choices if sizes.get(key)
        ]
        tables.append(
            _cross_tab(
                title=str(model_field.verbose_name).capitalize(),
                question=question,
                groups=groups,
                counts=counts,
                theme_totals=theme_totals,
                total=len(respondents),
                themes=themes,
                suppress=suppress,
            )
        )
    return tables, True


def area_evidence(
    *,
    user: Any,
    area: Area,
    period: Period,
    theme: Theme | None = None,
    organiser: Organiser | None = None,
    top_themes: int = 12,
) -> AreaEvidence:
    """Themes heard in an area and period, compared with before and with the authority."""
    previous = period.previous()
    counter = (lambda a, p: _live_counts(a, p, organiser)) if organiser else _aggregate_counts
    theme_counts, totals = counter(area, period)
    previous_theme_counts, previous_totals = counter(area, previous)
    authority = authority_area(area)
    if area.is_authority and organiser is None:
        authority_theme_counts, authority_totals = theme_counts, totals
    else:
        authority_theme_counts, authority_totals = _aggregate_counts(authority, period)

    hosts = {host for host, _ladder in totals} | {host for host, _ladder in previous_totals}
    suppress = not sees_exact_counts(user, hosts)
    authority_suppress = not sees_exact_counts(user, {h for h, _l in authority_totals})

    total = sum(totals.values())
    previous_total = sum(previous_totals.values())
    authority_total = sum(authority_totals.values())
    by_theme = _sum_by_first(theme_counts)
    previous_by_theme = _sum_by_first(previous_theme_counts)
    authority_by_theme = _sum_by_first(authority_theme_counts)

    wanted = _themes_within(theme)
    theme_ids = set(by_theme) | set(previous_by_theme)
    if wanted is not None:
        theme_ids &= wanted
    themes = {
        t.pk: t
        for t in Theme.objects.filter(pk__in=theme_ids, is_active=True).select_related("parent")
    }
    rows = [
        ThemeRow(
            theme=themes[pk],
            count=by_theme.get(pk, 0),
            share=by_theme.get(pk, 0) / total if total else None,
            previous_count=previous_by_theme.get(pk, 0),
            previous_share=previous_by_theme.get(pk, 0) / previous_total
            if previous_total
            else None,
            authority_count=authority_by_theme.get(pk, 0),
            authority_share=authority_by_theme.get(pk, 0) / authority_total
            if authority_total
            else None,
            suppress=suppress,
            authority_suppress=authority_suppress,
        )
        for pk in themes
    ]
    rows.sort(key=lambda row: (-row.count, -row.previous_count, row.theme.name))
    if not area.is_authority or organiser is not None:
        tested = []
        for row in rows:
            if authority_total and total and row.authority_count >= row.count:
                comparison = compare_with_authority(
                    area_count=row.count,
                    area_total=min(total, authority_total),
                    authority_count=row.authority_count,
                    authority_total=authority_total,
                )
                row.lift, row.p_value = comparison.lift, comparison.p_value
                tested.append(row)
        for row, adjusted in zip(
            tested, benjamini_hochberg([row.p_value or 1.0 for row in tested]), strict=True
        ):
            row.adjusted_p = adjusted

    ladder_totals = _sum_by_ladder(totals)
    ladder = [(key, str(label), ladder_totals.get(key, 0)) for key, label in Ladder.choices]
    shown_themes = [row.theme for row in rows[:top_themes] if row.count]
    ladder_counts = {
        (ladder_key, theme_id): n
        for (theme_id, ladder_key), n in theme_counts.items()
        if theme_id in {t.pk for t in shown_themes}
    }
    who_said_it = []
    if total and shown_themes:
        who_said_it.append(
            _cross_tab(
                title=_("Ladder of involvement"),
                question="ladder",
                groups=[(key, label, n) for key, label, n in ladder if n],
                counts=ladder_counts,
                theme_totals={t.pk: by_theme.get(t.pk, 0) for t in shown_themes},
                total=total,
                themes=shown_themes,
                suppress=suppress,
            )
        )
    equality_tables, equality_linked = _equality_tables(
        area=area, period=period, organiser=organiser, themes=shown_themes, suppress=suppress
    )
    who_said_it.extend(equality_tables)

    lsoas = area.lsoas()
    return AreaEvidence(
        area=area,
        period=period,
        previous=previous,
        suppress=suppress,
        total=total,
        previous_total=previous_total,
        authority_total=authority_total,
        rows=rows,
        ladder=ladder,
        who_said_it=who_said_it,
        equality_linked=equality_linked,
        imd_summary=deprivation_summary(lsoas),
        imd_profile=domain_profile(lsoas),
        quotes=published_quotes(area=area, period=period, theme_ids=wanted),
        organiser=organiser,
        theme=theme,
        hosts=hosts,
    )


def published_quotes(
    *, area: Area, period: Period, theme_ids: set[int] | None = None, limit: int = 12
) -> list[Quote]:
    start, end = _month_bounds(period)
    quotes = Quote.objects.filter(
        area.conversation_filter("conversation__"),
        status=Quote.Status.APPROVED,
        conversation__happened_at__gte=start,
        conversation__happened_at__lt=end,
    ).select_related("theme")
    if theme_ids is not None:
        quotes = quotes.filter(theme_id__in=theme_ids)
    return list(quotes.order_by("theme__name", "-decided_at")[:limit])


def organisers_for_filter(*, user: Any, area: Area) -> QuerySet[Organiser]:
    """Organisers who listened in this area, for the filter."""
    return (
        Organiser.objects.filter(
            Exists(
                Conversation.objects.filter(area.conversation_filter(), organiser=OuterRef("pk"))
            )
        )
        .select_related("host")
        .order_by("full_name")
    )


# --- quotes for approval -------------------------------------------------------------------------


def quotes_to_decide(*, user: Any) -> QuerySet[Quote]:
    return (
        Quote.objects.filter(status=Quote.Status.PROPOSED)
        .filter(_conversations_changeable_by(user, "conversation__"))
        .select_related("theme", "conversation")
        .order_by("created_at")
    )


def quote_candidates(
    *, user: Any, area: Area, period: Period, theme: Theme, limit: int = 8
) -> QuerySet[Conversation]:
    """Conversations the viewer may quote: tagged with the theme, never special category,
    most confidently tagged first, leaving out those already proposed for the theme."""
    start, end = _month_bounds(period)
    tagged = ConversationTag.objects.filter(
        conversation=OuterRef("pk"), theme=theme, status__in=COUNTED
    )
    quoted = Quote.objects.filter(conversation=OuterRef("pk"), theme=theme)
    return (
        Conversation.objects.filter(
            area.conversation_filter(),
            _conversations_changeable_by(user),
            happened_at__gte=start,
            happened_at__lt=end,
            special_category=False,
        )
        .filter(Exists(tagged))
        .exclude(Exists(quoted))
        .annotate(theme_confidence=Subquery(tagged.values("confidence")[:1]))
        .order_by(F("theme_confidence").desc(nulls_last=True), "-happened_at")[:limit]
    )


# --- from theme to action ------------------------------------------------------------------------


@dataclass(frozen=True)
class ResidentToInvite:
    resident: Resident
    last_spoke: datetime
    conversations: int


def residents_to_invite(
    *, user: Any, host: Organisation, area: Area, theme: Theme
) -> list[ResidentToInvite]:
    """Residents of this host who raised the theme here and agreed to be contacted.

    Only residents the viewer may see (their own conversations' residents, or all of the host's
    for its managers); a withdrawn consent, removed contact details or a merge take a resident out.
    """
    within = _themes_within(theme) or {theme.pk}
    conversations = Conversation.objects.filter(
        area.conversation_filter(),
        _conversations_changeable_by(user),
        host=host,
        resident__isnull=False,
        theme_tags__theme_id__in=within,
        theme_tags__status__in=COUNTED,
    )
    consent = Consent.objects.filter(
        resident=OuterRef("pk"),
        host=host,
        withdrawn_at__isnull=True,
        purpose__in=[Consent.Purpose.FOLLOW_UP, Consent.Purpose.REFERRAL],
    )
    residents = (
        Resident.objects.filter(
            pk__in=conversations.values("resident_id"),
            host=host,
            merged_into__isnull=True,
            contact_removed_at__isnull=True,
        )
        .filter(Q(email__gt="") | Q(phone__gt="") | Q(address__gt=""))
        .filter(Exists(consent))
        .annotate(
            last_spoke=Max("conversations__happened_at"),
            spoken=Count("conversations", distinct=True),
        )
        .order_by("-last_spoke", "full_name")
    )
    return [
        ResidentToInvite(resident, resident.last_spoke, resident.spoken) for resident in residents
    ]


def meetings_for(*, user: Any, area: Area | None = None, theme: Theme | None = None) -> Any:
    hosts = organisation_ids(user, Role.ORGANISER, Role.HOST_MANAGER)
    meetings = HouseMeeting.objects.filter(host_id__in=hosts).select_related("theme", "host")
    if area is not None:
        meetings = meetings.filter(area_kind=area.kind, area_code=area.code)
    if theme is not None:
        meetings = meetings.filter(theme=theme)
    return meetings.annotate(
        invited=Count("invitations", distinct=True),
        came=Count("invitations", filter=Q(invitations__attended=True), distinct=True),
    ).order_by("-meets_at")


def invitations_for(*, meeting: HouseMeeting) -> QuerySet[Invitation]:
    return meeting.invitations.select_related("resident", "invited_by").order_by(
        "resident__full_name"
    )
