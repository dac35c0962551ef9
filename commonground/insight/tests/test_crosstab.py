from __future__ import annotations

import random

import pytest
from scipy.stats import fisher_exact

from commonground.insight.crosstab import (
    benjamini_hochberg,
    compare_with_authority,
    cross_tab,
    fisher_p,
)


def test_fisher_matches_scipy_and_handles_empty_margins() -> None:
    assert fisher_p(8, 2, 1, 5) == pytest.approx(fisher_exact([[8, 2], [1, 5]])[1])
    generator = random.Random(3)
    for _ in range(300):
        table = [generator.randint(0, 60) for _ in range(4)]
        if generator.random() < 0.3:
            table = [value * 40 for value in table]
        if 0 in (
            table[0] + table[1],
            table[2] + table[3],
            table[0] + table[2],
            table[1] + table[3],
        ):
            continue
        expected = fisher_exact([[table[0], table[1]], [table[2], table[3]]])[1]
        assert fisher_p(*table) == pytest.approx(expected, rel=1e-6, abs=1e-12), table
    assert fisher_p(0, 0, 3, 7) == 1.0
    with pytest.raises(ValueError):
        fisher_p(-1, 2, 3, 4)


def test_benjamini_hochberg_known_values() -> None:
    # Worked example: p = 0.01, 0.04, 0.03, 0.005 over 4 tests.
    adjusted = benjamini_hochberg([0.01, 0.04, 0.03, 0.005])
    assert adjusted == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert benjamini_hochberg([]) == []


def test_cross_tab_lift_and_significance() -> None:
    # 100 residents; 40 young, 60 older. Youth provision raised by 30 young and 6 older.
    cells = cross_tab(
        group_sizes={"young": 40, "older": 60},
        counts={
            ("young", "youth"): 30,
            ("older", "youth"): 6,
            ("young", "bins"): 8,
            ("older", "bins"): 12,
        },
        theme_totals={"youth": 36, "bins": 20},
        total=100,
    )
    by_key = {(cell.group, cell.theme): cell for cell in cells}
    young_youth = by_key[("young", "youth")]
    assert young_youth.lift == pytest.approx((30 / 40) / (36 / 100))
    assert young_youth.significant
    older_youth = by_key[("older", "youth")]
    assert older_youth.lift == pytest.approx((6 / 60) / (36 / 100))
    assert older_youth.significant
    bins = by_key[("young", "bins")]
    assert bins.lift == pytest.approx(1.0)
    assert not bins.significant


def test_cross_tab_refuses_inconsistent_counts() -> None:
    with pytest.raises(ValueError):
        cross_tab(group_sizes={"a": 3}, counts={("a", "t"): 4}, theme_totals={"t": 4}, total=10)


def test_compare_with_authority_sets_the_area_against_the_rest() -> None:
    result = compare_with_authority(
        area_count=20, area_total=50, authority_count=60, authority_total=1000
    )
    assert result.lift == pytest.approx((20 / 50) / (60 / 1000))
    assert result.p_value == pytest.approx(fisher_exact([[20, 30], [40, 910]])[1])
    with pytest.raises(ValueError):
        compare_with_authority(area_count=5, area_total=10, authority_count=4, authority_total=100)
