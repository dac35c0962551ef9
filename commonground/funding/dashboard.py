"""Dashboard panels about money: funds an officer runs, applications to score, a host's grants and posts."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from commonground.accounts.models import Role
from commonground.accounts.rules import holds_role, organisation_ids
from commonground.programme.models import Organisation

from . import selectors
from .models import Assignment, Grant
from .templatetags.funding_tags import money


def _officer_panel(user: Any) -> dict[str, Any] | None:
    funds = list(selectors.funds_run_by(user=user).order_by("name"))
    if not funds:
        return None
    totals = [(fund, selectors.fund_totals(fund=fund)) for fund in funds]
    waiting = selectors.applications_awaiting(user=user)
    return {
        "title": _("Grant funds you run"),
        "stats": [
            {"value": sum(t.active for _f, t in totals), "label": _("active grants")},
            {
                "value": sum(t.late for _f, t in totals),
                "label": _("grants with late milestones"),
            },
            {"value": sum(t.at_risk for _f, t in totals), "label": _("grants at risk")},
            {
                "value": waiting["submitted"] + waiting["in_assessment"] + waiting["moderated"],
                "label": _("applications waiting for scoring or a decision"),
                "url": reverse("funding:fund_list"),
            },
        ],
        "items": [
            {
                "label": fund.name,
                "url": reverse("funding:fund_grants", kwargs={"slug": fund.slug}),
                "note": _("%(awarded)s awarded of %(amount)s; %(late)s late, %(risk)s at risk")
                % {
                    "awarded": money(fund_totals.awarded),
                    "amount": money(fund.amount),
                    "late": fund_totals.late,
                    "risk": fund_totals.at_risk,
                },
                **(
                    {"tag": _("At risk"), "tag_colour": "red"}
                    if fund_totals.at_risk
                    else {"tag": _("Late"), "tag_colour": "orange"}
                    if fund_totals.late
                    else {}
                ),
            }
            for fund, fund_totals in totals
        ],
        "links": [
            {"label": _("All funds"), "url": reverse("funding:fund_list")},
            {"label": _("Other funders' grants"), "url": reverse("funding:past_grant_list")},
        ],
    }


def _assessor_panel(user: Any) -> dict[str, Any] | None:
    assignments = list(selectors.assignments_for_assessor(user=user, open_only=True))
    if not assignments:
        return None
    return {
        "title": _("Applications to score"),
        "items": [
            {
                "label": assignment.application.title,
                "url": reverse(
                    "funding:assignment_declare", kwargs={"public_id": assignment.public_id}
                )
                if assignment.interest == Assignment.Interest.UNDECLARED
                else assignment.get_absolute_url(),
                "note": assignment.application.round.fund.name,
                "tag": _("Declare interests")
                if assignment.interest == Assignment.Interest.UNDECLARED
                else _("To score"),
                "tag_colour": "yellow"
                if assignment.interest == Assignment.Interest.UNDECLARED
                else "blue",
            }
            for assignment in assignments
        ],
        "links": [
            {"label": _("Applications and scoring"), "url": reverse("funding:application_list")}
        ],
    }


def _host_panels(user: Any) -> list[dict[str, Any]]:
    host_ids = organisation_ids(user, Role.HOST_MANAGER)
    if not host_ids:
        return []
    panels: list[dict[str, Any]] = []
    grants = list(selectors.grants_for_recipient_managers(user=user))
    panels.append(
        {
            "title": _("Your organisation's grants"),
            "items": [
                {
                    "label": f"{grant.reference} {grant.title}",
                    "url": grant.get_absolute_url(),
                    "note": _("%(paid)s paid of %(amount)s; %(met)s of %(total)s milestones met")
                    % {
                        "paid": money(grant.paid_total),
                        "amount": money(grant.amount_awarded),
                        "met": grant.milestones_met,
                        "total": grant.milestone_count,
                    },
                    **(
                        {
                            "tag": _("%(count)s milestones late") % {"count": grant.late_count},
                            "tag_colour": "orange",
                        }
                        if grant.late_count
                        else {}
                    ),
                }
                for grant in grants
            ],
            "empty": _("Your organisation holds no active grants."),
            "links": [
                {"label": _("Applications"), "url": reverse("funding:application_list")},
                {"label": _("Grant funds"), "url": reverse("funding:fund_list")},
            ],
        }
    )
    items = []
    for host in Organisation.objects.filter(pk__in=host_ids).order_by("name"):
        for row in selectors.post_funding_rows(user=user, host=host) or []:
            if row.ends_soon or not row.fully_funded:
                items.append(
                    {
                        "label": row.organiser.full_name,
                        "url": reverse("funding:post_funding") + f"?host={host.slug}",
                        "note": _("funded now: %(share)s%%; funding ends %(date)s")
                        % {
                            "share": row.covered_now,
                            "date": row.first_end.strftime("%d %b %Y") if row.first_end else "–",
                        },
                        "tag": _("Ends soon") if row.ends_soon else _("Not fully funded"),
                        "tag_colour": "red",
                    }
                )
    bids = selectors.bid_list_visible_to(user=user).filter(status__in=["planned", "submitted"])
    panels.append(
        {
            "title": _("Funding for your organiser posts"),
            "stats": [
                {
                    "value": bids.count(),
                    "label": _("bids in progress"),
                    "url": reverse("funding:bid_list"),
                },
            ],
            "items": items,
            "empty": _("Every organiser post is funded for at least the next six months."),
            "links": [{"label": _("Fundraising"), "url": reverse("funding:bid_list")}],
        }
    )
    return panels


def _published_panel(user: Any) -> dict[str, Any] | None:
    if not holds_role(user):
        return None
    awarded = Grant.objects.exclude(status=Grant.Status.WITHDRAWN).aggregate(
        count=Count("pk"), total=Sum("amount_awarded")
    )
    return {
        "title": _("Grants awarded"),
        "stats": [
            {"value": awarded["count"], "label": _("grants"), "url": reverse("funding:grant_list")},
            {"value": money(awarded["total"] or 0), "label": _("awarded in total")},
        ],
        # Always present: the dashboard template would otherwise find dict.items.
        "items": [],
        "links": [
            {"label": _("Awarded grants"), "url": reverse("funding:grant_list")},
            {"label": _("Grant funds"), "url": reverse("funding:fund_list")},
        ],
    }


def panels(user: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    officer = _officer_panel(user)
    if officer is not None:
        result.append(officer)
    assessor = _assessor_panel(user)
    if assessor is not None:
        result.append(assessor)
    result.extend(_host_panels(user))
    if officer is None:
        published = _published_panel(user)
        if published is not None:
            result.append(published)
    return result
