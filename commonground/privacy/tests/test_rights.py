"""Subject access and erasure, tested against a resident who has something in every app."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from commonground.accounts.models import Role
from commonground.action.models import Group, Involvement, NetworkLink
from commonground.core.models import AuditEvent
from commonground.insight.models import HouseMeeting, Invitation, Quote, Theme
from commonground.listening.models import (
    Conversation,
    ConversationVersion,
    FollowUp,
    Resident,
)
from commonground.listening.services import (
    FollowUpDetails,
    conversation_correct,
    conversation_input_from,
)
from commonground.listening.tests.support import build_world, make_member, record_identified
from commonground.privacy import rights
from commonground.privacy.models import Consent

NAME = "Wren Saltmarsh"
EMAIL = "wren.saltmarsh@example.test"
PHONE = "07700 900461"


@pytest.fixture
def wren(world: dict[str, Any]) -> Resident:
    """A resident with two conversations (one corrected), a follow-up, a quote, a house meeting
    invitation, a group, a connection, and a mention of their name in someone else's conversation."""
    user, organiser = world["user"], world["organiser"]
    first = record_identified(
        user,
        organiser,
        name=NAME,
        email=EMAIL,
        talk_to="My neighbour at number 4",
        follow_ups=[FollowUpDetails(f"Ring {NAME} about the litter pick", date(2026, 12, 1))],
    ).conversation
    resident = first.resident
    Resident.objects.filter(pk=resident.pk).update(phone=PHONE, phone_key="07700900461")
    resident.refresh_from_db()
    data = replace(conversation_input_from(first), concerns="Speeding on Ashgrove Lane")
    conversation_correct(actor=user, conversation=first, data=data, reason=f"{NAME} rang back")
    record_identified(
        user,
        organiser,
        name=NAME,
        email=EMAIL,
        happened_at=timezone.now() - timedelta(hours=3),
        loves="The allotments",
    )
    record_identified(
        user, organiser, name="Ash Penhallow", email="ash@example.test", talk_to=f"Ask {NAME}"
    )
    theme, _created = Theme.objects.get_or_create(slug="test-litter", defaults={"name": "Litter"})
    Quote.objects.create(conversation=first, theme=theme, text="The garages are a tip")
    meeting = HouseMeeting.objects.create(
        host=world["host"],
        theme=theme,
        area_kind="neighbourhood",
        area_code="own-patch",
        area_name="Own patch",
        title="Litter on the estate",
        meets_at=timezone.now() + timedelta(days=7),
        venue="Community hall",
    )
    Invitation.objects.create(meeting=meeting, resident=resident, method="phone")
    group = Group.objects.create(name="Ashgrove residents", slug="ashgrove", host=world["host"])
    Involvement.objects.create(
        group=group,
        resident=resident,
        started_on=date(2026, 1, 5),
        consent_given_on=date(2026, 1, 5),
    )
    NetworkLink.objects.create(
        host=world["host"],
        from_resident=resident,
        to_group=group,
        description=f"{NAME} joined the group",
        made_on=date(2026, 1, 5),
    )
    return resident


def _export_json(content: bytes) -> tuple[dict[str, Any], str]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = archive.namelist()
    document = json.loads(archive.read(next(n for n in names if n.endswith(".json"))))
    pdf = PdfReader(io.BytesIO(archive.read(next(n for n in names if n.endswith(".pdf")))))
    pdf_text = "\n".join(page.extract_text() for page in pdf.pages)
    return document, pdf_text


def test_the_export_holds_every_kind_of_data_in_json_and_pdf(
    signed_in: Any, world: dict[str, Any], wren: Resident
) -> None:
    response = signed_in(world["manager"]).post(f"/privacy/residents/{wren.public_id}/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    document, pdf_text = _export_json(response.content)
    sections = document["sections"]

    assert sections["contact_details"]["fields"]["Name"] == NAME
    assert sections["contact_details"]["fields"]["E-mail address"] == EMAIL
    assert sections["contact_details"]["fields"]["Phone number"] == PHONE
    consent = sections["consents"]["records"][0]["fields"]
    assert consent["Wording shown"] and consent["How to withdraw"]
    assert "Withdrawn" in consent
    said = [r["fields"] for r in sections["conversations"]["records"]]
    assert {c["What concerns them most"] for c in said} >= {"Speeding on Ashgrove Lane"}
    assert any(c["What they love about the area"] == "The allotments" for c in said)
    versions = sections["conversation_versions"]["records"]
    assert [v["fields"]["What concerns them most"] for v in versions[:2]] == [
        "Flytipping behind the garages",
        "Speeding on Ashgrove Lane",
    ]
    assert len(versions) == 3
    assert sections["follow_ups"]["records"][0]["fields"]["What"].startswith("Ring Wren")
    assert "no link" in sections["equality_monitoring"]["note"]
    assert sections["quotes"]["records"][0]["fields"]["Quote"] == "The garages are a tip"
    assert sections["meeting_invitations"]["records"][0]["fields"]["Meeting"] == (
        "Litter on the estate"
    )
    assert sections["group_involvement"]["records"][0]["fields"]["Group"] == "Ashgrove residents"
    assert sections["connections"]["records"][0]["fields"]["Connected with"] == (
        "Ashgrove residents"
    )
    actions = {r["fields"]["What"] for r in sections["audit_entries"]["records"]}
    assert {"conversation.record", "conversation.correct"} <= actions

    for expected in (NAME, EMAIL, "Speeding on Ashgrove Lane", "Ashgrove residents", "Consents"):
        assert expected in pdf_text
    event = AuditEvent.objects.get(action="resident.export")
    assert event.actor == world["manager"] and event.object_id == str(wren.pk)
    assert NAME not in event.object_repr and NAME not in json.dumps(event.changes)


def test_only_the_hosts_managers_may_act_on_a_residents_rights(
    client: Client, signed_in: Any, world: dict[str, Any], wren: Resident
) -> None:
    other = build_world("other")
    other_manager = make_member("other.manager@example.test", other["host"], Role.HOST_MANAGER)
    base = f"/privacy/residents/{wren.public_id}/"
    refused = [
        other_manager,
        world["user"],
        world["council_officer"],
        world["partner_officer"],
        make_member("admin@example.test", world["council"], Role.ADMINISTRATOR),
    ]
    for user in refused:
        browser = signed_in(user)
        assert browser.get(base).status_code == 403, user
        assert browser.post(f"{base}export/").status_code == 403, user
        assert browser.get(f"{base}erase/").status_code == 403, user
        assert browser.post(f"{base}erase/", {"understood": "on"}).status_code == 403, user
        client.logout()
    found = signed_in(other_manager).get("/privacy/residents/", {"q": EMAIL})
    assert NAME not in found.content.decode()
    assert not AuditEvent.objects.filter(action__in=["resident.export", "resident.erase"]).exists()
    assert Resident.objects.get(pk=wren.pk).full_name == NAME


def test_an_officer_finds_a_resident_by_name_email_phone_or_postcode(
    signed_in: Any, world: dict[str, Any], wren: Resident
) -> None:
    manager = signed_in(world["manager"])
    for search in ("saltmarsh", EMAIL.upper(), "+44 7700 900461", "zz11ab"):
        page = manager.get("/privacy/residents/", {"q": search}).content.decode()
        assert str(wren.public_id) in page, search
    assert "Ash Penhallow" not in manager.get("/privacy/residents/", {"q": "Wren"}).content.decode()
    assert manager.get("/privacy/manage/").status_code == 200


def _text_columns() -> list[tuple[type[models.Model], str, bool]]:
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                found.append((model, field.attname, False))
            elif isinstance(field, models.JSONField):
                found.append((model, field.attname, True))
    return found


def _rows_holding(values: list[str]) -> list[str]:
    """Every row of every model, in every text or JSON column, that still holds one of ``values``."""
    hits = []
    for model, column, is_json in _text_columns():
        queryset = model._default_manager.all()
        target = column
        if is_json:
            queryset = queryset.annotate(_as_text=Cast(column, TextField()))
            target = "_as_text"
        condition = Q()
        for value in values:
            condition |= Q(**{f"{target}__icontains": value})
        for pk in queryset.filter(condition).values_list("pk", flat=True):
            hits.append(f"{model._meta.label}.{column} #{pk}")
    return hits


def _figures(client: Client) -> str:
    page = client.get("/listening/figures/").content.decode()
    return page[page.index("<table") : page.rindex("</table>")]


def test_erasure_leaves_no_personal_value_and_keeps_the_counts(
    signed_in: Any, world: dict[str, Any], wren: Resident
) -> None:
    manager = signed_in(world["manager"])
    personal = [NAME, EMAIL, PHONE, "07700900461"]
    assert _rows_holding(personal), "the fixture should hold the resident's details somewhere"
    listened_before = Conversation.objects.filter(counts_toward_listened=True).count()
    conversations_before = Conversation.objects.count()
    figures_before = _figures(manager)
    consents = Consent.objects.filter(resident=wren).count()

    preview = manager.get(f"/privacy/residents/{wren.public_id}/erase/")
    assert preview.status_code == 200
    assert Resident.objects.get(pk=wren.pk).full_name == NAME
    digest = preview.context["form"].initial["preview"]
    done = manager.post(
        f"/privacy/residents/{wren.public_id}/erase/", {"preview": digest, "understood": "on"}
    )
    assert done.status_code == 302

    assert _rows_holding(personal) == []
    assert Conversation.objects.count() == conversations_before
    assert Conversation.objects.filter(counts_toward_listened=True).count() == listened_before
    assert _figures(manager) == figures_before
    assert not Consent.objects.filter(resident=wren).exists()
    assert not Quote.objects.filter(conversation__resident=wren).exists()
    assert Invitation.objects.filter(resident=wren).count() == 1
    assert Involvement.objects.filter(resident=wren).count() == 1
    other = Conversation.objects.get(resident__full_name="Ash Penhallow")
    assert other.talk_to == "Ask [removed]"
    event = AuditEvent.objects.get(action="resident.erase")
    assert event.actor == world["manager"]
    assert "Wren" not in event.object_repr + json.dumps(event.changes)
    assert {"model": "privacy.Consent", "action": "remove", "count": consents} in event.changes[
        "changed"
    ]


def _state() -> dict[str, dict[Any, Any]]:
    labels = [
        "listening.Resident",
        "listening.Conversation",
        "listening.ConversationVersion",
        "listening.FollowUp",
        "listening.ImportBatch",
        "privacy.Consent",
        "insight.Quote",
        "insight.TrainingExample",
        "insight.Invitation",
        "action.Involvement",
        "action.NetworkLink",
        "core.AuditEvent",
    ]
    state = {}
    for label in labels:
        model = apps.get_model(label)
        columns = [
            f.attname for f in model._meta.concrete_fields if f.attname not in ("updated_at",)
        ]
        state[label] = {row[0]: row for row in model.objects.values_list("pk", *columns)}
    return state


def test_the_preview_lists_exactly_what_the_removal_changes(
    world: dict[str, Any], wren: Resident
) -> None:
    planned = rights.plan_erasure(wren)
    before = _state()
    done = rights.resident_erase(actor=world["manager"], resident=wren)
    after = _state()
    assert done == planned

    expected: dict[tuple[str, str], int] = {}
    for change in planned:
        if change.action != "keep":
            key = (change.model, change.action)
            expected[key] = expected.get(key, 0) + change.count
    observed: dict[tuple[str, str], int] = {}
    for label, rows in before.items():
        removed = len(set(rows) - set(after[label]))
        anonymised = sum(1 for pk in set(rows) & set(after[label]) if rows[pk] != after[label][pk])
        if label == "core.AuditEvent":
            # The erasure's own event is the one new row.
            assert len(set(after[label]) - set(rows)) == 1
        if removed:
            observed[(label, "remove")] = removed
        if anonymised:
            observed[(label, "anonymise")] = anonymised
    assert observed == expected
    assert rights.plan_erasure(Resident.objects.get(pk=wren.pk)) == [
        c for c in planned if c.action == "keep"
    ]


def test_a_failure_part_way_through_leaves_everything_as_it_was(
    world: dict[str, Any], wren: Resident, monkeypatch: pytest.MonkeyPatch
) -> None:
    from commonground.action import personal_data as action_data

    before = _state()

    def broken(resident: Resident, *, dry_run: bool) -> list[rights.Change]:
        if not dry_run:
            raise RuntimeError("the disk is full")
        return []

    monkeypatch.setattr(action_data, "erase", broken)
    with pytest.raises(RuntimeError):
        rights.resident_erase(actor=world["manager"], resident=wren)
    assert _state() == before
    assert Resident.objects.get(pk=wren.pk).full_name == NAME
    assert ConversationVersion.objects.filter(reason__contains="Wren").exists()
    assert FollowUp.objects.filter(description__contains="Wren").exists()


def test_erasure_refuses_when_things_changed_since_the_preview(
    signed_in: Any, world: dict[str, Any], wren: Resident
) -> None:
    manager = signed_in(world["manager"])
    stale = rights.fingerprint(rights.plan_erasure(wren))
    record_identified(world["user"], world["organiser"], name=NAME, email=EMAIL, ideas="A bench")
    page = manager.post(
        f"/privacy/residents/{wren.public_id}/erase/", {"preview": stale, "understood": "on"}
    )
    assert page.status_code == 200
    assert "changed since you looked" in page.content.decode()
    assert Resident.objects.get(pk=wren.pk).full_name == NAME
    unticked = manager.post(
        f"/privacy/residents/{wren.public_id}/erase/",
        {"preview": rights.fingerprint(rights.plan_erasure(wren))},
    )
    assert "Confirm that you understand this cannot be undone" in unticked.content.decode()
    assert Resident.objects.get(pk=wren.pk).full_name == NAME


def test_the_resident_page_links_to_rights_for_managers_only(
    client: Client, signed_in: Any, world: dict[str, Any], wren: Resident
) -> None:
    link = f"/privacy/residents/{wren.public_id}/"
    assert link in signed_in(world["manager"]).get(wren.get_absolute_url()).content.decode()
    client.logout()
    assert link not in signed_in(world["user"]).get(wren.get_absolute_url()).content.decode()
