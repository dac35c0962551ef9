"""Uploads are judged by their content and size, kept outside the web root and served after a check.

Each form that takes a file (project photos, grant application papers, listening imports) is sent
an oversized file, a program renamed to an allowed name, an HTML page renamed likewise and an SVG
carrying a script; each is refused with a message that says what is wrong, and nothing is kept.
A kept file lives under its private folder, never under the static or media roots, and another
organisation asking for it by its address is refused.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from commonground.accounts.testing import verified_client
from commonground.action.attachments import MAX_PHOTO_BYTES
from commonground.action.models import Project, ProjectPhoto
from commonground.funding.models import MAX_ATTACHMENT_BYTES, Application, Attachment
from commonground.listening.models import ImportBatch

from .conftest import Worlds

pytestmark = pytest.mark.django_db

WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
HTML_PAGE = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def _errors(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- project photos ------------------------------------------------------------------------------


def _bath_project() -> Project:
    return Project.objects.filter(host__slug="regen-bath").order_by("pk").first()


def _send_photo(worlds: Worlds, name: str, content: bytes) -> Any:
    project = _bath_project()
    client = verified_client(worlds.bath["host.manager"])
    return client.post(
        reverse("action:photo_add", kwargs={"slug": project.slug}),
        {
            "photo": SimpleUploadedFile(name, content),
            "caption": "Clean-up day",
            "alt_text": "Volunteers with litter pickers",
            "everyone_agreed": "on",
        },
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * MAX_PHOTO_BYTES, "the most we keep is 5"),
        ("park.jpg", WINDOWS_PROGRAM, "not really a JPG image"),
        ("park.png", HTML_PAGE, "not really a PNG image"),
        ("park.svg", SVG_WITH_SCRIPT, "Photos must be"),
        ("park.png", SVG_WITH_SCRIPT, "not really a PNG image"),
    ],
)
def test_a_photo_that_is_not_what_it_claims_is_refused(
    worlds: Worlds, name: str, content: bytes, message: str
) -> None:
    before = ProjectPhoto.objects.count()
    page = _errors(_send_photo(worlds, name, content))
    assert message in page
    assert ProjectPhoto.objects.count() == before


def test_a_photo_is_kept_privately_and_only_its_organisation_may_fetch_it(worlds: Worlds) -> None:
    response = _send_photo(worlds, "park.png", _png())
    assert response.status_code == 302
    photo = ProjectPhoto.objects.filter(project=_bath_project()).latest("created_at")
    stored = Path(photo.file.path).resolve()
    assert stored.is_relative_to(Path(settings.ACTION_PRIVATE_ROOT).resolve())
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    url = reverse("action:photo", kwargs={"public_id": photo.public_id})

    own = verified_client(worlds.bath["host.manager"]).get(url)
    assert own.status_code == 200
    assert own["Content-Type"] == "image/png"
    assert own["X-Content-Type-Options"] == "nosniff"
    for role, member in worlds.exeter.items():
        assert verified_client(member).get(url).status_code in {403, 404}, role


# --- papers attached to grant applications ----------------------------------------------------


def _bath_draft() -> Application:
    return Application.objects.get(
        status=Application.Status.DRAFT, round__fund__council__slug="banes-council"
    )


def _send_paper(name: str, content: bytes) -> Any:
    draft = _bath_draft()
    return verified_client(draft.created_by).post(
        reverse("funding:attachment_add", kwargs={"public_id": draft.public_id}),
        {"kind": Attachment.Kind.BUDGET, "file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("budget.pdf", b"%PDF-1.4\n" + b"0" * MAX_ATTACHMENT_BYTES, "files must be"),
        ("budget.pdf", WINDOWS_PROGRAM, "does not contain what its name says"),
        ("budget.exe", WINDOWS_PROGRAM, "is not a type of file we accept"),
        ("budget.pdf", HTML_PAGE, "does not contain what its name says"),
        ("budget.html", HTML_PAGE, "is not a type of file we accept"),
        ("plan.svg", SVG_WITH_SCRIPT, "is not a type of file we accept"),
        ("plan.png", SVG_WITH_SCRIPT, "does not contain what its name says"),
    ],
)
def test_a_paper_that_is_not_what_it_claims_is_refused(
    worlds: Worlds, name: str, content: bytes, message: str
) -> None:
    before = Attachment.objects.count()
    page = _errors(_send_paper(name, content))
    assert message in page
    assert Attachment.objects.count() == before


def test_a_paper_is_kept_privately_and_another_organisation_cannot_fetch_it(
    worlds: Worlds,
) -> None:
    paper = Attachment.objects.get(application=_bath_draft())
    stored = Path(paper.file.path).resolve()
    assert stored.is_relative_to(Path(settings.FUNDING_PRIVATE_ROOT).resolve())
    url = reverse("funding:attachment_download", kwargs={"public_id": paper.public_id})

    own = verified_client(_bath_draft().created_by).get(url)
    assert own.status_code == 200
    assert own["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert own["Content-Disposition"].startswith("attachment")
    for role, member in worlds.exeter.items():
        assert verified_client(member).get(url).status_code in {403, 404}, role


# --- listening imports -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("sheets.xlsx", WINDOWS_PROGRAM, "does not contain what its name says"),
        ("sheets.csv", WINDOWS_PROGRAM, "does not contain what its name says"),
        ("sheets.xlsx", HTML_PAGE, "does not contain what its name says"),
        ("sheets.svg", SVG_WITH_SCRIPT, "must be a .csv or .xlsx"),
        ("sheets.exe", WINDOWS_PROGRAM, "must be a .csv or .xlsx"),
    ],
)
def test_an_import_that_is_not_a_spreadsheet_is_refused(
    worlds: Worlds, name: str, content: bytes, message: str
) -> None:
    before = ImportBatch.objects.count()
    client = verified_client(worlds.bath["host.manager"])
    page = _errors(
        client.post(
            reverse("listening:import_list"),
            {"file": SimpleUploadedFile(name, content), "from_paper": "on"},
        )
    )
    assert message in page
    assert ImportBatch.objects.count() == before


def test_an_oversized_import_is_refused(worlds: Worlds) -> None:
    from commonground.listening.forms import ImportForm

    upload = SimpleUploadedFile("sheets.csv", b"a,b\n")
    upload.size = 50 * 1024 * 1024 + 1
    form = ImportForm(data={}, files={"file": upload}, organisers=_organisers())
    assert not form.is_valid()
    assert "larger than 50 MB" in str(form.errors["file"])


def _organisers() -> Any:
    from commonground.programme.models import Organiser

    return Organiser.objects.filter(host__slug="regen-bath")
