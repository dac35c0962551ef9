"""E-mails about matters, sent only after the change they describe is committed.

Each person gets their own message, so nobody sees who else was told. Who should know: whoever raised
the matter (and any matter merged into it), its named owner, and the officers of the organisation it
is routed to, leaving out the person who made the change.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils.translation import gettext as _

from commonground.accounts.models import Membership, Role

from .models import Matter

NOTIFIED_ROLES = (Role.PARTNER_OFFICER, Role.COUNCIL_OFFICER, Role.HOST_MANAGER)


def matter_recipients(matter: Matter, *, leave_out: Any = None) -> list[str]:
    emails: set[str] = set()
    raisers = Matter.objects.filter(pk=matter.pk) | Matter.objects.filter(merged_into=matter)
    for email in raisers.exclude(raised_by__isnull=True).values_list("raised_by__email", flat=True):
        emails.add(email)
    if matter.owner_id:
        emails.add(matter.owner.email)
    emails.update(
        Membership.objects.filter(
            organisation_id=matter.routed_to_id, role__in=NOTIFIED_ROLES, user__is_active=True
        ).values_list("user__email", flat=True)
    )
    if leave_out is not None and getattr(leave_out, "email", None):
        emails.discard(leave_out.email)
    return sorted(e for e in emails if e)


def notify_matter_change(*, matter: Matter, actor: Any, headline: str, note: str = "") -> None:
    """Queue one e-mail per person who should know; nothing is sent if the transaction rolls back."""
    recipients = matter_recipients(matter, leave_out=actor)
    if not recipients:
        return
    link = f"{getattr(settings, 'SITE_URL', '')}{matter.get_absolute_url()}"
    subject = _("%(reference)s %(title)s: %(headline)s") % {
        "reference": matter.reference,
        "title": matter.title[:60],
        "headline": headline,
    }
    lines = [
        headline,
        "",
        _("Matter: %(title)s") % {"title": matter.title},
        _("Status: %(status)s") % {"status": matter.get_status_display()},
        _("With: %(organisation)s, %(team)s")
        % {"organisation": matter.routed_to, "team": matter.team},
    ]
    if note:
        lines += ["", _("Note: %(note)s") % {"note": note}]
    lines += ["", _("Open it: %(link)s") % {"link": link}]
    body = "\n".join(str(line) for line in lines)
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in recipients]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))
