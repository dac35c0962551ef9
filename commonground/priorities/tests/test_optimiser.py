from __future__ import annotations

import dataclasses
import math
import random

import pytest

from commonground.priorities.need import (
    IMD_DOMAIN_WEIGHTS,
    CoveredPolicy,
    Domain,
    DomainScale,
    LsoaRecord,
    NeedWeights,
    compute_need,
)
from commonground.priorities.optimiser import (
    OrganiserCountError,
    PlanResult,
    SolveProgress,
    SolveStatus,
    TooManyOrganisersError,
    UnknownAuthorityError,
    brute_force_packing,
    greedy_packing,
    plan_patches,
    prune_candidates,
    solve_patch_packing,
    spreadsheet_baseline,
)
from commonground.priorities.patches import (
    CandidatePatch,
    PopulationRange,
    enumerate_candidates,
)
from commonground.priorities.tests.support import (
    BANES,
    EXETER,
    connected_cluster,
    induced,
    is_connected,
)

WEIGHTINGS = {
    "imd": NeedWeights(),
    "health and income": NeedWeights(
        domain_weights={Domain.HEALTH: 2.0, Domain.INCOME: 1.0, Domain.IDAOPI: 1.0},
        domain_scale=DomainScale.LINEAR,
    ),
}


def assert_valid_plan(
    plan: PlanResult,
    records: list[LsoaRecord],
    adjacency: dict[str, frozenset[str]],
    population_range: PopulationRange,
) -> None:
    population = {record.code: record.population for record in records}
    assert len(plan.patches) == plan.organisers
    used: set[str] = set()
    for patch in plan.patches:
        assert is_connected(list(patch.lsoas), adjacency)
        assert population_range.minimum <= patch.population <= population_range.maximum
        assert patch.population == sum(population[code] for code in patch.lsoas)
        assert used.isdisjoint(patch.lsoas)
        used.update(patch.lsoas)
    assert plan.objective == pytest.approx(sum(patch.need for patch in plan.patches), rel=1e-9)


@pytest.mark.parametrize(
    ("authority", "organisers"), [(BANES, 5), (BANES, 10), (EXETER, 3), (EXETER, 10)]
)
@pytest.mark.parametrize("weighting", sorted(WEIGHTINGS))
def test_plans_are_valid_optimal_and_beat_the_spreadsheet(
    records: list[LsoaRecord],
    adjacency: dict[str, frozenset[str]],
    authority: str,
    organisers: int,
    weighting: str,
) -> None:
    weights = WEIGHTINGS[weighting]
    plan = plan_patches(
        records, adjacency, organisers=organisers, authority_code=authority, weights=weights
    )
    assert plan.status is SolveStatus.OPTIMAL
    assert plan.mip_gap <= 1e-9
    assert plan.candidate_count > 50
    assert_valid_plan(plan, records, adjacency, PopulationRange())
    assert all(code.startswith("E01") for patch in plan.patches for code in patch.lsoas)
    local = {r.code for r in records if r.authority_code == authority}
    assert all(set(patch.lsoas) <= local for patch in plan.patches)

    baseline = spreadsheet_baseline(
        records, adjacency, organisers=organisers, authority_code=authority, weights=weights
    )
    assert len(baseline.patches) == organisers
    assert baseline.objective <= plan.objective * (1 + 1e-9)
    used: set[str] = set()
    for patch in baseline.patches:
        assert is_connected(list(patch.lsoas), adjacency)
        assert 2_000 <= patch.population <= 3_000
        assert used.isdisjoint(patch.lsoas)
        used.update(patch.lsoas)


def test_spreadsheet_starts_from_the_most_deprived_lsoa_that_can_form_a_patch(
    records: list[LsoaRecord], adjacency: dict[str, frozenset[str]]
) -> None:
    banes = {r.code: r for r in records if r.authority_code == BANES}

    def fitting_neighbours(seed: LsoaRecord) -> list[LsoaRecord]:
        return [
            banes[code]
            for code in adjacency[seed.code]
            if seed.population + banes[code].population <= 3_000
        ]

    seeds = sorted(banes.values(), key=lambda r: r.imd_rank)
    first_seed = next(r for r in seeds if 2_000 <= r.population <= 3_000 or fitting_neighbours(r))
    baseline = spreadsheet_baseline(records, adjacency, organisers=3, authority_code=BANES)
    first = baseline.patches[0]
    assert first_seed.code in first.lsoas
    if first_seed.population < 2_000:
        partner = min(fitting_neighbours(first_seed), key=lambda r: r.imd_rank)
        assert partner.code in first.lsoas
    passed_over = seeds[: seeds.index(first_seed)]
    assert all(r.code not in patch.lsoas for r in passed_over for patch in baseline.patches)
    assert baseline.seeds_skipped >= len(passed_over)


def test_the_optimum_covers_more_need_than_the_spreadsheet_somewhere(
    records: list[LsoaRecord], adjacency: dict[str, frozenset[str]]
) -> None:
    plan = plan_patches(records, adjacency, organisers=5, authority_code=BANES)
    baseline = spreadsheet_baseline(records, adjacency, organisers=5, authority_code=BANES)
    assert plan.objective > baseline.objective


@pytest.fixture(scope="module")
def small_instances(
    records: list[LsoaRecord], adjacency: dict[str, frozenset[str]]
) -> dict[str, list[CandidatePatch]]:
    """Candidates on two connected clusters of 18 real LSOAs around deprived places."""
    population = {r.code: r.population for r in records}
    instances = {}
    for label, start, population_range in [
        ("banes default range", "E01014463", PopulationRange()),
        ("banes wide range", "E01014463", PopulationRange(1_500, 5_000)),
        ("exeter wide range", "E01020016", PopulationRange(1_500, 5_000)),
    ]:
        cluster = induced(adjacency, connected_cluster(adjacency, start, 18))
        needs = compute_need([r for r in records if r.code in cluster], NeedWeights())
        instances[label] = enumerate_candidates(cluster, population, needs, population_range)
    return instances


@pytest.mark.parametrize(
    ("instance", "organisers"),
    [
        ("banes default range", 3),
        ("banes default range", 4),
        ("banes wide range", 1),
        ("banes wide range", 2),
        ("banes wide range", 3),
        ("banes wide range", 4),
        ("exeter wide range", 3),
        ("exeter wide range", 4),
    ],
)
@pytest.mark.parametrize("prune", [True, False])
def test_highs_matches_brute_force(
    small_instances: dict[str, list[CandidatePatch]], instance: str, organisers: int, prune: bool
) -> None:
    candidates = small_instances[instance]
    expected, best = brute_force_packing(candidates, organisers)
    plan = solve_patch_packing(candidates, organisers, prune=prune)
    assert plan.status is SolveStatus.OPTIMAL
    assert plan.objective == pytest.approx(expected, rel=1e-9)
    assert sum(patch.need for patch in plan.patches) == pytest.approx(expected, rel=1e-9)
    assert len(best) == organisers


def test_brute_force_is_not_beaten_by_greedy(
    small_instances: dict[str, list[CandidatePatch]],
) -> None:
    candidates = small_instances["banes wide range"]
    for organisers in (2, 3, 4):
        greedy_total = sum(candidates[i].need for i in greedy_packing(candidates, organisers))
        assert brute_force_packing(candidates, organisers)[0] >= greedy_total
    greedy_total = sum(candidates[i].need for i in greedy_packing(candidates, 4))
    assert brute_force_packing(candidates, 4)[0] > greedy_total


def test_pruning_keeps_an_optimal_plan_on_random_instances() -> None:
    rng = random.Random(11)
    codes = [f"L{i:02d}" for i in range(14)]
    for _ in range(25):
        candidates = []
        for _ in range(30):
            size = rng.randint(1, 3)
            lsoas = tuple(sorted(rng.sample(codes, size)))
            candidates.append(CandidatePatch(lsoas, 2_500, float(rng.randint(1, 60))))
        organisers = rng.randint(1, 3)
        kept = prune_candidates(candidates, organisers)
        assert set(kept) <= set(candidates)
        try:
            full = brute_force_packing(candidates, organisers)[0]
        except TooManyOrganisersError:
            continue
        assert brute_force_packing(kept, organisers)[0] == full


def test_pruning_keeps_a_low_need_patch_that_the_best_plan_needs() -> None:
    """The two richest patches other than the top one block every greedy pick but one."""

    def patch(codes: str, need: float) -> CandidatePatch:
        return CandidatePatch(tuple(codes.split()), 2_500, need)

    top, west, east = patch("a b", 10.0), patch("a c h", 9.9), patch("b d i", 9.9)
    middle, corner, far = patch("c d", 1.0), patch("h i", 0.9), patch("g", 0.5)
    candidates = [top, west, east, middle, corner, far]
    assert far in prune_candidates(candidates, 3)
    plan = solve_patch_packing(candidates, 3)
    assert set(plan.patches) == {west, east, far}
    assert plan.objective == pytest.approx(20.3)


def test_exactly_the_number_of_organisers_even_when_fewer_patches_hold_more() -> None:
    pair = CandidatePatch(("a", "b"), 2_500, 10.0)
    first, second = CandidatePatch(("a",), 2_500, 4.0), CandidatePatch(("b",), 2_500, 4.0)
    plan = solve_patch_packing([pair, first, second], 2)
    assert set(plan.patches) == {first, second}
    assert plan.objective == pytest.approx(8.0)


def test_pruning_removes_candidates_when_few_organisers(
    small_instances: dict[str, list[CandidatePatch]],
) -> None:
    candidates = small_instances["banes wide range"]
    assert len(prune_candidates(candidates, 1)) == 1
    assert len(prune_candidates(candidates, 2)) < len(candidates)


def test_time_limit_returns_best_plan_so_far_with_its_gap() -> None:
    rng = random.Random(7)
    side = 60
    names = {(r, c): f"G{r:03d}{c:03d}" for r in range(side) for c in range(side)}
    adjacency = {
        name: frozenset(
            names[(r + dr, c + dc)]
            for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1))
            if (r + dr, c + dc) in names
        )
        for (r, c), name in names.items()
    }
    population = {name: rng.randint(500, 1_500) for name in adjacency}
    needs = {name: population[name] * rng.uniform(5, 60) for name in adjacency}
    candidates = enumerate_candidates(adjacency, population, needs, PopulationRange())
    plan = solve_patch_packing(
        candidates, 450, time_limit_seconds=0.01, presolve=False, prune=False
    )
    assert plan.status is SolveStatus.TIME_LIMIT
    assert plan.mip_gap > 0
    assert math.isinf(plan.mip_gap) or plan.bound >= plan.objective
    greedy = sum(candidates[i].need for i in greedy_packing(candidates, 450))
    assert plan.objective >= greedy * (1 - 1e-9)
    used: set[str] = set()
    for patch in plan.patches:
        assert used.isdisjoint(patch.lsoas)
        used.update(patch.lsoas)
    assert len(plan.patches) == 450


def test_covered_lsoas_are_left_out_of_the_plan(
    records: list[LsoaRecord], adjacency: dict[str, frozenset[str]]
) -> None:
    first = plan_patches(records, adjacency, organisers=5, authority_code=BANES)
    covered = set(first.patches[0].lsoas)
    marked = [dataclasses.replace(r, already_covered=r.code in covered) for r in records]
    second = plan_patches(marked, adjacency, organisers=5, authority_code=BANES)
    assert all(covered.isdisjoint(patch.lsoas) for patch in second.patches)
    assert second.objective < first.objective
    discounted = plan_patches(
        marked,
        adjacency,
        organisers=5,
        authority_code=BANES,
        weights=NeedWeights(covered_policy=CoveredPolicy.DISCOUNT, covered_multiplier=0.0),
    )
    assert discounted.objective == pytest.approx(second.objective)


def test_official_weights_choose_the_same_patches_as_the_imd_score(
    records: list[LsoaRecord], adjacency: dict[str, frozenset[str]]
) -> None:
    by_score = plan_patches(records, adjacency, organisers=5, authority_code=EXETER)
    by_domains = plan_patches(
        records,
        adjacency,
        organisers=5,
        authority_code=EXETER,
        weights=NeedWeights(domain_weights=IMD_DOMAIN_WEIGHTS),
    )
    assert {p.lsoas for p in by_score.patches} == {p.lsoas for p in by_domains.patches}


def test_unknown_authority_is_named(
    records: list[LsoaRecord], adjacency: dict[str, frozenset[str]]
) -> None:
    with pytest.raises(UnknownAuthorityError, match="no LSOAs for local authority 'E09999999'"):
        plan_patches(records, adjacency, organisers=3, authority_code="E09999999")


def test_too_many_organisers_says_how_many_are_possible(
    records: list[LsoaRecord], adjacency: dict[str, frozenset[str]]
) -> None:
    with pytest.raises(TooManyOrganisersError) as raised:
        plan_patches(records, adjacency, organisers=80, authority_code=BANES)
    possible = raised.value.possible
    assert 10 < possible < 80
    assert str(raised.value).startswith(
        f"Only {possible} disjoint patches of 2,000 to 3,000 people are possible in "
        "Bath and North East Somerset, so 80 organisers cannot each have their own patch."
    )
    assert isinstance(raised.value, ValueError)
    at_most = plan_patches(records, adjacency, organisers=possible, authority_code=BANES)
    assert len(at_most.patches) == possible
    with pytest.raises(TooManyOrganisersError, match=f"Only {possible} disjoint"):
        plan_patches(records, adjacency, organisers=possible + 1, authority_code=BANES)


def test_a_range_no_patch_fits_is_explained(
    records: list[LsoaRecord], adjacency: dict[str, frozenset[str]]
) -> None:
    with pytest.raises(TooManyOrganisersError, match="Only 0 disjoint patches of 10 to 20 people"):
        plan_patches(
            records,
            adjacency,
            organisers=1,
            authority_code=EXETER,
            population_range=PopulationRange(10, 20),
        )


@pytest.mark.parametrize("organisers", [0, -3])
def test_fewer_than_one_organiser_is_refused(
    records: list[LsoaRecord], adjacency: dict[str, frozenset[str]], organisers: int
) -> None:
    with pytest.raises(OrganiserCountError, match="Plan for at least 1 organiser"):
        plan_patches(records, adjacency, organisers=organisers, authority_code=BANES)
    with pytest.raises(OrganiserCountError):
        spreadsheet_baseline(records, adjacency, organisers=organisers, authority_code=BANES)


def test_progress_reports_the_best_plan_and_bound_as_the_solve_goes(
    records: list[LsoaRecord], adjacency: dict[str, frozenset[str]]
) -> None:
    heard: list[SolveProgress] = []
    result = plan_patches(
        records, adjacency, organisers=20, authority_code=BANES, progress=heard.append
    )
    assert heard, "a solve that branches reports at least once"
    found = [event.best_need for event in heard if event.best_need is not None]
    assert found == sorted(found), "the best plan so far never gets worse"
    assert found[-1] == pytest.approx(result.objective)
    bounds = [event.bound for event in heard if event.bound is not None]
    assert all(bound >= result.objective - 1e-6 for bound in bounds)
    quiet = plan_patches(records, adjacency, organisers=20, authority_code=BANES)
    assert quiet.objective == pytest.approx(result.objective)
