from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.places.loader import PlacesLoadError, load_places


class Command(BaseCommand):
    help = (
        "Load authorities, wards, LSOAs (population, IMD 2019, rural/urban class, boundaries) and GP "
        "practices from the open data folder. Safe to run again: rows are updated in place. A problem "
        "in any file stops the load and nothing is changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data",
            type=Path,
            default=settings.DATA_DIR,
            help="Folder holding the open data (default: data/).",
        )

    def handle(self, *args: object, **options: object) -> None:
        data_dir = Path(str(options["data"]))
        started = time.perf_counter()
        try:
            summary = load_places(data_dir=data_dir)
        except PlacesLoadError as error:
            raise CommandError(f"Nothing was loaded. {error}") from error
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {summary.authorities} authorities, {summary.wards} wards, {summary.lsoas:,} LSOAs "
                f"({summary.lsoas_with_boundary} with boundaries) and {summary.gp_practices} GP practices "
                f"from {data_dir} in {seconds:.1f} s."
            )
        )
