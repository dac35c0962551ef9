"""Graph checks for the tests, written independently of the code under test."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

BANES = "E06000022"
EXETER = "E07000041"


def connected_cluster(adjacency: Mapping[str, frozenset[str]], start: str, size: int) -> list[str]:
    """The first `size` LSOAs reached breadth-first from `start`, in code order at each step."""
    cluster = [start]
    seen = {start}
    position = 0
    while len(cluster) < size and position < len(cluster):
        for neighbour in sorted(adjacency[cluster[position]]):
            if neighbour not in seen and len(cluster) < size:
                seen.add(neighbour)
                cluster.append(neighbour)
        position += 1
    return cluster


def induced(
    adjacency: Mapping[str, frozenset[str]], codes: Sequence[str]
) -> dict[str, frozenset[str]]:
    members = set(codes)
    return {code: adjacency[code] & members for code in codes}


def is_connected(codes: Sequence[str], adjacency: Mapping[str, frozenset[str]]) -> bool:
    members = set(codes)
    reached = {codes[0]}
    frontier = [codes[0]]
    while frontier:
        for neighbour in adjacency[frontier.pop()] & members:
            if neighbour not in reached:
                reached.add(neighbour)
                frontier.append(neighbour)
    return reached == members
