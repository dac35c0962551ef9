"""``commonground retention``: what the retention schedule would change now, or change it.

retention                      # dry run: per rule, how many records and the oldest date
retention --apply              # apply every rule, one transaction and one audit event per rule
retention --rule audit_events  # only the rules named (repeatable)
retention --enqueue            # queue the daily task for the worker (for cron)
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from commonground.privacy.retention import (
    RULES,
    RuleOutcome,
    retention_apply,
    retention_preview,
    rules_named,
)


class Command(BaseCommand):
    help = (
        "Apply the retention schedule. Without --apply, only lists what would change (a dry run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--apply", action="store_true", help="Make the changes (otherwise a dry run)."
        )
        parser.add_argument(
            "--rule",
            action="append",
            choices=[rule.key for rule in RULES],
            help="Only this rule; repeat for more. Default: every rule.",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the retention task for the background worker instead of running it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        keys = options["rule"]
        try:
            rules_named(keys)
        except KeyError as error:
            raise CommandError(f"Unknown rule: {error}") from error
        if options["enqueue"]:
            if keys or not options["apply"]:
                raise CommandError("--enqueue applies every rule: use it with --apply alone.")
            from commonground.privacy.tasks import apply_retention_schedule

            result = apply_retention_schedule.enqueue()
            self.stdout.write(f"Queued the retention task ({result.id}).")
            return
        if options["apply"]:
            outcomes = retention_apply(actor=None, keys=keys)
            self.stdout.write(f"Retention applied at {timezone.now():%Y-%m-%d %H:%M %Z}.")
        else:
            outcomes = retention_preview(keys=keys)
            self.stdout.write(
                f"Dry run at {timezone.now():%Y-%m-%d %H:%M %Z}: nothing was changed. "
                "Run with --apply to make these changes."
            )
        for outcome in outcomes:
            self.stdout.write(_line(outcome))


def _line(outcome: RuleOutcome) -> str:
    rule = outcome.rule
    verb = "changed" if outcome.applied else "would change"
    oldest = f", oldest {outcome.oldest:%Y-%m-%d}" if outcome.oldest else ""
    return (
        f"{rule.key}: {verb} {outcome.count} record(s){oldest} "
        f"(kept {rule.period} {rule.starts_from}; limit {outcome.cutoff:%Y-%m-%d})"
    )
