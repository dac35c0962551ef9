"""The planner's pages, as council officers, forum members and host managers use them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from commonground.accounts.models import Role
from commonground.accounts.testing import verified_client
from commonground.places.models import GpPractice, Lsoa, Neighbourhood
from commonground.programme.models import Organiser
from commonground.programme.tests.factories import NeighbourhoodFactory, OrganiserFactory

from ..models import AcceptedPatch, Scenario
from .factories import build_world, people_in, saved_scenario
from .support import BANES, EXETER

pytestmark = pytest.mark.django_db

PLAN = {
    "authority": BANES,
    "organisers": "5",
    "min_population": "2000",
    "max_population": "3000",
    "need_basis": "imd",
    "domain_scale": "exponential",
    "new_community_multiplier": "1",
    "connector_multiplier": "1",
    "placements": "ignore",
    "covered_multiplier": "0.5",
    "time_limit_seconds": "10",
}


@pytest.fixture
def bath(db: Any) -> dict[str, Any]:
    world = build_world("bath", BANES)
    world["people"] = people_in(world, "bath")
    return world


@pytest.fixture
def as_role(bath: dict[str, Any]) -> Callable[[str], Client]:
    return lambda role: verified_client(bath["people"][role])


def test_who_may_open_the_planner(as_role: Callable[[str], Client], client: Client) -> None:
    assert client.get("/priorities/").status_code == 302
    for role in (Role.ORGANISER, Role.PARTNER_OFFICER, Role.COUNCILLOR):
        assert as_role(role).get("/priorities/").status_code == 403, role
    page = as_role(Role.COUNCIL_OFFICER).get("/priorities/")
    assert page.status_code == 200
    assert b"Make the plan" in page.content
    assert b'<option value="E06000022"' in page.content
    assert b'<option value="E07000041"' not in page.content, "only their own authority"


def test_a_host_manager_sees_scenarios_but_cannot_plan(
    bath: dict[str, Any], as_role: Callable[[str], Client]
) -> None:
    scenario = saved_scenario(bath["people"][Role.COUNCIL_OFFICER], bath["authority"], "Bath plan")
    client = as_role(Role.HOST_MANAGER)
    page = client.get("/priorities/")
    assert page.status_code == 200 and b"Make the plan" not in page.content
    assert b"Bath plan" in page.content
    assert client.post("/priorities/", PLAN).status_code == 403
    detail = client.get(scenario.get_absolute_url())
    assert detail.status_code == 200
    assert b"Accept patch" not in detail.content
    assert (
        client.post(f"{scenario.get_absolute_url()}patches/1/accept/", {"name": "X"}).status_code
        == 403
    )


def test_post_a_plan_and_see_the_patches(as_role: Callable[[str], Client]) -> None:
    client = as_role(Role.COUNCIL_OFFICER)
    response = client.post("/priorities/", PLAN)
    assert response.status_code == 302
    scenario = Scenario.objects.get()
    assert response["Location"] == scenario.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert "Proven best plan" in page
    assert "Proposed patches, most need first" in page
    for patch in scenario.results["patches"]:
        for code in patch["lsoas"]:
            assert code in page
        assert f"{patch['need']:,.0f}" in page
    assert "Compared with sorting a spreadsheet" in page
    assert f"{scenario.results['baseline']['objective']:,.0f}" in page
    extra = 100 * scenario.results["comparison"]["extra_share"]
    assert f"{extra:.1f}%" in page
    assert "Why each patch was chosen" in page and "Who already works nearby" in page
    assert "No themes heard are recorded yet." in page
    data = json.loads(
        page.split('id="priorities-map-data" type="application/json">')[1].split("</script>")[0]
    )
    assert [p["lsoas"] for p in data["patches"]] == [
        p["lsoas"] for p in scenario.results["patches"]
    ]
    assert data["geojson_url"] == "/places/authorities/E06000022/lsoas.geojson"


def test_a_forum_member_plans_with_weighted_domains(as_role: Callable[[str], Client]) -> None:
    client = as_role(Role.FORUM_MEMBER)
    response = client.post(
        "/priorities/",
        {**PLAN, "need_basis": "domains", "weight_health": "2", "weight_income": "1"},
    )
    assert response.status_code == 302
    scenario = Scenario.objects.get()
    assert scenario.parameters["domain_weights"] == {"income": 1.0, "health": 2.0}
    page = client.get(scenario.get_absolute_url()).content.decode()
    assert "Weighted domains" in page and "Health deprivation and disability 67%" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"organisers": "80"},
            "Only 45 disjoint patches of 2,000 to 3,000 people are possible in Bath and North "
            "East Somerset, so 80 organisers cannot each have their own patch.",
        ),
        (
            {"min_population": "3000", "max_population": "2000"},
            "The largest patch must be at least the smallest",
        ),
        ({"min_population": "0", "max_population": "0"}, "The population range is empty"),
        ({"organisers": "0"}, "Plan for at least 1 organiser."),
        ({"organisers": "five"}, "Enter the number of organisers as a whole number"),
        ({"need_basis": "domains"}, "Give at least one deprivation domain a weight above 0"),
        ({"authority": "E09999999"}, "Select a valid choice"),
        (
            {"min_population": "10", "max_population": "20", "organisers": "1"},
            "Only 0 disjoint patches of 10 to 20 people",
        ),
    ],
)
def test_bad_input_is_explained_and_kept(
    as_role: Callable[[str], Client], changes: dict[str, str], message: str
) -> None:
    response = as_role(Role.COUNCIL_OFFICER).post("/priorities/", {**PLAN, **changes})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert escape(message) in page
    for field, value in changes.items():
        if field not in {"authority", "need_basis"}:
            assert f'value="{value}"' in page, f"{field} keeps what was typed"
    assert not Scenario.objects.exists()


def test_planning_another_authority_is_refused(
    bath: dict[str, Any], as_role: Callable[[str], Client]
) -> None:
    response = as_role(Role.COUNCIL_OFFICER).post("/priorities/", {**PLAN, "authority": EXETER})
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert not Scenario.objects.exists()


def test_accept_a_patch_to_make_a_neighbourhood(as_role: Callable[[str], Client]) -> None:
    client = as_role(Role.COUNCIL_OFFICER)
    client.post("/priorities/", PLAN)
    scenario = Scenario.objects.get()
    patch = scenario.results["patches"][0]
    page = client.get(scenario.get_absolute_url()).content.decode()
    assert "Accept patch 1" in page and f'value="{escape(patch["suggested_name"])}"' in page
    response = client.post(
        f"{scenario.get_absolute_url()}patches/1/accept/", {"name": "Twerton and Whiteway"}
    )
    neighbourhood = Neighbourhood.objects.get(name="Twerton and Whiteway")
    assert response.status_code == 302 and response["Location"] == neighbourhood.get_absolute_url()
    assert sorted(neighbourhood.lsoas.values_list("code", flat=True)) == sorted(patch["lsoas"])
    assert AcceptedPatch.objects.get(scenario=scenario).neighbourhood == neighbourhood
    page = client.get(scenario.get_absolute_url()).content.decode()
    assert "Accepted as the neighbourhood Twerton and Whiteway" in page
    again = client.post(f"{scenario.get_absolute_url()}patches/1/accept/", {"name": "Again"})
    assert again.status_code == 200 and b"already accepted" in again.content
    blank = client.post(f"{scenario.get_absolute_url()}patches/2/accept/", {"name": ""})
    assert blank.status_code == 200 and b"Enter a name for the new neighbourhood" in blank.content
    assert client.get(f"{scenario.get_absolute_url()}patches/9/accept/").status_code == 404


def test_forum_members_cannot_accept(
    bath: dict[str, Any], as_role: Callable[[str], Client]
) -> None:
    client = as_role(Role.FORUM_MEMBER)
    client.post("/priorities/", PLAN)
    scenario = Scenario.objects.get()
    assert b"Accept patch" not in client.get(scenario.get_absolute_url()).content
    response = client.post(f"{scenario.get_absolute_url()}patches/1/accept/", {"name": "X"})
    assert response.status_code == 403


def test_save_and_compare_scenarios(bath: dict[str, Any], as_role: Callable[[str], Client]) -> None:
    client = as_role(Role.COUNCIL_OFFICER)
    client.post("/priorities/", PLAN)
    client.post("/priorities/", {**PLAN, "organisers": "8"})
    five, eight = Scenario.objects.order_by("created_at")
    assert client.post(f"{five.get_absolute_url()}save/", {"name": ""}).status_code == 200
    for scenario, name in ((five, "Five"), (eight, "Eight")):
        response = client.post(f"{scenario.get_absolute_url()}save/", {"name": name, "notes": ""})
        assert response.status_code == 302
    listing = client.get("/priorities/scenarios/").content.decode()
    assert "Five" in listing and "Eight" in listing
    compare = client.get(
        f"/priorities/scenarios/compare/?scenario={five.public_id}&scenario={eight.public_id}"
    ).content.decode()
    assert "Side by side" in compare
    five.refresh_from_db()
    eight.refresh_from_db()
    assert f"{five.results['objective']:,.0f}" in compare
    assert f"{eight.results['objective']:,.0f}" in compare
    shared = {tuple(p["lsoas"]) for p in five.results["patches"]} & {
        tuple(p["lsoas"]) for p in eight.results["patches"]
    }
    row = compare.split("Patches also in the first scenario")[1].split("</tr>")[0]
    assert f">{len(shared)}<" in row
    forum = as_role(Role.FORUM_MEMBER).get("/priorities/scenarios/").content.decode()
    assert "Five" in forum, "saved scenarios are shared with the authority's planners"


def test_unsaved_plans_stay_private(bath: dict[str, Any], as_role: Callable[[str], Client]) -> None:
    as_role(Role.COUNCIL_OFFICER).post("/priorities/", PLAN)
    scenario = Scenario.objects.get()
    assert as_role(Role.FORUM_MEMBER).get(scenario.get_absolute_url()).status_code == 403
    compare = as_role(Role.FORUM_MEMBER).get(
        f"/priorities/scenarios/compare/?scenario={scenario.public_id}"
    )
    assert scenario.public_id.hex not in compare.content.decode().replace("-", "")


def test_people_nearby_are_shown(bath: dict[str, Any], as_role: Callable[[str], Client]) -> None:
    client = as_role(Role.COUNCIL_OFFICER)
    client.post("/priorities/", PLAN)
    scenario = Scenario.objects.get()
    first = scenario.results["patches"][0]["lsoas"]
    area = NeighbourhoodFactory(
        name="Riverside Patch", lsoas=list(Lsoa.objects.filter(code=first[0]))
    )
    OrganiserFactory(
        full_name="Morwenna Test-Organiser", stage=Organiser.Stage.PLACED
    ).neighbourhoods.add(area)
    page = client.get(scenario.get_absolute_url()).content.decode()
    assert "Morwenna Test-Organiser" in page and "Riverside Patch" in page
    assert "works in" in page


def test_a_background_plan_shows_its_progress(
    bath: dict[str, Any], as_role: Callable[[str], Client], django_capture_on_commit_callbacks: Any
) -> None:
    client = as_role(Role.COUNCIL_OFFICER)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/priorities/", {**PLAN, "time_limit_seconds": "60"})
    scenario = Scenario.objects.get()
    assert scenario.runs_in_background and scenario.status == Scenario.Status.QUEUED
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for the background worker" in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    status = client.get(f"{scenario.get_absolute_url()}status/").json()
    assert status["finished"] is False and status["status"] == "queued"
    for callback in callbacks:
        callback()
    status = client.get(f"{scenario.get_absolute_url()}status/").json()
    assert status["finished"] is True and status["status"] == "finished"
    assert b"Proven best plan" in client.get(scenario.get_absolute_url()).content


def test_a_failed_plan_says_why(bath: dict[str, Any], as_role: Callable[[str], Client]) -> None:
    scenario = Scenario.objects.create(
        authority=bath["authority"],
        created_by=bath["people"][Role.COUNCIL_OFFICER],
        parameters={"organisers": 3},
        status=Scenario.Status.FAILED,
        error="No plan was found within 1 seconds.",
    )
    page = as_role(Role.COUNCIL_OFFICER).get(scenario.get_absolute_url()).content.decode()
    assert "The plan could not be made" in page and "No plan was found within 1 seconds." in page
    assert f"?from={scenario.public_id}" in page


def test_change_this_plan_fills_the_form(
    bath: dict[str, Any], as_role: Callable[[str], Client]
) -> None:
    client = as_role(Role.COUNCIL_OFFICER)
    client.post("/priorities/", {**PLAN, "organisers": "7", "min_population": "2100"})
    scenario = Scenario.objects.get()
    page = client.get(f"/priorities/?from={scenario.public_id}").content.decode()
    assert 'value="7"' in page and 'value="2100"' in page


def test_delete_a_scenario(bath: dict[str, Any], as_role: Callable[[str], Client]) -> None:
    client = as_role(Role.COUNCIL_OFFICER)
    client.post("/priorities/", PLAN)
    scenario = Scenario.objects.get()
    assert (
        as_role(Role.FORUM_MEMBER).post(f"{scenario.get_absolute_url()}delete/").status_code == 403
    )
    assert client.get(f"{scenario.get_absolute_url()}delete/").status_code == 200
    assert client.post(f"{scenario.get_absolute_url()}delete/").status_code == 302
    assert not Scenario.objects.exists()


def test_mark_connectors_and_new_communities(
    bath: dict[str, Any], as_role: Callable[[str], Client]
) -> None:
    url = f"/priorities/markings/{BANES}/"
    assert as_role(Role.FORUM_MEMBER).get(url).status_code == 403
    assert as_role(Role.COUNCIL_OFFICER).get(f"/priorities/markings/{EXETER}/").status_code == 403
    client = as_role(Role.COUNCIL_OFFICER)
    page = client.get(url).content.decode()
    practice = GpPractice.objects.filter(authority=bath["authority"], is_active=True).first()
    assert practice.code in page
    response = client.post(url, {"form": "practices", "practices": [practice.code]})
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.has_community_connector
    lsoa = Lsoa.objects.get(code="E01014370")
    client.post(url, {"form": "lsoas", "lsoas": [lsoa.code]})
    lsoa.refresh_from_db()
    assert lsoa.is_new_community
    client.post(url, {"form": "practices"})
    practice.refresh_from_db()
    assert not practice.has_community_connector, "unticking removes the marking"
    client.post("/priorities/", {**PLAN, "new_community_multiplier": "2"})
    scenario = Scenario.objects.get()
    assert scenario.results["markings"]["new_community"] == [lsoa.code]


def test_the_result_page_needs_few_queries(
    bath: dict[str, Any], as_role: Callable[[str], Client], django_assert_max_num_queries: Any
) -> None:
    client = as_role(Role.COUNCIL_OFFICER)
    client.post("/priorities/", {**PLAN, "organisers": "10"})
    scenario = Scenario.objects.get()
    for number in (1, 2, 3):
        client.post(
            f"{scenario.get_absolute_url()}patches/{number}/accept/", {"name": f"Area {number}"}
        )
    area = NeighbourhoodFactory(lsoas=list(Lsoa.objects.filter(authority=bath["authority"])[:3]))
    for _ in range(3):
        OrganiserFactory(stage=Organiser.Stage.PLACED).neighbourhoods.add(area)
    client.get(scenario.get_absolute_url())
    with django_assert_max_num_queries(20):
        assert client.get(scenario.get_absolute_url()).status_code == 200


def test_the_dashboard_links_to_the_planner(
    bath: dict[str, Any], as_role: Callable[[str], Client]
) -> None:
    saved_scenario(bath["people"][Role.COUNCIL_OFFICER], bath["authority"], "Dashboard plan")
    page = as_role(Role.COUNCIL_OFFICER).get("/dashboard/").content.decode()
    assert "Where the next organisers should work" in page and "Dashboard plan" in page
    assert "Make a plan" in page
    organiser_page = as_role(Role.ORGANISER).get("/dashboard/").content.decode()
    assert "Where the next organisers should work" not in organiser_page
