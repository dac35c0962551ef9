from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from commonground.accounts.models import Role
from commonground.insight import selectors
from commonground.insight.areas import Period, area_from
from commonground.insight.models import ConversationInsight, ConversationTag
from commonground.listening.models import Ladder
from commonground.places.models import Neighbourhood
from commonground.privacy.models import Consent
from commonground.programme.tests.factories import OrganisationFactory, OrganiserFactory

from .factories import WHITEWAY, at, conversation, resident_with_consent, tag

pytestmark = pytest.mark.django_db
PERIOD = Period(date(2026, 7, 1), date(2026, 9, 1))  # previous: April-June


@pytest.fixture
def whiteway() -> Any:
    neighbourhood = Neighbourhood.objects.create(
        name="Whiteway test", slug="whiteway-test", authority_id=_authority_id()
    )
    neighbourhood.lsoas.set(_lsoas())
    return neighbourhood


def _authority_id() -> int:
    from commonground.places.models import LocalAuthority

    return LocalAuthority.objects.get(code="E06000022").pk


def _lsoas() -> list[Any]:
    from commonground.places.models import Lsoa

    return list(Lsoa.objects.filter(code__in=WHITEWAY))


def _world(organiser: Any) -> None:
    """Whiteway: 10 conversations this period (6 fly-tipping, 2 parking), 5 before (1 fly-tipping).
    Elsewhere in the authority: 40 conversations, 4 fly-tipping."""
    for index in range(10):
        made = conversation(
            organiser=organiser,
            lsoa=WHITEWAY[index % 2],
            happened_at=at(2026, 7 + index % 3),
            ladder=Ladder.VOLUNTEERING if index < 3 else Ladder.LISTENED,
        )
        if index < 6:
            tag(made, "fly-tipping")
        if index in (6, 7):
            tag(made, "parking")
    for index in range(5):
        made = conversation(organiser=organiser, happened_at=at(2026, 5))
        if index == 0:
            tag(made, "fly-tipping")
    for index in range(40):
        made = conversation(organiser=organiser, lsoa="E01014390", happened_at=at(2026, 8))
        if index < 4:
            tag(made, "fly-tipping")


def test_counts_shares_change_and_authority_for_the_host(make_user: Any, whiteway: Any) -> None:
    organiser = OrganiserFactory()
    _world(organiser)
    manager = make_user(Role.HOST_MANAGER, organiser.host)
    evidence = selectors.area_evidence(
        user=manager, area=area_from("neighbourhood", whiteway.slug), period=PERIOD
    )
    assert not evidence.suppress
    assert (evidence.total, evidence.previous_total, evidence.authority_total) == (10, 5, 50)
    rows = {row.theme.slug: row for row in evidence.rows}
    fly = rows["fly-tipping"]
    assert (fly.count, fly.share, fly.previous_count) == (6, 0.6, 1)
    assert fly.change_points == pytest.approx(40.0)
    assert fly.authority_share == pytest.approx(10 / 50)
    assert fly.lift_shown == pytest.approx(3.0)
    assert fly.over_represented, "6 in 10 here against 4 in 40 elsewhere"
    assert rows["parking"].count_display == "2", "the host sees its own small numbers"
    ladder = {key: count for key, _label, count in evidence.ladder}
    assert ladder == {
        "listened": 7,
        "interested": 0,
        "attended": 0,
        "volunteering": 3,
        "leading": 0,
    }


def test_small_numbers_are_suppressed_outside_the_host(make_user: Any, whiteway: Any) -> None:
    organiser = OrganiserFactory()
    _world(organiser)
    officer = make_user(Role.COUNCIL_OFFICER, OrganisationFactory(kind="council"))
    for viewer in (officer, AnonymousUser()):
        evidence = selectors.area_evidence(
            user=viewer, area=area_from("neighbourhood", whiteway.slug), period=PERIOD
        )
        assert evidence.suppress
        rows = {row.theme.slug: row for row in evidence.rows}
        assert rows["fly-tipping"].count_display == "6"
        assert rows["parking"].count_display == "fewer than 5"
        assert rows["parking"].count_shown is None and rows["parking"].share_shown is None
        assert rows["parking"].lift_shown is None
        assert rows["fly-tipping"].previous_display == "fewer than 5"
        assert rows["fly-tipping"].change_points is None
        ladder = {row["key"]: row["display"] for row in evidence.ladder_rows}
        assert ladder["volunteering"] == "fewer than 5"
        assert ladder["interested"] == "0"


def test_a_member_of_one_host_sees_suppressed_figures_when_another_host_contributes(
    make_user: Any, whiteway: Any
) -> None:
    ours, theirs = OrganiserFactory(), OrganiserFactory()
    conversation(organiser=ours, happened_at=at(2026, 8))
    tag(conversation(organiser=theirs, happened_at=at(2026, 8)), "graffiti")
    manager = make_user(Role.HOST_MANAGER, ours.host)
    evidence = selectors.area_evidence(
        user=manager, area=area_from("neighbourhood", whiteway.slug), period=PERIOD
    )
    assert evidence.suppress
    assert evidence.total_display == "fewer than 5"


def test_organiser_filter_counts_live_and_agrees_with_the_cells(make_user: Any) -> None:
    one, two = OrganiserFactory(), OrganiserFactory()
    _world(one)
    tag(conversation(organiser=two, happened_at=at(2026, 8)), "graffiti")
    area = area_from("authority", "E06000022")
    manager = make_user(Role.HOST_MANAGER, one.host)
    only_one = selectors.area_evidence(user=manager, area=area, period=PERIOD, organiser=one)
    assert only_one.total == 50
    assert "graffiti" not in {row.theme.slug for row in only_one.rows}
    everyone = selectors.area_evidence(user=manager, area=area, period=PERIOD)
    assert everyone.total == 51
    assert {row.theme.slug: row.count for row in everyone.rows} == {
        "fly-tipping": 10,
        "parking": 2,
        "graffiti": 1,
    }
    # The live count for one organiser equals the precomputed cells when they are the only one.
    ConversationTag.objects.filter(conversation__organiser=two).delete()
    from commonground.insight import aggregates

    aggregates.refresh(ConversationInsight.objects.values_list("conversation_id", flat=True))
    alone = selectors.area_evidence(
        user=manager, area=area_from("ward", _ward_code()), period=PERIOD, organiser=one
    )
    cells = selectors.area_evidence(
        user=manager, area=area_from("ward", _ward_code()), period=PERIOD
    )
    assert {r.theme.slug: r.count for r in alone.rows} == {
        r.theme.slug: r.count for r in cells.rows if r.count
    }


def _ward_code() -> str:
    from commonground.places.models import Lsoa

    return Lsoa.objects.get(code=WHITEWAY[0]).ward.code


def test_theme_filter_keeps_a_family_together(make_user: Any, whiteway: Any) -> None:
    organiser = OrganiserFactory()
    _world(organiser)
    from commonground.insight.models import Theme

    evidence = selectors.area_evidence(
        user=make_user(Role.HOST_MANAGER, organiser.host),
        area=area_from("neighbourhood", whiteway.slug),
        period=PERIOD,
        theme=Theme.objects.get(slug="fms-environmental-health"),
    )
    assert [row.theme.slug for row in evidence.rows] == ["fly-tipping"]


def test_who_said_it_by_ladder_with_lift(make_user: Any) -> None:
    organiser = OrganiserFactory()
    for index in range(30):
        made = conversation(
            organiser=organiser,
            happened_at=at(2026, 8),
            ladder=Ladder.VOLUNTEERING if index < 10 else Ladder.LISTENED,
        )
        if index < 9 or index in (10, 11):
            tag(made, "youth-provision")
    evidence = selectors.area_evidence(
        user=make_user(Role.HOST_MANAGER, organiser.host),
        area=area_from("lsoa", WHITEWAY[0]),
        period=PERIOD,
    )
    table = evidence.who_said_it[0]
    cell = table.cells[("volunteering", evidence.rows[0].theme.pk)]
    assert cell.count == 9 and cell.group_size == 10
    assert cell.lift_shown == pytest.approx(round((9 / 10) / (11 / 30), 2))
    assert cell.significant
    low = table.cells[("listened", evidence.rows[0].theme.pk)]
    assert low.count == 2 and low.lift_shown < 1
    assert not evidence.equality_linked


def test_equality_cross_tab_when_answers_can_be_linked(
    make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    organiser = OrganiserFactory()
    made = []
    for index in range(24):
        c = conversation(organiser=organiser, happened_at=at(2026, 8))
        if index < 8:
            tag(c, "loneliness-and-isolation")
        made.append(c)
    answers = {
        c.pk: {
            "age_band": "65_79" if i < 12 else "25_34",
            "ethnic_group": "",
            "disability": "",
            "sex": "",
            "carer": "",
        }
        for i, c in enumerate(made)
    }
    monkeypatch.setattr(
        selectors,
        "equality_answers",
        lambda ids: (
            {pk: v for pk, v in answers.items() if pk in set(ids)} if ids is not None else {}
        ),
    )
    officer = make_user(Role.COUNCIL_OFFICER, OrganisationFactory(kind="council"))
    evidence = selectors.area_evidence(
        user=officer, area=area_from("lsoa", WHITEWAY[0]), period=PERIOD
    )
    assert evidence.equality_linked
    ages = next(t for t in evidence.who_said_it if t.question == "age_band")
    theme_pk = evidence.rows[0].theme.pk
    older = ages.cells[("65_79", theme_pk)]
    assert older.count == 8 and older.group_size == 12
    assert older.lift_shown == pytest.approx(2.0)
    younger = ages.cells[("25_34", theme_pk)]
    assert younger.count == 0 and younger.count_display == "0"


def test_review_queue_follows_listening_rule(make_user: Any) -> None:
    organiser = OrganiserFactory()
    organiser_user = make_user(Role.ORGANISER, organiser.host)
    organiser.user = organiser_user
    organiser.save()
    colleague = OrganiserFactory(host=organiser.host, programme=organiser.programme)
    mine = conversation(organiser=organiser)
    theirs = conversation(organiser=colleague)
    ConversationInsight.objects.filter(conversation__in=[mine, theirs]).update(needs_review=True)
    manager = make_user(Role.HOST_MANAGER, organiser.host)
    outsider = make_user(Role.HOST_MANAGER, OrganisationFactory())
    assert [i.conversation for i in selectors.review_queue(user=organiser_user)] == [mine]
    assert {i.conversation for i in selectors.review_queue(user=manager)} == {mine, theirs}
    assert selectors.review_queue_size(user=outsider) == 0


def test_residents_to_invite_need_consent_and_the_theme(make_user: Any) -> None:
    organiser = OrganiserFactory()
    manager = make_user(Role.HOST_MANAGER, organiser.host)
    willing = resident_with_consent(organiser, "Wren Saltmarsh")
    withdrawn = resident_with_consent(organiser, "Tobin Yardley-Osei")
    Consent.objects.filter(resident=withdrawn).update(withdrawn_at=at(2026, 10))
    other_theme = resident_with_consent(organiser, "Noor Fenwick")
    for resident, slug in (
        (willing, "fly-tipping"),
        (withdrawn, "fly-tipping"),
        (other_theme, "parking"),
    ):
        tag(conversation(organiser=organiser, resident=resident), slug)
    from commonground.insight.models import Theme

    rows = selectors.residents_to_invite(
        user=manager,
        host=organiser.host,
        area=area_from("lsoa", WHITEWAY[0]),
        theme=Theme.objects.get(slug="fly-tipping"),
    )
    assert [row.resident for row in rows] == [willing]
