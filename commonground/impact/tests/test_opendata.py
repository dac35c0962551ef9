"""Open data: published figures only, as published, with every column described."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from commonground.impact import opendata, services

from .factories import build_world, conversation, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(db: Any) -> Any:
    world = build_world("own")
    for day in range(1, 4):
        conversation(world, day=date(2026, 6, day))
    made = report(world)
    services.report_section_save(
        actor=None, report=made, section=made.sections.first(), heading="Summary", body="Done."
    )
    version = services.report_publish(actor=None, report=made)
    draft = report(build_world("other"))
    return {"version": version, "draft": draft}


def test_every_figure_becomes_a_row_and_suppressed_ones_are_empty(published: Any) -> None:
    rows = list(opendata.figure_rows(published["version"]))
    listened = next(
        r for r in rows if r["table"] == "indicators" and r["measure"] == "residents_listened_to"
    )
    assert listened["value"] == "" and listened["suppressed"] is True
    assert listened["version"] == 1 and listened["period_start"] == "2026-04-01"
    hours = next(r for r in rows if r["measure"] == "volunteer_hours")
    assert hours["value"] == "0" and hours["suppressed"] is False
    assert {r["table"] for r in rows} >= {
        "indicators",
        "themes",
        "equality_answers",
        "deprivation_reach",
    }
    assert all(set(r) == set(opendata.FIELD_NAMES) for r in rows)


def test_the_dictionary_describes_every_column_and_indicator(published: Any) -> None:
    dictionary = opendata.dictionary()
    assert [field["name"] for field in dictionary["fields"]] == list(opendata.FIELD_NAMES)
    assert all(field["description"] for field in dictionary["fields"])
    codes = {item["code"] for item in dictionary["indicators"]}
    rows = opendata.figure_rows(published["version"])
    assert {r["measure"] for r in rows if r["table"] == "indicators"} <= codes


def test_the_public_downloads_have_only_published_reports(client: Client, published: Any) -> None:
    response = client.get(reverse("impact:open_data_figures", args=["csv"]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    table = list(csv.DictReader(io.StringIO(body)))
    assert {row["report_id"] for row in table} == {str(published["version"].report.public_id)}
    assert str(published["draft"].public_id) not in body
    assert {row["suppressed"] for row in table} <= {"true", "false"}

    document = json.loads(client.get(reverse("impact:open_data_figures", args=["json"])).content)
    assert len(document["figures"]) == len(table)
    assert document["licence"] == "Open Government Licence v3.0"
    assert client.get(reverse("impact:open_data_figures", args=["xml"])).status_code == 404
    assert client.get(reverse("impact:open_data")).status_code == 200
    dictionary = json.loads(client.get(reverse("impact:open_data_dictionary")).content)
    assert dictionary["fields"][0]["name"] == "report_id"
