"""Who may see and change conversations, residents, assignments and imports.

The host that holds a conversation is its boundary. Inside it: the organiser who listened, the paid
organiser who supervises them (for volunteers) and the host's managers. Outside it, council and
partner officers see counts and themes by area, never a resident's details, unless a data-sharing
agreement between the host and their organisation is in force *and* the resident chose to be shared
with that organisation (see ``privacy``). Councillors and forum members see counts only.
"""

from __future__ import annotations

from typing import Any

import rules

from commonground.accounts.models import Role
from commonground.accounts.rules import holds_role, is_administrator, role_in
from commonground.privacy.selectors import shared_fields

from .models import ConsentTier


def _host(obj: Any) -> list[int]:
    return [obj.host_id]


def _organiser_host(organiser: Any) -> list[int]:
    return [organiser.host_id]


def _organiser_programme(organiser: Any) -> set[int]:
    return organiser.programme.organisation_ids()


organiser_in_host = role_in(Role.ORGANISER, organisations_of=_host, name="organiser_in_host")
host_manager_of_host = role_in(
    Role.HOST_MANAGER, organisations_of=_host, name="host_manager_of_host"
)
host_manager_of_organiser = role_in(
    Role.HOST_MANAGER, organisations_of=_organiser_host, name="listening_host_manager_of_organiser"
)
organiser_role_at_organiser_host = role_in(
    Role.ORGANISER, organisations_of=_organiser_host, name="organiser_role_at_organiser_host"
)
member_of_organiser_host = role_in(
    organisations_of=_organiser_host, name="listening_member_of_organiser_host"
)
member_of_organiser_programme = role_in(
    organisations_of=_organiser_programme, name="listening_member_of_organiser_programme"
)


def _listens_as(user: Any, organiser: Any) -> bool:
    """The user is this organiser, or the paid organiser who supervises them."""
    if organiser is None or not getattr(user, "is_authenticated", False):
        return False
    if organiser.user_id is not None and organiser.user_id == user.pk:
        return True
    supervisor = organiser.supervisor if organiser.supervisor_id else None
    return supervisor is not None and supervisor.user_id == user.pk


@rules.predicate
def listens_for_organiser(user: Any, organiser: Any) -> bool:
    return _listens_as(user, organiser)


@rules.predicate
def listened_in_conversation(user: Any, conversation: Any) -> bool:
    return conversation is not None and _listens_as(user, conversation.organiser)


@rules.predicate
def conversation_shared_with_viewer(user: Any, conversation: Any) -> bool:
    if conversation is None or conversation.consent_tier != ConsentTier.SHAREABLE:
        return False
    named = set(conversation.shared_with.values_list("id", flat=True))
    return bool(shared_fields(user, provider_id=conversation.host_id, named_recipients=named))


@rules.predicate
def listened_to_resident(user: Any, resident: Any) -> bool:
    """The user (or a volunteer they supervise) has a conversation with this resident."""
    from django.db.models import Q

    if resident is None or not getattr(user, "is_authenticated", False):
        return False
    return resident.conversations.filter(
        Q(organiser__user=user) | Q(organiser__supervisor__user=user)
    ).exists()


@rules.predicate
def resident_shared_with_viewer(user: Any, resident: Any) -> bool:
    from commonground.privacy.models import Consent

    if resident is None:
        return False
    named = set(
        Consent.partners.through.objects.filter(
            consent__resident=resident,
            consent__withdrawn_at__isnull=True,
            consent__purpose=Consent.Purpose.REFERRAL,
        ).values_list("organisation_id", flat=True)
    )
    return bool(named) and bool(
        shared_fields(user, provider_id=resident.host_id, named_recipients=named)
    )


@rules.predicate
def may_record(user: Any) -> bool:
    return holds_role(user, Role.ORGANISER, Role.HOST_MANAGER)


@rules.predicate
def manages_a_host(user: Any) -> bool:
    return holds_role(user, Role.HOST_MANAGER)


@rules.predicate
def uploaded_it(user: Any, batch: Any) -> bool:
    return batch is not None and batch.uploaded_by_id == user.pk


@rules.predicate
def assigned_to_it(user: Any, assignment: Any) -> bool:
    return assignment is not None and _listens_as(user, assignment.organiser)


inside_host_listener = listened_in_conversation & organiser_in_host

rules.add_perm("listening.add_conversation", may_record)
rules.add_perm(
    "listening.record_for_organiser",
    (listens_for_organiser & organiser_role_at_organiser_host) | host_manager_of_organiser,
)
rules.add_perm(
    "listening.view_conversation",
    inside_host_listener | host_manager_of_host | conversation_shared_with_viewer,
)
rules.add_perm("listening.change_conversation", inside_host_listener | host_manager_of_host)

rules.add_perm(
    "listening.view_resident",
    (listened_to_resident & organiser_in_host) | host_manager_of_host | resident_shared_with_viewer,
)
rules.add_perm(
    "listening.change_resident", (listened_to_resident & organiser_in_host) | host_manager_of_host
)
rules.add_perm("listening.merge_residents", host_manager_of_host)
rules.add_perm("listening.view_duplicates", manages_a_host)

rules.add_perm("listening.view_listening_figures", rules.is_authenticated)
rules.add_perm(
    "listening.view_organiser_progress",
    is_administrator | member_of_organiser_host | member_of_organiser_programme,
)
rules.add_perm("listening.compare_organisers", manages_a_host)

rules.add_perm("listening.add_canvassassignment", manages_a_host)
rules.add_perm("listening.change_canvassassignment", host_manager_of_host)
rules.add_perm(
    "listening.view_canvassassignment", (assigned_to_it & organiser_in_host) | host_manager_of_host
)
rules.add_perm(
    "listening.record_doors", (assigned_to_it & organiser_in_host) | host_manager_of_host
)

rules.add_perm("listening.import_conversations", may_record)
rules.add_perm("listening.view_importbatch", (uploaded_it & may_record) | host_manager_of_host)
