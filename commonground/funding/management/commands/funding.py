"""``commonground funding export-360giving`` and ``commonground funding import-360giving``.

Export writes every awarded grant (or one fund's, or one council's) as 360Giving data, in the format
the output file's name says (.json, .csv or .xlsx), and only after it has passed the schema: an
invalid package is reported and nothing is written. Import reads published files as past grants, each
file whole or not at all, and reports what it could not read.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.funding import exchange, selectors, services
from commonground.funding.models import Fund
from commonground.programme.models import Organisation


class _Everyone:
    """The command line acts for the council: it may read every awarded grant (published data)."""

    is_authenticated = True
    pk = None

    def has_perm(self, permission: str, obj: Any = None) -> bool:
        return permission in {"funding.view_grant", "funding.export_grants"}


class Command(BaseCommand):
    help = "Exchange grants in the 360Giving Data Standard: export-360giving, import-360giving."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        export = commands.add_parser(
            "export-360giving",
            help="Write awarded grants as 360Giving JSON, CSV or Excel (by the file's extension).",
        )
        export.add_argument("--output", required=True, help="FILE.json, FILE.csv or FILE.xlsx")
        export.add_argument("--fund", help="Only this fund (its slug).")
        export.add_argument(
            "--council", help="Only this council's funds (its slug); needed when several run funds."
        )
        imports = commands.add_parser(
            "import-360giving", help="Import published 360Giving files as past grants."
        )
        imports.add_argument("files", nargs="+", help=".json, .csv or .xlsx files")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "export-360giving":
            self._export(options)
        else:
            self._import(options)

    def _export(self, options: dict[str, Any]) -> None:
        output = Path(options["output"])
        try:
            file_format = exchange.format_for_path(output.name)
        except ValueError as error:
            raise CommandError(str(error)) from error
        fund = None
        council = None
        if options.get("fund"):
            fund = Fund.objects.filter(slug=options["fund"]).first()
            if fund is None:
                raise CommandError(f"No fund has the slug {options['fund']!r}.")
        if options.get("council"):
            council = Organisation.objects.filter(slug=options["council"]).first()
            if council is None:
                raise CommandError(f"No organisation has the slug {options['council']!r}.")
        grants = selectors.grants_for_export(user=_Everyone(), fund=fund, council=council)
        try:
            export = exchange.build_export(grants)
        except exchange.ExportError as error:
            for problem in error.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(
                f"Nothing was written: {len(error.problems)} problem(s) stop the grants being "
                "valid 360Giving data."
            ) from error
        content = exchange.render(export, file_format)
        output.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename, so a reader never sees half a file.
        with tempfile.NamedTemporaryFile(dir=output.parent, delete=False, suffix=".part") as handle:
            handle.write(content)
            temporary = Path(handle.name)
        os.replace(temporary, output)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {export.grant_count} grants to {output} ({file_format}, 360Giving "
                f"{export.package['version']}, publisher prefix {export.publisher.prefix}); "
                "the package passed the schema."
            )
        )

    def _import(self, options: dict[str, Any]) -> None:
        failures = 0
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                self.stderr.write(f"{name}: no such file")
                failures += 1
                continue
            try:
                summary = services.past_grants_import(actor=None, path=path)
            except services.ImportRefused as error:
                failures += 1
                self.stderr.write(f"{path.name}: NOT IMPORTED")
                for problem in error.problems:
                    self.stderr.write(f"  {problem}")
                continue
            replaced = f", {summary.replaced} replaced" if summary.replaced else ""
            self.stdout.write(
                self.style.SUCCESS(f"{path.name}: {summary.imported} grants imported{replaced}")
            )
            if summary.problems:
                self.stdout.write(f"  What could not be read ({len(summary.problems)}):")
                for problem in summary.problems:
                    self.stdout.write(f"  {problem}")
        if failures:
            raise CommandError(f"{failures} file(s) were not imported; see above.")
