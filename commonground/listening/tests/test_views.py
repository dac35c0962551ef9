from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.utils import timezone

from commonground.core.models import AuditEvent
from commonground.privacy.models import Consent

from ..models import CanvassAssignment, ConsentTier, Conversation, DoorKnock, Resident, Source
from ..services import ResidentDetails
from .support import record, record_identified, share_agreement


def capture_post(organiser: Any, **overrides: Any) -> dict[str, Any]:
    now = timezone.localtime() - timedelta(hours=1)
    data = {
        "client_id": str(uuid.uuid4()),
        "organiser": str(organiser.public_id),
        "happened_on": now.date().isoformat(),
        "happened_time": now.strftime("%H:%M"),
        "mode": "doorstep",
        "postcode": "zz1 1ab",
        "concerns": "Buses stop at six, can't get to work",
        "ladder": "listened",
        "consent_tier": "anonymous",
    }
    data.update(overrides)
    return data


def test_capture_form_is_for_organisers_and_managers(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    response = signed_in(world["user"]).get("/listening/capture/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Record a conversation" in body
    assert world["host"].name in body, "the consent wording names the host"
    assert 'id="sync-status"' in body and "listening-capture.js" in body
    today = timezone.localdate().isoformat()
    assert f'type="date" value="{today}"' in body, "date inputs need ISO dates to show them"
    client.logout()
    assert signed_in(world["councillor"]).get("/listening/capture/").status_code == 403


def test_capture_without_javascript_saves_once(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    browser = signed_in(world["user"])
    data = capture_post(world["organiser"])
    response = browser.post("/listening/capture/", data)
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert conversation.source == Source.FORM and conversation.lsoa.code == "E01014463"
    assert conversation.recorded_by == world["user"]
    browser.post("/listening/capture/", data)
    assert Conversation.objects.count() == 1, "a double submission is recognised by its id"


def test_paper_entry_records_who_typed_it(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    browser = signed_in(world["manager"])
    response = browser.post(
        "/listening/capture/", capture_post(world["organiser"], from_paper="on")
    )
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert conversation.source == Source.PAPER
    assert conversation.recorded_by == world["manager"]
    assert conversation.organiser == world["organiser"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"concerns": ""}, "concerns", "Write down what concerns them"),
        ({"postcode": "ZZ9 9ZZ"}, "postcode", "not a postcode we know"),
        ({"full_name": "Una Yardley-Osei"}, "consent_tier", "Missing consent for contact details"),
        (
            {"consent_tier": "identified", "full_name": "Una Yardley-Osei"},
            "contact_consent_given",
            "Missing consent for contact details",
        ),
    ],
)
def test_capture_errors_are_shown_and_nothing_is_saved(
    client: Client,
    signed_in: Any,
    world: dict[str, Any],
    overrides: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = signed_in(world["user"]).post(
        "/listening/capture/", capture_post(world["organiser"], **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert field in response.context["form"].errors
    assert not Conversation.objects.exists()


def test_list_shows_each_viewer_what_they_may_see(
    client: Client, signed_in: Any, world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for _n in range(3):
        record(world["user"], world["organiser"])
    shared = record(
        world["user"],
        world["organiser"],
        consent_tier=ConsentTier.SHAREABLE,
        contact_consent_given=True,
        shared_with=[world["partner"]],
        new_resident=ResidentDetails(full_name="Keziah Dunmore", phone="07700 900321"),
        concerns="Drug dealing in the alley",
    ).conversation
    share_agreement(world)
    with django_assert_max_num_queries(40):
        own = signed_in(world["user"]).get("/listening/")
    assert own.status_code == 200
    assert own.context["page_obj"].paginator.count == 4
    client.logout()
    police = signed_in(world["partner_officer"]).get("/listening/")
    assert [c.pk for c, _a in police.context["rows"]] == [shared.pk]
    assert "Drug dealing" in police.content.decode()
    assert AuditEvent.objects.filter(
        action="personal_data.view", actor=world["partner_officer"], object_id=str(shared.pk)
    ).exists()
    client.logout()
    assert (
        signed_in(world["councillor"]).get("/listening/").context["page_obj"].paginator.count == 0
    )


def test_detail_and_refusals(client: Client, signed_in: Any, world: dict[str, Any]) -> None:
    conversation = record(world["user"], world["organiser"]).conversation
    url = conversation.get_absolute_url()
    assert signed_in(world["user"]).get(url).status_code == 200
    client.logout()
    assert signed_in(world["partner_officer"]).get(url).status_code == 403
    client.logout()
    assert signed_in(world["councillor"]).get(url).status_code == 403
    assert AuditEvent.objects.filter(action="personal_data.view").count() == 0


def test_partner_view_of_shared_conversation_is_audited_and_limited(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    conversation = record(
        world["user"],
        world["organiser"],
        consent_tier=ConsentTier.SHAREABLE,
        contact_consent_given=True,
        shared_with=[world["partner"]],
        new_resident=ResidentDetails(
            full_name="Keziah Dunmore", phone="07700 900321", email="k@example.test"
        ),
    ).conversation
    share_agreement(world, fields=["name", "phone"])
    response = signed_in(world["partner_officer"]).get(conversation.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Keziah Dunmore" in body and "07700 900321" in body
    assert "k@example.test" not in body, "the agreement does not share e-mail addresses"
    assert "Flytipping behind the garages" not in body, "nor what was said"
    assert "Correct this conversation" not in body
    event = AuditEvent.objects.get(action="personal_data.view")
    assert event.actor == world["partner_officer"] and event.changes["fields"] == ["name", "phone"]


def test_correction_makes_a_new_version_with_history(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    conversation = record(world["user"], world["organiser"]).conversation
    browser = signed_in(world["user"])
    form = browser.get(f"{conversation.get_absolute_url()}correct/")
    assert form.status_code == 200
    data = capture_post(
        world["organiser"],
        client_id=str(conversation.client_id),
        concerns="Flytipping behind the garages, and the lights are out",
        loves=conversation.loves,
        ideas=conversation.ideas,
        reason="Forgot the lights",
    )
    data["happened_on"] = timezone.localtime(conversation.happened_at).date().isoformat()
    data["happened_time"] = timezone.localtime(conversation.happened_at).strftime("%H:%M")
    response = browser.post(f"{conversation.get_absolute_url()}correct/", data)
    assert response.status_code == 302
    detail = browser.get(conversation.get_absolute_url()).content.decode()
    assert "Version 2" in detail and "Forgot the lights" in detail and "Version 1" in detail
    assert Conversation.objects.get().version == 2
    history = browser.get(conversation.get_absolute_url()).context["history"]
    assert [name for name, _before, _after in history[0]["changes"]] == ["what concerns them"]


def test_follow_ups_can_be_added_and_closed(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    conversation = record(world["user"], world["organiser"]).conversation
    browser = signed_in(world["user"])
    browser.post(
        conversation.get_absolute_url(), {"description": "Bring leaflets", "due_on": "2026-12-01"}
    )
    follow_up = conversation.follow_ups.get()
    browser.post(f"/listening/follow-ups/{follow_up.public_id}/close/")
    follow_up.refresh_from_db()
    assert follow_up.status == "done"


def test_residents_merge_and_consent_withdrawal(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    first = record_identified(world["user"], world["organiser"], email="a@example.test")
    second = record_identified(world["user"], world["organiser"], email="b@example.test")
    keep, merge = first.conversation.resident, second.conversation.resident
    manager = signed_in(world["manager"])
    duplicates = manager.get("/listening/residents/duplicates/")
    assert keep in duplicates.context["groups"][0]
    confirm = manager.get(
        f"/listening/residents/merge/?keep={keep.public_id}&merge={merge.public_id}"
    )
    assert confirm.status_code == 200
    manager.post(
        "/listening/residents/merge/",
        {"keep": keep.public_id, "merge": merge.public_id, "confirm": "1"},
    )
    assert Resident.objects.get(pk=merge.pk).merged_into == keep
    assert keep.conversations.count() == 2
    consent = Consent.objects.filter(resident=keep).first()
    manager.post(f"/listening/consents/{consent.public_id}/withdraw/", {"note": "By phone"})
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is not None


def test_organiser_cannot_merge(client: Client, signed_in: Any, world: dict[str, Any]) -> None:
    first = record_identified(world["user"], world["organiser"], email="a@example.test")
    second = record_identified(world["user"], world["organiser"], email="b@example.test")
    response = signed_in(world["user"]).post(
        "/listening/residents/merge/",
        {
            "keep": first.conversation.resident.public_id,
            "merge": second.conversation.resident.public_id,
            "confirm": "1",
        },
    )
    assert response.status_code == 403


def test_progress_page_shows_the_figure_with_its_rule(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    record(world["user"], world["organiser"])
    resident = record_identified(world["user"], world["organiser"]).conversation.resident
    record(
        world["user"], world["organiser"], consent_tier=ConsentTier.IDENTIFIED, resident=resident
    )
    browser = signed_in(world["user"])
    response = browser.get("/listening/progress/", follow=True)
    body = response.content.decode()
    assert response.context["progress"].listened == 2
    assert response.context["progress"].conversations == 3
    assert "counts once per programme year" in body
    assert 'id="progress-chart"' in body and "progress-chart-spec" in body
    assert browser.get("/listening/progress/organisers/").status_code == 403
    client.logout()
    compare = signed_in(world["manager"]).get("/listening/progress/organisers/")
    assert compare.status_code == 200
    assert compare.context["rows"][0].listened == 2


def test_figures_are_suppressed_outside_the_host(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    for _n in range(3):
        record(world["user"], world["organiser"])
    councillor = signed_in(world["councillor"]).get("/listening/figures/")
    assert "fewer than 5" in councillor.content.decode()
    client.logout()
    manager = signed_in(world["manager"]).get("/listening/figures/")
    row = manager.context["by_neighbourhood"][0]
    assert row["figure"].display == "3"


def test_area_panel_for_place_pages(world: dict[str, Any], rf: RequestFactory) -> None:
    from django.contrib.auth.models import AnonymousUser

    for _n in range(3):
        record(world["user"], world["organiser"])
    lsoa = Conversation.objects.first().lsoa
    template = Template("{% load listening_tags %}{% listening_area_panel lsoa=lsoa %}")
    request = rf.get("/")
    request.user = AnonymousUser()
    public = template.render(Context({"request": request, "lsoa": lsoa}))
    assert "fewer than 5" in public and "counts once per programme year" in public
    request.user = world["manager"]
    inside = template.render(Context({"request": request, "lsoa": lsoa}))
    assert 'id="listening-panel-total">3<' in inside


def test_assignment_with_doors_map_and_chart(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    record(world["user"], world["organiser"])
    manager = signed_in(world["manager"])
    today = timezone.localdate()
    lsoa = Conversation.objects.get().lsoa
    response = manager.post(
        "/listening/assignments/new/",
        {
            "organiser": world["organiser"].pk,
            "title": "Top of the hill",
            "starts_on": (today - timedelta(days=14)).isoformat(),
            "ends_on": (today + timedelta(days=14)).isoformat(),
            "target_conversations": "20",
            "lsoas": [lsoa.pk],
        },
    )
    assignment = CanvassAssignment.objects.get()
    assert response.status_code == 302
    client.logout()
    organiser = signed_in(world["user"])
    organiser.post(
        assignment.get_absolute_url(),
        {"knocked_on": today.isoformat(), "doors_knocked": "30", "doors_answered": "12"},
    )
    assert DoorKnock.objects.get().doors_knocked == 30
    detail = organiser.get(assignment.get_absolute_url())
    assert detail.context["progress"].conversations == 1
    assert detail.context["progress"].doors_knocked == 30
    assert 'id="assignment-map"' in detail.content.decode()
    geojson = organiser.get(f"{assignment.get_absolute_url()}areas.geojson").json()
    assert geojson["features"][0]["properties"]["conversations"] == 1


def test_service_worker_is_served_for_the_listening_scope(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    response = client.get("/listening/sw.js")
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/listening/"
    body = response.content.decode()
    assert '"capture": "/listening/capture/"' in body
    assert "listening-capture.js" in body and "addEventListener" in body


def test_printable_sheet_carries_the_consent_wording(
    client: Client, signed_in: Any, world: dict[str, Any]
) -> None:
    response = signed_in(world["user"]).get("/listening/sheets/?count=3")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="cg-sheet"') == 3
    assert world["host"].name in body and "How to withdraw" in body
