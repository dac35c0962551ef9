"""A real server and a real Chromium for the browser journeys.

The site runs as a separate process on a temporary SQLite file, loaded the way `make demo` loads it
(migrate, the real geography, the synthetic demo), so the browser sees exactly what a user would.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def django_db_setup() -> None:
    """The browser tests talk to their own server process; they need no test database."""


@pytest.fixture(scope="session")
def live_site() -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="commonground-browser-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "commonground.settings.local",
        "DATABASE_URL": f"sqlite:///{folder / 'site.sqlite3'}",
        "COMMONGROUND_VAR_DIR": str(folder),
        "DEBUG": "false",
        # Every journey signs in from the same address; the limit itself is tested in core's tests.
        "RATE_LIMIT_LOGIN": "100000",
        # The offline queue test sends well over a minute's allowance of sync requests.
        "RATE_LIMIT_API": "100000",
    }
    manage = [sys.executable, str(REPO / "manage.py")]
    for command in (["migrate", "--noinput"], ["load_places"], ["load_demo"]):
        subprocess.run(manage + command, env=env, check=True, capture_output=True, timeout=300)
    port = _free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(folder / "server.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError(
                    "The test server did not start: " + (folder / "server.log").read_text()[-2000:]
                ) from None
            time.sleep(0.3)
    yield base
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright drives its browser from an event loop in this thread; these tests use no database.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: run `make test-browser`, which installs Debian's chromium."
        )
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, live_site: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_site, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
