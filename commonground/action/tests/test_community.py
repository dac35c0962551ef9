"""Groups, the network and its growth, projects and their photos."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from PIL import Image

from commonground.accounts.models import Role

from .. import services
from ..attachments import MAX_PHOTO_BYTES
from ..models import Group, Involvement, NetworkLink, ProjectPhoto
from ..selectors import network_for, network_growth
from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    world = f.build_world("own")
    world["organiser_user"] = f.member(world, Role.ORGANISER, "host", "organiser@example.test")
    world["officer"] = f.member(world, Role.COUNCIL_OFFICER, "council", "officer@example.test")
    world["group"] = f.group(world)
    return world


def png(size: tuple[int, int] = (40, 30)) -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", size, (0, 112, 60)).save(data, format="PNG")
    data.seek(0)
    return data


def test_involvement_needs_consent_and_a_resident_of_the_host(world: dict[str, Any]) -> None:
    resident = f.resident(world["host"])
    with pytest.raises(ValidationError) as caught:
        services.involvement_add(
            actor=world["organiser_user"],
            group=world["group"],
            resident=resident,
            role=Involvement.Role.MEMBER,
            started_on=timezone.localdate(),
            consent_given_on=None,
        )
    assert "consent_given_on" in caught.value.message_dict
    other_world = f.build_world("other", lsoa_code=f.EXETER, authority="E07000041")
    stranger = f.resident(other_world["host"], name="Ash Kerridge")
    with pytest.raises(ValidationError):
        services.involvement_add(
            actor=world["organiser_user"],
            group=world["group"],
            resident=stranger,
            role=Involvement.Role.MEMBER,
            started_on=timezone.localdate(),
            consent_given_on=timezone.localdate(),
        )
    assert Involvement.objects.count() == 0


def test_network_names_residents_only_inside_their_host(world: dict[str, Any]) -> None:
    resident = f.resident(world["host"], name="Wren Saltmarsh")
    Involvement.objects.create(
        group=world["group"],
        resident=resident,
        started_on=timezone.localdate(),
        consent_given_on=timezone.localdate(),
    )
    services.network_link_add(
        actor=world["organiser_user"],
        host=world["host"],
        made_on=timezone.localdate(),
        from_end=world["group"],
        to_end=world["partner"],
        description="Met the neighbourhood team",
        brokered_by=world["organiser"],
        neighbourhood=world["neighbourhood"],
    )
    inside = network_for(user=world["organiser_user"], neighbourhood=world["neighbourhood"])
    outside = network_for(user=world["officer"], neighbourhood=world["neighbourhood"])
    assert "Wren Saltmarsh" in {n.label for n in inside.nodes.values()}
    assert "Wren Saltmarsh" not in {n.label for n in outside.nodes.values()}
    assert "Resident 1" in {n.label for n in outside.nodes.values()}
    kinds = {e.kind for e in inside.edges}
    assert kinds == {"involved", "link"}
    listed = dict(
        (node.label, [other.label for _e, other in links]) for node, links in inside.neighbours()
    )
    assert listed[world["group"].name] == sorted([world["partner"].name, "Wren Saltmarsh"])


def test_network_growth_by_month(world: dict[str, Any]) -> None:
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    wren, ash = (
        f.resident(world["host"], "Wren Saltmarsh"),
        f.resident(world["host"], "Ash Kerridge"),
    )
    house = f.group(
        world,
        name="House group",
        slug="house-group",
        kind=Group.Kind.HOUSE_GROUP,
        formed_on=this_month,
    )
    Involvement.objects.create(
        group=world["group"], resident=wren, started_on=last_month, consent_given_on=last_month
    )
    # Wren's second involvement is not a first action; becoming a leader is a new leader.
    Involvement.objects.create(
        group=house,
        resident=wren,
        role=Involvement.Role.LEADER,
        started_on=this_month,
        consent_given_on=this_month,
    )
    Involvement.objects.create(
        group=house, resident=ash, started_on=this_month, consent_given_on=this_month
    )
    NetworkLink.objects.create(
        host=world["host"],
        neighbourhood=world["neighbourhood"],
        from_group=house,
        to_group=world["group"],
        made_on=this_month,
        brokered_by=world["organiser"],
    )
    NetworkLink.objects.create(
        host=world["host"],
        neighbourhood=world["neighbourhood"],
        from_group=house,
        to_organisation=world["partner"],
        made_on=this_month,
    )
    growth = {m.month: m for m in network_growth(neighbourhood=world["neighbourhood"], months=3)}
    assert growth[last_month].first_actions == 1 and growth[last_month].new_leaders == 0
    now = growth[this_month]
    assert (now.first_actions, now.new_leaders, now.house_groups, now.links_brokered) == (
        1,
        1,
        1,
        1,
    )


def test_network_page_is_a_list_without_javascript(
    world: dict[str, Any], signed_in: Callable[..., Client]
) -> None:
    client = signed_in(world["organiser_user"])
    page = client.get(f"/action/network/{world['neighbourhood'].slug}/").content.decode()
    assert 'id="network-list"' in page and world["group"].name in page
    assert 'id="network-data"' in page  # the optional drawing's data, as json_script
    assert "<script>" not in page.replace('<script id="network-data" type="application/json">', "")


# --- photos -------------------------------------------------------------------------------------


@pytest.fixture
def private_root(tmp_path: Path, settings: Any) -> Path:
    settings.ACTION_PRIVATE_ROOT = str(tmp_path / "private")
    return tmp_path / "private"


def test_photo_is_checked_kept_outside_the_web_root_and_served_only_to_the_permitted(
    world: dict[str, Any],
    private_root: Path,
    signed_in: Callable[..., Client],
    client: Client,
) -> None:
    project = f.project(world)
    data = png()
    photo = services.project_photo_add(
        actor=world["organiser_user"],
        project=project,
        name="pick.png",
        stream=data,
        size=len(data.getvalue()),
        caption="After the pick",
        alt_text="Bags on a verge",
        everyone_agreed=True,
    )
    stored = Path(photo.file.path)
    assert stored.is_file() and private_root in stored.parents
    assert not str(stored).startswith(str(settings.STATIC_ROOT))
    assert photo.content_type == "image/png"

    response = signed_in(world["organiser_user"]).get(photo.get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == data.getvalue()
    other_world = f.build_world("other", lsoa_code=f.EXETER, authority="E07000041")
    stranger = f.member(other_world, Role.ORGANISER, "host", "stranger@example.test")
    client.logout()
    assert signed_in(stranger).get(photo.get_absolute_url()).status_code == 403


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.pdf", b"%PDF-1.4", "must be"),
        ("fake.png", b"<html><script>alert(1)</script></html>", "not really"),
        ("fake.jpg", b"\x89PNG\r\n\x1a\n" + b"0" * 40, "not really"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"0" * 40, "could not be read"),
        ("empty.png", b"", "empty"),
    ],
)
def test_photos_of_the_wrong_type_are_refused(
    world: dict[str, Any], private_root: Path, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        services.project_photo_add(
            actor=world["organiser_user"],
            project=f.project(world),
            name=name,
            stream=io.BytesIO(content),
            size=len(content),
            caption="c",
            alt_text="a",
            everyone_agreed=True,
        )
    assert ProjectPhoto.objects.count() == 0
    assert not private_root.exists() or not any(private_root.rglob("*.*"))


def test_photos_that_are_too_big_or_without_agreement_are_refused(
    world: dict[str, Any], private_root: Path
) -> None:
    data = png()
    with pytest.raises(ValidationError, match="most we keep"):
        services.project_photo_add(
            actor=world["organiser_user"],
            project=f.project(world),
            name="big.png",
            stream=data,
            size=MAX_PHOTO_BYTES + 1,
            caption="c",
            alt_text="a",
            everyone_agreed=True,
        )
    with pytest.raises(ValidationError, match="agreed"):
        services.project_photo_add(
            actor=world["organiser_user"],
            project=f.project(world, slug="second", title="Second"),
            name="ok.png",
            stream=png(),
            size=100,
            caption="c",
            alt_text="a",
            everyone_agreed=False,
        )


def test_photo_upload_page_shows_the_problem(
    world: dict[str, Any], private_root: Path, signed_in: Callable[..., Client]
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    project = f.project(world)
    client = signed_in(world["organiser_user"])
    response = client.post(
        f"/action/projects/{project.slug}/photos/new/",
        {
            "photo": SimpleUploadedFile("fake.png", b"GIF89a....", content_type="image/png"),
            "caption": "c",
            "alt_text": "a",
            "everyone_agreed": "on",
        },
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    ok = client.post(
        f"/action/projects/{project.slug}/photos/new/",
        {
            "photo": SimpleUploadedFile("ok.png", png().getvalue(), content_type="image/png"),
            "caption": "After the pick",
            "alt_text": "Bags",
            "everyone_agreed": "on",
        },
    )
    assert ok.status_code == 302 and project.photos.count() == 1


def test_project_page_totals_and_guides(
    world: dict[str, Any], signed_in: Callable[..., Client]
) -> None:
    project = f.project(world)
    entry = f.toolkit_entry()
    project.toolkit_entries.add(entry)
    services.volunteer_time_add(
        actor=world["organiser_user"],
        project=project,
        worked_on=timezone.localdate(),
        volunteers=6,
        hours=12,
    )
    services.volunteer_time_add(
        actor=world["organiser_user"],
        project=project,
        worked_on=timezone.localdate(),
        volunteers=4,
        hours=7.5,
    )
    page = signed_in(world["organiser_user"]).get(project.get_absolute_url()).content.decode()
    assert "19.5" in page and entry.title in page
    guide = signed_in(world["organiser_user"]).get(entry.get_absolute_url()).content.decode()
    assert project.title in guide  # the guide links back to the project that used it
