from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    # A backup or restore must run even while another part of the site fails its checks.
    requires_system_checks: list[str] = []
    help = (
        "Restore a backup made by `commonground backup` into an empty database and empty file "
        "folders, then check every table's row count and checksum against its manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The backup folder (it holds manifest.json).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database and file folders that are not empty. Everything in them is lost.",
        )

    def handle(self, *args: object, **options: object) -> None:
        folder = options["path"]
        assert isinstance(folder, Path)
        try:
            manifest = backup_restore(folder=folder, force=bool(options["force"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            f"Restored the backup made at {manifest['made_at']}: {len(manifest['tables'])} tables, "
            f"{rows} rows, every count and checksum matches."
        )
