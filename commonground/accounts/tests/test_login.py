from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from commonground.accounts.models import ApiToken, Role
from commonground.core.models import AuditEvent
from commonground.programme.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-1"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_wrong_password_does_not_say_whether_the_account_exists(
    client: Client, make_user: Callable[..., Any]
) -> None:
    make_user(email="known@example.test")
    known = client.post(
        "/accounts/login/", {"email": "known@example.test", "password": "wrong"}
    ).content.decode()
    unknown = client.post(
        "/accounts/login/", {"email": "nobody@example.test", "password": "wrong"}
    ).content.decode()
    assert "Enter a correct e-mail address and password." in known
    assert "Enter a correct e-mail address and password." in unknown


def test_repeated_failures_lock_the_account(
    client: Client, make_user: Callable[..., Any], settings: Any
) -> None:
    user = make_user(email="target@example.test")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/accounts/login/", {"email": "target@example.test", "password": "guess"})
    user.refresh_from_db()
    assert user.is_locked
    response = client.post(
        "/accounts/login/", {"email": "target@example.test", "password": PASSWORD}
    )
    assert "locked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert (
        AuditEvent.objects.filter(action="login.failed", object_id=str(user.pk)).count()
        == settings.LOGIN_FAILURE_LIMIT
    )
    user.locked_until = timezone.now() - timezone.timedelta(seconds=1)
    user.save()
    assert (
        client.post(
            "/accounts/login/", {"email": "target@example.test", "password": PASSWORD}
        ).status_code
        == 302
    )


def test_role_with_personal_data_must_set_up_two_factor(
    client: Client, make_user: Callable[..., Any]
) -> None:
    make_user(Role.ORGANISER, OrganisationFactory(), email="organiser@example.test")
    response = client.post(
        "/accounts/login/", {"email": "organiser@example.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/setup/")
    assert client.get("/dashboard/")["Location"].startswith("/accounts/two-factor/setup/")
    page = client.get("/accounts/two-factor/setup/")
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user__email="organiser@example.test", confirmed=False)
    assert client.post("/accounts/two-factor/setup/", {"token": "000000"}).status_code == 200
    # A wrong code slows further attempts down (throttling); wait it out as a person would.
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttle_reset()
    done = client.post("/accounts/two-factor/setup/", {"token": _code(device)})
    assert done.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_returning_user_enters_a_code(client: Client, make_user: Callable[..., Any]) -> None:
    user = make_user(Role.HOST_MANAGER, OrganisationFactory(), email="manager@example.test")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = client.post(
        "/accounts/login/", {"email": "manager@example.test", "password": PASSWORD}
    )
    assert response["Location"].startswith("/accounts/two-factor/verify/")
    assert (
        "not right"
        in client.post("/accounts/two-factor/verify/", {"token": "123456"}).content.decode()
    )
    assert (
        "not right"
        in client.post("/accounts/two-factor/verify/", {"token": _code(device)}).content.decode()
    )
    device.refresh_from_db()
    device.throttle_reset()
    assert client.post("/accounts/two-factor/verify/", {"token": _code(device)}).status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_councillor_sees_aggregates_without_two_factor(
    client: Client, make_user: Callable[..., Any]
) -> None:
    make_user(Role.COUNCILLOR, OrganisationFactory(), email="cllr@example.test")
    response = client.post("/accounts/login/", {"email": "cllr@example.test", "password": PASSWORD})
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_api_token_round_trip(
    client: Client, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    user = make_user(Role.HOST_MANAGER, OrganisationFactory())
    browser = signed_in(user)
    page = browser.post("/accounts/profile/", {"name": "Tablet"}).content.decode()
    token = ApiToken.objects.get(user=user)
    key = page.split('id="new-token">')[1].split("<")[0]
    assert ApiToken.hash_key(key) == token.key_hash
    api = Client()
    assert api.get("/api/programme/organisations").status_code == 401
    assert (
        api.get("/api/programme/organisations", HTTP_AUTHORIZATION=f"Bearer {key}").status_code
        == 200
    )
    browser.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert (
        api.get("/api/programme/organisations", HTTP_AUTHORIZATION=f"Bearer {key}").status_code
        == 401
    )
    assert (
        "message"
        in api.get("/api/programme/organisations", HTTP_AUTHORIZATION="Bearer nonsense").json()
    )
