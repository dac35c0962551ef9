from __future__ import annotations

import pytest

from commonground.priorities.explain import (
    compare_with_baseline,
    explain_patch,
    explain_plan,
)
from commonground.priorities.need import Domain, LsoaRecord, NeedWeights, compute_need
from commonground.priorities.optimiser import plan_patches, spreadsheet_baseline
from commonground.priorities.patches import CandidatePatch
from commonground.priorities.tests.support import BANES, EXETER


def test_patch_deciles_are_population_weighted_against_the_authority(
    records: list[LsoaRecord],
) -> None:
    exeter = [r for r in records if r.authority_code == EXETER]
    needs = compute_need(exeter, NeedWeights())
    first, second = exeter[0], exeter[1]
    patch = CandidatePatch(
        lsoas=(first.code, second.code),
        population=first.population + second.population,
        need=needs[first.code] + needs[second.code],
    )
    explanation = explain_patch(patch, exeter, needs, plan_need=patch.need * 4)

    people = first.population + second.population
    expected_income = (
        first.domain_deciles[Domain.INCOME] * first.population
        + second.domain_deciles[Domain.INCOME] * second.population
    ) / people
    authority_income = sum(r.domain_deciles[Domain.INCOME] * r.population for r in exeter) / sum(
        r.population for r in exeter
    )
    income = next(c for c in explanation.domains if c.domain is Domain.INCOME)
    assert income.patch_decile == pytest.approx(expected_income)
    assert income.authority_decile == pytest.approx(authority_income)
    assert income.deciles_more_deprived == pytest.approx(authority_income - expected_income)
    assert len(explanation.domains) == len(Domain)
    assert explanation.imd.patch_decile == pytest.approx(
        (first.imd_decile * first.population + second.imd_decile * second.population) / people
    )
    assert explanation.need_share_of_plan == pytest.approx(0.25)
    assert explanation.need_share_of_authority == pytest.approx(patch.need / sum(needs.values()))
    assert [lsoa.code for lsoa in explanation.lsoas] == [first.code, second.code]


def test_plan_explanation_picks_out_the_domains_behind_each_patch(
    records: list[LsoaRecord], adjacency: dict[str, frozenset[str]]
) -> None:
    banes = [r for r in records if r.authority_code == BANES]
    plan = plan_patches(records, adjacency, organisers=5, authority_code=BANES)
    explanations = explain_plan(plan, banes)
    assert len(explanations) == 5
    assert sum(e.need_share_of_plan for e in explanations) == pytest.approx(1.0)
    for explanation in explanations:
        assert explanation.imd.patch_decile < explanation.imd.authority_decile
        assert explanation.concentration > 1
        gaps = {c.domain: c.deciles_more_deprived for c in explanation.domains}
        chosen = [gaps[d] for d in explanation.most_deprived_domains]
        assert chosen == sorted(chosen, reverse=True)
        assert all(gap > 0 for gap in chosen)
        left_out = [g for d, g in gaps.items() if d not in explanation.most_deprived_domains]
        assert not chosen or all(g <= chosen[-1] for g in left_out)


def test_comparison_with_the_spreadsheet(
    records: list[LsoaRecord], adjacency: dict[str, frozenset[str]]
) -> None:
    plan = plan_patches(records, adjacency, organisers=5, authority_code=BANES)
    baseline = spreadsheet_baseline(records, adjacency, organisers=5, authority_code=BANES)
    comparison = compare_with_baseline(plan, baseline)
    assert comparison.extra_need == pytest.approx(plan.objective - baseline.objective)
    assert comparison.extra_share == pytest.approx(plan.objective / baseline.objective - 1)
    assert comparison.extra_share > 0
    assert 0 < comparison.baseline_share_of_authority < comparison.plan_share_of_authority < 1
    assert comparison.baseline_patch_count == 5


def test_patch_outside_the_authority_is_refused(records: list[LsoaRecord]) -> None:
    exeter = [r for r in records if r.authority_code == EXETER]
    patch = CandidatePatch(lsoas=("E01014370",), population=1_938, need=1.0)
    with pytest.raises(ValueError, match="E01014370 is not among the authority's records"):
        explain_patch(patch, exeter, {}, plan_need=1.0)
