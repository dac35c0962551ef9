"""Drafting a forum meeting's agenda from the evidence for its area.

The draft has standing items, the actions carried forward from earlier meetings, what residents are
raising (top and rising themes, from insight's area evidence), open and overdue matters, projects
that need help and ideas awaiting a response. The forum's officers edit it before publishing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.core.suppression import display_count
from commonground.places.models import Lsoa

from .evidence import area_theme_evidence
from .models import AgendaItem, Forum, ForumAction, Idea, Matter, Meeting, Project
from .selectors import attach_residents_raised

EVIDENCE_WINDOW_DAYS = 90
MATTERS_ON_AGENDA = 15


@dataclass(frozen=True)
class DraftItem:
    kind: str
    title: str
    body: str


def forum_lsoa_ids(forum: Forum) -> set[int]:
    return set(
        Lsoa.objects.filter(
            Q(neighbourhoods__in=forum.neighbourhoods.all()) | Q(ward__in=forum.wards.all())
        ).values_list("id", flat=True)
    )


def forum_area_filter(forum: Forum, lsoa_ids: set[int] | None = None) -> Q:
    """Records placed in the forum's area, by LSOA or by neighbourhood."""
    lsoa_ids = forum_lsoa_ids(forum) if lsoa_ids is None else lsoa_ids
    return Q(lsoa_id__in=lsoa_ids) | Q(neighbourhood__in=forum.neighbourhoods.all())


def carried_forward(forum: Forum, before: object) -> list[ForumAction]:
    return list(
        ForumAction.objects.filter(forum=forum, status=ForumAction.Status.OPEN)
        .filter(Q(raised_at__isnull=True) | Q(raised_at__starts_at__lt=before))
        .select_related("raised_at")
        .order_by("due_on", "id")
    )


def draft_agenda(meeting: Meeting) -> list[DraftItem]:
    forum = meeting.forum
    lsoa_ids = forum_lsoa_ids(forum)
    area = forum_area_filter(forum, lsoa_ids)
    today = timezone.localdate()
    items = [
        DraftItem(
            AgendaItem.Kind.STANDING,
            _("Welcome, apologies and notes of the last meeting"),
            "",
        )
    ]

    actions = carried_forward(forum, meeting.starts_at)
    lines = [
        f"- {a.description} ({a.owner}, {_('due')} {a.due_on:%d %b %Y}"
        + (f", {_('overdue')}" if a.due_on < today else "")
        + ")"
        for a in actions
    ]
    items.append(
        DraftItem(
            AgendaItem.Kind.ACTIONS,
            _("Actions carried forward"),
            "\n".join(lines) or _("No open actions."),
        )
    )

    until = timezone.localtime(meeting.starts_at).date()
    trends = area_theme_evidence(
        lsoa_ids=lsoa_ids, since=until - timedelta(days=EVIDENCE_WINDOW_DAYS), until=until
    )
    if trends:
        top = [f"- {trend.describe()}" for trend in trends[:5]]
        rising = [f"- {trend.describe()}" for trend in trends if trend.is_rising][:3]
        body = _("Top themes in the last %(days)s days:") % {"days": EVIDENCE_WINDOW_DAYS}
        body += "\n" + "\n".join(top)
        if rising:
            body += "\n" + _("Rising:") + "\n" + "\n".join(rising)
    else:
        body = _(
            "Theme evidence from listening is not available for this area yet; bring what "
            "organisers have heard."
        )
    items.append(DraftItem(AgendaItem.Kind.THEMES, _("What residents are raising"), body))

    open_matters = attach_residents_raised(
        Matter.objects.filter(area, status__in=Matter.OPEN_STATUSES)
        .select_related("routed_to", "category__theme")
        .order_by("due_at")[:MATTERS_ON_AGENDA]
    )
    now = timezone.now()
    matter_lines = [
        f"- {m.reference} {m.title} – {m.routed_to}, {m.get_status_display().lower()}"
        + (f", {_('overdue')}" if m.due_at < now else "")
        + f"; {_('raised by')} {display_count(m.residents_raised)} {_('residents')}"
        for m in open_matters
    ]
    items.append(
        DraftItem(
            AgendaItem.Kind.MATTERS,
            _("Open and overdue matters"),
            "\n".join(matter_lines) or _("No open matters in the area."),
        )
    )

    projects = Project.objects.filter(
        Q(neighbourhood__in=forum.neighbourhoods.all()), needs_help=True
    ).exclude(status__in=[Project.Status.COMPLETED, Project.Status.STOPPED])
    project_lines = [f"- {p.title}: {p.help_wanted or _('help wanted')}" for p in projects]
    items.append(
        DraftItem(
            AgendaItem.Kind.PROJECTS,
            _("Projects needing help"),
            "\n".join(project_lines) or _("No project has asked for help."),
        )
    )

    ideas = Idea.objects.filter(
        Q(neighbourhood__in=forum.neighbourhoods.all()) | Q(forum=forum),
        status__in=Idea.AWAITING_RESPONSE,
    ).distinct()
    idea_lines = [
        f"- {i.title} ({_('response due')} {i.response_due_on:%d %b %Y}"
        + (f", {_('overdue')}" if i.response_overdue else "")
        + ")"
        for i in ideas
    ]
    if idea_lines:
        items.append(
            DraftItem(AgendaItem.Kind.OTHER, _("Ideas awaiting a response"), "\n".join(idea_lines))
        )
    items.append(DraftItem(AgendaItem.Kind.STANDING, _("Any other business and next meeting"), ""))
    return items
