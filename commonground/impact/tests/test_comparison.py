"""Comparisons assembled from stored yearly figures give what did.py gives on the file itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from commonground.impact import comparison as comparing
from commonground.impact import did, services
from commonground.places.models import Lsoa

from .factories import indicator

pytestmark = pytest.mark.django_db
COUNTS = "reports_fixmystreet/fms_lsoa_yearly_counts_banes_exeter.csv"
WHITEWAY = ("E01014458", "E01014461")


@pytest.fixture
def loaded(db: Any) -> Any:
    path = settings.DATA_DIR / COUNTS
    if not path.is_file():
        pytest.skip("the FixMyStreet counts are not in data/")
    services.measurements_load_fixmystreet(
        actor=None,
        indicator=indicator("fixmystreet_rubbish_reports"),
        counts_csv=path,
        category_code="B26",
    )
    return path


def test_stored_series_match_the_published_file(loaded: Any) -> None:
    stored = comparing.yearly_series(indicator("fixmystreet_rubbish_reports"))
    from_file = did.read_fixmystreet_series(loaded, category_code="B26")
    assert stored == from_file
    assert [i.code for i in comparing.indicators_with_lsoa_series()] == [
        "fixmystreet_rubbish_reports"
    ]


def test_the_whiteway_comparison_matches_did_on_the_same_data(loaded: Any) -> None:
    later = set(
        Lsoa.objects.filter(
            ward__name__in=[
                "Keynsham South",
                "Walcot",
                "Lambridge",
                "Combe Down",
                "Odd Down",
                "Radstock",
                "Timsbury",
                "Clutton & Farmborough",
            ],
            authority__code="E06000022",
        ).values_list("code", flat=True)
    )
    request = comparing.ComparisonRequest(
        indicator=indicator("fixmystreet_rubbish_reports"),
        treated_codes=WHITEWAY,
        start_year=2009,
        first_year=2007,
        last_year=2017,
        exclude_organised=False,
        exclude_codes=tuple(later),
    )
    result = comparing.run(request, n_bootstrap=500)

    series = did.read_fixmystreet_series(loaded, category_code="B26")
    attributes = {
        code: (decile, ruc)
        for code, decile, ruc in Lsoa.objects.filter(authority__code="E06000022").values_list(
            "code", "imd_decile", "rural_urban_code"
        )
    }
    expected_group = did.choose_comparison(WHITEWAY, attributes, band_width=1, exclude=later)
    expected = did.did_estimate(
        series,
        WHITEWAY,
        expected_group,
        2009,
        first_year=2007,
        last_year=2017,
        n_bootstrap=500,
        reported_counts=True,
    )
    assert result.comparison_used == expected.comparison_used
    assert result.estimate == pytest.approx(expected.estimate)
    assert result.ci_low == pytest.approx(expected.ci_low)
    assert any("reports made by residents" in point for point in result.caution_points)
    stored = comparing.result_as_json(result)
    assert set(stored["treated_means"]) == {str(year) for year in range(2007, 2018)}


def test_organised_neighbourhoods_are_left_out_of_the_comparison(loaded: Any) -> None:
    from .factories import build_world

    world = build_world("own", lsoa_codes=("E01014463", "E01014464"))
    request = comparing.ComparisonRequest(
        indicator=indicator("fixmystreet_rubbish_reports"), treated_codes=WHITEWAY, start_year=2012
    )
    used = comparing.run(request, n_bootstrap=200).comparison_used
    assert not {lsoa.code for lsoa in world["lsoas"]} & set(used)


def test_clear_errors_for_what_cannot_be_compared(loaded: Any) -> None:
    rubbish = indicator("fixmystreet_rubbish_reports")
    with pytest.raises(comparing.ComparisonError, match="not LSOA codes"):
        comparing.run(
            comparing.ComparisonRequest(
                indicator=rubbish, treated_codes=("E0XXXX",), start_year=2012
            )
        )
    with pytest.raises(comparing.ComparisonError, match="no yearly figures"):
        comparing.run(
            comparing.ComparisonRequest(
                indicator=indicator("volunteers"), treated_codes=WHITEWAY, start_year=2012
            )
        )
    with pytest.raises(comparing.ComparisonError, match="could not be made"):
        comparing.run(
            comparing.ComparisonRequest(indicator=rubbish, treated_codes=WHITEWAY, start_year=2030)
        )
    with pytest.raises(comparing.ComparisonError, match="Years to leave out"):
        comparing.years_from_text("2014, twenty")
    assert comparing.codes_from_text("e01014458, E01014461;E01014458") == WHITEWAY


def test_a_saved_comparison_keeps_its_result(loaded: Any) -> None:
    from .factories import build_world

    world = build_world("own")
    saved = services.comparison_save(
        actor=None,
        title="Whiteway",
        organisation=world["host"],
        request=comparing.ComparisonRequest(
            indicator=indicator("fixmystreet_rubbish_reports"),
            treated_codes=WHITEWAY,
            start_year=2009,
            first_year=2007,
            last_year=2017,
        ),
    )
    assert saved.result["n_treated"] == 2
    assert saved.result["summary"].startswith("In the 2 LSOAs where organisers worked")
    assert saved.treated_codes == list(WHITEWAY)
