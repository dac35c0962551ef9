"""What happens after listening: matters for public services, groups, projects, forums, ideas.

Public surface for other apps (stable; add, do not rename):

* :class:`Matter`: something a public service must act on, raised from conversations (``conversations``)
  or reported through Open311, routed to a partner (``routed_to``) by :class:`RoutingRule`.
* :class:`Group`, :class:`Project`, :class:`Forum`, :class:`Idea`, :class:`ToolkitEntry`.

Every record that names people is held by an organisation (``host``, ``council``) and read through
``selectors.py`` for a given viewer.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonground.core.models import PublicIdModel, TimeStampedModel

# --- matters ("one conversation") ----------------------------------------------------------------


class MatterCategory(TimeStampedModel):
    """A kind of matter (a theme from the taxonomy) with its target time and Open311 service code."""

    theme = models.OneToOneField(
        "insight.Theme", on_delete=models.PROTECT, related_name="matter_category"
    )
    service_code = models.SlugField(
        max_length=40,
        unique=True,
        help_text=_("The code reporting tools use for this category (Open311 service_code)."),
    )
    description = models.TextField(blank=True)
    group = models.CharField(
        max_length=80, blank=True, help_text=_("A heading to group categories under, e.g. Streets.")
    )
    keywords = models.CharField(max_length=200, blank=True, help_text=_("Comma separated."))
    target_days = models.PositiveSmallIntegerField(
        _("target time in days"),
        default=10,
        validators=[MinValueValidator(1)],
        help_text=_("A matter not resolved this many days after it was raised is overdue."),
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["theme__name"]
        verbose_name_plural = _("matter categories")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_days__gte=1), name="matter_category_target_positive"
            )
        ]

    def __str__(self) -> str:
        return self.theme.name

    @property
    def name(self) -> str:
        return self.theme.name


class RoutingRule(PublicIdModel):
    """Where matters of a category in an area go: a partner and a team.

    A rule may leave the category or the area open. When several rules match, the most specific wins:
    a named category beats "any category", then a smaller area beats a larger one (LSOA,
    neighbourhood, ward, authority, anywhere), then the lower ``priority`` number.
    """

    council = models.ForeignKey(
        "programme.Organisation",
        on_delete=models.PROTECT,
        related_name="routing_rules",
        help_text=_("The council whose officers look after this rule."),
    )
    category = models.ForeignKey(
        MatterCategory,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        help_text=_("Leave empty for any category."),
    )
    authority = models.ForeignKey(
        "places.LocalAuthority", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    ward = models.ForeignKey(
        "places.Ward", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    neighbourhood = models.ForeignKey(
        "places.Neighbourhood", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    lsoa = models.ForeignKey(
        "places.Lsoa", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    partner = models.ForeignKey(
        "programme.Organisation",
        on_delete=models.PROTECT,
        related_name="routing_rules_to",
        help_text=_("The organisation that receives the matter."),
    )
    team = models.CharField(max_length=150, help_text=_("The team in that organisation."))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Optional: the named person in the team."),
    )
    priority = models.PositiveSmallIntegerField(
        default=100, help_text=_("Between equally specific rules, the lower number wins.")
    )
    is_active = models.BooleanField(default=True)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(
                name="routing_rule_one_small_area",
                condition=~models.Q(ward__isnull=False, neighbourhood__isnull=False)
                & ~models.Q(ward__isnull=False, lsoa__isnull=False)
                & ~models.Q(neighbourhood__isnull=False, lsoa__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.category or _('Any category')} · {self.area_label} → {self.partner}, {self.team}"

    def clean(self) -> None:
        if sum(x is not None for x in (self.ward_id, self.neighbourhood_id, self.lsoa_id)) > 1:
            raise ValidationError(_("Choose at most one of ward, neighbourhood or LSOA."))

    @property
    def area_level(self) -> int:
        """How small the rule's area is: 4 for an LSOA down to 0 for anywhere."""
        if self.lsoa_id:
            return 4
        if self.neighbourhood_id:
            return 3
        if self.ward_id:
            return 2
        if self.authority_id:
            return 1
        return 0

    @property
    def area_label(self) -> str:
        for area in (self.lsoa, self.neighbourhood, self.ward, self.authority):
            if area is not None:
                return str(area)
        return str(_("anywhere"))


class RoutingDefault(TimeStampedModel):
    """Who receives a matter that no rule covers, so that no matter goes nowhere.

    One per authority, plus at most one with no authority that covers everything else.
    """

    council = models.ForeignKey(
        "programme.Organisation", on_delete=models.PROTECT, related_name="routing_defaults"
    )
    authority = models.OneToOneField(
        "places.LocalAuthority",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_default",
        help_text=_("Leave empty for the catch-all used where no authority's default applies."),
    )
    organisation = models.ForeignKey(
        "programme.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    team = models.CharField(max_length=150)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The named person who sorts out matters no rule covers."),
    )

    class Meta:
        ordering = ["authority__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council"],
                condition=models.Q(authority__isnull=True),
                name="routing_default_one_catch_all_per_council",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}, {self.team} ({self.owner})"


class Matter(PublicIdModel):
    class Status(models.TextChoices):
        NEW = "new", _("Sent, not yet acknowledged")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed without action")
        MERGED = "merged", _("Merged into another matter")

    class Source(models.TextChoices):
        SITE = "site", _("Raised in Common Ground")
        OPEN311 = "open311", _("Reported through Open311")

    OPEN_STATUSES = frozenset({Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS})
    DONE_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED, Status.MERGED})

    title = models.CharField(max_length=200)
    description = models.TextField(
        help_text=_("Published: describe the problem and place, never who said it.")
    )
    category = models.ForeignKey(MatterCategory, on_delete=models.PROTECT, related_name="matters")
    authority = models.ForeignKey(
        "places.LocalAuthority", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ward = models.ForeignKey(
        "places.Ward", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lsoa = models.ForeignKey(
        "places.Lsoa", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    neighbourhood = models.ForeignKey(
        "places.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matters",
    )
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    address = models.CharField(
        max_length=255, blank=True, help_text=_("A street, landmark or junction; no house numbers.")
    )
    conversations = models.ManyToManyField(
        "listening.Conversation", blank=True, related_name="matters"
    )
    outside_reports = models.PositiveIntegerField(
        default=0, help_text=_("Reports received through Open311, each from one resident.")
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SITE)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_by_organisation = models.ForeignKey(
        "programme.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matters_raised",
    )
    routed_to = models.ForeignKey(
        "programme.Organisation", on_delete=models.PROTECT, related_name="matters_received"
    )
    team = models.CharField(max_length=150)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    routing_rule = models.ForeignKey(
        RoutingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="matters"
    )
    routed_by_default = models.BooleanField(default=False)
    routing_reason = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.NEW)
    public_note = models.TextField(blank=True, help_text=_("The latest note the public can read."))
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    is_public = models.BooleanField(
        default=True,
        help_text=_("Shown on Open311 and the public “You said, we did” pages."),
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["routed_to", "status", "due_at"]),
            models.Index(fields=["category", "raised_at"]),
            models.Index(fields=["neighbourhood", "status"]),
            models.Index(fields=["authority", "raised_at"]),
            models.Index(fields=["is_public", "raised_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="matter_merged_has_target",
                condition=~models.Q(status="merged") | models.Q(merged_into__isnull=False),
            ),
            models.CheckConstraint(
                name="matter_not_merged_into_itself",
                condition=~models.Q(merged_into=models.F("id")),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("action:matter_detail", kwargs={"public_id": self.public_id})

    @property
    def reference(self) -> str:
        return f"M-{str(self.public_id)[:8].upper()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()

    @property
    def open311_status(self) -> str:
        return "open" if self.is_open else "closed"


class MatterUpdate(TimeStampedModel):
    """One step in a matter's history; the public note is what residents may read."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("Raised")
        ROUTED = "routed", _("Routed")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        STATUS = "status", _("Status changed")
        NOTE = "note", _("Note added")
        MERGED = "merged", _("Merged")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_organisation = models.ForeignKey(
        "programme.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_before = models.CharField(max_length=15, blank=True)
    status_after = models.CharField(max_length=15, blank=True)
    public_note = models.TextField(blank=True)
    internal_note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


# --- groups and networks ------------------------------------------------------------------------


class Group(PublicIdModel):
    """A residents' group, association, club or house group an organiser works with."""

    class Kind(models.TextChoices):
        RESIDENTS = "residents", _("Residents' group")
        ASSOCIATION = "association", _("Association")
        CLUB = "club", _("Club")
        HOUSE_GROUP = "house_group", _("House group")
        FRIENDS = "friends", _("Friends of a place")
        SOCIAL_ENTERPRISE = "social_enterprise", _("Social enterprise")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.RESIDENTS)
    description = models.TextField(blank=True)
    host = models.ForeignKey(
        "programme.Organisation",
        on_delete=models.PROTECT,
        related_name="action_groups",
        help_text=_("The host whose organisers work with the group and keep its records."),
    )
    neighbourhood = models.ForeignKey(
        "places.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "programme.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="as_group",
        help_text=_("If the group is also in the register of organisations."),
    )
    supporting_organisations = models.ManyToManyField(
        "programme.Organisation", blank=True, related_name="supported_groups"
    )
    themes = models.ManyToManyField("insight.Theme", blank=True, related_name="+")
    formed_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    email = models.EmailField(
        blank=True, help_text=_("The group's shared address, never a member's own.")
    )
    website = models.URLField(blank=True)
    is_published = models.BooleanField(
        default=False,
        help_text=_("Publish the group and its services in the Open Referral directory feed."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["neighbourhood", "formed_on"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("action:group_detail", kwargs={"slug": self.slug})


class GroupActivity(PublicIdModel):
    """Something a group does regularly; a community service others can use is published."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="activities")
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    is_service = models.BooleanField(
        _("a community service others can use"),
        default=False,
        help_text=_("Services of published groups appear in the Open Referral feed."),
    )
    schedule = models.CharField(
        max_length=150, blank=True, help_text=_("When it happens, e.g. Tuesdays 10:00 to 12:00.")
    )
    venue = models.CharField(max_length=150, blank=True)
    address = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("group activities")

    def __str__(self) -> str:
        return self.name


class Involvement(TimeStampedModel):
    """A resident's part in a group, recorded only with their agreement."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        VOLUNTEER = "volunteer", _("Volunteer")
        LEADER = "leader", _("Leader")
        FOUNDER = "founder", _("Founder")

    LEADING_ROLES = frozenset({Role.LEADER, Role.FOUNDER})

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="involvements")
    resident = models.ForeignKey(
        "listening.Resident", on_delete=models.PROTECT, related_name="involvements"
    )
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    consent_given_on = models.DateField(
        help_text=_("When the resident agreed to be recorded as involved in this group.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "resident", "role"], name="involvement_unique_role"
            )
        ]
        indexes = [models.Index(fields=["resident", "started_on"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()} of {self.group}"


class NetworkLink(PublicIdModel):
    """A connection recorded between two of: a resident, a group, an organisation.

    Each end names exactly one kind of thing. ``brokered_by`` is the organiser who introduced them,
    which is how the network's growth is counted.
    """

    host = models.ForeignKey(
        "programme.Organisation", on_delete=models.PROTECT, related_name="network_links"
    )
    neighbourhood = models.ForeignKey(
        "places.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_resident = models.ForeignKey(
        "listening.Resident", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    from_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="links_out"
    )
    from_organisation = models.ForeignKey(
        "programme.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    to_resident = models.ForeignKey(
        "listening.Resident", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    to_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="links_in"
    )
    to_organisation = models.ForeignKey(
        "programme.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    description = models.CharField(max_length=255, blank=True)
    made_on = models.DateField()
    brokered_by = models.ForeignKey(
        "programme.Organiser",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="links_brokered",
    )

    class Meta:
        ordering = ["-made_on", "-id"]
        indexes = [models.Index(fields=["neighbourhood", "made_on"])]
        constraints = [
            models.CheckConstraint(
                name="network_link_one_from",
                condition=(
                    models.Q(from_resident__isnull=False, from_group__isnull=True)
                    & models.Q(from_organisation__isnull=True)
                )
                | (
                    models.Q(from_resident__isnull=True, from_group__isnull=False)
                    & models.Q(from_organisation__isnull=True)
                )
                | (
                    models.Q(from_resident__isnull=True, from_group__isnull=True)
                    & models.Q(from_organisation__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="network_link_one_to",
                condition=(
                    models.Q(to_resident__isnull=False, to_group__isnull=True)
                    & models.Q(to_organisation__isnull=True)
                )
                | (
                    models.Q(to_resident__isnull=True, to_group__isnull=False)
                    & models.Q(to_organisation__isnull=True)
                )
                | (
                    models.Q(to_resident__isnull=True, to_group__isnull=True)
                    & models.Q(to_organisation__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.description or f"Link made {self.made_on}"

    @property
    def from_end(self) -> models.Model:
        return self.from_resident or self.from_group or self.from_organisation  # type: ignore[return-value]

    @property
    def to_end(self) -> models.Model:
        return self.to_resident or self.to_group or self.to_organisation  # type: ignore[return-value]


# --- toolkit ------------------------------------------------------------------------------------


class AreaType(models.TextChoices):
    """Kinds of place, from the ONS rural-urban classification of the LSOAs a neighbourhood covers."""

    CONURBATION = "conurbation", _("City (major or minor conurbation)")
    CITY_TOWN = "city_town", _("Urban city or town")
    TOWN_FRINGE = "town_fringe", _("Rural town and fringe")
    VILLAGE = "village", _("Village, hamlet or scattered homes")


def area_type_of_rural_urban_code(code: str) -> str | None:
    """ONS 2011 codes A1 to F2 to the four area types toolkit entries are tagged with."""
    first = (code or "").strip()[:1].upper()
    return {
        "A": AreaType.CONURBATION,
        "B": AreaType.CONURBATION,
        "C": AreaType.CITY_TOWN,
        "D": AreaType.TOWN_FRINGE,
        "E": AreaType.VILLAGE,
        "F": AreaType.VILLAGE,
    }.get(first)


class ToolkitEntry(PublicIdModel):
    """Good practice to share: a case study of what worked, or a how-to guide."""

    class Kind(models.TextChoices):
        CASE_STUDY = "case_study", _("Case study")
        HOW_TO = "how_to", _("How-to guide")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=210, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    summary = models.CharField(max_length=300)
    body = models.TextField(help_text=_("Plain text; a blank line starts a new paragraph."))
    themes = models.ManyToManyField("insight.Theme", blank=True, related_name="+")
    organisation = models.ForeignKey(
        "programme.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="toolkit_entries",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_published = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = _("toolkit entries")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("action:toolkit_detail", kwargs={"slug": self.slug})

    @property
    def area_types(self) -> list[str]:
        return [tag.area_type for tag in self.area_type_tags.all()]

    def area_type_labels(self) -> list[str]:
        labels = dict(AreaType.choices)
        return [str(labels[value]) for value in self.area_types if value in labels]


class ToolkitAreaType(models.Model):
    entry = models.ForeignKey(ToolkitEntry, on_delete=models.CASCADE, related_name="area_type_tags")
    area_type = models.CharField(max_length=15, choices=AreaType.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "area_type"], name="toolkit_area_type_unique")
        ]

    def __str__(self) -> str:
        return self.get_area_type_display()


# --- community projects -------------------------------------------------------------------------


class Project(PublicIdModel):
    """A community project such as a clean-up or a park, and whether it can now run itself."""

    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        ACTIVE = "active", _("Under way")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    class Sustainability(models.TextChoices):
        NOT_YET = "not_yet", _("Not yet self-sustaining")
        VOLUNTEER_LED = "volunteer_led", _("Run by volunteers without an organiser")
        CONSTITUTED_GROUP = "constituted_group", _("A constituted group")
        SOCIAL_ENTERPRISE = "social_enterprise", _("A social enterprise")
        CHARITY = "charity", _("A charity")
        TAKEN_ON = "taken_on", _("Taken on by a public service")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=210, unique=True)
    summary = models.CharField(
        max_length=300, help_text=_("Published on the neighbourhood's “You said, we did” page.")
    )
    aims = models.TextField()
    host = models.ForeignKey(
        "programme.Organisation", on_delete=models.PROTECT, related_name="action_projects"
    )
    lead_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="projects_led"
    )
    neighbourhood = models.ForeignKey(
        "places.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    themes = models.ManyToManyField("insight.Theme", blank=True, related_name="+")
    conversations = models.ManyToManyField(
        "listening.Conversation", blank=True, related_name="projects"
    )
    toolkit_entries = models.ManyToManyField(
        ToolkitEntry, blank=True, related_name="projects", verbose_name=_("toolkit guides used")
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNING)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    needs_help = models.BooleanField(default=False)
    help_wanted = models.CharField(max_length=255, blank=True)
    sustainability = models.CharField(
        max_length=20, choices=Sustainability.choices, default=Sustainability.NOT_YET
    )
    sustainability_note = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "title"]
        indexes = [models.Index(fields=["neighbourhood", "status"])]
        constraints = [
            models.CheckConstraint(
                name="project_ends_after_start",
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("action:project_detail", kwargs={"slug": self.slug})

    @property
    def is_self_sustaining(self) -> bool:
        return self.sustainability != self.Sustainability.NOT_YET


class Milestone(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status in {self.Status.PLANNED, self.Status.IN_PROGRESS} and (
            self.due_on < timezone.localdate()
        )


class ProjectEvent(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    attendance = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.title


class VolunteerTime(TimeStampedModel):
    """Volunteers and the hours they gave on a day, counted without naming anyone."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="volunteer_time")
    worked_on = models.DateField()
    volunteers = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    hours = models.DecimalField(
        max_digits=8, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    event = models.ForeignKey(
        ProjectEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-worked_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="volunteer_time_positive",
                condition=models.Q(volunteers__gte=1, hours__gt=0),
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteers} volunteers, {self.hours} hours"


class Outcome(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outcomes")
    description = models.CharField(max_length=255)
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=50, blank=True, help_text=_("e.g. bags of litter"))
    recorded_on = models.DateField()

    class Meta:
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return self.description


def private_root() -> str:
    """Where project photos are kept: ``ACTION_PRIVATE_ROOT`` if set, else ``var/private/action``."""
    return os.path.abspath(
        str(
            getattr(settings, "ACTION_PRIVATE_ROOT", None)
            or settings.VAR_DIR / "private" / "action"
        )
    )


class PrivateStorage(FileSystemStorage):
    """Files kept outside the web root and served only by a view that checks permission first.

    The folder is read from settings on every use so tests and deployments can move it.
    """

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def location(self) -> str:  # type: ignore[override]
        return private_root()

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return private_root()


private_storage = PrivateStorage()


class ProjectPhoto(PublicIdModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="project-photos/%Y/%m/", storage=private_storage)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    caption = models.CharField(max_length=200)
    alt_text = models.CharField(
        max_length=200, help_text=_("What the photo shows, for people who cannot see it.")
    )
    everyone_agreed = models.BooleanField(
        _("everyone recognisable in the photo agreed to it being kept"), default=False
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.caption

    def get_absolute_url(self) -> str:
        return reverse("action:photo", kwargs={"public_id": self.public_id})


# --- forums and clusters ------------------------------------------------------------------------


class Forum(PublicIdModel):
    """An area forum or cluster: where public services and communities hold "one conversation"."""

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    description = models.TextField(blank=True)
    council = models.ForeignKey(
        "programme.Organisation",
        on_delete=models.PROTECT,
        related_name="forums_convened",
        help_text=_("The council whose officers support the forum."),
    )
    organisation = models.ForeignKey(
        "programme.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forums",
        help_text=_("The forum's own organisation in the register; its members may edit meetings."),
    )
    authority = models.ForeignKey(
        "places.LocalAuthority", on_delete=models.PROTECT, related_name="+"
    )
    neighbourhoods = models.ManyToManyField(
        "places.Neighbourhood", blank=True, related_name="forums"
    )
    wards = models.ManyToManyField("places.Ward", blank=True, related_name="+")
    is_public = models.BooleanField(
        default=True, help_text=_("Publish meeting dates in a calendar feed anyone can use.")
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("action:forum_detail", kwargs={"slug": self.slug})


class ForumMember(TimeStampedModel):
    class Sector(models.TextChoices):
        PARISH = "parish", _("Parish or town council")
        COUNCILLOR = "councillor", _("Ward councillor")
        POLICE = "police", _("Police")
        FIRE = "fire", _("Fire and rescue")
        NHS = "nhs", _("NHS")
        HOUSING = "housing", _("Housing")
        COUNCIL = "council", _("Council service")
        COMMUNITY = "community", _("Community group")
        OTHER = "other", _("Other")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=150)
    sector = models.CharField(max_length=12, choices=Sector.choices)
    organisation = models.ForeignKey(
        "programme.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    represents = models.CharField(max_length=150, blank=True, help_text=_("e.g. Paulton Parish"))
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["sector", "name"]

    def __str__(self) -> str:
        return self.name


class Meeting(PublicIdModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned – agenda in draft")
        AGENDA_PUBLISHED = "agenda_published", _("Agenda published")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    minutes = models.TextField(blank=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                name="meeting_ends_after_start",
                condition=models.Q(ends_at__gt=models.F("starts_at")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.forum} – {timezone.localtime(self.starts_at):%d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("action:meeting_detail", kwargs={"public_id": self.public_id})


class AgendaItem(TimeStampedModel):
    class Kind(models.TextChoices):
        STANDING = "standing", _("Standing item")
        ACTIONS = "actions", _("Actions carried forward")
        THEMES = "themes", _("What residents are raising")
        MATTERS = "matters", _("Open and overdue matters")
        PROJECTS = "projects", _("Projects needing help")
        OTHER = "other", _("Other business")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    drafted_from_evidence = models.BooleanField(default=False)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class ForumAction(PublicIdModel):
    """An action agreed at a meeting, carried forward on every agenda until it is done."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="actions")
    raised_at = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions_raised"
    )
    description = models.CharField(max_length=300)
    owner = models.CharField(max_length=150, help_text=_("A person or team, e.g. PCSO, Parish."))
    owner_organisation = models.ForeignKey(
        "programme.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    progress_note = models.TextField(blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["forum", "status", "due_on"])]

    def __str__(self) -> str:
        return self.description

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()


class ActionPlan(PublicIdModel):
    """An action plan for a forum or a programme, reported on every six months."""

    title = models.CharField(max_length=200)
    forum = models.ForeignKey(
        Forum, null=True, blank=True, on_delete=models.CASCADE, related_name="action_plans"
    )
    programme = models.ForeignKey(
        "programme.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="action_plans",
    )
    starts_on = models.DateField()
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                name="action_plan_forum_or_programme",
                condition=models.Q(forum__isnull=False, programme__isnull=True)
                | models.Q(forum__isnull=True, programme__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("action:plan_detail", kwargs={"public_id": self.public_id})


class ActionPlanItem(PublicIdModel):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.CharField(max_length=150)
    organisation = models.ForeignKey(
        "programme.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    theme = models.ForeignKey(
        "insight.Theme", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def latest_update(self) -> ActionPlanUpdate | None:
        """The most recent progress (uses prefetched updates when they are there)."""
        updates = list(self.updates.all())
        return updates[-1] if updates else None

    @property
    def is_overdue(self) -> bool:
        return (
            self.status not in {self.Status.DONE, self.Status.DROPPED}
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )


class ActionPlanUpdate(TimeStampedModel):
    item = models.ForeignKey(ActionPlanItem, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField()
    status = models.CharField(max_length=12, choices=ActionPlanItem.Status.choices)
    note = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.on}: {self.get_status_display()}"


# --- ideas and business cases -------------------------------------------------------------------


class Idea(PublicIdModel):
    """An idea for doing a service differently, growing into a business case as it is assessed."""

    class Status(models.TextChoices):
        IDEA = "idea", _("Idea")
        ASSESSED = "assessed", _("Assessed")
        APPROVED = "approved", _("Approved")
        PILOTING = "piloting", _("Piloting")
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")

    PIPELINE = (
        Status.IDEA,
        Status.ASSESSED,
        Status.APPROVED,
        Status.PILOTING,
        Status.ADOPTED,
        Status.REJECTED,
    )
    AWAITING_RESPONSE = frozenset({Status.IDEA, Status.ASSESSED})

    title = models.CharField(max_length=200)
    summary = models.TextField(help_text=_("The idea in a few sentences, as residents put it."))
    service_affected = models.CharField(max_length=200)
    change = models.TextField(_("the change proposed"))
    one_off_cost = models.DecimalField(
        _("one-off cost (£)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    yearly_saving_estimated = models.DecimalField(
        _("estimated yearly saving (£)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    yearly_saving_realised = models.DecimalField(
        _("realised yearly saving (£)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    avoided_demand = models.CharField(
        max_length=255, blank=True, help_text=_("e.g. 40 fewer call-outs a year")
    )
    beneficiaries = models.TextField(_("who benefits"), blank=True)
    evidence = models.TextField(blank=True)
    conversations = models.ManyToManyField(
        "listening.Conversation", blank=True, related_name="action_ideas"
    )
    forum = models.ForeignKey(
        Forum, null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    themes = models.ManyToManyField("insight.Theme", blank=True, related_name="+")
    neighbourhood = models.ForeignKey(
        "places.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    organiser = models.ForeignKey(
        "programme.Organiser",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    host = models.ForeignKey(
        "programme.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas_raised",
        help_text=_("The organisation that brought the idea."),
    )
    council = models.ForeignKey(
        "programme.Organisation", on_delete=models.PROTECT, related_name="ideas_to_answer"
    )
    service_organisation = models.ForeignKey(
        "programme.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas_for_service",
        help_text=_("The council or partner that runs the service."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IDEA)
    rejection_reason = models.TextField(blank=True)
    response_due_on = models.DateField(
        help_text=_("The date by which the service owes the community a response.")
    )
    responded_on = models.DateField(null=True, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_on = models.DateField(default=timezone.localdate)
    is_public = models.BooleanField(default=True)

    class Meta:
        ordering = ["-raised_on", "-id"]
        indexes = [
            models.Index(fields=["status", "response_due_on"]),
            models.Index(fields=["neighbourhood", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="idea_rejection_has_reason",
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
            ),
            models.CheckConstraint(
                name="idea_amounts_not_negative",
                condition=(models.Q(one_off_cost__isnull=True) | models.Q(one_off_cost__gte=0))
                & (
                    models.Q(yearly_saving_estimated__isnull=True)
                    | models.Q(yearly_saving_estimated__gte=0)
                )
                & (
                    models.Q(yearly_saving_realised__isnull=True)
                    | models.Q(yearly_saving_realised__gte=0)
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("action:idea_detail", kwargs={"public_id": self.public_id})

    @property
    def response_overdue(self) -> bool:
        return (
            self.status in self.AWAITING_RESPONSE
            and self.responded_on is None
            and self.response_due_on < timezone.localdate()
        )

    @property
    def payback_years(self) -> Decimal | None:
        if not self.one_off_cost or not self.yearly_saving_estimated:
            return None
        return (self.one_off_cost / self.yearly_saving_estimated).quantize(Decimal("0.1"))


class IdeaProgress(TimeStampedModel):
    """One entry in an idea's timeline, like an accountability result's progress history."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="progress")
    on = models.DateField()
    status_before = models.CharField(max_length=10, blank=True)
    status_after = models.CharField(max_length=10, choices=Idea.Status.choices)
    note = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["on", "id"]
        verbose_name_plural = _("idea progress")

    def __str__(self) -> str:
        return f"{self.on}: {self.get_status_after_display()}"


def target_due_at(raised_at: datetime, category: MatterCategory) -> datetime:
    """When a matter raised at ``raised_at`` becomes overdue."""
    return raised_at + timedelta(days=category.target_days)
