"""Checking what an applicant uploads before it is kept.

The file name's extension is a claim; the first bytes are evidence. A file is accepted only when
both agree on a type we allow, so a renamed executable or an HTML page called ``budget.pdf`` is
refused. Office files are zip archives: the archive must hold the part that makes it that kind of
document.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath
from typing import IO

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from commonground.core.uploads import looks_like_text

from .models import ALLOWED_ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES

_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
}
_ZIP_PARTS = {
    ".docx": "word/document.xml",
    ".xlsx": "xl/workbook.xml",
    ".odt": "content.xml",
    ".ods": "content.xml",
}
_OPEN_DOCUMENT_TYPES = {
    ".odt": b"application/vnd.oasis.opendocument.text",
    ".ods": b"application/vnd.oasis.opendocument.spreadsheet",
}


def allowed_extensions_text() -> str:
    return ", ".join(
        sorted({extension.lstrip(".").upper() for extension in ALLOWED_ATTACHMENT_TYPES})
    )


def _zip_holds(stream: IO[bytes], extension: str) -> bool:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if _ZIP_PARTS[extension] not in names:
                return False
            if extension in _OPEN_DOCUMENT_TYPES:
                return archive.read("mimetype").strip() == _OPEN_DOCUMENT_TYPES[extension]
            return True
    except (zipfile.BadZipFile, KeyError, OSError):
        return False


def check_upload(name: str, stream: IO[bytes], size: int) -> str:
    """The content type to store and serve, or ValidationError saying what is wrong and what is allowed.

    ``stream`` is read from its start and rewound afterwards.
    """
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationError(
            _("%(name)s is not a type of file we accept. Upload one of: %(types)s.")
            % {"name": name, "types": allowed_extensions_text()},
            code="type",
        )
    if size <= 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("%(name)s is %(size)s; files must be %(limit)s or smaller.")
            % {
                "name": name,
                "size": filesizeformat(size),
                "limit": filesizeformat(MAX_ATTACHMENT_BYTES),
            },
            code="size",
        )
    stream.seek(0)
    head = stream.read(4096)
    stream.seek(0)
    if extension in {".csv", ".txt"}:
        matches = looks_like_text(head)
    else:
        matches = any(head.startswith(signature) for signature in _SIGNATURES[extension])
        if matches and extension in _ZIP_PARTS:
            matches = _zip_holds(stream, extension)
            stream.seek(0)
    if not matches:
        raise ValidationError(
            _(
                "%(name)s does not contain what its name says (%(type)s). Save it again as a "
                "%(type)s file and upload that."
            )
            % {"name": name, "type": extension.lstrip(".").upper()},
            code="content",
        )
    return ALLOWED_ATTACHMENT_TYPES[extension]
