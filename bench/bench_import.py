"""How long a 100,000-row listening spreadsheet takes to check and import, and to import again.

    bash scripts/with_postgres.sh .venv/bin/python -m bench.bench_import     # PostgreSQL 15 (COPY)
    .venv/bin/python -m bench.bench_import                                   # SQLite file in a temp folder
    ... -m bench.bench_import --rows 20000 --output bench/results/import.md

The file is synthetic: notes from ``commonground.listening.textgen``, dates over the last year, the
demo's ZZ postcodes at real LSOA centroids in B&NES and Exeter; one row in six carries a synthetic
name and e-mail address with consent, one in twenty is a phone call with no place. The clock runs from
the bytes of the file to the rows committed, through the same functions the background tasks call
(``import_check`` then ``import_run``). Geography loading and the rest of the set-up are not timed.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path


def build_file(rows: int, *, organisers: list[str], postcodes: list[str], seed: int) -> bytes:
    from commonground.listening.imports import COLUMN_NAMES
    from commonground.listening.textgen import generate_conversation, synthetic_name

    rng = random.Random(seed)
    today = datetime.now().date()  # noqa: DTZ005 - a calendar date for the file, no zone needed
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMN_NAMES)
    writer.writeheader()
    for index in range(rows):
        note = generate_conversation(rng)
        day = today - timedelta(days=rng.randrange(1, 360))
        row = {
            "date": day.isoformat(),
            "time": f"{rng.randrange(9, 20):02d}:{rng.randrange(0, 60):02d}",
            "organiser": organisers[index % len(organisers)],
            "what_they_love": note.loves,
            "concerns": note.concerns,
            "ideas": note.ideas,
            "would_do": note.would_do,
            "talk_to": note.talk_to,
            "involvement": rng.choice(["listened", "listened", "interested", "attended"]),
        }
        if index % 20 == 7:
            row["mode"] = "phone"
        else:
            row["postcode"] = rng.choice(postcodes)
            row["keep_exact_place"] = "yes" if index % 9 == 0 else "no"
        if index % 6 == 0:
            name = synthetic_name(rng)
            row.update(
                {
                    "consent": "identified",
                    "name": name,
                    "email": f"{name.split()[0].lower()}.{index}@residents.example",
                    "consent_given": "yes",
                    "explicit_consent": "yes" if note.special_category else "",
                }
            )
        if index % 25 == 3:
            row["follow_up"] = "Invite to the residents' meeting"
            row["follow_up_due"] = (day + timedelta(days=14)).isoformat()
        writer.writerow(row)
    return buffer.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", type=Path, help="also write the figures as Markdown here")
    parser.add_argument(
        "--profile", type=Path, help="write cProfile statistics of the first import"
    )
    options = parser.parse_args()

    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "commonground.settings.local"
    os.environ.setdefault("COMMONGROUND_VAR_DIR", tempfile.mkdtemp())
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.db import connection

    from bench.common import git_revision, machine, peak_rss_mib, today
    from commonground.accounts.models import Membership, Role, User
    from commonground.listening.imports import import_check, import_run
    from commonground.listening.models import Conversation, ImportBatch, Postcode, Resident
    from commonground.listening.postcodes import seed_synthetic_postcodes
    from commonground.places.loader import load_places
    from commonground.programme.models import Organisation, Organiser, Programme

    call_command("migrate", verbosity=0)
    load_places(data_dir=settings.DATA_DIR)
    seed_synthetic_postcodes({"E06000022": 1, "E07000041": 2})
    council, _ = Organisation.objects.get_or_create(
        slug="bench-council", defaults={"name": "Bench council", "kind": "council"}
    )
    host, _ = Organisation.objects.get_or_create(
        slug="bench-host", defaults={"name": "Bench host", "kind": "host"}
    )
    programme, _ = Programme.objects.get_or_create(
        slug="bench-programme",
        defaults={"name": "Bench programme", "council": council, "starts_on": "2025-04-01"},
    )
    user = User.objects.filter(email="bench@example.test").first() or User.objects.create_user(
        email="bench@example.test", password="a-long-bench-password", full_name="Bench"
    )
    Membership.objects.get_or_create(user=user, organisation=host, role=Role.HOST_MANAGER)
    names = [f"Bench organiser {n}" for n in range(8)]
    organisers = [
        Organiser.objects.get_or_create(
            full_name=name, defaults={"host": host, "programme": programme}
        )[0]
        for name in names
    ]
    postcodes = list(Postcode.objects.values_list("code", flat=True))
    content = build_file(options.rows, organisers=names, postcodes=postcodes, seed=options.seed)

    def batch_for(label: str) -> ImportBatch:
        batch = ImportBatch(
            host=host,
            uploaded_by=user,
            default_organiser=organisers[0],
            filename=f"{label}.csv",
            sha256="0" * 64,
        )
        batch.file.save(f"{label}.csv", ContentFile(content), save=False)
        batch.save()
        return batch

    engine = connection.vendor
    timings: list[tuple[str, float]] = []
    first = batch_for("first")
    started = time.perf_counter()
    import_check(batch=first)
    checked = time.perf_counter()
    assert first.status == ImportBatch.Status.CHECKED, first.errors[:5]
    if options.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.runcall(import_run, batch=first, actor=user)
        profiler.dump_stats(str(options.profile))
    else:
        import_run(batch=first, actor=user)
    done = time.perf_counter()
    timings += [
        ("check (read, validate, preview)", checked - started),
        ("import (write the checked rows)", done - checked),
        ("check + import", done - started),
    ]
    created = Conversation.objects.filter(import_batch=first).count()
    residents = Resident.objects.filter(host=host).count()

    again = batch_for("again")
    started = time.perf_counter()
    import_check(batch=again)
    import_run(batch=again, actor=user)
    timings.append(("the same file again, check + import", time.perf_counter() - started))
    again.refresh_from_db()

    lines = [
        f"# Benchmark: listening spreadsheet import ({engine})",
        "",
        f"- Machine: {machine()}",
        f"- Date: {today()}, revision {git_revision()}",
        f"- Command: `{' '.join(['python', '-m', 'bench.bench_import', *sys.argv[1:]])}`"
        + (" through `scripts/with_postgres.sh`" if engine == "postgresql" else ""),
        f"- File: {options.rows:,} rows, {len(content) / 2**20:.1f} MiB CSV; "
        f"{created:,} conversations and {residents:,} residents written; "
        f"the second import added {again.created_count:,} and found {again.already_there_count:,} "
        "already there.",
        f"- Peak memory of the process: {peak_rss_mib():.0f} MiB",
        "",
        "| step | seconds |",
        "|---|---|",
        *(f"| {label} | {seconds:.1f} |" for label, seconds in timings),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if options.output:
        options.output.write_text(text)


if __name__ == "__main__":
    main()
