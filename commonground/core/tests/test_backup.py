from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from commonground.core import backup
from commonground.core.backup import BackupError, compare_tables, fingerprint_rows


def test_a_checksum_ignores_row_order_but_not_contents() -> None:
    rows = [(1, "Whiteway", None), (2, "Radstock", 3.5), (3, "Keynsham", b"\x00\x01")]
    same = fingerprint_rows(reversed(rows))
    assert fingerprint_rows(rows) == same
    assert same.rows == 3
    changed = fingerprint_rows(
        [(1, "Whiteway", None), (2, "Radstock", 3.5), (3, "Keynsham", b"\x00\x02")]
    )
    assert changed.rows == 3 and changed.checksum != same.checksum
    doubled = fingerprint_rows([*rows, rows[0]])
    assert doubled.rows == 4 and doubled.checksum != same.checksum
    assert fingerprint_rows([(memoryview(b"ab"),)]) == fingerprint_rows([(b"ab",)])


def test_compare_tables_names_every_difference() -> None:
    saved = {
        "a": {"rows": 1, "checksum": "x"},
        "b": {"rows": 2, "checksum": "y"},
        "c": {"rows": 3, "checksum": "z"},
        "gone": {"rows": 0, "checksum": "0"},
    }
    found = {
        "a": {"rows": 1, "checksum": "x"},
        "b": {"rows": 1, "checksum": "y"},
        "c": {"rows": 3, "checksum": "other"},
        "new": {"rows": 0, "checksum": "0"},
    }
    assert compare_tables(saved, found) == [
        "b: 2 rows saved, 1 now",
        "c: same row count but different contents",
        "gone: missing after restore",
        "new: not in the backup",
    ]
    assert compare_tables(saved, saved) == []


def _point_roots_at(settings: Any, base: Path) -> dict[str, Path]:
    settings.MEDIA_ROOT = base / "media"
    settings.ACTION_PRIVATE_ROOT = base / "private" / "action"
    settings.FUNDING_PRIVATE_ROOT = base / "private" / "funding"
    settings.INSIGHT_MODEL_DIR = base / "insight" / "taggers"
    return backup.file_roots()


def test_file_folders_round_trip_and_a_full_folder_is_not_overwritten(
    settings: Any, tmp_path: Path
) -> None:
    source = _point_roots_at(settings, tmp_path / "source")
    (source["action_private"] / "photos").mkdir(parents=True)
    (source["action_private"] / "photos" / "a.png").write_bytes(b"\x89PNG fake")
    source["funding_private"].mkdir(parents=True)
    (source["funding_private"] / "budget.pdf").write_bytes(b"%PDF fake")
    archive = tmp_path / "files.tar.gz"
    backup._write_files_archive(source, archive)
    expected = backup.files_fingerprint(source)
    assert expected["action_private"]["files"] == 1 and expected["media"]["files"] == 0

    target = _point_roots_at(settings, tmp_path / "target")
    backup._restore_files(archive, target, force=False)
    assert backup.files_fingerprint(target) == expected

    (target["media"] / "stray.txt").write_text("left from before")
    with pytest.raises(BackupError, match="not empty: media"):
        backup._restore_files(archive, target, force=False)
    backup._restore_files(archive, target, force=True)
    assert backup.files_fingerprint(target) == expected
    assert not (target["media"] / "stray.txt").exists()


def test_a_damaged_or_incomplete_backup_is_refused(tmp_path: Path) -> None:
    (tmp_path / "database.dump").write_bytes(b"dump")
    (tmp_path / "files.tar.gz").write_bytes(b"files")
    manifest = {
        "format": backup.FORMAT_VERSION,
        "sha256": {
            "database.dump": backup._sha256_file(tmp_path / "database.dump"),
            "files.tar.gz": backup._sha256_file(tmp_path / "files.tar.gz"),
        },
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert backup.read_manifest(tmp_path)["format"] == backup.FORMAT_VERSION
    (tmp_path / "database.dump").write_bytes(b"dumq")
    with pytest.raises(BackupError, match=r"damaged: database\.dump"):
        backup.read_manifest(tmp_path)
    (tmp_path / "database.dump").unlink()
    with pytest.raises(BackupError, match=r"incomplete: database\.dump is missing"):
        backup.read_manifest(tmp_path)
    with pytest.raises(BackupError, match="not a backup"):
        backup.read_manifest(tmp_path / "elsewhere")


@pytest.mark.django_db
def test_the_live_database_fingerprint_sees_a_new_row() -> None:
    from commonground.programme.models import Organisation

    if connection.vendor == "sqlite":
        pytest.skip(
            "the SQLite test database is in memory; the file path is covered in tests/reliability"
        )
    before = backup.database_fingerprint()
    assert before["places_lsoa"]["rows"] > 0
    Organisation.objects.create(name="Backup Check Trust", slug="backup-check", kind="community")
    after = backup.database_fingerprint()
    assert after["programme_organisation"]["rows"] == before["programme_organisation"]["rows"] + 1
    assert compare_tables(before, after) == [
        f"programme_organisation: {before['programme_organisation']['rows']} rows saved, "
        f"{after['programme_organisation']['rows']} now"
    ]


@pytest.mark.django_db
def test_an_in_memory_sqlite_database_cannot_be_backed_up(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("only the SQLite test database is in memory")
    with pytest.raises(BackupError, match="in-memory"):
        backup.backup_create(output_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_a_task_left_running_by_a_dead_worker_is_requeued_once() -> None:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from commonground.core.recovery import interrupted_tasks, interrupted_tasks_requeue

    now = timezone.now()
    common = {
        "args_kwargs": {"args": [], "kwargs": {}},
        "backend_name": "default",
        "run_after": now,
    }
    stale = DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, started_at=now - timedelta(hours=2),
        task_path="commonground.impact.tasks.make_report_pdf", **common,
    )  # fmt: skip
    recent = DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, started_at=now - timedelta(minutes=5),
        task_path="commonground.listening.tasks.run_import", **common,
    )  # fmt: skip
    cutoff = now - timedelta(hours=1)
    assert list(interrupted_tasks(started_before=cutoff)) == [stale]
    assert interrupted_tasks_requeue(started_before=cutoff) == [stale]
    stale.refresh_from_db()
    recent.refresh_from_db()
    assert stale.status == TaskResultStatus.READY and stale.started_at is None
    assert recent.status == TaskResultStatus.RUNNING
    assert interrupted_tasks_requeue(started_before=cutoff) == []
