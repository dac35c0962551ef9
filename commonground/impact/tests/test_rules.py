"""Every role against every impact object, in its own organisation and in another."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from commonground.accounts.models import Role
from commonground.impact import services
from commonground.impact.models import Comparison
from commonground.impact.scopes import Scope

from .factories import PERIOD, ROLE_HOME, build_world, indicator, member, report

EVERYONE = set(ROLE_HOME)
ADMIN = {Role.ADMINISTRATOR}
MANAGERS = {Role.HOST_MANAGER, Role.COUNCIL_OFFICER, Role.ADMINISTRATOR}

# permission, object key, roles allowed on their own world's object, roles allowed on another's.
MATRIX: list[tuple[str, str, set[str], set[str]]] = [
    ("impact.view_indicator", "indicator", EVERYONE, EVERYONE),
    (
        "impact.add_indicator",
        "none",
        {Role.COUNCIL_OFFICER, Role.ADMINISTRATOR},
        {Role.COUNCIL_OFFICER, Role.ADMINISTRATOR},
    ),
    (
        "impact.change_indicator",
        "indicator",
        {Role.COUNCIL_OFFICER, Role.ADMINISTRATOR},
        {Role.COUNCIL_OFFICER, Role.ADMINISTRATOR},
    ),
    ("impact.view_measurement", "measurement", EVERYONE, EVERYONE),
    ("impact.add_measurement", "none", MANAGERS, MANAGERS),
    ("impact.change_measurement", "measurement", {Role.HOST_MANAGER, Role.ADMINISTRATOR}, ADMIN),
    ("impact.view_target", "target", EVERYONE, EVERYONE),
    ("impact.add_target", "none", MANAGERS, MANAGERS),
    ("impact.change_target", "target", {Role.HOST_MANAGER, Role.ADMINISTRATOR}, ADMIN),
    ("impact.act_for_organisation", "host", {Role.HOST_MANAGER, Role.ADMINISTRATOR}, ADMIN),
    ("impact.act_for_organisation", "council", {Role.COUNCIL_OFFICER, Role.ADMINISTRATOR}, ADMIN),
    ("impact.act_for_organisation", "partner", ADMIN, ADMIN),
    ("impact.view_comparison", "comparison", EVERYONE, EVERYONE),
    ("impact.add_comparison", "none", MANAGERS, MANAGERS),
    ("impact.add_report", "none", MANAGERS, MANAGERS),
    (
        "impact.view_report",
        "report",
        {Role.ORGANISER, Role.HOST_MANAGER, Role.COUNCIL_OFFICER, Role.ADMINISTRATOR},
        ADMIN,
    ),
    (
        "impact.view_report",
        "council_report",
        {Role.COUNCIL_OFFICER, Role.COUNCILLOR, Role.ADMINISTRATOR},
        ADMIN,
    ),
    ("impact.change_report", "report", {Role.HOST_MANAGER, Role.ADMINISTRATOR}, ADMIN),
    ("impact.change_report", "council_report", {Role.COUNCIL_OFFICER, Role.ADMINISTRATOR}, ADMIN),
    ("impact.publish_report", "report", {Role.HOST_MANAGER, Role.ADMINISTRATOR}, ADMIN),
    ("impact.view_reportversion", "version", EVERYONE, EVERYONE),
]


def objects(world: dict[str, Any]) -> dict[str, Any]:
    programme = Scope.of(world["programme"])
    draft = report(world)
    council_report = services.report_create(
        actor=None,
        title="Authority report",
        scope=Scope.of(world["authority"]),
        organisation=world["council"],
        period_start=PERIOD.start,
        period_end=PERIOD.end,
    )
    published = report(world)
    services.report_section_save(
        actor=None,
        report=published,
        section=published.sections.first(),
        heading="Summary",
        body="x",
    )
    return {
        "none": None,
        "indicator": indicator("residents_listened_to"),
        "host": world["host"],
        "council": world["council"],
        "partner": world["partner"],
        "measurement": services.measurement_record(
            actor=None,
            indicator=indicator("lonely_often_or_always"),
            scope=programme,
            organisation=world["host"],
            period_start=date(2026, 9, 1),
            period_end=date(2026, 9, 30),
            value=Decimal(10),
            evidence="Survey",
        ),
        "target": services.target_set(
            actor=None,
            indicator=indicator("residents_listened_to"),
            scope=programme,
            organisation=world["host"],
            period_start=PERIOD.start,
            period_end=PERIOD.end,
            value=Decimal(500),
        ),
        "comparison": Comparison.objects.create(
            title="c",
            indicator=indicator("fixmystreet_rubbish_reports"),
            organisation=world["host"],
            treated_codes=["E01014458"],
            start_year=2009,
            band_width=1,
        ),
        "report": draft,
        "council_report": council_report,
        "version": services.report_publish(actor=None, report=published),
    }


@pytest.fixture
def worlds(db: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    own_world, other_world = build_world("own"), build_world("other")
    own, other = objects(own_world), objects(other_world)
    users = {role: member(own_world, role, f"{role}@example.test") for role in ROLE_HOME}
    return own, other, users


@pytest.mark.parametrize(
    ("permission", "key", "allowed_own", "allowed_other"),
    MATRIX,
    ids=[f"{m[0]}:{m[1]}" for m in MATRIX],
)
def test_permission_matrix(
    worlds: Any, permission: str, key: str, allowed_own: set[str], allowed_other: set[str]
) -> None:
    own, other, users = worlds
    for role, user in users.items():
        assert user.has_perm(permission, own[key]) == (role in allowed_own), f"{role} on own {key}"
        assert user.has_perm(permission, other[key]) == (role in allowed_other), (
            f"{role} on other {key}"
        )


def test_anyone_may_read_a_published_version_and_nothing_else(worlds: Any) -> None:
    own, _other, _users = worlds
    anonymous = AnonymousUser()
    for permission, key, _own, _other_roles in MATRIX:
        expected = permission == "impact.view_reportversion"
        assert anonymous.has_perm(permission, own[key]) == expected, permission
