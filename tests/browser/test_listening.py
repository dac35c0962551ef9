"""Listening in a real Chromium: the capture form offline and online again, and the progress pages."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from .helpers import axe_violations, sign_in

pytestmark = pytest.mark.browser

ORGANISER = "organiser@demo.commonground.test"
MANAGER = "host.manager@demo.commonground.test"
# A real GP practice's postcode in Radstock: the lookup falls back to GP practice postcodes.
KNOWN_POSTCODE = "BA3 3EP"


def conversations_matching(page: Any, marker: str) -> int:
    page.goto(f"/listening/?q={marker}")
    return page.locator("#conversation-table tbody tr").count()


def total_conversations(page: Any) -> int:
    return int(page.request.get("/api/listening/conversations?limit=1").json()["count"])


def fill_conversation(
    page: Any, *, concerns: str, postcode: str = "", by_phone: bool = False
) -> None:
    if by_phone:
        page.get_by_label("By phone").check()
    if postcode:
        page.get_by_label("Postcode", exact=True).fill(postcode)
    page.get_by_label("What concerns them most?").fill(concerns)
    page.get_by_role("button", name="Save conversation").click()


def test_capture_offline_then_sync_loses_nothing_and_doubles_nothing(page: Any) -> None:
    context = page.context
    sign_in(page, ORGANISER)
    before = total_conversations(page)
    page.goto("/listening/capture/")
    expect(page.get_by_role("heading", name="Record a conversation", level=1)).to_be_visible()
    page.wait_for_function(
        "navigator.serviceWorker.ready.then(() => caches.match('/listening/capture/')).then(Boolean)"
    )
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    assert axe_violations(page) == []

    context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.get_by_role("heading", name="Record a conversation", level=1)).to_be_visible()
    expect(page.locator("#offline-note")).to_be_visible()

    markers = [f"offline-{uuid.uuid4().hex[:10]}" for _n in range(3)]
    fill_conversation(page, concerns=f"Buses stop at six {markers[0]}", postcode=KNOWN_POSTCODE)
    expect(page.locator("#capture-status")).to_contain_text("Saved on this phone")
    expect(page.locator("#sync-count")).to_have_text("1")
    fill_conversation(page, concerns=f"Lonely since her husband died {markers[1]}", by_phone=True)
    # The form is cleared once the record is safely queued; wait for that before the next one.
    expect(page.locator("#sync-count")).to_have_text("2")
    fill_conversation(page, concerns=f"Flytipping in the lane {markers[2]}", postcode="ZZ9 9ZZ")
    expect(page.locator("#sync-count")).to_have_text("3")
    expect(page.locator("#sync-list li")).to_have_count(3)
    queued = page.evaluate("ListeningQueue.all()")
    assert len(queued) == 3 and all(item["record"]["captured_offline"] for item in queued)

    context.set_offline(False)
    expect(page.locator("#sync-count")).to_have_text("0", timeout=40000)
    assert page.evaluate("ListeningQueue.all()") == []
    assert total_conversations(page) == before + 3
    for marker in markers:
        assert conversations_matching(page, marker) == 1, marker

    # The same records sent again, as a retried sync would, change nothing.
    token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    again = page.request.post(
        "/api/listening/conversations/sync",
        data=json.dumps({"conversations": [item["record"] for item in queued]}),
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    )
    assert [r["status"] for r in again.json()["results"]] == ["already_synced"] * 3
    assert total_conversations(page) == before + 3

    page.goto(f"/listening/?q={markers[2]}")
    expect(page.locator("#conversation-table").get_by_text("Place to correct")).to_be_visible()


def test_online_capture_sends_at_once_on_a_phone(page: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, ORGANISER)
    page.goto("/listening/capture/")
    before = total_conversations(page)
    page.goto("/listening/capture/")
    marker = f"online-{uuid.uuid4().hex[:10]}"
    page.get_by_label("Identified, for follow-up by this host").check()
    expect(page.get_by_label("Name", exact=True)).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Saoirse Brightwater")
    page.get_by_label("Phone number").fill("07700 900777")
    fill_conversation(
        page, concerns=f"Skate park promised years ago {marker}", postcode=KNOWN_POSTCODE
    )
    expect(page.locator("#client-errors")).to_contain_text("Missing consent for contact details")
    page.get_by_label("The resident agreed to the wording above").check()
    page.get_by_role("button", name="Save conversation").click()
    expect(page.locator("#capture-status")).to_contain_text("Saved and sent")
    assert total_conversations(page) == before + 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the capture form scrolls sideways on a phone ({width}px)"
    assert axe_violations(page) == []


def test_host_manager_sees_organisers_side_by_side_and_a_patch(page: Any) -> None:
    sign_in(page, MANAGER)
    expect(page.get_by_role("heading", name="Listening by organiser", level=2)).to_be_visible()
    page.goto("/listening/progress/organisers/")
    expect(page.locator("#compare-table tbody tr")).to_have_count(6)
    expect(page.locator("#compare-chart svg")).to_be_visible()
    expect(page.get_by_text("counts once per programme year")).to_be_visible()
    assert axe_violations(page) == []
    page.goto("/listening/assignments/")
    page.get_by_role("link", name="two streets").click()
    expect(page.locator("#assignment-map path.leaflet-interactive")).not_to_have_count(0)
    expect(page.locator("#assignment-chart svg")).to_be_visible()
    assert axe_violations(page) == []
