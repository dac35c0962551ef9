"""The pages and the API: the journeys work, and refusals are 403 whatever the route."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from commonground.accounts.models import Role
from commonground.accounts.services import api_token_create
from commonground.funding import threesixty
from commonground.funding.models import Application, Assignment, Grant, PastGrant
from commonground.programme.models import Organisation
from commonground.programme.tests.factories import OrganisationFactory

from .factories import (
    ApplicationFactory,
    CriterionFactory,
    FundFactory,
    GrantFactory,
    MilestoneFactory,
    PaymentFactory,
    ReturnFactory,
    RoundFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[3] / "data" / "standards" / "360giving"


@pytest.fixture
def fund(db: Any) -> Any:
    council = OrganisationFactory(kind=Organisation.Kind.COUNCIL, slug="the-council")
    fund = FundFactory(council=council, slug="main", code="MF", exit_strategy_required=True)
    CriterionFactory(fund=fund, name="Need", weight=2, max_score=5)
    CriterionFactory(fund=fund, name="Value", weight=1, max_score=5)
    ThemeFactory(fund=fund, name="Clean and green")
    return fund


def test_an_application_from_draft_to_grant(
    fund: Any, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    funding_round = RoundFactory(fund=fund)
    host = OrganisationFactory(name="Whiteway Residents")
    manager = make_user(Role.HOST_MANAGER, host)
    client = signed_in(manager)
    response = client.post(
        f"/funding/rounds/{funding_round.public_id}/apply/",
        {
            "applicant": host.pk,
            "title": "Tool library",
            "summary": "Residents lend and mend tools.",
            "theme": fund.themes.get().pk,
            "amount_requested": "4500",
            "starts_on": "2027-01-04",
            "ends_on": "2027-12-17",
        },
    )
    assert response.status_code == 302
    application = Application.objects.get(title="Tool library")
    page = client.get(application.get_absolute_url()).content.decode()
    assert "This fund needs an exit strategy" in page
    client.post(f"/funding/applications/{application.public_id}/submit/")
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    client.post(
        f"/funding/applications/{application.public_id}/edit/",
        {
            "title": "Tool library",
            "summary": "Residents lend and mend tools.",
            "theme": fund.themes.get().pk,
            "amount_requested": "4500",
            "starts_on": "2027-01-04",
            "ends_on": "2027-12-17",
            "exit_strategy": "Membership fees pay for it after a year.",
        },
    )
    client.post(f"/funding/applications/{application.public_id}/submit/")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert client.get(f"/funding/applications/{application.public_id}/edit/").status_code == 403

    officer = make_user(Role.COUNCIL_OFFICER, fund.council)
    assessor = make_user(Role.FORUM_MEMBER, OrganisationFactory(kind="forum"))
    officer_client = signed_in(officer)
    officer_client.post(
        f"/funding/applications/{application.public_id}/assessors/new/", {"assessor": assessor.pk}
    )
    assignment = Assignment.objects.get(application=application, assessor=assessor)

    assessor_client = signed_in(assessor)
    score_url = f"/funding/assessments/{assignment.public_id}/"
    assert assessor_client.get(score_url).status_code == 302  # declare first
    assessor_client.post(f"{score_url}declare/", {"has_conflict": "no", "note": ""})
    need, value = fund.criteria.order_by("position", "id")
    assessor_client.post(
        score_url,
        {f"criterion_{need.pk}": "4", f"criterion_{value.pk}": "3", "action": "submit"},
    )
    assignment.refresh_from_db()
    assert assignment.submitted_at is not None

    officer_client = signed_in(officer)
    detail = officer_client.get(application.get_absolute_url()).content.decode()
    assert "73.3" in detail  # (2*4/5 + 1*3/5) / 3 * 100
    officer_client.post(
        f"/funding/applications/{application.public_id}/moderate/",
        {"moderated_score": "73.3", "note": "One assessor; agreed."},
    )
    response = officer_client.post(
        f"/funding/applications/{application.public_id}/decide/",
        {
            "outcome": "award",
            "reasons": "Clear need.",
            "amount_awarded": "4000",
            "conditions": "Photographs of the first session.",
            "starts_on": "2027-01-04",
            "ends_on": "2027-12-17",
        },
    )
    grant = Grant.objects.get(application=application)
    assert response.status_code == 302 and response["Location"] == grant.get_absolute_url()
    assert grant.amount_awarded == Decimal(4_000)
    assert "Photographs" in signed_in(manager).get(grant.get_absolute_url()).content.decode()


def test_an_assessor_sees_only_what_they_score(
    fund: Any, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    assessor = make_user(Role.PARTNER_OFFICER, OrganisationFactory(kind="partner"))
    mine = ApplicationFactory(round__fund=fund, status="in_assessment", title="Mine to score")
    other = ApplicationFactory(round__fund=fund, status="in_assessment", title="Not mine")
    conflicted = ApplicationFactory(round__fund=fund, status="in_assessment", title="Conflicted")
    Assignment.objects.create(application=mine, assessor=assessor)
    conflict = Assignment.objects.create(
        application=conflicted, assessor=assessor, interest="conflict"
    )
    client = signed_in(assessor)
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 403
    assert client.get(conflicted.get_absolute_url()).status_code == 403
    assert client.get(f"/funding/assessments/{conflict.public_id}/").status_code == 403
    listing = client.get("/funding/applications/").content.decode()
    assert "Mine to score" in listing and "Not mine" not in listing
    api = client.get("/api/funding/applications").json()
    assert [item["title"] for item in api["items"]] == ["Mine to score"]
    assert client.get(f"/funding/funds/{fund.slug}/applications/").status_code == 403


def test_a_conflict_declared_on_the_page_stops_scoring(
    fund: Any, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    assessor = make_user(Role.FORUM_MEMBER, OrganisationFactory(kind="forum"))
    application = ApplicationFactory(round__fund=fund, status="in_assessment")
    assignment = Assignment.objects.create(application=application, assessor=assessor)
    client = signed_in(assessor)
    missing_note = client.post(
        f"/funding/assessments/{assignment.public_id}/declare/", {"has_conflict": "yes"}
    )
    assert "Say what the conflict of interest is" in missing_note.content.decode()
    client.post(
        f"/funding/assessments/{assignment.public_id}/declare/",
        {"has_conflict": "yes", "note": "I chair the group."},
    )
    need = fund.criteria.first()
    response = client.post(
        f"/funding/assessments/{assignment.public_id}/",
        {f"criterion_{need.pk}": "5", "action": "save"},
    )
    assert response.status_code == 403
    assert not assignment.scores.exists()


def test_the_officers_fund_view(
    fund: Any,
    make_user: Callable[..., Any],
    signed_in: Callable[..., Client],
    django_assert_max_num_queries: Any,
) -> None:
    today = timezone.localdate()
    for number in range(30):
        grant = GrantFactory(fund=fund, reference=f"MF-{number:03d}")
        PaymentFactory(grant=grant, amount=Decimal(2_000), status="paid", paid_on=date(2026, 2, 1))
        ReturnFactory(grant=grant, spend=Decimal(500))
        MilestoneFactory(grant=grant, due_on=today - timedelta(days=5 if number % 3 else 200))
    officer = make_user(Role.COUNCIL_OFFICER, fund.council)
    client = signed_in(officer)
    client.get(f"/funding/funds/{fund.slug}/grants/")  # warm caches (session, sites)
    with django_assert_max_num_queries(12):
        response = client.get(f"/funding/funds/{fund.slug}/grants/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("MF-0") == 30
    assert "£60,000" in page  # paid in total
    assert page.count('govuk-tag--red">At risk<') == 10  # a milestone 200 days late
    at_risk = client.get(f"/funding/funds/{fund.slug}/grants/?show=at_risk").content.decode()
    assert at_risk.count("MF-0") == 10
    partner = make_user(Role.PARTNER_OFFICER, OrganisationFactory(kind="partner"))
    assert signed_in(partner).get(f"/funding/funds/{fund.slug}/grants/").status_code == 403


def test_partners_and_councillors_see_published_grants_only(
    fund: Any, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    grant = GrantFactory(fund=fund, conditions="Secret-ish condition", title="Street party")
    MilestoneFactory(grant=grant, title="Party held")
    application = ApplicationFactory(round__fund=fund)
    for role, home in [
        (Role.PARTNER_OFFICER, OrganisationFactory(kind="partner")),
        (Role.COUNCILLOR, fund.council),
    ]:
        client = signed_in(make_user(role, home))
        assert "Street party" in client.get("/funding/grants/").content.decode()
        page = client.get(grant.get_absolute_url()).content.decode()
        assert "Street party" in page
        assert "Party held" not in page and "Secret-ish" not in page
        assert client.get(application.get_absolute_url()).status_code == 403
        assert client.get(f"/api/funding/grants/{grant.public_id}").status_code == 200
        assert client.get(f"/api/funding/grants/{grant.public_id}/monitoring").status_code == 403


def test_the_recipient_reports_on_its_grant(
    fund: Any, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    grant = GrantFactory(fund=fund)
    milestone = MilestoneFactory(grant=grant)
    manager = make_user(Role.HOST_MANAGER, grant.recipient)
    client = signed_in(manager)
    response = client.post(
        f"/funding/grants/{grant.public_id}/returns/new/",
        {
            "period_start": "2026-02-01",
            "period_end": "2026-04-30",
            "narrative": "Three clean-ups.",
            "spend": "1200",
            "code_1": "residents_listened_to",
            "value_1": "85",
            "code_2": "Bad Code",
            "value_2": "3",
        },
    )
    # With the shared indicators defined, only their codes are offered; without, codes are checked.
    assert "Bad Code" in response.content.decode() and response.status_code == 200
    assert not grant.returns.exists()
    response = client.post(
        f"/funding/grants/{grant.public_id}/returns/new/",
        {
            "period_start": "2026-02-01",
            "period_end": "2026-04-30",
            "narrative": "Three clean-ups.",
            "spend": "1200",
            "code_1": "residents_listened_to",
            "value_1": "85",
        },
    )
    assert response.status_code == 302
    assert grant.returns.get().figures.get().indicator_code == "residents_listened_to"
    client.post(
        f"/funding/milestones/{milestone.public_id}/",
        {"status": "met", "evidence": "Minutes.", "completed_on": "2026-04-01"},
    )
    milestone.refresh_from_db()
    assert milestone.status == "met"
    assert client.get(f"/funding/grants/{grant.public_id}/payments/new/").status_code == 403
    other = GrantFactory(fund=fund)
    assert client.get(f"/funding/grants/{other.public_id}/returns/new/").status_code == 403


def test_the_site_exports_valid_360giving(
    fund: Any, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    GrantFactory(fund=fund, reference="MF-1")
    client = signed_in(make_user(Role.COUNCILLOR, fund.council))
    response = client.get("/funding/export/360giving.json?fund=main")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    package = json.loads(response.content)
    assert threesixty.validate_package(package) == []
    assert package["grants"][0]["id"] == "360G-the-council-MF-1"
    csv_text = client.get("/funding/export/360giving.csv?fund=main").content.decode("utf-8-sig")
    assert csv_text.splitlines()[1].startswith("360G-the-council-MF-1,")
    xlsx = client.get("/funding/export/360giving.xlsx?fund=main")
    assert xlsx.content[:2] == b"PK"
    assert client.get("/funding/export/360giving.pdf").status_code == 404
    api = client.get("/api/funding/360giving?fund=main").json()
    assert api["grants"][0]["id"] == "360G-the-council-MF-1"


def test_an_empty_export_explains_itself(
    fund: Any, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    client = signed_in(make_user(Role.COUNCIL_OFFICER, fund.council))
    response = client.get("/funding/export/360giving.json?fund=main")
    assert response.status_code == 422
    assert "no awarded grants" in response.content.decode()


def test_past_grants_upload_is_all_or_nothing(
    fund: Any, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    officer = make_user(Role.COUNCIL_OFFICER, fund.council)
    client = signed_in(officer)
    bad = SimpleUploadedFile(
        "bad.csv",
        b"Identifier,Amount Awarded,Award Date,Recipient Org:Name,Funding Org:Name\n"
        b"360G-a-1,100,01/02/2015,Group,Funder\n360G-a-2,abc,01/02/2015,Group,Funder\n",
    )
    response = client.post("/funding/past-grants/import/", {"file": bad})
    assert response.status_code == 422
    assert "row 3" in response.content.decode()
    assert not PastGrant.objects.exists()
    with (SAMPLES / "sample_baring.json").open("rb") as handle:
        response = client.post("/funding/past-grants/import/", {"file": handle})
    assert response.status_code == 200
    assert "53 grants imported" in response.content.decode()
    listing = client.get("/funding/past-grants/?q=").content.decode()
    assert "The Baring Foundation" in listing
    partner = make_user(Role.PARTNER_OFFICER, OrganisationFactory(kind="partner"))
    assert signed_in(partner).get("/funding/past-grants/import/").status_code == 403


def test_fundraising_and_post_funding_pages(
    make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    from commonground.programme.tests.factories import OrganiserFactory

    organiser = OrganiserFactory(full_name="Rhys Example")
    manager = make_user(Role.HOST_MANAGER, organiser.host)
    client = signed_in(manager)
    response = client.post(
        "/funding/bids/new/",
        {
            "host": organiser.host.pk,
            "funder_name": "A Foundation",
            "title": "Keep Rhys in post",
            "amount_requested": "40000",
            "match_funding": "10000",
            "match_funding_source": "CIL",
            "status": "submitted",
            "deadline": "2026-12-01",
        },
    )
    assert response.status_code == 302
    bid = organiser.host.fundraising_bids.get()
    client.post(
        f"/funding/posts/{organiser.public_id}/new/",
        {"bid": bid.pk, "share_percent": "100", "starts_on": "2027-01-01", "ends_on": "2027-12-31"},
    )
    page = client.get(f"/funding/posts/?host={organiser.host.slug}").content.decode()
    assert "Rhys Example" in page and "Keep Rhys in post" in page and "Bid pending" in page
    stranger = make_user(Role.HOST_MANAGER, OrganisationFactory())
    stranger_client = signed_in(stranger)
    assert stranger_client.get(f"/funding/posts/?host={organiser.host.slug}").status_code == 403
    assert stranger_client.get(bid.get_absolute_url()).status_code == 403
    councillor = make_user(Role.COUNCILLOR, OrganisationFactory(kind="council"))
    assert signed_in(councillor).get("/funding/bids/").status_code == 403


def test_the_api_token_sees_the_same_as_the_pages(fund: Any, make_user: Callable[..., Any]) -> None:
    GrantFactory(fund=fund, title="Published")
    GrantFactory(fund=fund, title="Withdrawn", status="withdrawn")
    councillor = make_user(Role.COUNCILLOR, fund.council)
    _token, key = api_token_create(actor=councillor, name="test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    grants = client.get("/api/funding/grants").json()
    assert [item["title"] for item in grants["items"]] == ["Published"]
    funds = client.get("/api/funding/funds").json()
    assert funds["items"][0]["code"] == "MF"


def test_dashboard_panels_by_role(
    fund: Any, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    grant = GrantFactory(fund=fund, title="Befriending")
    MilestoneFactory(grant=grant, due_on=timezone.localdate() - timedelta(days=3))
    officer = make_user(Role.COUNCIL_OFFICER, fund.council)
    page = signed_in(officer).get("/dashboard/").content.decode()
    assert "Grant funds you run" in page and "1 late" in page
    manager = make_user(Role.HOST_MANAGER, grant.recipient)
    page = signed_in(manager).get("/dashboard/").content.decode()
    assert "Your organisation&#x27;s grants" in page and "1 milestones late" in page
    assessor = make_user(Role.FORUM_MEMBER, OrganisationFactory(kind="forum"))
    Assignment.objects.create(
        application=ApplicationFactory(
            round__fund=fund, status="in_assessment", title="Street party"
        ),
        assessor=assessor,
    )
    page = signed_in(assessor).get("/dashboard/").content.decode()
    assert "Applications to score" in page and "Street party" in page


def test_an_officer_sets_up_a_fund_for_their_own_council_only(
    make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    council = OrganisationFactory(kind=Organisation.Kind.COUNCIL, slug="home-council")
    elsewhere = OrganisationFactory(kind=Organisation.Kind.COUNCIL, slug="elsewhere")
    client = signed_in(make_user(Role.COUNCIL_OFFICER, council))
    form = {
        "name": "Community Empowerment Fund",
        "code": "CEF",
        "source": "community_empowerment",
        "amount": "105000",
        "exit_strategy_required": "on",
    }
    refused = client.post("/funding/funds/new/", {**form, "council": elsewhere.pk})
    assert refused.status_code == 200 and not elsewhere.funds_run.exists()
    response = client.post("/funding/funds/new/", {**form, "council": council.pk})
    fund = council.funds_run.get()
    assert response["Location"] == fund.get_absolute_url()
    assert fund.exit_strategy_required and not fund.one_off
    client.post(
        f"/funding/funds/{fund.slug}/criteria/new/",
        {"name": "Need", "weight": "3", "max_score": "5"},
    )
    client.post(
        f"/funding/funds/{fund.slug}/rounds/new/",
        {"name": "Round 1", "opens_on": "2027-01-04", "closes_on": "2026-12-01"},
    )
    assert fund.criteria.get().weight == 3
    assert not fund.rounds.exists()  # closing before opening is refused
    host_manager = make_user(Role.HOST_MANAGER, OrganisationFactory())
    assert signed_in(host_manager).get("/funding/funds/new/").status_code == 403


def test_the_api_explains_an_invalid_or_empty_export(
    fund: Any, make_user: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    client = signed_in(make_user(Role.COUNCILLOR, fund.council))
    response = client.get("/api/funding/360giving?fund=main")
    assert response.status_code == 422
    assert response.json()["detail"] == ["There are no awarded grants to publish."]
