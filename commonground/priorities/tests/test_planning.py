"""The planner fed from the database gives what the published files give, and sees the markings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from commonground.places.models import GpPractice, LocalAuthority, Lsoa
from commonground.programme.models import Organiser
from commonground.programme.tests.factories import NeighbourhoodFactory, OrganiserFactory

from .. import planning
from ..models import AuthorityAdjacency
from ..need import LsoaRecord, MissingDataError
from ..optimiser import TooManyOrganisersError, UnknownAuthorityError, plan_patches
from .support import BANES, EXETER

pytestmark = pytest.mark.django_db


@pytest.fixture
def banes() -> LocalAuthority:
    return LocalAuthority.objects.get(code=BANES)


@pytest.mark.parametrize("code", [BANES, EXETER])
def test_adjacency_from_stored_boundaries_matches_the_published_file(
    code: str, adjacency: dict[str, frozenset[str]]
) -> None:
    authority = LocalAuthority.objects.get(code=code)
    from_database = planning.authority_adjacency(authority)
    expected = {c: found for c, found in adjacency.items() if c in from_database}
    assert len(from_database) == Lsoa.objects.filter(authority=authority).count()
    assert from_database == expected


def test_adjacency_is_kept_and_worked_out_again_only_when_the_lsoas_change(
    banes: LocalAuthority,
) -> None:
    first = planning.authority_adjacency(banes)
    kept = AuthorityAdjacency.objects.get(authority=banes)
    kept.neighbours = {code: [] for code in first}
    kept.save()
    assert all(not found for found in planning.authority_adjacency(banes).values()), (
        "an unchanged authority uses the kept copy"
    )
    lsoa = Lsoa.objects.filter(authority=banes).first()
    lsoa.save()
    assert planning.authority_adjacency(banes) == first, "a changed LSOA means working it out again"
    assert AuthorityAdjacency.objects.get(authority=banes).neighbours != kept.neighbours


def test_records_from_the_database_equal_the_published_data(
    banes: LocalAuthority, records: list[LsoaRecord], adjacency: dict[str, frozenset[str]]
) -> None:
    inputs = planning.prepare(banes, planning.PlanParameters(organisers=5))
    published = {r.code: r for r in records if r.authority_code == BANES}
    assert {r.code for r in inputs.records} == set(published)
    for record in inputs.records:
        expected = published[record.code]
        assert (record.population, record.imd_score, record.imd_rank) == (
            expected.population,
            expected.imd_score,
            expected.imd_rank,
        )
        assert record.domain_ranks == expected.domain_ranks
        assert record.domain_deciles == expected.domain_deciles
    from_database = planning.make_plan(inputs)
    from_files = plan_patches(records, adjacency, organisers=5, authority_code=BANES)
    assert from_database.patches == from_files.patches
    assert planning.plan_need(from_database) == pytest.approx(from_files.objective)


def test_markings_and_placements_reach_the_records(banes: LocalAuthority) -> None:
    new_lsoa = Lsoa.objects.get(code="E01014370")
    new_lsoa.is_new_community = True
    new_lsoa.save()
    practice = GpPractice.objects.filter(lsoa__authority=banes, is_active=True).first()
    practice.has_community_connector = True
    practice.save()
    placed = NeighbourhoodFactory(lsoas=list(Lsoa.objects.filter(code__in=["E01014463"])))
    OrganiserFactory(stage=Organiser.Stage.PLACED).neighbourhoods.add(placed)
    finished = NeighbourhoodFactory(lsoas=list(Lsoa.objects.filter(code__in=["E01014464"])))
    OrganiserFactory(
        stage=Organiser.Stage.PLACED,
        placement_ends_on=timezone.localdate() - timedelta(days=1),
    ).neighbourhoods.add(finished)

    inputs = planning.prepare(
        banes,
        planning.PlanParameters(organisers=5, placements=planning.PlacementPolicy.EXCLUDE.value),
    )
    by_code = {r.code: r for r in inputs.records}
    assert by_code["E01014370"].is_new_or_growing
    assert sum(r.is_new_or_growing for r in inputs.records) == 1
    near = {code for code, r in by_code.items() if r.near_connector_gp}
    expected_near = {practice.lsoa.code} | set(inputs.adjacency[practice.lsoa.code])
    assert near == expected_near
    assert {code for code, r in by_code.items() if r.already_covered} == {"E01014463"}

    ignoring = planning.prepare(banes, planning.PlanParameters(organisers=5))
    assert not any(r.already_covered for r in ignoring.records)


def test_excluding_placements_keeps_their_lsoas_out_of_every_patch(banes: LocalAuthority) -> None:
    plain = planning.make_plan(planning.prepare(banes, planning.PlanParameters(organisers=5)))
    busiest = plain.patches[0].lsoas
    placed = NeighbourhoodFactory(lsoas=list(Lsoa.objects.filter(code__in=busiest)))
    OrganiserFactory(stage=Organiser.Stage.PLACED).neighbourhoods.add(placed)
    excluding = planning.make_plan(
        planning.prepare(
            banes,
            planning.PlanParameters(
                organisers=5, placements=planning.PlacementPolicy.EXCLUDE.value
            ),
        )
    )
    assert not {code for p in excluding.patches for code in p.lsoas} & set(busiest)
    assert planning.plan_need(excluding) < planning.plan_need(plain)


def test_a_bonus_for_new_communities_moves_the_plan_towards_them(banes: LocalAuthority) -> None:
    plain = planning.make_plan(planning.prepare(banes, planning.PlanParameters(organisers=3)))
    chosen = {code for p in plain.patches for code in p.lsoas}
    elsewhere = (
        Lsoa.objects.filter(authority=banes, population__range=(1_000, 1_500))
        .exclude(code__in=chosen)
        .order_by("imd_rank")
        .first()
    )
    elsewhere.is_new_community = True
    elsewhere.save()
    boosted = planning.make_plan(
        planning.prepare(banes, planning.PlanParameters(organisers=3, new_community_multiplier=5.0))
    )
    assert elsewhere.code in {code for p in boosted.patches for code in p.lsoas}


def test_the_theme_hook_returns_nothing_until_insight_provides_it(banes: LocalAuthority) -> None:
    inputs = planning.prepare(banes, planning.PlanParameters(organisers=3, theme_bonus=0.5))
    assert inputs.theme_counts == {}
    assert all(record.theme_signal == 0 for record in inputs.records)


def test_theme_signals_count_only_the_chosen_themes() -> None:
    counts = {"E01": {"Parking": 3, "Litter": 2}, "E02": {"Litter": 7}}
    assert planning.theme_signals(counts, []) == {"E01": 5.0, "E02": 7.0}
    assert planning.theme_signals(counts, ["Parking"]) == {"E01": 3.0, "E02": 0.0}


def test_results_document_is_consistent(banes: LocalAuthority) -> None:
    inputs = planning.prepare(banes, planning.PlanParameters(organisers=5))
    document = planning.run(inputs)
    patches = document["patches"]
    assert [p["number"] for p in patches] == [1, 2, 3, 4, 5]
    assert document["objective"] == sum(p["need"] for p in patches)
    assert document["objective"] > document["baseline"]["objective"]
    assert document["comparison"]["extra_need"] == pytest.approx(
        document["objective"] - document["baseline"]["objective"]
    )
    assert sum(p["need_share_of_plan"] for p in patches) == pytest.approx(1.0)
    for patch in patches:
        assert [lsoa["code"] for lsoa in patch["lsoa_details"]] == patch["lsoas"]
        assert patch["suggested_name"]
        assert len(patch["domains"]) == 9
    assert document["status"] == "optimal" and document["gap"] == 0


@pytest.mark.parametrize(
    ("code", "error", "message"),
    [
        ("E09999999", UnknownAuthorityError, "no local authority with the code 'E09999999'"),
        ("E06000023", MissingDataError, "No LSOA boundaries are loaded for Bristol"),
    ],
)
def test_authorities_that_cannot_be_planned_are_named(code: str, error: Any, message: str) -> None:
    with pytest.raises(error, match=message):
        planning.planning_authority(code)


def test_too_many_organisers_is_refused_before_anything_is_stored(banes: LocalAuthority) -> None:
    inputs = planning.prepare(banes, planning.PlanParameters(organisers=80))
    with pytest.raises(TooManyOrganisersError, match="Only 45 disjoint patches"):
        planning.check_feasible(inputs)


def test_parameters_survive_a_round_trip() -> None:
    parameters = planning.PlanParameters(
        organisers=4,
        domain_weights={"income": 2.0, "health": 1.0},
        themes=("Parking",),
        placements="discount",
    )
    assert planning.PlanParameters.from_dict(parameters.as_dict()) == parameters


def test_a_placement_in_another_authority_changes_nothing_here(banes: LocalAuthority) -> None:
    exeter_area = NeighbourhoodFactory(
        authority=LocalAuthority.objects.get(code=EXETER),
        lsoas=list(Lsoa.objects.filter(code="E01019990")),
    )
    OrganiserFactory(stage=Organiser.Stage.PLACED).neighbourhoods.add(exeter_area)
    assert planning.current_placement_lsoas(banes, on=date(2026, 1, 1)) == set()
