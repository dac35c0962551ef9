from __future__ import annotations

from typing import Any

import pytest

from commonground.places.models import GpPractice, Lsoa

from ..geography import PlaceNotFound, PostcodeBook, normalise_postcode, resolve_place
from ..models import Street
from .support import build_world, postcode_at


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ba2 1ab", "BA2 1AB"),
        (" BA21AB ", "BA2 1AB"),
        ("bs40 8ue", "BS40 8UE"),
        ("EX4 3SR", "EX4 3SR"),
        ("W1A 0AX", "W1A 0AX"),
        ("BA2", None),
        ("BA2 1CI", None),
        ("not a postcode", None),
        ("", None),
    ],
)
def test_normalise_postcode(typed: str, expected: str | None) -> None:
    assert normalise_postcode(typed) == expected


def test_postcode_from_the_councils_table(db: Any) -> None:
    postcode_at("E01014448", "ZZ1 3AB")
    place = resolve_place(postcode="zz13ab")
    assert place.lsoa.code == "E01014448"
    assert place.authority.code == "E06000022"
    assert place.postcode == "ZZ1 3AB" and place.precision == "postcode"


def test_postcode_of_a_gp_practice_works_without_a_postcode_table(db: Any) -> None:
    practice = GpPractice.objects.exclude(lon=None).exclude(lsoa=None).first()
    place = resolve_place(postcode=practice.postcode.lower())
    assert place.lsoa == practice.lsoa


def test_point_is_located_through_the_places_lookup(db: Any) -> None:
    lsoa = Lsoa.objects.get(code="E01019990")
    place = resolve_place(lon=lsoa.centroid_lon, lat=lsoa.centroid_lat)
    assert place.lsoa == lsoa and place.authority.code == "E07000041"


def test_street_stands_for_its_point(db: Any) -> None:
    lsoa = Lsoa.objects.get(code="E01014463")
    Street.objects.create(
        name="Larkspur Close",
        locality="Whiteway",
        lon=lsoa.centroid_lon,
        lat=lsoa.centroid_lat,
        lsoa=lsoa,
    )
    assert resolve_place(street="larkspur close").lsoa == lsoa
    assert resolve_place(street="Larkspur Close, Whiteway").street == "Larkspur Close, Whiteway"


def test_the_organisers_own_neighbourhood_is_preferred(db: Any) -> None:
    postcode_at("E01014463", "ZZ1 1AB")
    first = build_world("aaa")
    second = build_world("bbb")
    assert resolve_place(postcode="ZZ1 1AB").neighbourhood == first["neighbourhood"]
    chosen = resolve_place(
        postcode="ZZ1 1AB", preferred_neighbourhoods=[second["neighbourhood"].pk]
    )
    assert chosen.neighbourhood == second["neighbourhood"]


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({"postcode": "ZZ9 9ZZ"}, "postcode"),
        ({"postcode": "nonsense"}, "postcode"),
        ({"lon": -0.1, "lat": 51.5}, "point"),
        ({"street": "Nowhere Lane"}, "street"),
    ],
)
def test_places_that_cannot_be_found(db: Any, inputs: dict[str, Any], field: str) -> None:
    with pytest.raises(PlaceNotFound) as problem:
        resolve_place(**inputs)
    assert problem.value.field == field


def test_no_place_is_allowed_for_a_phone_call(db: Any) -> None:
    place = resolve_place()
    assert place.lsoa is None and place.precision == "none"


def test_postcode_book_resolves_in_bulk(db: Any) -> None:
    postcode_at("E01014448", "ZZ1 3AB")
    practice = GpPractice.objects.exclude(lon=None).first()
    book = PostcodeBook(["ZZ1 3AB", practice.postcode, "ZZ9 9ZZ"])
    assert book.get("ZZ1 3AB")[2] == Lsoa.objects.get(code="E01014448").pk
    assert book.get(practice.postcode) is not None
    assert book.get("ZZ9 9ZZ") is None
