"""Reads of listening records, always for a given viewer.

Two kinds of read live here. Records (conversations, residents) come back only where the viewer may
see them, with what they may see of each (:func:`conversation_access`). Figures (residents listened
to, by organiser, week, area) are open to every signed-in member and to area pages, with counts under
5 shown as "fewer than 5" to anyone outside the hosts that hold the conversations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from commonground.accounts.models import Role
from commonground.accounts.rules import organisation_ids
from commonground.core.suppression import display_count, is_suppressed
from commonground.places.models import LocalAuthority, Lsoa, Neighbourhood, Ward
from commonground.privacy.models import Consent
from commonground.privacy.selectors import shared_fields, shared_fields_by_provider
from commonground.programme.models import Organiser

from .counting import COUNTING_RULE, counting_filter, residents_listened_to
from .models import (
    CanvassAssignment,
    ConsentTier,
    Conversation,
    DoorKnock,
    EqualityMonitoring,
    FollowUp,
    ImportBatch,
    Resident,
    programme_year_of,
)

CONVERSATION_RELATED = (
    "organiser__supervisor",
    "organiser__host",
    "host",
    "lsoa",
    "ward",
    "neighbourhood",
    "authority",
    "resident",
    "recorded_by",
)

# Everything a host-side viewer may see of a conversation; outsiders get a subset by agreement.
ALL_FIELDS = frozenset(
    {"name", "email", "phone", "address", "exact_location", "notes", "follow_ups"}
)


# --- who sees which records ----------------------------------------------------------------------


def _shared_q(user: Any) -> Q:
    """Conversations shared with the viewer's organisations under an agreement in force."""
    through = Conversation.shared_with.through
    condition = Q(pk__in=[])
    for provider_id, by_recipient in shared_fields_by_provider(user).items():
        named = through.objects.filter(
            conversation_id=OuterRef("pk"), organisation_id__in=list(by_recipient)
        )
        condition |= Q(Exists(named), host_id=provider_id, consent_tier=ConsentTier.SHAREABLE)
    return condition


def conversation_scope(user: Any) -> Q:
    """The conversations a user may open: their own, their volunteers', their host's, or shared."""
    organiser_hosts = organisation_ids(user, Role.ORGANISER)
    managed_hosts = organisation_ids(user, Role.HOST_MANAGER)
    scope = _shared_q(user)
    # Only the branches that can match: an empty one still joins the organiser tables, which
    # keeps PostgreSQL from answering a host manager's list from the host index.
    if managed_hosts:
        scope |= Q(host_id__in=managed_hosts)
    if organiser_hosts:
        scope |= (Q(organiser__user=user) | Q(organiser__supervisor__user=user)) & Q(
            host_id__in=organiser_hosts
        )
    return scope


def conversation_list_visible_to(
    *,
    user: Any,
    organiser: Organiser | None = None,
    needs_review: bool | None = None,
    since: datetime | None = None,
    search: str = "",
    compact: bool = False,
) -> QuerySet[Conversation]:
    """The conversations ``user`` may see, newest first.

    ``compact`` is for the API's list, which shows only the organiser's id and the places' codes:
    those come in one small query per relation instead of a join across nine tables, which
    PostgreSQL took longer to plan than to run.
    """
    if not getattr(user, "is_authenticated", False):
        return Conversation.objects.none()
    queryset = Conversation.objects.filter(conversation_scope(user))
    if compact:
        queryset = queryset.prefetch_related(
            Prefetch("organiser", queryset=Organiser.objects.only("id", "public_id")),
            Prefetch("lsoa", queryset=Lsoa.objects.only("id", "code")),
            Prefetch("ward", queryset=Ward.objects.only("id", "code")),
            Prefetch("neighbourhood", queryset=Neighbourhood.objects.only("id", "slug")),
            Prefetch("authority", queryset=LocalAuthority.objects.only("id", "code")),
        )
    else:
        queryset = queryset.select_related(*CONVERSATION_RELATED).defer(
            # Lists never draw the places' boundaries; a ward's GeoJSON can outweigh the whole row.
            "lsoa__boundary",
            "ward__boundary",
            "authority__boundary",
        )
    if organiser is not None:
        queryset = queryset.filter(organiser=organiser)
    if needs_review is not None:
        queryset = queryset.filter(place_needs_review=needs_review)
    if since is not None:
        queryset = queryset.filter(updated_at__gte=since)
    if search:
        queryset = queryset.filter(
            Q(concerns__icontains=search)
            | Q(loves__icontains=search)
            | Q(ideas__icontains=search)
            | Q(would_do__icontains=search)
        )
    return queryset.order_by("-happened_at", "-id")


@dataclass(frozen=True)
class Access:
    """What a viewer may see of one record: everything (inside the host), some fields, or nothing."""

    inside_host: bool
    fields: frozenset[str] = frozenset()

    @property
    def any(self) -> bool:
        return self.inside_host or bool(self.fields)

    def sees(self, name: str) -> bool:
        return self.inside_host or name in self.fields


NO_ACCESS = Access(inside_host=False)


def conversation_access(*, user: Any, conversation: Conversation) -> Access:
    if not user.has_perm("listening.view_conversation", conversation):
        return NO_ACCESS
    if user.has_perm("listening.change_conversation", conversation):
        return Access(inside_host=True, fields=ALL_FIELDS)
    named = set(conversation.shared_with.values_list("id", flat=True))
    if named and conversation.resident_id is not None:
        # Named at the time is not enough: the resident's referral consent must still be in force.
        named &= _referral_partners(conversation.resident_id)
    return Access(
        inside_host=False,
        fields=shared_fields(user, provider_id=conversation.host_id, named_recipients=named),
    )


def _referral_partners(resident_id: int) -> set[int]:
    """Organisations named in a referral consent of this resident that is still in force."""
    return set(
        Consent.partners.through.objects.filter(
            consent__resident_id=resident_id,
            consent__withdrawn_at__isnull=True,
            consent__purpose=Consent.Purpose.REFERRAL,
        ).values_list("organisation_id", flat=True)
    )


def resident_access(*, user: Any, resident: Resident) -> Access:
    if not user.has_perm("listening.view_resident", resident):
        return NO_ACCESS
    if user.has_perm("listening.change_resident", resident):
        return Access(inside_host=True, fields=ALL_FIELDS)
    named = _referral_partners(resident.pk)
    return Access(
        inside_host=False,
        fields=shared_fields(user, provider_id=resident.host_id, named_recipients=named),
    )


def versions_of(*, conversation: Conversation) -> QuerySet[Any]:
    return conversation.versions.select_related("changed_by").order_by("-number")


def follow_ups_of(*, conversation: Conversation) -> QuerySet[FollowUp]:
    return conversation.follow_ups.select_related("assigned_to", "done_by")


def resident_list_visible_to(*, user: Any, search: str = "") -> QuerySet[Resident]:
    if not getattr(user, "is_authenticated", False):
        return Resident.objects.none()
    organiser_hosts = organisation_ids(user, Role.ORGANISER)
    managed_hosts = organisation_ids(user, Role.HOST_MANAGER)
    listened = Conversation.objects.filter(
        Q(organiser__user=user) | Q(organiser__supervisor__user=user),
        resident_id=OuterRef("pk"),
    )
    queryset = Resident.objects.filter(
        Q(host_id__in=managed_hosts) | (Q(host_id__in=organiser_hosts) & Q(Exists(listened))),
        merged_into__isnull=True,
    ).select_related("host", "lsoa")
    if search:
        queryset = queryset.filter(
            Q(full_name__icontains=search)
            | Q(email__icontains=search)
            | Q(postcode_key__icontains=search.replace(" ", "").upper())
        )
    return queryset.annotate(conversation_count=Count("conversations")).order_by("full_name", "id")


def conversations_of_resident(*, user: Any, resident: Resident) -> QuerySet[Conversation]:
    return conversation_list_visible_to(user=user).filter(resident=resident)


def duplicate_groups(*, user: Any, limit: int = 50) -> list[list[Resident]]:
    """Residents of the viewer's hosts who share an e-mail, a phone, or a name and postcode."""
    hosts = organisation_ids(user, Role.HOST_MANAGER)
    base = Resident.objects.filter(host_id__in=hosts, merged_into__isnull=True)
    groups: list[list[Resident]] = []
    seen: set[int] = set()
    for keys in (("email_key",), ("phone_key",), ("name_key", "postcode_key")):
        filled = base
        for key in keys:
            filled = filled.exclude(**{key: ""})
        clashes = (
            filled.values("host_id", *keys)
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .order_by()[:limit]
        )
        for clash in clashes:
            members = [
                r
                for r in base.filter(**clash_filter(clash, keys)).order_by("created_at")
                if r.pk not in seen
            ]
            if len(members) > 1:
                seen.update(r.pk for r in members)
                groups.append(members)
    return groups[:limit]


def clash_filter(clash: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    return {"host_id": clash["host_id"], **{key: clash[key] for key in keys}}


def organisers_recordable_by(*, user: Any) -> QuerySet[Organiser]:
    """Organisers this user may record conversations for: themself, volunteers they supervise, and
    for host managers, everyone their host employs."""
    organiser_hosts = organisation_ids(user, Role.ORGANISER)
    managed_hosts = organisation_ids(user, Role.HOST_MANAGER)
    return (
        Organiser.objects.filter(
            ((Q(user=user) | Q(supervisor__user=user)) & Q(host_id__in=organiser_hosts))
            | Q(host_id__in=managed_hosts)
        )
        .select_related("host", "programme", "supervisor")
        .order_by("full_name")
    )


def import_batches_visible_to(*, user: Any) -> QuerySet[ImportBatch]:
    managed = organisation_ids(user, Role.HOST_MANAGER)
    return (
        ImportBatch.objects.filter(Q(uploaded_by=user) | Q(host_id__in=managed))
        .select_related("host", "uploaded_by", "default_organiser")
        .order_by("-created_at")
    )


def follow_ups_due(*, user: Any, within_days: int = 14) -> QuerySet[FollowUp]:
    horizon = timezone.localdate() + timedelta(days=within_days)
    return (
        FollowUp.objects.filter(
            Q(assigned_to__user=user) | Q(assigned_to__supervisor__user=user),
            status=FollowUp.Status.OPEN,
        )
        .filter(Q(due_on__lte=horizon) | Q(due_on__isnull=True))
        .select_related("conversation", "assigned_to")
        .order_by("due_on", "id")
    )


# --- figures -------------------------------------------------------------------------------------


def _inside_all(user: Any, host_ids: Iterable[int]) -> bool:
    mine = organisation_ids(user)
    hosts = set(host_ids)
    return bool(hosts) and hosts <= mine


@dataclass
class Figure:
    """A count as it may be shown to this viewer, with the counting rule that produced it."""

    value: int
    suppressed: bool

    @property
    def rule(self) -> str:
        return str(COUNTING_RULE)

    @property
    def display(self) -> str:
        return display_count(self.value, suppress=self.suppressed)

    @property
    def shown_value(self) -> int | None:
        return None if self.suppressed and is_suppressed(self.value) else self.value


def programme_year_now(organiser: Organiser) -> int:
    return programme_year_of(
        timezone.localdate(), year_starts_month=organiser.programme.year_starts_month
    )


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class Progress:
    organiser: Organiser
    listened: int
    target: int
    starts_on: date
    ends_on: date
    weeks: list[dict[str, Any]] = field(default_factory=list)
    conversations: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.listened / self.target) if self.target else 0

    @property
    def expected_by_now(self) -> int:
        """Where a steady pace from the start to the end of the placement would have got to."""
        today = min(timezone.localdate(), self.ends_on)
        span = max((self.ends_on - self.starts_on).days, 1)
        done = max((today - self.starts_on).days, 0)
        return round(self.target * min(done / span, 1))


def _placement_window(organiser: Organiser) -> tuple[date, date]:
    starts = organiser.placement_starts_on or organiser.programme.starts_on
    ends = organiser.placement_ends_on or starts + timedelta(days=364)
    return starts, ends


def organiser_progress(*, organiser: Organiser) -> Progress:
    """Residents listened to in the placement against the target, week by week (Monday starts).

    The target pace runs from the start to the end of the placement (a year when no end is set);
    a placement without an end keeps counting until today.
    """
    starts, ends = _placement_window(organiser)
    conversations = Conversation.objects.filter(organiser=organiser, happened_at__date__gte=starts)
    if organiser.placement_ends_on:
        conversations = conversations.filter(happened_at__date__lte=organiser.placement_ends_on)
    counted_until = (
        min(organiser.placement_ends_on, timezone.localdate())
        if organiser.placement_ends_on
        else timezone.localdate()
    )
    by_week = dict(
        conversations.filter(**counting_filter())
        .annotate(week=TruncWeek("happened_at"))
        .values("week")
        .annotate(n=Count("id"))
        .values_list("week", "n")
    )
    counts = {
        (week.date() if isinstance(week, datetime) else week): n for week, n in by_week.items()
    }
    weeks = []
    total = 0
    week = _week_start(starts)
    last = _week_start(counted_until)
    span_days = max((ends - starts).days, 1)
    while week <= last:
        count = counts.get(week, 0)
        total += count
        elapsed = min(max((week + timedelta(days=6) - starts).days, 0), span_days)
        weeks.append(
            {
                "week": week.isoformat(),
                "week_date": week,
                "listened": count,
                "cumulative": total,
                "target_pace": round(organiser.listening_target * elapsed / span_days),
            }
        )
        week += timedelta(days=7)
    return Progress(
        organiser=organiser,
        listened=residents_listened_to(conversations),
        target=organiser.listening_target,
        starts_on=starts,
        ends_on=ends,
        weeks=weeks,
        conversations=conversations.count(),
    )


def host_progress(*, user: Any) -> list[Progress]:
    """Every organiser of the hosts the user manages, side by side."""
    hosts = organisation_ids(user, Role.HOST_MANAGER)
    organisers = Organiser.objects.filter(host_id__in=hosts).select_related("programme", "host")
    return [organiser_progress(organiser=o) for o in organisers.order_by("full_name")]


@dataclass
class AreaListening:
    total: Figure
    months: list[tuple[date, Figure]]
    first_on: date | None
    last_on: date | None

    @property
    def rule(self) -> str:
        return str(COUNTING_RULE)


def area_listening(
    *, user: Any, lsoa_ids: Iterable[int] | None = None, authority_id: int | None = None
) -> AreaListening:
    """Residents listened to in an area, in total and month by month over the last year."""
    conversations = Conversation.objects.filter(**counting_filter())
    if authority_id is not None:
        conversations = conversations.filter(authority_id=authority_id)
    else:
        conversations = conversations.filter(lsoa_id__in=list(lsoa_ids or []))
    by_host = dict(
        conversations.values("host_id").annotate(n=Count("id")).values_list("host_id", "n")
    )
    suppress = not _inside_all(user, by_host)
    total = sum(by_host.values())
    today = timezone.localdate()
    since = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
    by_month = dict(
        conversations.filter(happened_at__date__gte=since)
        .annotate(month=TruncMonth("happened_at"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    counts = {
        (month.date() if isinstance(month, datetime) else month): n for month, n in by_month.items()
    }
    months = []
    month = since
    while month <= today:
        months.append((month, Figure(counts.get(month, 0), suppress)))
        month = (month + timedelta(days=32)).replace(day=1)
    span = conversations.order_by().values_list("happened_at", flat=True)
    first = span.order_by("happened_at").first()
    last = span.order_by("-happened_at").first()
    return AreaListening(
        total=Figure(total, suppress),
        months=months,
        first_on=timezone.localtime(first).date() if first else None,
        last_on=timezone.localtime(last).date() if last else None,
    )


def listening_by_neighbourhood(*, user: Any) -> list[dict[str, Any]]:
    """Residents listened to per neighbourhood in the programmes the user takes part in."""
    mine = organisation_ids(user)
    conversations = Conversation.objects.filter(
        Q(programme__council_id__in=mine)
        | Q(programme__organisations__in=mine)
        | Q(host_id__in=mine),
        neighbourhood__isnull=False,
        **counting_filter(),
    ).distinct()
    rows = (
        Conversation.objects.filter(pk__in=conversations.values("pk"))
        .values("neighbourhood__name", "neighbourhood__slug", "host_id")
        .annotate(n=Count("id"))
        .order_by("neighbourhood__name")
    )
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = merged.setdefault(
            row["neighbourhood__slug"],
            {
                "name": row["neighbourhood__name"],
                "slug": row["neighbourhood__slug"],
                "n": 0,
                "hosts": set(),
            },
        )
        entry["n"] += row["n"]
        entry["hosts"].add(row["host_id"])
    result = []
    for entry in merged.values():
        figure = Figure(entry["n"], not _inside_all(user, entry["hosts"]))
        result.append({"name": entry["name"], "slug": entry["slug"], "figure": figure})
    return result


@dataclass
class AssignmentProgress:
    assignment: CanvassAssignment
    conversations: int
    doors_knocked: int
    doors_answered: int
    by_week: list[dict[str, Any]]
    by_lsoa: dict[str, int]

    @property
    def percent(self) -> int:
        target = self.assignment.target_conversations
        return round(100 * self.conversations / target) if target else 0


def assignment_lsoa_ids(assignment: CanvassAssignment) -> set[int]:
    ids = set(assignment.lsoas.values_list("pk", flat=True))
    ids.update(pk for pk in assignment.streets.values_list("lsoa_id", flat=True) if pk is not None)
    return ids


def assignment_progress(*, assignment: CanvassAssignment) -> AssignmentProgress:
    """Conversations the assigned organiser had in the patch in the period, and doors knocked."""
    lsoa_ids = assignment_lsoa_ids(assignment)
    conversations = Conversation.objects.filter(
        organiser_id=assignment.organiser_id,
        lsoa_id__in=lsoa_ids,
        happened_at__date__gte=assignment.starts_on,
        happened_at__date__lte=assignment.ends_on,
    )
    doors = DoorKnock.objects.filter(assignment=assignment).aggregate(
        knocked=Sum("doors_knocked"), answered=Sum("doors_answered")
    )
    weekly = dict(
        conversations.annotate(week=TruncWeek("happened_at"))
        .values("week")
        .annotate(n=Count("id"))
        .values_list("week", "n")
    )
    counts = {(w.date() if isinstance(w, datetime) else w): n for w, n in weekly.items()}
    door_weeks: dict[date, int] = {}
    for knocked_on, knocked in DoorKnock.objects.filter(assignment=assignment).values_list(
        "knocked_on", "doors_knocked"
    ):
        key = _week_start(knocked_on)
        door_weeks[key] = door_weeks.get(key, 0) + knocked
    by_week = []
    week = _week_start(assignment.starts_on)
    total = 0
    span = max((assignment.ends_on - assignment.starts_on).days, 1)
    while week <= assignment.ends_on:
        total += counts.get(week, 0)
        elapsed = min(max((week + timedelta(days=6) - assignment.starts_on).days, 0), span)
        by_week.append(
            {
                "week": week.isoformat(),
                "conversations": counts.get(week, 0),
                "cumulative": total,
                "doors_knocked": door_weeks.get(week, 0),
                "target_pace": round(assignment.target_conversations * elapsed / span),
            }
        )
        week += timedelta(days=7)
    by_lsoa = dict(
        conversations.values("lsoa__code").annotate(n=Count("id")).values_list("lsoa__code", "n")
    )
    return AssignmentProgress(
        assignment=assignment,
        conversations=conversations.count(),
        doors_knocked=doors["knocked"] or 0,
        doors_answered=doors["answered"] or 0,
        by_week=by_week,
        by_lsoa=by_lsoa,
    )


def assignments_visible_to(*, user: Any) -> QuerySet[CanvassAssignment]:
    organiser_hosts = organisation_ids(user, Role.ORGANISER)
    managed = organisation_ids(user, Role.HOST_MANAGER)
    return (
        CanvassAssignment.objects.filter(
            Q(host_id__in=managed)
            | (
                (Q(organiser__user=user) | Q(organiser__supervisor__user=user))
                & Q(host_id__in=organiser_hosts)
            )
        )
        .select_related("organiser", "host")
        .order_by("-starts_on", "title")
    )


def equality_summary(*, user: Any) -> list[dict[str, Any]]:
    """Equality answers for the hosts the user manages, in aggregate only, always suppressed under 5."""
    hosts = organisation_ids(user, Role.HOST_MANAGER)
    rows = EqualityMonitoring.objects.filter(host_id__in=hosts)
    summary = []
    for question in EqualityMonitoring.QUESTIONS:
        model_field = EqualityMonitoring._meta.get_field(question)
        labels = dict(model_field.choices or [])
        counts = dict(
            rows.exclude(**{question: ""})
            .values(question)
            .annotate(n=Count("id"))
            .values_list(question, "n")
        )
        summary.append(
            {
                "question": str(model_field.verbose_name),
                "answers": [
                    {"label": str(labels[key]), "count": display_count(counts.get(key, 0))}
                    for key in labels
                ],
                "answered": display_count(sum(counts.values())),
            }
        )
    return summary
