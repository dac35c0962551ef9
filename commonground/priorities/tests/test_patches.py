from __future__ import annotations

from itertools import combinations

import pytest

from commonground.priorities.need import LsoaRecord, NeedWeights, compute_need
from commonground.priorities.patches import (
    PopulationRange,
    PopulationRangeError,
    connected_subsets,
    enumerate_candidates,
)
from commonground.priorities.tests.support import BANES, connected_cluster, induced, is_connected


def every_connected_subset(
    adjacency: dict[str, frozenset[str]], codes: list[str], max_size: int
) -> set[tuple[str, ...]]:
    return {
        tuple(sorted(group))
        for size in range(1, max_size + 1)
        for group in combinations(codes, size)
        if is_connected(list(group), adjacency)
    }


@pytest.fixture(scope="module")
def banes_cluster(adjacency: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    return induced(adjacency, connected_cluster(adjacency, "E01014463", 18))


def test_enumeration_matches_exhaustive_search_without_duplicates(
    banes_cluster: dict[str, frozenset[str]],
) -> None:
    codes = sorted(banes_cluster)
    neighbours = [sorted(codes.index(n) for n in banes_cluster[code]) for code in codes]
    found = [tuple(codes[i] for i in subset) for subset in connected_subsets(neighbours, 4)]
    assert len(found) == len(set(found))
    assert set(found) == every_connected_subset(banes_cluster, codes, 4)
    assert len(found) > 100


def test_weight_limit_prunes_only_sets_that_are_too_heavy(
    banes_cluster: dict[str, frozenset[str]], records: list[LsoaRecord]
) -> None:
    population = {record.code: record.population for record in records}
    codes = sorted(banes_cluster)
    neighbours = [sorted(codes.index(n) for n in banes_cluster[code]) for code in codes]
    weights = [population[code] for code in codes]
    found = {
        tuple(codes[i] for i in subset)
        for subset in connected_subsets(neighbours, 4, weights, max_weight=3_000)
    }
    expected = {
        group
        for group in every_connected_subset(banes_cluster, codes, 4)
        if sum(population[code] for code in group) <= 3_000
    }
    assert found == expected


def test_candidates_are_connected_within_range_and_unique(
    adjacency: dict[str, frozenset[str]], records: list[LsoaRecord]
) -> None:
    banes = [record for record in records if record.authority_code == BANES]
    needs = compute_need(banes, NeedWeights())
    population = {record.code: record.population for record in banes}
    candidates = enumerate_candidates(adjacency, population, needs, PopulationRange(2_000, 3_000))
    assert len(candidates) > 50
    assert len({c.lsoas for c in candidates}) == len(candidates)
    for candidate in candidates:
        assert 1 <= len(candidate.lsoas) <= 4
        assert 2_000 <= candidate.population <= 3_000
        assert candidate.population == sum(population[code] for code in candidate.lsoas)
        assert candidate.need == pytest.approx(sum(needs[code] for code in candidate.lsoas))
        assert is_connected(list(candidate.lsoas), adjacency)


def test_lsoas_without_need_are_neither_in_nor_bridging_a_patch(
    adjacency: dict[str, frozenset[str]], records: list[LsoaRecord]
) -> None:
    banes = [record for record in records if record.authority_code == BANES]
    population = {record.code: record.population for record in banes}
    needs = compute_need(banes, NeedWeights())
    removed = "E01014463"
    del needs[removed]
    candidates = enumerate_candidates(adjacency, population, needs, PopulationRange())
    assert all(removed not in candidate.lsoas for candidate in candidates)
    remaining = {code: adjacency[code] - {removed} for code in needs}
    assert all(is_connected(list(c.lsoas), remaining) for c in candidates)


def test_singletons_only_when_patches_hold_one_lsoa(
    adjacency: dict[str, frozenset[str]], records: list[LsoaRecord]
) -> None:
    banes = [record for record in records if record.authority_code == BANES]
    population = {record.code: record.population for record in banes}
    needs = compute_need(banes, NeedWeights())
    candidates = enumerate_candidates(
        adjacency, population, needs, PopulationRange(2_000, 3_000), max_lsoas=1
    )
    assert {c.lsoas[0] for c in candidates} == {
        code for code, people in population.items() if 2_000 <= people <= 3_000
    }


@pytest.mark.parametrize(
    ("minimum", "maximum", "message"),
    [
        (3_000, 2_000, "wrong way round"),
        (0, 0, "range is empty"),
        (-5, 100, "cannot be negative"),
    ],
)
def test_bad_population_ranges_are_explained(minimum: int, maximum: int, message: str) -> None:
    with pytest.raises(PopulationRangeError, match=message):
        PopulationRange(minimum, maximum)


def test_population_range_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"smallest patch \(3,000\) is larger than the largest"):
        PopulationRange(3_000, 2_000)
