from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo login (only for devices named 'Demo authenticator')."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: object, **options: object) -> None:
        device = TOTPDevice.objects.filter(
            user__email=str(options["email"]).lower(), name="Demo authenticator"
        ).first()
        if device is None:
            raise CommandError(
                "No demo authenticator for that e-mail. Real users' codes are only ever on their own phones."
            )
        code = totp(
            device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
        )
        self.stdout.write(f"{code:0{device.digits}d}")
