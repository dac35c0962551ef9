"""Whose voices a theme carries: lift and a significance test for each cell of a cross-tab.

A forum looking at "who said it" needs two things per cell (a group of residents against a theme):
how much more or less often the group raised the theme than everyone did (the lift), and whether
that difference is more than chance in numbers this small. The test is Fisher's exact test on the
2x2 table (in the group or not, raised the theme or not), which stays honest at the small counts
neighbourhood work produces. Many cells are tested at once, so p-values are adjusted with the
Benjamini-Hochberg procedure before a cell is called significant.

Plain Python and SciPy; nothing here knows about Django or suppression.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

SIGNIFICANCE_LEVEL = 0.05
RELATIVE_TIE = 1e-7


@dataclass(frozen=True)
class CellTest:
    group: str
    theme: str
    count: int
    group_size: int
    theme_total: int
    total: int
    lift: float | None
    p_value: float
    adjusted_p: float

    @property
    def significant(self) -> bool:
        return self.adjusted_p < SIGNIFICANCE_LEVEL

    @property
    def share_in_group(self) -> float | None:
        return self.count / self.group_size if self.group_size else None


@functools.lru_cache(maxsize=50_000)  # a pure function of four counts; area pages repeat tables
def fisher_p(in_both: int, group_only: int, theme_only: int, neither: int) -> float:
    """Two-sided Fisher exact p-value for a 2x2 table; 1.0 when a margin is empty.

    Sums the hypergeometric probabilities of every table with the same margins that is no more
    likely than the one observed (the usual two-sided definition, with the same small relative
    tolerance for ties as SciPy). Worked in logarithms over the whole support at once, which is
    far faster than ``scipy.stats.fisher_exact``; it matters because an area page tests a hundred
    cells.
    """
    if min(in_both, group_only, theme_only, neither) < 0:
        raise ValueError("A 2x2 table cannot hold a negative count.")
    in_group = in_both + group_only
    outside = theme_only + neither
    with_theme = in_both + theme_only
    if in_group == 0 or outside == 0 or with_theme == 0 or (group_only + neither) == 0:
        return 1.0
    total = in_group + outside
    low = max(0, with_theme - outside)
    support = np.arange(low, min(in_group, with_theme) + 1)
    log_probabilities = (
        gammaln(in_group + 1)
        + gammaln(outside + 1)
        + gammaln(with_theme + 1)
        + gammaln(total - with_theme + 1)
        - gammaln(total + 1)
        - gammaln(support + 1)
        - gammaln(in_group - support + 1)
        - gammaln(with_theme - support + 1)
        - gammaln(outside - with_theme + support + 1)
    )
    observed = log_probabilities[in_both - low]
    as_extreme = log_probabilities[log_probabilities <= observed + RELATIVE_TIE]
    return float(min(1.0, np.exp(as_extreme).sum()))


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """False-discovery-rate adjusted p-values, in the order given."""
    count = len(p_values)
    if count == 0:
        return []
    order = sorted(range(count), key=lambda index: p_values[index])
    adjusted = [0.0] * count
    running = 1.0
    for rank in range(count, 0, -1):
        index = order[rank - 1]
        running = min(running, p_values[index] * count / rank)
        adjusted[index] = min(1.0, running)
    return adjusted


def cross_tab(
    *,
    group_sizes: Mapping[str, int],
    counts: Mapping[tuple[str, str], int],
    theme_totals: Mapping[str, int],
    total: int,
) -> list[CellTest]:
    """Every group x theme cell with its lift over everyone and its adjusted p-value.

    ``group_sizes`` are respondents per group, ``counts`` respondents per (group, theme),
    ``theme_totals`` respondents per theme over all groups and ``total`` all respondents. A group
    is compared with everyone outside it, so groups need not cover everyone (e.g. "prefer not to
    say" left out).
    """
    raw: list[tuple[str, str, int, int, int, float | None, float]] = []
    for group, size in group_sizes.items():
        for theme, theme_total in theme_totals.items():
            count = counts.get((group, theme), 0)
            if count > size or count > theme_total or size > total or theme_total > total:
                raise ValueError(f"Inconsistent counts for {group!r} and {theme!r}.")
            overall = theme_total / total if total else 0.0
            lift = (count / size) / overall if size and overall else None
            p_value = fisher_p(
                count,
                size - count,
                theme_total - count,
                total - size - (theme_total - count),
            )
            raw.append((group, theme, count, size, theme_total, lift, p_value))
    adjusted = benjamini_hochberg([row[6] for row in raw])
    return [
        CellTest(
            group=group,
            theme=theme,
            count=count,
            group_size=size,
            theme_total=theme_total,
            total=total,
            lift=lift,
            p_value=p_value,
            adjusted_p=adjusted_p,
        )
        for (group, theme, count, size, theme_total, lift, p_value), adjusted_p in zip(
            raw, adjusted, strict=True
        )
    ]


@dataclass(frozen=True)
class Comparison:
    """An area's share of a theme against the rest of its authority."""

    area_count: int
    area_total: int
    authority_count: int
    authority_total: int
    lift: float | None
    p_value: float


def compare_with_authority(
    *, area_count: int, area_total: int, authority_count: int, authority_total: int
) -> Comparison:
    """Lift is the area's share over the authority's; the test sets the area against the rest."""
    rest_count = authority_count - area_count
    rest_total = authority_total - area_total
    if rest_count < 0 or rest_total < 0 or area_count > area_total:
        raise ValueError("The area's counts must be part of its authority's.")
    authority_share = authority_count / authority_total if authority_total else 0.0
    lift = (area_count / area_total) / authority_share if area_total and authority_share else None
    p_value = fisher_p(area_count, area_total - area_count, rest_count, rest_total - rest_count)
    return Comparison(area_count, area_total, authority_count, authority_total, lift, p_value)
