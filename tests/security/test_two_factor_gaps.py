"""Between the password and the code, a session reaches nothing that needs the second factor.

The pages were already guarded by RequireTwoFactorMiddleware; the API (which answers a session as
well as a token) and the account page (which makes API tokens) were not, so a password alone was
enough to read personal data through the API or to mint a token that skipped the code forever.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from commonground.accounts.models import ApiToken, Role, User
from commonground.programme.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _password_only(client: Client, user: User) -> Client:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_api_refuses_a_session_without_its_second_factor(
    client: Client, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> None:
    officer = make_user(Role.COUNCIL_OFFICER, OrganisationFactory())
    response = _password_only(client, officer).get("/api/programme/organisers")
    assert response.status_code == 401
    assert "Authentication required" in response.json()["message"]
    assert signed_in(officer).get("/api/programme/organisers").status_code == 200


def test_the_api_answers_a_role_that_needs_no_second_factor(
    client: Client, make_user: Callable[..., User]
) -> None:
    councillor = make_user(Role.COUNCILLOR, OrganisationFactory())
    assert _password_only(client, councillor).get("/api/programme/organisers").status_code == 200


def test_no_api_token_is_made_before_the_second_factor(
    client: Client, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> None:
    officer = make_user(Role.HOST_MANAGER, OrganisationFactory())
    unverified = _password_only(client, officer)
    page = unverified.get("/accounts/profile/")
    assert page.status_code == 302
    assert "/accounts/two-factor/" in page["Location"]
    made = unverified.post("/accounts/profile/", {"name": "laptop"})
    assert made.status_code == 302
    assert not ApiToken.objects.filter(user=officer).exists()

    verified: Any = signed_in(officer)
    assert verified.post("/accounts/profile/", {"name": "laptop"}).status_code == 200
    assert ApiToken.objects.filter(user=officer).count() == 1
