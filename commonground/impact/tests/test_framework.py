import pytest

from commonground.impact.framework import DEFAULT_CODES, DEFAULT_INDICATORS, install_defaults
from commonground.impact.models import INDICATOR_CODE_PATTERN, Indicator
from commonground.impact.registry import computed_functions

# The codes monitoring returns in ``funding`` key their figures by.
FUNDING_RETURN_CODES = {
    "residents_listened_to",
    "residents_involved_in_action",
    "volunteers",
    "volunteer_hours",
    "new_groups_formed",
}


def test_defaults_cover_the_seed_measures_with_stable_codes() -> None:
    assert FUNDING_RETURN_CODES <= DEFAULT_CODES
    assert {
        "projects_started",
        "projects_self_sustaining",
        "matters_resolved",
        "service_improvements_adopted",
        "yearly_savings",
        "lonely_often_or_always",
        "formal_volunteering_rate",
    } <= DEFAULT_CODES
    assert all(INDICATOR_CODE_PATTERN.match(code) for code in DEFAULT_CODES)


def test_every_computed_default_has_a_computation_and_survey_ones_are_entered() -> None:
    functions = computed_functions()
    for definition in DEFAULT_INDICATORS:
        if definition.method == "computed":
            assert definition.code in functions, definition.code
    methods = {d.code: d.method for d in DEFAULT_INDICATORS}
    assert methods["lonely_often_or_always"] == "entered"
    assert methods["formal_volunteering_rate"] == "entered"


@pytest.mark.django_db
def test_the_migration_installed_the_defaults_and_installing_again_changes_nothing() -> None:
    assert set(Indicator.objects.values_list("code", flat=True)) >= DEFAULT_CODES
    edited = Indicator.objects.get(code="volunteers")
    edited.name = "Volunteers (edited by the council)"
    edited.save()

    assert install_defaults(Indicator) == 0
    assert Indicator.objects.get(code="volunteers").name == "Volunteers (edited by the council)"


@pytest.mark.django_db
def test_a_missing_default_is_put_back() -> None:
    Indicator.objects.filter(code="formal_volunteering_rate").delete()
    assert install_defaults(Indicator) == 1
    assert Indicator.objects.get(code="formal_volunteering_rate").method == "entered"
