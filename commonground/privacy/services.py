"""Writes to consent records and data-sharing agreements. Each is atomic, validated and audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.core.audit import audit_record
from commonground.programme.models import Organisation

from .models import Consent, DataSharingAgreement


@transaction.atomic
def consent_withdraw(*, actor: Any, consent: Consent, note: str = "") -> Consent:
    """Withdraw a consent; when none is left in force, the resident's contact details go.

    The resident's row stays (without a name or any way to reach them) so that their conversations
    still count once, as the counting rule needs.
    """
    if consent.withdrawn_at is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor if getattr(actor, "is_authenticated", False) else None
    consent.withdrawal_note = note.strip()[:255]
    consent.full_clean()
    consent.save()
    resident = consent.resident
    removed = False
    if not resident.consents.filter(withdrawn_at__isnull=True).exists():
        for name in ("full_name", "email", "phone", "address", "postcode"):
            setattr(resident, name, "")
        resident.name_key = resident.postcode_key = resident.email_key = resident.phone_key = ""
        resident.contact_removed_at = consent.withdrawn_at
        resident.save()
        removed = True
    cancelled = _cancel_follow_ups(resident, at=consent.withdrawn_at) if removed else 0
    audit_record(
        actor=actor,
        action="consent.withdraw",
        obj=consent,
        organisation_id=consent.host_id,
        changes={
            "resident": str(resident.public_id),
            "contact_details_removed": removed,
            "follow_ups_cancelled": cancelled,
        },
    )
    return consent


def _cancel_follow_ups(resident: Any, *, at: Any) -> int:
    """Open follow-ups would mean contacting someone who asked not to be; they end with the consent."""
    from commonground.listening.models import FollowUp

    return FollowUp.objects.filter(
        conversation__resident=resident, status=FollowUp.Status.OPEN
    ).update(status=FollowUp.Status.CANCELLED, done_at=at, updated_at=at)


@transaction.atomic
def data_sharing_agreement_create(
    *,
    actor: Any,
    title: str,
    provider: Organisation,
    recipients: list[Organisation],
    purpose: str,
    lawful_basis: str,
    fields_shared: list[str],
    starts_on: date,
    ends_on: date | None = None,
    signed_on: date | None = None,
    status: str = DataSharingAgreement.Status.ACTIVE,
) -> DataSharingAgreement:
    if not recipients:
        raise ValidationError({"recipients": _("Choose at least one recipient.")})
    if any(recipient.pk == provider.pk for recipient in recipients):
        raise ValidationError({"recipients": _("The provider cannot share with itself.")})
    agreement = DataSharingAgreement(
        title=title.strip(),
        provider=provider,
        purpose=purpose,
        lawful_basis=lawful_basis,
        fields_shared=list(fields_shared),
        starts_on=starts_on,
        ends_on=ends_on,
        signed_on=signed_on,
        status=status,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    agreement.full_clean()
    agreement.save()
    agreement.recipients.set(recipients)
    audit_record(
        actor=actor,
        action="data_sharing_agreement.create",
        obj=agreement,
        organisation_id=provider.pk,
        changes={
            "recipients": [r.slug for r in recipients],
            "fields_shared": list(fields_shared),
            "status": status,
        },
    )
    return agreement


@transaction.atomic
def data_sharing_agreement_end(
    *, actor: Any, agreement: DataSharingAgreement, ends_on: date | None = None
) -> DataSharingAgreement:
    if agreement.status == DataSharingAgreement.Status.ENDED:
        raise ValidationError(_("This agreement has already ended."))
    agreement.status = DataSharingAgreement.Status.ENDED
    agreement.ends_on = ends_on or timezone.localdate()
    agreement.full_clean()
    agreement.save()
    audit_record(
        actor=actor,
        action="data_sharing_agreement.end",
        obj=agreement,
        organisation_id=agreement.provider_id,
        changes={"ends_on": agreement.ends_on},
    )
    return agreement
