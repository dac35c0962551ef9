"""Offline capture survives a thousand failed syncs: nothing is lost and nothing is doubled.

A phone keeps what it captured in a queue and sends it in small batches, as listening-capture.js
does. The network and the server fail at random (seeded): the request never arrives; the server dies
part-way through a batch, after some records are saved and before the rest; or the server saves the
whole batch and the answer is lost on the way back. The phone keeps everything it has not seen
acknowledged and sends it again. At the end the server holds each captured conversation exactly once.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from commonground.accounts.models import Role
from commonground.accounts.services import api_token_create
from commonground.listening import services
from commonground.listening.models import Conversation, Resident
from commonground.listening.tests.support import build_world, make_member, postcode_at

FAILED_ATTEMPTS = 1000
BATCH = 5
SYNC_URL = "/api/listening/conversations/sync"


class ServerDied(Exception):
    """Stands for the process dying between two records of one batch."""


def _capture(rng: random.Random, number: int) -> dict[str, Any]:
    record: dict[str, Any] = {
        "client_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "happened_at": (timezone.now() - timedelta(minutes=number)).isoformat(),
        "postcode": rng.choice(["ZZ1 1AB", "ZZ1 2AB", "ZZ9 9ZZ"]),
        "concerns": f"Conversation {number}: the bus to town stopped running after six",
        "captured_offline": True,
    }
    if number % 7 == 0:
        record.update(
            consent_tier="identified",
            contact_consent_given=True,
            resident={
                "full_name": f"Resident {number}",
                "email": f"resident{number}@example.test",
                "phone": "",
                "address": "",
                "postcode": "ZZ1 1AB",
            },
        )
    return record


@pytest.mark.django_db
def test_a_thousand_failed_syncs_lose_nothing_and_double_nothing(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    # One phone retrying this fast would hit the API's rate limit, which has its own tests.
    settings.RATE_LIMITS = [limit for limit in settings.RATE_LIMITS if limit[0] != "api"]
    postcode_at("E01014463", "ZZ1 1AB")
    postcode_at("E01014448", "ZZ1 2AB")
    world = build_world("own")
    user = make_member("organiser@example.test", world["host"], Role.ORGANISER)
    world["organiser"].user = user
    world["organiser"].save()
    _token, key = api_token_create(actor=user, name="phone")
    phone = Client(HTTP_AUTHORIZATION=f"Bearer {key}", raise_request_exception=False)

    rng = random.Random(20260814)
    die_after: dict[str, int | None] = {"records": None}
    original = services.conversation_record

    def record_or_die(**kwargs: Any) -> Any:
        if die_after["records"] is None:
            return original(**kwargs)
        if die_after["records"] > 0:
            die_after["records"] -= 1
            return original(**kwargs)
        with transaction.atomic():
            original(**kwargs)
            raise ServerDied  # after this record's writes, before they commit: all rolled back

    monkeypatch.setattr(services, "conversation_record", record_or_die)

    captured: list[dict[str, Any]] = []
    queue: list[dict[str, Any]] = []
    failures = {"not_sent": 0, "died_part_way": 0, "answer_lost": 0}
    attempts = 0
    while sum(failures.values()) < FAILED_ATTEMPTS or queue:
        attempts += 1
        assert attempts < 5 * FAILED_ATTEMPTS, "the queue never drained"
        still_failing = sum(failures.values()) < FAILED_ATTEMPTS
        if still_failing and (not queue or rng.random() < 0.4):
            record = _capture(rng, len(captured))
            captured.append(record)
            queue.append(record)
        if not queue:
            continue
        batch = queue[:BATCH]
        failing = still_failing and rng.random() < 0.8
        fault = rng.choice(["not_sent", "died_part_way", "answer_lost"]) if failing else None
        if fault == "not_sent":
            failures["not_sent"] += 1
            continue
        die_after["records"] = rng.randrange(len(batch)) if fault == "died_part_way" else None
        response = phone.post(
            SYNC_URL, json.dumps({"conversations": batch}), content_type="application/json"
        )
        die_after["records"] = None
        if fault == "died_part_way":
            assert response.status_code == 500
            failures["died_part_way"] += 1
            continue
        assert response.status_code == 200, response.content[:500]
        if fault == "answer_lost":
            failures["answer_lost"] += 1
            continue
        results = response.json()["results"]
        assert [r["status"] for r in results if r["status"] == "rejected"] == []
        done = {r["client_id"] for r in results if r["status"] in {"created", "already_synced"}}
        queue = [record for record in queue if record["client_id"] not in done]

    assert sum(failures.values()) == FAILED_ATTEMPTS
    assert all(count > 200 for count in failures.values()), failures
    stored = Conversation.objects.filter(host=world["host"])
    assert stored.count() == len(captured)
    assert set(map(str, stored.values_list("client_id", flat=True))) == {
        record["client_id"] for record in captured
    }
    identified = [record for record in captured if "resident" in record]
    assert identified
    assert Resident.objects.filter(host=world["host"]).count() == len(identified)
    assert stored.exclude(resident=None).count() == len(identified)
