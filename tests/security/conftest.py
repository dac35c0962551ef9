"""Two full worlds for the security tests: the demo's Bath and North East Somerset and Exeter.

The demo is loaded once per test module inside a transaction that is rolled back when the module
ends, so each module pays for it once and the rest of the suite never sees it. Exeter is given a
member in every role, so that each role can be pointed at Bath's records and must be refused.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from commonground.accounts.models import Membership, Role, User
from commonground.places.models import Ward
from commonground.programme.models import Organisation, Organiser, Programme

DEMO_DOMAIN = "demo.commonground.test"

# Every role except administrator: an administrator looks after the whole deployment and sees every
# organisation's register by design (docs/permissions.md), so it has no "other organisation".
OUTSIDER_ROLES = [role.value for role in Role if role != Role.ADMINISTRATOR]


@dataclass
class Worlds:
    """Exeter's members by role, and Bath's demo logins by the local part of their e-mail."""

    exeter: dict[str, User] = field(default_factory=dict)
    bath: dict[str, User] = field(default_factory=dict)


def _exeter_members() -> dict[str, User]:
    riverside = Organisation.objects.get(slug="riverside-trust")
    council = Organisation.objects.get(slug="exeter-council")
    forum = Organisation.objects.get(slug="exeter-forum")
    police, _ = Organisation.objects.get_or_create(
        slug="devon-cornwall-police",
        defaults={
            "name": "Devon and Cornwall Police (test partner)",
            "kind": Organisation.Kind.PARTNER,
            "authority": council.authority,
        },
    )
    Programme.objects.get(slug="exeter-organisers").organisations.add(police)
    members: dict[str, User] = {
        Role.HOST_MANAGER: User.objects.get(email=f"exeter.host@{DEMO_DOMAIN}")
    }
    for role, organisation in [
        (Role.ORGANISER, riverside),
        (Role.COUNCIL_OFFICER, council),
        (Role.PARTNER_OFFICER, police),
        (Role.COUNCILLOR, council),
        (Role.FORUM_MEMBER, forum),
    ]:
        user = User.objects.create_user(
            email=f"exeter.{role}@example.test",
            password="a-long-test-password-1",
            full_name=f"Exeter {role.replace('_', ' ')}",
        )
        membership = Membership.objects.create(user=user, organisation=organisation, role=role)
        if role == Role.COUNCILLOR:
            membership.wards.add(*Ward.objects.filter(authority=council.authority)[:2])
        members[role] = user
    Organiser.objects.filter(full_name="Maisie Oduya").update(user=members[Role.ORGANISER])
    return {str(role): user for role, user in members.items()}


PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _bath_extras() -> None:
    """What the demo lacks: an uploaded paper, an import, a house meeting, unpublished matters."""
    from django.utils import timezone

    from commonground.action.models import Matter
    from commonground.funding.models import Application, Attachment
    from commonground.funding.services import attachment_add
    from commonground.insight.models import AreaKind, HouseMeeting, Theme
    from commonground.listening.models import ImportBatch

    host = Organisation.objects.get(slug="regen-bath")
    private = Matter.objects.filter(authority__code="E06000022").order_by("pk")[:2]
    Matter.objects.filter(pk__in=[matter.pk for matter in private]).update(is_public=False)
    ImportBatch.objects.create(
        host=host, filename="sheets.csv", sha256="0" * 64, status=ImportBatch.Status.INVALID
    )
    HouseMeeting.objects.create(
        host=host,
        theme=Theme.objects.order_by("pk").first(),
        area_kind=AreaKind.values[0],
        area_code="whiteway",
        area_name="Whiteway",
        title="Whiteway house meeting",
        meets_at=timezone.now(),
        venue="Community centre",
    )

    draft = Application.objects.filter(
        status=Application.Status.DRAFT, round__fund__council__slug="banes-council"
    ).first()
    assert draft is not None
    attachment_add(
        actor=draft.created_by,
        application=draft,
        upload=SimpleUploadedFile("budget.pdf", PDF_BYTES, content_type="application/pdf"),
        kind=Attachment.Kind.BUDGET,
    )


@pytest.fixture(scope="module")
def worlds(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worlds]:
    with (
        override_settings(
            ACTION_PRIVATE_ROOT=tmp_path_factory.mktemp("private-action"),
            FUNDING_PRIVATE_ROOT=tmp_path_factory.mktemp("private-funding"),
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("load_demo", stdout=io.StringIO())
        bath = {
            user.email.split("@")[0]: user
            for user in User.objects.filter(email__endswith=DEMO_DOMAIN)
        }
        _bath_extras()
        yield Worlds(exeter=_exeter_members(), bath=bath)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(django_db_blocker: Any) -> None:
    """Rate limits count in the database; these tests send many requests from one address."""
    from commonground.core.models import RateCount

    with django_db_blocker.unblock():
        RateCount.objects.all().delete()
