from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from commonground.insight import services
from commonground.insight.models import Theme
from commonground.insight.taxonomy import TaxonomyDataError, default_taxonomy, load_default_taxonomy

ISSUE_STREET_THEMES = {
    "fly-tipping",
    "litter-and-street-cleaning",
    "road-surface-defects",
    "street-lights",
    "parking",
    "dog-fouling",
    "graffiti",
}
ISSUE_COMMUNITY_THEMES = {
    "loneliness-and-isolation",
    "youth-provision",
    "health-and-wellbeing",
    "jobs-and-skills",
    "cost-of-living",
    "housing",
    "transport-and-buses",
    "community-spaces",
    "safety-and-anti-social-behaviour",
    "green-spaces",
}


def test_default_taxonomy_has_the_fixmystreet_families_and_the_community_themes() -> None:
    families = default_taxonomy(settings.DATA_DIR)
    slugs = {child.slug for family in families for child in family.children}
    assert slugs >= ISSUE_STREET_THEMES
    assert slugs >= ISSUE_COMMUNITY_THEMES
    fixmystreet = [family for family in families if family.origin == "fixmystreet"]
    # The seven SHEF C families other than "Other", each traceable to its code.
    assert sorted(family.source_codes for family in fixmystreet) == [
        "SHEF-C1",
        "SHEF-C2",
        "SHEF-C3",
        "SHEF-C4",
        "SHEF-C6",
        "SHEF-C7",
        "SHEF-C8",
    ]
    street_lights = next(c for f in families for c in f.children if c.slug == "street-lights")
    assert street_lights.source_codes == "SHEF-B28"
    fly_tipping = next(c for f in families for c in f.children if c.slug == "fly-tipping")
    assert fly_tipping.source_codes == "SHEF-A29 SHEF-A22"


def test_every_theme_is_two_levels_deep() -> None:
    for family in default_taxonomy(settings.DATA_DIR):
        assert family.children
        assert all(not child.children for child in family.children)


def test_missing_files_give_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyDataError, match=r"meta_CODES_SHEF_A\.csv: file not found"):
        default_taxonomy(tmp_path)


def test_a_code_the_splits_need_must_exist(tmp_path: Path) -> None:
    folder = tmp_path / "reports_fixmystreet"
    shutil.copytree(Path(settings.DATA_DIR) / "reports_fixmystreet", folder)
    codes = folder / "meta_CODES_SHEF_A.csv"
    codes.write_text(
        "\n".join(line for line in codes.read_text().splitlines() if ",A29" not in line) + "\n"
    )
    with pytest.raises(TaxonomyDataError, match="A29"):
        default_taxonomy(tmp_path)


@pytest.mark.django_db
def test_the_migration_loaded_the_taxonomy_and_loading_again_changes_nothing() -> None:
    assert Theme.objects.get(slug="graffiti").parent.slug == "fms-incivilities"
    assert Theme.objects.get(slug="housing").origin == Theme.Origin.COMMUNITY
    before = Theme.objects.count()
    Theme.objects.filter(slug="housing").update(name="Homes")
    created, kept = load_default_taxonomy(Theme, settings.DATA_DIR)
    assert created == 0
    assert kept == before
    assert Theme.objects.get(slug="housing").name == "Homes", "an officer's rename is kept"


@pytest.mark.django_db
def test_loading_defaults_recreates_a_deleted_theme_and_is_audited() -> None:
    from commonground.core.models import AuditEvent

    Theme.objects.filter(slug="noise").delete()
    created, _kept = services.taxonomy_load_defaults(actor=None)
    assert created == 1
    assert Theme.objects.filter(slug="noise", parent__slug="fms-incivilities").exists()
    assert AuditEvent.objects.filter(action="theme.load_defaults").exists()
