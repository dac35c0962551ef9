"""Real sites in their own processes, for tests that kill, restart or restore them.

The demo is loaded once per run into a template (a SQLite file, or a PostgreSQL database when
``DATABASE_URL`` points at one, as under ``scripts/with_postgres.sh``); each test gets a fresh copy of
it, with its own file folders, and works on it only through subprocesses and direct connections, so
nothing it does can leak into the suite's own test database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dj_database_url
import pytest

REPO = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, str(REPO / "manage.py")]


def suite_database() -> dict[str, Any]:
    """The database the suite was pointed at, read the way settings read it."""
    return dj_database_url.parse(os.environ.get("DATABASE_URL", "sqlite:///unused.sqlite3"))


def on_postgres() -> bool:
    return "postgresql" in suite_database()["ENGINE"]


needs_postgres = pytest.mark.skipif(
    not on_postgres(),
    reason="needs PostgreSQL (pg_terminate_backend and a second server connection); "
    "run under scripts/with_postgres.sh",
)


def _postgres_admin() -> Any:
    import psycopg

    db = suite_database()
    return psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def _postgres_url(name: str) -> str:
    db = suite_database()
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{name}"


def drop_postgres_database(name: str) -> None:
    with _postgres_admin() as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def create_postgres_database(name: str, template: str | None = None) -> None:
    with _postgres_admin() as admin:
        suffix = f' TEMPLATE "{template}"' if template else ""
        admin.execute(f'CREATE DATABASE "{name}"{suffix}')


@dataclass
class Site:
    """One copy of Common Ground: a database and a var folder, driven through subprocesses."""

    database_url: str
    var_dir: Path
    vendor: str
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "commonground.settings.local",
            "DATABASE_URL": self.database_url,
            "COMMONGROUND_VAR_DIR": str(self.var_dir),
            "DEBUG": "false",
            "PYTHONPATH": str(REPO),
            **self.extra_env,
        }

    def manage(self, *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*MANAGE, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=REPO,
        )

    def connect(self) -> Any:
        """A plain DB-API connection, outside Django, for checking what the site wrote."""
        parsed = dj_database_url.parse(self.database_url)
        if self.vendor == "sqlite":
            import sqlite3

            return sqlite3.connect(parsed["NAME"], timeout=30)
        import psycopg

        return psycopg.connect(
            host=parsed["HOST"],
            port=parsed["PORT"],
            user=parsed["USER"],
            password=parsed["PASSWORD"] or None,
            dbname=parsed["NAME"],
            autocommit=True,
        )

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        if self.vendor == "postgresql":
            sql = sql.replace("?", "%s")
        connection = self.connect()
        try:
            cursor = connection.cursor()
            cursor.execute(sql, params)
            row = cursor.fetchone()
            return row[0] if row else None
        finally:
            connection.close()


def _build_demo(site: Site) -> None:
    steps = (
        ["migrate", "--noinput"],
        ["load_places"],
        ["load_demo"],
        # The worker that runs beside the site tags the demo's conversations; run it dry.
        ["db_worker", "--batch", "--no-startup-delay", "--interval", "0.1"],
    )
    for command in steps:
        finished = site.manage(*command)
        if finished.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{finished.stderr[-3000:]}")


@pytest.fixture(scope="session")
def demo_template() -> Iterator[Site]:
    folder = Path(tempfile.mkdtemp(prefix="commonground-reliability-"))
    var_dir = folder / "var"
    if on_postgres():
        name = f"cg_reliability_template_{uuid.uuid4().hex[:8]}"
        create_postgres_database(name)
        site = Site(_postgres_url(name), var_dir, "postgresql")
    else:
        site = Site(f"sqlite:///{folder / 'template.sqlite3'}", var_dir, "sqlite")
    try:
        _build_demo(site)
        yield site
    finally:
        if site.vendor == "postgresql":
            drop_postgres_database(str(dj_database_url.parse(site.database_url)["NAME"]))
        shutil.rmtree(folder, ignore_errors=True)


def empty_site(vendor: str, folder: Path) -> Iterator[Site]:
    """A site with nothing in its database or folders yet, on the suite's kind of database."""
    if vendor == "postgresql":
        name = f"cg_reliability_{uuid.uuid4().hex[:12]}"
        create_postgres_database(name)
        try:
            yield Site(_postgres_url(name), folder / "var", vendor)
        finally:
            drop_postgres_database(name)
    else:
        yield Site(f"sqlite:///{folder / 'site.sqlite3'}", folder / "var", vendor)


@pytest.fixture
def demo_site(demo_template: Site, tmp_path: Path) -> Iterator[Site]:
    """A fresh copy of the demo that the test may break as it likes."""
    var_dir = tmp_path / "var"
    if demo_template.var_dir.exists():
        shutil.copytree(demo_template.var_dir, var_dir)
    if demo_template.vendor == "postgresql":
        name = f"cg_reliability_{uuid.uuid4().hex[:12]}"
        template = str(dj_database_url.parse(demo_template.database_url)["NAME"])
        create_postgres_database(name, template=template)
        try:
            yield Site(_postgres_url(name), var_dir, "postgresql")
        finally:
            drop_postgres_database(name)
    else:
        source = Path(dj_database_url.parse(demo_template.database_url)["NAME"])
        target = tmp_path / "site.sqlite3"
        import sqlite3
        from contextlib import closing

        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
        yield Site(f"sqlite:///{target}", var_dir, "sqlite")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist, keep these tests on one worker so the demo template is built once."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in item.path.resolve().parents:
            item.add_marker(pytest.mark.xdist_group("reliability"))
