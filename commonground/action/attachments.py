"""Checking a project photo before it is kept.

The file name's extension is a claim; the first bytes are evidence; decoding the image is proof. A
photo is kept only when all three agree on JPEG, PNG or WebP and it is no bigger than the limit, so a
renamed document or a page of HTML called ``park.jpg`` is refused with a reason.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import IO

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_PHOTO_BYTES = 5 * 1024 * 1024

PHOTO_TYPES: dict[str, tuple[str, str]] = {
    # extension: (content type, Pillow format name)
    ".jpg": ("image/jpeg", "JPEG"),
    ".jpeg": ("image/jpeg", "JPEG"),
    ".png": ("image/png", "PNG"),
    ".webp": ("image/webp", "WEBP"),
}


def _signature_matches(extension: str, head: bytes) -> bool:
    if extension in {".jpg", ".jpeg"}:
        return head.startswith(b"\xff\xd8\xff")
    if extension == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension == ".webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return False


def check_photo(name: str, stream: IO[bytes], size: int) -> tuple[str, str]:
    """(content type, extension) to store, or ValidationError saying what is wrong and what is allowed.

    ``stream`` is read from its start and rewound afterwards.
    """
    allowed = ", ".join(sorted({ext.lstrip(".").upper() for ext in PHOTO_TYPES}))
    extension = PurePath(name).suffix.lower()
    if extension not in PHOTO_TYPES:
        raise ValidationError(
            {"photo": _("Photos must be %(allowed)s files.") % {"allowed": allowed}}
        )
    if size <= 0:
        raise ValidationError({"photo": _("The file is empty.")})
    if size > MAX_PHOTO_BYTES:
        raise ValidationError(
            {
                "photo": _("The photo is %(size)s; the most we keep is %(limit)s.")
                % {"size": filesizeformat(size), "limit": filesizeformat(MAX_PHOTO_BYTES)}
            }
        )
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    if not _signature_matches(extension, head):
        raise ValidationError(
            {
                "photo": _("The file is not really a %(kind)s image.")
                % {"kind": extension[1:].upper()}
            }
        )
    content_type, pillow_format = PHOTO_TYPES[extension]
    try:
        from PIL import Image

        with Image.open(stream) as image:
            found = image.format
            image.verify()
    except Exception as error:  # Pillow raises many kinds for a broken file
        raise ValidationError(
            {"photo": _("The image could not be read; it may be damaged.")}
        ) from error
    finally:
        stream.seek(0)
    if found != pillow_format:
        raise ValidationError(
            {
                "photo": _("The file is not really a %(kind)s image.")
                % {"kind": extension[1:].upper()}
            }
        )
    return content_type, ".jpg" if extension == ".jpeg" else extension
