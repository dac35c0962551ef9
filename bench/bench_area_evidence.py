"""Area evidence at national scale: 2.5 million conversations, p50/p95 of the evidence query.

Run it on a throwaway PostgreSQL 15 cluster (it fills the database it is given):

    bash scripts/with_postgres.sh .venv/bin/python -m bench.bench_area_evidence
    bash scripts/with_postgres.sh .venv/bin/python -m bench.bench_area_evidence --conversations 200000

What it does, timing each step:

1. migrates, loads the real geography (all 32,844 English LSOAs) and, because only B&NES and Exeter
   have real ward boundaries, groups every other authority's LSOAs into synthetic wards of about five;
2. makes 5,000 organisers in 250 hosts, each with a patch (a neighbourhood) of about six LSOAs;
3. writes the conversations with COPY (synthetic notes from listening's text generator, spread over
   24 months) and 1-2 theme tags each (about 5% left as suggestions, which do not count);
4. counts everything into the area x theme x month cells with ``aggregates.rebuild()`` - the same
   code the ``themes rebuild-counts`` command runs;
5. runs ``selectors.area_evidence`` - the whole query behind an area page: themes with counts and
   shares, the previous period, the authority comparison with its tests, the ladder, who said it
   and the IMD context - for random authorities, wards, neighbourhoods and LSOAs, as a council
   officer (so suppression is on), and reports p50/p95;
6. times keeping the cells current: re-tagging batches of 500 conversations and moving them.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import git_revision, machine, peak_rss_mib, today

LADDER_WEIGHTS = {"listened": 62, "interested": 18, "attended": 10, "volunteering": 7, "leading": 3}
ORGANISERS = 5_000
HOSTS = 250
MONTHS = 24
SAMPLES_PER_KIND = 200


def _copy_escape(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", "\\n").replace("\r", " ")


def _copy(
    connection: object, table: str, columns: list[str], rows: object, batch: int = 50_000
) -> int:
    """Stream rows into a table with COPY, in text format."""
    count = 0
    with (
        connection.cursor() as cursor,  # type: ignore[attr-defined]
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        buffer = io.StringIO()
        for row in rows:  # type: ignore[attr-defined]
            buffer.write("\t".join(_copy_escape(value) for value in row))
            buffer.write("\n")
            count += 1
            if count % batch == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


def _set_aside_indexes(cursor: object, table: str) -> list[str]:
    """Drop a table's secondary indexes and unique constraints; returns the SQL to rebuild them.

    Building an index once after a bulk load is much faster than maintaining it row by row.
    """
    cursor.execute(  # type: ignore[attr-defined]
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'u'",
        [table],
    )
    constraints = cursor.fetchall()  # type: ignore[attr-defined]
    cursor.execute(  # type: ignore[attr-defined]
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [table, table],
    )
    indexes = cursor.fetchall()  # type: ignore[attr-defined]
    rebuild = []
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')  # type: ignore[attr-defined]
        rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for name, definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')  # type: ignore[attr-defined]
        rebuild.append(definition)
    return rebuild


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=2_500_000)
    parser.add_argument("--samples", type=int, default=SAMPLES_PER_KIND)
    parser.add_argument("--output", type=Path, default=None, help="Write the figures as Markdown.")
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit(
            "Run this through scripts/with_postgres.sh: it needs a throwaway PostgreSQL database."
        )
    os.environ["DJANGO_SETTINGS_MODULE"] = "commonground.settings.local"
    os.environ.setdefault("COMMONGROUND_VAR_DIR", str(Path("/tmp") / f"cg-bench-{os.getpid()}"))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection, transaction

    from commonground.accounts.models import Membership, Role, User
    from commonground.insight import aggregates, selectors
    from commonground.insight.areas import Area, area_from, period_of
    from commonground.insight.models import (
        AreaMonth,
        AreaThemeMonth,
        ConversationInsight,
        ConversationTag,
        Theme,
    )
    from commonground.listening.models import Conversation
    from commonground.listening.textgen import generate_conversations
    from commonground.places.loader import load_places
    from commonground.places.models import LocalAuthority, Lsoa, Neighbourhood, Ward
    from commonground.programme.models import Organisation, Organiser, Programme

    steps: list[tuple[str, float]] = []
    started_all = time.perf_counter()

    def step(label: str, began: float) -> None:
        seconds = time.perf_counter() - began
        steps.append((label, seconds))
        print(f"  {label}: {seconds:.1f} s", flush=True)

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_places(data_dir=settings.DATA_DIR)
    step("migrate and load the geography", began)

    rng = random.Random(20261124)
    began = time.perf_counter()
    with transaction.atomic():
        wards_made = 0
        lsoas_by_authority: dict[int, list[Lsoa]] = {}
        for lsoa in Lsoa.objects.only("id", "authority_id", "ward_id", "code").order_by("code"):
            lsoas_by_authority.setdefault(lsoa.authority_id, []).append(lsoa)
        new_wards: list[Ward] = []
        assignments: list[tuple[int, int]] = []
        for authority_id, lsoas in lsoas_by_authority.items():
            unwarded = [lsoa for lsoa in lsoas if lsoa.ward_id is None]
            for start in range(0, len(unwarded), 5):
                ward = Ward(
                    code=f"S{authority_id:04d}{start // 5:04d}",
                    name=f"Synthetic ward {authority_id}-{start // 5}",
                    authority_id=authority_id,
                )
                new_wards.append(ward)
                assignments.extend(
                    (len(new_wards) - 1, lsoa.pk) for lsoa in unwarded[start : start + 5]
                )
        Ward.objects.bulk_create(new_wards, batch_size=5_000)
        ward_ids = [ward.pk for ward in new_wards]
        wards_made = len(new_wards)
        by_ward: dict[int, list[int]] = {}
        for index, lsoa_id in assignments:
            by_ward.setdefault(ward_ids[index], []).append(lsoa_id)
        for ward_id, lsoa_ids in by_ward.items():
            Lsoa.objects.filter(pk__in=lsoa_ids).update(ward_id=ward_id)
    step(f"synthetic wards for authorities without boundaries ({wards_made:,})", began)

    began = time.perf_counter()
    lsoa_rows = list(
        Lsoa.objects.order_by("authority_id", "code").values_list("id", "authority_id", "ward_id")
    )
    council = Organisation.objects.create(
        name="Bench council", slug="bench-council", kind="council"
    )
    programme = Programme.objects.create(
        name="Bench programme",
        slug="bench-programme",
        council=council,
        starts_on=datetime(2024, 1, 1, tzinfo=UTC).date(),
    )
    hosts = Organisation.objects.bulk_create(
        [
            Organisation(name=f"Bench host {n}", slug=f"bench-host-{n}", kind="host")
            for n in range(HOSTS)
        ]
    )
    organisers = Organiser.objects.bulk_create(
        [
            Organiser(
                full_name=f"Bench organiser {n}",
                host=hosts[n % HOSTS],
                programme=programme,
                stage="placed",
            )
            for n in range(ORGANISERS)
        ],
        batch_size=5_000,
    )
    patch_size = len(lsoa_rows) // ORGANISERS
    patches: list[list[tuple[int, int, int | None]]] = [
        lsoa_rows[n * patch_size : (n + 1) * patch_size] for n in range(ORGANISERS)
    ]
    patches[-1].extend(lsoa_rows[ORGANISERS * patch_size :])
    neighbourhoods = Neighbourhood.objects.bulk_create(
        [
            Neighbourhood(
                name=f"Bench patch {n}", slug=f"bench-patch-{n}", authority_id=patches[n][0][1]
            )
            for n in range(ORGANISERS)
        ],
        batch_size=5_000,
    )
    through = Neighbourhood.lsoas.through
    through.objects.bulk_create(
        [
            through(neighbourhood_id=neighbourhoods[n].pk, lsoa_id=lsoa_id)
            for n in range(ORGANISERS)
            for lsoa_id, _authority, _ward in patches[n]
        ],
        batch_size=10_000,
    )
    officer = User.objects.create_user(
        email="officer@bench.test", password="bench-password-1", full_name="Bench officer"
    )
    Membership.objects.create(user=officer, organisation=council, role=Role.COUNCIL_OFFICER)
    step(f"{HOSTS} hosts, {ORGANISERS:,} organisers and their patches", began)

    themes = list(
        Theme.objects.filter(parent__isnull=False).order_by("slug").values_list("id", flat=True)
    )
    theme_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(themes))]
    notes = [note for note in generate_conversations(4_000, seed=7)]
    now = datetime.now(UTC)
    total = options.conversations

    began = time.perf_counter()
    fields = [field for field in Conversation._meta.concrete_fields]
    explicit = {
        "id",
        "public_id",
        "client_id",
        "host",
        "programme",
        "programme_year",
        "organiser",
        "happened_at",
        "lsoa",
        "ward",
        "authority",
        "loves",
        "concerns",
        "ideas",
        "would_do",
        "talk_to",
        "ladder",
        "created_at",
        "updated_at",
        "place_precision",
    }
    defaults: list[tuple[str, object]] = []
    for field in fields:
        if field.name in explicit:
            continue
        if field.has_default():
            value = field.get_default()
            if isinstance(value, list | dict):
                import json

                value = json.dumps(value)
            defaults.append((field.column, value))
        elif field.null:
            defaults.append((field.column, None))
        else:
            defaults.append((field.column, ""))
    columns = [
        "id",
        "public_id",
        "client_id",
        "host_id",
        "programme_id",
        "programme_year",
        "organiser_id",
        "happened_at",
        "lsoa_id",
        "ward_id",
        "authority_id",
        "loves",
        "concerns",
        "ideas",
        "would_do",
        "talk_to",
        "ladder",
        "created_at",
        "updated_at",
        "place_precision",
        *[column for column, _value in defaults],
    ]
    default_values = [value for _column, value in defaults]
    ladders = list(LADDER_WEIGHTS)
    ladder_weights = list(LADDER_WEIGHTS.values())
    conversation_themes: list[tuple[int, ...]] = []

    def conversation_rows():  # type: ignore[no-untyped-def]
        for number in range(1, total + 1):
            index = rng.randrange(ORGANISERS)
            organiser = organisers[index]
            lsoa_id, authority_id, ward_id = rng.choice(patches[index])
            note = notes[number % len(notes)]
            happened = now - timedelta(days=rng.random() * 30.4 * MONTHS)
            chosen = rng.choices(
                range(len(themes)), weights=theme_weights, k=2 if rng.random() < 0.35 else 1
            )
            conversation_themes.append(tuple(sorted({themes[i] for i in chosen})))
            yield [
                number,
                uuid.uuid4(),
                uuid.uuid4(),
                organiser.host_id,
                programme.pk,
                happened.year,
                organiser.pk,
                happened.isoformat(),
                lsoa_id,
                ward_id,
                authority_id,
                note.loves,
                note.concerns,
                note.ideas,
                note.would_do,
                note.talk_to,
                rng.choices(ladders, weights=ladder_weights)[0],
                now.isoformat(),
                now.isoformat(),
                "point",
                *default_values,
            ]

    connection.ensure_connection()
    raw = connection.connection
    loaded_tables = [
        Conversation._meta.db_table,
        ConversationTag._meta.db_table,
        ConversationInsight._meta.db_table,
    ]
    with connection.cursor() as cursor:
        # Generated rows reference rows made above; skip the per-row foreign key triggers while loading,
        # and build the indexes once at the end rather than row by row.
        cursor.execute("SET session_replication_role = replica")
        rebuild_indexes = [
            sql for table in loaded_tables for sql in _set_aside_indexes(cursor, table)
        ]
    written = _copy(raw, Conversation._meta.db_table, columns, conversation_rows())
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{Conversation._meta.db_table}', 'id'), %s)",
            [written],
        )
    step(f"COPY {written:,} conversations", began)

    began = time.perf_counter()
    stamp = now.isoformat()

    to_review: set[int] = set()

    def tag_rows():  # type: ignore[no-untyped-def]
        for conversation_id, theme_ids in enumerate(conversation_themes, start=1):
            for theme_id in theme_ids:
                suggested = rng.random() < 0.05
                if suggested:
                    to_review.add(conversation_id)
                yield [
                    stamp,
                    stamp,
                    conversation_id,
                    theme_id,
                    "suggested" if suggested else "applied",
                    "model",
                    round(rng.uniform(0.3, 0.69) if suggested else rng.uniform(0.7, 1.0), 4),
                    "bench",
                ]

    tags = _copy(
        raw,
        ConversationTag._meta.db_table,
        [
            "created_at",
            "updated_at",
            "conversation_id",
            "theme_id",
            "status",
            "source",
            "confidence",
            "model_version",
        ],
        tag_rows(),
    )
    step(f"COPY {tags:,} theme tags", began)

    # The tagging state each tagged conversation has (review flag for those with a suggestion).
    began = time.perf_counter()
    insight_rows = (
        [
            conversation_id,
            1,
            conversation_id in to_review,
            "low_confidence" if conversation_id in to_review else "",
            0,
            False,
            "",
            "[]",
        ]
        for conversation_id in range(1, written + 1)
    )
    _copy(
        raw,
        ConversationInsight._meta.db_table,
        [
            "conversation_id",
            "tagged_version",
            "needs_review",
            "review_reason",
            "reviewed_version",
            "counted",
            "counted_ladder",
            "counted_themes",
        ],
        insight_rows,
    )
    with connection.cursor() as cursor:
        cursor.execute("RESET session_replication_role")
    step(f"COPY {written:,} tagging states ({len(to_review):,} waiting for review)", began)

    began = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in rebuild_indexes:
            cursor.execute(sql)
    step(f"build the {len(rebuild_indexes)} indexes and unique constraints of those tables", began)

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    step("ANALYZE", began)

    def report_slow(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        began_statement = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seconds = time.perf_counter() - began_statement
            if seconds > 1:
                print(f"    {seconds:6.1f} s  {' '.join(sql.split())[:110]}", flush=True)

    began = time.perf_counter()
    with connection.execute_wrapper(report_slow):
        summary = aggregates.rebuild()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    step(
        f"count everything into cells (aggregates.rebuild): {summary.area_month_cells:,} area-month and "
        f"{summary.area_theme_month_cells:,} area-theme-month cells",
        began,
    )

    period = period_of(12)
    samples: dict[str, list[Area]] = {"authority": [], "ward": [], "neighbourhood": [], "lsoa": []}
    authority_codes = list(
        LocalAuthority.objects.filter(lsoas__isnull=False).distinct().values_list("code", flat=True)
    )
    ward_codes = list(Ward.objects.values_list("code", flat=True))
    neighbourhood_slugs = [n.slug for n in neighbourhoods]
    lsoa_codes = list(Lsoa.objects.values_list("code", flat=True))
    picker = random.Random(5)
    for _ in range(options.samples):
        samples["authority"].append(area_from("authority", picker.choice(authority_codes)))
        samples["ward"].append(area_from("ward", picker.choice(ward_codes)))
        samples["neighbourhood"].append(
            area_from("neighbourhood", picker.choice(neighbourhood_slugs))
        )
        samples["lsoa"].append(area_from("lsoa", picker.choice(lsoa_codes)))

    viewer = User.objects.get(pk=officer.pk)
    timings: dict[str, list[float]] = {}
    conversations_seen: dict[str, list[int]] = {}
    for kind, areas in samples.items():
        selectors.area_evidence(user=viewer, area=areas[0], period=period)  # warm the cache
        timings[kind] = []
        conversations_seen[kind] = []
        for area in areas:
            began = time.perf_counter()
            evidence = selectors.area_evidence(user=viewer, area=area, period=period)
            timings[kind].append((time.perf_counter() - began) * 1000)
            conversations_seen[kind].append(evidence.total)
    for kind, areas in samples.items():
        slowest = areas[max(range(len(areas)), key=lambda i: timings[kind][i])]
        print(f"  statements over 5 ms for the slowest {kind}:", flush=True)

        def report_statement(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            began_statement = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                milliseconds = (time.perf_counter() - began_statement) * 1000
                if milliseconds > 5:
                    print(f"    {milliseconds:7.1f} ms  {' '.join(sql.split())[:150]}", flush=True)

        with connection.execute_wrapper(report_statement):
            selectors.area_evidence(user=viewer, area=slowest, period=period)
    anonymous = selectors.area_evidence(
        user=AnonymousUser(), area=samples["lsoa"][0], period=period
    )
    assert anonymous.suppress

    # Keeping the cells current: change the tags of 500 conversations and move them.
    refresh_times = []
    for _batch in range(5):
        ids = [rng.randrange(1, written + 1) for _ in range(500)]
        began = time.perf_counter()
        with transaction.atomic():
            ConversationTag.objects.filter(conversation_id__in=ids[:250]).update(status="rejected")
            ConversationTag.objects.filter(
                conversation_id__in=ids[250:], status="suggested"
            ).update(status="confirmed")
            aggregates.refresh(ids)
        refresh_times.append(time.perf_counter() - began)

    total_seconds = time.perf_counter() - started_all
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size(%s)), pg_size_pretty(pg_total_relation_size(%s))",
            [AreaThemeMonth._meta.db_table, AreaMonth._meta.db_table],
        )
        theme_size, month_size = cursor.fetchone()

    def percentile(values: list[float], share: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    lines = [
        "# Benchmark: area evidence at national scale (`commonground.insight`)",
        "",
        f"- Machine: {machine()}",
        f"- Date: {today()}; revision {git_revision()}",
        f"- Database: PostgreSQL {server} (throwaway cluster from `scripts/with_postgres.sh`, fsync off)",
        "- Command: `bash scripts/with_postgres.sh .venv/bin/python -m bench.bench_area_evidence"
        + (f" --conversations {total}" if total != 2_500_000 else "")
        + "`",
        f"- Data: {written:,} synthetic conversations over {MONTHS} months in all 32,844 English LSOAs, "
        f"{tags:,} theme tags (about 5% suggestions, not counted), {ORGANISERS:,} organisers in {HOSTS} "
        f"hosts, {len(ward_codes):,} wards, {len(neighbourhood_slugs):,} neighbourhoods.",
        f"- Cells: {summary.area_theme_month_cells:,} area × theme × month × ladder ({theme_size}), "
        f"{summary.area_month_cells:,} area × month × host × ladder ({month_size}).",
        f"- Whole run: {total_seconds / 60:.1f} minutes; peak memory {peak_rss_mib():.0f} MiB.",
        "",
        "## The area evidence query",
        "",
        f"`selectors.area_evidence` for the last 12 months ({period.label}) against the 12 before, as a "
        f"council officer (suppression on), {options.samples} random areas of each kind, milliseconds:",
        "",
        "| area | p50 | p95 | max | conversations in the area (median) |",
        "|---|---|---|---|---|",
    ]
    for kind, values in timings.items():
        lines.append(
            f"| {kind} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} | {max(values):.1f} | "
            f"{statistics.median(conversations_seen[kind]):,.0f} |"
        )
    lines += [
        "",
        "## Building and keeping the cells",
        "",
        "| step | seconds |",
        "|---|---|",
        *[f"| {label} | {seconds:.1f} |" for label, seconds in steps],
        "",
        f"Keeping the cells current: changing the tags of 500 random conversations and moving them "
        f"(`aggregates.refresh`), 5 batches: median {statistics.median(refresh_times):.2f} s, "
        f"slowest {max(refresh_times):.2f} s.",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if options.output:
        options.output.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
