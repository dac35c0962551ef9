from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from commonground.accounts.models import Role
from commonground.core.models import AuditEvent
from commonground.insight import services, store
from commonground.insight.models import (
    AreaThemeMonth,
    ConversationInsight,
    ConversationTag,
    EmergingCluster,
    Quote,
    TaggerModel,
    Theme,
    TrainingExample,
)
from commonground.listening.models import Conversation
from commonground.privacy.models import Consent
from commonground.programme.tests.factories import OrganiserFactory

from .factories import conversation, resident_with_consent, tag, theme

pytestmark = pytest.mark.django_db
Status = ConversationTag.Status


def _statuses(made: Conversation) -> dict[str, str]:
    return dict(made.theme_tags.values_list("theme__slug", "status"))


# --- taxonomy ------------------------------------------------------------------------------------


def test_themes_have_two_levels_only(make_user: Any) -> None:
    officer = make_user()
    family = theme("people-and-community")
    made = services.theme_create(actor=officer, name="Dementia-friendly places", parent=family)
    assert made.slug == "dementia-friendly-places"
    with pytest.raises(ValidationError, match="two levels"):
        services.theme_create(actor=officer, name="Too deep", parent=made)
    with pytest.raises(ValidationError, match="cannot go inside"):
        services.theme_update(
            actor=officer,
            theme=family,
            name=family.name,
            parent=theme("fms-access"),
            description="",
            is_active=True,
        )
    with pytest.raises(ValidationError, match="already a theme"):
        services.theme_create(actor=officer, name="dementia-friendly places", parent=family)
    assert AuditEvent.objects.filter(action="theme.create", object_id=str(made.pk)).exists()


# --- tagging -------------------------------------------------------------------------------------


def test_without_a_model_conversations_wait_for_a_person() -> None:
    made = conversation()
    empty = conversation(concerns="")
    run = services.conversations_tag(conversation_ids=[made.pk, empty.pk])
    assert run.model_version == ""
    insight = ConversationInsight.objects.get(conversation=made)
    assert insight.needs_review and insight.review_reason == "no_model"
    assert not ConversationInsight.objects.get(conversation=empty).needs_review
    assert insight.counted, "an untagged conversation still counts in the totals"


def test_tagging_records_model_version_and_confidence(active_tagger: TaggerModel) -> None:
    made = conversation(
        concerns="Flytipping behind the garages again – mattress and an old fridge there for months."
    )
    run = services.conversations_tag(conversation_ids=[made.pk])
    assert run.tagged == 1
    tags = list(made.theme_tags.all())
    assert [t.theme.slug for t in tags] == ["fly-tipping"]
    assert tags[0].model_version == active_tagger.version
    assert tags[0].tagger == active_tagger
    assert 0.7 <= tags[0].confidence <= 1
    assert tags[0].status == Status.APPLIED
    assert AreaThemeMonth.objects.filter(theme__slug="fly-tipping").count() == 3
    assert AuditEvent.objects.filter(action="conversation.tag").exists()


def test_unsure_tags_go_to_the_review_queue(active_tagger: TaggerModel) -> None:
    active_tagger.review_threshold = 0.999
    active_tagger.save()
    made = conversation(concerns="Buses just don't turn up and the park is overgrown")
    services.conversations_tag(conversation_ids=[made.pk])
    insight = ConversationInsight.objects.get(conversation=made)
    assert insight.needs_review
    assert insight.review_reason == "low_confidence"
    assert set(_statuses(made).values()) == {Status.SUGGESTED}
    assert not AreaThemeMonth.objects.exists(), "suggestions are not evidence until accepted"


def test_unfamiliar_words_are_flagged(active_tagger: TaggerModel) -> None:
    made = conversation(
        concerns="E-scooters zooming along the towpath, teenagers on electric scooters"
    )
    services.conversations_tag(conversation_ids=[made.pk])
    insight = ConversationInsight.objects.get(conversation=made)
    assert insight.needs_review
    assert insight.review_reason in {"unfamiliar", "no_theme", "low_confidence"}


def test_person_decisions_survive_retagging(active_tagger: TaggerModel, make_user: Any) -> None:
    person = make_user()
    made = conversation(concerns="Flytipping by the garages and cars parked on the pavement")
    tag(made, "fly-tipping", status=Status.REJECTED, source=ConversationTag.Source.PERSON)
    tag(made, "housing", status=Status.CONFIRMED, source=ConversationTag.Source.PERSON)
    services.conversations_tag(conversation_ids=[made.pk], force=True)
    statuses = _statuses(made)
    assert statuses["fly-tipping"] == Status.REJECTED
    assert statuses["housing"] == Status.CONFIRMED
    services.review_finish(actor=person, conversation=made)
    made.theme_tags.filter(theme__slug="parking").delete()
    services.conversations_tag(conversation_ids=[made.pk], force=True)
    assert "parking" not in _statuses(made), "a reviewed conversation is not re-tagged"


def test_a_corrected_conversation_is_read_again(active_tagger: TaggerModel, make_user: Any) -> None:
    made = conversation(concerns="Flytipping behind the garages, mattresses dumped")
    services.conversations_tag(conversation_ids=[made.pk])
    services.review_finish(actor=make_user(), conversation=made)
    Conversation.objects.filter(pk=made.pk).update(
        concerns="Cars parked on the pavement, can't get the pushchair past", version=2
    )
    services.conversations_tag(conversation_ids=[made.pk])
    assert "parking" in _statuses(made)


def test_tag_after_commit_queues_the_task(
    active_tagger: TaggerModel, django_capture_on_commit_callbacks: Any
) -> None:
    made = conversation(concerns="Nothing for the teenagers to do since the youth club shut")
    with django_capture_on_commit_callbacks(execute=True):
        services.tag_after_commit([made.pk])
    assert "youth-provision" in _statuses(made)


# --- review --------------------------------------------------------------------------------------


def test_review_actions_in_one_click_each(make_user: Any) -> None:
    person = make_user()
    made = conversation()
    suggested = tag(made, "fly-tipping", status=Status.SUGGESTED, confidence=0.55)
    wrong = tag(made, "parking", status=Status.SUGGESTED, confidence=0.4)
    ConversationInsight.objects.filter(conversation=made).update(needs_review=True)
    services.tag_confirm(actor=person, tag=suggested)
    services.tag_reject(actor=person, tag=wrong)
    added = services.tag_add(
        actor=person, conversation=made, theme=theme("litter-and-street-cleaning")
    )
    assert added.source == ConversationTag.Source.PERSON and added.person == person
    assert _statuses(made) == {
        "fly-tipping": Status.CONFIRMED,
        "parking": Status.REJECTED,
        "litter-and-street-cleaning": Status.CONFIRMED,
    }
    insight = services.review_finish(actor=person, conversation=made)
    assert not insight.needs_review and insight.reviewed_by == person
    example = TrainingExample.objects.get(conversation=made)
    assert example.themes == ["fly-tipping", "litter-and-street-cleaning"]
    assert example.source == TrainingExample.Source.REVIEW
    assert AreaThemeMonth.objects.filter(theme__slug="litter-and-street-cleaning").count() == 3
    assert set(
        AuditEvent.objects.filter(action__startswith="tag.").values_list("action", flat=True)
    ) == {"tag.confirm", "tag.reject", "tag.add", "tag.review_finish"}


def test_families_with_themes_cannot_be_tags(make_user: Any) -> None:
    with pytest.raises(ValidationError, match="inside the family"):
        services.tag_add(
            actor=make_user(), conversation=conversation(), theme=theme("fms-incivilities")
        )


def test_finishing_with_no_themes_is_a_negative_example(make_user: Any) -> None:
    made = conversation(concerns="Lovely street, no complaints")
    services.review_finish(actor=make_user(), conversation=made)
    assert TrainingExample.objects.get(conversation=made).themes == []


# --- training ------------------------------------------------------------------------------------


def _seed(count: int = 150, seed: int = 3) -> None:
    from commonground.insight.demo import seed_examples

    services.training_examples_add(
        actor=None, examples=seed_examples(count, seed=seed), source=TrainingExample.Source.SEED
    )


def test_examples_are_checked_all_or_nothing() -> None:
    with pytest.raises(ValidationError) as problem:
        services.training_examples_add(
            actor=None,
            examples=[("bins", ["fly-tipping"]), ("x", ["no-such"]), ("y", ["nor-this"])],
            source=TrainingExample.Source.IMPORT,
        )
    assert len(problem.value.messages) == 2
    assert "Row 2" in problem.value.messages[0]
    assert not TrainingExample.objects.exists()


def test_first_training_activates_and_saves_the_model(model_store: Path) -> None:
    _seed()
    outcome = services.tagger_retrain(actor=None)
    assert outcome.activated
    record = outcome.record
    assert record.status == TaggerModel.Status.ACTIVE
    assert (model_store / record.directory / "model.joblib").is_file()
    assert record.holdout_size == TrainingExample.objects.filter(is_holdout=True).count() > 0
    assert record.macro_f1 is not None and record.macro_f1 > 0.5
    assert store.load(record).version == record.version


def test_retraining_keeps_the_model_in_use_unless_the_new_one_is_as_good(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    _seed()
    first = services.tagger_retrain(actor=None).record
    # Corrupt the training half: every example now claims "noise", so the new model is worse.
    TrainingExample.objects.filter(is_holdout=False).update(themes=["noise"])
    outcome = services.tagger_retrain(actor=None)
    assert not outcome.activated
    assert outcome.record.status == TaggerModel.Status.REJECTED
    assert outcome.record.compared_with == first.version
    assert outcome.record.macro_f1 < outcome.record.compared_macro_f1
    first.refresh_from_db()
    assert first.status == TaggerModel.Status.ACTIVE
    assert store.active_model() == first


def test_a_better_model_replaces_the_old_and_retags(
    django_capture_on_commit_callbacks: Any,
) -> None:
    _seed(40, seed=5)
    first = services.tagger_retrain(actor=None).record
    made = conversation(concerns="Commuters park here all day then walk to the station")
    _seed(200, seed=6)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.tagger_retrain(actor=None)
    assert outcome.activated, outcome.reason
    first.refresh_from_db()
    assert first.status == TaggerModel.Status.RETIRED
    assert ConversationInsight.objects.get(conversation=made).tagger == outcome.record


def test_too_few_examples_is_a_clear_error() -> None:
    with pytest.raises(ValidationError, match="at least 10"):
        services.tagger_retrain(actor=None)


def test_holdout_is_stable_and_about_one_in_five() -> None:
    keys = [f"example-{n}" for n in range(2000)]
    chosen = [services.is_holdout(key) for key in keys]
    assert chosen == [services.is_holdout(key) for key in keys]
    assert 0.15 < sum(chosen) / len(chosen) < 0.25


# --- emerging themes -----------------------------------------------------------------------------


def test_naming_an_emerging_group_adds_a_theme_tags_and_teaches(
    make_user: Any, django_capture_on_commit_callbacks: Any, active_tagger: TaggerModel
) -> None:
    officer = make_user()
    organiser = OrganiserFactory()
    members = [
        conversation(organiser=organiser, concerns=f"E-scooters racing on the towpath {n}")
        for n in range(6)
    ]
    cluster = EmergingCluster.objects.create(
        key_terms=["scooter", "towpath"], size=6, member_ids=[m.pk for m in members]
    )
    _seed(120, seed=9)
    with django_capture_on_commit_callbacks(execute=True):
        new = services.emerging_name(
            actor=officer, cluster=cluster, name="E-scooters", parent=theme("getting-about")
        )
    assert new.origin == Theme.Origin.EMERGING
    assert all(
        m.theme_tags.filter(theme=new, status=Status.APPLIED, source="emerging").exists()
        for m in members
    )
    examples = TrainingExample.objects.filter(source="emerging")
    assert sorted(e.conversation_id for e in examples if "e-scooters" in e.themes) == sorted(
        m.pk for m in members
    )
    assert AreaThemeMonth.objects.filter(theme=new, area_kind="authority").get().conversations == 6
    cluster.refresh_from_db()
    assert cluster.status == EmergingCluster.Status.NAMED and cluster.theme == new
    assert TaggerModel.objects.count() == 2, "naming queued a retrain"
    with pytest.raises(ValidationError):
        services.emerging_dismiss(actor=officer, cluster=cluster)


def test_emerging_refresh_finds_the_new_subject(active_tagger: TaggerModel) -> None:
    organiser = OrganiserFactory()
    for n in range(8):
        conversation(
            organiser=organiser,
            concerns=f"E-scooters zooming along the towpath, electric scooters everywhere {n}",
        )
    for n in range(8):
        conversation(organiser=organiser, concerns=f"Flytipping behind the garages again {n}")
    clusters = services.emerging_refresh(actor=None, days=3650)
    assert clusters
    assert any("scooter" in " ".join(c.key_terms) for c in clusters)
    assert all(len(c.example_ids) <= 3 for c in clusters)


# --- quotes --------------------------------------------------------------------------------------


def test_quotes_are_redacted_and_need_approval(make_user: Any) -> None:
    person = make_user()
    made = conversation(
        concerns="My neighbour Dave Rushworth said ring him on 07700 900123. "
        "Flytipping behind the garages at 14 Elm Road BA2 1AB is a disgrace."
    )
    tag(made, "fly-tipping")
    quote = services.quote_propose(actor=person, conversation=made, theme=theme("fly-tipping"))
    assert quote.status == Quote.Status.PROPOSED
    assert "Rushworth" not in quote.text and "07700" not in quote.text
    assert "BA2 1AB" not in quote.text and "14 Elm Road" not in quote.text
    with pytest.raises(ValidationError, match="personal details"):
        services.quote_approve(actor=person, quote=quote, text="Call 07700 900123 about it")
    services.quote_approve(actor=person, quote=quote, text=quote.text)
    assert quote.status == Quote.Status.APPROVED and quote.decided_by == person


def test_special_category_conversations_are_never_quoted(make_user: Any) -> None:
    made = conversation(special_category=True)
    tag(made, "fly-tipping")
    with pytest.raises(ValidationError, match="never quoted"):
        services.quote_propose(actor=make_user(), conversation=made, theme=theme("fly-tipping"))


def test_only_tagged_themes_can_be_quoted(make_user: Any) -> None:
    with pytest.raises(ValidationError, match="not tagged"):
        services.quote_propose(actor=make_user(), conversation=conversation(), theme=theme("noise"))


# --- theme to action -----------------------------------------------------------------------------


def test_only_residents_with_consent_can_be_invited(make_user: Any) -> None:
    from commonground.insight.areas import area_from

    organiser = OrganiserFactory()
    manager = make_user(Role.HOST_MANAGER, organiser.host)
    resident = resident_with_consent(organiser)
    meeting = services.meeting_create(
        actor=manager,
        host=organiser.host,
        theme=theme("fly-tipping"),
        area=area_from("lsoa", "E01014463"),
        title="Clean-up planning",
        meets_at=conversation().happened_at,
        venue="Community centre",
    )
    invitation = services.invitation_record(
        actor=manager, meeting=meeting, resident=resident, method="phone"
    )
    services.invitation_update(
        actor=manager, invitation=invitation, response="coming", attended=True
    )
    invitation.refresh_from_db()
    assert invitation.attended is True
    with pytest.raises(ValidationError, match="already been invited"):
        services.invitation_record(
            actor=manager, meeting=meeting, resident=resident, method="phone"
        )
    Consent.objects.filter(resident=resident).update(withdrawn_at=invitation.created_at)
    other = resident_with_consent(organiser, "Orla Fenwick")
    Consent.objects.filter(resident=other).update(withdrawn_at=invitation.created_at)
    with pytest.raises(ValidationError, match="no consent"):
        services.invitation_record(actor=manager, meeting=meeting, resident=other, method="phone")
    assert AuditEvent.objects.filter(action="house_meeting.attendance").exists()
