"""Feeding the planner from the database, and keeping its answer in a form a page can show.

The core (`need`, `adjacency`, `patches`, `optimiser`, `explain`) knows nothing of Django. Here an
authority's LSOAs, the markings people make on the site (new or growing communities, GP practices
with community connectors), current placements and the themes heard become `LsoaRecord`s; the
adjacency comes from a copy kept per authority; and a plan with its spreadsheet-method baseline and
its explanation becomes one JSON document stored on the scenario, so a saved scenario still shows
what it proposed after the data change.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone
from shapely.geometry import shape

from commonground.places.models import GpPractice, LocalAuthority, Lsoa
from commonground.programme.models import Organiser

from .adjacency import DEFAULT_MIN_CONTACT_M, DEFAULT_TOLERANCE_M, LsoaBoundary, lsoa_adjacency
from .explain import compare_with_baseline, explain_plan
from .models import AuthorityAdjacency
from .need import (
    CoveredPolicy,
    Domain,
    DomainScale,
    LsoaRecord,
    MissingDataError,
    NeedWeights,
    NeedWeightsError,
    PlanningInputError,
    compute_need,
)
from .optimiser import (
    BaselineResult,
    PlanResult,
    ProgressCallback,
    UnknownAuthorityError,
    check_enough_patches,
    check_organisers,
    plan_patches,
    spreadsheet_baseline,
)
from .patches import DEFAULT_MAX_LSOAS, PopulationRange, enumerate_candidates
from .themes import themes_heard_by_lsoa

DEFAULT_TIME_LIMIT_SECONDS = 60.0
MAX_TIME_LIMIT_SECONDS = 3_600.0
RESULTS_VERSION = 1


class PlacementPolicy(StrEnum):
    """What the plan makes of LSOAs where an organiser is placed now.

    IGNORE plans from the published data alone, so anyone can check the answer against the files;
    EXCLUDE keeps those LSOAs out of every patch; DISCOUNT counts their need for less.
    """

    IGNORE = "ignore"
    EXCLUDE = "exclude"
    DISCOUNT = "discount"


@dataclass(frozen=True, slots=True)
class PlanParameters:
    """Everything a planner chooses, in one place shared by the page, the command and the API.

    `domain_weights` of None means need by the IMD 2019 score; otherwise it maps domain keys (as in
    `need.Domain`) to relative weights. `themes` narrows the theme signal to those themes (all
    themes heard when empty).
    """

    organisers: int
    min_population: int = 2_000
    max_population: int = 3_000
    domain_weights: Mapping[str, float] | None = None
    domain_scale: str = DomainScale.EXPONENTIAL.value
    new_community_multiplier: float = 1.0
    connector_multiplier: float = 1.0
    theme_bonus: float = 0.0
    themes: tuple[str, ...] = ()
    placements: str = PlacementPolicy.IGNORE.value
    covered_multiplier: float = 0.5
    time_limit_seconds: float = DEFAULT_TIME_LIMIT_SECONDS

    def check(self) -> None:
        """Raise a `PlanningInputError` with a message for the planner if anything is unusable."""
        check_organisers(self.organisers)
        self.population_range()
        self.need_weights()
        if not math.isfinite(self.time_limit_seconds) or self.time_limit_seconds <= 0:
            raise PlanningInputError("The time limit must be more than zero seconds.")
        if self.time_limit_seconds > MAX_TIME_LIMIT_SECONDS:
            raise PlanningInputError(
                f"The time limit can be at most {MAX_TIME_LIMIT_SECONDS:,.0f} seconds."
            )

    def population_range(self) -> PopulationRange:
        return PopulationRange(self.min_population, self.max_population)

    def placement_policy(self) -> PlacementPolicy:
        try:
            return PlacementPolicy(self.placements)
        except ValueError:
            choices = ", ".join(policy.value for policy in PlacementPolicy)
            raise PlanningInputError(
                f"'{self.placements}' is not a way to treat current placements; use one of "
                f"{choices}."
            ) from None

    def need_weights(self) -> NeedWeights:
        try:
            scale = DomainScale(self.domain_scale)
        except ValueError:
            choices = ", ".join(s.value for s in DomainScale)
            raise NeedWeightsError(
                f"'{self.domain_scale}' is not a domain scale; use one of {choices}."
            ) from None
        domains: dict[Domain, float] | None = None
        if self.domain_weights is not None:
            domains = {}
            for key, weight in self.domain_weights.items():
                try:
                    domains[Domain(key)] = float(weight)
                except ValueError:
                    choices = ", ".join(d.value for d in Domain)
                    raise NeedWeightsError(
                        f"'{key}' is not a deprivation domain; use one of {choices}."
                    ) from None
        policy = self.placement_policy()
        return NeedWeights(
            domain_weights=domains,
            domain_scale=scale,
            new_or_growing_multiplier=self.new_community_multiplier,
            connector_gp_multiplier=self.connector_multiplier,
            theme_bonus=self.theme_bonus,
            covered_policy=(
                CoveredPolicy.DISCOUNT
                if policy is PlacementPolicy.DISCOUNT
                else CoveredPolicy.EXCLUDE
            ),
            covered_multiplier=self.covered_multiplier,
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["domain_weights"] = dict(self.domain_weights) if self.domain_weights else None
        data["themes"] = list(self.themes)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanParameters:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        if "themes" in known:
            known["themes"] = tuple(known["themes"] or ())
        return cls(**known)


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """What a plan is made from, read from the database once."""

    authority: LocalAuthority
    parameters: PlanParameters
    records: list[LsoaRecord]
    adjacency: Mapping[str, frozenset[str]]
    ward_names: Mapping[str, str] = field(default_factory=dict)
    theme_counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


def mapped_authorities() -> list[LocalAuthority]:
    return list(LocalAuthority.objects.exclude(boundary="").order_by("name"))


def planning_authority(code: str) -> LocalAuthority:
    """The authority with this code, if its boundaries are loaded; otherwise a clear refusal."""
    code = (code or "").strip().upper()
    authority = LocalAuthority.objects.filter(code=code).first()
    mapped = mapped_authorities()
    examples = ", ".join(f"{a.code} ({a.name})" for a in mapped) or "none yet"
    if authority is None:
        raise UnknownAuthorityError(
            f"There is no local authority with the code '{code}'. Authorities that can be "
            f"planned: {examples}."
        )
    if authority not in mapped:
        raise MissingDataError(
            f"No LSOA boundaries are loaded for {authority.name}, so patches cannot be formed. "
            f"Authorities that can be planned: {examples}."
        )
    return authority


def authority_adjacency(authority: LocalAuthority) -> dict[str, frozenset[str]]:
    """Neighbouring LSOAs in the authority, worked out from the stored boundaries once and kept.

    The copy is used while the authority's LSOAs are as they were when it was made (same count,
    same latest change) and the rule is the same; otherwise it is worked out again and replaced.
    """
    lsoas = Lsoa.objects.filter(authority=authority).exclude(boundary="")
    stamp = lsoas.aggregate(count=Count("id"), latest=Max("updated_at"))
    kept = AuthorityAdjacency.objects.filter(authority=authority).first()
    if (
        kept is not None
        and kept.lsoa_count == stamp["count"]
        and kept.source_updated_at == stamp["latest"]
        and kept.tolerance_m == DEFAULT_TOLERANCE_M
        and kept.min_contact_m == DEFAULT_MIN_CONTACT_M
    ):
        return {code: frozenset(found) for code, found in kept.neighbours.items()}
    boundaries = [
        LsoaBoundary(code=code, authority_code=authority.code, geometry=shape(json.loads(text)))
        for code, text in lsoas.order_by("code").values_list("code", "boundary")
    ]
    adjacency = lsoa_adjacency(boundaries)
    if stamp["count"]:
        AuthorityAdjacency.objects.update_or_create(
            authority=authority,
            defaults={
                "neighbours": {code: sorted(found) for code, found in adjacency.items()},
                "lsoa_count": stamp["count"],
                "source_updated_at": stamp["latest"],
                "tolerance_m": DEFAULT_TOLERANCE_M,
                "min_contact_m": DEFAULT_MIN_CONTACT_M,
            },
        )
    return adjacency


def current_placement_lsoas(authority: LocalAuthority, on: date | None = None) -> set[str]:
    """LSOAs in a neighbourhood of an organiser placed there now (placed, and not yet ended)."""
    today = on or timezone.localdate()
    placed = Organiser.objects.filter(stage=Organiser.Stage.PLACED).filter(
        Q(placement_ends_on__isnull=True) | Q(placement_ends_on__gte=today)
    )
    return set(
        Lsoa.objects.filter(authority=authority, neighbourhoods__organisers__in=placed)
        .values_list("code", flat=True)
        .distinct()
    )


def connector_practice_lsoas(authority: LocalAuthority) -> set[str]:
    """LSOAs holding an open GP practice marked as hosting a community connector."""
    return set(
        GpPractice.objects.filter(
            has_community_connector=True, is_active=True, lsoa__authority=authority
        ).values_list("lsoa__code", flat=True)
    )


def near_connector_lsoas(
    authority: LocalAuthority, adjacency: Mapping[str, frozenset[str]]
) -> set[str]:
    """LSOAs with such a practice, and their neighbours: the area the practice's patients live in."""
    holding = connector_practice_lsoas(authority)
    near = set(holding)
    for code in holding:
        near.update(adjacency.get(code, ()))
    return near


def theme_signals(
    counts: Mapping[str, Mapping[str, int]], themes: Collection[str]
) -> dict[str, float]:
    """Conversations per LSOA that raised the chosen themes (every theme when none is chosen)."""
    wanted = set(themes)
    return {
        code: float(sum(n for theme, n in by_theme.items() if not wanted or theme in wanted))
        for code, by_theme in counts.items()
    }


LSOA_FIELDS = [
    "code",
    "name",
    "population",
    "imd_score",
    "imd_rank",
    "imd_decile",
    "is_new_community",
    "ward__name",
    *(f"{domain.value}_{part}" for domain in Domain for part in ("rank", "decile")),
]


def prepare(authority: LocalAuthority, parameters: PlanParameters) -> PlanInputs:
    """Read everything a plan for `authority` needs: LSOAs with their markings, and adjacency."""
    parameters.check()
    adjacency = authority_adjacency(authority)
    policy = parameters.placement_policy()
    covered = current_placement_lsoas(authority) if policy is not PlacementPolicy.IGNORE else set()
    near_connector = near_connector_lsoas(authority, adjacency)
    theme_counts = themes_heard_by_lsoa(authority_code=authority.code)
    signals = theme_signals(theme_counts, parameters.themes)
    records: list[LsoaRecord] = []
    ward_names: dict[str, str] = {}
    for row in (
        Lsoa.objects.filter(authority=authority)
        .exclude(boundary="")
        .order_by("code")
        .values(*LSOA_FIELDS)
    ):
        if row["population"] is None:
            raise MissingDataError(
                f"{row['name']} ({row['code']}) has no population figure, so it cannot be planned."
            )
        ward_names[row["code"]] = row["ward__name"] or ""
        records.append(
            LsoaRecord(
                code=row["code"],
                name=row["name"],
                authority_code=authority.code,
                authority_name=authority.name,
                population=row["population"],
                imd_score=row["imd_score"],
                imd_rank=row["imd_rank"],
                imd_decile=row["imd_decile"],
                domain_ranks={d: row[f"{d.value}_rank"] for d in Domain},
                domain_deciles={d: row[f"{d.value}_decile"] for d in Domain},
                is_new_or_growing=row["is_new_community"],
                near_connector_gp=row["code"] in near_connector,
                theme_signal=signals.get(row["code"], 0.0),
                already_covered=row["code"] in covered,
            )
        )
    return PlanInputs(
        authority=authority,
        parameters=parameters,
        records=records,
        adjacency=adjacency,
        ward_names=ward_names,
        theme_counts=theme_counts,
    )


def check_feasible(inputs: PlanInputs) -> None:
    """Refuse at once a plan that cannot have a patch per organiser, before any long wait."""
    parameters = inputs.parameters
    needs = compute_need(inputs.records, parameters.need_weights())
    candidates = enumerate_candidates(
        inputs.adjacency,
        {record.code: record.population for record in inputs.records},
        needs,
        parameters.population_range(),
        DEFAULT_MAX_LSOAS,
    )
    check_enough_patches(
        candidates,
        parameters.organisers,
        area_label=inputs.authority.name,
        population_range=parameters.population_range(),
    )


def make_plan(
    inputs: PlanInputs, *, presolve: bool = True, progress: ProgressCallback | None = None
) -> PlanResult:
    parameters = inputs.parameters
    return plan_patches(
        inputs.records,
        inputs.adjacency,
        organisers=parameters.organisers,
        authority_code=inputs.authority.code,
        weights=parameters.need_weights(),
        population_range=parameters.population_range(),
        time_limit_seconds=parameters.time_limit_seconds,
        presolve=presolve,
        progress=progress,
    )


def make_baseline(inputs: PlanInputs) -> BaselineResult:
    parameters = inputs.parameters
    return spreadsheet_baseline(
        inputs.records,
        inputs.adjacency,
        organisers=parameters.organisers,
        authority_code=inputs.authority.code,
        weights=parameters.need_weights(),
        population_range=parameters.population_range(),
    )


def plan_need(plan: PlanResult) -> float:
    """The plan's need as the sum of its patches' needs, in the order they are listed.

    HiGHS's objective is the same sum up to rounding; adding the listed figures in order means
    anyone who adds up the published patches gets exactly the published total.
    """
    total = 0.0
    for patch in plan.patches:
        total += patch.need
    return total


def suggested_name(
    codes: Sequence[str], records: Mapping[str, LsoaRecord], wards: Mapping[str, str]
) -> str:
    """A neighbourhood name from the patch's wards, the ward with most residents first."""
    residents: dict[str, int] = {}
    for code in codes:
        label = wards.get(code) or records[code].name
        residents[label] = residents.get(label, 0) + records[code].population
    names = sorted(residents, key=lambda label: (-residents[label], label))
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def results_document(
    inputs: PlanInputs, plan: PlanResult, baseline: BaselineResult
) -> dict[str, Any]:
    """The plan, its baseline and its explanation as JSON, so they can be shown without solving again."""
    by_code = {record.code: record for record in inputs.records}
    explanations = explain_plan(plan, inputs.records)
    comparison = compare_with_baseline(plan, baseline)
    patches = []
    for number, (patch, why) in enumerate(zip(plan.patches, explanations, strict=True), start=1):
        patches.append(
            {
                "number": number,
                "lsoas": list(patch.lsoas),
                "population": patch.population,
                "need": patch.need,
                "suggested_name": suggested_name(patch.lsoas, by_code, inputs.ward_names),
                "need_share_of_plan": why.need_share_of_plan,
                "need_share_of_authority": why.need_share_of_authority,
                "population_share_of_authority": why.population_share_of_authority,
                "concentration": why.concentration,
                "imd": {"patch": why.imd.patch_decile, "authority": why.imd.authority_decile},
                "domains": [
                    {
                        "key": c.domain.value if c.domain else "imd",
                        "patch": c.patch_decile,
                        "authority": c.authority_decile,
                    }
                    for c in why.domains
                ],
                "most_deprived_domains": [domain.value for domain in why.most_deprived_domains],
                "lsoa_details": [
                    {
                        "code": lsoa.code,
                        "name": lsoa.name,
                        "ward": inputs.ward_names.get(lsoa.code, ""),
                        "population": lsoa.population,
                        "imd_decile": lsoa.imd_decile,
                        "need": lsoa.need,
                        "new_community": lsoa.is_new_or_growing,
                        "near_connector": lsoa.near_connector_gp,
                        "covered": lsoa.already_covered,
                        "theme_signal": lsoa.theme_signal,
                    }
                    for lsoa in why.lsoas
                ],
            }
        )
    return {
        "version": RESULTS_VERSION,
        "authority": {"code": inputs.authority.code, "name": inputs.authority.name},
        "objective": plan_need(plan),
        "status": plan.status.value,
        "gap": _finite(plan.mip_gap),
        "bound": _finite(plan.bound),
        "candidate_count": plan.candidate_count,
        "model_candidate_count": plan.model_candidate_count,
        "seconds": {
            "need": plan.need_seconds,
            "candidates": plan.candidate_seconds,
            "solve": plan.solve_seconds,
        },
        "authority_need": comparison.authority_need,
        "authority_population": sum(record.population for record in inputs.records),
        "lsoa_count": len(inputs.records),
        "patches": patches,
        "baseline": {
            "objective": baseline.objective,
            "patches": [
                {"lsoas": list(p.lsoas), "population": p.population, "need": p.need}
                for p in baseline.patches
            ],
            "shortfall": baseline.shortfall,
            "seeds_skipped": baseline.seeds_skipped,
        },
        "comparison": {
            "extra_need": comparison.extra_need,
            "extra_share": comparison.extra_share,
            "plan_share_of_authority": comparison.plan_share_of_authority,
            "baseline_share_of_authority": comparison.baseline_share_of_authority,
        },
        "markings": {
            "covered": sorted(r.code for r in inputs.records if r.already_covered),
            "new_community": sorted(r.code for r in inputs.records if r.is_new_or_growing),
            "near_connector": sorted(r.code for r in inputs.records if r.near_connector_gp),
        },
    }


def run(
    inputs: PlanInputs, *, presolve: bool = True, progress: ProgressCallback | None = None
) -> dict[str, Any]:
    """Plan, compare with the spreadsheet method and explain; the document to keep."""
    started = time.perf_counter()
    plan = make_plan(inputs, presolve=presolve, progress=progress)
    return document_for(inputs, plan, started=started)


def document_for(inputs: PlanInputs, plan: PlanResult, *, started: float) -> dict[str, Any]:
    """The stored document for a plan made since `started` (a `time.perf_counter()` reading)."""
    baseline = make_baseline(inputs)
    document = results_document(inputs, plan, baseline)
    document["seconds"]["total"] = time.perf_counter() - started
    return document
