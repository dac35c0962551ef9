"""A worker killed in the middle of an import or a report leaves nothing half-written, and the job
can be run again to the end."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .conftest import REPO, Site

WAIT_SECONDS = 600


def _json_step(site: Site, *args: str) -> dict[str, object]:
    import json

    finished = subprocess.run(
        [sys.executable, "-m", "tests.reliability.jobs", *args],
        env=site.env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return dict(json.loads(finished.stdout.strip().splitlines()[-1]))


def _kill_worker_at(
    site: Site, target: str, tmp_path: Path, *, after: bool = False, in_transaction: bool = False
) -> None:
    """Start the real worker, wait until it reaches ``target`` inside the job, then SIGKILL it."""
    signal_file = tmp_path / "reached"
    command = [sys.executable, "-m", "tests.reliability.jobs", "worker", "--hang-at", target]
    command += ["--signal-file", str(signal_file), *(["--after"] if after else [])]
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(command, env=site.env, cwd=REPO, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while not signal_file.exists():
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the worker never reached the point to kill it at"
            time.sleep(0.2)
        if in_transaction and site.vendor == "postgresql":
            # The job is part-way: its connection holds an open transaction with rows in it.
            open_transactions = site.scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'idle in transaction' AND pid <> pg_backend_pid()"
            )
            assert open_transactions >= 1
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=60) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
        log.close()


def _rerun(site: Site) -> None:
    requeued = site.manage("requeue_interrupted_tasks", "--minutes", "0", "--apply")
    assert requeued.returncode == 0, requeued.stderr
    assert "Requeued: 1 task(s)." in requeued.stdout
    _json_step(site, "worker")
    nothing_left = site.manage("requeue_interrupted_tasks", "--minutes", "0")
    assert "Would requeue (dry run; add --apply): 0 task(s)." in nothing_left.stdout


def _counts(site: Site) -> dict[str, int]:
    tables = [
        "listening_conversation",
        "listening_conversationversion",
        "listening_resident",
        "privacy_consent",
        "listening_followup",
        "core_auditevent",
    ]
    return {table: site.scalar(f"SELECT count(*) FROM {table}") for table in tables}


def test_an_import_killed_part_way_leaves_nothing_and_runs_again(
    demo_site: Site, tmp_path: Path
) -> None:
    prepared = _json_step(demo_site, "prepare-import", "--rows", "400")
    batch = prepared["batch"]
    before = _counts(demo_site)

    # Conversations and their first versions are written; consents, counting and tagging are next.
    _kill_worker_at(
        demo_site,
        "commonground.listening.imports:_write_consents_and_extras",
        tmp_path,
        in_transaction=True,
    )

    assert _counts(demo_site) == before
    assert (
        demo_site.scalar(
            "SELECT count(*) FROM listening_conversation WHERE import_batch_id = ?", (batch,)
        )
        == 0
    )
    assert demo_site.scalar("SELECT status FROM listening_importbatch WHERE id = ?", (batch,)) == (
        "importing"
    )
    assert (
        demo_site.scalar(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
        )
        == 1
    )

    _rerun(demo_site)

    assert demo_site.scalar("SELECT status FROM listening_importbatch WHERE id = ?", (batch,)) == (
        "imported"
    )
    assert (
        demo_site.scalar("SELECT created_count FROM listening_importbatch WHERE id = ?", (batch,))
        == 400
    )
    assert (
        demo_site.scalar(
            "SELECT count(*) FROM listening_conversation WHERE import_batch_id = ?", (batch,)
        )
        == 400
    )
    after = _counts(demo_site)
    assert after["listening_conversation"] == before["listening_conversation"] + 400
    assert after["listening_conversationversion"] == before["listening_conversationversion"] + 400


def test_a_report_pdf_killed_part_way_leaves_no_pdf_and_is_made_on_the_rerun(
    demo_site: Site, tmp_path: Path
) -> None:
    version = _json_step(demo_site, "prepare-report")["version"]

    # The PDF is rendered in memory; the worker dies before it is saved.
    _kill_worker_at(
        demo_site, "commonground.impact.services:render_report_pdf", tmp_path, after=True
    )

    assert (
        demo_site.scalar(
            "SELECT count(*) FROM impact_reportversion WHERE id = ? AND pdf IS NULL AND pdf_sha256 = ''",
            (version,),
        )
        == 1
    )

    _rerun(demo_site)

    pdf = demo_site.scalar("SELECT pdf FROM impact_reportversion WHERE id = ?", (version,))
    recorded = demo_site.scalar(
        "SELECT pdf_sha256 FROM impact_reportversion WHERE id = ?", (version,)
    )
    assert bytes(pdf).startswith(b"%PDF")
    assert hashlib.sha256(bytes(pdf)).hexdigest() == recorded
