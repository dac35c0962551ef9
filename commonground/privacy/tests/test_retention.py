"""The retention schedule: each rule against records just either side of its limit, on fixed dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import override_settings

from commonground.core.audit import audit_record
from commonground.core.models import AuditEvent
from commonground.listening.models import (
    ConsentTier,
    Conversation,
    ConversationVersion,
    EqualityMonitoring,
    FollowUp,
    ImportBatch,
    Resident,
)
from commonground.listening.services import FollowUpDetails, ResidentDetails, resident_update
from commonground.listening.tests.support import record
from commonground.privacy import retention
from commonground.privacy.retention import (
    NOTES_ANONYMISED_REASON,
    RULES,
    RULES_BY_KEY,
    months_before,
    retention_apply,
    retention_preview,
)
from commonground.privacy.tasks import apply_retention_schedule

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def limit(key: str) -> datetime:
    return RULES_BY_KEY[key].cutoff(NOW)


def identified(
    world: dict[str, Any], *, at: datetime, name: str, email: str, phone: str = ""
) -> Conversation:
    conversation = record(
        world["user"],
        world["organiser"],
        happened_at=at,
        consent_tier=ConsentTier.IDENTIFIED,
        contact_consent_given=True,
        new_resident=ResidentDetails(full_name=name, email=email, phone=phone),
        follow_ups=[FollowUpDetails(description=f"Ring {name}")],
    ).conversation
    # The row was made today; pretend it was made on the day of the conversation.
    Resident.objects.filter(pk=conversation.resident_id).update(created_at=at)
    return conversation


def counts(outcomes: list[retention.RuleOutcome]) -> dict[str, int]:
    return {outcome.rule.key: outcome.count for outcome in outcomes}


def test_months_before_keeps_to_the_calendar() -> None:
    assert months_before(NOW, 24) == datetime(2024, 1, 15, 12, 0, tzinfo=UTC)
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2024, 3, 31, tzinfo=UTC), 1) == datetime(2024, 2, 29, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 10, tzinfo=UTC), 13) == datetime(
        2024, 12, 10, tzinfo=UTC
    )


def test_every_rule_has_a_reason_and_a_period() -> None:
    assert [rule.key for rule in RULES] == [
        "contact_details",
        "conversation_notes",
        "import_files",
        "equality_answers",
        "audit_events",
    ]
    for rule in RULES:
        assert str(rule.reason) and str(rule.action) and str(rule.plain_english)
    assert RULES_BY_KEY["contact_details"].period == "2 years"
    assert RULES_BY_KEY["import_files"].period == "3 months"


def test_a_setting_changes_a_period_but_must_be_sensible() -> None:
    with override_settings(COMMONGROUND_RETENTION_MONTHS={"audit_events": 96}):
        assert RULES_BY_KEY["audit_events"].months == 96
        assert RULES_BY_KEY["audit_events"].period == "8 years"
        assert RULES_BY_KEY["contact_details"].months == 24
    with (
        override_settings(COMMONGROUND_RETENTION_MONTHS={"audit_events": 0}),
        pytest.raises(ImproperlyConfigured),
    ):
        _ = RULES_BY_KEY["audit_events"].months


def test_contact_details_go_two_years_after_the_last_contact(world: dict[str, Any]) -> None:
    cutoff = limit("contact_details")
    old = identified(
        world,
        at=cutoff - DAY,
        name="Ambrose Quill",
        email="ambrose@example.test",
        phone="07700 900111",
    )
    recent = identified(world, at=cutoff + DAY, name="Bettany Vale", email="bettany@example.test")
    # Seen again recently, so their clock restarts even though they were first met long ago.
    revisited = identified(
        world, at=cutoff - 30 * DAY, name="Cosmo Fairweather", email="cosmo@example.test"
    )
    later = record(
        world["user"],
        world["organiser"],
        happened_at=cutoff + 10 * DAY,
        consent_tier=ConsentTier.IDENTIFIED,
        contact_consent_given=True,
        new_resident=ResidentDetails(full_name="Cosmo Fairweather", email="cosmo@example.test"),
    ).conversation
    assert later.resident_id == revisited.resident_id

    preview = retention_preview(now=NOW, keys=["contact_details"])[0]
    assert preview.count == 1 and preview.oldest == cutoff - DAY
    retention_apply(now=NOW, keys=["contact_details"])

    gone = Resident.objects.get(pk=old.resident_id)
    assert (gone.full_name, gone.email, gone.phone, gone.phone_key) == ("", "", "", "")
    assert gone.contact_removed_at == NOW
    assert FollowUp.objects.get(conversation=old).status == FollowUp.Status.CANCELLED
    assert Resident.objects.get(pk=recent.resident_id).email == "bettany@example.test"
    assert Resident.objects.get(pk=revisited.resident_id).email == "cosmo@example.test"
    assert FollowUp.objects.get(conversation=recent).status == FollowUp.Status.OPEN
    assert Conversation.objects.filter(resident_id=old.resident_id).exists(), "still counted once"
    with pytest.raises(ValidationError):
        resident_update(
            actor=world["manager"], resident=gone, details=ResidentDetails(email="a@example.test")
        )


NOTES = "My neighbour Dave Smith says ring him on 07700 900123 about the bins at BA2 3AB"


def test_notes_are_anonymised_after_three_years_history_included(world: dict[str, Any]) -> None:
    cutoff = limit("conversation_notes")
    old, recent = (
        record(
            world["user"],
            world["organiser"],
            happened_at=at,
            concerns=NOTES,
            talk_to="Mrs Okafor at number 4",
            keep_exact_location=True,
        ).conversation
        for at in (cutoff - DAY, cutoff + DAY)
    )
    assert old.postcode and old.location_consent

    preview = retention_preview(now=NOW, keys=["conversation_notes"])[0]
    assert preview.count == 1 and preview.oldest == cutoff - DAY
    retention_apply(now=NOW, keys=["conversation_notes"])

    old.refresh_from_db()
    assert "07700 900123" not in old.concerns and "Dave Smith" not in old.concerns
    assert "[phone]" in old.concerns and "bins" in old.concerns, "what was said stays, anonymised"
    assert old.talk_to == "" and old.postcode == "" and old.lon is None
    assert not old.location_consent and old.lsoa is not None, "the area stays for the counts"
    assert old.version == 2
    versions = list(ConversationVersion.objects.filter(conversation=old).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[-1].reason == NOTES_ANONYMISED_REASON
    for version in versions:
        assert "07700 900123" not in version.data["concerns"]
        assert version.data["talk_to"] == "" and version.data["postcode"] == ""
    recent.refresh_from_db()
    assert recent.concerns == NOTES and recent.talk_to and recent.version == 1


def test_import_files_go_after_three_months(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    cutoff = limit("import_files")
    batches = []
    for name, at in (("old.csv", cutoff - DAY), ("new.csv", cutoff + DAY)):
        batch = ImportBatch(
            host=world["host"], filename=name, sha256="0" * 64, preview=[{"name": "Ada Brook"}]
        )
        batch.file.save(name, ContentFile(b"name\nAda Brook\n"), save=False)
        batch.save()
        ImportBatch.objects.filter(pk=batch.pk).update(created_at=at)
        batches.append(batch)
    old, new = batches
    stored = old.file.name
    assert old.file.storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = retention_apply(now=NOW, keys=["import_files"])[0]
    assert outcome.count == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert not old.file and old.preview == [] and old.filename == "old.csv"
    assert not old.file.storage.exists(stored)
    assert new.file and new.preview == [{"name": "Ada Brook"}]


def test_equality_answers_go_after_three_years(world: dict[str, Any]) -> None:
    cutoff = limit("equality_answers").date()
    # The limit falls mid-month: that month stays whole until it is all past the limit.
    for month in (date(cutoff.year, cutoff.month, 1) - 20 * DAY, cutoff.replace(day=1)):
        EqualityMonitoring.objects.create(
            host=world["host"],
            programme=world["programme"],
            programme_year=month.year,
            month=month.replace(day=1),
            age_band="25_34",
        )
    assert retention_preview(now=NOW, keys=["equality_answers"])[0].count == 1
    retention_apply(now=NOW, keys=["equality_answers"])
    assert list(EqualityMonitoring.objects.values_list("month", flat=True)) == [
        date(cutoff.year, cutoff.month, 1)
    ]


def test_audit_events_go_after_six_years(db: Any) -> None:
    cutoff = limit("audit_events")
    for action, at in (("old.event", cutoff - DAY), ("new.event", cutoff + DAY)):
        event = audit_record(actor=None, action=action)
        AuditEvent.objects.filter(pk=event.pk).update(at=at)
    retention_apply(now=NOW, keys=["audit_events"])
    assert not AuditEvent.objects.filter(action="old.event").exists()
    assert AuditEvent.objects.filter(action="new.event").exists()
    applied = AuditEvent.objects.get(action="retention.apply")
    assert applied.changes["records"] == 1 and applied.object_id == "audit_events"


def _everything_past_its_limit(world: dict[str, Any]) -> None:
    identified(
        world, at=limit("conversation_notes") - DAY, name="Dorcas Hale", email="dorcas@example.test"
    )
    EqualityMonitoring.objects.create(
        host=world["host"],
        programme=world["programme"],
        programme_year=2020,
        month=date(2020, 1, 1),
        sex="female",
    )
    batch = ImportBatch.objects.create(
        host=world["host"], filename="sheet.csv", sha256="0" * 64, errors=[{"row": 2}]
    )
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=limit("import_files") - DAY)
    old_event = audit_record(actor=None, action="old.event")
    AuditEvent.objects.filter(pk=old_event.pk).update(at=limit("audit_events") - DAY)


def _state() -> list[Any]:
    return [
        list(Resident.objects.values_list("full_name", "email", "contact_removed_at")),
        list(Conversation.objects.values_list("concerns", "talk_to", "version")),
        list(ConversationVersion.objects.values_list("pk", "data")),
        EqualityMonitoring.objects.count(),
        list(ImportBatch.objects.values_list("errors", flat=True)),
        AuditEvent.objects.count(),
        list(FollowUp.objects.values_list("status", flat=True)),
    ]


def test_dry_run_changes_nothing_and_apply_is_idempotent(world: dict[str, Any]) -> None:
    _everything_past_its_limit(world)
    before = _state()
    preview = retention_preview(now=NOW)
    assert counts(preview) == {
        "contact_details": 1,
        "conversation_notes": 1,
        "import_files": 1,
        "equality_answers": 1,
        "audit_events": 1,
    }
    assert all(outcome.oldest is not None and not outcome.applied for outcome in preview)
    assert _state() == before, "a dry run changes nothing"

    first = retention_apply(now=NOW)
    assert counts(first) == counts(preview)
    assert _state() != before
    after_first = _state()
    second = retention_apply(now=NOW)
    assert set(counts(second).values()) == {0}
    after_second = _state()
    assert after_second[:-2] == after_first[:-2]
    assert after_second[-1] == after_first[-1]
    assert AuditEvent.objects.filter(action="retention.apply").count() == 2 * len(RULES)


def test_a_failing_rule_leaves_its_records_as_they_were(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _everything_past_its_limit(world)
    notes_before = list(Conversation.objects.values_list("concerns", "version"))

    def broken(conversation: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr("commonground.listening.services.snapshot", broken)
    with pytest.raises(RuntimeError):
        retention_apply(now=NOW)
    assert Resident.objects.filter(email="").count() == 1, "the rule before it stayed applied"
    assert list(Conversation.objects.values_list("concerns", "version")) == notes_before
    assert EqualityMonitoring.objects.count() == 1, "rules after it did not run"
    assert not AuditEvent.objects.filter(
        action="retention.apply", object_id="conversation_notes"
    ).exists()


def test_command_is_a_dry_run_unless_told_to_apply(world: dict[str, Any]) -> None:
    _everything_past_its_limit(world)
    before = _state()
    output = StringIO()
    call_command("retention", stdout=output)
    text = output.getvalue()
    assert "Dry run" in text and "nothing was changed" in text
    for rule in RULES:
        assert f"{rule.key}: would change" in text
    assert "audit_events: would change 1 record(s), oldest" in text
    assert _state() == before

    output = StringIO()
    call_command("retention", "--apply", "--rule", "equality_answers", stdout=output)
    assert "equality_answers: changed 1 record(s)" in output.getvalue()
    assert EqualityMonitoring.objects.count() == 0
    assert Resident.objects.exclude(email="").count() == 1, "other rules untouched"


def test_daily_task_applies_the_schedule(world: dict[str, Any]) -> None:
    _everything_past_its_limit(world)
    result = apply_retention_schedule.enqueue()
    assert result.return_value["equality_answers"] == 1
    assert EqualityMonitoring.objects.count() == 0
    event = AuditEvent.objects.filter(action="retention.apply").first()
    assert event is not None and event.source == "background task"
