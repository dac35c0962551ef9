from __future__ import annotations

from typing import Any

from ..dashboard import panels
from .support import record, record_identified


def test_each_role_gets_the_listening_panel_it_needs(world: dict[str, Any]) -> None:
    record(world["user"], world["organiser"])
    record_identified(world["user"], world["organiser"])
    organiser = {p["title"]: p for p in panels(world["user"])}
    mine = organiser["Your listening"]
    assert mine["stats"][0]["value"] == 2
    assert "counts once per programme year" in mine["caption"]
    manager = {p["title"]: p for p in panels(world["manager"])}
    row = manager["Listening by organiser"]["items"][0]
    assert row["label"] == world["organiser"].full_name and "2 of 50" in row["note"]
    councillor = {p["title"]: p for p in panels(world["councillor"])}
    area = councillor["Residents listened to, by neighbourhood"]["items"][0]
    assert area["note"] == "fewer than 5"
    assert "Your listening" not in councillor and "Listening by organiser" not in councillor
