"""Candidate patches: every connected group of a few LSOAs holding the right number of people.

An organiser can listen to a community of about 2,000 to 3,000 people, so a patch is one to four
neighbouring LSOAs whose population falls in that range. Listing every such group lets the optimiser
compare all of them instead of growing patches one at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from commonground.priorities.need import PlanningInputError

DEFAULT_MAX_LSOAS = 4


class PopulationRangeError(PlanningInputError):
    pass


@dataclass(frozen=True, slots=True)
class PopulationRange:
    """Inclusive bounds on the number of residents in one patch."""

    minimum: int = 2_000
    maximum: int = 3_000

    def __post_init__(self) -> None:
        if self.minimum < 0 or self.maximum < 0:
            raise PopulationRangeError("A patch population cannot be negative.")
        if self.maximum == 0:
            raise PopulationRangeError(
                "The population range is empty: the largest patch must hold more than 0 people."
            )
        if self.minimum > self.maximum:
            raise PopulationRangeError(
                f"The population range is the wrong way round: the smallest patch "
                f"({self.minimum:,}) is larger than the largest ({self.maximum:,})."
            )

    def describe(self) -> str:
        return f"{self.minimum:,} to {self.maximum:,} people"


@dataclass(frozen=True, slots=True)
class CandidatePatch:
    """A possible patch; `lsoas` is sorted so that equal patches compare equal."""

    lsoas: tuple[str, ...]
    population: int
    need: float


def connected_subsets(
    neighbours: Sequence[Sequence[int]],
    max_size: int,
    weights: Sequence[int] | None = None,
    max_weight: int | None = None,
) -> Iterator[tuple[int, ...]]:
    """Every connected vertex set of 1 to `max_size` vertices, each exactly once.

    This is Wernicke's ESU enumeration: a set is grown only from its lowest-numbered vertex, and
    only by vertices that are new neighbours of the vertex just added, which makes each set reachable
    along exactly one path. Because weights are not negative, a set heavier than `max_weight` cannot
    lead to a lighter one, so its whole branch is skipped; that keeps national enumeration cheap.
    """
    if max_size < 1:
        return
    vertex_count = len(neighbours)
    if weights is None:
        weights = [0] * vertex_count
    limit = max_weight if max_weight is not None else sum(weights)
    neighbour_sets = [frozenset(vertex_neighbours) for vertex_neighbours in neighbours]

    def extend(
        members: list[int], member_set: set[int], frontier: list[int], weight: int, root: int
    ) -> Iterator[tuple[int, ...]]:
        yield tuple(sorted(members))
        if len(members) == max_size:
            return
        frontier = list(frontier)
        while frontier:
            added = frontier.pop()
            new_weight = weight + weights[added]
            if new_weight > limit:
                continue
            exclusive = [
                vertex
                for vertex in neighbours[added]
                if vertex > root
                and vertex not in member_set
                and not any(vertex in neighbour_sets[m] for m in members)
            ]
            members.append(added)
            member_set.add(added)
            yield from extend(members, member_set, frontier + exclusive, new_weight, root)
            members.pop()
            member_set.discard(added)

    for root in range(vertex_count):
        if weights[root] > limit:
            continue
        frontier = [vertex for vertex in neighbours[root] if vertex > root]
        yield from extend([root], {root}, frontier, weights[root], root)


def enumerate_candidates(
    adjacency: Mapping[str, frozenset[str]],
    populations: Mapping[str, int],
    needs: Mapping[str, float],
    population_range: PopulationRange,
    max_lsoas: int = DEFAULT_MAX_LSOAS,
) -> list[CandidatePatch]:
    """All candidate patches made of LSOAs that have a need figure.

    LSOAs missing from `needs` (for example excluded because a placement already covers them) are
    left out of the graph, so no patch includes them or reaches across them.
    """
    if max_lsoas < 1:
        raise PlanningInputError("A patch must be allowed at least one LSOA.")
    codes = sorted(code for code in needs if populations.get(code, 0) <= population_range.maximum)
    index = {code: position for position, code in enumerate(codes)}
    neighbours = [
        sorted(index[other] for other in adjacency.get(code, ()) if other in index)
        for code in codes
    ]
    weights = [populations[code] for code in codes]
    candidates = []
    for subset in connected_subsets(neighbours, max_lsoas, weights, population_range.maximum):
        population = sum(weights[i] for i in subset)
        if population < population_range.minimum:
            continue
        candidates.append(
            CandidatePatch(
                lsoas=tuple(codes[i] for i in subset),
                population=population,
                need=sum(needs[codes[i]] for i in subset),
            )
        )
    return candidates
