from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.core.backup import BackupError, backup_create


class Command(BaseCommand):
    # A backup or restore must run even while another part of the site fails its checks.
    requires_system_checks: list[str] = []
    help = (
        "Back up the database (pg_dump on PostgreSQL, the online backup on SQLite), the file folders "
        "and a manifest of every table's row count and checksum, into a new folder under --output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="Folder to write the backup into (default: var/backups).",
        )

    def handle(self, *args: object, **options: object) -> None:
        output = options["output"] or Path(settings.VAR_DIR) / "backups"
        assert isinstance(output, Path)
        try:
            folder = backup_create(output_dir=output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(folder))
