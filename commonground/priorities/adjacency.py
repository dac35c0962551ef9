"""Which LSOAs are neighbours, so that a patch is one walkable piece of town.

The published boundaries are generalised (to about 20 m) and clipped to the coast, so neighbours do
not always share their edges exactly and LSOAs meeting only at a corner can look as if they touch for
a few metres. The rule here therefore works in metres: two LSOAs are neighbours when their
boundaries run within `tolerance_m` of each other for at least `min_contact_m`. On the 1,311
B&NES, Exeter and neighbouring boundaries, pairs sharing no stretch of edge (corners and near
misses) never yield more than 26 m of boundary within 5 m, while every pair sharing 20 m or more of
edge yields at least 31 m; 30 m separates the two, leaving out only shared edges shorter than the
generalisation itself.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from commonground.priorities.need import data_file

BOUNDARY_FILE = ("boundaries", "lsoa2011_bgc_banes_exeter.geojson")
EARTH_RADIUS_M = 6_371_008.8
DEFAULT_TOLERANCE_M = 5.0
DEFAULT_MIN_CONTACT_M = 30.0

Adjacency = Mapping[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class LsoaBoundary:
    """An LSOA polygon in WGS84 longitude/latitude."""

    code: str
    authority_code: str
    geometry: BaseGeometry


@dataclass(frozen=True, slots=True)
class BoundaryContact:
    """How long two LSOAs' boundaries stay within the tolerance of each other, in metres."""

    code_a: str
    code_b: str
    contact_m: float


def load_lsoa_boundaries(
    base_dir: Path | None = None,
    authority_codes: Collection[str] | None = None,
    file_name: str = BOUNDARY_FILE[1],
) -> list[LsoaBoundary]:
    """Read the 2011 LSOA generalised clipped boundaries, sorted by code."""
    path = data_file(BOUNDARY_FILE[0], file_name, base_dir=base_dir)
    wanted = set(authority_codes) if authority_codes is not None else None
    with path.open(encoding="utf-8") as handle:
        collection = json.load(handle)
    boundaries = [
        LsoaBoundary(
            code=feature["properties"]["lsoa11cd"],
            authority_code=feature["properties"]["lad19cd"],
            geometry=shape(feature["geometry"]),
        )
        for feature in collection["features"]
        if wanted is None or feature["properties"]["lad19cd"] in wanted
    ]
    boundaries.sort(key=lambda boundary: boundary.code)
    return boundaries


def project_to_metres(geometries: Sequence[BaseGeometry]) -> list[BaseGeometry]:
    """Equirectangular projection about the centre of the geometries' bounding box.

    Across one authority (a few tens of kilometres) the east-west scale error stays well under 1 %,
    so a 5 m tolerance is within a few centimetres of 5 m; no projection library is needed.
    """
    if not geometries:
        return []
    min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(np.asarray(geometries, dtype=object))
    centre_lon = (min_lon + max_lon) / 2
    centre_lat = (min_lat + max_lat) / 2
    metres_per_degree = math.pi / 180 * EARTH_RADIUS_M
    x_scale = metres_per_degree * math.cos(math.radians(centre_lat))

    def to_metres(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(
            [
                (coords[:, 0] - centre_lon) * x_scale,
                (coords[:, 1] - centre_lat) * metres_per_degree,
            ]
        )

    return list(shapely.transform(np.asarray(geometries, dtype=object), to_metres))


def boundary_contacts(
    boundaries: Sequence[LsoaBoundary], *, tolerance_m: float = DEFAULT_TOLERANCE_M
) -> list[BoundaryContact]:
    """Contact length for every pair of LSOAs in the same authority closer than the tolerance.

    The contact is the length of one boundary lying within the tolerance of the other polygon,
    taking the smaller of the two ways round so that the measure is symmetric.
    """
    if tolerance_m <= 0:
        raise ValueError("The touching tolerance must be more than zero metres.")
    by_authority: dict[str, list[LsoaBoundary]] = defaultdict(list)
    for boundary in boundaries:
        by_authority[boundary.authority_code].append(boundary)
    contacts: list[BoundaryContact] = []
    for members in by_authority.values():
        contacts.extend(_contacts_within(members, tolerance_m))
    return contacts


def _contacts_within(
    boundaries: Sequence[LsoaBoundary], tolerance_m: float
) -> Iterable[BoundaryContact]:
    geometries = np.asarray(project_to_metres([b.geometry for b in boundaries]), dtype=object)
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="dwithin", distance=tolerance_m)
    pair = left < right
    left, right = left[pair], right[pair]
    if left.size == 0:
        return []
    outlines = shapely.boundary(geometries)
    reach = shapely.buffer(geometries, tolerance_m)
    left_near_right = shapely.length(shapely.intersection(outlines[left], reach[right]))
    right_near_left = shapely.length(shapely.intersection(outlines[right], reach[left]))
    contact = np.minimum(left_near_right, right_near_left)
    return [
        BoundaryContact(boundaries[i].code, boundaries[j].code, float(length))
        for i, j, length in zip(left.tolist(), right.tolist(), contact.tolist(), strict=True)
    ]


def lsoa_adjacency(
    boundaries: Sequence[LsoaBoundary],
    *,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    min_contact_m: float = DEFAULT_MIN_CONTACT_M,
) -> dict[str, frozenset[str]]:
    """Neighbours of every LSOA (isolated ones map to an empty set); never across authorities.

    Patches are planned within one authority, so pairs in different authorities are not compared.
    """
    neighbours: dict[str, set[str]] = {boundary.code: set() for boundary in boundaries}
    for contact in boundary_contacts(boundaries, tolerance_m=tolerance_m):
        if contact.contact_m >= min_contact_m:
            neighbours[contact.code_a].add(contact.code_b)
            neighbours[contact.code_b].add(contact.code_a)
    return {code: frozenset(found) for code, found in neighbours.items()}


def load_adjacency(
    base_dir: Path | None = None, authority_codes: Collection[str] | None = None
) -> dict[str, frozenset[str]]:
    """Adjacency of the LSOAs in the published boundary file with the default rule."""
    return lsoa_adjacency(load_lsoa_boundaries(base_dir, authority_codes))
