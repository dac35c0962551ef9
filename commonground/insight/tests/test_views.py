from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from commonground.accounts.models import Role
from commonground.insight.models import (
    ConversationInsight,
    ConversationTag,
    EmergingCluster,
    HouseMeeting,
    Invitation,
    Quote,
    Theme,
)
from commonground.places.models import Neighbourhood
from commonground.programme.tests.factories import OrganisationFactory, OrganiserFactory

from .factories import WHITEWAY, conversation, resident_with_consent, tag, theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def host_world(make_user: Any) -> dict[str, Any]:
    organiser = OrganiserFactory()
    organiser_user = make_user(Role.ORGANISER, organiser.host)
    organiser.user = organiser_user
    organiser.save()
    neighbourhood = Neighbourhood.objects.create(
        name="Whiteway view", slug="whiteway-view", authority=organiser.host.authority or _banes()
    )
    from commonground.places.models import Lsoa

    neighbourhood.lsoas.set(Lsoa.objects.filter(code__in=WHITEWAY))
    return {
        "organiser": organiser,
        "organiser_user": organiser_user,
        "manager": make_user(Role.HOST_MANAGER, organiser.host),
        "officer": make_user(Role.COUNCIL_OFFICER, OrganisationFactory(kind="council")),
        "councillor": make_user(Role.COUNCILLOR, OrganisationFactory(kind="council")),
        "neighbourhood": neighbourhood,
    }


def _banes() -> Any:
    from commonground.places.models import LocalAuthority

    return LocalAuthority.objects.get(code="E06000022")


def test_review_queue_page_and_one_click_actions(
    signed_in: Any, host_world: dict[str, Any]
) -> None:
    made = conversation(organiser=host_world["organiser"])
    suggested = tag(made, "fly-tipping", status=ConversationTag.Status.SUGGESTED, confidence=0.5)
    ConversationInsight.objects.filter(conversation=made).update(
        needs_review=True, review_reason="low_confidence"
    )
    client = signed_in(host_world["organiser_user"])
    response = client.get(reverse("insight:review_next"))
    assert response.status_code == 302
    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Flytipping behind the garages" in html
    assert 'data-shortcut="1"' in html and 'data-shortcut="shift+1"' in html
    client.post(reverse("insight:review_tag_confirm", args=[made.public_id, suggested.pk]))
    suggested.refresh_from_db()
    assert suggested.status == ConversationTag.Status.CONFIRMED
    client.post(reverse("insight:review_tag_add", args=[made.public_id]), {"theme": "parking"})
    assert made.theme_tags.get(theme__slug="parking").status == ConversationTag.Status.CONFIRMED
    finished = client.post(reverse("insight:review_finish", args=[made.public_id]))
    assert finished.status_code == 302
    assert not ConversationInsight.objects.get(conversation=made).needs_review
    assert client.get(reverse("insight:review_next")).status_code == 200  # "Nothing waiting"


def test_review_is_refused_outside_the_host(signed_in: Any, host_world: dict[str, Any]) -> None:
    made = conversation(organiser=host_world["organiser"])
    suggested = tag(made, "fly-tipping", status=ConversationTag.Status.SUGGESTED)
    client = signed_in(host_world["officer"])
    assert client.get(reverse("insight:review_item", args=[made.public_id])).status_code == 403
    assert client.get(reverse("insight:review_next")).status_code == 403
    response = client.post(
        reverse("insight:review_tag_reject", args=[made.public_id, suggested.pk])
    )
    assert response.status_code == 403
    suggested.refresh_from_db()
    assert suggested.status == ConversationTag.Status.SUGGESTED


def test_area_evidence_page_with_suppression_and_bounded_queries(
    signed_in: Any, host_world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for index in range(7):
        made = conversation(organiser=host_world["organiser"])
        tag(made, "fly-tipping" if index < 6 else "graffiti")
    url = reverse("insight:area_evidence", args=["neighbourhood", host_world["neighbourhood"].slug])
    officer = signed_in(host_world["officer"])
    with django_assert_max_num_queries(40):
        response = officer.get(url + "?period=24")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fly-tipping" in html
    assert "fewer than 5" in html, "graffiti (1) is suppressed for a council officer"
    assert 'id="insight-charts"' in html and "vega-lite" in html
    assert 'data-insight-chart="themes"' in html
    assert 'id="equality-note"' in html
    manager = signed_in(host_world["manager"])
    html = manager.get(url + "?period=24").content.decode()
    assert "fewer than 5" not in html.split('id="themes-table"')[1].split("</table>")[0]


def test_area_evidence_filters(signed_in: Any, host_world: dict[str, Any]) -> None:
    tag(conversation(organiser=host_world["organiser"]), "fly-tipping")
    client = signed_in(host_world["councillor"])
    url = reverse("insight:area_evidence", args=["lsoa", WHITEWAY[0]])
    ok = client.get(
        url, {"period": "custom", "start": "2026-01", "end": "2026-10", "theme": "fly-tipping"}
    )
    assert ok.status_code == 200
    assert "Showing only:" in ok.content.decode()
    bad = client.get(url, {"period": "custom", "start": "2026-13", "end": ""})
    assert bad.status_code == 200
    assert "Enter the first month" in bad.content.decode()
    assert (
        client.get(reverse("insight:area_evidence", args=["lsoa", "E99999999"])).status_code == 404
    )
    assert client.get(reverse("insight:area_evidence", args=["planet", "x"])).status_code == 404


def test_evidence_needs_a_login(client: Any) -> None:
    url = reverse("insight:area_evidence", args=["authority", "E06000022"])
    assert client.get(url).status_code == 302


def test_theme_in_area_lists_residents_and_makes_a_meeting(
    signed_in: Any, host_world: dict[str, Any]
) -> None:
    organiser = host_world["organiser"]
    resident = resident_with_consent(organiser)
    tag(conversation(organiser=organiser, resident=resident), "fly-tipping")
    client = signed_in(host_world["manager"])
    url = reverse("insight:area_theme", args=["lsoa", WHITEWAY[0], "fly-tipping"])
    page = client.get(url)
    assert page.status_code == 200 and "Wren Saltmarsh" in page.content.decode()
    create = reverse("insight:meeting_create", args=["lsoa", WHITEWAY[0], "fly-tipping"])
    response = client.post(
        create,
        {
            "host": organiser.host.slug,
            "title": "Clean-up planning",
            "day": "2026-12-03",
            "start": "18:30",
            "venue": "Community centre",
            "notes": "",
            "residents": [str(resident.public_id)],
            "method": "phone",
        },
    )
    meeting = HouseMeeting.objects.get()
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    invitation = Invitation.objects.get(meeting=meeting)
    client.post(
        meeting.get_absolute_url(),
        {"invitation": invitation.pk, "response": "coming", "attended": "yes"},
    )
    invitation.refresh_from_db()
    assert (invitation.response, invitation.attended) == ("coming", True)
    assert signed_in(host_world["officer"]).get(url).status_code == 403
    assert signed_in(host_world["officer"]).get(meeting.get_absolute_url()).status_code == 403


def test_quote_proposal_and_approval_pages(signed_in: Any, host_world: dict[str, Any]) -> None:
    made = conversation(
        organiser=host_world["organiser"],
        concerns="Flytipping behind the garages. Call Mrs Abernethy on 01225 477000.",
    )
    tag(made, "fly-tipping")
    client = signed_in(host_world["manager"])
    url = reverse("insight:area_theme", args=["lsoa", WHITEWAY[0], "fly-tipping"])
    client.post(url, {"action": "propose", "conversation": str(made.public_id)})
    quote = Quote.objects.get()
    assert "01225" not in quote.text
    assert client.get(reverse("insight:quote_list")).status_code == 200
    detail = reverse("insight:quote_detail", args=[quote.public_id])
    refused = client.post(detail, {"action": "approve", "text": "Ring 01225 477000"})
    assert refused.status_code == 200 and "personal details" in refused.content.decode()
    client.post(detail, {"action": "approve", "text": "Flytipping behind the garages."})
    quote.refresh_from_db()
    assert quote.status == Quote.Status.APPROVED
    assert signed_in(host_world["officer"]).get(detail).status_code == 403


def test_theme_pages_for_officers(signed_in: Any, host_world: dict[str, Any]) -> None:
    client = signed_in(host_world["officer"])
    assert "Fly-tipping" in client.get(reverse("insight:theme_list")).content.decode()
    response = client.post(
        reverse("insight:theme_create"),
        {
            "name": "Scams",
            "parent": str(theme("community-safety").pk),
            "description": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Theme.objects.get(slug="scams").parent.slug == "community-safety"
    councillor = signed_in(host_world["councillor"])
    assert councillor.get(reverse("insight:theme_create")).status_code == 403


def test_emerging_and_tagger_pages(signed_in: Any, host_world: dict[str, Any]) -> None:
    member = conversation(
        organiser=host_world["organiser"],
        concerns="E-scooters on the towpath, ask my neighbour Dave Underhill",
    )
    cluster = EmergingCluster.objects.create(
        key_terms=["scooter", "towpath"], size=1, member_ids=[member.pk], example_ids=[member.pk]
    )
    client = signed_in(host_world["officer"])
    listing = client.get(reverse("insight:emerging_list")).content.decode()
    assert "scooter, towpath" in listing
    assert "Underhill" not in listing, "examples are shown with personal details removed"
    response = client.post(cluster.get_absolute_url(), {"action": "dismiss"})
    assert response.status_code == 302
    cluster.refresh_from_db()
    assert cluster.status == EmergingCluster.Status.DISMISSED
    assert client.get(reverse("insight:taggermodel_list")).status_code == 200
    organiser_client = signed_in(host_world["organiser_user"])
    assert organiser_client.get(reverse("insight:emerging_list")).status_code == 403


def test_what_we_heard_is_public_suppressed_and_prints(
    client: Any, host_world: dict[str, Any]
) -> None:
    for index in range(6):
        tag(
            conversation(organiser=host_world["organiser"]), "fly-tipping" if index < 5 else "noise"
        )
    approved = conversation(organiser=host_world["organiser"], concerns="The garages are a tip.")
    tag(approved, "fly-tipping")
    Quote.objects.create(
        conversation=approved,
        theme=theme("fly-tipping"),
        text="The garages are a tip.",
        status="approved",
    )
    Quote.objects.create(
        conversation=approved, theme=theme("noise"), text="Not approved words", status="proposed"
    )
    slug = host_world["neighbourhood"].slug
    page = client.get(reverse("insight:what_we_heard", args=[slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "What we heard in Whiteway view" in html
    assert "The garages are a tip." in html and "Not approved words" not in html
    pdf = client.get(reverse("insight:what_we_heard_pdf", args=[slug]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert len(pdf.content) > 5000


def test_dashboard_panel_shows_the_queue(signed_in: Any, host_world: dict[str, Any]) -> None:
    made = conversation(organiser=host_world["organiser"])
    ConversationInsight.objects.filter(conversation=made).update(needs_review=True)
    from commonground.insight.dashboard import panels

    panel = panels(host_world["manager"])[0]
    queue = next(stat for stat in panel["stats"] if stat["url"] == reverse("insight:review_next"))
    assert queue["value"] == 1
    officer_panel = panels(host_world["officer"])[0]
    assert all(stat["url"] != reverse("insight:review_next") for stat in officer_panel["stats"])
    response = signed_in(host_world["manager"]).get(reverse("core:dashboard"))
    assert "conversations waiting for theme review" in response.content.decode()
