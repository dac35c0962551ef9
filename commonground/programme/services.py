"""Every write to the programme register. Each is atomic, validated and audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from commonground.core.audit import audit_record
from commonground.core.services import save_changes, unique_slug

from .models import (
    Agreement,
    Commitment,
    Organisation,
    Organiser,
    Programme,
    SupervisionNote,
    TrainingRecord,
)


@transaction.atomic
def organisation_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    org_id: str | None = None,
    authority: Any = None,
    website: str = "",
    description: str = "",
) -> Organisation:
    organisation = Organisation(
        name=name.strip(),
        slug=unique_slug(Organisation, name),
        kind=kind,
        org_id=org_id or None,
        authority=authority,
        website=website,
        description=description,
    )
    organisation.full_clean()
    organisation.save()
    audit_record(
        actor=actor, action="organisation.create", obj=organisation, organisation_id=organisation.pk
    )
    return organisation


@transaction.atomic
def organisation_update(
    *, actor: Any, organisation: Organisation, data: dict[str, Any]
) -> Organisation:
    if "org_id" in data:
        data["org_id"] = data["org_id"] or None
    save_changes(
        actor=actor,
        instance=organisation,
        data=data,
        action="organisation.update",
        organisation_id=organisation.pk,
    )
    return organisation


@transaction.atomic
def programme_create(
    *,
    actor: Any,
    name: str,
    council: Organisation,
    starts_on: date,
    organisations: list[Organisation] | None = None,
    description: str = "",
    ends_on: date | None = None,
    year_starts_month: int = 4,
) -> Programme:
    programme = Programme(
        name=name.strip(),
        slug=unique_slug(Programme, name),
        council=council,
        starts_on=starts_on,
        ends_on=ends_on,
        description=description,
        year_starts_month=year_starts_month,
    )
    programme.full_clean()
    programme.save()
    if organisations:
        programme.organisations.set(organisations)
    audit_record(
        actor=actor,
        action="programme.create",
        obj=programme,
        organisation_id=council.pk,
        changes={"organisations": [o.pk for o in organisations or []]},
    )
    return programme


@transaction.atomic
def organiser_create(
    *,
    actor: Any,
    full_name: str,
    host: Organisation,
    programme: Programme,
    user: Any = None,
    kind: str = Organiser.Kind.PAID,
    supervisor: Organiser | None = None,
    placement_starts_on: date | None = None,
    placement_ends_on: date | None = None,
    listening_target: int = 500,
    stage: str = Organiser.Stage.RECRUITED,
    neighbourhoods: list[Any] | None = None,
) -> Organiser:
    organiser = Organiser(
        full_name=full_name.strip(),
        host=host,
        programme=programme,
        user=user,
        kind=kind,
        supervisor=supervisor,
        placement_starts_on=placement_starts_on,
        placement_ends_on=placement_ends_on,
        listening_target=listening_target,
        stage=stage,
    )
    organiser.full_clean()
    organiser.save()
    if neighbourhoods:
        organiser.neighbourhoods.set(neighbourhoods)
    audit_record(actor=actor, action="organiser.create", obj=organiser, organisation_id=host.pk)
    return organiser


@transaction.atomic
def organiser_update(
    *,
    actor: Any,
    organiser: Organiser,
    data: dict[str, Any],
    neighbourhoods: list[Any] | None = None,
) -> Organiser:
    save_changes(
        actor=actor,
        instance=organiser,
        data=data,
        action="organiser.update",
        organisation_id=organiser.host_id,
    )
    if neighbourhoods is not None:
        before = set(organiser.neighbourhoods.values_list("pk", flat=True))
        organiser.neighbourhoods.set(neighbourhoods)
        after = {n.pk for n in neighbourhoods}
        if before != after:
            audit_record(
                actor=actor,
                action="organiser.neighbourhoods",
                obj=organiser,
                organisation_id=organiser.host_id,
                changes={"neighbourhoods": [sorted(before), sorted(after)]},
            )
    return organiser


@transaction.atomic
def supervision_note_add(
    *, actor: Any, organiser: Organiser, met_on: date, notes: str
) -> SupervisionNote:
    note = SupervisionNote(organiser=organiser, author=actor, met_on=met_on, notes=notes)
    note.full_clean()
    note.save()
    # The audit row records that a note exists, never what it says.
    audit_record(
        actor=actor, action="supervision_note.add", obj=note, organisation_id=organiser.host_id
    )
    return note


@transaction.atomic
def training_record_add(
    *,
    actor: Any,
    organiser: Organiser,
    title: str,
    level: int | None = None,
    provider: str = "",
    due_on: date | None = None,
    completed_on: date | None = None,
    status: str = TrainingRecord.Status.PLANNED,
) -> TrainingRecord:
    record = TrainingRecord(
        organiser=organiser,
        title=title,
        level=level,
        provider=provider,
        due_on=due_on,
        completed_on=completed_on,
        status=status,
    )
    record.full_clean()
    record.save()
    audit_record(
        actor=actor, action="training_record.add", obj=record, organisation_id=organiser.host_id
    )
    return record


@transaction.atomic
def training_record_update(
    *, actor: Any, record: TrainingRecord, data: dict[str, Any]
) -> TrainingRecord:
    save_changes(
        actor=actor,
        instance=record,
        data=data,
        action="training_record.update",
        organisation_id=record.organiser.host_id,
    )
    return record


@transaction.atomic
def agreement_create(
    *,
    actor: Any,
    title: str,
    programme: Programme,
    parties: list[Organisation],
    purpose: str = "",
    signed_on: date | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    status: str = Agreement.Status.DRAFT,
) -> Agreement:
    agreement = Agreement(
        title=title,
        programme=programme,
        purpose=purpose,
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
    )
    agreement.full_clean()
    agreement.save()
    agreement.parties.set(parties)
    audit_record(
        actor=actor,
        action="agreement.create",
        obj=agreement,
        organisation_id=programme.council_id,
        changes={"parties": [p.pk for p in parties]},
    )
    return agreement


@transaction.atomic
def commitment_add(
    *,
    actor: Any,
    agreement: Agreement,
    party: Organisation,
    description: str,
    owner: str,
    due_on: date | None = None,
    status: str = Commitment.Status.NOT_STARTED,
    evidence: str = "",
) -> Commitment:
    if not agreement.parties.filter(pk=party.pk).exists():
        from django.core.exceptions import ValidationError

        raise ValidationError({"party": f"{party} is not a party to this agreement."})
    commitment = Commitment(
        agreement=agreement,
        party=party,
        description=description,
        owner=owner,
        due_on=due_on,
        status=status,
        evidence=evidence,
    )
    commitment.full_clean()
    commitment.save()
    audit_record(actor=actor, action="commitment.add", obj=commitment, organisation_id=party.pk)
    return commitment


@transaction.atomic
def commitment_update(
    *, actor: Any, commitment: Commitment, status: str, evidence: str
) -> Commitment:
    save_changes(
        actor=actor,
        instance=commitment,
        data={"status": status, "evidence": evidence},
        action="commitment.update",
        organisation_id=commitment.party_id,
    )
    return commitment
