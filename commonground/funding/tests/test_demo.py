"""The demo has the shape the council papers describe, and loading it twice changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum

from commonground.funding import demo, exchange, selectors, threesixty
from commonground.funding.models import Application, Assignment, Fund, Grant, PastGrant, PostFunding
from commonground.programme.demo import demo_load as programme_demo_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db: Any) -> str:
    programme_demo_load()
    return demo.demo_load()


def test_the_main_fund_has_sixteen_projects_some_late(loaded: str) -> None:
    fund = Fund.objects.get(slug="main-fund")
    assert fund.amount == Decimal(1_000_000)
    assert fund.one_off and fund.invest_to_save and fund.exit_strategy_required
    grants = fund.grants.all()
    assert grants.count() == 16
    awarded = grants.aggregate(total=Sum("amount_awarded"))["total"]
    assert awarded == Decimal(1_000_000) - Decimal(4_000)  # one grant varied down by £4,000
    assert grants.get(title="Better Together").amount_awarded == Decimal(106_000)
    totals = selectors.fund_totals(fund=fund)
    assert totals.late >= 3
    assert totals.at_risk >= 2
    assert all(grant.milestones.count() == 4 for grant in grants)
    assert all(grant.exit_strategy for grant in grants)


def test_a_small_grants_round_is_being_scored(loaded: str) -> None:
    fund = Fund.objects.get(slug="small-grants")
    assert fund.amount == Decimal(300_000)
    in_scoring = Application.objects.filter(round__fund=fund, status="in_assessment")
    assert in_scoring.count() == 4
    assert Assignment.objects.filter(
        application__in=in_scoring, interest=Assignment.Interest.CONFLICT
    ).exists()
    assert Assignment.objects.filter(
        application__in=in_scoring,
        assessor__email="forum.member@demo.commonground.test",
        interest=Assignment.Interest.UNDECLARED,
    ).exists()
    assert Fund.objects.get(slug="community-empowerment-fund").amount == Decimal(105_000)


def test_hosts_see_how_posts_are_funded(loaded: str) -> None:
    assert PostFunding.objects.filter(bid__match_funding_source__icontains="CIL").exists()
    assert PostFunding.objects.filter(source_name__icontains="New Homes Bonus").exists()


def test_the_demo_exports_as_valid_360giving_and_imports_the_samples(loaded: str) -> None:
    class Reader:
        is_authenticated = True
        pk = None

        def has_perm(self, permission: str, obj: Any = None) -> bool:
            return True

    export = exchange.build_export(selectors.grants_for_export(user=Reader()))
    assert threesixty.validate_package(export.package) == []
    assert export.grant_count == Grant.objects.exclude(status="withdrawn").count()
    assert PastGrant.objects.count() == 646


def test_loading_twice_changes_nothing(loaded: str) -> None:
    counts = (Grant.objects.count(), Application.objects.count(), PastGrant.objects.count())
    second = demo.demo_load()
    assert "already loaded" in second
    assert (Grant.objects.count(), Application.objects.count(), PastGrant.objects.count()) == counts
