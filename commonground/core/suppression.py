"""Small-number suppression for figures shown outside the organisation that holds the records.

Counts of 1 to 4 could identify a resident in a small area, so they are shown as "fewer than 5".
Zero is safe to show: it identifies no one.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

SUPPRESSION_THRESHOLD = 5


def is_suppressed(count: int) -> bool:
    return 0 < count < SUPPRESSION_THRESHOLD


def suppressed_count(count: int) -> int | None:
    """The count, or None where it must not be published."""
    return None if is_suppressed(count) else count


def display_count(count: int, *, suppress: bool = True) -> str:
    if suppress and is_suppressed(count):
        return _("fewer than 5")
    return f"{count:,}"
