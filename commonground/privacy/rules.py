"""Who may see and manage consent records and data-sharing agreements.

Consents follow the resident they belong to. A data-sharing agreement is visible to every party to it;
only the providing host's managers (the controller of the data) make or end one.
"""

from __future__ import annotations

from typing import Any

import rules

from commonground.accounts.models import Role
from commonground.accounts.rules import holds_role, is_administrator, role_in


def _provider(agreement: Any) -> list[int]:
    return [agreement.provider_id]


def _parties(agreement: Any) -> set[int]:
    return {agreement.provider_id, *agreement.recipients.values_list("id", flat=True)}


party_to_sharing_agreement = role_in(organisations_of=_parties, name="party_to_sharing_agreement")
host_manager_of_provider = role_in(
    Role.HOST_MANAGER, organisations_of=_provider, name="host_manager_of_provider"
)


@rules.predicate
def manages_a_host(user: Any) -> bool:
    return holds_role(user, Role.HOST_MANAGER)


@rules.predicate
def may_view_consent_resident(user: Any, consent: Any) -> bool:
    return consent is not None and user.has_perm("listening.view_resident", consent.resident)


@rules.predicate
def may_change_consent_resident(user: Any, consent: Any) -> bool:
    return consent is not None and user.has_perm("listening.change_resident", consent.resident)


rules.add_perm("privacy.view_datasharingagreement", is_administrator | party_to_sharing_agreement)
rules.add_perm("privacy.add_datasharingagreement", manages_a_host)
rules.add_perm("privacy.change_datasharingagreement", host_manager_of_provider)
rules.add_perm("privacy.view_consent", may_view_consent_resident)
rules.add_perm("privacy.withdraw_consent", may_change_consent_resident)


# Residents' rights (subject access and erasure) are exercised by the controller: the managers of the
# host that holds the resident. There is no separate data-protection role yet; when one is added it
# joins here. Nobody, administrators included, acts on another organisation's residents.
def _resident_host(resident: Any) -> list[int]:
    return [resident.host_id]


host_manager_of_resident_host = role_in(
    Role.HOST_MANAGER, organisations_of=_resident_host, name="host_manager_of_resident_host"
)

rules.add_perm("privacy.find_residents", manages_a_host)
rules.add_perm("privacy.export_resident", host_manager_of_resident_host)
rules.add_perm("privacy.erase_resident", host_manager_of_resident_host)
