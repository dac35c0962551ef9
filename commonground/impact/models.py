"""Shared indicators, what they measured, the targets set for them and the annual impact report.

Public surface for other apps (stable; add, do not rename):

* :class:`Indicator` - one shared measure, named everywhere by its ``code`` (e.g.
  ``residents_listened_to``). Monitoring returns in ``funding`` key their figures by this code.
* :class:`Measurement` - a figure entered by hand with its evidence, or loaded from open data. Figures
  the system can count from its own records are never stored here: they are computed when asked for
  (see :mod:`commonground.impact.registry`), so nothing is typed twice.
* :class:`Target`, :class:`Comparison`, :class:`Report`, :class:`ReportVersion`.

Measurements, targets and reports each belong to one *scope*: a programme, an organisation or a
place. The scope is kept both as a foreign key (so it cannot point at nothing) and as ``scope_key``
(``"lsoa:E01014461"``), a stable text form used for uniqueness, look-ups and open data.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from commonground.core.models import PublicIdModel, TimeStampedModel

INDICATOR_CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
validate_indicator_code = RegexValidator(
    INDICATOR_CODE_PATTERN,
    _("Lower-case letters, digits and underscores, starting with a letter, e.g. volunteer_hours."),
)
VALUE = {"max_digits": 14, "decimal_places": 2}


class ScopeKind(models.TextChoices):
    PROGRAMME = "programme", _("Programme")
    ORGANISATION = "organisation", _("Organisation")
    AUTHORITY = "authority", _("Local authority")
    WARD = "ward", _("Ward")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")
    LSOA = "lsoa", _("LSOA")


# The field that holds each kind of scope, and the attribute that names it in ``scope_key``.
SCOPE_FIELDS: dict[str, tuple[str, str]] = {
    ScopeKind.PROGRAMME: ("for_programme", "slug"),
    ScopeKind.ORGANISATION: ("for_organisation", "slug"),
    ScopeKind.AUTHORITY: ("for_authority", "code"),
    ScopeKind.WARD: ("for_ward", "code"),
    ScopeKind.NEIGHBOURHOOD: ("for_neighbourhood", "slug"),
    ScopeKind.LSOA: ("for_lsoa", "code"),
}
REPORT_SCOPE_KINDS = (
    ScopeKind.PROGRAMME,
    ScopeKind.ORGANISATION,
    ScopeKind.NEIGHBOURHOOD,
    ScopeKind.AUTHORITY,
)


def _exactly_one(fields: list[str]) -> models.Q:
    condition = models.Q()
    for chosen in fields:
        term = models.Q(**{f"{chosen}__isnull": False})
        for other in fields:
            if other != chosen:
                term &= models.Q(**{f"{other}__isnull": True})
        condition |= term
    return condition


class ScopedModel(PublicIdModel):
    """Something that belongs to one programme, organisation or place."""

    for_programme = models.ForeignKey(
        "programme.Programme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("programme"),
    )
    for_organisation = models.ForeignKey(
        "programme.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    for_authority = models.ForeignKey(
        "places.LocalAuthority",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("local authority"),
    )
    for_neighbourhood = models.ForeignKey(
        "places.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("neighbourhood"),
    )
    scope_key = models.CharField(max_length=220, editable=False, db_index=True)

    ALLOWED_SCOPES: tuple[str, ...] = REPORT_SCOPE_KINDS

    class Meta:
        abstract = True

    @property
    def scope_kind(self) -> str | None:
        for kind in self.ALLOWED_SCOPES:
            field, _attribute = SCOPE_FIELDS[kind]
            if getattr(self, f"{field}_id") is not None:
                return kind
        return None

    @property
    def scope_object(self) -> Any:
        kind = self.scope_kind
        return getattr(self, SCOPE_FIELDS[kind][0]) if kind else None

    def scope_kind_label(self) -> str:
        kind = self.scope_kind
        return str(ScopeKind(kind).label) if kind else ""

    def _set_scope_key(self) -> None:
        chosen = [
            kind
            for kind in self.ALLOWED_SCOPES
            if getattr(self, f"{SCOPE_FIELDS[kind][0]}_id") is not None
        ]
        if len(chosen) != 1:
            raise ValidationError(_("Choose exactly one programme, organisation or place."))
        field, attribute = SCOPE_FIELDS[chosen[0]]
        self.scope_key = f"{chosen[0]}:{getattr(getattr(self, field), attribute)}"

    def clean(self) -> None:
        super().clean()
        self._set_scope_key()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._set_scope_key()
        super().save(*args, **kwargs)


class Indicator(PublicIdModel):
    """A shared measure, defined once for every host and organiser."""

    class Unit(models.TextChoices):
        PEOPLE = "people", _("people")
        HOURS = "hours", _("hours")
        GROUPS = "groups", _("groups")
        PROJECTS = "projects", _("projects")
        MATTERS = "matters", _("matters")
        IMPROVEMENTS = "improvements", _("improvements")
        POUNDS = "pounds", _("pounds (£)")
        PERCENT = "percent", _("per cent")
        REPORTS = "reports", _("reports")

    class Direction(models.TextChoices):
        UP = "up", _("Higher is better")
        DOWN = "down", _("Lower is better")
        NEITHER = "neither", _("Neither: watched, not aimed at")

    class Method(models.TextChoices):
        COMPUTED = "computed", _("Counted from records in Common Ground")
        ENTERED = "entered", _("Entered by hand, with evidence")
        OPEN_DATA = "open_data", _("Loaded from published open data")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Add up the figures in the period")
        LATEST = "latest", _("Take the latest figure in the period")

    code = models.CharField(
        _("code"),
        max_length=64,
        unique=True,
        validators=[validate_indicator_code],
        help_text=_("Never changes once made: monitoring returns and open data use it."),
    )
    name = models.CharField(_("name"), max_length=150)
    definition = models.TextField(_("definition"))
    unit = models.CharField(_("unit"), max_length=15, choices=Unit.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.UP
    )
    method = models.CharField(_("how it is measured"), max_length=10, choices=Method.choices)
    how_counted = models.TextField(_("how it is counted"))
    aggregation = models.CharField(
        _("over a period"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    source = models.CharField(
        _("where the figure comes from"),
        max_length=200,
        blank=True,
        help_text=_("The records or survey behind it, e.g. listening conversations."),
    )
    counts_reports = models.BooleanField(
        _("counts reports made by residents"),
        default=False,
        help_text=_("Reports rise when people are more willing to report; comparisons say so."),
    )
    is_default = models.BooleanField(default=False, editable=False)
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("impact:indicator_detail", kwargs={"code": self.code})

    @property
    def is_computed(self) -> bool:
        return self.method == self.Method.COMPUTED


class Measurement(ScopedModel):
    """A figure that cannot be counted from the system's own records, with where it came from."""

    class Source(models.TextChoices):
        ENTERED = "entered", _("Entered by hand")
        OPEN_DATA = "open_data", _("Loaded from open data")

    ALLOWED_SCOPES = tuple(SCOPE_FIELDS)

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="measurements")
    organisation = models.ForeignKey(
        "programme.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="impact_measurements",
        help_text=_("Whose figure it is; its managers may correct it. Empty for open data."),
    )
    for_ward = models.ForeignKey(
        "places.Ward",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ward"),
    )
    for_lsoa = models.ForeignKey(
        "places.Lsoa",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("LSOA"),
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    value = models.DecimalField(_("value"), **VALUE)
    base = models.PositiveIntegerField(
        _("people it rests on"),
        null=True,
        blank=True,
        help_text=_("For a survey: how many people answered."),
    )
    evidence = models.TextField(
        _("evidence"), help_text=_("Where the figure comes from, e.g. the survey and its date.")
    )
    evidence_url = models.URLField(_("link to the evidence"), blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENTERED)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["indicator", "scope_key", "-period_end"]
        indexes = [models.Index(fields=["indicator", "scope_key", "period_start"])]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "scope_key", "period_start", "period_end"],
                name="measurement_one_per_scope_and_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="measurement_period_order",
            ),
            models.CheckConstraint(
                condition=_exactly_one([SCOPE_FIELDS[kind][0] for kind in SCOPE_FIELDS]),
                name="measurement_exactly_one_scope",
            ),
            models.CheckConstraint(
                condition=~models.Q(evidence=""), name="measurement_has_evidence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.scope_key} {self.period_start}–{self.period_end}"


class Target(ScopedModel):
    """What a programme, organisation or place aims for on an indicator over a period."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="targets")
    organisation = models.ForeignKey(
        "programme.Organisation",
        on_delete=models.PROTECT,
        related_name="impact_targets",
        help_text=_("Who set the target; its managers may change it."),
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    value = models.DecimalField(_("target"), validators=[MinValueValidator(0)], **VALUE)
    note = models.CharField(_("note"), max_length=250, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["indicator", "scope_key", "-period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "scope_key", "period_start", "period_end"],
                name="target_one_per_scope_and_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="target_period_order",
            ),
            models.CheckConstraint(
                condition=_exactly_one([SCOPE_FIELDS[kind][0] for kind in REPORT_SCOPE_KINDS]),
                name="target_exactly_one_scope",
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.scope_key}: {self.value}"


class Comparison(PublicIdModel):
    """A saved "did it make a difference?" comparison and the result it gave when it was run."""

    title = models.CharField(_("title"), max_length=200)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="comparisons")
    organisation = models.ForeignKey(
        "programme.Organisation", on_delete=models.PROTECT, related_name="impact_comparisons"
    )
    neighbourhood = models.ForeignKey(
        "places.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Where organisers worked, if the LSOAs were taken from a neighbourhood."),
    )
    treated_codes = models.JSONField(_("LSOAs where organisers worked"), default=list)
    start_year = models.PositiveSmallIntegerField(_("year the work began"))
    first_year = models.PositiveSmallIntegerField(null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(null=True, blank=True)
    exclude_years = models.JSONField(default=list, blank=True)
    band_width = models.PositiveSmallIntegerField(_("deprivation band (deciles either side)"))
    broad_class = models.BooleanField(default=False)
    same_authority = models.BooleanField(default=True)
    exclude_codes = models.JSONField(
        default=list, blank=True, help_text=_("LSOAs kept out of the comparison group.")
    )
    result = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("impact:comparison_detail", kwargs={"public_id": self.public_id})


class Report(ScopedModel):
    """An annual impact report while it is being written; each publication freezes a version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    organisation = models.ForeignKey(
        "programme.Organisation",
        on_delete=models.PROTECT,
        related_name="impact_reports",
        help_text=_("The organisation writing the report, usually the host."),
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    changed_since_published = models.BooleanField(default=False)
    comparisons = models.ManyToManyField(Comparison, blank=True, related_name="reports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period_end", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="report_period_order",
            ),
            models.CheckConstraint(
                condition=_exactly_one([SCOPE_FIELDS[kind][0] for kind in REPORT_SCOPE_KINDS]),
                name="report_exactly_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("impact:report_detail", kwargs={"public_id": self.public_id})


class ReportSection(TimeStampedModel):
    """A piece of narrative the host writes: the summary, lessons learned, or anything else."""

    class Kind(models.TextChoices):
        SUMMARY = "summary", _("Summary")
        LESSONS = "lessons", _("Lessons learned")
        OTHER = "other", _("Other")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    heading = models.CharField(_("heading"), max_length=150)
    body = models.TextField(
        _("text"), blank=True, help_text=_("Plain text; a blank line starts a new paragraph.")
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.heading


class ReportVersion(TimeStampedModel):
    """A published report, frozen: its figures and narrative never change after publication.

    Only the PDF, made in the background from the frozen figures, is added afterwards.
    """

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    change_note = models.CharField(_("what changed in this version"), max_length=300, blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_pages = models.PositiveIntegerField(null=True, blank=True)

    PDF_FIELDS = frozenset({"pdf", "pdf_sha256", "pdf_pages", "updated_at"})

    class Meta:
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report} – version {self.number}"

    def get_absolute_url(self) -> str:
        return reverse(
            "impact:version_detail",
            kwargs={"public_id": self.report.public_id, "number": self.number},
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            fields = set(kwargs.get("update_fields") or ())
            if not fields or not fields <= self.PDF_FIELDS:
                raise ValueError("A published version is frozen; only its PDF may be added.")
        super().save(*args, **kwargs)
