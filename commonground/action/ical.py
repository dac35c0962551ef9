"""Forum meetings as an iCalendar (RFC 5545) feed that calendar apps can subscribe to."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.utils import timezone

from .models import Meeting

PRODUCT = "-//Common Ground//Forum meetings//EN"


def escape(text: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and line breaks."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets, continuing with a space, without splitting a character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = b""
    limit = 75
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
            limit = 74
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(*, name: str, meetings: Iterable[Meeting], base_url: str) -> str:
    stamp = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for meeting in meetings:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{meeting.public_id}@commonground",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(meeting.starts_at)}",
            f"DTEND:{_utc(meeting.ends_at)}",
            f"SUMMARY:{escape(str(meeting.forum.name))}",
            f"LOCATION:{escape(meeting.place)}",
            f"URL:{base_url.rstrip('/')}{meeting.get_absolute_url()}",
            f"STATUS:{'CONFIRMED' if meeting.status != Meeting.Status.CANCELLED else 'CANCELLED'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
