from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from commonground.privacy.models import Consent

from .. import imports
from ..models import Conversation, ConversationVersion, ImportBatch, Resident, Source


def yesterday() -> str:
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def good_rows(organiser: Any) -> list[dict[str, str]]:
    return [
        {"date": yesterday(), "time": "10:15", "organiser": organiser.full_name, "postcode": "ZZ1 1AB",
         "concerns": "Flytipping by the garages", "what_they_love": "The park"},
        {"date": yesterday(), "time": "10:40", "postcode": "zz1 2ab", "mode": "street",
         "concerns": "Buses stop at six", "involvement": "interested"},
        {"date": "14/11/2026", "time": "11:00", "postcode": "ZZ1 1AB", "concerns": "Lonely since moving",
         "consent": "identified", "name": "Marnie Thistlewood", "phone": "07700 900456",
         "consent_given": "yes", "follow_up": "Invite to coffee morning", "follow_up_due": "2026-12-05"},
        {"date": yesterday(), "mode": "phone", "concerns": "Parking on the pavement"},
        {"date": yesterday(), "postcode": "ZZ1 1AB", "concerns": "Since her stroke she can't get out",
         "consent": "identified", "name": "Orla Pendlebury", "consent_given": "yes"},
    ]  # fmt: skip


def as_csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=imports.COLUMN_NAMES)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode()


def as_xlsx(rows: list[dict[str, str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(imports.COLUMN_NAMES)
    for row in rows:
        sheet.append([row.get(name, "") for name in imports.COLUMN_NAMES])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def upload(
    browser: Client, content: bytes, name: str, organiser: Any, captured: Any
) -> ImportBatch:
    with captured(execute=True):
        response = browser.post(
            "/listening/imports/",
            {
                "file": SimpleUploadedFile(name, content),
                "default_organiser": organiser.pk,
                "from_paper": "on",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.order_by("-created_at").first()


def confirm(browser: Client, batch: ImportBatch, captured: Any) -> ImportBatch:
    with captured(execute=True):
        browser.post(batch.get_absolute_url())
    batch.refresh_from_db()
    return batch


def test_templates_download(client: Client, signed_in: Any, world: dict[str, Any]) -> None:
    browser = signed_in(world["user"])
    text = browser.get("/listening/imports/template.csv").content.decode()
    assert text.splitlines()[0].split(",") == imports.COLUMN_NAMES
    workbook = browser.get("/listening/imports/template.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active
    assert [c.value for c in sheet[1]] == imports.COLUMN_NAMES


def test_every_bad_row_is_listed_and_nothing_is_imported(
    client: Client,
    signed_in: Any,
    world: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    rows = [
        *good_rows(world["organiser"])[:2],
        {"date": yesterday(), "postcode": "ZZ9 9ZZ", "concerns": "Litter"},
        {"date": future, "postcode": "ZZ1 1AB", "concerns": "Litter"},
        {
            "date": yesterday(),
            "postcode": "ZZ1 1AB",
            "concerns": "Litter",
            "email": "a@example.test",
        },
        {
            "date": yesterday(),
            "postcode": "ZZ1 1AB",
            "concerns": "Litter",
            "mode": "carrier pigeon",
        },
        {
            "date": yesterday(),
            "postcode": "ZZ1 1AB",
            "concerns": "Litter",
            "organiser": "Nobody Known",
        },
        {"date": "", "postcode": "ZZ1 1AB", "concerns": "Litter"},
    ]
    browser = signed_in(world["user"])
    batch = upload(
        browser, as_csv(rows), "sheet.csv", world["organiser"], django_capture_on_commit_callbacks
    )
    assert batch.status == ImportBatch.Status.INVALID
    found = {(e["row"], e["column"]) for e in batch.errors}
    assert found == {
        (4, "postcode"),
        (5, "date"),
        (6, "consent_given"),
        (7, "mode"),
        (8, "organiser"),
        (9, "date"),
    }
    reasons = {e["row"]: e["reason"] for e in batch.errors}
    assert "Unknown postcode ZZ9 9ZZ" in reasons[4]
    assert "future" in reasons[5]
    assert "Missing consent for contact details" in reasons[6]
    page = browser.get(batch.get_absolute_url()).content.decode()
    assert "Nothing was imported" in page and "Unknown postcode ZZ9 9ZZ" in page
    assert not Conversation.objects.exists()
    assert not batch.file, "a refused file is not kept"
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(batch.get_absolute_url())
    assert not Conversation.objects.exists(), "an invalid file cannot be imported"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_good_file_imports_whole_and_again_adds_nothing(
    kind: str,
    client: Client,
    signed_in: Any,
    world: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    rows = good_rows(world["organiser"])
    content = as_csv(rows) if kind == "csv" else as_xlsx(rows)
    browser = signed_in(world["user"])
    batch = upload(
        browser, content, f"sheet.{kind}", world["organiser"], django_capture_on_commit_callbacks
    )
    assert batch.status == ImportBatch.Status.CHECKED, batch.errors
    assert len(batch.preview) == 5 and batch.preview[0]["row"] == 2
    page = browser.get(batch.get_absolute_url()).content.decode()
    assert "Import all 5 rows" in page and "Flytipping by the garages" in page
    assert not Conversation.objects.exists(), "checking writes nothing"
    batch = confirm(browser, batch, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.IMPORTED and batch.created_count == 5
    conversations = Conversation.objects.order_by("happened_at")
    assert conversations.count() == 5
    assert {c.source for c in conversations} == {Source.PAPER}
    assert {c.recorded_by for c in conversations} == {world["user"]}
    assert ConversationVersion.objects.count() == 5
    named = Conversation.objects.get(concerns="Lonely since moving")
    assert named.resident.full_name == "Marnie Thistlewood"
    assert named.follow_ups.get().description == "Invite to coffee morning"
    consent = Consent.objects.get(resident=named.resident)
    assert consent.method == Consent.Method.PAPER and consent.taken_by == world["user"]
    stroke = Conversation.objects.get(concerns__startswith="Since her stroke")
    assert stroke.resident is None and stroke.name_withheld and stroke.special_category
    assert not Resident.objects.filter(full_name="Orla Pendlebury").exists()
    phone = Conversation.objects.get(mode="phone")
    assert phone.lsoa is None
    assert named.versions.get().data["lsoa"] == "E01014463"

    again = upload(
        browser, content, f"again.{kind}", world["organiser"], django_capture_on_commit_callbacks
    )
    assert again.status == ImportBatch.Status.CHECKED and again.already_there_count == 5
    again = confirm(browser, again, django_capture_on_commit_callbacks)
    assert again.created_count == 0 and again.already_there_count == 5
    assert Conversation.objects.count() == 5


def test_identical_rows_in_one_file_are_both_kept_once(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    row = {"date": yesterday(), "postcode": "ZZ1 1AB", "concerns": "Litter"}
    result = imports.check_file(
        content=as_csv([row, row]),
        filename="a.csv",
        host=world["host"],
        organisers=[world["organiser"]],
        default_organiser=world["organiser"],
    )
    assert not result.problems
    assert len({r.client_id for r in result.rows}) == 2
    repeat = imports.check_file(
        content=as_csv([row, row]),
        filename="b.csv",
        host=world["host"],
        organisers=[world["organiser"]],
        default_organiser=world["organiser"],
    )
    assert [r.client_id for r in repeat.rows] == [r.client_id for r in result.rows]


def test_a_failure_part_way_leaves_nothing_behind(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.files.base import ContentFile

    batch = ImportBatch(
        host=world["host"], uploaded_by=world["user"], default_organiser=world["organiser"],
        filename="sheet.csv", sha256="0" * 64,
    )  # fmt: skip
    batch.file.save("sheet.csv", ContentFile(as_csv(good_rows(world["organiser"]))), save=False)
    batch.save()
    imports.import_check(batch=batch)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "_write_consents_and_extras", broken)
    with pytest.raises(RuntimeError):
        imports.import_run(batch=batch, actor=world["user"])
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and "disk full" in batch.message
    assert not Conversation.objects.exists() and not Resident.objects.exists()


def test_unknown_columns_and_a_missing_date_column_are_reported(world: dict[str, Any]) -> None:
    content = b"when,concerns,colour\n2026-01-01,Litter,blue\n"
    result = imports.check_file(
        content=content,
        filename="x.csv",
        host=world["host"],
        organisers=[world["organiser"]],
        default_organiser=world["organiser"],
    )
    columns = {(p.row, p.column) for p in result.problems}
    assert (1, "when") in columns and (1, "colour") in columns and (1, "date") in columns


def test_imported_first_versions_read_like_any_other(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from ..services import conversation_correct, conversation_input_from

    batch = ImportBatch(
        host=world["host"], uploaded_by=world["user"], default_organiser=world["organiser"],
        filename="sheet.csv", sha256="0" * 64,
    )  # fmt: skip
    from django.core.files.base import ContentFile

    batch.file.save("sheet.csv", ContentFile(as_csv(good_rows(world["organiser"])[:1])), save=False)
    batch.save()
    imports.import_check(batch=batch)
    imports.import_run(batch=batch, actor=world["user"])
    conversation = Conversation.objects.get()
    data = conversation_input_from(conversation)
    data.concerns = "Flytipping by the garages, every week"
    data.postcode = "ZZ1 1AB"
    conversation_correct(actor=world["user"], conversation=conversation, data=data, reason="More")
    first, second = conversation.versions.order_by("number")
    assert set(first.data) == set(second.data)
    assert {key for key in first.data if first.data[key] != second.data[key]} == {"concerns"}


def test_import_checks_again_when_the_checked_rows_are_gone(world: dict[str, Any]) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    batch = ImportBatch(
        host=world["host"], uploaded_by=world["user"], default_organiser=world["organiser"],
        filename="sheet.csv", sha256="0" * 64,
    )  # fmt: skip
    batch.file.save("sheet.csv", ContentFile(as_csv(good_rows(world["organiser"]))), save=False)
    batch.save()
    imports.import_check(batch=batch)
    checked = imports._checked_path(batch)
    assert default_storage.exists(checked)
    default_storage.delete(checked)
    imports.import_run(batch=batch, actor=world["user"])
    assert Conversation.objects.count() == 5
    assert not default_storage.exists(checked) and not batch.file
