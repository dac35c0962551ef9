from __future__ import annotations

from typing import Any

import pytest

from commonground.accounts.models import Role

from .support import build_world, make_member, postcode_at


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """One programme with a host, its organiser (who can sign in), a manager, a partner officer,
    a councillor and two synthetic postcodes in Whiteway and Radstock."""
    postcode_at("E01014463", "ZZ1 1AB")
    postcode_at("E01014448", "ZZ1 2AB")
    world = build_world("own")
    world["user"] = make_member("organiser@example.test", world["host"], Role.ORGANISER)
    world["organiser"].user = world["user"]
    world["organiser"].save()
    world["manager"] = make_member("manager@example.test", world["host"], Role.HOST_MANAGER)
    world["partner_officer"] = make_member(
        "police@example.test", world["partner"], Role.PARTNER_OFFICER
    )
    world["councillor"] = make_member("cllr@example.test", world["council"], Role.COUNCILLOR)
    world["council_officer"] = make_member(
        "officer@example.test", world["council"], Role.COUNCIL_OFFICER
    )
    return world
