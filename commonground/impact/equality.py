"""Equality reach: who was listened to, beside who lives in the area, without identifying anyone.

Published figures are aggregates with small numbers suppressed. Suppressing a single cell is not
enough when the total is also shown: the hidden count is the total minus the others. So when exactly
one cell in a table is hidden, the next smallest is hidden too (secondary suppression), and a share
is never shown for a hidden count.

The population side comes from open data the project carries: the mid-2017 population of each LSOA
and its IMD 2019 decile. The equality questions' age bands (under 18, 18 to 24, ...) do not line up
with the age groups published for LSOAs (0-15, 16-59, 60 and over), so age, ethnicity, sex,
disability and caring are shown for those listened to only, and the comparison with the population
is by how deprived the places they live in are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from commonground.core.suppression import SUPPRESSION_THRESHOLD


def suppress(
    counts: Mapping[str, int], *, threshold: int = SUPPRESSION_THRESHOLD
) -> dict[str, int | None]:
    """Counts with 1 to ``threshold - 1`` replaced by ``None``, plus one more if only one was hidden.

    Zero is published: it identifies no one.
    """
    shown: dict[str, int | None] = {
        key: (None if 0 < value < threshold else value) for key, value in counts.items()
    }
    hidden = [key for key, value in shown.items() if value is None]
    if len(hidden) == 1:
        remaining = sorted(
            (value, key) for key, value in shown.items() if value is not None and value > 0
        )
        if remaining:
            shown[remaining[0][1]] = None
    return shown


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int | None
    share: float | None


def distribution(
    counts: Mapping[str, int], choices: Iterable[tuple[str, str]]
) -> tuple[int, list[Row]]:
    """Rows in the order of ``choices`` with suppressed counts, and shares of everyone answering."""
    ordered = [(key, label) for key, label in choices]
    raw = {key: int(counts.get(key, 0)) for key, _label in ordered}
    total = sum(raw.values())
    shown = suppress(raw)
    rows = [
        Row(
            key=key,
            label=label,
            count=shown[key],
            share=None if shown[key] is None or total == 0 else raw[key] / total,
        )
        for key, label in ordered
    ]
    return total, rows


DEPRIVATION_GROUPS: tuple[tuple[str, Any, tuple[int, ...]], ...] = (
    ("1-2", _("Most deprived fifth (IMD deciles 1–2)"), (1, 2)),
    ("3-4", _("IMD deciles 3–4"), (3, 4)),
    ("5-6", _("IMD deciles 5–6"), (5, 6)),
    ("7-8", _("IMD deciles 7–8"), (7, 8)),
    ("9-10", _("Least deprived fifth (IMD deciles 9–10)"), (9, 10)),
)


@dataclass(frozen=True)
class ReachRow:
    key: str
    label: str
    listened: int | None
    listened_share: float | None
    population: int
    population_share: float | None

    @property
    def ratio(self) -> float | None:
        """1.0 means residents of these places were listened to in proportion to where people live."""
        if self.listened_share is None or not self.population_share:
            return None
        return self.listened_share / self.population_share


def deprivation_reach(
    *,
    listened_by_lsoa: Mapping[str, int],
    lsoa_profile: Mapping[str, tuple[int, int]],
) -> tuple[int, list[ReachRow]]:
    """Residents listened to and residents living there, by how deprived their LSOA is.

    ``listened_by_lsoa``: LSOA code -> residents listened to there. ``lsoa_profile``: LSOA code ->
    (IMD decile, population) for the area the figures are compared with. Residents listened to in
    LSOAs outside that area count in neither column.
    """
    listened = dict.fromkeys((key for key, _l, _d in DEPRIVATION_GROUPS), 0)
    population = dict.fromkeys(listened, 0)
    group_of_decile = {
        decile: key for key, _label, deciles in DEPRIVATION_GROUPS for decile in deciles
    }
    for code, (decile, people) in lsoa_profile.items():
        group = group_of_decile[decile]
        population[group] += people
        listened[group] += int(listened_by_lsoa.get(code, 0))
    total_listened = sum(listened.values())
    total_population = sum(population.values())
    shown = suppress(listened)
    rows = [
        ReachRow(
            key=key,
            label=str(label),
            listened=shown[key],
            listened_share=(
                None
                if shown[key] is None or total_listened == 0
                else listened[key] / total_listened
            ),
            population=population[key],
            population_share=population[key] / total_population if total_population else None,
        )
        for key, label, _deciles in DEPRIVATION_GROUPS
    ]
    return total_listened, rows
