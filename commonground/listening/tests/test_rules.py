"""Every role against conversations, residents, assignments, imports, consents and sharing agreements
of their own host and of another."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from commonground.accounts.models import Role, User
from commonground.privacy.models import Consent, DataSharingAgreement
from commonground.privacy.services import data_sharing_agreement_end

from ..models import ConsentTier, ImportBatch
from ..services import ResidentDetails, canvass_assignment_create
from .support import (
    ROLE_HOME,
    build_world,
    make_member,
    postcode_at,
    record,
    record_identified,
    share_agreement,
)

EVERYONE = set(ROLE_HOME)
HOST_SIDE = {Role.ORGANISER, Role.HOST_MANAGER}
ADMIN = {Role.ADMINISTRATOR}

# permission, object key, roles allowed on their own world's object, roles allowed on another world's
MATRIX: list[tuple[str, str, set[str], set[str]]] = [
    ("listening.view_conversation", "anonymous", HOST_SIDE, set()),
    ("listening.view_conversation", "identified", HOST_SIDE, set()),
    ("listening.view_conversation", "shared", HOST_SIDE | {Role.PARTNER_OFFICER}, set()),
    ("listening.change_conversation", "anonymous", HOST_SIDE, set()),
    ("listening.change_conversation", "shared", HOST_SIDE, set()),
    ("listening.view_resident", "resident", HOST_SIDE, set()),
    ("listening.view_resident", "shared_resident", HOST_SIDE | {Role.PARTNER_OFFICER}, set()),
    ("listening.change_resident", "resident", HOST_SIDE, set()),
    ("listening.change_resident", "shared_resident", HOST_SIDE, set()),
    ("listening.merge_residents", "resident", {Role.HOST_MANAGER}, set()),
    ("listening.record_for_organiser", "organiser", HOST_SIDE, set()),
    ("listening.view_organiser_progress", "organiser", EVERYONE, ADMIN),
    ("listening.view_canvassassignment", "assignment", HOST_SIDE, set()),
    ("listening.change_canvassassignment", "assignment", {Role.HOST_MANAGER}, set()),
    ("listening.record_doors", "assignment", HOST_SIDE, set()),
    ("listening.view_importbatch", "import", HOST_SIDE, set()),
    ("privacy.view_consent", "consent", HOST_SIDE, set()),
    ("privacy.view_consent", "shared_consent", HOST_SIDE | {Role.PARTNER_OFFICER}, set()),
    ("privacy.withdraw_consent", "shared_consent", HOST_SIDE, set()),
    (
        "privacy.view_datasharingagreement",
        "agreement",
        HOST_SIDE | {Role.PARTNER_OFFICER} | ADMIN,
        ADMIN,
    ),
    ("privacy.change_datasharingagreement", "agreement", {Role.HOST_MANAGER}, set()),
]

# Permissions about no particular object: what each role may start doing at all.
GLOBAL: list[tuple[str, set[str]]] = [
    ("listening.add_conversation", HOST_SIDE),
    ("listening.import_conversations", HOST_SIDE),
    ("listening.add_canvassassignment", {Role.HOST_MANAGER}),
    ("listening.compare_organisers", {Role.HOST_MANAGER}),
    ("listening.view_listening_figures", EVERYONE),
    ("privacy.add_datasharingagreement", {Role.HOST_MANAGER}),
]


def populate(world: dict[str, Any], recorder: Any) -> dict[str, Any]:
    organiser = world["organiser"]
    world["anonymous"] = record(recorder, organiser).conversation
    identified = record_identified(recorder, organiser, email=f"{organiser.pk}@example.test")
    world["identified"] = identified.conversation
    world["resident"] = identified.conversation.resident
    world["consent"] = Consent.objects.get(resident=world["resident"])
    shared = record(
        recorder,
        organiser,
        consent_tier=ConsentTier.SHAREABLE,
        contact_consent_given=True,
        shared_with=[world["partner"]],
        new_resident=ResidentDetails(full_name="Orla Pendlebury", phone="07700 900123"),
    )
    world["shared"] = shared.conversation
    world["shared_resident"] = shared.conversation.resident
    world["shared_consent"] = Consent.objects.get(resident=world["shared_resident"])
    world["agreement"] = share_agreement(world)
    world["assignment"] = canvass_assignment_create(
        actor=None,
        organiser=organiser,
        title="Upper streets",
        starts_on=date(2026, 1, 5),
        ends_on=date(2026, 3, 29),
        target_conversations=40,
        lsoas=list(organiser.neighbourhoods.first().lsoas.all()),
    )
    world["import"] = ImportBatch.objects.create(
        host=world["host"], uploaded_by=organiser.user, filename="sheet.csv", sha256="0" * 64
    )
    return world


@pytest.fixture
def worlds(db: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, User]]:
    postcode_at("E01014463", "ZZ1 1AB")
    own, other = build_world("own"), build_world("other")
    users = {
        role: make_member(f"{role}@example.test", own[home], role)
        for role, home in ROLE_HOME.items()
    }
    own["organiser"].user = users[Role.ORGANISER]
    own["organiser"].save()
    other_organiser = make_member("other.organiser@example.test", other["host"], Role.ORGANISER)
    other["organiser"].user = other_organiser
    other["organiser"].save()
    populate(own, users[Role.ORGANISER])
    populate(other, other_organiser)
    return own, other, users


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


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


@pytest.mark.parametrize(("permission", "allowed"), GLOBAL, ids=[g[0] for g in GLOBAL])
def test_permissions_without_an_object(worlds: Any, permission: str, allowed: set[str]) -> None:
    _own, _other, users = worlds
    for role, user in users.items():
        assert user.has_perm(permission) == (role in allowed), role


def test_anonymous_visitor_has_no_listening_permission(worlds: Any) -> None:
    own, _other, _users = worlds
    visitor = AnonymousUser()
    for permission, key, _own_roles, _other_roles in MATRIX:
        assert not visitor.has_perm(permission, own[key]), permission


def test_sharing_needs_an_agreement_in_force(worlds: Any) -> None:
    own, _other, users = worlds
    partner = users[Role.PARTNER_OFFICER]
    assert partner.has_perm("listening.view_conversation", own["shared"])
    data_sharing_agreement_end(actor=None, agreement=own["agreement"], ends_on=date(2025, 6, 1))
    assert not fresh(partner).has_perm("listening.view_conversation", own["shared"])


def test_draft_agreement_shares_nothing(worlds: Any) -> None:
    own, _other, users = worlds
    own["agreement"].status = DataSharingAgreement.Status.DRAFT
    own["agreement"].save()
    assert not fresh(users[Role.PARTNER_OFFICER]).has_perm(
        "listening.view_conversation", own["shared"]
    )


def test_agreement_with_an_organisation_the_resident_did_not_name_shares_nothing(
    worlds: Any,
) -> None:
    own, _other, users = worlds
    share_agreement(own, recipient="council")
    officer = fresh(users[Role.COUNCIL_OFFICER])
    assert not officer.has_perm("listening.view_conversation", own["shared"])
    assert not officer.has_perm("listening.view_resident", own["shared_resident"])


def test_councillor_never_sees_personal_data_even_under_an_agreement(worlds: Any) -> None:
    own, _other, users = worlds
    share_agreement(own, recipient="council")
    own["shared"].shared_with.add(own["council"])
    assert fresh(users[Role.COUNCIL_OFFICER]).has_perm("listening.view_conversation", own["shared"])
    assert not fresh(users[Role.COUNCILLOR]).has_perm("listening.view_conversation", own["shared"])


def test_organiser_sees_only_their_own_conversations_not_colleagues(worlds: Any) -> None:
    own, _other, users = worlds
    colleague_user = make_member("colleague@example.test", own["host"], Role.ORGANISER)
    colleague = own["organiser"].__class__.objects.create(
        full_name="Colleague", host=own["host"], programme=own["programme"], user=colleague_user
    )
    theirs = record(colleague_user, colleague).conversation
    assert not users[Role.ORGANISER].has_perm("listening.view_conversation", theirs)
    assert users[Role.HOST_MANAGER].has_perm("listening.view_conversation", theirs)


def test_supervisor_sees_their_volunteers_conversations(worlds: Any) -> None:
    own, _other, users = worlds
    volunteer = own["organiser"].__class__.objects.create(
        full_name="Volunteer",
        host=own["host"],
        programme=own["programme"],
        kind="volunteer",
        supervisor=own["organiser"],
    )
    theirs = record(users[Role.ORGANISER], volunteer).conversation
    assert users[Role.ORGANISER].has_perm("listening.view_conversation", theirs)
    assert users[Role.ORGANISER].has_perm("listening.record_for_organiser", volunteer)


def test_leaving_the_host_ends_access(worlds: Any) -> None:
    own, _other, users = worlds
    organiser = users[Role.ORGANISER]
    organiser.memberships.all().delete()
    assert not fresh(organiser).has_perm("listening.view_conversation", own["anonymous"])
