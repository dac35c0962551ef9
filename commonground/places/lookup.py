"""Longitude/latitude to LSOA, ward and authority, in memory.

Boundaries change once a decade, so the tree is built once per process from the database and reused;
the loader clears it after a reload.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.prepared import prep


@dataclass(frozen=True)
class Located:
    lsoa_code: str
    lsoa_name: str
    ward_code: str | None
    ward_name: str | None
    authority_code: str
    authority_name: str


class PointLookup:
    def __init__(self, codes: list[str], geometries: list) -> None:
        self.codes = codes
        self.geometries = geometries
        self.prepared = [prep(geometry) for geometry in geometries]
        self.tree = STRtree(geometries)

    @classmethod
    def from_records(cls, records: Iterable[tuple[str, str]]) -> PointLookup:
        codes: list[str] = []
        geometries = []
        for code, boundary in records:
            codes.append(code)
            geometries.append(shape(json.loads(boundary)))
        return cls(codes, geometries)

    def lsoa_code_at(self, lon: float, lat: float) -> str | None:
        point = Point(lon, lat)
        for index in self.tree.query(point):
            if self.prepared[int(index)].covers(point):
                return self.codes[int(index)]
        return None

    def __len__(self) -> int:
        return len(self.codes)


_lock = threading.Lock()
_cached: PointLookup | None = None
_details: dict[str, Located] = {}


def clear_lookup_cache() -> None:
    global _cached
    with _lock:
        _cached = None
        _details.clear()


def _build() -> PointLookup:
    from .models import Lsoa

    rows = Lsoa.objects.exclude(boundary="").values_list("code", "boundary")
    return PointLookup.from_records(rows.iterator(chunk_size=500))


def get_lookup() -> PointLookup:
    global _cached
    with _lock:
        if _cached is None:
            _cached = _build()
        return _cached


def locate(lon: float, lat: float) -> Located | None:
    """The LSOA, ward and authority containing the point, or None outside the mapped areas."""
    code = get_lookup().lsoa_code_at(lon, lat)
    if code is None:
        return None
    found = _details.get(code)
    if found is None:
        from .models import Lsoa

        lsoa = Lsoa.objects.select_related("ward", "authority").get(code=code)
        found = Located(
            lsoa_code=lsoa.code,
            lsoa_name=lsoa.name,
            ward_code=lsoa.ward.code if lsoa.ward else None,
            ward_name=lsoa.ward.name if lsoa.ward else None,
            authority_code=lsoa.authority.code,
            authority_name=lsoa.authority.name,
        )
        _details[code] = found
    return found
