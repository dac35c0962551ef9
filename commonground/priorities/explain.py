"""Why a patch was chosen, as plain figures a page can lay out.

A steering group must be able to check a proposal against what it knows of the place, so each patch
is described by the deprivation deciles behind its need, set against the authority as a whole, and by
how much of the authority's need it holds for its share of residents. Nothing here formats text: the
templates own the wording.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from commonground.priorities.need import Domain, LsoaRecord
from commonground.priorities.optimiser import BaselineResult, PlanResult
from commonground.priorities.patches import CandidatePatch

IMD_LABEL = "Index of Multiple Deprivation"


@dataclass(frozen=True, slots=True)
class DecileComparison:
    """Population-weighted mean deciles (1 = most deprived tenth of England, 10 = least).

    `domain` is None for the overall IMD.
    """

    domain: Domain | None
    label: str
    patch_decile: float
    authority_decile: float

    @property
    def deciles_more_deprived(self) -> float:
        """How many deciles more deprived the patch is than the authority (negative: less)."""
        return self.authority_decile - self.patch_decile


@dataclass(frozen=True, slots=True)
class LsoaSummary:
    code: str
    name: str
    population: int
    imd_decile: int
    need: float
    is_new_or_growing: bool
    near_connector_gp: bool
    theme_signal: float
    already_covered: bool


@dataclass(frozen=True, slots=True)
class PatchExplanation:
    lsoas: tuple[LsoaSummary, ...]
    population: int
    need: float
    need_share_of_plan: float
    need_share_of_authority: float
    population_share_of_authority: float
    imd: DecileComparison
    domains: tuple[DecileComparison, ...]
    most_deprived_domains: tuple[Domain, ...]

    @property
    def concentration(self) -> float:
        """Need share over population share: 2.0 means twice the authority's need per resident."""
        if self.population_share_of_authority == 0:
            return 0.0
        return self.need_share_of_authority / self.population_share_of_authority

    @property
    def new_or_growing_count(self) -> int:
        return sum(lsoa.is_new_or_growing for lsoa in self.lsoas)

    @property
    def connector_gp_count(self) -> int:
        return sum(lsoa.near_connector_gp for lsoa in self.lsoas)


@dataclass(frozen=True, slots=True)
class PlanComparison:
    """The optimal plan against the spreadsheet method, with the same weights."""

    plan_need: float
    baseline_need: float
    organisers: int
    baseline_patch_count: int
    authority_need: float

    @property
    def extra_need(self) -> float:
        return self.plan_need - self.baseline_need

    @property
    def extra_share(self) -> float:
        """Extra need as a fraction of the baseline's: 0.03 reads "3 % more need covered"."""
        return self.extra_need / self.baseline_need if self.baseline_need else 0.0

    @property
    def plan_share_of_authority(self) -> float:
        return self.plan_need / self.authority_need if self.authority_need else 0.0

    @property
    def baseline_share_of_authority(self) -> float:
        return self.baseline_need / self.authority_need if self.authority_need else 0.0


def _weighted_mean(pairs: Iterable[tuple[float, int]]) -> float:
    total = weight_sum = 0.0
    for value, weight in pairs:
        total += value * weight
        weight_sum += weight
    if weight_sum == 0:
        return 0.0
    return total / weight_sum


def _decile_comparisons(
    members: Sequence[LsoaRecord], authority: Sequence[LsoaRecord]
) -> tuple[DecileComparison, tuple[DecileComparison, ...]]:
    imd = DecileComparison(
        domain=None,
        label=IMD_LABEL,
        patch_decile=_weighted_mean((r.imd_decile, r.population) for r in members),
        authority_decile=_weighted_mean((r.imd_decile, r.population) for r in authority),
    )
    domains = tuple(
        DecileComparison(
            domain=domain,
            label=domain.label,
            patch_decile=_weighted_mean((r.domain_deciles[domain], r.population) for r in members),
            authority_decile=_weighted_mean(
                (r.domain_deciles[domain], r.population)
                for r in authority
                if domain in r.domain_deciles
            ),
        )
        for domain in Domain
        if all(domain in r.domain_deciles for r in members)
    )
    return imd, domains


def explain_patch(
    patch: CandidatePatch,
    authority_records: Sequence[LsoaRecord],
    needs: Mapping[str, float],
    plan_need: float,
    top_domains: int = 3,
) -> PatchExplanation:
    """Describe one patch against the authority its LSOAs belong to.

    `needs` is the per-LSOA need the plan was made with (its total is the authority's need);
    `most_deprived_domains` lists up to `top_domains` domains in which the patch is more deprived
    than the authority, the widest gap first.
    """
    by_code = {record.code: record for record in authority_records}
    missing = [code for code in patch.lsoas if code not in by_code]
    if missing:
        raise ValueError(f"LSOA {missing[0]} is not among the authority's records.")
    members = [by_code[code] for code in patch.lsoas]
    authority_population = sum(record.population for record in authority_records)
    authority_need = sum(needs.get(record.code, 0.0) for record in authority_records)
    imd, domains = _decile_comparisons(members, authority_records)
    gaps = sorted(
        (c for c in domains if c.deciles_more_deprived > 0),
        key=lambda c: (-c.deciles_more_deprived, c.label),
    )
    return PatchExplanation(
        lsoas=tuple(
            LsoaSummary(
                code=record.code,
                name=record.name,
                population=record.population,
                imd_decile=record.imd_decile,
                need=needs.get(record.code, 0.0),
                is_new_or_growing=record.is_new_or_growing,
                near_connector_gp=record.near_connector_gp,
                theme_signal=record.theme_signal,
                already_covered=record.already_covered,
            )
            for record in members
        ),
        population=patch.population,
        need=patch.need,
        need_share_of_plan=patch.need / plan_need if plan_need else 0.0,
        need_share_of_authority=patch.need / authority_need if authority_need else 0.0,
        population_share_of_authority=(
            patch.population / authority_population if authority_population else 0.0
        ),
        imd=imd,
        domains=domains,
        most_deprived_domains=tuple(c.domain for c in gaps[:top_domains] if c.domain),
    )


def explain_plan(
    plan: PlanResult, authority_records: Sequence[LsoaRecord]
) -> tuple[PatchExplanation, ...]:
    """Every patch of a plan made by `plan_patches` (which keeps the needs it used)."""
    return tuple(
        explain_patch(patch, authority_records, plan.needs, plan.objective)
        for patch in plan.patches
    )


def compare_with_baseline(plan: PlanResult, baseline: BaselineResult) -> PlanComparison:
    return PlanComparison(
        plan_need=plan.objective,
        baseline_need=baseline.objective,
        organisers=plan.organisers,
        baseline_patch_count=len(baseline.patches),
        authority_need=sum(plan.needs.values()),
    )
