from __future__ import annotations

import json

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from commonground.core.discovery import app_modules


def collect_counts() -> dict[str, int]:
    """Counts of the main records, for operators and monitoring.

    The foundation's are in ``settings.STATS_MODELS``; every other app lists its own in ``stats.py``.
    """
    wanted: dict[str, str] = dict(settings.STATS_MODELS)
    for _label, module in app_modules("stats"):
        wanted.update(module.STATS_MODELS)
    return {name: apps.get_model(label)._default_manager.count() for name, label in wanted.items()}


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
