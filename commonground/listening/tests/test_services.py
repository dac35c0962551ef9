from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commonground.core.models import AuditEvent
from commonground.privacy.models import Consent
from commonground.privacy.services import consent_withdraw

from ..counting import residents_listened_to, residents_listened_to_from_scratch
from ..models import (
    ConsentTier,
    Conversation,
    ConversationVersion,
    EqualityMonitoring,
    FollowUp,
    Resident,
    Source,
)
from ..services import (
    EqualityAnswers,
    FollowUpDetails,
    ResidentDetails,
    conversation_correct,
    conversation_record,
    follow_up_complete,
    personal_data_viewed,
    possible_duplicates,
    resident_merge,
)
from .support import a_while_ago, conversation_input, record, record_identified, uuid_of


def test_anonymous_conversation_keeps_only_the_lsoa(world: dict[str, Any]) -> None:
    outcome = record(world["user"], world["organiser"])
    conversation = outcome.conversation
    assert outcome.created
    assert conversation.lsoa.code == "E01014463"
    assert conversation.ward is not None and conversation.authority.code == "E06000022"
    assert conversation.neighbourhood == world["neighbourhood"]
    assert conversation.postcode == "" and conversation.lon is None and conversation.street == ""
    assert conversation.place_precision == "postcode"
    assert conversation.counts_toward_listened
    assert conversation.versions.count() == 1
    event = AuditEvent.objects.get(action="conversation.record", object_id=str(conversation.pk))
    assert event.organisation_id == world["host"].pk
    assert "Flytipping" not in str(event.changes), "what residents said stays out of the audit"


def test_exact_place_kept_only_with_consent(world: dict[str, Any]) -> None:
    kept = record(world["user"], world["organiser"], keep_exact_location=True).conversation
    assert kept.postcode == "ZZ1 1AB" and kept.lon is not None


def test_a_retried_sync_returns_the_same_conversation(world: dict[str, Any]) -> None:
    first = record(world["user"], world["organiser"], client_id=uuid_of(7), source=Source.OFFLINE)
    again = record(world["user"], world["organiser"], client_id=uuid_of(7), source=Source.OFFLINE)
    assert first.created and not again.created
    assert again.conversation.pk == first.conversation.pk
    assert Conversation.objects.count() == 1


def test_contact_details_need_consent(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as problem:
        record(
            world["user"],
            world["organiser"],
            consent_tier=ConsentTier.IDENTIFIED,
            new_resident=ResidentDetails(full_name="Pip Fenwick"),
        )
    assert "contact_consent_given" in problem.value.message_dict
    with pytest.raises(ValidationError) as anonymous:
        record(
            world["user"],
            world["organiser"],
            new_resident=ResidentDetails(email="pip@example.test"),
        )
    assert "consent_tier" in anonymous.value.message_dict
    assert not Resident.objects.exists() and not Conversation.objects.exists()


def test_identified_conversation_records_the_consent_as_shown(world: dict[str, Any]) -> None:
    outcome = record_identified(world["user"], world["organiser"])
    consent = Consent.objects.get(resident=outcome.conversation.resident)
    assert consent.purpose == Consent.Purpose.FOLLOW_UP
    assert world["host"].name in consent.wording
    assert consent.taken_by == world["user"]
    assert consent.taken_by_name == world["organiser"].full_name
    assert consent.how_to_withdraw and consent.conversation == outcome.conversation


def test_special_category_without_explicit_consent_drops_the_name(world: dict[str, Any]) -> None:
    outcome = record_identified(
        world["user"],
        world["organiser"],
        concerns="Since her stroke she can't get to the bus stop",
    )
    conversation = outcome.conversation
    assert conversation.special_category and conversation.special_category_detected == ["health"]
    assert conversation.resident is None and conversation.consent_tier == ConsentTier.ANONYMOUS
    assert conversation.name_withheld
    assert not Resident.objects.exists()
    assert "stroke" in conversation.concerns, "the notes themselves are kept"
    assert outcome.notices


def test_special_category_with_explicit_consent_keeps_the_name(world: dict[str, Any]) -> None:
    outcome = record_identified(
        world["user"],
        world["organiser"],
        concerns="Struggling with depression since losing his job",
        special_category_consent=True,
    )
    assert outcome.conversation.resident is not None
    assert Consent.objects.get(resident=outcome.conversation.resident).explicit_special_category


def test_organiser_flag_counts_as_special_category(world: dict[str, Any]) -> None:
    outcome = record_identified(world["user"], world["organiser"], special_category_flagged=True)
    assert outcome.conversation.special_category and outcome.conversation.resident is None


def test_future_time_and_unknown_postcode_are_refused(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as future:
        record(world["user"], world["organiser"], happened_at=timezone.now() + timedelta(days=1))
    assert "happened_at" in future.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        record(world["user"], world["organiser"], postcode="ZZ9 9ZZ")
    assert "postcode" in unknown.value.message_dict
    assert not Conversation.objects.exists()


def test_offline_record_with_unknown_postcode_is_kept_for_review(world: dict[str, Any]) -> None:
    outcome = conversation_record(
        actor=world["user"],
        data=conversation_input(world["organiser"], postcode="ZZ9 9ZZ"),
        source=Source.OFFLINE,
        accept_unresolved_place=True,
    )
    assert outcome.conversation.place_needs_review and outcome.conversation.lsoa is None
    assert outcome.conversation.postcode == "ZZ9 9ZZ"


def test_shareable_needs_named_partners_in_the_programme(world: dict[str, Any]) -> None:
    from commonground.programme.tests.factories import OrganisationFactory

    base = {
        "consent_tier": ConsentTier.SHAREABLE,
        "contact_consent_given": True,
        "new_resident": ResidentDetails(full_name="Gaia Fenwick", phone="07700 900222"),
    }
    with pytest.raises(ValidationError) as none_named:
        record(world["user"], world["organiser"], **base)
    assert "shared_with" in none_named.value.message_dict
    stranger = OrganisationFactory(name="Not in the programme")
    with pytest.raises(ValidationError):
        record(world["user"], world["organiser"], shared_with=[stranger], **base)
    outcome = record(world["user"], world["organiser"], shared_with=[world["partner"]], **base)
    assert list(outcome.conversation.shared_with.all()) == [world["partner"]]
    consent = Consent.objects.get(resident=outcome.conversation.resident)
    assert consent.purpose == Consent.Purpose.REFERRAL
    assert list(consent.partners.all()) == [world["partner"]]


def test_correction_is_a_new_version_and_history_is_kept(world: dict[str, Any]) -> None:
    original = record(world["user"], world["organiser"]).conversation
    corrected = conversation_correct(
        actor=world["user"],
        conversation=original,
        data=conversation_input(
            world["organiser"], concerns="Flytipping behind the garages and broken glass"
        ),
        reason="Added what she said about glass",
    ).conversation
    assert corrected.version == 2
    assert corrected.concerns.endswith("broken glass")
    first, second = ConversationVersion.objects.filter(conversation=original).order_by("number")
    assert first.data["concerns"] == "Flytipping behind the garages"
    assert second.data["concerns"].endswith("broken glass")
    assert second.reason == "Added what she said about glass"
    with pytest.raises(ValueError):
        first.save()
    with pytest.raises(ValidationError):
        conversation_correct(
            actor=world["user"],
            conversation=corrected,
            data=conversation_input(
                world["organiser"], concerns="Flytipping behind the garages and broken glass"
            ),
            reason="No change",
        )
    with pytest.raises(ValidationError):
        conversation_correct(
            actor=world["user"],
            conversation=corrected,
            data=conversation_input(world["organiser"], concerns="Other"),
            reason=" ",
        )


def test_correction_that_reveals_health_drops_the_name(world: dict[str, Any]) -> None:
    conversation = record_identified(world["user"], world["organiser"]).conversation
    corrected = conversation_correct(
        actor=world["user"],
        conversation=conversation,
        data=conversation_input(
            world["organiser"],
            consent_tier=ConsentTier.IDENTIFIED,
            concerns="Has dementia and is lonely",
        ),
        reason="Added more detail",
    ).conversation
    assert corrected.resident is None and corrected.name_withheld
    assert corrected.versions.get(number=1).data["resident"] is not None


def test_counting_rule(world: dict[str, Any]) -> None:
    user, organiser = world["user"], world["organiser"]
    this_year = a_while_ago(days=2)
    record(user, organiser, happened_at=this_year)
    record(user, organiser, happened_at=this_year)
    first = record_identified(user, organiser, happened_at=this_year).conversation
    resident = first.resident
    again = record(
        user,
        organiser,
        consent_tier=ConsentTier.IDENTIFIED,
        resident=resident,
        happened_at=a_while_ago(days=1),
    ).conversation
    conversations = Conversation.objects.all()
    assert residents_listened_to(conversations) == 3, "two anonymous and one resident met twice"
    assert residents_listened_to_from_scratch(conversations) == 3
    assert Conversation.objects.get(pk=first.pk).counts_toward_listened
    assert not Conversation.objects.get(pk=again.pk).counts_toward_listened
    # A meeting earlier than the first one becomes the one that counts.
    earlier = record(
        user,
        organiser,
        consent_tier=ConsentTier.IDENTIFIED,
        resident=resident,
        happened_at=a_while_ago(days=3),
    ).conversation
    assert Conversation.objects.get(pk=earlier.pk).counts_toward_listened
    assert not Conversation.objects.get(pk=first.pk).counts_toward_listened
    assert residents_listened_to(Conversation.objects.all()) == 3


def test_a_resident_counts_again_in_the_next_programme_year(world: dict[str, Any]) -> None:
    user, organiser = world["user"], world["organiser"]
    resident = record_identified(
        user, organiser, happened_at=timezone.make_aware(datetime(2025, 5, 1, 10))
    ).conversation.resident
    record(
        user,
        organiser,
        consent_tier=ConsentTier.IDENTIFIED,
        resident=resident,
        happened_at=timezone.make_aware(datetime(2026, 4, 2, 10)),
    )
    record(
        user,
        organiser,
        consent_tier=ConsentTier.IDENTIFIED,
        resident=resident,
        happened_at=timezone.make_aware(datetime(2026, 3, 30, 10)),
    )
    assert sorted(Conversation.objects.values_list("programme_year", flat=True)) == [
        2025,
        2025,
        2026,
    ]
    assert residents_listened_to(Conversation.objects.all()) == 2


def test_same_email_is_the_same_resident_and_same_name_and_postcode_is_flagged(
    world: dict[str, Any],
) -> None:
    first = record_identified(world["user"], world["organiser"], email="a@example.test")
    again = record_identified(world["user"], world["organiser"], email="A@Example.test ")
    assert again.conversation.resident == first.conversation.resident
    assert Resident.objects.count() == 1
    lookalike = record_identified(
        world["user"], world["organiser"], name="wren  saltmarsh", email="other@example.test"
    )
    assert lookalike.possible_duplicates == [first.conversation.resident]
    assert possible_duplicates(first.conversation.resident) == [lookalike.conversation.resident]


def test_merge_moves_every_conversation_and_consent(world: dict[str, Any]) -> None:
    user, organiser = world["user"], world["organiser"]
    keep = record_identified(user, organiser, email="keep@example.test").conversation.resident
    merge_outcome = record_identified(
        user, organiser, name="Wren Saltmarsh", email="", happened_at=a_while_ago(days=3)
    )
    merge = merge_outcome.conversation.resident
    merge.phone = "07700 900999"
    merge.save()
    assert residents_listened_to(Conversation.objects.all()) == 2
    resident_merge(actor=user, keep=keep, merge=merge)
    keep.refresh_from_db()
    merge.refresh_from_db()
    assert keep.conversations.count() == 2 and keep.consents.count() == 2
    assert keep.phone == "07700 900999", "blank fields are filled from the merged record"
    assert merge.merged_into == keep and merge.full_name == "" and merge.phone == ""
    assert residents_listened_to(Conversation.objects.all()) == 1
    assert AuditEvent.objects.filter(action="resident.merge").count() == 1


def test_withdrawing_the_last_consent_removes_contact_details(world: dict[str, Any]) -> None:
    conversation = record_identified(world["user"], world["organiser"]).conversation
    consent = Consent.objects.get(resident=conversation.resident)
    consent_withdraw(actor=world["user"], consent=consent, note="Asked on the phone")
    resident = Resident.objects.get(pk=conversation.resident_id)
    assert resident.full_name == "" and resident.email == "" and resident.contact_removed_at
    assert Conversation.objects.get(pk=conversation.pk).counts_toward_listened


def test_equality_answers_are_stored_apart(world: dict[str, Any]) -> None:
    conversation = record_identified(
        world["user"],
        world["organiser"],
        equality=EqualityAnswers(age_band="35_49", disability="no"),
        happened_at=timezone.make_aware(datetime(2026, 2, 17, 15)),
    ).conversation
    answers = EqualityMonitoring.objects.get()
    assert answers.month == date(2026, 2, 1)
    assert answers.age_band == "35_49" and answers.lsoa_id == conversation.lsoa_id
    field_names = {f.name for f in EqualityMonitoring._meta.get_fields()}
    assert not field_names & {"resident", "conversation", "created_at"}


def test_follow_ups_are_assigned_and_closed(world: dict[str, Any]) -> None:
    conversation = record(
        world["user"],
        world["organiser"],
        follow_ups=[FollowUpDetails("Invite to the litter pick", date(2026, 12, 1))],
    ).conversation
    follow_up = FollowUp.objects.get(conversation=conversation)
    assert follow_up.assigned_to == world["organiser"]
    follow_up_complete(actor=world["user"], follow_up=follow_up)
    assert FollowUp.objects.get().status == FollowUp.Status.DONE
    with pytest.raises(ValidationError):
        follow_up_complete(actor=world["user"], follow_up=follow_up)


def test_personal_data_views_are_audited_per_record(world: dict[str, Any]) -> None:
    conversation = record_identified(world["user"], world["organiser"]).conversation
    personal_data_viewed(
        actor=world["user"],
        records=[conversation, conversation.resident],
        fields=frozenset({"name"}),
    )
    events = AuditEvent.objects.filter(action="personal_data.view")
    assert events.count() == 2
    assert {e.object_type for e in events} == {"listening.conversation", "listening.resident"}
    assert all(e.organisation_id == world["host"].pk for e in events)
