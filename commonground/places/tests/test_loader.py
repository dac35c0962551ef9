"""The loader on the real open data, and on broken copies of it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from commonground.core.models import AuditEvent
from commonground.places.loader import (
    IMD_FILE,
    LSOA_BOUNDARY_FILE,
    POPULATION_FILE,
    PlacesLoadError,
    load_places,
)
from commonground.places.models import GpPractice, LocalAuthority, Lsoa, Ward

pytestmark = pytest.mark.django_db


def test_real_data_counts() -> None:
    # Loaded once per test database by the session fixture, from the project's own data/ folder.
    assert Lsoa.objects.count() == 32844
    assert Lsoa.objects.filter(authority__code="E06000022").count() == 115
    assert Lsoa.objects.filter(authority__code="E07000041").count() == 74
    assert Ward.objects.filter(authority__code="E06000022").count() == 33
    assert Lsoa.objects.exclude(boundary="").count() == 189
    assert not Lsoa.objects.filter(population__isnull=True).exists()
    assert not Lsoa.objects.filter(
        authority__code__in=["E06000022", "E07000041"], ward__isnull=True
    ).exists()
    assert LocalAuthority.objects.count() == 317
    assert GpPractice.objects.filter(lsoa__isnull=False).exists()


def test_values_match_the_published_files() -> None:
    lsoa = Lsoa.objects.get(code="E01014370")
    assert lsoa.name == "Bath and North East Somerset 007A"
    assert lsoa.imd_rank == 12188
    assert lsoa.imd_decile == 4
    assert lsoa.imd_score == pytest.approx(22.795)
    assert lsoa.population == 1938
    assert lsoa.ward.name == "Kingsmead"
    first = Lsoa.objects.get(code="E01000001")
    assert (first.imd_rank, first.income_decile, first.rural_urban_code) == (29199, 10, "A1")
    assert first.boundary == ""


def test_every_banes_ward_has_the_council_boundary() -> None:
    assert (
        Ward.objects.filter(authority__code="E06000022")
        .exclude(boundary_source="council ward boundary")
        .count()
        == 0
    )
    assert (
        Ward.objects.filter(authority__code="E07000041", boundary_source="union of LSOAs").count()
        == 13
    )


def test_second_run_is_idempotent() -> None:
    before = (
        LocalAuthority.objects.count(),
        Ward.objects.count(),
        Lsoa.objects.count(),
        GpPractice.objects.count(),
    )
    summary = load_places(data_dir=settings.DATA_DIR)
    after = (
        LocalAuthority.objects.count(),
        Ward.objects.count(),
        Lsoa.objects.count(),
        GpPractice.objects.count(),
    )
    assert before == after
    assert summary.lsoas == 32844
    assert AuditEvent.objects.filter(action="places.load").exists()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(
        settings.DATA_DIR, target, ignore=shutil.ignore_patterns("standards", "reports_fixmystreet")
    )
    return target


def _rewrite(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _snapshot() -> tuple[Any, ...]:
    lsoa = Lsoa.objects.get(code="E01014370")
    return (Lsoa.objects.count(), Ward.objects.count(), lsoa.imd_rank, lsoa.population, lsoa.name)


def _assert_refused(data_dir: Path, *fragments: str) -> None:
    before = _snapshot()
    with pytest.raises(PlacesLoadError) as raised:
        load_places(data_dir=data_dir)
    for fragment in fragments:
        assert fragment in str(raised.value)
    assert _snapshot() == before


def test_missing_file_names_it(data_copy: Path) -> None:
    (data_copy / POPULATION_FILE).unlink()
    _assert_refused(data_copy, POPULATION_FILE, "not found")


def test_missing_column_names_file_and_column(data_copy: Path) -> None:
    _rewrite(data_copy / IMD_FILE, "imd_score_derived", "imd_score")
    _assert_refused(data_copy, IMD_FILE, "imd_score_derived")


def test_malformed_code_names_row_and_column(data_copy: Path) -> None:
    _rewrite(data_copy / IMD_FILE, "\nE01000002,", "\nX01000002,")
    _assert_refused(data_copy, IMD_FILE, "row 3", "column lsoa11cd", "X01000002")


def test_bad_number_names_row_and_column(data_copy: Path) -> None:
    # Change the population of the LSOA we compare, so a partial write would show.
    _rewrite(data_copy / POPULATION_FILE, "E01014370,1938", "E01014370,many")
    _assert_refused(data_copy, POPULATION_FILE, "column all_ages_mid2017", "'many'")


def test_broken_geojson_is_refused(data_copy: Path) -> None:
    (data_copy / LSOA_BOUNDARY_FILE).write_text(
        '{"type": "FeatureCollection", "features": [', encoding="utf-8"
    )
    _assert_refused(data_copy, LSOA_BOUNDARY_FILE, "not valid JSON")


def test_a_late_error_leaves_an_empty_database_empty(data_copy: Path) -> None:
    Lsoa.objects.all().delete()
    LocalAuthority.objects.all().delete()
    _rewrite(data_copy / LSOA_BOUNDARY_FILE, '"lsoa11cd":"E01014370"', '"lsoa11cd":"E0101437"')
    with pytest.raises(PlacesLoadError, match="feature"):
        load_places(data_dir=data_copy)
    assert Lsoa.objects.count() == 0
    assert LocalAuthority.objects.count() == 0


def test_command_reports_counts_and_errors(data_copy: Path, capsys: Any) -> None:
    from django.core.management import CommandError, call_command

    call_command("load_places", "--data", str(data_copy))
    assert "32,844 LSOAs" in capsys.readouterr().out
    (data_copy / IMD_FILE).unlink()
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command("load_places", "--data", str(data_copy))
