from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from commonground.core.discovery import app_modules
from commonground.programme.demo import DEMO_PASSWORD, DemoPrerequisiteError, demo_load


class Command(BaseCommand):
    help = (
        "Create the synthetic demo programme (organisations, organisers, neighbourhoods, logins) and "
        "each app's demo content. Safe to run again: what exists is kept."
    )

    def handle(self, *args: object, **options: object) -> None:
        try:
            logins = demo_load()
        except DemoPrerequisiteError as error:
            raise CommandError(str(error)) from error
        # Every other app with a demo.py adds its synthetic content on top of the programme.
        for label, module in app_modules("demo"):
            if label != "programme":
                summary = module.demo_load()
                if summary:
                    self.stdout.write(f"  {label}: {summary}")
        self.stdout.write(
            self.style.SUCCESS("The demo programme is ready. Sign in at /accounts/login/ with:")
        )
        self.stdout.write(f"  password for every login: {DEMO_PASSWORD}")
        for login in logins:
            line = f"  {login.role:<22} {login.email:<40} {login.organisation}"
            if login.totp_secret:
                line += f"\n  {'':<22} two-factor key {login.totp_secret} (or run: commonground demo_code {login.email})"
            self.stdout.write(line)
