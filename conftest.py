"""Fixtures shared by every app's tests.

The real geography is loaded once per test database (it is open data and read-only in most tests);
each test then runs in a transaction that is rolled back, so tests that change places still leave the
loaded copy as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from commonground.accounts.models import Membership, Role, User
from commonground.accounts.testing import verified_client
from commonground.programme.models import Organisation


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    from commonground.places.loader import load_places

    with django_db_blocker.unblock():
        load_places(data_dir=settings.DATA_DIR)


@pytest.fixture(autouse=True)
def _forget_cached_answers() -> None:
    """Each test's database is rolled back to the same state, which the cache cannot tell apart."""
    from django.core.cache import caches

    caches["local"].clear()


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    counter = {"n": 0}

    def make(
        role: str | None = None, organisation: Organisation | None = None, **extra: Any
    ) -> User:
        counter["n"] += 1
        user = User.objects.create_user(
            email=extra.pop("email", f"person{counter['n']}@example.test"),
            password=extra.pop("password", "a-long-test-password-1"),
            full_name=extra.pop("full_name", f"Test Person {counter['n']}"),
            **extra,
        )
        if role is not None:
            assert organisation is not None
            Membership.objects.create(user=user, organisation=organisation, role=role)
        return user

    return make


@pytest.fixture
def signed_in(client: Client) -> Callable[[User], Client]:
    return lambda user: verified_client(user, client)


ALL_ROLES = [role.value for role in Role]
