"""What insight holds about a resident: quotes from what they said and house meeting invitations."""

from __future__ import annotations

from django.utils.translation import gettext as _

from commonground.listening.models import Resident
from commonground.privacy.rights import Change, Record, Section, text

from .models import Invitation, Quote, TrainingExample


def find(resident: Resident) -> list[Section]:
    quotes = Quote.objects.filter(conversation__resident=resident).select_related(
        "theme", "conversation"
    )
    invitations = Invitation.objects.filter(resident=resident).select_related("meeting")
    return [
        Section(
            key="quotes",
            title=_("Quotes"),
            note=_("Short excerpts of what the resident said, with personal details removed."),
            records=[
                Record(
                    heading=quote.theme.name,
                    rows=[
                        (_("Quote"), quote.text),
                        (_("Theme"), quote.theme.name),
                        (_("Status"), quote.get_status_display()),
                        (_("From the conversation on"), text(quote.conversation.happened_at)),
                    ],
                )
                for quote in quotes
            ],
        ),
        Section(
            key="meeting_invitations",
            title=_("House meeting invitations"),
            records=[
                Record(
                    heading=invitation.meeting.title,
                    rows=[
                        (_("Meeting"), invitation.meeting.title),
                        (_("When"), text(invitation.meeting.meets_at)),
                        (_("Where"), invitation.meeting.venue),
                        (_("Invited"), invitation.get_method_display()),
                        (_("Answer"), invitation.get_response_display()),
                        (_("Came"), text(invitation.attended)),
                    ],
                )
                for invitation in invitations
            ],
        ),
    ]


def erase(resident: Resident, *, dry_run: bool) -> list[Change]:
    quotes = Quote.objects.filter(conversation__resident=resident)
    examples = TrainingExample.objects.filter(conversation__resident=resident)
    invitations = Invitation.objects.filter(resident=resident)
    changes = [
        Change(
            "insight.Quote",
            "remove",
            quotes.count(),
            _(
                "Quotes taken from their conversations, approved or not. Published reports keep "
                "their own copy and are not changed."
            ),
        ),
        Change(
            "insight.TrainingExample",
            "remove",
            examples.count(),
            _("Their conversations as examples the theme tagger learns from."),
        ),
        Change(
            "insight.Invitation",
            "keep",
            invitations.count(),
            _(
                "Invitations stay, pointing at the emptied record, so meeting turnout keeps its "
                "count."
            ),
        ),
    ]
    if not dry_run:
        quotes.delete()
        examples.delete()
    return changes
