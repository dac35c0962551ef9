"""Who may run subject access and erasure: every role, against a resident of their own organisation's
host and of another's."""

from __future__ import annotations

from typing import Any

import pytest

from commonground.accounts.models import Role
from commonground.listening.models import Resident
from commonground.listening.tests.support import ROLE_HOME, build_world, make_member

PERMISSIONS = ("privacy.export_resident", "privacy.erase_resident")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("whose", ["own", "other"])
def test_only_managers_of_the_holding_host_act_on_rights(
    world: dict[str, Any], role: str, whose: str
) -> None:
    other = build_world("other")
    resident = Resident.objects.create(
        host=(world if whose == "own" else other)["host"], full_name="Tam Rook"
    )
    user = make_member(f"{role}.rights@example.test", world[ROLE_HOME[role]], role)
    allowed = role == Role.HOST_MANAGER and whose == "own"
    for permission in PERMISSIONS:
        assert user.has_perm(permission, resident) is allowed, (permission, role, whose)
    assert user.has_perm("privacy.find_residents") is (role == Role.HOST_MANAGER)
