from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from commonground.accounts.models import Role
from commonground.core.models import AuditEvent
from commonground.programme.models import Commitment, Organisation, SupervisionNote

from .factories import CommitmentFactory, OrganiserFactory
from .test_rules import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return build_world("own"), build_world("other")


def _client_for(
    role: str, home: Organisation, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> tuple[Any, Client]:
    user = make_user(role, home)
    return user, signed_in(user)


def test_pages_of_another_organisation_are_refused(
    world: Any, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    own, other = world
    _user, client = _client_for(Role.HOST_MANAGER, own["host"], make_user, signed_in)
    assert client.get(own["organiser"].get_absolute_url()).status_code == 200
    assert client.get(other["organiser"].get_absolute_url()).status_code == 403
    assert client.get(own["programme"].get_absolute_url()).status_code == 200
    assert client.get(other["programme"].get_absolute_url()).status_code == 403
    assert client.get(own["agreement"].get_absolute_url()).status_code == 200
    assert client.get(other["agreement"].get_absolute_url()).status_code == 403
    assert (
        client.get(f"/programme/organisers/{other['organiser'].public_id}/edit/").status_code == 403
    )


def test_lists_show_only_what_the_viewer_may_see(
    world: Any, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    own, other = world
    _user, client = _client_for(Role.PARTNER_OFFICER, own["partner"], make_user, signed_in)
    programmes = client.get("/programme/programmes/").content.decode()
    assert own["programme"].name in programmes and other["programme"].name not in programmes
    api = client.get("/api/programme/organisers").json()
    assert [item["full_name"] for item in api["items"]] == [own["organiser"].full_name]
    assert (
        client.get(f"/api/programme/organisers/{other['organiser'].public_id}").status_code == 403
    )


def test_supervision_notes_only_for_organiser_and_host_managers(
    world: Any, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    own, _other = world
    note_text = escape(own["note"].notes)
    _officer, officer_client = _client_for(
        Role.COUNCIL_OFFICER, own["council"], make_user, signed_in
    )
    assert note_text not in officer_client.get(own["organiser"].get_absolute_url()).content.decode()
    manager, manager_client = _client_for(Role.HOST_MANAGER, own["host"], make_user, signed_in)
    assert note_text in manager_client.get(own["organiser"].get_absolute_url()).content.decode()
    response = manager_client.post(
        own["organiser"].get_absolute_url(),
        {"met_on": "2026-02-02", "notes": "Planned the estate walk."},
    )
    assert response.status_code == 302
    assert SupervisionNote.objects.filter(
        organiser=own["organiser"], notes="Planned the estate walk.", author=manager
    ).exists()
    event = AuditEvent.objects.get(action="supervision_note.add")
    assert "Planned" not in str(event.changes)


def test_organisation_create_validates_org_id(
    world: Any, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    own, _other = world
    _officer, client = _client_for(Role.COUNCIL_OFFICER, own["council"], make_user, signed_in)
    bad = client.post(
        "/programme/organisations/new/",
        {"name": "Friends of the Park", "kind": "community_group", "org_id": "charity 123"},
    )
    assert "is not an org-id identifier" in bad.content.decode()
    good = client.post(
        "/programme/organisations/new/",
        {"name": "Friends of the Park", "kind": "community_group", "org_id": "GB-CHC-1078551"},
    )
    assert good.status_code == 302
    organisation = Organisation.objects.get(org_id="GB-CHC-1078551")
    assert AuditEvent.objects.filter(
        action="organisation.create", object_id=str(organisation.pk)
    ).exists()
    _organiser, organiser_client = _client_for(Role.ORGANISER, own["host"], make_user, signed_in)
    assert organiser_client.get("/programme/organisations/new/").status_code == 403


def test_commitment_update_records_evidence_and_audit(
    world: Any, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    own, _other = world
    commitment: Commitment = own["commitment"]
    _manager, client = _client_for(Role.HOST_MANAGER, own["host"], make_user, signed_in)
    response = client.post(
        f"/programme/commitments/{commitment.public_id}/edit/",
        {"status": "done", "evidence": "Minutes of 3 March"},
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == "done"
    event = AuditEvent.objects.get(action="commitment.update")
    assert event.changes["status"] == ["not_started", "done"]
    other_commitment = CommitmentFactory(agreement=own["agreement"], party=own["partner"])
    _partner, partner_client = _client_for(
        Role.PARTNER_OFFICER, own["partner"], make_user, signed_in
    )
    assert (
        partner_client.get(f"/programme/commitments/{commitment.public_id}/edit/").status_code
        == 403
    )
    assert (
        partner_client.get(f"/programme/commitments/{other_commitment.public_id}/edit/").status_code
        == 200
    )


def test_organiser_update_changes_neighbourhoods(
    world: Any, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    from .factories import NeighbourhoodFactory

    own, _other = world
    neighbourhood = NeighbourhoodFactory()
    _manager, client = _client_for(Role.HOST_MANAGER, own["host"], make_user, signed_in)
    url = f"/programme/organisers/{own['organiser'].public_id}/edit/"
    response = client.post(
        url,
        {
            "full_name": "Renamed",
            "stage": "placed",
            "listening_target": 600,
            "placement_starts_on": "2025-09-01",
            "placement_ends_on": "2025-01-01",
            "neighbourhoods": [neighbourhood.pk],
        },
    )
    assert "placement" in response.content.decode().lower() and response.status_code == 200
    response = client.post(
        url,
        {
            "full_name": "Renamed",
            "stage": "placed",
            "listening_target": 600,
            "placement_starts_on": "2025-09-01",
            "neighbourhoods": [neighbourhood.pk],
        },
    )
    assert response.status_code == 302
    organiser = own["organiser"].__class__.objects.get(pk=own["organiser"].pk)
    assert organiser.full_name == "Renamed" and list(organiser.neighbourhoods.all()) == [
        neighbourhood
    ]


def test_dashboard_per_role(
    world: Any,
    make_user: Callable[..., Any],
    signed_in: Callable[..., Client],
    django_assert_max_num_queries: Any,
) -> None:
    own, _other = world
    _manager, client = _client_for(Role.HOST_MANAGER, own["host"], make_user, signed_in)
    OrganiserFactory(host=own["host"], programme=own["programme"], full_name="Visible Organiser")
    with django_assert_max_num_queries(60):
        html = client.get("/dashboard/").content.decode()
    assert "Your organisers" in html and "Visible Organiser" in html
    _councillor, councillor_client = _client_for(
        Role.COUNCILLOR, own["council"], make_user, signed_in
    )
    assert "Your organisers" not in councillor_client.get("/dashboard/").content.decode()
