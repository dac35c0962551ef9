from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonground.core.models import PublicIdModel, TimeStampedModel


class AuthorityAdjacency(TimeStampedModel):
    """Which of an authority's LSOAs are neighbours, worked out once from their boundaries.

    Comparing every pair of boundaries is the slowest step in planning, and boundaries change only
    when the open data are reloaded, so the result is kept here and reused while the authority's
    LSOAs are unchanged (same count, same latest `updated_at`) and the rule is the same.
    """

    authority = models.OneToOneField(
        "places.LocalAuthority", on_delete=models.CASCADE, related_name="lsoa_adjacency"
    )
    neighbours = models.JSONField(
        default=dict, help_text=_("LSOA code -> sorted list of neighbouring LSOA codes.")
    )
    lsoa_count = models.PositiveIntegerField()
    source_updated_at = models.DateTimeField(
        help_text=_("The latest change to any of the authority's LSOAs when this was worked out.")
    )
    tolerance_m = models.FloatField()
    min_contact_m = models.FloatField()

    class Meta:
        verbose_name = _("LSOA adjacency of an authority")
        verbose_name_plural = _("LSOA adjacency of authorities")

    def __str__(self) -> str:
        return f"Adjacency of {self.authority}"


class Scenario(PublicIdModel):
    """One run of the planner: what was asked, how far it got and what it proposed.

    Every run is kept so that its result can be shown, saved and accepted without solving again.
    A run stays private to the person who started it until it is saved with a name; saved
    scenarios are shared with the planners of the authority.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    class Stage(models.TextChoices):
        WAITING = "waiting", _("Waiting for the background worker")
        PREPARING = "preparing", _("Working out need and the possible patches")
        SOLVING = "solving", _("Choosing the best set of patches")
        EXPLAINING = "explaining", _("Comparing with the spreadsheet method and explaining")
        DONE = "done", _("Done")

    authority = models.ForeignKey(
        "places.LocalAuthority", on_delete=models.PROTECT, related_name="priority_scenarios"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="priority_scenarios",
    )
    parameters = models.JSONField(help_text=_("What the planner was asked, as PlanParameters."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.WAITING)
    progress_note = models.CharField(max_length=300, blank=True)
    runs_in_background = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    results = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    name = models.CharField(_("name"), max_length=120, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["authority", "saved_at"]),
            models.Index(fields=["created_by", "saved_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(saved_at__isnull=True) | ~models.Q(name=""),
                name="priority_scenario_saved_has_name",
            ),
            models.CheckConstraint(
                condition=models.Q(saved_at__isnull=True) | models.Q(status="finished"),
                name="priority_scenario_saved_is_finished",
            ),
        ]

    def __str__(self) -> str:
        if self.name:
            return self.name
        made = timezone.localtime(self.created_at) if self.created_at else None
        return f"Plan for {self.authority}" + (f" ({made:%d %b %Y %H:%M})" if made else "")

    def get_absolute_url(self) -> str:
        return reverse("priorities:scenario_detail", kwargs={"public_id": self.public_id})

    @property
    def is_saved(self) -> bool:
        return self.saved_at is not None

    @property
    def is_finished(self) -> bool:
        return self.status == self.Status.FINISHED

    @property
    def is_pending(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}


class AcceptedPatch(TimeStampedModel):
    """A proposed patch turned into a neighbourhood, ready for an organiser's placement."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="accepted_patches"
    )
    patch_number = models.PositiveSmallIntegerField(
        help_text=_("The patch's number in the scenario, from 1.")
    )
    neighbourhood = models.ForeignKey(
        "places.Neighbourhood",
        null=True,
        on_delete=models.SET_NULL,
        related_name="accepted_from",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["scenario", "patch_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "patch_number"], name="priority_patch_accepted_once"
            ),
            models.CheckConstraint(
                condition=models.Q(patch_number__gte=1), name="priority_patch_number_from_one"
            ),
        ]

    def __str__(self) -> str:
        return f"Patch {self.patch_number} of {self.scenario}"
