"""Filling the postcode table: from an ONSPD-style extract, and synthetic postcodes for the demo."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from commonground.core.audit import audit_record
from commonground.places.lookup import get_lookup
from commonground.places.models import Lsoa

from .geography import normalise_postcode
from .models import Postcode


@dataclass
class LoadSummary:
    loaded: int = 0
    placed: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


@transaction.atomic
def load_postcodes(
    rows: Iterable[dict[str, str]], *, source: str = Postcode.Source.ONSPD
) -> LoadSummary:
    """Insert or update postcodes from rows with ``pcds``, ``lat`` and ``long``; safe to rerun."""
    summary = LoadSummary()
    lookup = get_lookup()
    lsoa_ids = dict(Lsoa.objects.exclude(boundary="").values_list("code", "pk"))
    parsed: dict[str, Postcode] = {}
    for number, row in enumerate(rows, start=2):
        if (row.get("doterm") or "").strip():
            summary.skipped += 1
            continue
        code = normalise_postcode(row.get("pcds", ""))
        try:
            lat, lon = float(row.get("lat", "")), float(row.get("long", ""))
        except ValueError:
            lat = lon = None  # type: ignore[assignment]
        if code is None or lat is None or not (-90 <= lat <= 90) or lat == 99.999999:
            summary.skipped += 1
            summary.problems.append(f"row {number}: no usable postcode or point")
            continue
        lsoa_code = lookup.lsoa_code_at(lon, lat)
        parsed[code] = Postcode(
            code=code, lon=lon, lat=lat, lsoa_id=lsoa_ids.get(lsoa_code or ""), source=source
        )
    existing = dict(Postcode.objects.filter(code__in=list(parsed)).values_list("code", "pk"))
    updates = []
    for code, postcode in parsed.items():
        if code in existing:
            postcode.pk = existing[code]
            updates.append(postcode)
    Postcode.objects.bulk_update(updates, ["lon", "lat", "lsoa", "source"], batch_size=2000)
    Postcode.objects.bulk_create(
        [p for code, p in parsed.items() if code not in existing], batch_size=2000
    )
    summary.loaded = len(parsed)
    summary.placed = sum(1 for p in parsed.values() if p.lsoa_id)
    audit_record(
        actor=None,
        action="postcodes.load",
        object_type="listening.postcode",
        object_repr=f"{summary.loaded} postcodes",
        changes={"loaded": summary.loaded, "placed": summary.placed, "source": source},
    )
    return summary


_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def synthetic_postcode(area_number: int, index: int) -> str:
    """``ZZ<n> <d><L><L>``: shaped like a postcode, but ZZ is no real postcode area."""
    digit, rest = divmod(index, len(_INWARD_LETTERS) ** 2)
    first, second = divmod(rest, len(_INWARD_LETTERS))
    return f"ZZ{area_number} {digit % 10}{_INWARD_LETTERS[first]}{_INWARD_LETTERS[second]}"


@transaction.atomic
def seed_synthetic_postcodes(authority_codes: dict[str, int]) -> int:
    """One synthetic postcode at the centroid of every mapped LSOA of these authorities.

    ``authority_codes`` maps an authority code to the digit after ZZ, e.g. ``{"E06000022": 1}``.
    """
    wanted: list[Postcode] = []
    for authority_code, area_number in authority_codes.items():
        lsoas = (
            Lsoa.objects.filter(authority__code=authority_code)
            .exclude(boundary="")
            .order_by("code")
        )
        for index, lsoa in enumerate(lsoas):
            wanted.append(
                Postcode(
                    code=synthetic_postcode(area_number, index),
                    lon=lsoa.centroid_lon,
                    lat=lsoa.centroid_lat,
                    lsoa=lsoa,
                    source=Postcode.Source.SYNTHETIC,
                )
            )
    existing = set(
        Postcode.objects.filter(code__in=[p.code for p in wanted]).values_list("code", flat=True)
    )
    fresh = [p for p in wanted if p.code not in existing]
    Postcode.objects.bulk_create(fresh, batch_size=2000)
    return len(fresh)
