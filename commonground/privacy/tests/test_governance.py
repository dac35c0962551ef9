"""The record of processing and the privacy notice read the same live sources."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.test import Client, override_settings
from django.urls import resolve, reverse

from commonground.accounts.models import Role
from commonground.core import views as core_views
from commonground.listening.tests.support import make_member, share_agreement
from commonground.privacy import governance_views
from commonground.privacy.governance import ACTIVITIES, recipient_names
from commonground.privacy.models import DataSharingAgreement
from commonground.privacy.retention import RULES, RULES_BY_KEY
from commonground.privacy.services import data_sharing_agreement_end
from commonground.programme.models import Organisation
from commonground.programme.tests.factories import OrganisationFactory


def test_privacy_notice_keeps_its_address_and_officer_pages_are_reachable(db: Any) -> None:
    assert resolve("/privacy/").func is core_views.privacy_notice
    assert reverse("core:privacy_notice") == "/privacy/"
    assert resolve("/privacy/processing/").func is governance_views.processing_record
    assert reverse("privacy:processing_record_print") == "/privacy/processing/print/"
    # Nothing in the privacy app may sit at /privacy/, where the notice would hide it.
    for name in ("privacy:index", "privacy:agreement_list"):
        try:
            url = reverse(name)
        except Exception:
            continue
        assert url != "/privacy/" and resolve(url).url_name == name.split(":")[1]


def test_privacy_notice_is_public_and_generated_from_the_schedule_and_agreements(
    client: Client, world: dict[str, Any]
) -> None:
    response = client.get("/privacy/")
    assert response.status_code == 200
    body = response.content.decode()
    for rule in RULES:
        assert rule.notice in body
    assert "At the moment no other organisation receives" in body
    assert "/privacy/processing/" not in body, "the officers' link is for officers"
    share_agreement(world)
    body = client.get("/privacy/").content.decode()
    assert world["partner"].name in body
    with override_settings(COMMONGROUND_RETENTION_MONTHS={"contact_details": 18}):
        body = client.get("/privacy/").content.decode()
    assert "deleted 18 months after we were last in touch" in body


def test_ended_or_future_agreements_are_not_recipients(world: dict[str, Any]) -> None:
    agreement = share_agreement(world)
    share_agreement(world, recipient="forum", starts_on=date(2099, 1, 1))
    share_agreement(world, recipient="council", status=DataSharingAgreement.Status.DRAFT)
    assert recipient_names() == [world["partner"].name]
    data_sharing_agreement_end(actor=None, agreement=agreement)
    assert recipient_names(on=date(2099, 6, 1)) == [world["forum"].name]


def test_record_of_processing_is_for_officers_only(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    assert client.get("/privacy/processing/").status_code == 302, "sign in first"
    for user in (world["councillor"], world["user"]):
        assert signed_in(user).get("/privacy/processing/").status_code == 403
        client.logout()
    for user in (world["manager"], world["council_officer"], world["partner_officer"]):
        assert signed_in(user).get("/privacy/processing/").status_code == 200
        assert 'href="/privacy/processing/"' in client.get("/privacy/").content.decode()
        client.logout()
    admin = make_member("admin@example.test", world["council"], Role.ADMINISTRATOR)
    assert signed_in(admin).get("/privacy/processing/print/").status_code == 200


def test_record_of_processing_shows_every_article_30_part_from_live_sources(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    share_agreement(world, fields=["name", "phone"])
    other = OrganisationFactory(
        name="Elsewhere housing", slug="elsewhere-housing", kind=Organisation.Kind.PARTNER
    )
    body = signed_in(world["manager"]).get("/privacy/processing/").content.decode()
    for heading in ("Purposes, data and people", "Recipients", "Retention schedule", "Security"):
        assert heading in body
    for activity in ACTIVITIES:
        assert str(activity.purpose) in body.replace("&#x27;", "'")
    for rule in RULES:
        assert rule.why in body.replace("&#x27;", "'") and rule.period in body
    assert f"Referrals from {world['host'].name}" in body and world["partner"].name in body
    assert "Name, Phone number" in body
    assert other.name not in body, "a partner with no agreement in force is no recipient"
    assert world["host"].name in body, "hosts are listed as controllers"
    assert "after 5 failed sign-ins" in body
    assert "Not yet" in body
    with override_settings(COMMONGROUND_RETENTION_MONTHS={"audit_events": 120}):
        body = client.get("/privacy/processing/print/").content.decode()
    assert "10 years after the event" in body
    assert 'href="/privacy/processing/"' in body


def test_record_shows_when_each_rule_last_ran(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    from commonground.privacy.retention import retention_apply

    retention_apply(keys=["audit_events"])
    response = signed_in(world["manager"]).get("/privacy/processing/")
    rows = dict((rule.key, applied) for rule, applied in response.context["retention_rules"])
    assert rows["audit_events"] is not None and rows["contact_details"] is None
    assert RULES_BY_KEY["audit_events"].record_type


def test_capture_form_links_to_the_privacy_notice(signed_in: Any, world: dict[str, Any]) -> None:
    body = signed_in(world["user"]).get("/listening/capture/").content.decode()
    assert 'href="/privacy/"' in body and 'id="privacy-notice-link"' in body
    consent_at = body.index("Read this to the resident")
    assert abs(body.index('id="privacy-notice-link"') - consent_at) < 5000
