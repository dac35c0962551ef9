"""Who may see and change the programme register.

Organisations are a directory every signed-in user can read. Everything else follows the organisation
boundary: the organiser's host, the programme's council and participants, an agreement's parties.
Supervision notes are the narrowest: the organiser and their host's managers only.
"""

from __future__ import annotations

from typing import Any

import rules

from commonground.accounts.models import Role
from commonground.accounts.rules import is_administrator, is_council_officer, role_in


def _organisation(obj: Any) -> list[int]:
    return [obj.pk]


def _programme_organisations(programme: Any) -> set[int]:
    return programme.organisation_ids()


def _organiser_host(organiser: Any) -> list[int]:
    return [organiser.host_id]


def _organiser_programme(organiser: Any) -> set[int]:
    return organiser.programme.organisation_ids()


def _programme_council(programme: Any) -> list[int]:
    return [programme.council_id]


def _organiser_council(organiser: Any) -> list[int]:
    return [organiser.programme.council_id]


def _agreement_parties(agreement: Any) -> set[int]:
    return set(agreement.parties.values_list("id", flat=True))


def _commitment_party(commitment: Any) -> list[int]:
    return [commitment.party_id]


def _commitment_agreement_parties(commitment: Any) -> set[int]:
    return _agreement_parties(commitment.agreement)


@rules.predicate
def is_the_organiser(user: Any, organiser: Any) -> bool:
    return organiser is not None and organiser.user_id is not None and organiser.user_id == user.pk


@rules.predicate
def is_organiser_of_record(user: Any, record: Any) -> bool:
    return (
        record is not None
        and record.organiser.user_id is not None
        and record.organiser.user_id == user.pk
    )


manages_organisation = role_in(
    Role.HOST_MANAGER,
    Role.COUNCIL_OFFICER,
    Role.PARTNER_OFFICER,
    organisations_of=_organisation,
    name="manages_organisation",
)
member_of_programme = role_in(organisations_of=_programme_organisations, name="member_of_programme")
council_officer_of_programme = role_in(
    Role.COUNCIL_OFFICER, organisations_of=_programme_council, name="council_officer_of_programme"
)
member_of_host = role_in(organisations_of=_organiser_host, name="member_of_host")
host_manager_of_organiser = role_in(
    Role.HOST_MANAGER, organisations_of=_organiser_host, name="host_manager_of_organiser"
)
council_officer_of_organiser = role_in(
    Role.COUNCIL_OFFICER, organisations_of=_organiser_council, name="council_officer_of_organiser"
)
member_of_organiser_programme = role_in(
    organisations_of=_organiser_programme, name="member_of_organiser_programme"
)
party_to_agreement = role_in(organisations_of=_agreement_parties, name="party_to_agreement")
manager_in_party = role_in(
    Role.COUNCIL_OFFICER,
    Role.HOST_MANAGER,
    organisations_of=_agreement_parties,
    name="manager_in_party",
)
committed_party_officer = role_in(
    Role.COUNCIL_OFFICER,
    Role.HOST_MANAGER,
    Role.PARTNER_OFFICER,
    organisations_of=_commitment_party,
    name="committed_party_officer",
)
council_officer_in_agreement = role_in(
    Role.COUNCIL_OFFICER,
    organisations_of=_commitment_agreement_parties,
    name="council_officer_in_agreement",
)


def _record_host(record: Any) -> list[int]:
    return [record.organiser.host_id]


host_manager_of_record = role_in(
    Role.HOST_MANAGER, organisations_of=_record_host, name="host_manager_of_record"
)


def _record_council(record: Any) -> list[int]:
    return [record.organiser.programme.council_id]


council_officer_of_record = role_in(
    Role.COUNCIL_OFFICER, organisations_of=_record_council, name="council_officer_of_record"
)

rules.add_perm("programme.view_organisation", rules.is_authenticated)
rules.add_perm("programme.add_organisation", is_administrator | is_council_officer)
rules.add_perm("programme.change_organisation", is_administrator | manages_organisation)

rules.add_perm("programme.view_programme", is_administrator | member_of_programme)
rules.add_perm("programme.change_programme", is_administrator | council_officer_of_programme)

rules.add_perm(
    "programme.view_organiser", is_administrator | member_of_host | member_of_organiser_programme
)
rules.add_perm("programme.change_organiser", is_administrator | host_manager_of_organiser)

rules.add_perm("programme.view_supervisionnote", is_organiser_of_record | host_manager_of_record)
rules.add_perm("programme.add_supervisionnote", host_manager_of_organiser)
rules.add_perm(
    "programme.view_supervision_of_organiser", is_the_organiser | host_manager_of_organiser
)

rules.add_perm(
    "programme.view_trainingrecord",
    is_administrator | is_organiser_of_record | host_manager_of_record | council_officer_of_record,
)
rules.add_perm("programme.change_trainingrecord", is_administrator | host_manager_of_record)
rules.add_perm(
    "programme.view_training_of_organiser",
    is_administrator | is_the_organiser | host_manager_of_organiser | council_officer_of_organiser,
)

rules.add_perm("programme.view_agreement", is_administrator | party_to_agreement)
rules.add_perm("programme.change_agreement", is_administrator | manager_in_party)
rules.add_perm(
    "programme.change_commitment",
    is_administrator | committed_party_officer | council_officer_in_agreement,
)
