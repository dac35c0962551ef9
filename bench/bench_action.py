"""Matters at council scale: routing, duplicate checks, the partner's queue, Open311 and public pages.

Run it on a throwaway database (it fills the database it is given):

    bash scripts/with_postgres.sh .venv/bin/python -m bench.bench_action
    bash scripts/with_postgres.sh .venv/bin/python -m bench.bench_action --matters 20000

What it does:

1. migrates and loads the real geography (B&NES and Exeter have boundaries);
2. makes a council, 6 partners, 12 categories, 200 routing rules over categories, wards, LSOAs and
   neighbourhoods, and the given number of matters spread over 24 months, with 1-4 conversations each
   (bulk inserts);
3. times, each ``--samples`` times, and reports p50/p95: choosing a route for a random category and
   LSOA; the duplicate check for a new matter; the first page of a partner's queue (with residents
   counted); an Open311 ``GET requests`` with the default 90-day window; a neighbourhood's "You said,
   we did" report.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

CATEGORIES = 12
PARTNERS = 6
RULES = 200


def machine() -> str:
    model = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def _percentiles(values: list[float]) -> str:
    values = sorted(values)
    p50 = statistics.median(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return f"p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matters", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--out", help="also write the figures to this Markdown file")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection
    from django.utils import timezone

    from commonground.accounts.models import Membership, Role, User
    from commonground.action.models import (
        Matter,
        MatterCategory,
        RoutingDefault,
        RoutingRule,
        target_due_at,
    )
    from commonground.action.open311 import filter_requests
    from commonground.action.routing import Place, choose_route
    from commonground.action.selectors import (
        attach_residents_raised,
        matter_queue_for,
        possible_duplicates_of,
    )
    from commonground.insight.models import Theme
    from commonground.listening.models import Conversation
    from commonground.places.loader import load_places
    from commonground.places.models import LocalAuthority, Lsoa, Neighbourhood, Ward
    from commonground.programme.models import Organisation, Organiser, Programme
    from commonground.public.selectors import neighbourhood_report

    rng = random.Random(20261124)
    lines = [
        "# Action benchmark",
        "",
        f"- machine: {machine()}",
        f"- date: {datetime.now(UTC):%Y-%m-%d}",
        f"- database: {connection.vendor}",
        f"- command: {' '.join(['python -m bench.bench_action', *sys.argv[1:]])}",
        "",
    ]

    def step(label: str, started: float) -> None:
        lines.append(f"- {label}: {time.perf_counter() - started:.1f} s")
        print(lines[-1], flush=True)

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_places(data_dir=settings.DATA_DIR)
    step("migrate and load the geography", started)

    started = time.perf_counter()
    authority = LocalAuthority.objects.get(code="E06000022")
    council = Organisation.objects.create(
        name="Bench council", slug="bench-council", kind="council", authority=authority
    )
    host = Organisation.objects.create(name="Bench host", slug="bench-host", kind="host")
    partners = [
        Organisation.objects.create(name=f"Partner {n}", slug=f"partner-{n}", kind="partner")
        for n in range(PARTNERS)
    ]
    officer = User.objects.create_user(email="officer@bench.test", password="x-long-password-1")
    Membership.objects.create(user=officer, organisation=council, role=Role.COUNCIL_OFFICER)
    police = User.objects.create_user(email="police@bench.test", password="x-long-password-1")
    Membership.objects.create(user=police, organisation=partners[0], role=Role.PARTNER_OFFICER)
    RoutingDefault.objects.create(
        council=council, authority=authority, organisation=council, team="Default", owner=officer
    )
    lsoas = list(Lsoa.objects.filter(authority=authority).select_related("ward", "authority"))
    wards = list(Ward.objects.filter(authority=authority))
    neighbourhoods = []
    for n in range(20):
        neighbourhood = Neighbourhood.objects.create(
            name=f"Patch {n}", slug=f"patch-{n}", authority=authority
        )
        neighbourhood.lsoas.set(rng.sample(lsoas, 5))
        neighbourhoods.append(neighbourhood)
    categories = []
    for n in range(CATEGORIES):
        theme = Theme.objects.create(slug=f"bench-theme-{n}", name=f"Bench theme {n}")
        categories.append(
            MatterCategory.objects.create(
                theme=theme, service_code=f"bench-{n}", target_days=rng.choice([5, 10, 20])
            )
        )
    rules = []
    for n in range(RULES):
        area = rng.choice(["none", "ward", "lsoa", "neighbourhood"])
        rules.append(
            RoutingRule(
                council=council,
                category=rng.choice([*categories, None]),
                authority=authority,
                ward=rng.choice(wards) if area == "ward" else None,
                lsoa=rng.choice(lsoas) if area == "lsoa" else None,
                neighbourhood=rng.choice(neighbourhoods) if area == "neighbourhood" else None,
                partner=rng.choice(partners),
                team=f"Team {n}",
                priority=rng.randint(1, 200),
            )
        )
    RoutingRule.objects.bulk_create(rules)
    programme = Programme.objects.create(
        name="Bench", slug="bench", council=council, starts_on=timezone.localdate()
    )
    organiser = Organiser.objects.create(
        full_name="Bench organiser", host=host, programme=programme
    )
    step("council, partners, categories and 200 rules", started)

    started = time.perf_counter()
    now = timezone.now()
    batch: list[Matter] = []
    for n in range(args.matters):
        lsoa = rng.choice(lsoas)
        category = rng.choice(categories)
        raised_at = now - timedelta(minutes=rng.randint(0, 24 * 30 * 24 * 60))
        status = rng.choices(
            ["new", "acknowledged", "in_progress", "resolved", "closed"], [2, 2, 2, 5, 1]
        )[0]
        batch.append(
            Matter(
                title=f"Matter {n}",
                description="Synthetic matter for the benchmark.",
                category=category,
                authority=authority,
                lsoa=lsoa,
                ward=lsoa.ward,
                neighbourhood=rng.choice(neighbourhoods),
                routed_to=rng.choice(partners),
                team="Team",
                raised_by_organisation=host,
                status=status,
                raised_at=raised_at,
                due_at=target_due_at(raised_at, category),
                closed_at=raised_at + timedelta(days=3)
                if status in {"resolved", "closed"}
                else None,
            )
        )
        if len(batch) == 5000:
            Matter.objects.bulk_create(batch)
            batch = []
    Matter.objects.bulk_create(batch)
    matter_ids = list(Matter.objects.values_list("pk", flat=True))
    conversations = [
        Conversation(
            host=host,
            programme=programme,
            programme_year=2026,
            organiser=organiser,
            happened_at=now,
        )
        for _n in range(min(len(matter_ids) * 2, 200_000))
    ]
    Conversation.objects.bulk_create(conversations, batch_size=5000)
    conversation_ids = list(Conversation.objects.values_list("pk", flat=True))
    through = Matter.conversations.through
    links = [
        through(matter_id=matter_id, conversation_id=rng.choice(conversation_ids))
        for matter_id in matter_ids
        for _k in range(rng.randint(1, 4))
    ]
    through.objects.bulk_create(links, batch_size=10_000, ignore_conflicts=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    step(f"{args.matters:,} matters with {len(links):,} conversation links", started)

    def timed(label: str, run: object) -> None:
        values = []
        for _n in range(args.samples):
            begin = time.perf_counter()
            run()  # type: ignore[operator]
            values.append(time.perf_counter() - begin)
        lines.append(f"- {label}: {_percentiles(values)} ({args.samples} runs)")
        print(lines[-1], flush=True)

    lines += ["", "## Timings", ""]
    timed(
        "choose a route (category and LSOA)",
        lambda: choose_route(rng.choice(categories), Place.of(lsoa=rng.choice(lsoas))),
    )

    def duplicates() -> None:
        lsoa = rng.choice(lsoas)
        possible_duplicates_of(
            category=rng.choice(categories),
            lsoa_id=lsoa.pk,
            neighbourhood_id=rng.choice(neighbourhoods).pk,
            lon=None,
            lat=None,
            raised_at=now - timedelta(days=rng.randint(0, 700)),
        )

    timed("duplicate check for a new matter", duplicates)

    def queue_page() -> None:
        page = Paginator(matter_queue_for(user=police, show="open"), 25).page(1)
        attach_residents_raised(page.object_list)

    timed("partner's queue, first page of 25 with residents counted", queue_page)
    timed("Open311 GET requests, default 90 days (up to 1,000)", lambda: filter_requests({}))
    timed(
        "You said, we did report for a neighbourhood",
        lambda: neighbourhood_report(rng.choice(neighbourhoods)),
    )
    lines += [
        "",
        f"Peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB",
    ]
    out = "\n".join(lines) + "\n"
    print(out)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(out)


if __name__ == "__main__":
    main()
