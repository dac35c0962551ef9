from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from commonground.core.models import AuditEvent
from commonground.core.services import save_changes, unique_slug
from commonground.programme.models import Organisation
from commonground.programme.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_unique_slug_counts_up_and_ignores_the_row_being_renamed() -> None:
    first = OrganisationFactory(name="Bath Hub", slug="bath-hub")
    assert unique_slug(Organisation, "Bath Hub") == "bath-hub-2"
    OrganisationFactory(name="Bath Hub 2", slug="bath-hub-2")
    assert unique_slug(Organisation, "Bath  hub!") == "bath-hub-3"
    assert unique_slug(Organisation, "Bath Hub", exclude_pk=first.pk) == "bath-hub"
    assert unique_slug(Organisation, "!!!", fallback="organisation") == "organisation"
    assert len(unique_slug(Organisation, "x" * 400, max_length=50)) == 50


def test_save_changes_audits_only_what_changed() -> None:
    organisation = OrganisationFactory(name="Old name")
    events = AuditEvent.objects.filter(action="organisation.update")
    changes = save_changes(
        actor=None,
        instance=organisation,
        data={"name": "New name"},
        action="organisation.update",
        organisation_id=organisation.pk,
    )
    assert changes and events.count() == 1
    organisation.refresh_from_db()
    assert organisation.name == "New name"
    assert not save_changes(
        actor=None,
        instance=organisation,
        data={"name": "New name"},
        action="organisation.update",
        organisation_id=organisation.pk,
    )
    assert events.count() == 1, "an update that changes nothing writes no audit row"


def test_save_changes_validates_before_saving() -> None:
    organisation = OrganisationFactory(name="Kept")
    with pytest.raises(ValidationError):
        save_changes(
            actor=None,
            instance=organisation,
            data={"name": ""},
            action="organisation.update",
            organisation_id=organisation.pk,
        )
    organisation.refresh_from_db()
    assert organisation.name == "Kept"
