"""Backups that can be proved to restore: the database, the files beside it and a manifest.

A backup is a folder holding the database (``database.dump`` from ``pg_dump --format=custom`` on
PostgreSQL, ``database.sqlite3`` from SQLite's online backup on SQLite), ``files.tar.gz`` with every
folder of uploaded and generated files, and ``manifest.json``: when it was made, which migrations were
applied, and for every table its row count and a checksum of its rows. The manifest is taken from the
same snapshot as the dump, so a restore can check, table by table, that it put back exactly what was
saved; a backup whose files do not match their recorded SHA-256 is refused before anything is touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

MANIFEST = "manifest.json"
FILES_ARCHIVE = "files.tar.gz"
POSTGRES_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FORMAT_VERSION = 1
_CHECKSUM_MODULUS = 2**256


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    checksum: str


# --- fingerprints --------------------------------------------------------------------------------


def _canonical(value: Any) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes | bytearray):
        return "b:" + bytes(value).hex()
    return repr(value)


def fingerprint_rows(rows: Iterable[Sequence[Any]]) -> TableFingerprint:
    """Count the rows and sum their SHA-256 digests.

    A sum does not depend on the order the database returns rows in, so a restored table that holds
    the same rows gives the same checksum whatever its physical layout, without sorting in memory.
    """
    count = 0
    total = 0
    for row in rows:
        digest = hashlib.sha256("\x1f".join(_canonical(v) for v in row).encode()).digest()
        total = (total + int.from_bytes(digest, "big")) % _CHECKSUM_MODULUS
        count += 1
    return TableFingerprint(rows=count, checksum=f"{total:064x}")


def _iterate(cursor: Any, size: int = 2000) -> Iterable[Sequence[Any]]:
    while True:
        chunk = cursor.fetchmany(size)
        if not chunk:
            return
        yield from chunk


def user_tables(cursor: Any, vendor: str) -> list[str]:
    """Every table the application owns, by name; SQLite's own bookkeeping tables are left out."""
    if vendor == "postgresql":
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    return [row[0] for row in cursor.fetchall()]


def fingerprint_tables(cursor: Any, vendor: str) -> dict[str, TableFingerprint]:
    """Row count and checksum of every table, read through any DB-API cursor."""
    result: dict[str, TableFingerprint] = {}
    for table in user_tables(cursor, vendor):
        select = 'SELECT * FROM "{}"'.format(table.replace('"', '""'))
        if vendor == "postgresql":
            # A server-side cursor keeps memory flat on a table of millions of rows; the caller holds
            # the transaction it needs.
            cursor.execute(f"DECLARE commonground_fingerprint NO SCROLL CURSOR FOR {select}")
            result[table] = fingerprint_rows(_fetch_declared(cursor))
            cursor.execute("CLOSE commonground_fingerprint")
        else:
            cursor.execute(select)
            result[table] = fingerprint_rows(_iterate(cursor))
    return result


def _fetch_declared(cursor: Any, size: int = 5000) -> Iterable[Sequence[Any]]:
    while True:
        cursor.execute(f"FETCH FORWARD {size} FROM commonground_fingerprint")
        chunk = cursor.fetchall()
        if not chunk:
            return
        yield from chunk


def _applied_migrations(cursor: Any, tables: Iterable[str]) -> list[str]:
    if "django_migrations" not in set(tables):
        return []
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- file folders --------------------------------------------------------------------------------


def file_roots() -> dict[str, Path]:
    """The folders outside the database that a restore needs, by a stable name.

    Uploaded media, the private folders of action and funding (served only through permission
    checks) and the theme tagger's trained models, which the database refers to by folder name.
    """
    var_dir = Path(settings.VAR_DIR)
    roots = {
        "media": getattr(settings, "MEDIA_ROOT", None) or var_dir / "media",
        "action_private": getattr(settings, "ACTION_PRIVATE_ROOT", None)
        or var_dir / "private" / "action",
        "funding_private": getattr(settings, "FUNDING_PRIVATE_ROOT", None)
        or var_dir / "private" / "funding",
        "insight_models": getattr(settings, "INSIGHT_MODEL_DIR", None)
        or var_dir / "insight" / "taggers",
    }
    return {name: Path(path).resolve() for name, path in roots.items()}


def _files_under(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def files_fingerprint(roots: dict[str, Path]) -> dict[str, dict[str, Any]]:
    """Per folder: how many files and a SHA-256 over their relative paths and contents."""
    result: dict[str, dict[str, Any]] = {}
    for name, root in roots.items():
        digest = hashlib.sha256()
        files = _files_under(root)
        for path in files:
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(_sha256_file(path).encode())
        result[name] = {"files": len(files), "sha256": digest.hexdigest()}
    return result


def _write_files_archive(roots: dict[str, Path], target: Path) -> None:
    with tarfile.open(target, "w:gz") as archive:
        for name, root in roots.items():
            for path in _files_under(root):
                archive.add(path, arcname=f"{name}/{path.relative_to(root)}", recursive=False)


def _folder_has_files(root: Path) -> bool:
    return root.is_dir() and any(path.is_file() for path in root.rglob("*"))


def _restore_files(archive_path: Path, roots: dict[str, Path], *, force: bool) -> None:
    busy = [name for name, root in roots.items() if _folder_has_files(root)]
    if busy and not force:
        raise BackupError(
            f"These file folders are not empty: {', '.join(busy)}. Restore into empty folders, "
            "or pass --force to replace what is there."
        )
    with tempfile.TemporaryDirectory(prefix="commonground-restore-") as scratch:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(scratch, filter="data")
        for name, root in roots.items():
            if root.exists():
                shutil.rmtree(root)
            unpacked = Path(scratch) / name
            if unpacked.is_dir():
                root.parent.mkdir(parents=True, exist_ok=True)
                shutil.copytree(unpacked, root)
            else:
                root.mkdir(parents=True, exist_ok=True)


# --- PostgreSQL ----------------------------------------------------------------------------------


def postgres_binary(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: ``PG_BIN_DIR`` if set, the PATH, then Debian's PostgreSQL 15."""
    configured = os.environ.get("PG_BIN_DIR")
    candidates = [Path(configured) / name] if configured else []
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    candidates.append(Path("/usr/lib/postgresql/15/bin") / name)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(
        f"{name} was not found. Install the PostgreSQL 15 client (apt-get install postgresql-client-15) "
        "or set PG_BIN_DIR to the folder that holds it."
    )


def _postgres_env(alias: str) -> dict[str, str]:
    db = connections[alias].settings_dict
    env = dict(os.environ)
    mapping = {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
        "PGSSLMODE": (db.get("OPTIONS") or {}).get("sslmode"),
    }
    env.update({key: str(value) for key, value in mapping.items() if value})
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise BackupError(
            f"{Path(command[0]).name} failed (exit {finished.returncode}): "
            f"{finished.stderr.strip()[-2000:]}"
        )


def _backup_postgres(folder: Path, alias: str) -> dict[str, Any]:
    """Dump and fingerprint from one exported snapshot, so the manifest describes the dump exactly."""
    pg_dump = postgres_binary("pg_dump")
    db = connections[alias]
    db.ensure_connection()
    with db.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={folder / POSTGRES_DUMP}",
                ],
                _postgres_env(alias),
            )
            tables = fingerprint_tables(cursor, "postgresql")
            migrations = _applied_migrations(cursor, tables)
            cursor.execute("SHOW server_version")
            server_version = cursor.fetchone()[0]
        finally:
            cursor.execute("ROLLBACK")
    return {
        "engine": "postgresql",
        "server_version": server_version,
        "database_file": POSTGRES_DUMP,
        "tables": tables,
        "migrations": migrations,
    }


def _postgres_is_empty(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        return not user_tables(cursor, "postgresql")


def _restore_postgres(folder: Path, alias: str, *, force: bool) -> None:
    pg_restore = postgres_binary("pg_restore")
    command = [
        pg_restore,
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
    ]
    if force:
        command += ["--clean", "--if-exists"]
    env = _postgres_env(alias)
    connections[alias].close()
    _run([*command, f"--dbname={env.get('PGDATABASE', '')}", str(folder / POSTGRES_DUMP)], env)


# --- SQLite --------------------------------------------------------------------------------------


def _sqlite_path(alias: str) -> Path:
    name = str(connections[alias].settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(name)


def _fingerprint_sqlite_file(path: Path) -> tuple[dict[str, TableFingerprint], list[str]]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as copy:
        cursor = copy.cursor()
        tables = fingerprint_tables(cursor, "sqlite")
        return tables, _applied_migrations(cursor, tables)


def _backup_sqlite(folder: Path, alias: str) -> dict[str, Any]:
    """SQLite's online backup copies a consistent state while the site keeps running."""
    source_path = _sqlite_path(alias)
    target_path = folder / SQLITE_COPY
    with (
        closing(sqlite3.connect(source_path)) as source,
        closing(sqlite3.connect(target_path)) as target,
    ):
        source.backup(target)
        # A copy that is one self-contained file, whatever the live database's journal mode.
        target.execute("PRAGMA journal_mode=DELETE")
    target_path.chmod(0o600)
    tables, migrations = _fingerprint_sqlite_file(target_path)
    return {
        "engine": "sqlite",
        "server_version": sqlite3.sqlite_version,
        "database_file": SQLITE_COPY,
        "tables": tables,
        "migrations": migrations,
    }


def _sqlite_is_empty(alias: str) -> bool:
    path = _sqlite_path(alias)
    if not path.exists() or path.stat().st_size == 0:
        return True
    with closing(sqlite3.connect(path)) as existing:
        return not user_tables(existing.cursor(), "sqlite")


def _restore_sqlite(folder: Path, alias: str) -> None:
    target_path = _sqlite_path(alias)
    connections[alias].close()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(folder / SQLITE_COPY)) as source,
        closing(sqlite3.connect(target_path)) as target,
    ):
        source.backup(target)
        # The site opens it in WAL mode, as settings ask; the copy itself was kept self-contained.
        target.execute("PRAGMA journal_mode=WAL")


# --- the two operations --------------------------------------------------------------------------


def _vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def backup_create(*, output_dir: Path, alias: str = "default") -> Path:
    """Write a new backup folder under ``output_dir`` and return its path.

    The folder is built under a temporary name and renamed at the end, so an interrupted backup never
    looks like a finished one.
    """
    vendor = _vendor(alias)
    made_at = datetime.now(UTC)
    output_dir.mkdir(parents=True, exist_ok=True)
    final = output_dir / f"commonground-backup-{made_at:%Y%m%dT%H%M%S%fZ}"
    partial = output_dir / f".{final.name}.partial"
    partial.mkdir(mode=0o700)
    try:
        if vendor == "postgresql":
            database = _backup_postgres(partial, alias)
        else:
            database = _backup_sqlite(partial, alias)
        roots = file_roots()
        _write_files_archive(roots, partial / FILES_ARCHIVE)
        manifest = {
            "format": FORMAT_VERSION,
            "made_at": made_at.isoformat(),
            "engine": database["engine"],
            "server_version": database["server_version"],
            "migrations": database["migrations"],
            "tables": {
                name: {"rows": value.rows, "checksum": value.checksum}
                for name, value in database["tables"].items()
            },
            "files": files_fingerprint(roots),
            "sha256": {
                database["database_file"]: _sha256_file(partial / database["database_file"]),
                FILES_ARCHIVE: _sha256_file(partial / FILES_ARCHIVE),
            },
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} is not a backup: it has no {MANIFEST}.")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"This backup's format ({manifest.get('format')}) is not supported.")
    for name, expected in manifest["sha256"].items():
        if not (folder / name).is_file():
            raise BackupError(f"The backup is incomplete: {name} is missing.")
        if _sha256_file(folder / name) != expected:
            raise BackupError(f"The backup is damaged: {name} does not match its checksum.")
    return manifest


def database_fingerprint(alias: str = "default") -> dict[str, dict[str, Any]]:
    """The live database's tables as the manifest records them.

    SQLite is read through the standard library's driver, as at backup, so that values are compared
    as stored rather than as Django converts them.
    """
    vendor = _vendor(alias)
    if vendor == "sqlite":
        tables, _migrations = _fingerprint_sqlite_file(_sqlite_path(alias))
        return {name: {"rows": v.rows, "checksum": v.checksum} for name, v in tables.items()}
    db = connections[alias]
    db.ensure_connection()
    with db.cursor() as cursor:
        if db.in_atomic_block:
            tables = fingerprint_tables(cursor, vendor)
        else:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                tables = fingerprint_tables(cursor, vendor)
            finally:
                cursor.execute("ROLLBACK")
    return {name: {"rows": v.rows, "checksum": v.checksum} for name, v in tables.items()}


def compare_tables(
    expected: dict[str, dict[str, Any]], found: dict[str, dict[str, Any]]
) -> list[str]:
    """Every difference between two sets of table fingerprints, in words."""
    problems = []
    for name in sorted(set(expected) | set(found)):
        if name not in found:
            problems.append(f"{name}: missing after restore")
        elif name not in expected:
            problems.append(f"{name}: not in the backup")
        elif expected[name]["rows"] != found[name]["rows"]:
            problems.append(
                f"{name}: {expected[name]['rows']} rows saved, {found[name]['rows']} now"
            )
        elif expected[name]["checksum"] != found[name]["checksum"]:
            problems.append(f"{name}: same row count but different contents")
    return problems


def backup_restore(*, folder: Path, force: bool = False, alias: str = "default") -> dict[str, Any]:
    """Put a backup back into an empty database and empty file folders, then prove it matches.

    Refuses a database that already has tables (and non-empty file folders) unless ``force``; with
    ``force`` the existing tables are dropped first. Returns the manifest.
    """
    vendor = _vendor(alias)
    manifest = read_manifest(folder)
    if manifest["engine"] != vendor:
        raise BackupError(
            f"This backup is of a {manifest['engine']} database; the configured database is {vendor}."
        )
    empty = _postgres_is_empty(alias) if vendor == "postgresql" else _sqlite_is_empty(alias)
    if not empty and not force:
        raise BackupError(
            "The database is not empty. Restore into a new, empty database, or pass --force to "
            "replace everything in it."
        )
    roots = file_roots()
    busy = [name for name, root in roots.items() if _folder_has_files(root)]
    if busy and not force:
        raise BackupError(
            f"These file folders are not empty: {', '.join(busy)}. Restore into empty folders, "
            "or pass --force to replace what is there."
        )
    if vendor == "postgresql":
        _restore_postgres(folder, alias, force=force)
    else:
        _restore_sqlite(folder, alias)
    _restore_files(folder / FILES_ARCHIVE, roots, force=True)
    problems = compare_tables(manifest["tables"], database_fingerprint(alias))
    found_files = files_fingerprint(roots)
    for name, expected in manifest["files"].items():
        if found_files.get(name) != expected:
            problems.append(f"files in {name} differ from the backup")
    if problems:
        raise BackupError("The restore does not match the backup: " + "; ".join(problems))
    return manifest
