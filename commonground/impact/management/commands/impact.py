"""``commonground impact load-fixmystreet``, ``report-pdf`` and ``export-open-data``.

``load-fixmystreet`` loads mySociety's yearly FixMyStreet report counts per LSOA (one theme) as the
figures of an open-data indicator, so that "did it make a difference?" comparisons can use them; it is
all or nothing and safe to run again. ``report-pdf`` writes a published version's PDF (making it if
the background worker has not yet). ``export-open-data`` writes every published figure as CSV or
JSON, by the output file's extension.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.impact import opendata, selectors, services
from commonground.impact.models import Indicator, ReportVersion

FIXMYSTREET_FILE = "reports_fixmystreet/fms_lsoa_yearly_counts_banes_exeter.csv"


class Command(BaseCommand):
    help = "Impact figures: load-fixmystreet, report-pdf, export-open-data."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        load = commands.add_parser(
            "load-fixmystreet", help="Load yearly FixMyStreet report counts per LSOA for one theme."
        )
        load.add_argument("--file", help=f"Counts file (default: DATA_DIR/{FIXMYSTREET_FILE}).")
        load.add_argument(
            "--category", default="B26", help="SHEF theme code (default B26, Rubbish)."
        )
        load.add_argument(
            "--indicator",
            default="fixmystreet_rubbish_reports",
            help="Code of the open-data indicator the counts are for.",
        )
        pdf = commands.add_parser("report-pdf", help="Write a published version's PDF.")
        pdf.add_argument("report", help="The report's id (as in its address).")
        pdf.add_argument("--version", type=int, help="Version number (default: the latest).")
        pdf.add_argument("--output", required=True, help="FILE.pdf")
        export = commands.add_parser(
            "export-open-data", help="Write every published figure as CSV or JSON."
        )
        export.add_argument("--output", required=True, help="FILE.csv or FILE.json")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = {
            "load-fixmystreet": self._load,
            "report-pdf": self._pdf,
            "export-open-data": self._export,
        }[options["subcommand"]]
        handler(options)

    def _load(self, options: dict[str, Any]) -> None:
        path = Path(options["file"]) if options["file"] else settings.DATA_DIR / FIXMYSTREET_FILE
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        indicator = Indicator.objects.filter(code=options["indicator"]).first()
        if indicator is None:
            raise CommandError(f"No indicator has the code {options['indicator']}.")
        try:
            summary = services.measurements_load_fixmystreet(
                actor=None, indicator=indicator, counts_csv=path, category_code=options["category"]
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{indicator.code}: {summary['lsoas']} LSOAs, {summary['added']} yearly figures "
                f"added, {summary['replaced']} replaced."
            )
        )

    def _pdf(self, options: dict[str, Any]) -> None:
        versions = ReportVersion.objects.filter(report__public_id=options["report"])
        if options["version"]:
            versions = versions.filter(number=options["version"])
        version = versions.order_by("-number").first()
        if version is None:
            raise CommandError("No published version of that report.")
        if version.pdf is None:
            version = services.report_version_make_pdf(version=version)
        Path(options["output"]).write_bytes(bytes(version.pdf))
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {options['output']}: {version.pdf_pages} pages.")
        )

    def _export(self, options: dict[str, Any]) -> None:
        output = Path(options["output"])
        versions = list(selectors.published_versions())
        if output.suffix == ".csv":
            with output.open("w", encoding="utf-8", newline="") as handle:
                for line in opendata.csv_lines(opendata.rows_for(versions)):
                    handle.write(line)
        elif output.suffix == ".json":
            output.write_text(
                json.dumps(opendata.json_document(versions), indent=2, ensure_ascii=False),
                encoding="utf-8",
            )
        else:
            raise CommandError("The output file must end in .csv or .json.")
        self.stdout.write(self.style.SUCCESS(f"Wrote {output} from {len(versions)} reports."))
