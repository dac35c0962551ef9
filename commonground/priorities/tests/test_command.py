"""`commonground priorities plan` on the real B&NES and Exeter data."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commonground.places.models import Lsoa
from commonground.programme.models import Organiser
from commonground.programme.tests.factories import NeighbourhoodFactory, OrganiserFactory

from ..need import LsoaRecord
from ..optimiser import plan_patches
from ..patches import PopulationRange
from .support import BANES, EXETER, is_connected

pytestmark = pytest.mark.django_db


def plan(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("priorities", "plan", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def plan_json(*args: str) -> dict[str, Any]:
    out, _err = plan(*args, "--json")
    return json.loads(out)


@pytest.mark.parametrize(("code", "organisers"), [(BANES, 5), (EXETER, 5), (EXETER, 12)])
def test_json_plan_is_valid_and_optimal(
    code: str,
    organisers: int,
    records: list[LsoaRecord],
    adjacency: dict[str, frozenset[str]],
) -> None:
    document = plan_json("--authority", code, "--organisers", str(organisers))
    assert set(document) == {"objective", "patches"}
    patches = document["patches"]
    assert len(patches) == organisers
    populations = {r.code: r for r in records}
    seen: set[str] = set()
    for patch in patches:
        assert set(patch) == {"lsoas", "population", "need"}
        codes = patch["lsoas"]
        assert 1 <= len(codes) <= 4
        assert all(populations[c].authority_code == code for c in codes)
        assert is_connected(codes, adjacency), f"{codes} is not one connected piece"
        assert patch["population"] == sum(populations[c].population for c in codes)
        assert 2_000 <= patch["population"] <= 3_000
        assert patch["need"] == pytest.approx(
            sum(populations[c].population * populations[c].imd_score for c in codes)
        )
        assert seen.isdisjoint(codes), "patches overlap"
        seen.update(codes)
    assert document["objective"] == sum(patch["need"] for patch in patches)
    from_files = plan_patches(records, adjacency, organisers=organisers, authority_code=code)
    assert document["objective"] == pytest.approx(from_files.objective)


def test_human_output_lists_the_patches_and_the_spreadsheet_comparison() -> None:
    out, _err = plan("--authority", BANES, "--organisers", "5")
    document = plan_json("--authority", BANES, "--organisers", "5")
    assert "Bath and North East Somerset (E06000022): 5 organisers" in out
    assert "proven best plan" in out
    for patch in document["patches"]:
        assert ", ".join(patch["lsoas"]) in out
    assert f"Need covered: {document['objective']:,.0f}" in out
    assert "The spreadsheet method (most deprived LSOAs first) covers" in out


def test_options_change_the_plan() -> None:
    default = plan_json("--authority", EXETER, "--organisers", "4")
    narrow = plan_json(
        "--authority",
        EXETER,
        "--organisers",
        "4",
        "--min-population",
        "2500",
        "--max-population",
        "2800",
    )
    assert all(2_500 <= p["population"] <= 2_800 for p in narrow["patches"])
    assert narrow["objective"] <= default["objective"]
    health = plan_json("--authority", EXETER, "--organisers", "4", "--domain-weight", "health=1")
    assert health["patches"] != default["patches"] or health["objective"] != default["objective"]


def test_current_placements_are_ignored_by_default_and_excluded_on_request() -> None:
    default = plan_json("--authority", BANES, "--organisers", "5")
    first = default["patches"][0]["lsoas"]
    area = NeighbourhoodFactory(lsoas=list(Lsoa.objects.filter(code__in=first)))
    OrganiserFactory(stage=Organiser.Stage.PLACED).neighbourhoods.add(area)
    assert plan_json("--authority", BANES, "--organisers", "5") == default
    excluding = plan_json("--authority", BANES, "--organisers", "5", "--placements", "exclude")
    assert not set(first) & {c for p in excluding["patches"] for c in p["lsoas"]}
    discounting = plan_json("--authority", BANES, "--organisers", "5", "--placements", "discount")
    assert discounting["objective"] < default["objective"]


def test_brute_force_agrees_on_a_small_range(records: list[LsoaRecord], adjacency: Any) -> None:
    from ..need import NeedWeights, compute_need
    from ..optimiser import brute_force_packing
    from ..patches import enumerate_candidates

    document = plan_json(
        "--authority",
        EXETER,
        "--organisers",
        "2",
        "--min-population",
        "3300",
        "--max-population",
        "3400",
    )
    exeter = [r for r in records if r.authority_code == EXETER]
    candidates = enumerate_candidates(
        adjacency,
        {r.code: r.population for r in exeter},
        compute_need(exeter, NeedWeights()),
        PopulationRange(3_300, 3_400),
    )
    assert len(candidates) < 200, "small enough to try every pair"
    best, _patches = brute_force_packing(candidates, 2)
    assert document["objective"] == pytest.approx(best)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--authority", "E09999999", "--organisers", "5"], "no local authority with the code"),
        (["--authority", "E06000023", "--organisers", "5"], "No LSOA boundaries are loaded"),
        (
            ["--authority", BANES, "--organisers", "80"],
            "Only 45 disjoint patches of 2,000 to 3,000 people are possible in Bath and North "
            "East Somerset, so 80 organisers cannot each have their own patch",
        ),
        (
            [
                "--authority",
                BANES,
                "--organisers",
                "5",
                "--min-population",
                "3000",
                "--max-population",
                "2000",
            ],
            "wrong way round",
        ),
        (
            [
                "--authority",
                BANES,
                "--organisers",
                "5",
                "--min-population",
                "0",
                "--max-population",
                "0",
            ],
            "The population range is empty",
        ),
        (
            [
                "--authority",
                BANES,
                "--organisers",
                "1",
                "--min-population",
                "10",
                "--max-population",
                "20",
            ],
            "Only 0 disjoint patches of 10 to 20 people",
        ),
        (["--authority", BANES, "--organisers", "0"], "Plan for at least 1 organiser"),
        (
            ["--authority", BANES, "--organisers", "5", "--domain-weight", "wealth=1"],
            "'wealth' is not a deprivation domain",
        ),
        (["--authority", BANES, "--organisers", "5", "--time-limit", "0"], "time limit"),
    ],
)
def test_bad_input_gets_a_clear_message(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        plan(*args, "--json")


def test_the_subcommand_is_required() -> None:
    with pytest.raises(CommandError, match="priorities plan --help"):
        call_command("priorities")
