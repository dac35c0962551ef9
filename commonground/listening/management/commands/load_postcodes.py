"""Load postcodes from an ONS Postcode Directory (ONSPD) style CSV: columns pcds, lat, long.

The ONSPD itself is published by the ONS under the Open Government Licence (with Royal Mail and OS
conditions); a council loads the extract for its own area. Rows whose point falls outside the mapped
LSOAs are kept without an LSOA and cannot be used to place a conversation. Terminated postcodes (a
``doterm`` value) are skipped.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from commonground.listening.postcodes import load_postcodes


class Command(BaseCommand):
    help = "Load postcodes (ONSPD-style CSV with pcds, lat, long) so conversations can be placed by postcode."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("csv_path", type=Path)

    def handle(self, *args: Any, csv_path: Path, **options: Any) -> None:
        if not csv_path.exists():
            raise CommandError(f"No file at {csv_path}")
        with csv_path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = {"pcds", "lat", "long"} - set(reader.fieldnames or [])
            if missing:
                raise CommandError(f"The file lacks the columns: {', '.join(sorted(missing))}")
            summary = load_postcodes(reader)
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.loaded:,} postcodes loaded ({summary.placed:,} inside the mapped LSOAs); "
                f"{summary.skipped:,} rows skipped."
            )
        )
        for problem in summary.problems[:20]:
            self.stdout.write(f"  {problem}")
