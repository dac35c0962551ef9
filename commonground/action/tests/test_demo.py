"""The demo loads every part of the action app, and loading it again changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from commonground.programme.demo import demo_load as programme_demo

from ..demo import demo_load
from ..models import (
    ActionPlan,
    Forum,
    Group,
    Idea,
    Matter,
    Meeting,
    Project,
    ProjectPhoto,
    RoutingDefault,
    RoutingRule,
    ToolkitEntry,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_root(tmp_path: Any, settings: Any) -> Any:
    settings.ACTION_PRIVATE_ROOT = str(tmp_path)
    return tmp_path


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Matter,
            RoutingRule,
            RoutingDefault,
            Group,
            Project,
            ProjectPhoto,
            Forum,
            Meeting,
            ActionPlan,
            Idea,
            ToolkitEntry,
        )
    }


def test_demo_covers_every_part_and_is_idempotent(private_root: Any) -> None:
    programme_demo()
    summary = demo_load()
    first = counts()
    assert all(first.values()), first
    assert "matters raised" in summary
    assert set(Forum.objects.values_list("name", flat=True)) == {
        "Somer Valley Cluster",
        "Keynsham Area Cluster",
        "Chew Valley Cluster",
    }
    assert Matter.objects.filter(status=Matter.Status.MERGED).exists()
    assert Matter.objects.filter(status=Matter.Status.RESOLVED).exclude(public_note="").exists()
    assert Project.objects.exclude(sustainability=Project.Sustainability.NOT_YET).exists()
    assert {i.status for i in Idea.objects.all()} >= {Idea.Status.ADOPTED, Idea.Status.REJECTED}
    demo_load()
    assert counts() == first
