from __future__ import annotations

import math
from itertools import pairwise

import pytest
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from commonground.priorities.adjacency import (
    LsoaBoundary,
    boundary_contacts,
    lsoa_adjacency,
    project_to_metres,
)
from commonground.priorities.tests.support import BANES, EXETER

ORIGIN_LON, ORIGIN_LAT = -2.36, 51.38
METRES_PER_DEGREE = math.pi / 180 * 6_371_008.8


def degrees_box(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    """A rectangle given in metres east/north of a point in Bath, returned in lon/lat."""
    x_scale = METRES_PER_DEGREE * math.cos(math.radians(ORIGIN_LAT))
    return box(
        ORIGIN_LON + x0 / x_scale,
        ORIGIN_LAT + y0 / METRES_PER_DEGREE,
        ORIGIN_LON + x1 / x_scale,
        ORIGIN_LAT + y1 / METRES_PER_DEGREE,
    )


def synthetic(**shapes: Polygon) -> list[LsoaBoundary]:
    return [LsoaBoundary(code, "E00000000", shape) for code, shape in shapes.items()]


def metres(geometry: BaseGeometry, latitude: float) -> float:
    """Length in metres of a lon/lat geometry, by scaling each segment at the pair's latitude."""
    x_scale = METRES_PER_DEGREE * math.cos(math.radians(latitude))
    total = 0.0
    parts = getattr(geometry, "geoms", [geometry])
    for part in parts:
        coords = list(getattr(part, "coords", []))
        for (x0, y0), (x1, y1) in pairwise(coords):
            total += math.hypot((x1 - x0) * x_scale, (y1 - y0) * METRES_PER_DEGREE)
    return total


def test_gap_under_tolerance_along_a_side_counts_as_touching() -> None:
    adjacency = lsoa_adjacency(
        synthetic(a=degrees_box(0, 0, 200, 200), b=degrees_box(203, 0, 403, 200))
    )
    assert adjacency == {"a": frozenset({"b"}), "b": frozenset({"a"})}


def test_gap_over_tolerance_does_not_touch() -> None:
    adjacency = lsoa_adjacency(
        synthetic(a=degrees_box(0, 0, 200, 200), b=degrees_box(206, 0, 406, 200))
    )
    assert adjacency == {"a": frozenset(), "b": frozenset()}


def test_meeting_at_a_corner_is_not_adjacency() -> None:
    adjacency = lsoa_adjacency(
        synthetic(a=degrees_box(0, 0, 200, 200), b=degrees_box(200, 200, 400, 400))
    )
    assert adjacency["a"] == frozenset()


def test_a_short_stretch_within_tolerance_is_not_adjacency() -> None:
    adjacency = lsoa_adjacency(
        synthetic(a=degrees_box(0, 0, 200, 200), b=degrees_box(202, 195, 402, 395))
    )
    assert adjacency["a"] == frozenset()


def test_projection_keeps_distances_in_metres() -> None:
    [projected] = project_to_metres([degrees_box(0, 0, 300, 100)])
    assert projected.area == pytest.approx(30_000, rel=1e-3)


def test_tolerance_must_be_positive() -> None:
    with pytest.raises(ValueError, match="more than zero metres"):
        boundary_contacts(synthetic(a=degrees_box(0, 0, 1, 1)), tolerance_m=0)


def test_adjacency_is_symmetric_and_stays_within_each_authority(
    adjacency: dict[str, frozenset[str]], boundaries: list[LsoaBoundary]
) -> None:
    authority = {boundary.code: boundary.authority_code for boundary in boundaries}
    assert len(adjacency) == 115 + 74
    for code, neighbours in adjacency.items():
        assert code not in neighbours
        for neighbour in neighbours:
            assert code in adjacency[neighbour]
            assert authority[neighbour] == authority[code]
    assert all(adjacency[code] for code in adjacency)


@pytest.mark.parametrize(
    ("code_a", "code_b", "expected"),
    [
        ("E01014370", "E01014481", True),  # share about 210 m of boundary
        ("E01014370", "E01014468", True),  # share about 31 m
        ("E01014444", "E01014450", False),  # meet at a single point
        ("E01014374", "E01014380", False),  # 4.7 m apart, but only for a few metres
        ("E01019982", "E01020017", False),  # Exeter, meet at a single point
    ],
)
def test_known_pairs(
    adjacency: dict[str, frozenset[str]],
    boundaries: list[LsoaBoundary],
    code_a: str,
    code_b: str,
    expected: bool,
) -> None:
    shapes = {boundary.code: boundary.geometry for boundary in boundaries}
    a, b = shapes[code_a], shapes[code_b]
    shared = metres(a.boundary.intersection(b.boundary), a.centroid.y)
    assert (shared >= 25) is expected
    assert (code_b in adjacency[code_a]) is expected


def test_every_long_shared_edge_is_adjacency_and_no_point_contact_is(
    adjacency: dict[str, frozenset[str]], boundaries: list[LsoaBoundary]
) -> None:
    for authority in (BANES, EXETER):
        members = [b for b in boundaries if b.authority_code == authority]
        long_edges = point_contacts = 0
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                if not first.geometry.intersects(second.geometry):
                    continue
                meeting = first.geometry.boundary.intersection(second.geometry.boundary)
                shared = metres(meeting, first.geometry.centroid.y)
                if shared >= 25:
                    long_edges += 1
                    assert second.code in adjacency[first.code]
                elif meeting.geom_type in ("Point", "MultiPoint"):
                    point_contacts += 1
                    assert second.code not in adjacency[first.code]
        assert long_edges > 150
        assert point_contacts >= 3
