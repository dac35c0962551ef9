"""How long `commonground load_places` takes on the real data: first load and an idempotent reload.

Run it through the Makefile's PostgreSQL helper to measure PostgreSQL as well as SQLite:

    python -m bench.bench_load_places                       # SQLite file in a temp folder
    bash scripts/with_postgres.sh python -m bench.bench_load_places   # PostgreSQL 15
"""

from __future__ import annotations

import os
import tempfile
import time

from bench.common import machine, peak_rss_mib, today


def main() -> None:
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "commonground.settings.local"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from commonground.places.loader import load_places

    call_command("migrate", verbosity=0)
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    timings = []
    for label in ("first load", "reload (idempotent)"):
        started = time.perf_counter()
        summary = load_places(data_dir=settings.DATA_DIR)
        timings.append((label, time.perf_counter() - started))
    print(f"load_places on {engine}; {today()}; {machine()}")
    print(
        f"  {summary.lsoas:,} LSOAs, {summary.wards} wards, {summary.authorities} authorities, {summary.gp_practices} GP practices"
    )
    for label, seconds in timings:
        print(f"  {label}: {seconds:.1f} s")
    print(f"  peak memory: {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
