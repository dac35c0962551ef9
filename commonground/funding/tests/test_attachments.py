"""Uploads are checked by content, kept outside the web root, and served only after a permission check."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from commonground.accounts.models import Role
from commonground.funding.attachments import check_upload
from commonground.funding.models import MAX_ATTACHMENT_BYTES, Application, Attachment
from commonground.programme.tests.factories import OrganisationFactory

from .factories import ApplicationFactory, AssignmentFactory

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("budget.pdf", PDF, "application/pdf"),
        (
            "plan.docx",
            _docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("costs.csv", "item,£\nHire,120\n".encode(), "text/csv"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image/png"),
    ],
)
def test_files_that_are_what_they_say_are_accepted(
    name: str, content: bytes, expected: str
) -> None:
    assert check_upload(name, io.BytesIO(content), len(content)) == expected


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("budget.exe", b"MZ\x90\x00", "type"),
        ("budget.pdf", b"<html><script>alert(1)</script></html>", "content"),
        ("plan.docx", b"PK\x03\x04not really a zip", "content"),
        ("notes.txt", b"\x00\x01\x02binary", "content"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_files_that_are_not_what_they_say_are_refused(name: str, content: bytes, code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        check_upload(name, io.BytesIO(content), len(content))
    assert refused.value.code == code


def test_large_files_are_refused_before_reading() -> None:
    with pytest.raises(ValidationError) as refused:
        check_upload("big.pdf", io.BytesIO(PDF), MAX_ATTACHMENT_BYTES + 1)
    assert refused.value.code == "size"


@pytest.mark.django_db
def test_upload_is_stored_privately_and_served_only_to_those_who_may_see_it(
    make_user: Callable[..., Any], signed_in: Callable[..., Client], private_files: Path
) -> None:
    application = ApplicationFactory(status=Application.Status.DRAFT, reference=None)
    manager = make_user(Role.HOST_MANAGER, application.applicant)
    client = signed_in(manager)
    refused = client.post(
        f"/funding/applications/{application.public_id}/files/new/",
        {"kind": "budget", "file": SimpleUploadedFile("budget.pdf", b"<html></html>")},
    )
    assert refused.status_code == 200
    assert "does not contain what its name says" in refused.content.decode()
    assert not Attachment.objects.exists()

    response = client.post(
        f"/funding/applications/{application.public_id}/files/new/",
        {"kind": "budget", "file": SimpleUploadedFile("Budget 2027.pdf", PDF)},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    stored = Path(attachment.file.path)
    assert stored.is_file() and stored.read_bytes() == PDF
    assert stored.is_relative_to(private_files)
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert "Budget" not in stored.name  # the applicant's file name is never a path
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)

    download = client.get(attachment.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"

    stranger = make_user(Role.HOST_MANAGER, OrganisationFactory())
    assert signed_in(stranger).get(attachment.get_absolute_url()).status_code == 403
    assessor = make_user(Role.FORUM_MEMBER, OrganisationFactory())
    assignment = AssignmentFactory(application=application, assessor=assessor)
    assert signed_in(assessor).get(attachment.get_absolute_url()).status_code == 200
    assignment.interest = "conflict"
    assignment.save()
    assert signed_in(assessor).get(attachment.get_absolute_url()).status_code == 403
