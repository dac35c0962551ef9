"""Plans and scenarios over HTTP: start a plan, follow it, read saved scenarios.

Mounted at /api/priorities/ with token or session authentication.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from commonground.core.pagination import LimitOffsetPagination

from . import planning, selectors, services
from .models import Scenario
from .need import PlanningInputError

router = Router(tags=["priorities"])


class PlanIn(Schema):
    authority: str = Field(..., description="2019 authority code, e.g. E06000022.")
    organisers: int = Field(..., description="How many patches to propose.")
    min_population: int = 2_000
    max_population: int = 3_000
    domain_weights: dict[str, float] | None = Field(
        None,
        description="Weight deprivation domains instead of the IMD score, e.g. "
        '{"income": 2, "health": 1}.',
    )
    domain_scale: str = "exponential"
    new_community_multiplier: float = 1.0
    connector_multiplier: float = 1.0
    theme_bonus: float = 0.0
    themes: list[str] = []
    placements: str = Field(
        planning.PlacementPolicy.IGNORE.value,
        description="ignore (published data only), exclude or discount current placements.",
    )
    covered_multiplier: float = 0.5
    time_limit_seconds: float = Field(
        services.INLINE_TIME_LIMIT_SECONDS,
        description="Plans allowed 10 seconds or less are solved before the response; longer "
        "ones run in the background: follow them with GET /scenarios/{id}.",
    )


class PatchOut(Schema):
    lsoas: list[str]
    population: int
    need: float


class ScenarioOut(Schema):
    id: UUID = Field(..., alias="public_id")
    authority: str = Field(..., alias="authority.code")
    name: str
    status: str
    stage: str
    progress: str = Field(..., alias="progress_note")
    error: str
    parameters: dict[str, Any]
    saved_at: datetime | None
    created_at: datetime
    objective: float | None = None
    solve_status: str | None = Field(None, description="optimal or time_limit.")
    gap: float | None = Field(None, description="Proven relative gap; 0 when optimal.")
    patches: list[PatchOut] = []
    spreadsheet_objective: float | None = Field(
        None, description="Need covered by the spreadsheet method with the same weights."
    )

    @staticmethod
    def resolve_objective(obj: Scenario) -> float | None:
        return obj.results.get("objective")

    @staticmethod
    def resolve_solve_status(obj: Scenario) -> str | None:
        return obj.results.get("status")

    @staticmethod
    def resolve_gap(obj: Scenario) -> float | None:
        return obj.results.get("gap")

    @staticmethod
    def resolve_patches(obj: Scenario) -> list[dict[str, Any]]:
        return [
            {"lsoas": p["lsoas"], "population": p["population"], "need": p["need"]}
            for p in obj.results.get("patches", [])
        ]

    @staticmethod
    def resolve_spreadsheet_objective(obj: Scenario) -> float | None:
        return obj.results.get("baseline", {}).get("objective")


@router.post(
    "/plans",
    response={201: ScenarioOut},
    summary="Make a plan for an authority",
)
def create_plan(request: Any, payload: PlanIn) -> tuple[int, Scenario]:
    """Propose one patch per organiser. Short plans come back finished; longer ones come back
    queued and are solved in the background. Mistakes (unknown authority, more organisers than
    separate patches, an empty population range) are refused with a 422 and a message."""
    user = request.auth
    if not user.has_perm("priorities.view_planner"):
        raise PermissionDenied
    data = payload.dict()
    code = data.pop("authority")
    data["themes"] = tuple(data["themes"])
    parameters = planning.PlanParameters(**data)
    try:
        authority = planning.planning_authority(code)
    except PlanningInputError as error:
        raise HttpError(422, str(error)) from error
    if not user.has_perm("priorities.plan_localauthority", authority):
        raise PermissionDenied
    try:
        scenario = services.scenario_start(actor=user, authority=authority, parameters=parameters)
    except PlanningInputError as error:
        raise HttpError(422, str(error)) from error
    scenario.refresh_from_db()
    return 201, scenario


@router.get("/scenarios", response=list[ScenarioOut], summary="Saved scenarios")
@paginate(LimitOffsetPagination)
def list_scenarios(request: Any, authority: str | None = None) -> Any:
    scenarios = selectors.scenario_list_visible_to(user=request.auth)
    if authority:
        scenarios = scenarios.filter(authority__code=authority)
    return scenarios


@router.get("/scenarios/{scenario_id}", response=ScenarioOut, summary="One plan or scenario")
def get_scenario(request: Any, scenario_id: UUID) -> Scenario:
    scenario = get_object_or_404(
        Scenario.objects.select_related("authority"), public_id=scenario_id
    )
    if not request.auth.has_perm("priorities.view_scenario", scenario):
        raise PermissionDenied
    return scenario
