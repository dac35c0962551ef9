from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Every record says when it was made and last changed; audits and retention rely on it."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class PublicIdModel(TimeStampedModel):
    """Records that appear in URLs and the API carry a random id, so ids cannot be guessed in order."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One row per write, and per read of residents' personal data by someone outside the host.

    Append-only: nothing in the application updates or deletes these rows except erasure, which
    anonymises the rows that name a person, and the retention schedule, which deletes rows older than
    the audit retention period (``commonground.privacy.retention``).
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(max_length=255, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    source = models.CharField(_("from where"), max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class RateCount(models.Model):
    """How many requests one client made to one rate-limited group of pages in one time window.

    The key names the limit, a hash of the client address (never the address itself) and the window;
    rows whose window has ended are deleted as new ones arrive.
    """

    key = models.CharField(max_length=120, primary_key=True)
    expires = models.FloatField(db_index=True)
    count = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class DataVersion(models.Model):
    """One row whose number goes up after every change, so cached pages know they are stale.

    See :mod:`commonground.core.caching`.
    """

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"data version {self.version}"
