"""Every role against every programme object, in its own organisation and in another."""

from __future__ import annotations

from typing import Any

import pytest

from commonground.accounts.models import Membership, Role, User
from commonground.programme.models import Organisation

from .factories import (
    AgreementFactory,
    CommitmentFactory,
    OrganisationFactory,
    OrganiserFactory,
    ProgrammeFactory,
    SupervisionNoteFactory,
    TrainingRecordFactory,
)

ROLE_HOME = {
    Role.ORGANISER: "host",
    Role.HOST_MANAGER: "host",
    Role.COUNCIL_OFFICER: "council",
    Role.PARTNER_OFFICER: "partner",
    Role.COUNCILLOR: "council",
    Role.FORUM_MEMBER: "forum",
    Role.ADMINISTRATOR: "council",
}

EVERYONE = set(ROLE_HOME)
ADMIN = {Role.ADMINISTRATOR}

# permission, object key, roles allowed on their own world's object, roles allowed on another world's
MATRIX: list[tuple[str, str, set[str], set[str]]] = [
    ("programme.view_organisation", "host", EVERYONE, EVERYONE),
    ("programme.change_organisation", "host", {Role.HOST_MANAGER, Role.ADMINISTRATOR}, ADMIN),
    ("programme.change_organisation", "council", {Role.COUNCIL_OFFICER, Role.ADMINISTRATOR}, ADMIN),
    ("programme.view_programme", "programme", EVERYONE, ADMIN),
    ("programme.change_programme", "programme", {Role.COUNCIL_OFFICER, Role.ADMINISTRATOR}, ADMIN),
    ("programme.view_organiser", "organiser", EVERYONE, ADMIN),
    ("programme.change_organiser", "organiser", {Role.HOST_MANAGER, Role.ADMINISTRATOR}, ADMIN),
    ("programme.add_supervisionnote", "organiser", {Role.HOST_MANAGER}, set()),
    ("programme.view_supervisionnote", "note", {Role.ORGANISER, Role.HOST_MANAGER}, set()),
    (
        "programme.view_supervision_of_organiser",
        "organiser",
        {Role.ORGANISER, Role.HOST_MANAGER},
        set(),
    ),
    (
        "programme.view_trainingrecord",
        "training",
        {Role.ORGANISER, Role.HOST_MANAGER, Role.COUNCIL_OFFICER, Role.ADMINISTRATOR},
        ADMIN,
    ),
    ("programme.change_trainingrecord", "training", {Role.HOST_MANAGER, Role.ADMINISTRATOR}, ADMIN),
    ("programme.view_agreement", "agreement", EVERYONE - {Role.FORUM_MEMBER}, ADMIN),
    (
        "programme.change_agreement",
        "agreement",
        {Role.COUNCIL_OFFICER, Role.HOST_MANAGER, Role.ADMINISTRATOR},
        ADMIN,
    ),
    (
        "programme.change_commitment",
        "commitment",
        {Role.HOST_MANAGER, Role.COUNCIL_OFFICER, Role.ADMINISTRATOR},
        ADMIN,
    ),
]


def build_world(name: str) -> dict[str, Any]:
    council = OrganisationFactory(
        name=f"{name} council", slug=f"{name}-council", kind=Organisation.Kind.COUNCIL
    )
    host = OrganisationFactory(
        name=f"{name} host", slug=f"{name}-host", kind=Organisation.Kind.HOST
    )
    partner = OrganisationFactory(
        name=f"{name} police", slug=f"{name}-police", kind=Organisation.Kind.PARTNER
    )
    forum = OrganisationFactory(
        name=f"{name} forum", slug=f"{name}-forum", kind=Organisation.Kind.FORUM
    )
    programme = ProgrammeFactory(council=council, slug=f"{name}-programme")
    programme.organisations.add(host, partner, forum)
    organiser = OrganiserFactory(host=host, programme=programme)
    agreement = AgreementFactory(programme=programme)
    agreement.parties.add(council, host, partner)
    return {
        "council": council,
        "host": host,
        "partner": partner,
        "forum": forum,
        "programme": programme,
        "organiser": organiser,
        "note": SupervisionNoteFactory(organiser=organiser),
        "training": TrainingRecordFactory(organiser=organiser),
        "agreement": agreement,
        "commitment": CommitmentFactory(agreement=agreement, party=host),
    }


@pytest.fixture
def worlds(db: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, User]]:
    own, other = build_world("own"), build_world("other")
    users: dict[str, User] = {}
    for role, home in ROLE_HOME.items():
        user = User.objects.create_user(
            email=f"{role}@example.test", password="x-long-password-1", full_name=role
        )
        Membership.objects.create(user=user, organisation=own[home], role=role)
        users[role] = user
    own["organiser"].user = users[Role.ORGANISER]
    own["organiser"].save()
    return own, other, users


@pytest.mark.parametrize(
    ("permission", "key", "allowed_own", "allowed_other"),
    MATRIX,
    ids=[f"{m[0]}:{m[1]}" for m in MATRIX],
)
def test_permission_matrix(
    worlds: Any, permission: str, key: str, allowed_own: set[str], allowed_other: set[str]
) -> None:
    own, other, users = worlds
    for role, user in users.items():
        assert user.has_perm(permission, own[key]) == (role in allowed_own), f"{role} on own {key}"
        assert user.has_perm(permission, other[key]) == (role in allowed_other), (
            f"{role} on other {key}"
        )


def test_anonymous_has_no_programme_permission(worlds: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    own, _other, _users = worlds
    anonymous = AnonymousUser()
    for permission, key, _own, _other_roles in MATRIX:
        assert not anonymous.has_perm(permission, own[key]), permission


def test_organiser_of_another_host_cannot_read_colleagues_supervision(worlds: Any) -> None:
    own, _other, users = worlds
    colleague = OrganiserFactory(host=own["host"], programme=own["programme"])
    note = SupervisionNoteFactory(organiser=colleague)
    assert not users[Role.ORGANISER].has_perm("programme.view_supervisionnote", note)
    assert users[Role.HOST_MANAGER].has_perm("programme.view_supervisionnote", note)


def test_membership_removal_takes_effect(worlds: Any) -> None:
    own, _other, users = worlds
    manager = User.objects.get(pk=users[Role.HOST_MANAGER].pk)
    assert manager.has_perm("programme.change_organiser", own["organiser"])
    Membership.objects.filter(user=manager).delete()
    fresh = User.objects.get(pk=manager.pk)
    assert not fresh.has_perm("programme.change_organiser", own["organiser"])
