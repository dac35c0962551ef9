"""The ``commonground`` console command: Django's ``manage.py`` under the project's own name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings.local")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "commonground"
    execute_from_command_line(args)
    return 0
