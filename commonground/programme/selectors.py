"""Reads of the programme register, always for a given viewer."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from commonground.accounts.models import Role
from commonground.accounts.rules import organisation_ids

from .models import (
    Agreement,
    Commitment,
    Organisation,
    Organiser,
    Programme,
    SupervisionNote,
    TrainingRecord,
)


def _is_admin(user: Any) -> bool:
    return bool(organisation_ids(user, Role.ADMINISTRATOR))


def organisation_list(
    *, user: Any, kind: str | None = None, search: str = ""
) -> QuerySet[Organisation]:
    queryset = Organisation.objects.select_related("authority").annotate(
        organiser_count=Count("organisers")
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(org_id__icontains=search))
    return queryset.order_by("name")


def programme_list_visible_to(*, user: Any) -> QuerySet[Programme]:
    queryset = Programme.objects.select_related("council").prefetch_related("organisations")
    if _is_admin(user):
        return queryset
    mine = organisation_ids(user)
    return queryset.filter(Q(council_id__in=mine) | Q(organisations__in=mine)).distinct()


def organiser_list_visible_to(
    *, user: Any, host: Organisation | None = None, programme: Programme | None = None
) -> QuerySet[Organiser]:
    queryset = Organiser.objects.select_related("host", "programme", "user").prefetch_related(
        "neighbourhoods"
    )
    if not _is_admin(user):
        mine = organisation_ids(user)
        # The programmes the viewer's organisations belong to, as a subquery: joining the
        # membership table would repeat organisers and need a DISTINCT over every column.
        joined = Programme.organisations.through.objects.filter(organisation_id__in=mine)
        queryset = queryset.filter(
            Q(host_id__in=mine)
            | Q(programme__council_id__in=mine)
            | Q(programme_id__in=joined.values("programme_id"))
        )
    if host is not None:
        queryset = queryset.filter(host=host)
    if programme is not None:
        queryset = queryset.filter(programme=programme)
    return queryset.order_by("full_name")


def supervision_notes_for(*, user: Any, organiser: Organiser) -> QuerySet[SupervisionNote]:
    """Empty unless the viewer is the organiser or one of their host's managers."""
    if not user.has_perm("programme.view_supervision_of_organiser", organiser):
        return SupervisionNote.objects.none()
    return organiser.supervision_notes.select_related("author")


def training_for(*, user: Any, organiser: Organiser) -> QuerySet[TrainingRecord]:
    if not user.has_perm("programme.view_training_of_organiser", organiser):
        return TrainingRecord.objects.none()
    return organiser.training_records.all()


def agreement_list_visible_to(*, user: Any) -> QuerySet[Agreement]:
    queryset = (
        Agreement.objects.select_related("programme")
        .prefetch_related("parties")
        .annotate(commitment_count=Count("commitments", distinct=True))
    )
    if _is_admin(user):
        return queryset
    return queryset.filter(parties__in=organisation_ids(user)).distinct()


def commitments_for(*, agreement: Agreement) -> QuerySet[Commitment]:
    return agreement.commitments.select_related("party").order_by("due_on", "id")


def overdue_commitments_visible_to(*, user: Any) -> list[Commitment]:
    agreements = agreement_list_visible_to(user=user)
    candidates = Commitment.objects.filter(agreement__in=agreements).select_related(
        "party", "agreement"
    )
    return [
        commitment
        for commitment in candidates.exclude(status__in=["done"])
        if commitment.is_overdue
    ]
