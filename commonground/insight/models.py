"""Themes, the tags that put conversations under them, and the evidence counted from those tags.

Public surface for other apps (stable; add, do not rename):

* :class:`Theme` - the editable two-level taxonomy (a family, or a theme within one).
* :class:`ConversationTag` - one theme on one conversation, with where it came from (a tagger
  version or a person) and a confidence. Only ``applied`` and ``confirmed`` tags count as evidence.
* :class:`AreaThemeMonth` and :class:`AreaMonth` - precomputed counts per area and month, kept
  current by :mod:`commonground.insight.aggregates`; read them through ``selectors``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from commonground.core.models import PublicIdModel, TimeStampedModel


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
    source_codes = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("FixMyStreet meta-category codes this theme stands for, e.g. SHEF-B28."),
    )

    class Meta:
        ordering = ["parent__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="theme_not_its_own_parent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.parent.name}: {self.name}" if self.parent_id else self.name

    @property
    def is_family(self) -> bool:
        return self.parent_id is None


class TaggerModel(PublicIdModel):
    """One trained version of the tagger: where its files are and how it scored when it was made.

    At most one is active. A retrained model that scored worse than the active one on the held-back
    confirmed examples is kept here as rejected, so anyone can see why the tags did not change.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("In use")
        RETIRED = "retired", _("Replaced by a later version")
        REJECTED = "rejected", _("Not used: scored worse than the version in use")

    version = models.CharField(max_length=80, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    directory = models.CharField(
        max_length=255, help_text=_("Folder holding the model files, under the model store.")
    )
    training_size = models.PositiveIntegerField(default=0)
    holdout_size = models.PositiveIntegerField(default=0)
    themes = models.JSONField(default=list, blank=True)
    macro_f1 = models.FloatField(null=True, blank=True)
    micro_f1 = models.FloatField(null=True, blank=True)
    compared_with = models.CharField(max_length=80, blank=True)
    compared_macro_f1 = models.FloatField(null=True, blank=True)
    compared_micro_f1 = models.FloatField(null=True, blank=True)
    decision = models.TextField(blank=True)
    review_threshold = models.FloatField(
        default=0.7, help_text=_("Tags below this confidence go to the review queue.")
    )
    metadata = models.JSONField(default=dict, blank=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="active"),
                name="taggermodel_one_active",
            )
        ]

    def __str__(self) -> str:
        return self.version


class ConversationTag(TimeStampedModel):
    """A theme on a conversation. Provenance: ``source`` says who first put it there, ``tagger`` and
    ``model_version`` which model (if any), ``person`` who last decided on it."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested – waiting for a person")
        APPLIED = "applied", _("Applied automatically")
        CONFIRMED = "confirmed", _("Confirmed by a person")
        REJECTED = "rejected", _("Rejected by a person")

    class Source(models.TextChoices):
        MODEL = "model", _("The tagger")
        PERSON = "person", _("A person")
        EMERGING = "emerging", _("An emerging theme named by an officer")

    COUNTED = (Status.APPLIED, Status.CONFIRMED)

    conversation = models.ForeignKey(
        "listening.Conversation", on_delete=models.CASCADE, related_name="theme_tags"
    )
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="tags")
    status = models.CharField(max_length=10, choices=Status.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    confidence = models.FloatField(null=True, blank=True)
    tagger = models.ForeignKey(
        TaggerModel, null=True, blank=True, on_delete=models.PROTECT, related_name="tags"
    )
    model_version = models.CharField(max_length=80, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["conversation", "-confidence", "theme__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "theme"], name="conversationtag_one_per_theme"
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__isnull=True)
                | models.Q(confidence__gte=0, confidence__lte=1),
                name="conversationtag_confidence_range",
            ),
        ]
        indexes = [models.Index(fields=["theme", "status"])]

    def __str__(self) -> str:
        return f"{self.theme} ({self.get_status_display()})"

    @property
    def is_counted(self) -> bool:
        return self.status in self.COUNTED

    @property
    def is_decided_by_person(self) -> bool:
        return self.status in (self.Status.CONFIRMED, self.Status.REJECTED)


class ConversationInsight(models.Model):
    """Tagging and review state of one conversation, and exactly what the aggregates count for it.

    The ``counted_*`` columns are the place, month, host and ladder step under which the conversation
    is currently counted, so that a correction (new place, new date) can be taken off the old cells
    and added to the new ones without recounting anything else.
    """

    class ReviewReason(models.TextChoices):
        NO_MODEL = "no_model", _("No tagger has been trained yet")
        LOW_CONFIDENCE = "low_confidence", _("The tagger was not sure")
        NO_THEME = "no_theme", _("No theme fitted")
        UNFAMILIAR = "unfamiliar", _("Mostly words the tagger has not seen")

    conversation = models.OneToOneField(
        "listening.Conversation",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="insight",
    )
    tagged_version = models.PositiveIntegerField(
        default=0, help_text=_("The conversation's version the tagger last read; 0 if never.")
    )
    tagger = models.ForeignKey(
        TaggerModel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    needs_review = models.BooleanField(default=False)
    review_reason = models.CharField(max_length=20, choices=ReviewReason.choices, blank=True)
    lowest_confidence = models.FloatField(null=True, blank=True)
    reviewed_version = models.PositiveIntegerField(default=0)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    counted = models.BooleanField(default=False)
    counted_month = models.DateField(null=True, blank=True)
    counted_host_id = models.BigIntegerField(null=True, blank=True)
    counted_authority_id = models.BigIntegerField(null=True, blank=True)
    counted_ward_id = models.BigIntegerField(null=True, blank=True)
    counted_lsoa_id = models.BigIntegerField(null=True, blank=True)
    counted_ladder = models.CharField(max_length=15, blank=True)
    counted_themes = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["needs_review", "lowest_confidence"],
                name="insight_review_queue",
                condition=models.Q(needs_review=True),
            )
        ]

    def __str__(self) -> str:
        return f"Insight for conversation {self.conversation_id}"


class TrainingExample(TimeStampedModel):
    """A text with the themes a person confirmed for it: what the tagger learns from.

    Examples from reviewed conversations read the conversation's current text when training (so an
    erased conversation takes its example with it); seed and imported examples carry their own text.
    About one in five is held back, chosen by a hash so it never changes, to judge retrained models.
    """

    class Source(models.TextChoices):
        REVIEW = "review", _("A reviewed conversation")
        EMERGING = "emerging", _("An emerging theme named by an officer")
        SEED = "seed", _("Seed examples")
        IMPORT = "import", _("Imported labelled file")

    conversation = models.OneToOneField(
        "listening.Conversation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    text = models.TextField(blank=True)
    themes = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    is_holdout = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Example {self.pk}: {', '.join(self.themes) or '–'}"


class EmergingCluster(PublicIdModel):
    """A group of recent conversations the taxonomy does not cover well, waiting for an officer."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a decision")
        NAMED = "named", _("Named and added as a theme")
        DISMISSED = "dismissed", _("Dismissed")

    key_terms = models.JSONField(default=list)
    size = models.PositiveIntegerField()
    cohesion = models.FloatField(default=0.0)
    member_ids = models.JSONField(default=list, help_text=_("Conversation ids in the group."))
    example_ids = models.JSONField(default=list)
    window_days = models.PositiveIntegerField(default=90)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="emerging_clusters"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "-size", "-created_at"]

    def __str__(self) -> str:
        return ", ".join(self.key_terms[:4]) or str(_("Emerging group"))

    def get_absolute_url(self) -> str:
        return reverse("insight:emerging_detail", kwargs={"public_id": self.public_id})


class AreaKind(models.TextChoices):
    AUTHORITY = "authority", _("Local authority")
    WARD = "ward", _("Ward")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")
    LSOA = "lsoa", _("LSOA")


# Aggregates are kept for these three; a neighbourhood is the sum of its LSOAs, so a neighbourhood
# that is redrawn needs no recount.
COUNTED_AREA_KINDS = (AreaKind.AUTHORITY, AreaKind.WARD, AreaKind.LSOA)


class AreaThemeMonth(models.Model):
    """Conversations in an area and month with a counted tag of a theme, by ladder step."""

    area_kind = models.CharField(max_length=13, choices=AreaKind.choices)
    area_id = models.BigIntegerField()
    month = models.DateField()
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+")
    ladder = models.CharField(max_length=15)
    conversations = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area_kind", "area_id", "month", "theme", "ladder"],
                name="areathememonth_unique_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_kind} {self.area_id} {self.month:%Y-%m} theme {self.theme_id}: {self.conversations}"


class AreaMonth(models.Model):
    """All conversations in an area and month, by host and ladder step: the denominators.

    The host is kept so that a page can tell whether every conversation behind a figure is held by
    the viewer's own organisation (and small numbers may then be shown).
    """

    area_kind = models.CharField(max_length=13, choices=AreaKind.choices)
    area_id = models.BigIntegerField()
    month = models.DateField()
    host_id = models.BigIntegerField()
    ladder = models.CharField(max_length=15)
    conversations = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area_kind", "area_id", "month", "host_id", "ladder"],
                name="areamonth_unique_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_kind} {self.area_id} {self.month:%Y-%m}: {self.conversations}"


class Quote(PublicIdModel):
    """A short excerpt of what a resident said, with personal details removed, for publication.

    ``text`` starts as the automatic redaction and may be edited by the person who approves it;
    nothing is shown outside the host until ``status`` is approved.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for approval")
        APPROVED = "approved", _("Approved for publication")
        REJECTED = "rejected", _("Not to be published")

    conversation = models.ForeignKey(
        "listening.Conversation", on_delete=models.CASCADE, related_name="quotes"
    )
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="quotes")
    text = models.TextField()
    removed_details = models.PositiveIntegerField(
        default=0, help_text=_("How many personal details the automatic check removed.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "theme"], name="quote_one_per_theme")
        ]
        indexes = [models.Index(fields=["theme", "status"])]

    def __str__(self) -> str:
        return self.text[:80]


class HouseMeeting(PublicIdModel):
    """A meeting a host calls for residents who raised a theme in an area: from theme to action."""

    host = models.ForeignKey(
        "programme.Organisation", on_delete=models.PROTECT, related_name="house_meetings"
    )
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="house_meetings")
    area_kind = models.CharField(max_length=13, choices=AreaKind.choices)
    area_code = models.CharField(max_length=120)
    area_name = models.CharField(max_length=150)
    title = models.CharField(max_length=200)
    meets_at = models.DateTimeField()
    venue = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-meets_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("insight:meeting_detail", kwargs={"public_id": self.public_id})


class Invitation(TimeStampedModel):
    """A resident invited to a house meeting, their answer and whether they came."""

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("By phone")
        EMAIL = "email", _("By e-mail")
        LETTER = "letter", _("By letter")

    class Response(models.TextChoices):
        NO_REPLY = "no_reply", _("No reply yet")
        COMING = "coming", _("Coming")
        NOT_COMING = "not_coming", _("Not coming")

    meeting = models.ForeignKey(HouseMeeting, on_delete=models.CASCADE, related_name="invitations")
    resident = models.ForeignKey(
        "listening.Resident", on_delete=models.CASCADE, related_name="meeting_invitations"
    )
    method = models.CharField(max_length=10, choices=Method.choices)
    response = models.CharField(max_length=10, choices=Response.choices, default=Response.NO_REPLY)
    attended = models.BooleanField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "resident"], name="invitation_once_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"Invitation {self.pk}"
