from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from commonground.places.models import Lsoa
from commonground.programme.demo import demo_load as programme_demo_load

from ..counting import residents_listened_to, residents_listened_to_from_scratch
from ..demo import demo_load
from ..geography import normalise_postcode, resolve_place
from ..models import CanvassAssignment, ConsentTier, Conversation, Postcode, Resident
from ..postcodes import synthetic_postcode


def test_synthetic_postcodes_are_well_formed_and_not_real_areas() -> None:
    codes = {synthetic_postcode(1, index) for index in range(1200)}
    assert len(codes) == 1200
    assert all(normalise_postcode(code) == code and code.startswith("ZZ1 ") for code in codes)


def test_load_postcodes_from_an_onspd_extract(db: Any, tmp_path: Path) -> None:
    lsoa = Lsoa.objects.get(code="E01014448")
    path = tmp_path / "onspd.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pcds", "lat", "long", "doterm"])
        writer.writerow(["ZZ1 7AB", lsoa.centroid_lat, lsoa.centroid_lon, ""])
        writer.writerow(["ZZ1 7AD", 51.5, -0.12, ""])
        writer.writerow(["ZZ1 7AE", lsoa.centroid_lat, lsoa.centroid_lon, "201901"])
        writer.writerow(["nonsense", "x", "y", ""])
    call_command("load_postcodes", str(path))
    inside = Postcode.objects.get(code="ZZ1 7AB")
    assert inside.lsoa == lsoa and inside.source == Postcode.Source.ONSPD
    assert Postcode.objects.get(code="ZZ1 7AD").lsoa is None, "kept, but outside the mapped areas"
    assert not Postcode.objects.filter(code="ZZ1 7AE").exists(), "terminated postcodes are skipped"
    assert resolve_place(postcode="zz17ab").lsoa == lsoa
    call_command("load_postcodes", str(path))
    assert Postcode.objects.filter(code__startswith="ZZ1 7").count() == 2


def test_load_postcodes_refuses_a_file_without_the_columns(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("postcode,x,y\nBA1 1AA,1,2\n")
    with pytest.raises(CommandError):
        call_command("load_postcodes", str(path))


def test_demo_is_synthetic_reproducible_and_idempotent(db: Any) -> None:
    programme_demo_load()
    summary = demo_load(scale=0.05)
    assert "synthetic conversations" in summary
    conversations = Conversation.objects.all()
    count = conversations.count()
    assert count > 100
    assert residents_listened_to(conversations) == residents_listened_to_from_scratch(conversations)
    assert (
        conversations.filter(source="paper").exists()
        and conversations.filter(source="offline").exists()
    )
    assert conversations.filter(version=2).count() == 5
    assert conversations.filter(consent_tier=ConsentTier.SHAREABLE).exists()
    assert not conversations.filter(
        special_category=True, resident__isnull=False, special_category_consent=False
    ).exists()
    assert all(r.email.endswith("@residents.example") for r in Resident.objects.exclude(email=""))
    assert all(r.phone.startswith("07700 900") for r in Resident.objects.exclude(phone=""))
    assert CanvassAssignment.objects.count() == 4
    first_text = conversations.order_by("client_id").values_list("concerns", flat=True).first()
    assert demo_load(scale=0.05) == "synthetic conversations already loaded"
    assert Conversation.objects.count() == count
    assert (
        conversations.order_by("client_id").values_list("concerns", flat=True).first() == first_text
    )
