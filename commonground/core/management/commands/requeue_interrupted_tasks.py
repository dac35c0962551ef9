from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from commonground.core.recovery import interrupted_tasks, interrupted_tasks_requeue


class Command(BaseCommand):
    help = (
        "List background tasks left 'running' by a worker that was stopped, and with --apply put "
        "them back in the queue. Run it when no worker is running, or give --minutes longer than "
        "any task takes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--minutes",
            type=int,
            default=60,
            help="Only tasks that started at least this many minutes ago (default 60).",
        )
        parser.add_argument(
            "--apply", action="store_true", help="Requeue them; without it nothing changes."
        )

    def handle(self, *args: object, **options: object) -> None:
        minutes = options["minutes"]
        assert isinstance(minutes, int)
        cutoff = timezone.now() - timedelta(minutes=minutes)
        if options["apply"]:
            tasks = interrupted_tasks_requeue(started_before=cutoff)
        else:
            tasks = list(interrupted_tasks(started_before=cutoff))
        for task in tasks:
            self.stdout.write(
                f"{task.pk}  {task.task_path}  started {task.started_at:%Y-%m-%d %H:%M}"
            )
        verb = "Requeued" if options["apply"] else "Would requeue (dry run; add --apply)"
        self.stdout.write(f"{verb}: {len(tasks)} task(s).")
