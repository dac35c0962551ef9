from __future__ import annotations

from typing import Any

import pytest

from commonground.programme.demo import demo_load as programme_demo_load

from .. import demo
from ..models import Scenario
from ..planning import current_placement_lsoas

pytestmark = pytest.mark.django_db


def test_the_demo_saves_one_bath_scenario_away_from_current_placements(db: Any) -> None:
    programme_demo_load()
    assert "saved scenario" in demo.demo_load()
    assert "already there" in demo.demo_load()
    scenario = Scenario.objects.get()
    assert scenario.name == demo.DEMO_SCENARIO_NAME and scenario.is_saved
    assert scenario.authority.code == "E06000022"
    assert scenario.created_by.email == "council.officer@demo.commonground.test"
    patches = scenario.results["patches"]
    assert len(patches) == 5
    placed = current_placement_lsoas(scenario.authority)
    assert placed, "the programme demo places organisers in Bath"
    assert not placed & {code for patch in patches for code in patch["lsoas"]}
