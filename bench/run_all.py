"""Run every benchmark in bench/ in turn and print what each measured (`make bench`).

Benchmarks that need PostgreSQL are run through scripts/with_postgres.sh. The figures are copied by hand
into docs/benchmarks.md with the machine and date each prints.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

RUNS: list[list[str]] = [
    [PYTHON, "-m", "bench.bench_load_places"],
    ["bash", "scripts/with_postgres.sh", PYTHON, "-m", "bench.bench_load_places"],
]


def main() -> int:
    failures = 0
    for command in RUNS:
        print("$", " ".join(command), flush=True)
        failures += subprocess.run(command, cwd=REPO).returncode != 0
    for script in sorted((REPO / "bench").glob("bench_*.py")):
        if script.name == "bench_load_places.py":
            continue
        module = f"bench.{script.stem}"
        print("$", PYTHON, "-m", module, flush=True)
        failures += subprocess.run([PYTHON, "-m", module], cwd=REPO).returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
