from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from commonground.funding.models import (
    Application,
    Assignment,
    Criterion,
    Fund,
    FundraisingBid,
    FundTheme,
    Grant,
    Milestone,
    MonitoringReturn,
    Payment,
    Round,
)
from commonground.programme.models import Organisation
from commonground.programme.tests.factories import OrganisationFactory


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fund

    name = factory.Sequence(lambda n: f"Fund {n}")
    slug = factory.Sequence(lambda n: f"fund-{n}")
    code = factory.Sequence(lambda n: f"F{n}")
    council = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.COUNCIL)
    source = Fund.Source.PERFORMANCE_REWARD
    amount = Decimal(100_000)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundTheme

    fund = factory.SubFactory(FundFactory)
    name = factory.Sequence(lambda n: f"Theme {n}")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    fund = factory.SubFactory(FundFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 1
    max_score = 5


def _today() -> date:
    return timezone.localdate()


class RoundFactory(factory.django.DjangoModelFactory):
    """Open today unless told otherwise."""

    class Meta:
        model = Round

    fund = factory.SubFactory(FundFactory)
    name = factory.Sequence(lambda n: f"Round {n}")
    opens_on = factory.LazyFunction(lambda: _today() - timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: _today() + timedelta(days=20))


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    round = factory.SubFactory(RoundFactory)
    applicant = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Project {n}")
    summary = "Residents run a monthly clean-up and a tool library."
    amount_requested = Decimal(5_000)
    starts_on = date(2027, 1, 1)
    ends_on = date(2027, 12, 31)
    status = Application.Status.SUBMITTED
    reference = factory.Sequence(lambda n: f"APP-{n:04d}")


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    application = factory.SubFactory(ApplicationFactory)


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    fund = factory.SubFactory(FundFactory)
    reference = factory.Sequence(lambda n: f"GR-{n:04d}")
    recipient = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Grant {n}")
    description = "Clean-ups and a tool library run by volunteers."
    amount_awarded = Decimal(10_000)
    awarded_on = date(2026, 1, 15)
    starts_on = date(2026, 2, 1)
    ends_on = date(2027, 1, 31)


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    grant = factory.SubFactory(GrantFactory)
    due_on = date(2026, 2, 1)
    amount = Decimal(5_000)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    grant = factory.SubFactory(GrantFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_on = factory.LazyFunction(lambda: _today() + timedelta(days=30))


class ReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonitoringReturn

    grant = factory.SubFactory(GrantFactory)
    period_start = date(2026, 2, 1)
    period_end = date(2026, 7, 31)
    narrative = "Went well."
    spend = Decimal(2_000)


class BidFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundraisingBid

    host = factory.SubFactory(OrganisationFactory)
    funder_name = "A Community Foundation"
    title = factory.Sequence(lambda n: f"Bid {n}")
    amount_requested = Decimal(40_000)
