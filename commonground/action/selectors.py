"""Reads for the action app, always for a given viewer, with their related rows already joined."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.accounts.models import Role
from commonground.accounts.rules import organisation_ids
from commonground.places.models import Neighbourhood
from commonground.programme.models import Organisation

from .models import (
    AreaType,
    Forum,
    ForumAction,
    Group,
    Idea,
    Involvement,
    Matter,
    Meeting,
    NetworkLink,
    Project,
    RoutingRule,
    ToolkitEntry,
)

DUPLICATE_WINDOW_DAYS = 30
DUPLICATE_DISTANCE_METRES = 400

MATTER_RELATED = (
    "category__theme",
    "routed_to",
    "raised_by_organisation",
    "neighbourhood",
    "lsoa",
    "ward",
    "authority",
    "owner",
)


def _is_admin(user: Any) -> bool:
    return bool(organisation_ids(user, Role.ADMINISTRATOR))


def _council_authorities(user: Any) -> list[int]:
    councils = organisation_ids(user, Role.COUNCIL_OFFICER)
    return list(
        Organisation.objects.filter(pk__in=councils, kind=Organisation.Kind.COUNCIL)
        .exclude(authority__isnull=True)
        .values_list("authority_id", flat=True)
    )


# --- matters ------------------------------------------------------------------------------------


def with_residents_raised(queryset: QuerySet[Matter]) -> QuerySet[Matter]:
    """Annotate ``residents_raised``: distinct residents plus anonymous conversations plus reports.

    The listening rule counts a resident once per programme year; a matter is one thing however long
    it runs, so here a resident counts once across all its conversations. Each anonymous
    conversation is one resident, as in listening, and each Open311 report is one resident.
    """
    return queryset.annotate(
        residents_raised=Count(
            "conversations", filter=Q(conversations__resident__isnull=True), distinct=True
        )
        + Count("conversations__resident", distinct=True)
        + F("outside_reports")
    )


def attach_residents_raised(matters: Iterable[Matter]) -> list[Matter]:
    """Set ``residents_raised`` on a page of matters with one query for the page.

    Counting for a whole list before paginating makes the database count every matter's
    conversations; counting after paginating costs one small query, whatever the list's length.
    """
    page = list(matters)
    counts = dict(
        with_residents_raised(Matter.objects.filter(pk__in=[m.pk for m in page])).values_list(
            "pk", "residents_raised"
        )
    )
    for matter in page:
        matter.residents_raised = counts.get(matter.pk, matter.outside_reports)  # type: ignore[attr-defined]
    return page


def residents_raised(matter: Matter) -> int:
    return with_residents_raised(Matter.objects.filter(pk=matter.pk)).values_list(
        "residents_raised", flat=True
    )[0]


def matter_scope(user: Any) -> Q:
    """The matters a user may open (the same question as ``action.view_matter``)."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if _is_admin(user):
        return Q()
    routed = organisation_ids(user, Role.PARTNER_OFFICER, Role.COUNCIL_OFFICER, Role.HOST_MANAGER)
    raising = organisation_ids(
        user, Role.ORGANISER, Role.HOST_MANAGER, Role.PARTNER_OFFICER, Role.COUNCIL_OFFICER
    )
    return (
        Q(routed_to_id__in=routed)
        | Q(raised_by_organisation_id__in=raising)
        | Q(authority_id__in=_council_authorities(user))
    )


def matter_list_visible_to(
    *,
    user: Any,
    status: str | None = None,
    category: Any = None,
    neighbourhood: Neighbourhood | None = None,
    overdue: bool = False,
    search: str = "",
    open_only: bool = False,
) -> QuerySet[Matter]:
    queryset = Matter.objects.filter(matter_scope(user)).select_related(*MATTER_RELATED)
    if status:
        queryset = queryset.filter(status=status)
    if open_only or overdue:
        queryset = queryset.filter(status__in=Matter.OPEN_STATUSES)
    if overdue:
        queryset = queryset.filter(due_at__lt=timezone.now())
    if category is not None:
        queryset = queryset.filter(category=category)
    if neighbourhood is not None:
        queryset = queryset.filter(neighbourhood=neighbourhood)
    if search:
        queryset = queryset.filter(Q(title__icontains=search) | Q(description__icontains=search))
    return queryset.order_by("-raised_at", "-id")


def matter_queue_for(*, user: Any, show: str = "open") -> QuerySet[Matter]:
    """A partner's queue: matters routed to the viewer's organisations, most urgent first."""
    mine = organisation_ids(user, Role.PARTNER_OFFICER, Role.COUNCIL_OFFICER, Role.HOST_MANAGER)
    queryset = Matter.objects.filter(routed_to_id__in=mine).select_related(*MATTER_RELATED)
    if show == "open":
        queryset = queryset.filter(status__in=Matter.OPEN_STATUSES)
    elif show == "overdue":
        queryset = queryset.filter(status__in=Matter.OPEN_STATUSES, due_at__lt=timezone.now())
    elif show == "new":
        queryset = queryset.filter(status=Matter.Status.NEW)
    elif show == "closed":
        queryset = queryset.exclude(status__in=Matter.OPEN_STATUSES)
    return queryset.order_by("due_at", "id")


def queue_counts(*, user: Any) -> dict[str, int]:
    mine = organisation_ids(user, Role.PARTNER_OFFICER, Role.COUNCIL_OFFICER, Role.HOST_MANAGER)
    now = timezone.now()
    return Matter.objects.filter(routed_to_id__in=mine).aggregate(
        open=Count("id", filter=Q(status__in=Matter.OPEN_STATUSES)),
        new=Count("id", filter=Q(status=Matter.Status.NEW)),
        overdue=Count("id", filter=Q(status__in=Matter.OPEN_STATUSES, due_at__lt=now)),
    )


def matter_conversations_for(*, user: Any, matter: Matter) -> QuerySet[Any]:
    """The matter's conversations the viewer may open; others are only counted."""
    from commonground.listening.selectors import conversation_list_visible_to

    return conversation_list_visible_to(user=user).filter(matters=matter)


def _metres_between(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    radius = 6_371_000
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def possible_duplicates_of(
    *,
    category: Any,
    lsoa_id: int | None,
    neighbourhood_id: int | None,
    lon: float | None,
    lat: float | None,
    raised_at: datetime,
    exclude_pk: int | None = None,
) -> list[Matter]:
    """Matters of the same category, nearby, raised within the same period and not merged away.

    Nearby means the same LSOA or neighbourhood, or within 400 metres when both have a point. The same
    period means raised within 30 days either side.
    """
    window = timedelta(days=DUPLICATE_WINDOW_DAYS)
    candidates = (
        Matter.objects.filter(
            category=category,
            raised_at__gte=raised_at - window,
            raised_at__lte=raised_at + window,
        )
        .exclude(status=Matter.Status.MERGED)
        .exclude(pk=exclude_pk)
        .select_related(*MATTER_RELATED)
    )
    nearby = Q(pk__in=[])
    if lsoa_id:
        nearby |= Q(lsoa_id=lsoa_id)
    if neighbourhood_id:
        nearby |= Q(neighbourhood_id=neighbourhood_id)
    if lon is not None and lat is not None:
        nearby |= Q(lon__isnull=False, lat__isnull=False)
    found = []
    for matter in with_residents_raised(candidates.filter(nearby)).order_by("raised_at"):
        same_area = (lsoa_id and matter.lsoa_id == lsoa_id) or (
            neighbourhood_id and matter.neighbourhood_id == neighbourhood_id
        )
        close = (
            lon is not None
            and lat is not None
            and matter.lon is not None
            and matter.lat is not None
            and _metres_between(lon, lat, matter.lon, matter.lat) <= DUPLICATE_DISTANCE_METRES
        )
        if same_area or close:
            found.append(matter)
    return found


def possible_duplicates(*, user: Any, matter: Matter) -> list[Matter]:
    """Duplicates of ``matter`` the viewer may see and merge."""
    return [
        candidate
        for candidate in possible_duplicates_of(
            category=matter.category,
            lsoa_id=matter.lsoa_id,
            neighbourhood_id=matter.neighbourhood_id,
            lon=matter.lon,
            lat=matter.lat,
            raised_at=matter.raised_at,
            exclude_pk=matter.pk,
        )
        if user.has_perm("action.view_matter", candidate)
    ]


def routing_rules_for(*, user: Any) -> QuerySet[RoutingRule]:
    queryset = RoutingRule.objects.select_related(
        "council",
        "category__theme",
        "partner",
        "owner",
        "lsoa",
        "ward",
        "neighbourhood",
        "authority",
    )
    if not _is_admin(user):
        councils = organisation_ids(user, Role.COUNCIL_OFFICER)
        authorities = _council_authorities(user)
        queryset = queryset.filter(
            Q(council_id__in=councils)
            | Q(council__authority_id__in=authorities)
            | Q(partner_id__in=organisation_ids(user))
        )
    return queryset.order_by("council__name", "category__theme__name", "priority", "id")


# --- groups and the network ---------------------------------------------------------------------


def host_ids(user: Any) -> set[int]:
    """Hosts in which the user works with residents (and so may see their names)."""
    return organisation_ids(user, Role.ORGANISER, Role.HOST_MANAGER)


def group_list(
    *, user: Any, neighbourhood: Neighbourhood | None = None, search: str = "", kind: str = ""
) -> QuerySet[Group]:
    queryset = (
        Group.objects.select_related("host", "neighbourhood")
        .prefetch_related("supporting_organisations")
        .annotate(people=Count("involvements__resident", distinct=True))
    )
    if neighbourhood is not None:
        queryset = queryset.filter(neighbourhood=neighbourhood)
    if kind:
        queryset = queryset.filter(kind=kind)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(description__icontains=search))
    return queryset.order_by("name")


def group_people(*, user: Any, group: Group) -> QuerySet[Involvement]:
    if not user.has_perm("action.view_group_people", group):
        return Involvement.objects.none()
    return group.involvements.select_related("resident").order_by("role", "resident__full_name")


@dataclass
class NetworkNode:
    key: str
    kind: str
    label: str
    url: str = ""


@dataclass
class NetworkEdge:
    source: str
    target: str
    kind: str
    label: str


@dataclass
class Network:
    nodes: dict[str, NetworkNode] = field(default_factory=dict)
    edges: list[NetworkEdge] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "nodes": [vars(node) for node in self.nodes.values()],
            "edges": [vars(edge) for edge in self.edges],
        }

    def neighbours(self) -> list[tuple[NetworkNode, list[tuple[NetworkEdge, NetworkNode]]]]:
        """Each node with the nodes it is linked to: the network readable as a list."""
        adjacent: dict[str, list[tuple[NetworkEdge, NetworkNode]]] = defaultdict(list)
        for edge in self.edges:
            adjacent[edge.source].append((edge, self.nodes[edge.target]))
            adjacent[edge.target].append((edge, self.nodes[edge.source]))
        order = {"group": 0, "organisation": 1, "resident": 2}
        nodes = sorted(self.nodes.values(), key=lambda n: (order.get(n.kind, 3), n.label))
        return [
            (node, sorted(adjacent[node.key], key=lambda pair: pair[1].label)) for node in nodes
        ]


def network_for(*, user: Any, neighbourhood: Neighbourhood) -> Network:
    """People, groups and organisations in a patch, drawn from recorded links.

    Residents are named only to organisers and managers of the host that holds their details;
    everyone else sees "a resident" so the shape of the network shows without who is in it.
    """
    visible_hosts = host_ids(user)
    network = Network()
    pseudonyms: dict[int, str] = {}

    def resident_node(resident: Any) -> str:
        key = f"r{resident.pk}"
        if key not in network.nodes:
            if resident.host_id in visible_hosts:
                label = str(resident)
            else:
                pseudonyms.setdefault(resident.pk, str(len(pseudonyms) + 1))
                label = _("Resident %(n)s") % {"n": pseudonyms[resident.pk]}
            network.nodes[key] = NetworkNode(key=key, kind="resident", label=label)
        return key

    def group_node(group: Group) -> str:
        key = f"g{group.pk}"
        network.nodes.setdefault(
            key, NetworkNode(key=key, kind="group", label=group.name, url=group.get_absolute_url())
        )
        return key

    def organisation_node(organisation: Organisation) -> str:
        key = f"o{organisation.pk}"
        network.nodes.setdefault(
            key,
            NetworkNode(
                key=key,
                kind="organisation",
                label=organisation.name,
                url=organisation.get_absolute_url(),
            ),
        )
        return key

    groups = list(
        Group.objects.filter(neighbourhood=neighbourhood).prefetch_related(
            "supporting_organisations",
            Prefetch(
                "involvements",
                queryset=Involvement.objects.filter(ended_on__isnull=True).select_related(
                    "resident"
                ),
            ),
        )
    )
    for group in groups:
        group_key = group_node(group)
        for organisation in group.supporting_organisations.all():
            network.edges.append(
                NetworkEdge(organisation_node(organisation), group_key, "supports", _("supports"))
            )
        for involvement in group.involvements.all():
            network.edges.append(
                NetworkEdge(
                    resident_node(involvement.resident),
                    group_key,
                    "involved",
                    involvement.get_role_display().lower(),
                )
            )
    links = NetworkLink.objects.filter(neighbourhood=neighbourhood).select_related(
        "from_resident",
        "from_group",
        "from_organisation",
        "to_resident",
        "to_group",
        "to_organisation",
    )
    for link in links:
        keys = []
        for resident, group, organisation in (
            (link.from_resident, link.from_group, link.from_organisation),
            (link.to_resident, link.to_group, link.to_organisation),
        ):
            if resident is not None:
                keys.append(resident_node(resident))
            elif group is not None:
                keys.append(group_node(group))
            else:
                keys.append(organisation_node(organisation))
        network.edges.append(
            NetworkEdge(keys[0], keys[1], "link", link.description or _("put in touch"))
        )
    return network


@dataclass(frozen=True)
class GrowthMonth:
    month: date
    links_brokered: int
    first_actions: int
    new_leaders: int
    house_groups: int


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _months_back(until: date, count: int) -> list[date]:
    months = []
    current = _month_start(until)
    for _step in range(count):
        months.append(current)
        current = _month_start(current - timedelta(days=1))
    return list(reversed(months))


def network_growth(
    *, neighbourhood: Neighbourhood, months: int = 12, until: date | None = None
) -> list[GrowthMonth]:
    """How the network in a patch grew month by month.

    Links brokered: links an organiser made. First actions: residents whose first involvement with
    any group in the patch began that month. New leaders: residents who first became a leader or
    founder of a group in the patch that month. House groups: house groups formed.
    """
    until = until or timezone.localdate()
    window = _months_back(until, months)
    start = window[0]

    def by_month(rows: Iterable[tuple[date | datetime | None, int]]) -> dict[date, int]:
        counts: dict[date, int] = defaultdict(int)
        for month, n in rows:
            if month is None:
                continue
            day = month.date() if isinstance(month, datetime) else month
            counts[_month_start(day)] += n
        return counts

    links = by_month(
        NetworkLink.objects.filter(
            neighbourhood=neighbourhood, brokered_by__isnull=False, made_on__gte=start
        )
        .annotate(month=TruncMonth("made_on"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    in_patch = Involvement.objects.filter(group__neighbourhood=neighbourhood)
    firsts = by_month(
        (_month_start(first), 1)
        for first in in_patch.values("resident")
        .annotate(first=Min("started_on"))
        .values_list("first", flat=True)
        if first >= start
    )
    leaders = by_month(
        (_month_start(first), 1)
        for first in in_patch.filter(role__in=Involvement.LEADING_ROLES)
        .values("resident")
        .annotate(first=Min("started_on"))
        .values_list("first", flat=True)
        if first >= start
    )
    house_groups = by_month(
        Group.objects.filter(
            neighbourhood=neighbourhood, kind=Group.Kind.HOUSE_GROUP, formed_on__gte=start
        )
        .annotate(month=TruncMonth("formed_on"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    return [
        GrowthMonth(
            month=month,
            links_brokered=links.get(month, 0),
            first_actions=firsts.get(month, 0),
            new_leaders=leaders.get(month, 0),
            house_groups=house_groups.get(month, 0),
        )
        for month in window
    ]


def patches_for(*, user: Any) -> QuerySet[Neighbourhood]:
    """Neighbourhoods to offer on the network page: the viewer's organisers' patches first."""
    from commonground.programme.models import Organiser

    hosts = host_ids(user)
    council_authorities = _council_authorities(user)
    if _is_admin(user):
        return Neighbourhood.objects.order_by("name")
    return (
        Neighbourhood.objects.filter(
            Q(organisers__in=Organiser.objects.filter(host_id__in=hosts))
            | Q(authority_id__in=council_authorities)
        )
        .distinct()
        .order_by("name")
    )


# --- projects -----------------------------------------------------------------------------------


def project_list(
    *,
    user: Any,
    neighbourhood: Neighbourhood | None = None,
    status: str = "",
    needs_help: bool = False,
    search: str = "",
) -> QuerySet[Project]:
    queryset = Project.objects.select_related("host", "lead_group", "neighbourhood").annotate(
        volunteer_hours=Coalesce(
            Sum("volunteer_time__hours"), Value(Decimal("0")), output_field=DecimalField()
        )
    )
    if neighbourhood is not None:
        queryset = queryset.filter(neighbourhood=neighbourhood)
    if status:
        queryset = queryset.filter(status=status)
    if needs_help:
        queryset = queryset.filter(needs_help=True)
    if search:
        queryset = queryset.filter(Q(title__icontains=search) | Q(summary__icontains=search))
    return queryset.order_by("title")


def project_totals(project: Project) -> dict[str, Any]:
    totals = project.volunteer_time.aggregate(
        volunteers=Coalesce(Sum("volunteers"), Value(0), output_field=IntegerField()),
        hours=Coalesce(Sum("hours"), Value(Decimal("0")), output_field=DecimalField()),
        sessions=Count("id"),
    )
    totals["attendance"] = (
        project.events.aggregate(
            n=Coalesce(Sum("attendance"), Value(0), output_field=IntegerField())
        )["n"]
        or 0
    )
    return totals


def toolkit_suggestions_for(project: Project, limit: int = 3) -> list[ToolkitEntry]:
    """Published entries sharing a theme or the area type of the project's neighbourhood."""
    themes = list(project.themes.values_list("pk", flat=True))
    area_types = set()
    if project.neighbourhood_id:
        from .models import area_type_of_rural_urban_code

        for code in project.neighbourhood.lsoas.values_list("rural_urban_code", flat=True):
            kind = area_type_of_rural_urban_code(code)
            if kind:
                area_types.add(kind)
    condition = Q(themes__in=themes) | Q(area_type_tags__area_type__in=area_types)
    return list(
        ToolkitEntry.objects.filter(condition, is_published=True)
        .exclude(pk__in=project.toolkit_entries.values("pk"))
        .distinct()
        .order_by("title")[:limit]
    )


# --- forums -------------------------------------------------------------------------------------


def forum_list(*, user: Any) -> QuerySet[Forum]:
    return (
        Forum.objects.select_related("council", "authority", "organisation")
        .annotate(
            member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
            open_actions=Count(
                "actions", filter=Q(actions__status=ForumAction.Status.OPEN), distinct=True
            ),
        )
        .order_by("name")
    )


def upcoming_meetings(
    *, forum: Forum | None = None, after: datetime | None = None
) -> QuerySet[Meeting]:
    queryset = Meeting.objects.select_related("forum").exclude(status=Meeting.Status.CANCELLED)
    if forum is not None:
        queryset = queryset.filter(forum=forum)
    return queryset.filter(starts_at__gte=after or timezone.now()).order_by("starts_at")


# --- ideas and savings --------------------------------------------------------------------------


def idea_scope(user: Any) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if _is_admin(user):
        return Q()
    return (
        Q(host_id__in=organisation_ids(user))
        | Q(council_id__in=organisation_ids(user, Role.COUNCIL_OFFICER))
        | Q(
            service_organisation_id__in=organisation_ids(
                user, Role.COUNCIL_OFFICER, Role.PARTNER_OFFICER
            )
        )
        | Q(forum__organisation_id__in=organisation_ids(user, Role.FORUM_MEMBER))
    )


def idea_list_visible_to(
    *, user: Any, status: str = "", neighbourhood: Neighbourhood | None = None, search: str = ""
) -> QuerySet[Idea]:
    queryset = Idea.objects.filter(idea_scope(user)).select_related(
        "neighbourhood", "organiser", "council", "service_organisation", "owner", "host"
    )
    if status:
        queryset = queryset.filter(status=status)
    if neighbourhood is not None:
        queryset = queryset.filter(neighbourhood=neighbourhood)
    if search:
        queryset = queryset.filter(
            Q(title__icontains=search)
            | Q(summary__icontains=search)
            | Q(service_affected__icontains=search)
        )
    return queryset.distinct().order_by("response_due_on", "id")


@dataclass(frozen=True)
class PipelineColumn:
    status: str
    label: str
    ideas: list[Idea]
    estimated: Decimal
    realised: Decimal


def idea_pipeline(*, user: Any) -> list[PipelineColumn]:
    ideas = list(idea_list_visible_to(user=user))
    columns = []
    for status in Idea.PIPELINE:
        chosen = [idea for idea in ideas if idea.status == status]
        columns.append(
            PipelineColumn(
                status=status,
                label=str(Idea.Status(status).label),
                ideas=chosen,
                estimated=sum(
                    (i.yearly_saving_estimated or Decimal(0) for i in chosen), Decimal(0)
                ),
                realised=sum((i.yearly_saving_realised or Decimal(0) for i in chosen), Decimal(0)),
            )
        )
    return columns


@dataclass(frozen=True)
class SavingsRow:
    label: str
    ideas: int
    adopted: int
    one_off_cost: Decimal
    estimated: Decimal
    realised: Decimal


def savings_totals(*, user: Any, by: str) -> list[SavingsRow]:
    """Estimated and realised yearly savings, by neighbourhood or by organiser.

    Rejected ideas are left out of the estimate: it is the saving still in prospect plus the saving
    already made.
    """
    key = {"neighbourhood": "neighbourhood__name", "organiser": "organiser__full_name"}[by]
    rows = (
        Idea.objects.filter(pk__in=Idea.objects.filter(idea_scope(user)).values("pk"))
        .exclude(status=Idea.Status.REJECTED)
        .values(key)
        .annotate(
            ideas=Count("id"),
            adopted=Count("id", filter=Q(status=Idea.Status.ADOPTED)),
            one_off=Coalesce(Sum("one_off_cost"), Value(Decimal(0)), output_field=DecimalField()),
            estimated=Coalesce(
                Sum("yearly_saving_estimated"), Value(Decimal(0)), output_field=DecimalField()
            ),
            realised=Coalesce(
                Sum("yearly_saving_realised"), Value(Decimal(0)), output_field=DecimalField()
            ),
        )
        .order_by(key)
    )
    unnamed = _("Not linked to a neighbourhood") if by == "neighbourhood" else _("No organiser")
    return [
        SavingsRow(
            label=row[key] or unnamed,
            ideas=row["ideas"],
            adopted=row["adopted"],
            one_off_cost=row["one_off"],
            estimated=row["estimated"],
            realised=row["realised"],
        )
        for row in rows
    ]


# --- toolkit ------------------------------------------------------------------------------------


def toolkit_search(
    *,
    user: Any = None,
    query: str = "",
    theme: Any = None,
    area_type: str = "",
    kind: str = "",
) -> QuerySet[ToolkitEntry]:
    """Published entries matching the words, theme, area type and kind.

    PostgreSQL ranks with full-text search (title before summary before body, English stemming);
    elsewhere every word must appear somewhere in the entry and title matches come first.
    """
    queryset = ToolkitEntry.objects.prefetch_related("themes", "area_type_tags")
    if user is not None and user.is_authenticated and user.has_perm("action.add_toolkitentry"):
        queryset = queryset.filter(Q(is_published=True) | Q(author=user))
    else:
        queryset = queryset.filter(is_published=True)
    if theme is not None:
        queryset = queryset.filter(themes=theme)
    if area_type and area_type in AreaType.values:
        queryset = queryset.filter(area_type_tags__area_type=area_type)
    if kind:
        queryset = queryset.filter(kind=kind)
    words = query.split()
    if not words:
        return queryset.distinct().order_by("title")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = (
            SearchVector("title", weight="A", config="english")
            + SearchVector("summary", weight="B", config="english")
            + SearchVector("body", weight="C", config="english")
        )
        search = SearchQuery(query, search_type="websearch", config="english")
        ids = queryset.values("pk")
        return (
            ToolkitEntry.objects.filter(pk__in=ids)
            .prefetch_related("themes", "area_type_tags")
            .annotate(document=vector, rank=SearchRank(vector, search))
            .filter(document=search)
            .order_by("-rank", "title")
        )
    for word in words:
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    title_hits = Q()
    for word in words:
        title_hits &= Q(title__icontains=word)
    return (
        queryset.distinct()
        .annotate(title_match=Case(When(title_hits, then=Value(0)), default=Value(1)))
        .order_by("title_match", "title")
    )
