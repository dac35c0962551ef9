"""Dashboard panels for matters, community action, forums and ideas, chosen by the viewer's roles."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.accounts.models import Role
from commonground.accounts.rules import organisation_ids

from . import selectors
from .models import ForumAction, Idea, Matter, Meeting, Project


def _item(
    label: str, url: str = "", note: str = "", tag: str = "", colour: str = "grey"
) -> dict[str, str]:
    return {"label": label, "url": url, "note": note, "tag": tag, "tag_colour": colour}


def _matters_panel(user: Any) -> dict[str, Any] | None:
    receiving = organisation_ids(
        user, Role.PARTNER_OFFICER, Role.COUNCIL_OFFICER, Role.HOST_MANAGER
    )
    if not receiving:
        return None
    counts = selectors.queue_counts(user=user)
    urgent = (
        Matter.objects.filter(routed_to_id__in=receiving, status__in=Matter.OPEN_STATUSES)
        .select_related("routed_to")
        .order_by("due_at")[:5]
    )
    now = timezone.now()
    return {
        "title": _("Matters for your organisation"),
        "stats": [
            {"value": counts["open"], "label": _("open"), "url": reverse("action:matter_queue")},
            {
                "value": counts["new"],
                "label": _("to acknowledge"),
                "url": reverse("action:matter_queue") + "?show=new",
            },
            {
                "value": counts["overdue"],
                "label": _("overdue"),
                "url": reverse("action:matter_queue") + "?show=overdue",
            },
        ],
        "items": [
            _item(
                m.title,
                m.get_absolute_url(),
                f"{m.team}, {_('due')} {timezone.localtime(m.due_at):%d %b}",
                _("Overdue") if m.due_at < now else m.get_status_display(),
                "red" if m.due_at < now else "blue",
            )
            for m in urgent
        ],
        "empty": _("Nothing is waiting for you."),
        "links": [{"label": _("Your queue"), "url": reverse("action:matter_queue")}],
    }


def _community_panel(user: Any) -> dict[str, Any] | None:
    hosts = organisation_ids(user, Role.ORGANISER, Role.HOST_MANAGER)
    if not hosts:
        return None
    projects = Project.objects.filter(host_id__in=hosts).aggregate(
        active=Count("id", filter=Q(status=Project.Status.ACTIVE)),
        needing_help=Count(
            "id", filter=Q(needs_help=True) & ~Q(status__in=["completed", "stopped"])
        ),
        sustaining=Count("id", filter=~Q(sustainability=Project.Sustainability.NOT_YET)),
    )
    raised = Matter.objects.filter(raised_by_organisation_id__in=hosts)
    return {
        "title": _("Community action"),
        "stats": [
            {
                "value": projects["active"],
                "label": _("projects under way"),
                "url": reverse("action:project_list"),
            },
            {
                "value": projects["needing_help"],
                "label": _("projects needing help"),
                "url": reverse("action:project_list") + "?needs_help=1",
            },
            {"value": projects["sustaining"], "label": _("projects now self-sustaining")},
            {
                "value": raised.filter(status__in=Matter.OPEN_STATUSES).count(),
                "label": _("matters you raised still open"),
                "url": reverse("action:matter_list"),
            },
        ],
        "items": [],
        "links": [
            {"label": _("Raise a matter"), "url": reverse("action:matter_raise")},
            {"label": _("Groups"), "url": reverse("action:group_list")},
            {"label": _("Networks"), "url": reverse("action:network_index")},
            {"label": _("Toolkit"), "url": reverse("action:toolkit_list")},
        ],
    }


def _forums_panel(user: Any) -> dict[str, Any] | None:
    if not organisation_ids(
        user, Role.COUNCIL_OFFICER, Role.FORUM_MEMBER, Role.PARTNER_OFFICER, Role.ADMINISTRATOR
    ):
        return None
    meetings = selectors.upcoming_meetings().select_related("forum")[:4]
    overdue = ForumAction.objects.filter(
        status=ForumAction.Status.OPEN, due_on__lt=timezone.localdate()
    ).count()
    return {
        "title": _("Forums and clusters"),
        "stats": [
            {
                "value": overdue,
                "label": _("forum actions overdue"),
                "url": reverse("action:forum_list"),
            }
        ],
        "items": [
            _item(
                str(m.forum),
                m.get_absolute_url(),
                f"{timezone.localtime(m.starts_at):%d %b %Y, %H:%M}",
                str(Meeting.Status(m.status).label),
                "blue",
            )
            for m in meetings
        ],
        "empty": _("No meetings planned."),
        "links": [
            {"label": _("Forums"), "url": reverse("action:forum_list")},
            {"label": _("Action plans"), "url": reverse("action:plan_list")},
        ],
    }


def _ideas_panel(user: Any) -> dict[str, Any] | None:
    if not user.has_perm("action.view_savings"):
        return None
    money = DecimalField()
    not_rejected = ~Q(status=Idea.Status.REJECTED)
    totals = Idea.objects.filter(selectors.idea_scope(user)).aggregate(
        estimated=Coalesce(
            Sum("yearly_saving_estimated", filter=not_rejected),
            Value(Decimal(0)),
            output_field=money,
        ),
        realised=Coalesce(
            Sum("yearly_saving_realised", filter=not_rejected),
            Value(Decimal(0)),
            output_field=money,
        ),
        overdue=Count(
            "id",
            filter=Q(
                status__in=Idea.AWAITING_RESPONSE,
                responded_on__isnull=True,
                response_due_on__lt=timezone.localdate(),
            ),
        ),
    )
    return {
        "title": _("Ideas and savings"),
        "stats": [
            {
                "value": int(totals["estimated"]),
                "label": _("£ a year estimated"),
                "url": reverse("action:idea_savings"),
            },
            {
                "value": int(totals["realised"]),
                "label": _("£ a year realised"),
                "url": reverse("action:idea_savings"),
            },
            {
                "value": totals["overdue"],
                "label": _("ideas past their response date"),
                "url": reverse("action:idea_pipeline"),
            },
        ],
        "items": [],
        "links": [{"label": _("Ideas pipeline"), "url": reverse("action:idea_pipeline")}],
    }


def panels(user: Any) -> list[dict[str, Any]]:
    return [
        panel
        for panel in (
            _matters_panel(user),
            _community_panel(user),
            _forums_panel(user),
            _ideas_panel(user),
        )
        if panel is not None
    ]
