from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonground.core.models import PublicIdModel

# org-id.guide identifiers: a country/list prefix, a register code and the identifier on that register,
# e.g. GB-CHC-1078551 (Charity Commission) or GB-LAE-BAS (local authorities in England).
ORG_ID_PATTERN = re.compile(r"^[A-Z]{2}-[A-Z0-9]{2,6}-[A-Za-z0-9-]+$")


def validate_org_id(value: str) -> None:
    if not ORG_ID_PATTERN.match(value):
        raise ValidationError(
            _(
                "%(value)s is not an org-id identifier. Use the form GB-CHC-1078551 (list prefix, register, number)."
            ),
            params={"value": value},
        )


class Organisation(PublicIdModel):
    class Kind(models.TextChoices):
        COUNCIL = "council", _("Council")
        HOST = "host", _("Host organisation")
        PARTNER = "partner", _("Public-service partner")
        FUNDER = "funder", _("Funder")
        COMMUNITY_GROUP = "community_group", _("Community group")
        FORUM = "forum", _("Forum")

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    org_id = models.CharField(
        _("org-id identifier"),
        max_length=60,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_org_id],
        help_text=_("From org-id.guide, e.g. GB-CHC-1078551 for a registered charity."),
    )
    authority = models.ForeignKey(
        "places.LocalAuthority",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisations",
    )
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programme:organisation_detail", kwargs={"slug": self.slug})


class Programme(PublicIdModel):
    """A programme of organising run by a council with hosts and partners (e.g. Better Together)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    council = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="programmes_led"
    )
    organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="programmes",
        help_text=_("Hosts, partners and funders taking part."),
    )
    description = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    year_starts_month = models.PositiveSmallIntegerField(
        _("programme year starts in month"),
        default=4,
        help_text=_("1–12. Figures such as residents listened to are counted per programme year."),
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year_starts_month__gte=1, year_starts_month__lte=12),
                name="programme_year_month_range",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="programme_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programme:programme_detail", kwargs={"slug": self.slug})

    def organisation_ids(self) -> set[int]:
        return {self.council_id, *self.organisations.values_list("id", flat=True)}


class Organiser(PublicIdModel):
    class Stage(models.TextChoices):
        RECRUITED = "recruited", _("Recruited")
        IN_TRAINING = "in_training", _("In training")
        PLACED = "placed", _("Placed")
        FINISHED = "finished", _("Finished")

    class Kind(models.TextChoices):
        PAID = "paid", _("Paid organiser")
        VOLUNTEER = "volunteer", _("Volunteer organiser")

    full_name = models.CharField(max_length=150)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organiser_profile",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PAID)
    supervisor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteers",
        help_text=_("For volunteer organisers: the paid organiser who supervises them."),
    )
    host = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="organisers")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="organisers")
    placement_starts_on = models.DateField(_("placement start"), null=True, blank=True)
    placement_ends_on = models.DateField(_("placement end"), null=True, blank=True)
    neighbourhoods = models.ManyToManyField(
        "places.Neighbourhood", blank=True, related_name="organisers"
    )
    listening_target = models.PositiveIntegerField(
        default=500,
        help_text=_(
            "Residents to listen to in the placement; the national programme's target was 500."
        ),
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.RECRUITED)

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(placement_ends_on__isnull=True)
                | models.Q(placement_starts_on__isnull=True)
                | models.Q(placement_ends_on__gte=models.F("placement_starts_on")),
                name="organiser_placement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("programme:organiser_detail", kwargs={"public_id": self.public_id})

    def weeks_in_post(self, on: date | None = None) -> int | None:
        if self.placement_starts_on is None:
            return None
        today = on or timezone.localdate()
        end = min(today, self.placement_ends_on) if self.placement_ends_on else today
        return max(0, (end - self.placement_starts_on).days // 7)


class SupervisionNote(PublicIdModel):
    """Private notes from supervision; only the organiser and their host's managers see them."""

    organiser = models.ForeignKey(
        Organiser, on_delete=models.CASCADE, related_name="supervision_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    met_on = models.DateField()
    notes = models.TextField()

    class Meta:
        ordering = ["-met_on", "-id"]

    def __str__(self) -> str:
        return f"Supervision {self.met_on:%d %b %Y}"


class TrainingRecord(PublicIdModel):
    """Training and accreditation, e.g. the Level 2 or 3 community organising qualification."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    organiser = models.ForeignKey(
        Organiser, on_delete=models.CASCADE, related_name="training_records"
    )
    title = models.CharField(max_length=200)
    level = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Qualification level, e.g. 2 or 3.")
    )
    provider = models.CharField(max_length=200, blank=True)
    due_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        ordering = ["due_on", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.status != self.Status.COMPLETED
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )


class Agreement(PublicIdModel):
    """A co-operation agreement between the council, a host and partners, with commitments."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        ENDED = "ended", _("Ended")

    title = models.CharField(max_length=200)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="agreements")
    parties = models.ManyToManyField(Organisation, related_name="agreements")
    purpose = models.TextField(blank=True)
    signed_on = models.DateField(null=True, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)

    class Meta:
        ordering = ["-signed_on", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("programme:agreement_detail", kwargs={"public_id": self.public_id})


class Commitment(PublicIdModel):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="commitments")
    party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="commitments")
    description = models.TextField()
    owner = models.CharField(
        max_length=150,
        help_text=_("The role or team responsible, e.g. Community Engagement Manager."),
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in {self.Status.NOT_STARTED, self.Status.IN_PROGRESS}
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )
