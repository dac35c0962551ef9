"""Checks shared by every upload: what a file's first bytes say it is, whatever its name says."""

from __future__ import annotations


def looks_like_text(head: bytes) -> bool:
    """Whether the first bytes of a file read as text (UTF-8 or Windows-1252), not as a program."""
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is still text.
            if encoding == "utf-8" and error.start >= len(head) - 3:
                return True
            continue
        return True
    return False
