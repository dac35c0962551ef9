"""The demo survives a backup and a restore into a fresh database, table by table and file by file."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import Site, empty_site


def _tables(site: Site) -> list[str]:
    if site.vendor == "postgresql":
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
    connection = site.connect()
    try:
        return [row[0] for row in connection.execute(sql).fetchall()]
    finally:
        connection.close()


def table_contents(site: Site) -> dict[str, tuple[int, str]]:
    """Row count and a digest of every table, computed by the database itself where it can.

    Independent of the backup code on purpose: PostgreSQL renders each row as text and hashes the
    sorted rows; SQLite's rows are sorted and hashed here.
    """
    result: dict[str, tuple[int, str]] = {}
    connection = site.connect()
    try:
        for table in _tables(site):
            if site.vendor == "postgresql":
                count, digest = connection.execute(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t"
                ).fetchone()
            else:
                rows = sorted(repr(row) for row in connection.execute(f'SELECT * FROM "{table}"'))
                count, digest = len(rows), hashlib.md5("\n".join(rows).encode()).hexdigest()
            result[table] = (count, digest)
    finally:
        connection.close()
    return result


def folder_contents(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_the_demo_round_trips_through_backup_and_restore(demo_site: Site, tmp_path: Path) -> None:
    before = table_contents(demo_site)
    assert before["listening_conversation"][0] > 100, "the demo should hold conversations"
    assert before["django_migrations"][0] > 0
    files_before = folder_contents(demo_site.var_dir / "private")
    assert files_before, "the demo should have stored at least one private file"

    made = demo_site.manage("backup", "--output", str(tmp_path / "backups"))
    assert made.returncode == 0, made.stderr
    folder = Path(made.stdout.strip().splitlines()[-1])
    manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    assert manifest["engine"] == demo_site.vendor
    assert set(manifest["tables"]) == set(before)
    assert {name: t["rows"] for name, t in manifest["tables"].items()} == {
        name: count for name, (count, _digest) in before.items()
    }
    assert any(m.startswith("listening.") for m in manifest["migrations"])

    for target in empty_site(demo_site.vendor, tmp_path / "restored"):
        restored = target.manage("restore", str(folder))
        assert restored.returncode == 0, restored.stderr
        assert "every count and checksum matches" in restored.stdout
        assert table_contents(target) == before
        assert folder_contents(target.var_dir / "private") == files_before
        assert folder_contents(target.var_dir / "insight") == folder_contents(
            demo_site.var_dir / "insight"
        )

        again = target.manage("restore", str(folder))
        assert again.returncode != 0
        assert "not empty" in again.stderr

        forced = target.manage("restore", "--force", str(folder))
        assert forced.returncode == 0, forced.stderr
        assert table_contents(target) == before

        # The restored site works: its own checks pass and it counts what the demo holds.
        stats = target.manage("stats", "--json")
        assert stats.returncode == 0, stats.stderr
        assert json.loads(stats.stdout)["organisations"] == before["programme_organisation"][0]


def test_a_damaged_backup_is_refused_before_anything_is_written(
    demo_site: Site, tmp_path: Path
) -> None:
    made = demo_site.manage("backup", "--output", str(tmp_path / "backups"))
    assert made.returncode == 0, made.stderr
    folder = Path(made.stdout.strip().splitlines()[-1])
    dump = next(p for p in folder.iterdir() if p.name.startswith("database."))
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    for target in empty_site(demo_site.vendor, tmp_path / "restored"):
        refused = target.manage("restore", str(folder))
        assert refused.returncode != 0
        assert "damaged" in refused.stderr
        assert _tables(target) == []
        assert not (target.var_dir / "private").exists()


pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
