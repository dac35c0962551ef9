"""What residents told organisers, per LSOA, for the planner's theme bonus and explanations.

This is the hook where the insight app's area evidence comes in. Until insight provides per-LSOA
theme counts it returns nothing, and the planner says so ("no themes heard are recorded yet")
instead of pretending every area is silent.
"""

from __future__ import annotations

from collections.abc import Collection


def themes_heard_by_lsoa(
    *, authority_code: str, lsoa_codes: Collection[str] | None = None
) -> dict[str, dict[str, int]]:
    """Conversations that raised each theme, per LSOA: {lsoa_code: {theme name: count}}.

    Contract for the provider: counts are of conversations recorded in the LSOA (not of residents),
    over all time, for themes confirmed by review; LSOAs with no conversations are left out;
    `lsoa_codes`, when given, limits the answer to those LSOAs. Counts are shown to planners
    through small-number suppression, so raw counts are fine here.
    """
    return {}
