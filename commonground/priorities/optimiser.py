"""Choose where organisers go: the non-overlapping patches that together hold the most need.

The choice is a weighted set packing problem, solved exactly as a mixed-integer programme with
HiGHS. Beside it sit the two yardsticks the page and the tests need: the "spreadsheet method" a
council would otherwise use, and an exhaustive search for small cases.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum

import highspy
import numpy as np

from commonground.priorities.need import (
    LsoaRecord,
    MissingDataError,
    NeedWeights,
    PlanningInputError,
    compute_need,
)
from commonground.priorities.patches import (
    DEFAULT_MAX_LSOAS,
    CandidatePatch,
    PopulationRange,
    enumerate_candidates,
)

DEFAULT_TIME_LIMIT_SECONDS = 60.0


class UnknownAuthorityError(PlanningInputError):
    pass


class OrganiserCountError(PlanningInputError):
    pass


class TooManyOrganisersError(PlanningInputError):
    def __init__(self, message: str, *, possible: int) -> None:
        super().__init__(message)
        self.possible = possible


class SolverError(RuntimeError):
    """HiGHS stopped without a usable plan; not something the planner can fix by changing input."""


class SolveStatus(StrEnum):
    """OPTIMAL: proven within the requested `mip_rel_gap` of the best possible plan (so, with the
    default gap of 0, the best possible plan). TIME_LIMIT: the best plan found when time ran out."""

    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"


@dataclasses.dataclass(frozen=True, slots=True)
class SolveProgress:
    """Where a running solve stands, for a page that shows a long run as it goes.

    `best_need` is the need held by the best plan found so far (None before the first), `bound`
    the most need any plan could hold as proven so far, and `gap` their relative distance (None
    while no bound is proven).
    """

    seconds: float
    best_need: float | None
    bound: float | None
    gap: float | None


ProgressCallback = Callable[[SolveProgress], None]


@dataclasses.dataclass(frozen=True, slots=True)
class PlanResult:
    """A proposed set of patches.

    `mip_gap` is HiGHS's proven relative distance between `objective` and the best any plan could
    achieve (`bound`): 0.004 means no plan can hold more than 0.4 % more need than this one; it is
    infinite when the time limit struck before any bound was proven. `candidate_count` counts every
    candidate patch; `model_candidate_count` those left after pruning, which HiGHS saw.
    `solve_seconds` covers pruning, building the model and HiGHS.
    """

    objective: float
    patches: tuple[CandidatePatch, ...]
    status: SolveStatus
    mip_gap: float
    bound: float
    solve_seconds: float
    candidate_count: int
    organisers: int
    model_candidate_count: int = 0
    need_seconds: float = 0.0
    candidate_seconds: float = 0.0
    needs: Mapping[str, float] = dataclasses.field(default_factory=dict, repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class BaselineResult:
    """What sorting the spreadsheet by IMD rank would give; may hold fewer patches than asked."""

    objective: float
    patches: tuple[CandidatePatch, ...]
    organisers: int
    seeds_tried: int
    seeds_skipped: int

    @property
    def shortfall(self) -> int:
        return self.organisers - len(self.patches)


def check_organisers(organisers: int) -> None:
    if isinstance(organisers, bool) or not isinstance(organisers, int):
        raise OrganiserCountError("The number of organisers must be a whole number.")
    if organisers < 1:
        raise OrganiserCountError(f"Plan for at least 1 organiser (got {organisers}).")


def select_authority(records: Sequence[LsoaRecord], authority_code: str | None) -> list[LsoaRecord]:
    """The records to plan over; None means all of them (used for national runs)."""
    if authority_code is None:
        return list(records)
    chosen = [record for record in records if record.authority_code == authority_code]
    if not chosen:
        known = sorted({(r.authority_code, r.authority_name) for r in records})
        examples = ", ".join(f"{code} ({name})" if name else code for code, name in known[:3])
        raise UnknownAuthorityError(
            f"There are no LSOAs for local authority '{authority_code}'. Use a 2019 local "
            f"authority district code{' such as ' + examples if examples else ''}."
        )
    return chosen


def _area_label(records: Sequence[LsoaRecord]) -> str:
    names = {record.authority_name or record.authority_code for record in records}
    return names.pop() if len(names) == 1 else "the chosen area"


def plan_patches(
    records: Sequence[LsoaRecord],
    adjacency: Mapping[str, frozenset[str]],
    *,
    organisers: int,
    authority_code: str | None,
    weights: NeedWeights | None = None,
    population_range: PopulationRange | None = None,
    max_lsoas: int = DEFAULT_MAX_LSOAS,
    time_limit_seconds: float = DEFAULT_TIME_LIMIT_SECONDS,
    mip_rel_gap: float = 0.0,
    presolve: bool = True,
    progress: ProgressCallback | None = None,
) -> PlanResult:
    """The best `organisers` patches in one authority (or in all `records` when it is None).

    `progress`, when given, hears from HiGHS as the solve improves (see `solve_patch_packing`).
    """
    check_organisers(organisers)
    weights = weights or NeedWeights()
    population_range = population_range or PopulationRange()
    chosen = select_authority(records, authority_code)
    if not any(record.code in adjacency for record in chosen):
        raise MissingDataError(
            f"No boundaries are loaded for {_area_label(chosen)}, so patches cannot be formed."
        )
    started = time.perf_counter()
    needs = compute_need(chosen, weights)
    need_seconds = time.perf_counter() - started
    started = time.perf_counter()
    candidates = enumerate_candidates(
        adjacency,
        {record.code: record.population for record in chosen},
        needs,
        population_range,
        max_lsoas,
    )
    candidate_seconds = time.perf_counter() - started
    result = solve_patch_packing(
        candidates,
        organisers,
        time_limit_seconds=time_limit_seconds,
        mip_rel_gap=mip_rel_gap,
        area_label=_area_label(chosen),
        population_range=population_range,
        presolve=presolve,
        progress=progress,
    )
    return dataclasses.replace(
        result, need_seconds=need_seconds, candidate_seconds=candidate_seconds, needs=needs
    )


def greedy_packing(candidates: Sequence[CandidatePatch], organisers: int) -> list[int]:
    """Highest need first, skipping overlaps: a quick feasible start for HiGHS."""
    used: set[str] = set()
    chosen: list[int] = []
    order = sorted(range(len(candidates)), key=lambda i: (-candidates[i].need, i))
    for index in order:
        lsoas = candidates[index].lsoas
        if used.isdisjoint(lsoas):
            chosen.append(index)
            used.update(lsoas)
            if len(chosen) == organisers:
                break
    return chosen


def prune_candidates(candidates: Sequence[CandidatePatch], organisers: int) -> list[CandidatePatch]:
    """Drop candidates that some optimal plan can always do without.

    Walk the candidates from the highest need down, picking greedily those that do not overlap the
    ones already picked. Once K = s(N - 1) + 1 are picked, where s is the most LSOAs in a candidate,
    every later candidate C can go: in a plan using C, the other N - 1 patches hold at most
    s(N - 1) LSOAs, so they overlap at most s(N - 1) of the K picked ones (which do not overlap each
    other); a picked one they miss has at least C's need and can take C's place. With few
    organisers this removes most candidates; with many it removes none.
    """
    if not candidates:
        return []
    largest = max(len(candidate.lsoas) for candidate in candidates)
    enough = largest * (organisers - 1) + 1
    order = sorted(range(len(candidates)), key=lambda i: (-candidates[i].need, i))
    used: set[str] = set()
    picked = 0
    kept: list[int] = []
    for index in order:
        kept.append(index)
        lsoas = candidates[index].lsoas
        if used.isdisjoint(lsoas):
            used.update(lsoas)
            picked += 1
            if picked == enough:
                break
    return [candidates[i] for i in sorted(kept)]


@dataclasses.dataclass(frozen=True, slots=True)
class _PackingModel:
    lp: highspy.HighsLp
    packing_rows: int


def _packing_model(
    candidates: Sequence[CandidatePatch], costs: np.ndarray, organisers: int | None
) -> _PackingModel:
    """Binary x per candidate; per LSOA at most one chosen patch; optionally exactly N patches.

    An LSOA in only one candidate needs no row: the variable's bound already says "at most once".
    """
    holders: dict[str, list[int]] = defaultdict(list)
    for column, candidate in enumerate(candidates):
        for code in candidate.lsoas:
            holders[code].append(column)
    shared = sorted(code for code, columns in holders.items() if len(columns) > 1)
    row_of = {code: row for row, code in enumerate(shared)}
    cardinality_row = len(shared)
    row_count = len(shared) + (1 if organisers is not None else 0)

    starts = [0]
    indices: list[int] = []
    for candidate in candidates:
        indices.extend(row_of[code] for code in candidate.lsoas if code in row_of)
        if organisers is not None:
            indices.append(cardinality_row)
        starts.append(len(indices))

    column_count = len(candidates)
    lp = highspy.HighsLp()
    lp.num_col_ = column_count
    lp.num_row_ = row_count
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.asarray(costs, dtype=np.float64)
    lp.col_lower_ = np.zeros(column_count)
    lp.col_upper_ = np.ones(column_count)
    lower = np.full(row_count, -highspy.kHighsInf)
    upper = np.ones(row_count)
    if organisers is not None:
        lower[cardinality_row] = organisers
        upper[cardinality_row] = organisers
    lp.row_lower_ = lower
    lp.row_upper_ = upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(len(indices))
    lp.integrality_ = [highspy.HighsVarType.kInteger] * column_count
    return _PackingModel(lp=lp, packing_rows=len(shared))


_banner_lock = threading.Lock()
_banner_printed = False


def _make_highs() -> highspy.Highs:
    """A HiGHS instance, without its start-up banner on standard output.

    HiGHS prints a copyright banner straight to file descriptor 1 when the first instance in a
    process is made, before any option can switch output off; that would corrupt JSON printed by
    `commonground priorities plan --json`. The first instance is therefore made with descriptor 1
    pointing at standard error, where the banner does no harm.
    """
    global _banner_printed
    if _banner_printed:
        return highspy.Highs()
    with _banner_lock:
        if _banner_printed:
            return highspy.Highs()
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            os.dup2(2, 1)
            highs = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            _banner_printed = True
        return highs


def _new_highs(time_limit_seconds: float, mip_rel_gap: float, presolve: bool) -> highspy.Highs:
    highs = _make_highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", float(time_limit_seconds))
    highs.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    highs.setOptionValue("presolve", "on" if presolve else "off")
    return highs


def _finite(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) and abs(value) < highspy.kHighsInf else None


def _report_progress(highs: highspy.Highs, progress: ProgressCallback) -> None:
    def relay(event: object) -> None:
        data = event.data_out  # type: ignore[attr-defined]
        progress(
            SolveProgress(
                seconds=float(data.running_time),
                best_need=_finite(data.mip_primal_bound),
                bound=_finite(data.mip_dual_bound),
                gap=_finite(data.mip_gap),
            )
        )

    highs.cbMipImprovingSolution.subscribe(relay)
    highs.cbMipInterrupt.subscribe(relay)


def _chosen_columns(highs: highspy.Highs) -> list[int]:
    values = np.asarray(highs.getSolution().col_value)
    return np.flatnonzero(values > 0.5).tolist()


def max_disjoint_patches(
    candidates: Sequence[CandidatePatch], time_limit_seconds: float = 30.0
) -> tuple[int, bool]:
    """The largest number of non-overlapping candidates, and whether that is proven."""
    if not candidates:
        return 0, True
    model = _packing_model(candidates, np.ones(len(candidates)), organisers=None)
    highs = _new_highs(time_limit_seconds, 0.0, presolve=True)
    highs.passModel(model.lp)
    greedy = greedy_packing(candidates, len(candidates))
    _set_start(highs, len(candidates), greedy)
    highs.run()
    found = len(_chosen_columns(highs))
    proven = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return max(found, len(greedy)), proven


def _set_start(highs: highspy.Highs, column_count: int, chosen: Sequence[int]) -> None:
    start = highspy.HighsSolution()
    values = np.zeros(column_count)
    values[list(chosen)] = 1.0
    start.col_value = values.tolist()
    start.value_valid = True
    highs.setSolution(start)


def _too_many_error(
    possible: int,
    proven: bool,
    organisers: int,
    area_label: str,
    population_range: PopulationRange | None,
) -> TooManyOrganisersError:
    size = f" of {population_range.describe()}" if population_range else ""
    qualifier = "Only" if proven else "No more than about"
    return TooManyOrganisersError(
        f"{qualifier} {possible} disjoint patches{size} are possible in {area_label}, so "
        f"{organisers} organisers cannot each have their own patch. Plan for at most "
        f"{possible} organisers, or widen the population range.",
        possible=possible,
    )


def check_enough_patches(
    candidates: Sequence[CandidatePatch],
    organisers: int,
    *,
    area_label: str = "the chosen area",
    population_range: PopulationRange | None = None,
) -> None:
    """Refuse, with the largest possible number, a plan with more organisers than disjoint patches.

    Cheap when the greedy plan already finds enough patches (nearly always); otherwise it solves
    the maximum-cardinality packing. Callers that solve later, such as a background run, use it
    to tell the planner straight away rather than after the wait.
    """
    check_organisers(organisers)
    if len(greedy_packing(candidates, organisers)) >= organisers:
        return
    possible, proven = max_disjoint_patches(candidates)
    if possible < organisers:
        raise _too_many_error(possible, proven, organisers, area_label, population_range)


def solve_patch_packing(
    candidates: Sequence[CandidatePatch],
    organisers: int,
    *,
    time_limit_seconds: float = DEFAULT_TIME_LIMIT_SECONDS,
    mip_rel_gap: float = 0.0,
    area_label: str = "the chosen area",
    population_range: PopulationRange | None = None,
    greedy_start: bool = True,
    prune: bool = True,
    presolve: bool = True,
    progress: ProgressCallback | None = None,
) -> PlanResult:
    """Exactly `organisers` disjoint candidates of greatest total need.

    Exactly, not at most: every organiser is to have a patch, and a plan that leaves one without
    could score higher by keeping a few rich patches apart. HiGHS starts from the greedy plan
    (highest need first), so a plan exists from the first moment; when the time limit strikes, the
    best plan found so far comes back with its proven gap. HiGHS does not check the time limit
    inside every step of its presolve, so with `presolve` on a run can overshoot the limit;
    switching it off makes the limit firm but is slower on large, hard cases.

    `progress` is called whenever HiGHS finds a better plan and, between those, as often as HiGHS
    checks for interruption, so that a page can show a long run's best plan and proven gap while
    it runs; it must be quick and must not raise.
    """
    check_organisers(organisers)
    if time_limit_seconds <= 0:
        raise PlanningInputError("The time limit must be more than zero seconds.")
    all_candidates = list(candidates)
    check_enough_patches(
        all_candidates, organisers, area_label=area_label, population_range=population_range
    )

    started = time.perf_counter()
    model_candidates = prune_candidates(all_candidates, organisers) if prune else all_candidates
    greedy = greedy_packing(model_candidates, organisers)
    costs = np.array([candidate.need for candidate in model_candidates], dtype=np.float64)
    highs = _new_highs(time_limit_seconds, mip_rel_gap, presolve)
    highs.passModel(_packing_model(model_candidates, costs, organisers).lp)
    if greedy_start and len(greedy) == organisers:
        _set_start(highs, len(model_candidates), greedy)
    if progress is not None:
        _report_progress(highs, progress)
    highs.run()
    solve_seconds = time.perf_counter() - started

    status = highs.getModelStatus()
    info = highs.getInfo()
    if status == highspy.HighsModelStatus.kOptimal:
        outcome = SolveStatus.OPTIMAL
    elif status == highspy.HighsModelStatus.kTimeLimit:
        if info.primal_solution_status != highspy.kSolutionStatusFeasible:
            raise SolverError(f"No plan was found within {time_limit_seconds:g} seconds.")
        outcome = SolveStatus.TIME_LIMIT
    elif status == highspy.HighsModelStatus.kInfeasible:
        possible, proven = max_disjoint_patches(all_candidates)
        raise _too_many_error(possible, proven, organisers, area_label, population_range)
    else:
        raise SolverError(f"HiGHS stopped with status {highs.modelStatusToString(status)}.")

    patches = tuple(
        sorted(
            (model_candidates[i] for i in _chosen_columns(highs)),
            key=lambda patch: (-patch.need, patch.lsoas),
        )
    )
    _check_plan(patches, organisers)
    bound = float(info.mip_dual_bound)
    if outcome is SolveStatus.OPTIMAL:
        gap = max(0.0, float(info.mip_gap))
    else:
        gap = float(info.mip_gap) if math.isfinite(bound) else math.inf
    return PlanResult(
        objective=float(info.objective_function_value),
        patches=patches,
        status=outcome,
        mip_gap=gap,
        bound=bound,
        solve_seconds=solve_seconds,
        candidate_count=len(all_candidates),
        model_candidate_count=len(model_candidates),
        organisers=organisers,
    )


def _check_plan(patches: Sequence[CandidatePatch], organisers: int) -> None:
    seen: set[str] = set()
    for patch in patches:
        if not seen.isdisjoint(patch.lsoas):
            raise SolverError("HiGHS returned overlapping patches.")
        seen.update(patch.lsoas)
    if len(patches) != organisers:
        raise SolverError(f"HiGHS returned {len(patches)} patches instead of {organisers}.")


def brute_force_packing(
    candidates: Sequence[CandidatePatch], organisers: int
) -> tuple[float, tuple[CandidatePatch, ...]]:
    """Try every combination of `organisers` disjoint candidates; only for small cases."""
    check_organisers(organisers)
    best_total = -math.inf
    best: tuple[int, ...] = ()
    members = [frozenset(candidate.lsoas) for candidate in candidates]

    def search(start: int, chosen: list[int], used: frozenset[str], total: float) -> None:
        nonlocal best_total, best
        if len(chosen) == organisers:
            if total > best_total:
                best_total, best = total, tuple(chosen)
            return
        for index in range(start, len(candidates)):
            if used.isdisjoint(members[index]):
                chosen.append(index)
                search(index + 1, chosen, used | members[index], total + candidates[index].need)
                chosen.pop()

    search(0, [], frozenset(), 0.0)
    if not best:
        raise TooManyOrganisersError(
            f"No {organisers} disjoint patches exist among these candidates.", possible=0
        )
    return best_total, tuple(candidates[i] for i in best)


def spreadsheet_baseline(
    records: Sequence[LsoaRecord],
    adjacency: Mapping[str, frozenset[str]],
    *,
    organisers: int,
    authority_code: str | None,
    weights: NeedWeights | None = None,
    population_range: PopulationRange | None = None,
    max_lsoas: int = DEFAULT_MAX_LSOAS,
) -> BaselineResult:
    """The plan a council gets by sorting its LSOAs by IMD rank and working down the list.

    Each LSOA not yet used, most deprived first, seeds a patch. While the patch has fewer people
    than the minimum, it takes in the most deprived unused neighbour (of any member) that keeps it
    within the maximum, ties going to the lower LSOA code. A seed that cannot reach the minimum
    within `max_lsoas` LSOAs is passed over and its LSOAs stay free. It stops at `organisers`
    patches or the end of the list. Its need is counted with the same weights as the optimiser's.
    """
    check_organisers(organisers)
    weights = weights or NeedWeights()
    population_range = population_range or PopulationRange()
    chosen_records = select_authority(records, authority_code)
    needs = compute_need(chosen_records, weights)
    by_code = {record.code: record for record in chosen_records if record.code in needs}
    order = sorted(by_code.values(), key=lambda record: (record.imd_rank, record.code))
    used: set[str] = set()
    patches: list[CandidatePatch] = []
    tried = skipped = 0
    for seed in order:
        if len(patches) == organisers:
            break
        if seed.code in used:
            continue
        tried += 1
        grown = _grow_patch(seed, by_code, adjacency, used, population_range, max_lsoas)
        if grown is None:
            skipped += 1
            continue
        used.update(grown)
        patches.append(
            CandidatePatch(
                lsoas=tuple(sorted(grown)),
                population=sum(by_code[code].population for code in grown),
                need=sum(needs[code] for code in grown),
            )
        )
    return BaselineResult(
        objective=sum(patch.need for patch in patches),
        patches=tuple(patches),
        organisers=organisers,
        seeds_tried=tried,
        seeds_skipped=skipped,
    )


def _grow_patch(
    seed: LsoaRecord,
    by_code: Mapping[str, LsoaRecord],
    adjacency: Mapping[str, frozenset[str]],
    used: set[str],
    population_range: PopulationRange,
    max_lsoas: int,
) -> list[str] | None:
    members = [seed.code]
    population = seed.population
    if population > population_range.maximum:
        return None
    while population < population_range.minimum:
        if len(members) == max_lsoas:
            return None
        options = [
            by_code[code]
            for member in members
            for code in adjacency.get(member, ())
            if code in by_code
            and code not in used
            and code not in members
            and population + by_code[code].population <= population_range.maximum
        ]
        if not options:
            return None
        best = min(options, key=lambda record: (record.imd_rank, record.code))
        members.append(best.code)
        population += best.population
    return members
