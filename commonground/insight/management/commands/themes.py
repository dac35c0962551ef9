"""``commonground themes <subcommand>``: check the tagger, keep the taxonomy and the counts.

themes evaluate --train TRAIN.csv --test TEST.csv --predictions OUT.csv
themes load-defaults          # the FixMyStreet families and community themes (idempotent)
themes retrain                # train a new version; kept only if at least as good
themes tag-pending            # tag conversations the active version has not read
themes retag-all              # re-read every conversation not yet reviewed by a person
themes find-emerging [--days 90]
themes rebuild-counts         # recount every area x theme x month cell from scratch
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.insight import aggregates, services
from commonground.insight.evaluation import EvaluationDataError, evaluate, format_report
from commonground.insight.tagger import TaggerError


class Command(BaseCommand):
    help = (
        "Themes: evaluate the tagger on your own labelled files, retrain it, keep counts current."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        evaluate_parser = commands.add_parser(
            "evaluate",
            help="Train on TRAIN only, tag TEST, write OUT and print the scores.",
            description="Both files need the columns 'text' and 'themes' (themes separated by '; ').",
        )
        evaluate_parser.add_argument("--train", required=True, metavar="TRAIN.csv")
        evaluate_parser.add_argument("--test", required=True, metavar="TEST.csv")
        evaluate_parser.add_argument("--predictions", required=True, metavar="OUT.csv")
        evaluate_parser.add_argument(
            "--no-per-theme", action="store_true", help="Leave out the per-theme table."
        )
        commands.add_parser("load-defaults", help="Create the default taxonomy where missing.")
        commands.add_parser("retrain", help="Train a new tagger version from confirmed examples.")
        commands.add_parser(
            "tag-pending", help="Tag conversations the active version has not read."
        )
        commands.add_parser("retag-all", help="Re-tag every conversation not reviewed by a person.")
        emerging = commands.add_parser("find-emerging", help="Look for emerging themes.")
        emerging.add_argument("--days", type=int, default=90)
        commands.add_parser("rebuild-counts", help="Recount the area evidence from scratch.")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, "_" + options["subcommand"].replace("-", "_"))
        try:
            handler(options)
        except (EvaluationDataError, TaggerError) as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

    def _evaluate(self, options: dict[str, Any]) -> None:
        report = evaluate(options["train"], options["test"], options["predictions"])
        self.stdout.write(format_report(report, per_theme=not options["no_per_theme"]))

    def _load_defaults(self, options: dict[str, Any]) -> None:
        created, kept = services.taxonomy_load_defaults(actor=None)
        self.stdout.write(f"{created} themes created, {kept} already there.")

    def _retrain(self, options: dict[str, Any]) -> None:
        outcome = services.tagger_retrain(actor=None)
        self.stdout.write(f"Version {outcome.record.version}: {outcome.reason}")

    def _tag_pending(self, options: dict[str, Any]) -> None:
        from commonground.insight.tasks import retag_all

        summary = retag_all.call(False)
        self.stdout.write(f"{summary['tagged']} tagged, {summary['to_review']} to review.")

    def _retag_all(self, options: dict[str, Any]) -> None:
        from commonground.insight.tasks import retag_all

        summary = retag_all.call(True)
        self.stdout.write(f"{summary['tagged']} tagged, {summary['to_review']} to review.")

    def _find_emerging(self, options: dict[str, Any]) -> None:
        clusters = services.emerging_refresh(actor=None, days=options["days"])
        for cluster in clusters:
            self.stdout.write(f"{cluster.size:5d}  {', '.join(cluster.key_terms)}")
        self.stdout.write(f"{len(clusters)} groups found.")

    def _rebuild_counts(self, options: dict[str, Any]) -> None:
        summary = aggregates.rebuild()
        self.stdout.write(
            f"{summary.conversations} conversations counted in {summary.area_month_cells} area-month "
            f"and {summary.area_theme_month_cells} area-theme-month cells."
        )
