"""Grant funds from the first call for applications to the closure of the last grant.

The shape follows the Performance Reward "Main Fund": money from one source, rules the projects must
meet (one-off, invest to save, an exit strategy, realistic milestones), criteria with weights that
assessors score against, and grants that are monitored until they close. Fundraising bids and the
funding of organiser posts sit beside it, because hosts carry the worry of what happens when a grant
ends.

Monitoring figures name an indicator only by its code (e.g. ``residents_listened_to``): the indicators
themselves belong to the ``impact`` app.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from commonground.core.models import PublicIdModel, TimeStampedModel

MONEY = {"max_digits": 12, "decimal_places": 2}
INDICATOR_CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
validate_indicator_code = RegexValidator(
    INDICATOR_CODE_PATTERN,
    _(
        "Use the indicator's code: lower-case letters, digits and underscores, e.g. "
        "residents_listened_to."
    ),
)


class PrivateFileStorage(FileSystemStorage):
    """Attachments live under ``VAR_DIR/private``, never under MEDIA_ROOT or static files.

    Nothing serves that folder directly; every download goes through a view that checks the
    viewer may see the application. The location is read from settings on each use so that tests
    can point it at a temporary folder.
    """

    @property
    def base_location(self) -> str:  # type: ignore[override]
        configured = getattr(settings, "FUNDING_PRIVATE_ROOT", None)
        return str(configured or Path(settings.VAR_DIR) / "private" / "funding")

    @property
    def location(self) -> str:  # type: ignore[override]
        return str(Path(self.base_location).resolve())

    @property
    def base_url(self) -> None:  # type: ignore[override]
        return None


_private_storage = PrivateFileStorage()


def private_storage() -> PrivateFileStorage:
    return _private_storage


def attachment_path(instance: Attachment, filename: str) -> str:
    """A random name on disk: the applicant's file name is kept only as data, never as a path."""
    suffix = Path(filename).suffix.lower()[:10]
    return f"applications/{instance.application.public_id}/{uuid.uuid4().hex}{suffix}"


class Fund(PublicIdModel):
    """A pot of money run by a council, e.g. the £1m Main Fund or the £300,000 small grants pot."""

    class Source(models.TextChoices):
        PERFORMANCE_REWARD = "performance_reward", _("Performance Reward Grant")
        COMMUNITY_EMPOWERMENT = "community_empowerment", _("Community Empowerment Fund")
        CIL = "cil", _("Community Infrastructure Levy")
        NEW_HOMES_BONUS = "new_homes_bonus", _("New Homes Bonus")
        COUNCIL_BUDGET = "council_budget", _("Council budget")
        EXTERNAL = "external", _("External funder")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[A-Z][A-Z0-9]{0,11}$", _("Capital letters and digits."))],
        help_text=_("Short capitals used in grant references, e.g. MF for the Main Fund."),
    )
    council = models.ForeignKey(
        "programme.Organisation",
        on_delete=models.PROTECT,
        related_name="funds_run",
        verbose_name=_("run by"),
    )
    programme = models.ForeignKey(
        "programme.Programme",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="funds",
    )
    source = models.CharField(_("source of the money"), max_length=30, choices=Source.choices)
    source_detail = models.CharField(_("about the source"), max_length=250, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    description = models.TextField(_("purpose and principles"), blank=True)
    one_off = models.BooleanField(
        _("one-off funding only"),
        default=False,
        help_text=_("Grants cannot be increased by a variation; the money does not recur."),
    )
    invest_to_save = models.BooleanField(
        _("invest to save"),
        default=False,
        help_text=_("Applicants must say what future spending the project avoids."),
    )
    exit_strategy_required = models.BooleanField(_("exit strategy required"), default=False)
    milestones_required = models.BooleanField(_("milestones required"), default=False)
    max_award = models.DecimalField(_("largest grant"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="fund_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(max_award__isnull=True)
                | (models.Q(max_award__gt=0) & models.Q(max_award__lte=models.F("amount"))),
                name="fund_max_award_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("funding:fund_detail", kwargs={"slug": self.slug})

    @property
    def rules_text(self) -> list[str]:
        labels = [
            (self.one_off, _("one-off funding only")),
            (self.invest_to_save, _("invest to save")),
            (self.exit_strategy_required, _("an exit strategy is required")),
            (self.milestones_required, _("realistic milestones are required")),
        ]
        return [str(label) for applies, label in labels if applies]


class FundTheme(TimeStampedModel):
    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("theme"), max_length=150)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "name"], name="fund_theme_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(TimeStampedModel):
    """What assessors score against; the weight says how much it counts in the total."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=200)
    guidance = models.TextField(_("guidance for assessors"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_score = models.PositiveSmallIntegerField(
        _("highest score"), default=5, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["fund", "name"], name="criterion_unique_name"),
            models.CheckConstraint(condition=models.Q(weight__gte=1), name="criterion_weight_min"),
            models.CheckConstraint(
                condition=models.Q(max_score__gte=1), name="criterion_max_score_min"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Round(PublicIdModel):
    """A call for applications with its dates."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(_("name"), max_length=200)
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    decision_by = models.DateField(_("decisions by"), null=True, blank=True)
    budget = models.DecimalField(_("budget for this round"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["-opens_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="round_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return f"{self.fund}: {self.name}"

    def is_open(self, on: date | None = None) -> bool:
        today = on or timezone.localdate()
        return self.opens_on <= today <= self.closes_on

    @property
    def state(self) -> str:
        today = timezone.localdate()
        if today < self.opens_on:
            return str(_("Not open yet"))
        if today > self.closes_on:
            return str(_("Closed"))
        return str(_("Open"))


class Application(PublicIdModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        IN_ASSESSMENT = "in_assessment", _("Being scored")
        MODERATED = "moderated", _("Moderated")
        AWARDED = "awarded", _("Awarded")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        "programme.Organisation",
        on_delete=models.PROTECT,
        related_name="grant_applications",
        verbose_name=_("applicant"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reference = models.CharField(max_length=40, unique=True, null=True, blank=True)
    title = models.CharField(_("project title"), max_length=200)
    summary = models.TextField(_("what the project will do"))
    theme = models.ForeignKey(
        FundTheme, null=True, blank=True, on_delete=models.SET_NULL, related_name="applications"
    )
    amount_requested = models.DecimalField(_("amount requested"), **MONEY)
    match_funding = models.DecimalField(_("match funding"), default=Decimal(0), **MONEY)
    match_funding_source = models.CharField(_("match funding from"), max_length=200, blank=True)
    starts_on = models.DateField(_("planned start"), null=True, blank=True)
    ends_on = models.DateField(_("planned end"), null=True, blank=True)
    ward = models.ForeignKey(
        "places.Ward",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grant_applications",
        verbose_name=_("main ward that benefits"),
    )
    proposed_milestones = models.TextField(_("proposed milestones"), blank=True)
    exit_strategy = models.TextField(_("exit strategy"), blank=True)
    invest_to_save_case = models.TextField(_("how it saves money later"), blank=True)
    expected_saving = models.DecimalField(
        _("expected saving a year"), null=True, blank=True, **MONEY
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    moderated_score = models.DecimalField(
        _("moderated score (out of 100)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    moderation_note = models.TextField(_("moderation note"), blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-created_at"]
        indexes = [models.Index(fields=["round", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_requested__gt=0), name="application_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(match_funding__gte=0), name="application_match_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="application_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(moderated_score__isnull=True)
                | models.Q(moderated_score__gte=0, moderated_score__lte=100),
                name="application_moderated_score_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funding:application_detail", kwargs={"public_id": self.public_id})

    @property
    def is_decided(self) -> bool:
        return self.status in {self.Status.AWARDED, self.Status.DECLINED}


ALLOWED_ATTACHMENT_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class Attachment(PublicIdModel):
    class Kind(models.TextChoices):
        BUDGET = "budget", _("Budget")
        PLAN = "plan", _("Project plan")
        CONSTITUTION = "constitution", _("Constitution or governing document")
        ACCOUNTS = "accounts", _("Accounts")
        LETTER = "letter", _("Letter of support")
        OTHER = "other", _("Other")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("what it is"), max_length=20, choices=Kind.choices)
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__lte=MAX_ATTACHMENT_BYTES), name="attachment_size_limit"
            )
        ]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("funding:attachment_download", kwargs={"public_id": self.public_id})


class Assignment(PublicIdModel):
    """An assessor asked to score one application, with their declaration of interests."""

    class Interest(models.TextChoices):
        UNDECLARED = "undeclared", _("Not yet declared")
        NONE = "none", _("No conflict of interest")
        CONFLICT = "conflict", _("Conflict of interest")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    interest = models.CharField(
        max_length=12, choices=Interest.choices, default=Interest.UNDECLARED
    )
    interest_note = models.TextField(_("about the interest"), blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "assessor"], name="assignment_one_per_assessor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessor} – {self.application}"

    def get_absolute_url(self) -> str:
        return reverse("funding:assignment_score", kwargs={"public_id": self.public_id})


class Score(TimeStampedModel):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "criterion"], name="score_one_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"

    def clean(self) -> None:
        if self.criterion_id and self.score is not None and self.score > self.criterion.max_score:
            raise ValidationError(
                {
                    "score": _("%(criterion)s is scored out of %(max)s.")
                    % {"criterion": self.criterion.name, "max": self.criterion.max_score}
                }
            )


class Grant(PublicIdModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class ExitOutcome(models.TextChoices):
        SUSTAINED = "sustained", _("Continues without this funding")
        PARTLY = "partly", _("Continues in part")
        ENDED = "ended", _("Ended when the funding ended")
        TOO_EARLY = "too_early", _("Too early to say")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="grants")
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="grant"
    )
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    recipient = models.ForeignKey(
        "programme.Organisation", on_delete=models.PROTECT, related_name="grants_received"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    amount_awarded = models.DecimalField(_("amount awarded"), **MONEY)
    awarded_on = models.DateField(_("awarded on"))
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    ward = models.ForeignKey(
        "places.Ward", null=True, blank=True, on_delete=models.SET_NULL, related_name="grants"
    )
    conditions = models.TextField(_("conditions of the award"), blank=True)
    exit_strategy = models.TextField(_("exit strategy"), blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    at_risk_flag = models.BooleanField(_("flagged at risk"), default=False)
    at_risk_reason = models.TextField(_("why it is at risk"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    exit_outcome = models.CharField(
        _("what happened after the funding"), max_length=12, choices=ExitOutcome.choices, blank=True
    )
    closure_report = models.TextField(_("closure report"), blank=True)

    class Meta:
        ordering = ["reference"]
        indexes = [models.Index(fields=["fund", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_awarded__gt=0), name="grant_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="grant_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(closed_on__isnull=False),
                name="grant_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("funding:grant_detail", kwargs={"public_id": self.public_id})


class Payment(PublicIdModel):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="payments")
    due_on = models.DateField(_("due"))
    amount = models.DecimalField(_("amount"), **MONEY)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=250, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive"),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(paid_on__isnull=False),
                name="payment_paid_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"£{self.amount:,} due {self.due_on:%d %b %Y}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.SCHEDULED and self.due_on < timezone.localdate()


class Milestone(PublicIdModel):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        MET = "met", _("Met")
        MISSED = "missed", _("Missed")

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=250)
    due_on = models.DateField(_("due"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    evidence = models.TextField(_("evidence"), blank=True)
    completed_on = models.DateField(_("met on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_late(self) -> bool:
        """Past its due date and not met. A missed milestone stays late: it was not delivered."""
        return self.status != self.Status.MET and self.due_on < timezone.localdate()


class MonitoringReturn(PublicIdModel):
    """What a grant holder reports for a period: a narrative, spend, and figures by indicator code."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="returns")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    narrative = models.TextField(_("what happened"))
    spend = models.DecimalField(_("spent in the period"), **MONEY)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-period_end"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="return_period_order",
            ),
            models.CheckConstraint(
                condition=models.Q(spend__gte=0), name="return_spend_not_negative"
            ),
            models.UniqueConstraint(
                fields=["grant", "period_start", "period_end"], name="return_one_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start:%d %b %Y} – {self.period_end:%d %b %Y}"


class ReturnFigure(TimeStampedModel):
    """One figure in a return. ``indicator_code`` is the stable code of an ``impact`` indicator."""

    monitoring_return = models.ForeignKey(
        MonitoringReturn, on_delete=models.CASCADE, related_name="figures"
    )
    indicator_code = models.CharField(
        _("indicator code"), max_length=64, validators=[validate_indicator_code], db_index=True
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=250, blank=True)

    class Meta:
        ordering = ["indicator_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["monitoring_return", "indicator_code"], name="figure_one_per_indicator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_code}: {self.value}"


class Variation(PublicIdModel):
    """A change to a grant after the award: more or less money, new dates, changed milestones."""

    class Kind(models.TextChoices):
        BUDGET = "budget", _("Change to the amount")
        TIMING = "timing", _("Change to the end date")
        MILESTONES = "milestones", _("Change to milestones")
        OTHER = "other", _("Other change")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="variations")
    kind = models.CharField(_("kind of change"), max_length=12, choices=Kind.choices)
    reason = models.TextField(_("what and why"))
    amount_change = models.DecimalField(
        _("change to the amount"),
        default=Decimal(0),
        help_text=_("Negative to reduce the grant."),
        **MONEY,
    )
    new_ends_on = models.DateField(_("new end date"), null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class FundraisingBid(PublicIdModel):
    """A host's bid to another funder, usually to keep organiser posts going after a grant ends."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Being written")
        SUBMITTED = "submitted", _("Submitted")
        AWARDED = "awarded", _("Awarded")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    host = models.ForeignKey(
        "programme.Organisation", on_delete=models.CASCADE, related_name="fundraising_bids"
    )
    funder_name = models.CharField(_("funder"), max_length=200)
    title = models.CharField(_("what the bid is for"), max_length=200)
    amount_requested = models.DecimalField(_("amount asked for"), **MONEY)
    match_funding = models.DecimalField(_("match funding"), default=Decimal(0), **MONEY)
    match_funding_source = models.CharField(_("match funding from"), max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    decision_expected_on = models.DateField(_("decision expected"), null=True, blank=True)
    amount_awarded = models.DecimalField(_("amount awarded"), null=True, blank=True, **MONEY)
    funding_starts_on = models.DateField(_("funding starts"), null=True, blank=True)
    funding_ends_on = models.DateField(_("funding ends"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["deadline", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_requested__gt=0), name="bid_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(match_funding__gte=0), name="bid_match_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="awarded") | models.Q(amount_awarded__isnull=False),
                name="bid_awarded_has_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(funding_ends_on__isnull=True)
                | models.Q(funding_starts_on__isnull=True)
                | models.Q(funding_ends_on__gte=models.F("funding_starts_on")),
                name="bid_funding_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder_name}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("funding:bid_update", kwargs={"public_id": self.public_id})

    @property
    def deadline_passed(self) -> bool:
        return (
            self.status == self.Status.PLANNED
            and self.deadline is not None
            and self.deadline < timezone.localdate()
        )


class PostFunding(PublicIdModel):
    """A share of an organiser post paid for by one source, for a period."""

    class Security(models.TextChoices):
        SECURED = "secured", _("Secured")
        PENDING = "pending", _("Bid pending")
        LOST = "lost", _("Not secured")

    organiser = models.ForeignKey(
        "programme.Organiser", on_delete=models.CASCADE, related_name="post_funding"
    )
    bid = models.ForeignKey(
        FundraisingBid,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="posts_funded",
    )
    grant = models.ForeignKey(
        Grant, null=True, blank=True, on_delete=models.CASCADE, related_name="posts_funded"
    )
    source_name = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("When the money is neither a bid nor a grant here, e.g. a national programme."),
    )
    share_percent = models.PositiveSmallIntegerField(
        _("share of the post (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))

    class Meta:
        ordering = ["ends_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share_percent__gte=1, share_percent__lte=100),
                name="post_funding_share_range",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="post_funding_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(bid__isnull=False)
                | models.Q(grant__isnull=False)
                | ~models.Q(source_name=""),
                name="post_funding_names_a_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organiser}: {self.source_label} ({self.share_percent}%)"

    @property
    def source_label(self) -> str:
        if self.bid_id:
            return str(self.bid)
        if self.grant_id:
            return str(self.grant)
        return self.source_name

    @cached_property
    def security(self) -> str:
        if self.bid_id:
            status = self.bid.status
            if status == FundraisingBid.Status.AWARDED:
                return self.Security.SECURED
            if status in {FundraisingBid.Status.PLANNED, FundraisingBid.Status.SUBMITTED}:
                return self.Security.PENDING
            return self.Security.LOST
        if self.grant_id and self.grant.status == Grant.Status.WITHDRAWN:
            return self.Security.LOST
        return self.Security.SECURED

    @property
    def security_label(self) -> str:
        return str(self.Security(self.security).label)


class PastGrantImport(TimeStampedModel):
    """One 360Giving file read in, with everything the reader reported about it."""

    file_name = models.CharField(max_length=250)
    sha256 = models.CharField(max_length=64, db_index=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    grant_count = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class PastGrant(TimeStampedModel):
    """A grant published by any funder in 360Giving, kept to see who already funds a place."""

    batch = models.ForeignKey(PastGrantImport, on_delete=models.CASCADE, related_name="grants")
    identifier = models.CharField(max_length=200, unique=True)
    title = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    currency = models.CharField(max_length=3, default="GBP")
    amount_awarded = models.DecimalField(max_digits=16, decimal_places=2)
    award_date = models.DateField(db_index=True)
    recipient_name = models.CharField(max_length=300)
    recipient_identifier = models.CharField(max_length=200, blank=True)
    funder_name = models.CharField(max_length=300)
    funder_identifier = models.CharField(max_length=200, blank=True, db_index=True)
    programme_title = models.CharField(max_length=300, blank=True)
    location_name = models.CharField(max_length=300, blank=True)
    location_code = models.CharField(max_length=60, blank=True, db_index=True)
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    record = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-award_date", "identifier"]

    def __str__(self) -> str:
        return f"{self.funder_name}: {self.title or self.identifier}"
