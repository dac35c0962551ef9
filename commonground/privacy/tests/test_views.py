from __future__ import annotations

from typing import Any

from django.test import Client

from commonground.core.models import AuditEvent
from commonground.privacy.models import DataSharingAgreement


def test_host_manager_records_and_ends_an_agreement(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    manager = signed_in(world["manager"])
    response = manager.post(
        "/privacy/agreements/new/",
        {
            "title": "Referrals to the police",
            "provider": world["host"].pk,
            "recipients": [world["partner"].pk],
            "purpose": "Residents who ask to be referred",
            "lawful_basis": "Consent of the resident",
            "fields_shared": ["name", "phone"],
            "starts_on": "2026-01-01",
        },
    )
    agreement = DataSharingAgreement.objects.get()
    assert response.status_code == 302
    assert agreement.is_in_force() and agreement.fields_shared == ["name", "phone"]
    assert list(agreement.recipients.all()) == [world["partner"]]
    detail = manager.get(agreement.get_absolute_url()).content.decode()
    assert "Phone number" in detail and "End this agreement today" in detail
    manager.post(f"{agreement.get_absolute_url()}end/")
    agreement.refresh_from_db()
    assert agreement.status == DataSharingAgreement.Status.ENDED
    assert AuditEvent.objects.filter(action="data_sharing_agreement.end").exists()


def test_parties_see_agreements_and_only_the_provider_changes_them(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    from commonground.listening.tests.support import share_agreement

    agreement = share_agreement(world)
    police = signed_in(world["partner_officer"])
    assert police.get(agreement.get_absolute_url()).status_code == 200
    assert "End this agreement" not in police.get(agreement.get_absolute_url()).content.decode()
    assert police.post(f"{agreement.get_absolute_url()}end/").status_code == 403
    assert police.get("/privacy/agreements/new/").status_code == 403
    client.logout()
    assert signed_in(world["councillor"]).get(agreement.get_absolute_url()).status_code == 403


def test_an_agreement_needs_recipients_other_than_the_provider(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    response = signed_in(world["manager"]).post(
        "/privacy/agreements/new/",
        {
            "title": "To ourselves",
            "provider": world["host"].pk,
            "recipients": [world["host"].pk],
            "purpose": "None",
            "lawful_basis": "None",
            "fields_shared": ["name"],
            "starts_on": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "cannot share with itself" in response.content.decode()
    assert not DataSharingAgreement.objects.exists()
