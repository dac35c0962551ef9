from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from commonground.accounts.services import api_token_create

from ..models import Conversation, Source
from .support import record


def item(**overrides: Any) -> dict[str, Any]:
    values = {
        "client_id": str(uuid.uuid4()),
        "happened_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "postcode": "ZZ1 1AB",
        "concerns": "Nothing for the teenagers since the youth club shut",
    }
    values.update(overrides)
    return values


def token_client(user: Any) -> Client:
    _token, key = api_token_create(actor=user, name="phone")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_create_is_idempotent_by_client_id(world: dict[str, Any]) -> None:
    api = token_client(world["user"])
    body = item()
    first = post(api, "/api/listening/conversations", body)
    again = post(api, "/api/listening/conversations", body)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["lsoa"] == "E01014463"
    assert Conversation.objects.count() == 1
    assert Conversation.objects.get().source == Source.API


def test_sync_never_doubles_and_reports_each_record(world: dict[str, Any]) -> None:
    api = token_client(world["user"])
    good, duplicate_in_batch = item(), None
    duplicate_in_batch = dict(good)
    bad = item(concerns="")
    offline_unknown = item(postcode="ZZ9 9ZZ", captured_offline=True)
    response = post(
        api,
        "/api/listening/conversations/sync",
        {"conversations": [good, duplicate_in_batch, bad, offline_unknown]},
    )
    assert response.status_code == 200
    statuses = [r["status"] for r in response.json()["results"]]
    assert statuses == ["created", "already_synced", "rejected", "created"]
    assert "concerns" in response.json()["results"][2]["errors"]
    retry = post(
        api, "/api/listening/conversations/sync", {"conversations": [good, offline_unknown]}
    )
    assert [r["status"] for r in retry.json()["results"]] == ["already_synced", "already_synced"]
    assert Conversation.objects.count() == 2
    kept = Conversation.objects.get(client_id=offline_unknown["client_id"])
    assert kept.place_needs_review and kept.source == Source.OFFLINE


def test_session_sync_is_what_the_capture_page_uses(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    browser = signed_in(world["user"])
    response = post(browser, "/api/listening/conversations/sync", {"conversations": [item()]})
    assert response.json()["results"][0]["status"] == "created"
    assert Conversation.objects.get().source == Source.FORM


def test_list_and_detail_follow_the_rules(world: dict[str, Any]) -> None:
    mine = record(world["user"], world["organiser"]).conversation
    listed = token_client(world["user"]).get("/api/listening/conversations").json()
    assert [row["id"] for row in listed["items"]] == [str(mine.public_id)]
    detail = token_client(world["user"]).get(f"/api/listening/conversations/{mine.public_id}")
    assert detail.json()["concerns"] == "Flytipping behind the garages"
    officer = token_client(world["council_officer"])
    assert officer.get("/api/listening/conversations").json()["count"] == 0
    assert officer.get(f"/api/listening/conversations/{mine.public_id}").status_code == 403


def test_councillor_cannot_record(world: dict[str, Any]) -> None:
    response = post(token_client(world["councillor"]), "/api/listening/conversations", item())
    assert response.status_code == 403
    assert not Conversation.objects.exists()


def test_cannot_record_for_another_hosts_organiser(world: dict[str, Any]) -> None:
    from .support import build_world

    other = build_world("other")
    response = post(
        token_client(world["user"]),
        "/api/listening/conversations",
        item(organiser=str(other["organiser"].public_id)),
    )
    assert response.status_code == 403


def test_postcode_lookup(world: dict[str, Any]) -> None:
    api = token_client(world["user"])
    found = api.get("/api/listening/postcodes/zz11ab").json()
    assert found["lsoa"] == "E01014463" and found["authority"] == "Bath and North East Somerset"
    missing = api.get("/api/listening/postcodes/ZZ9%209ZZ")
    assert missing.status_code == 404 and "ZZ9 9ZZ" in missing.json()["message"]


def test_endpoints_are_in_the_openapi_schema(client: Client, db: Any) -> None:
    schema = client.get("/api/openapi.json").json()
    for path in (
        "/api/listening/conversations",
        "/api/listening/conversations/sync",
        "/api/listening/conversations/{conversation_id}",
    ):
        assert path in schema["paths"], path
    sync = schema["paths"]["/api/listening/conversations/sync"]["post"]
    assert "client_id" in json.dumps(schema["components"]["schemas"]["ConversationIn"])
    assert sync["summary"].startswith("Send queued conversations")
