"""Where the load test's pages spend their time: queries, SQL time and Python time per page.

Prepare a database first and keep its scenarios, then profile against it:

    bash scripts/with_postgres.sh bash -c '
      .venv/bin/python -m bench.bench_load_test --prepare-only > /tmp/scenarios.json &&
      .venv/bin/python -m bench.profile_load_pages /tmp/scenarios.json'

For each page it prints the wall time, the number of queries and the time they took (median of
``--repeat`` requests after one to warm up), the slowest statements, and with ``--cprofile`` the
functions that took longest.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("scenarios", type=Path, help="The JSON printed by --prepare-only.")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="Profile only paths containing this text.")
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument(
        "--sort", default="cumulative", help="cProfile order: cumulative or tottime."
    )
    parser.add_argument(
        "--match", default="", help="Show only functions whose file or name contains this text."
    )
    parser.add_argument("--lines", type=int, default=25, help="How many functions to show.")
    parser.add_argument("--slow-ms", type=float, default=5.0)
    options = parser.parse_args()
    text = options.scenarios.read_text()
    config = json.loads(text[text.index("{") :])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.load_settings")
    os.environ.setdefault("SECRET_KEY", "profiling-only-" + "x" * 40)
    os.environ.setdefault("COMMONGROUND_LOAD_STATIC_ROOT", "/tmp/cg-load-static")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    for name, scenario in config["scenarios"].items():
        headers = scenario.get("headers", {})
        client = Client()
        extra = {}
        if "Cookie" in headers:
            cookie_name, _eq, value = headers["Cookie"].partition("=")
            client.cookies[cookie_name] = value
        if "Authorization" in headers:
            extra["HTTP_AUTHORIZATION"] = headers["Authorization"]
        for path in dict.fromkeys(scenario["paths"]):
            if options.only not in path:
                continue
            client.get(path, **extra)
            walls: list[float] = []
            sql_times: list[float] = []
            counts: list[int] = []
            statements: dict[str, list[float]] = {}
            profiler = cProfile.Profile() if options.cprofile else None
            for _ in range(options.repeat):
                spent: list[float] = []

                def record(  # type: ignore[no-untyped-def]
                    execute, sql, params, many, context, spent=spent, statements=statements
                ):
                    began = time.perf_counter()
                    try:
                        return execute(sql, params, many, context)
                    finally:
                        milliseconds = (time.perf_counter() - began) * 1000
                        spent.append(milliseconds)
                        statements.setdefault(" ".join(sql.split())[:240], []).append(milliseconds)

                began = time.perf_counter()
                with connection.execute_wrapper(record):
                    if profiler:
                        profiler.enable()
                    response = client.get(path, **extra)
                    if profiler:
                        profiler.disable()
                walls.append((time.perf_counter() - began) * 1000)
                sql_times.append(sum(spent))
                counts.append(len(spent))
                if response.status_code != 200:
                    print(f"  !! {path} answered {response.status_code}")
            print(
                f"{name} {path}: {statistics.median(walls):.0f} ms, "
                f"{statistics.median(counts):.0f} queries taking {statistics.median(sql_times):.0f} ms"
            )
            slow = sorted(
                (
                    (sum(times) / options.repeat, len(times) // options.repeat, sql)
                    for sql, times in statements.items()
                ),
                reverse=True,
            )
            for milliseconds, times, sql in slow[:6]:
                if milliseconds >= options.slow_ms:
                    print(f"    {milliseconds:7.1f} ms ×{times}  {sql}")
            if profiler:
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out).sort_stats(options.sort)
                restrictions: list[str | int] = [options.match] if options.match else []
                stats.print_stats(*restrictions, options.lines)
                print(out.getvalue())


if __name__ == "__main__":
    main()
