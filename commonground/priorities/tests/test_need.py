from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from commonground.priorities.need import (
    ENGLAND_LSOA_COUNT,
    IMD_DOMAIN_WEIGHTS,
    CoveredPolicy,
    Domain,
    DomainScale,
    LsoaRecord,
    MissingDataError,
    NeedWeights,
    NeedWeightsError,
    compute_need,
    data_file,
    rank_to_score,
)
from commonground.priorities.tests.support import BANES, EXETER


def record(code: str = "E01000001", **changes: object) -> LsoaRecord:
    base = LsoaRecord(
        code=code,
        name=f"Test {code}",
        authority_code=BANES,
        population=1_000,
        imd_score=20.0,
        imd_rank=5_000,
        imd_decile=2,
        domain_ranks={domain: 5_000 for domain in Domain},
        domain_deciles={domain: 2 for domain in Domain},
    )
    return dataclasses.replace(base, **changes)


def test_published_figures_load(records: list[LsoaRecord]) -> None:
    by_code = {r.code: r for r in records}
    assert sum(r.authority_code == BANES for r in records) == 115
    assert sum(r.authority_code == EXETER for r in records) == 74
    bath_007a = by_code["E01014370"]
    assert bath_007a.population == 1_938
    assert bath_007a.imd_score == pytest.approx(22.795)
    assert bath_007a.imd_rank == 12_188
    assert bath_007a.name == "Bath and North East Somerset 007A"
    assert set(bath_007a.domain_ranks) == set(Domain)
    assert sum(r.population for r in records if r.authority_code == BANES) == 188_678


def test_flat_data_directory_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "sape20_mid2017_all_ages_by_area_code.csv").write_text("area_code\n")
    found = data_file("population", "sape20_mid2017_all_ages_by_area_code.csv", tmp_path)
    assert found == tmp_path / "sape20_mid2017_all_ages_by_area_code.csv"
    with pytest.raises(MissingDataError, match="Cannot find"):
        data_file("imd2019", "missing.csv", tmp_path)


def test_default_need_is_population_times_imd_score(records: list[LsoaRecord]) -> None:
    needs = compute_need(records, NeedWeights())
    assert set(needs) == {r.code for r in records}
    for r in records:
        assert needs[r.code] == pytest.approx(r.population * r.imd_score)


def test_official_weights_on_ranks_reproduce_the_imd_score(records: list[LsoaRecord]) -> None:
    needs = compute_need(records, NeedWeights(domain_weights=IMD_DOMAIN_WEIGHTS))
    weight_total = sum(IMD_DOMAIN_WEIGHTS.values())
    assert weight_total == pytest.approx(0.999)
    for r in records:
        score = needs[r.code] / r.population
        assert score * weight_total == pytest.approx(r.imd_score, abs=0.01)


def test_rank_scales_run_from_least_to_most_deprived() -> None:
    for scale in DomainScale:
        assert rank_to_score(1, scale) == pytest.approx(100.0)
        assert rank_to_score(ENGLAND_LSOA_COUNT, scale) < 10.5
        assert rank_to_score(100, scale) > rank_to_score(20_000, scale)
    assert rank_to_score(ENGLAND_LSOA_COUNT // 10, DomainScale.EXPONENTIAL) > 50
    assert rank_to_score(ENGLAND_LSOA_COUNT // 2, DomainScale.LINEAR) == pytest.approx(50, abs=0.01)
    with pytest.raises(MissingDataError):
        rank_to_score(0, DomainScale.LINEAR)


def test_chosen_domains_only_drive_need() -> None:
    weights = NeedWeights(domain_weights={Domain.HEALTH: 1.0}, domain_scale=DomainScale.LINEAR)
    healthy = record("A", domain_ranks={**{d: 1 for d in Domain}, Domain.HEALTH: 30_000})
    unwell = record("B", domain_ranks={**{d: 30_000 for d in Domain}, Domain.HEALTH: 1})
    needs = compute_need([healthy, unwell], weights)
    assert needs["B"] == pytest.approx(1_000 * 100.0)
    assert needs["A"] < needs["B"] / 10


def test_domain_weights_are_relative() -> None:
    ranks = {Domain.INCOME: 1, Domain.CRIME: ENGLAND_LSOA_COUNT}
    lsoa = record(domain_ranks=ranks)
    one = compute_need([lsoa], NeedWeights(domain_weights={Domain.INCOME: 1, Domain.CRIME: 1}))
    ten = compute_need([lsoa], NeedWeights(domain_weights={Domain.INCOME: 10, Domain.CRIME: 10}))
    assert one == pytest.approx(ten)


def test_decile_scale_uses_published_deciles() -> None:
    lsoa = record(domain_deciles={**{d: 5 for d in Domain}, Domain.INCOME: 1})
    needs = compute_need(
        [lsoa], NeedWeights(domain_weights={Domain.INCOME: 1}, domain_scale=DomainScale.DECILE)
    )
    assert needs[lsoa.code] == pytest.approx(1_000 * 100)


def test_multipliers_apply_only_to_flagged_lsoas() -> None:
    plain = record("A")
    growing = record("B", is_new_or_growing=True)
    connector = record("C", near_connector_gp=True)
    both = record("D", is_new_or_growing=True, near_connector_gp=True)
    weights = NeedWeights(new_or_growing_multiplier=1.5, connector_gp_multiplier=1.2)
    needs = compute_need([plain, growing, connector, both], weights)
    assert needs["A"] == pytest.approx(20_000)
    assert needs["B"] == pytest.approx(30_000)
    assert needs["C"] == pytest.approx(24_000)
    assert needs["D"] == pytest.approx(36_000)


def test_theme_bonus_scales_with_the_strongest_signal() -> None:
    lsoas = [record("A", theme_signal=0), record("B", theme_signal=5), record("C", theme_signal=10)]
    needs = compute_need(lsoas, NeedWeights(theme_bonus=0.5))
    assert needs["A"] == pytest.approx(20_000)
    assert needs["B"] == pytest.approx(25_000)
    assert needs["C"] == pytest.approx(30_000)


def test_covered_lsoas_are_excluded_or_discounted() -> None:
    lsoas = [record("A"), record("B", already_covered=True)]
    assert set(compute_need(lsoas, NeedWeights())) == {"A"}
    discounted = compute_need(
        lsoas, NeedWeights(covered_policy=CoveredPolicy.DISCOUNT, covered_multiplier=0.25)
    )
    assert discounted["B"] == pytest.approx(5_000)
    assert discounted["A"] == pytest.approx(20_000)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({Domain.INCOME: -1.0}, "weight for Income must be zero or more"),
        ({Domain.INCOME: 0.0}, "At least one domain weight must be more than zero"),
        ({}, "Choose at least one deprivation domain"),
        ({"wealth": 1.0}, "'wealth' is not a deprivation domain"),
    ],
)
def test_bad_domain_weights_are_explained(weights: dict, message: str) -> None:
    with pytest.raises(NeedWeightsError, match=message):
        NeedWeights(domain_weights=weights)


def test_negative_multiplier_is_refused() -> None:
    with pytest.raises(ValueError, match="new or growing communities multiplier must be zero"):
        NeedWeights(new_or_growing_multiplier=-1)


def test_missing_domain_rank_names_the_lsoa() -> None:
    lsoa = record(domain_ranks={}, domain_deciles={})
    with pytest.raises(MissingDataError, match="Test E01000001 has no Crime rank"):
        compute_need([lsoa], NeedWeights(domain_weights={Domain.CRIME: 1}))
