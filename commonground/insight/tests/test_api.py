from __future__ import annotations

from typing import Any

import pytest

from commonground.accounts.models import Role
from commonground.programme.tests.factories import OrganisationFactory, OrganiserFactory

from .factories import conversation, tag

pytestmark = pytest.mark.django_db


def test_evidence_api_suppresses_outside_the_host(signed_in: Any, make_user: Any) -> None:
    organiser = OrganiserFactory()
    for index in range(6):
        tag(conversation(organiser=organiser), "fly-tipping" if index < 5 else "noise")
    url = "/api/insight/areas/lsoa/E01014463/evidence?months=24"
    officer = signed_in(make_user(Role.COUNCIL_OFFICER, OrganisationFactory(kind="council")))
    body = officer.get(url).json()
    assert body["suppressed"] is True
    themes = {row["theme"]: row for row in body["themes"]}
    assert themes["fly-tipping"]["conversations"] == 5
    assert themes["noise"]["conversations"] is None
    manager = signed_in(make_user(Role.HOST_MANAGER, organiser.host))
    body = manager.get(url).json()
    assert body["suppressed"] is False
    assert {row["theme"]: row["conversations"] for row in body["themes"]}["noise"] == 1


def test_themes_api_and_queue_permission(signed_in: Any, make_user: Any) -> None:
    client = signed_in(make_user(Role.COUNCILLOR, OrganisationFactory(kind="council")))
    themes = client.get("/api/insight/themes").json()
    graffiti = next(row for row in themes if row["slug"] == "graffiti")
    assert graffiti["family"] == "fms-incivilities" and graffiti["source_codes"] == "SHEF-A33"
    assert client.get("/api/insight/review-queue").status_code == 403


def test_api_needs_authentication(client: Any) -> None:
    assert client.get("/api/insight/themes").status_code == 401
