"""From what an organiser knows about where a conversation happened to the areas it counts in.

A postcode, a street or a point becomes an LSOA and, through it, a ward, a neighbourhood and an
authority, using :func:`commonground.places.lookup.locate` for points. There is no national postcode
file in the repository: postcodes come from the council's own table (:class:`~.models.Postcode`,
loaded with ``load_postcodes`` from an ONS Postcode Directory extract) and, failing that, from the
postcodes of GP practices that the open data places on the map.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from commonground.places.lookup import locate
from commonground.places.models import GpPractice, LocalAuthority, Lsoa, Neighbourhood, Ward

from .models import PlacePrecision, Postcode, Street

POSTCODE_PATTERN = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2}$")


class PlaceNotFound(Exception):
    """The place given cannot be put on the map; ``field`` says which input was at fault."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def normalise_postcode(text: str) -> str | None:
    """``"ba21ab "`` → ``"BA2 1AB"``; None when it is not shaped like a UK postcode."""
    compact = re.sub(r"\s+", "", text or "").upper()
    if not POSTCODE_PATTERN.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


@dataclass(frozen=True)
class ResolvedPlace:
    lsoa: Lsoa | None
    ward: Ward | None
    neighbourhood: Neighbourhood | None
    authority: LocalAuthority | None
    precision: str
    lon: float | None = None
    lat: float | None = None
    postcode: str = ""
    street: str = ""

    @property
    def label(self) -> str:
        parts = [p for p in (self.neighbourhood, self.ward, self.authority) if p is not None]
        return ", ".join(str(p) for p in parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "postcode": self.postcode,
            "lsoa": self.lsoa.code if self.lsoa else None,
            "lsoa_name": self.lsoa.name if self.lsoa else None,
            "ward": self.ward.name if self.ward else None,
            "neighbourhood": self.neighbourhood.name if self.neighbourhood else None,
            "authority": self.authority.name if self.authority else None,
        }


NOWHERE = ResolvedPlace(None, None, None, None, PlacePrecision.NONE)


def postcode_point(postcode: str) -> tuple[float, float, int | None] | None:
    """(lon, lat, LSOA id if known) for a normalised postcode, or None when it is not known here."""
    row = Postcode.objects.filter(code=postcode).values_list("lon", "lat", "lsoa_id").first()
    if row is not None:
        return row
    practice = (
        GpPractice.objects.filter(postcode=postcode, lon__isnull=False, lat__isnull=False)
        .values_list("lon", "lat", "lsoa_id")
        .first()
    )
    return practice


def _neighbourhood_for(lsoa: Lsoa, preferred: Iterable[int]) -> Neighbourhood | None:
    """The organiser's own neighbourhood containing the LSOA if there is one, else the first by name."""
    candidates = list(lsoa.neighbourhoods.order_by("name"))
    preferred_ids = set(preferred)
    for neighbourhood in candidates:
        if neighbourhood.pk in preferred_ids:
            return neighbourhood
    return candidates[0] if candidates else None


def _from_lsoa(
    lsoa: Lsoa, *, precision: str, preferred: Iterable[int], **point: Any
) -> ResolvedPlace:
    return ResolvedPlace(
        lsoa=lsoa,
        ward=lsoa.ward,
        neighbourhood=_neighbourhood_for(lsoa, preferred),
        authority=lsoa.authority,
        precision=precision,
        **point,
    )


def _lsoa_at(lon: float, lat: float) -> Lsoa | None:
    found = locate(lon, lat)
    if found is None:
        return None
    return Lsoa.objects.select_related("ward", "authority").get(code=found.lsoa_code)


def find_street(text: str) -> Street | None:
    name, _comma, locality = (part.strip() for part in text.partition(","))
    streets = Street.objects.filter(name__iexact=name)
    if locality:
        streets = streets.filter(locality__iexact=locality)
    return streets.order_by("locality").first()


def resolve_place(
    *,
    postcode: str = "",
    street: str = "",
    lon: float | None = None,
    lat: float | None = None,
    preferred_neighbourhoods: Iterable[int] = (),
) -> ResolvedPlace:
    """The areas for the most precise place given: a point, then a postcode, then a street.

    Raises :class:`PlaceNotFound` when a place was given but cannot be put on the map; returns
    :data:`NOWHERE` when none was given (a phone call, say).
    """
    preferred = list(preferred_neighbourhoods)
    if lon is not None and lat is not None:
        lsoa = _lsoa_at(lon, lat)
        if lsoa is None:
            raise PlaceNotFound(_("That point is outside the areas on the map."), field="point")
        return _from_lsoa(
            lsoa, precision=PlacePrecision.POINT, preferred=preferred, lon=lon, lat=lat
        )
    if postcode.strip():
        code = normalise_postcode(postcode)
        if code is None:
            raise PlaceNotFound(
                _("Enter a full postcode, like BA2 1AB."),
                field="postcode",
            )
        point = postcode_point(code)
        if point is None:
            raise PlaceNotFound(
                _("%(postcode)s is not a postcode we know. Try the street instead.")
                % {"postcode": code},
                field="postcode",
            )
        point_lon, point_lat, lsoa_id = point
        lsoa = (
            Lsoa.objects.select_related("ward", "authority").get(pk=lsoa_id)
            if lsoa_id
            else _lsoa_at(point_lon, point_lat)
        )
        if lsoa is None:
            raise PlaceNotFound(
                _("%(postcode)s is outside the areas on the map.") % {"postcode": code},
                field="postcode",
            )
        return _from_lsoa(
            lsoa,
            precision=PlacePrecision.POSTCODE,
            preferred=preferred,
            lon=point_lon,
            lat=point_lat,
            postcode=code,
        )
    if street.strip():
        found = find_street(street)
        if found is None or found.lsoa_id is None:
            raise PlaceNotFound(
                _("We do not know a street called %(street)s. Try the postcode instead.")
                % {"street": street.strip()},
                field="street",
            )
        lsoa = Lsoa.objects.select_related("ward", "authority").get(pk=found.lsoa_id)
        return _from_lsoa(
            lsoa,
            precision=PlacePrecision.STREET,
            preferred=preferred,
            lon=found.lon,
            lat=found.lat,
            street=str(found),
        )
    return NOWHERE


class PostcodeBook:
    """Postcodes resolved in bulk for imports: one query for the lot, not one per row."""

    def __init__(self, postcodes: Iterable[str]) -> None:
        wanted = {code for code in postcodes if code}
        self._found: dict[str, tuple[float, float, int | None]] = {}
        codes = sorted(wanted)
        for start in range(0, len(codes), 900):
            chunk = codes[start : start + 900]
            for code, lon, lat, lsoa_id in Postcode.objects.filter(code__in=chunk).values_list(
                "code", "lon", "lat", "lsoa_id"
            ):
                self._found[code] = (lon, lat, lsoa_id)
        missing = [code for code in codes if code not in self._found]
        for start in range(0, len(missing), 900):
            chunk = missing[start : start + 900]
            for code, lon, lat, lsoa_id in GpPractice.objects.filter(
                postcode__in=chunk, lon__isnull=False
            ).values_list("postcode", "lon", "lat", "lsoa_id"):
                self._found.setdefault(code, (lon, lat, lsoa_id))
        for code, (lon, lat, lsoa_id) in list(self._found.items()):
            if lsoa_id is None:
                located = locate(lon, lat)
                lsoa_id = (
                    Lsoa.objects.filter(code=located.lsoa_code).values_list("pk", flat=True).first()
                    if located
                    else None
                )
                if lsoa_id is None:
                    del self._found[code]
                else:
                    self._found[code] = (lon, lat, lsoa_id)

    def get(self, postcode: str) -> tuple[float, float, int] | None:
        found = self._found.get(postcode)
        return found  # type: ignore[return-value]
