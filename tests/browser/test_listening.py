"""Listening in a real Chromium: the capture form offline and online again, and the progress pages."""

from __future__ import annotations

import json
import random
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


FAILED_SYNCS = 1000
ADD_ONE_EVERY = 4  # attempts; the organiser keeps listening while the signal comes and goes
CLONE = """([template, concerns]) => {
  const item = JSON.parse(JSON.stringify(template));
  item.client_id = item.record.client_id = ListeningQueue.newId();
  item.record.concerns = concerns;
  item.status = "waiting";
  return ListeningQueue.add(item).then(() => item.client_id);
}"""


def test_the_phones_queue_survives_a_thousand_failed_syncs(page: Any) -> None:
    """The real queue in Chromium, with the network failing at random under it.

    A failed attempt is either never sent (the connection drops before the server hears it) or
    answered but never heard (the server saves the batch, and the connection drops on the way back).
    """
    rng = random.Random(20261124)
    sign_in(page, ORGANISER)
    before = total_conversations(page)
    page.goto("/listening/capture/")
    page.wait_for_function("window.ListeningQueue !== undefined")
    page.context.set_offline(True)
    fill_conversation(page, concerns=f"Streetlights out {uuid.uuid4().hex[:8]}", by_phone=True)
    expect(page.locator("#sync-count")).to_have_text("1")
    (template,) = page.evaluate("ListeningQueue.all()")
    client_ids = [template["client_id"]]

    attempts = {"failed": 0, "never_sent": 0, "answer_lost": 0, "delivered": 0}

    def flaky(route: Any) -> None:
        if attempts["failed"] >= FAILED_SYNCS:
            attempts["delivered"] += 1
            route.continue_()
            return
        draw = rng.random()
        if draw < 0.4:
            attempts["failed"] += 1
            attempts["never_sent"] += 1
            route.abort("connectionreset")
        elif draw < 0.8:
            route.fetch()  # the server does the work...
            attempts["failed"] += 1
            attempts["answer_lost"] += 1
            route.abort("connectionreset")  # ...and the phone never hears
        else:
            attempts["delivered"] += 1
            route.continue_()

    page.route("**/api/listening/conversations/sync", flaky)
    page.context.set_offline(False)
    marker = f"flaky-{uuid.uuid4().hex[:8]}"
    n = 0
    while attempts["failed"] < FAILED_SYNCS:
        n += 1
        if n % ADD_ONE_EVERY == 0:
            client_ids.append(page.evaluate(CLONE, [template, f"Bins not emptied {marker} {n}"]))
        page.evaluate("ListeningQueue.sync()")
    for _attempt in range(20):
        if not page.evaluate("ListeningQueue.all()"):
            break
        page.evaluate("ListeningQueue.sync()")
    page.unroute("**/api/listening/conversations/sync")

    assert page.evaluate("ListeningQueue.all()") == [], "everything was sent in the end"
    assert attempts["never_sent"] > 300 and attempts["answer_lost"] > 300
    assert total_conversations(page) == before + len(client_ids), "nothing lost, nothing doubled"
    # Every record is on the server: sent again, each one is recognised as already there.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    records = [
        {**template["record"], "client_id": client_id, "concerns": "sent again"}
        for client_id in client_ids
    ]
    for start in range(0, len(records), 200):
        again = page.request.post(
            "/api/listening/conversations/sync",
            data=json.dumps({"conversations": records[start : start + 200]}),
            headers={"Content-Type": "application/json", "X-CSRFToken": token},
        )
        assert {r["status"] for r in again.json()["results"]} == {"already_synced"}
    assert total_conversations(page) == before + len(client_ids)
