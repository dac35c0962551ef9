"""Reads about consent and sharing, always for a given viewer."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from commonground.accounts.models import Role
from commonground.accounts.rules import organisation_ids

from .models import Consent, DataSharingAgreement

# Roles through which a recipient organisation's staff may use a data-sharing agreement. Councillors
# and forum members never see residents' personal data, agreement or not; administrators run the
# system and see only what their own role in an organisation gives them.
SHARING_ROLES = (Role.COUNCIL_OFFICER, Role.PARTNER_OFFICER, Role.HOST_MANAGER)


def agreements_in_force(on: date | None = None) -> QuerySet[DataSharingAgreement]:
    today = on or timezone.localdate()
    return DataSharingAgreement.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        status=DataSharingAgreement.Status.ACTIVE,
        starts_on__lte=today,
    )


def sharing_organisations(user: Any) -> set[int]:
    """Organisations in which the user holds a role that an agreement can reach."""
    return organisation_ids(user, *SHARING_ROLES)


def shared_fields_by_provider(user: Any) -> dict[int, dict[int, frozenset[str]]]:
    """``{provider id: {recipient id: fields}}`` for agreements in force that reach this user.

    Cached on the user object for the request, like their roles.
    """
    cached = getattr(user, "_shared_fields_by_provider", None)
    if cached is not None:
        return cached
    mine = sharing_organisations(user)
    result: dict[int, dict[int, set[str]]] = {}
    if mine:
        agreements = agreements_in_force().filter(recipients__in=mine).distinct()
        for agreement in agreements.prefetch_related("recipients"):
            for recipient in agreement.recipients.all():
                if recipient.pk in mine:
                    fields = result.setdefault(agreement.provider_id, {}).setdefault(
                        recipient.pk, set()
                    )
                    fields.update(agreement.fields_shared)
    frozen = {
        provider: {recipient: frozenset(fields) for recipient, fields in by_recipient.items()}
        for provider, by_recipient in result.items()
    }
    user._shared_fields_by_provider = frozen
    return frozen


def forget_sharing(user: Any) -> None:
    if hasattr(user, "_shared_fields_by_provider"):
        del user._shared_fields_by_provider


def shared_fields(user: Any, *, provider_id: int, named_recipients: set[int]) -> frozenset[str]:
    """The personal fields this user may see of a record held by ``provider_id`` whose resident named
    ``named_recipients`` as partners they agreed to be referred to. Empty means counts and themes only.
    """
    by_recipient = shared_fields_by_provider(user).get(provider_id, {})
    fields: set[str] = set()
    for recipient, allowed in by_recipient.items():
        if recipient in named_recipients:
            fields.update(allowed)
    return frozenset(fields)


def agreement_list_visible_to(*, user: Any) -> QuerySet[DataSharingAgreement]:
    queryset = DataSharingAgreement.objects.select_related("provider").prefetch_related(
        "recipients"
    )
    if organisation_ids(user, Role.ADMINISTRATOR):
        return queryset
    mine = organisation_ids(user)
    return queryset.filter(Q(provider_id__in=mine) | Q(recipients__in=mine)).distinct()


def active_consents(*, resident: Any) -> QuerySet[Consent]:
    return resident.consents.filter(withdrawn_at__isnull=True).prefetch_related("partners")


def residents_for_rights(*, user: Any, search: str) -> QuerySet[Any]:
    """Residents of the hosts this user manages that match a name, e-mail, phone or postcode.

    Only host managers act on residents' rights, and only for their own host's residents; an empty
    search finds nobody, so the page never lists everyone held.
    """
    from commonground.listening.models import Resident

    search = search.strip()
    hosts = organisation_ids(user, Role.HOST_MANAGER)
    if not search or not hosts:
        return Resident.objects.none()
    condition = Q(full_name__icontains=search) | Q(email__icontains=search)
    digits = "".join(ch for ch in search if ch.isdigit())
    if len(digits) >= 6:
        if digits.startswith("44") and len(digits) > 10:
            digits = "0" + digits[2:]
        condition |= Q(phone_key__contains=digits)
    compact = search.replace(" ", "").upper()
    if 5 <= len(compact) <= 7 and compact[:1].isalpha() and compact[-1:].isalpha():
        condition |= Q(postcode_key=compact)
    return (
        Resident.objects.filter(condition, host_id__in=hosts, merged_into__isnull=True)
        .select_related("host")
        .order_by("full_name", "id")
    )
