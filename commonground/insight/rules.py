"""Who may see and change themes, tags, quotes, emerging themes and house meetings.

Evidence by area (counts and themes, small numbers suppressed outside the host) is for everyone who
signs in, and the printable "What we heard" page for anyone. Reading a conversation's words is not:
reviewing tags and proposing or approving quotes follow listening's own rule for changing a
conversation (the organiser who listened, or the host's managers). The taxonomy, emerging themes and
the tagger's versions are looked after by council officers, host managers and administrators.
Inviting residents to act on a theme is for the host that holds their consent.
"""

from __future__ import annotations

from typing import Any

import rules

from commonground.accounts.models import Role
from commonground.accounts.rules import holds_role, role_in


@rules.predicate
def looks_after_themes(user: Any) -> bool:
    return holds_role(user, Role.ADMINISTRATOR, Role.COUNCIL_OFFICER, Role.HOST_MANAGER)


@rules.predicate
def works_in_a_host(user: Any) -> bool:
    return holds_role(user, Role.ORGANISER, Role.HOST_MANAGER)


@rules.predicate
def may_change_conversation(user: Any, conversation: Any) -> bool:
    return conversation is not None and user.has_perm("listening.change_conversation", conversation)


@rules.predicate
def may_change_quoted_conversation(user: Any, quote: Any) -> bool:
    return quote is not None and user.has_perm("listening.change_conversation", quote.conversation)


@rules.predicate
def quote_is_approved(user: Any, quote: Any) -> bool:
    return quote is not None and quote.status == "approved"


def _itself(organisation: Any) -> list[int]:
    return [organisation.pk]


def _meeting_host(meeting: Any) -> list[int]:
    return [meeting.host_id]


works_in_this_host = role_in(
    Role.ORGANISER, Role.HOST_MANAGER, organisations_of=_itself, name="insight_works_in_this_host"
)
works_in_meeting_host = role_in(
    Role.ORGANISER,
    Role.HOST_MANAGER,
    organisations_of=_meeting_host,
    name="insight_works_in_meeting_host",
)

rules.add_perm("insight.view_theme", rules.is_authenticated)
rules.add_perm("insight.add_theme", looks_after_themes)
rules.add_perm("insight.change_theme", looks_after_themes)
rules.add_perm("insight.view_taggermodel", looks_after_themes)
rules.add_perm("insight.retrain_tagger", looks_after_themes)
rules.add_perm("insight.view_emergingcluster", looks_after_themes)
rules.add_perm("insight.change_emergingcluster", looks_after_themes)

rules.add_perm("insight.view_review_queue", works_in_a_host)
rules.add_perm("insight.review_conversation", works_in_a_host & may_change_conversation)

rules.add_perm("insight.view_area_evidence", rules.is_authenticated)
rules.add_perm("insight.view_what_we_heard", rules.always_allow)

rules.add_perm("insight.propose_quote", works_in_a_host & may_change_conversation)
rules.add_perm("insight.approve_quote", works_in_a_host & may_change_quoted_conversation)
rules.add_perm(
    "insight.view_quote",
    (rules.is_authenticated & quote_is_approved) | may_change_quoted_conversation,
)

rules.add_perm("insight.invite_residents", works_in_this_host)
rules.add_perm("insight.view_housemeeting", works_in_meeting_host)
rules.add_perm("insight.change_housemeeting", works_in_meeting_host)
