"""Every funding page renders for the people who may see it, with no missing template variable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from commonground.accounts.models import User
from commonground.funding import demo
from commonground.funding.models import (
    Application,
    Assignment,
    Fund,
    FundraisingBid,
    Grant,
    Milestone,
    Payment,
    Variation,
)
from commonground.programme.demo import demo_load as programme_demo_load
from commonground.programme.models import Organiser

pytestmark = pytest.mark.django_db
DOMAIN = "demo.commonground.test"


@pytest.fixture
def site(db: Any) -> None:
    programme_demo_load()
    demo.demo_load()


def _get(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    text = response.content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in text, url
    return text


def _dashboard_panels(client: Client, *titles: str) -> None:
    """The dashboard holds every app's panels; only the funding ones are checked here."""
    text = client.get("/dashboard/").content.decode()
    sections = text.split("<section")
    for title in titles:
        [section] = [part for part in sections if f">{title}</h2>" in part]
        assert "INVALID_TEMPLATE_VARIABLE" not in section, title


def test_the_officers_pages(site: None, signed_in: Callable[..., Client]) -> None:
    client = signed_in(User.objects.get(email=f"council.officer@{DOMAIN}"))
    main = Fund.objects.get(slug="main-fund")
    grant = Grant.objects.get(reference="MF-2025-012")
    moderated = Application.objects.get(status="moderated")
    scoring = Application.objects.filter(status="in_assessment").first()
    _dashboard_panels(client, "Grant funds you run")
    for url in [
        "/funding/",
        "/funding/funds/new/",
        main.get_absolute_url(),
        f"/funding/funds/{main.slug}/grants/",
        f"/funding/funds/{main.slug}/grants/?show=at_risk",
        "/funding/funds/small-grants/applications/",
        f"/funding/funds/{main.slug}/themes/new/",
        f"/funding/funds/{main.slug}/criteria/new/",
        f"/funding/funds/{main.slug}/rounds/new/",
        scoring.get_absolute_url(),
        f"/funding/applications/{scoring.public_id}/assessors/new/",
        moderated.get_absolute_url(),
        f"/funding/applications/{moderated.public_id}/decide/",
        grant.get_absolute_url(),
        f"/funding/grants/{grant.public_id}/payments/new/",
        f"/funding/grants/{grant.public_id}/milestones/new/",
        f"/funding/grants/{grant.public_id}/risk/",
        f"/funding/grants/{grant.public_id}/close/",
        f"/funding/payments/{Payment.objects.filter(grant=grant, status='scheduled').first().public_id}/paid/",
        f"/funding/variations/{Variation.objects.get(status='requested').public_id}/decide/",
        "/funding/grants/",
        "/funding/past-grants/",
        "/funding/past-grants/?q=Oxford",
        "/funding/past-grants/import/",
        "/funding/posts/?host=regen-bath",
    ]:
        _get(client, url)
    page = _get(client, f"/funding/funds/{main.slug}/grants/")
    assert "Befriending isolated older people" in page
    assert _get(client, "/funding/bids/", 403) is not None


def test_the_host_managers_pages(site: None, signed_in: Callable[..., Client]) -> None:
    client = signed_in(User.objects.get(email=f"host.manager@{DOMAIN}"))
    draft = Application.objects.get(status="draft")
    grant = Grant.objects.get(reference="MF-2025-001")
    open_round = Fund.objects.get(slug="community-empowerment-fund").rounds.get()
    _dashboard_panels(client, "Your organisation&#x27;s grants", "Funding for your organiser posts")
    for url in [
        "/funding/applications/",
        draft.get_absolute_url(),
        f"/funding/applications/{draft.public_id}/edit/",
        f"/funding/applications/{draft.public_id}/files/new/",
        f"/funding/applications/{draft.public_id}/withdraw/",
        f"/funding/rounds/{open_round.public_id}/apply/",
        grant.get_absolute_url(),
        f"/funding/grants/{grant.public_id}/returns/new/",
        f"/funding/grants/{grant.public_id}/variations/new/",
        f"/funding/milestones/{Milestone.objects.filter(grant=grant).first().public_id}/",
        "/funding/bids/",
        "/funding/bids/new/",
        FundraisingBid.objects.filter(host__slug="regen-bath").first().get_absolute_url(),
        "/funding/posts/",
        f"/funding/posts/{Organiser.objects.get(full_name='Rhys Lindqvist').public_id}/new/",
    ]:
        _get(client, url)
    posts = _get(client, "/funding/posts/")
    assert "Priya Castellano" in posts and "Funding ends soon" in posts
    _get(client, f"/funding/funds/{grant.fund.slug}/grants/", 403)


def test_the_assessors_pages(site: None, signed_in: Callable[..., Client]) -> None:
    assessor = User.objects.get(email=f"forum.member@{DOMAIN}")
    client = signed_in(assessor)
    assignments = Assignment.objects.filter(assessor=assessor)
    undeclared = assignments.get(interest="undeclared")
    scoring = assignments.filter(interest="none", submitted_at__isnull=True).first()
    submitted = assignments.filter(submitted_at__isnull=False).first()
    conflict = assignments.get(interest="conflict")
    _dashboard_panels(client, "Applications to score", "Grants awarded")
    _get(client, "/funding/applications/")
    _get(client, f"/funding/assessments/{undeclared.public_id}/declare/")
    _get(client, scoring.get_absolute_url())
    assert "You submitted your scores" in _get(client, submitted.get_absolute_url())
    _get(client, conflict.get_absolute_url(), 403)
    _get(client, conflict.application.get_absolute_url(), 403)
    _get(client, scoring.application.get_absolute_url())


def test_the_councillors_pages(site: None, signed_in: Callable[..., Client]) -> None:
    client = signed_in(User.objects.get(email=f"councillor@{DOMAIN}"))
    grant = Grant.objects.get(reference="MF-2025-001")
    assert "Better Together" in _get(client, "/funding/grants/")
    page = _get(client, grant.get_absolute_url())
    assert "Payments" not in page
    _get(client, "/funding/")
    _get(client, Fund.objects.get(slug="main-fund").get_absolute_url())
    _dashboard_panels(client, "Grants awarded")
    _get(client, Application.objects.filter(status="in_assessment").first().get_absolute_url(), 403)
