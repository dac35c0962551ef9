"""The database going away under a running site gives the site's own error page, and the next request
works: no stuck worker, no stack trace, no half-rendered page.

Three ways it goes away: one connection is killed in the middle of a request; every connection is
killed between requests; and the whole PostgreSQL server restarts (``pg_ctl restart -m immediate``)
while a request is waiting inside it, on a server of the test's own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from .conftest import REPO, Site, needs_postgres

pytestmark = needs_postgres

PAGE = "/places/"  # reads the local authorities table on every request
FRIENDLY = "Sorry, there is a problem with the service"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@contextlib.contextmanager
def _serve(site: Site, folder: Path) -> Iterator[str]:
    """The site behind gunicorn, one worker so that every request shares its database connection."""
    port = _free_port()
    log = (folder / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "commonground.wsgi", "--workers", "1",
            "--bind", f"127.0.0.1:{port}", "--timeout", "300",
        ],
        env=site.env, cwd=REPO, stdout=log, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=5)
                break
            except OSError:
                assert server.poll() is None, (folder / "gunicorn.log").read_text()[-3000:]
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def served(demo_site: Site, tmp_path: Path) -> Iterator[str]:
    with _serve(demo_site, tmp_path) as base:
        yield base


def _site_backends(site: Site, admin: object) -> list[int]:
    rows = admin.execute(  # type: ignore[attr-defined]
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    ).fetchall()
    return [row[0] for row in rows]


def _break_a_waiting_request(site: Site, base: str, break_it: Callable[[Any, int], None]) -> None:
    """Request a page while its table is locked, call ``break_it(admin, pid)`` once the request is
    waiting inside PostgreSQL, then check the answer is the site's own error page and that the next
    request works."""
    assert _get(base + PAGE)[0] == 200
    locker = site.connect()
    admin = site.connect()
    try:
        locker.autocommit = False
        locker.execute("LOCK TABLE places_localauthority IN ACCESS EXCLUSIVE MODE")
        answer: dict[str, tuple[int, str]] = {}
        request = threading.Thread(target=lambda: answer.update(page=_get(base + PAGE)))
        request.start()
        deadline = time.monotonic() + 120
        while True:
            waiting = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            ).fetchall()
            if waiting:
                break
            assert time.monotonic() < deadline, "the request never reached the database"
            time.sleep(0.1)
        break_it(admin, waiting[0][0])
        with contextlib.suppress(Exception):  # gone with the server, if it restarted
            locker.rollback()
        request.join(timeout=120)
    finally:
        for connection in (locker, admin):
            with contextlib.suppress(Exception):
                connection.close()
    status, body = answer["page"]
    assert status == 500
    assert FRIENDLY in body
    assert "Traceback" not in body and "OperationalError" not in body
    status, body = _get(base + PAGE)
    assert status == 200, body[:500]


def test_connection_killed_mid_request_gives_the_error_page_and_the_next_request_works(
    demo_site: Site, served: str
) -> None:
    def terminate(admin: Any, pid: int) -> None:
        # The request's own server process goes away under it.
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    _break_a_waiting_request(demo_site, served, terminate)


def test_connections_dropped_between_requests(demo_site: Site, served: str) -> None:
    """As after a database restart: every kept connection is dead before the next request.

    With ``CONN_HEALTH_CHECKS`` the site notices and reconnects, so nobody sees an error; without
    it the first request on each worker fails with the friendly page and the one after works.
    """
    assert _get(served + PAGE)[0] == 200
    admin = demo_site.connect()
    try:
        for pid in _site_backends(demo_site, admin):
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        admin.close()
    status, body = _get(served + PAGE)
    if settings.DATABASES["default"].get("CONN_HEALTH_CHECKS"):
        assert status == 200, body[:500]
    else:
        assert status == 500
        assert FRIENDLY in body
    status, body = _get(served + PAGE)
    assert status == 200, body[:500]


def _postgres_binary(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        pytest.skip(f"the PostgreSQL server binaries ({name}) are not installed")
    return str(found)


@pytest.fixture
def own_cluster() -> Iterator[tuple[Site, list[str]]]:
    """A PostgreSQL server of this test's own, so that restarting it disturbs nothing else.

    Yields the site (migrated, with the real geography's authorities) and the command that restarts
    the server at once, as a crash or an operator's ``pg_ctl restart -m immediate`` would.
    """
    # Not under pytest's own folder: that is private to this user, and the server runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="commonground-restart-"))
    as_owner: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(folder, "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()
    subprocess.run(
        [*as_owner, _postgres_binary("initdb"), "-D", str(data), "-U", "postgres",
         "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"],
        check=True, capture_output=True,
    )  # fmt: skip
    pg_ctl = [
        *as_owner,
        _postgres_binary("pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(folder / "log"),
        "-w",
    ]
    options = ["-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"]
    subprocess.run([*pg_ctl, *options, "start"], check=True, capture_output=True)
    try:
        subprocess.run(
            [_postgres_binary("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
             "site"],
            check=True, capture_output=True,
        )  # fmt: skip
        site = Site(f"postgres://postgres@127.0.0.1:{port}/site", folder / "var", "postgresql")
        migrated = site.manage("migrate", "--noinput")
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        loaded = site.manage("load_places")
        assert loaded.returncode == 0, loaded.stderr[-3000:]
        yield site, [*pg_ctl, *options, "-m", "immediate", "restart"]
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], check=False, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def test_the_database_server_restarting_mid_request_gives_the_error_page_and_the_next_works(
    own_cluster: tuple[Site, list[str]], tmp_path: Path
) -> None:
    site, restart = own_cluster

    def restart_the_server(_admin: Any, _pid: int) -> None:
        restarted = subprocess.run(restart, capture_output=True, text=True, check=False)
        assert restarted.returncode == 0, restarted.stderr

    with _serve(site, tmp_path) as base:
        _break_a_waiting_request(site, base, restart_the_server)
