from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.core.models import TimeStampedModel


class Theme(TimeStampedModel):
    """One theme in the editable two-level taxonomy: a family (no parent) or a theme within one.

    Other apps refer to themes by this model (projects grew from themes, matters have a theme, funds
    have themes); ``slug`` is the stable code used in exports and the API.
    """

    class Origin(models.TextChoices):
        FIXMYSTREET = "fixmystreet", _("FixMyStreet category family")
        COMMUNITY = "community", _("Community theme")
        EMERGING = "emerging", _("Emerging theme named by an officer")
        LOCAL = "local", _("Added locally")

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.LOCAL)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["parent__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="theme_not_its_own_parent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.parent.name}: {self.name}" if self.parent_id else self.name
