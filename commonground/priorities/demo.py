"""One saved scenario for Bath and North East Somerset, made by the demo council officer.

It is made by running the planner on the real data (five more organisers, leaving out the areas
where the demo's organisers are placed), so what the demo shows is what the planner computes.
Running the demo again keeps the scenario that is there.
"""

from __future__ import annotations

from commonground.accounts.models import User
from commonground.places.models import LocalAuthority
from commonground.programme.demo import DEMO_DOMAIN, DemoPrerequisiteError

from . import services
from .models import Scenario
from .planning import PlacementPolicy, PlanParameters

DEMO_SCENARIO_NAME = "Five more organisers, away from current placements (demo)"
DEMO_NOTES = (
    "Made for the demonstration: the planner's proposal for five new organisers in Bath and North "
    "East Somerset, counting need as residents × IMD 2019 score and leaving out the areas where "
    "an organiser is placed now."
)


def demo_load() -> str:
    authority = LocalAuthority.objects.filter(code="E06000022").exclude(boundary="").first()
    officer = User.objects.filter(email=f"council.officer@{DEMO_DOMAIN}").first()
    if authority is None or officer is None:
        raise DemoPrerequisiteError(
            "Load the places and the programme demo first (commonground load_places)."
        )
    existing = Scenario.objects.filter(authority=authority, name=DEMO_SCENARIO_NAME).first()
    if existing is not None:
        return "the demo scenario was already there"
    parameters = PlanParameters(
        organisers=5,
        placements=PlacementPolicy.EXCLUDE.value,
        time_limit_seconds=services.INLINE_TIME_LIMIT_SECONDS,
    )
    scenario = services.scenario_start(actor=officer, authority=authority, parameters=parameters)
    services.scenario_save(
        actor=officer, scenario=scenario, name=DEMO_SCENARIO_NAME, notes=DEMO_NOTES
    )
    return f"saved scenario '{DEMO_SCENARIO_NAME}'"
