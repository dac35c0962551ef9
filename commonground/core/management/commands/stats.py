from __future__ import annotations

import json

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


def collect_counts() -> dict[str, int]:
    """Counts of the main records, for operators and monitoring. Apps not installed are skipped."""
    counts: dict[str, int] = {}
    for name, label in settings.STATS_MODELS.items():
        app_label, model_name = label.split(".")
        if not apps.is_installed(f"commonground.{app_label}") and app_label not in {
            a.label for a in apps.get_app_configs()
        }:
            continue
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        counts[name] = model._default_manager.count()
    return counts


class Command(BaseCommand):
    help = "Print the counts of the main records (authorities, LSOAs, organisations, organisers, users, ...)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--json", action="store_true", help="Print one JSON object instead of a table."
        )

    def handle(self, *args: object, **options: object) -> None:
        counts = collect_counts()
        if options["json"]:
            self.stdout.write(json.dumps(counts, sort_keys=False))
            return
        width = max(len(name) for name in counts)
        for name, value in counts.items():
            self.stdout.write(f"{name:<{width}}  {value:>10,}")
