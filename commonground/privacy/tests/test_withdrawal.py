"""Withdrawing consent stops contact at once: details hidden everywhere, follow-ups cancelled, and no
new contact recorded without a fresh consent."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from commonground.listening.models import ConsentTier, FollowUp, Resident
from commonground.listening.services import (
    FollowUpDetails,
    ResidentDetails,
    follow_up_add,
    resident_update,
)
from commonground.listening.tests.support import record, share_agreement
from commonground.privacy.models import Consent
from commonground.privacy.services import consent_withdraw

NAME, EMAIL, PHONE = "Ottoline Brackenbury", "ottoline@example.test", "07700 900456"


def _identified(world: dict[str, Any], **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "consent_tier": ConsentTier.IDENTIFIED,
        "contact_consent_given": True,
        "new_resident": ResidentDetails(
            full_name=NAME, email=EMAIL, phone=PHONE, address="4 Lark Lane", postcode="ZZ1 1AB"
        ),
        "follow_ups": [FollowUpDetails(description="Ring her about the lunch club")],
    }
    values.update(overrides)
    return record(world["user"], world["organiser"], **values).conversation


def _shown_anywhere(body: str) -> list[str]:
    return [value for value in (NAME, EMAIL, PHONE, "4 Lark Lane") if value in body]


def test_withdrawal_hides_details_on_every_page_and_cancels_follow_ups(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    conversation = _identified(world)
    resident = conversation.resident
    manager = signed_in(world["manager"])
    pages = [
        resident.get_absolute_url(),
        conversation.get_absolute_url(),
        "/listening/residents/",
        "/listening/",
        "/dashboard/",
    ]
    assert _shown_anywhere(manager.get(resident.get_absolute_url()).content.decode())
    consent = Consent.objects.get(resident=resident)
    response = manager.post(f"/listening/consents/{consent.public_id}/withdraw/", {"note": "Phone"})
    assert response.status_code == 302
    for url in pages:
        page = manager.get(url)
        assert page.status_code == 200, url
        assert _shown_anywhere(page.content.decode()) == [], url
    search = manager.get("/listening/residents/", {"q": EMAIL})
    assert search.context["page_obj"].paginator.count == 0, "nobody can find them by e-mail"
    follow_up = FollowUp.objects.get(conversation=conversation)
    assert follow_up.status == FollowUp.Status.CANCELLED and follow_up.done_at is not None
    organiser_dashboard = signed_in(world["user"]).get("/dashboard/").content.decode()
    assert "Ring her about the lunch club" not in organiser_dashboard


def test_api_never_carries_contact_details(signed_in: Any, world: dict[str, Any]) -> None:
    conversation = _identified(world)
    consent_withdraw(actor=world["manager"], consent=Consent.objects.get())
    browser = signed_in(world["manager"])
    listing = browser.get("/api/listening/conversations")
    detail = browser.get(f"/api/listening/conversations/{conversation.public_id}")
    assert listing.status_code == 200 and detail.status_code == 200
    for response in (listing, detail):
        assert _shown_anywhere(response.content.decode()) == []


def test_no_new_contact_without_a_fresh_consent(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    conversation = _identified(world, follow_ups=[])
    resident = conversation.resident
    consent_withdraw(actor=world["manager"], consent=Consent.objects.get())
    with pytest.raises(ValidationError):
        follow_up_add(actor=world["user"], conversation=conversation, description="Call back")
    with pytest.raises(ValidationError):
        resident_update(
            actor=world["manager"], resident=resident, details=ResidentDetails(email=EMAIL)
        )
    page = signed_in(world["user"]).post(
        conversation.get_absolute_url(), {"description": "Call back", "due_on": ""}
    )
    assert page.status_code == 200 and "no consent in force" in page.content.decode()
    assert not FollowUp.objects.filter(conversation=conversation).exists()
    # Meeting them again with a fresh consent is a new, recorded agreement.
    again = _identified(world, follow_ups=[])
    assert again.resident_id != resident.pk
    assert Consent.objects.filter(resident=again.resident, withdrawn_at__isnull=True).exists()
    assert Resident.objects.get(pk=resident.pk).email == ""


def test_anonymous_conversations_keep_their_follow_ups(world: dict[str, Any]) -> None:
    conversation = record(world["user"], world["organiser"]).conversation
    follow_up = follow_up_add(actor=world["user"], conversation=conversation, description="Lights")
    assert follow_up.status == FollowUp.Status.OPEN


def test_withdrawn_referral_hides_details_from_the_partner_at_once(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    share_agreement(world, fields=["name", "phone", "notes"])
    shared = record(
        world["user"],
        world["organiser"],
        consent_tier=ConsentTier.SHAREABLE,
        contact_consent_given=True,
        shared_with=[world["partner"]],
        new_resident=ResidentDetails(full_name=NAME, phone=PHONE, email=EMAIL),
    ).conversation
    # A second conversation keeps a follow-up consent in force, so the details stay with the host.
    _identified(world, follow_ups=[])
    resident = shared.resident
    assert Consent.objects.filter(resident=resident).count() == 2
    police = signed_in(world["partner_officer"])
    assert NAME in police.get(shared.get_absolute_url()).content.decode()
    referral = Consent.objects.get(resident=resident, purpose=Consent.Purpose.REFERRAL)
    consent_withdraw(actor=world["manager"], consent=referral)
    assert Resident.objects.get(pk=resident.pk).email == EMAIL, "the host may still follow up"
    detail = police.get(shared.get_absolute_url())
    assert detail.status_code in (200, 403)
    assert _shown_anywhere(detail.content.decode()) == []
    assert police.get(resident.get_absolute_url()).status_code in (403, 404)
    assert police.get(f"/api/listening/conversations/{shared.public_id}").status_code == 403
    listing = police.get("/listening/").content.decode()
    assert _shown_anywhere(listing) == []
