"""Steps run inside a site's own process by the fault tests: ``python -m tests.reliability.jobs STEP``.

``prepare-import ROWS`` uploads, checks and confirms a spreadsheet, leaving its import queued;
``prepare-report`` publishes a new version of the demo's report, leaving its PDF queued; ``worker``
runs the real task worker until the queue is empty. ``worker --hang-at module:function`` makes that
function, when reached (or just after it returns, with ``--after``), write a signal file and stop dead, so the test can kill the process at exactly
that point in the job, inside its transaction.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import time
from pathlib import Path
from typing import Any


def _setup() -> None:
    import django

    django.setup()


def drain_queue() -> None:
    """Run every queued task to the end, as the worker beside the site would."""
    from django.core.management import call_command

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1", verbosity=0)


def prepare_import(rows: int) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from commonground.listening import imports
    from commonground.listening.models import ImportBatch
    from commonground.programme.models import Organiser

    organiser = Organiser.objects.filter(user__isnull=False).select_related("user", "host").first()
    assert organiser is not None, "the demo has an organiser who signs in"
    lines = ["date,time,organiser,mode,what_they_love,concerns,ideas,involvement,consent"]
    for number in range(rows):
        lines.append(
            f"2026-03-{1 + number % 28:02d},{10 + number % 8}:{number % 60:02d},"
            f"{organiser.full_name},phone,The park number {number},"
            f"Broken street lights on row {number},A lighting walk {number},listened,anonymous"
        )
    upload = SimpleUploadedFile("reliability.csv", "\n".join(lines).encode())
    batch = imports.import_upload(
        actor=organiser.user, upload=upload, organisers=[organiser], default_organiser=organiser
    )
    drain_queue()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED, batch.errors[:5]
    with transaction.atomic():
        imports.import_confirm(actor=organiser.user, batch=batch)
    return {"batch": str(batch.pk), "rows": rows}


def prepare_report() -> dict[str, Any]:
    from django.db import transaction

    from commonground.impact import services
    from commonground.impact.models import Report

    report = Report.objects.filter(sections__body__gt="").distinct().first()
    assert report is not None, "the demo has a report with a written section"
    user = report.versions.exclude(published_by=None).values_list("published_by", flat=True).first()
    from commonground.accounts.models import User

    actor = User.objects.filter(pk=user).first()
    with transaction.atomic():
        version = services.report_publish(
            actor=actor, report=report, change_note="Checked after a worker was stopped."
        )
    return {"version": version.pk}


def _install_hang(target: str, signal_file: Path, *, after: bool) -> None:
    """Replace ``module:function`` so that it stops dead before (or after) doing its work."""
    module_name, name = target.split(":")
    module = importlib.import_module(module_name)
    original = getattr(module, name)

    def stop_dead() -> None:
        signal_file.write_text(str(os.getpid()))
        while True:
            time.sleep(1)

    def hang(*args: Any, **kwargs: Any) -> Any:
        if after:
            original(*args, **kwargs)
        stop_dead()

    setattr(module, name, hang)


def worker(hang_at: str | None, signal_file: Path | None, *, after: bool) -> dict[str, Any]:
    if hang_at:
        assert signal_file is not None
        _install_hang(hang_at, signal_file, after=after)
    drain_queue()
    return {"done": True}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["prepare-import", "prepare-report", "worker"])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--hang-at")
    parser.add_argument("--after", action="store_true", help="Hang after the function, not before.")
    parser.add_argument("--signal-file", type=Path)
    options = parser.parse_args()
    _setup()
    if options.step == "prepare-import":
        result = prepare_import(options.rows)
    elif options.step == "prepare-report":
        result = prepare_report()
    else:
        result = worker(options.hang_at, options.signal_file, after=options.after)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
