"""What a neighbourhood's "You said, we did" page shows: published, counted, never personal.

Residents' counts below 5 are shown as "fewer than 5". Names of residents never appear; matters,
projects and ideas appear only if they were marked for publication.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from commonground.action.evidence import ThemeTrend, area_theme_evidence
from commonground.action.models import Idea, Matter, Project
from commonground.core.suppression import display_count
from commonground.places.models import Neighbourhood

WINDOW_DAYS = 365
LISTED = 20


@dataclass(frozen=True)
class ThemeRaised:
    theme: str
    residents: int

    @property
    def shown(self) -> str:
        return display_count(self.residents)


@dataclass
class NeighbourhoodReport:
    neighbourhood: Neighbourhood
    since: date
    themes: list[ThemeRaised]
    themes_source: str
    resolved: list[Matter]
    resolved_total: int
    in_hand: list[Matter]
    in_hand_total: int
    projects: list[Project]
    changes: list[Idea]


def _themes_from_matters(neighbourhood: Neighbourhood, since: date) -> list[ThemeRaised]:
    """Residents who raised each theme that became a public matter here.

    A resident counts once per theme however many matters of that theme they raised; each anonymous
    conversation and each outside report counts as one resident.
    """
    matters = Matter.objects.filter(
        neighbourhood=neighbourhood, is_public=True, raised_at__date__gte=since
    ).exclude(status=Matter.Status.MERGED)
    reports = dict(
        matters.values("category__theme_id")
        .annotate(n=Sum("outside_reports"))
        .values_list("category__theme_id", "n")
    )
    by_theme = matters.values("category__theme_id", "category__theme__name").annotate(
        anonymous=Count(
            "conversations", filter=Q(conversations__resident__isnull=True), distinct=True
        ),
        identified=Count("conversations__resident", distinct=True),
    )
    rows = [
        ThemeRaised(
            theme=row["category__theme__name"],
            residents=row["anonymous"]
            + row["identified"]
            + (reports.get(row["category__theme_id"]) or 0),
        )
        for row in by_theme
    ]
    return sorted(rows, key=lambda r: (-r.residents, r.theme))


def neighbourhood_report(
    neighbourhood: Neighbourhood, *, today: date | None = None
) -> NeighbourhoodReport:
    today = today or timezone.localdate()
    since = today - timedelta(days=WINDOW_DAYS)
    trends: list[ThemeTrend] = area_theme_evidence(
        lsoa_ids=set(neighbourhood.lsoas.values_list("id", flat=True)), since=since, until=today
    )
    if trends:
        themes = [ThemeRaised(theme=t.theme, residents=t.residents) for t in trends]
        source = "evidence"
    else:
        themes = _themes_from_matters(neighbourhood, since)
        source = "matters"
    public_matters = Matter.objects.filter(
        neighbourhood=neighbourhood, is_public=True
    ).select_related("category__theme", "routed_to")
    resolved_all = public_matters.filter(status=Matter.Status.RESOLVED, closed_at__date__gte=since)
    in_hand_all = public_matters.filter(status__in=Matter.OPEN_STATUSES)
    resolved = list(resolved_all.order_by("-closed_at")[:LISTED])
    in_hand = list(in_hand_all.order_by("raised_at")[:LISTED])
    projects = list(
        Project.objects.filter(neighbourhood=neighbourhood, is_public=True)
        .exclude(status=Project.Status.STOPPED)
        .annotate(
            hours=Coalesce(
                Sum("volunteer_time__hours"), Value(Decimal(0)), output_field=DecimalField()
            )
        )
        .order_by("-starts_on", "title")
    )
    changes = list(
        Idea.objects.filter(
            neighbourhood=neighbourhood,
            is_public=True,
            status__in=[Idea.Status.ADOPTED, Idea.Status.PILOTING],
        )
        .select_related("service_organisation")
        .order_by("-status", "title")
    )
    return NeighbourhoodReport(
        neighbourhood=neighbourhood,
        since=since,
        themes=themes,
        themes_source=source,
        resolved=resolved,
        resolved_total=resolved_all.count() if len(resolved) == LISTED else len(resolved),
        in_hand=in_hand,
        in_hand_total=in_hand_all.count() if len(in_hand) == LISTED else len(in_hand),
        projects=projects,
        changes=changes,
    )
