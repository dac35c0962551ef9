"""Helpers for tests: a client signed in as a person who has also entered their two-factor code."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def verified_client(user: Any, client: Client | None = None) -> Client:
    """``client`` (a new one if not given) signed in as ``user``, the second factor done.

    The session is left as a full sign-in leaves it: logged in, and naming a confirmed
    authenticator device, which is what ``RequireTwoFactorMiddleware`` looks for.
    """
    client = client or Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
