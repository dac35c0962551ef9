"""Writes about users, memberships, logins and tokens. Each writes an audit event."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from commonground.core.audit import audit_record

from .models import ROLES_SEEING_PERSONAL_DATA, ApiToken, Membership, User
from .rules import forget_roles, roles_by_organisation


class LoginRefused(Exception):
    """A login that must not go ahead; the message is safe to show."""


def user_requires_two_factor(user: User) -> bool:
    held: set[str] = set()
    for roles in roles_by_organisation(user).values():
        held |= roles
    return user.is_superuser or bool(held & ROLES_SEEING_PERSONAL_DATA)


@transaction.atomic
def user_create(
    *, actor: Any, email: str, full_name: str, password: str | None, is_staff: bool = False
) -> User:
    user = User(email=email.strip().lower(), full_name=full_name, is_staff=is_staff)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=actor, action="user.create", obj=user)
    return user


@transaction.atomic
def membership_grant(*, actor: Any, user: User, organisation: Any, role: str) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    if created:
        membership.full_clean()
        audit_record(
            actor=actor, action="membership.grant", obj=membership, organisation_id=organisation.pk
        )
    forget_roles(user)
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership) -> None:
    audit_record(
        actor=actor,
        action="membership.revoke",
        obj=membership,
        organisation_id=membership.organisation_id,
    )
    membership.delete()
    forget_roles(membership.user)


def login_check(*, request: HttpRequest | None, email: str, password: str) -> User:
    """Authenticate, counting failures and locking the account after too many.

    The same message is given for an unknown e-mail and a wrong password, so the form does not reveal
    who has an account.
    """
    email = email.strip().lower()
    refused = LoginRefused("Enter a correct e-mail address and password.")
    user = User.objects.filter(email=email).first()
    if user is not None and user.is_locked:
        audit_record(actor=None, action="login.locked", obj=user)
        raise LoginRefused(
            "This account is locked after too many failed attempts. Try again in "
            f"{settings.LOGIN_LOCKOUT_MINUTES} minutes or ask an administrator."
        )
    authenticated = authenticate(request, username=email, password=password)
    if authenticated is None:
        # The failure is committed before refusing, so the count survives the refusal.
        if user is not None:
            with transaction.atomic():
                locked = User.objects.select_for_update().get(pk=user.pk)
                locked.failed_login_count += 1
                if locked.failed_login_count >= settings.LOGIN_FAILURE_LIMIT:
                    locked.locked_until = timezone.now() + timedelta(
                        minutes=settings.LOGIN_LOCKOUT_MINUTES
                    )
                    locked.failed_login_count = 0
                locked.save(update_fields=["failed_login_count", "locked_until"])
                audit_record(actor=None, action="login.failed", obj=locked)
        raise refused
    assert isinstance(authenticated, User)
    with transaction.atomic():
        authenticated.failed_login_count = 0
        authenticated.locked_until = None
        authenticated.save(update_fields=["failed_login_count", "locked_until"])
        audit_record(actor=authenticated, action="login.succeeded", obj=authenticated)
    return authenticated


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """An unconfirmed device for set-up; replaced if the user starts again."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    if device.user_id != user.pk or not device.verify_token(token.strip().replace(" ", "")):
        audit_record(actor=user, action="two_factor.confirm_failed", obj=user)
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=user, action="two_factor.confirmed", obj=user)
    return True


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its key; the key is never stored and cannot be shown again."""
    key = ApiToken.generate_key()
    token = ApiToken(
        user=actor, name=name.strip()[:100], key_hash=ApiToken.hash_key(key), prefix=key[:8]
    )
    token.full_clean()
    token.save()
    audit_record(actor=actor, action="api_token.create", obj=token)
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="api_token.revoke", obj=token)


def api_token_user(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
