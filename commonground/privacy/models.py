"""Consent records and data-sharing agreements.

A resident's contact details exist only while a consent says they may (see ``listening``), and
personal data leaves the host that holds it only where a data-sharing agreement and the resident's
own consent both allow it. Both are kept here because every app that touches residents' data asks the
same two questions.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonground.core.models import PublicIdModel


class Consent(PublicIdModel):
    """What a resident agreed to, in the words they were shown, and how they can take it back."""

    class Purpose(models.TextChoices):
        FOLLOW_UP = "follow_up", _("Follow-up by the host organisation")
        REFERRAL = "referral", _("Referral to named partners")

    class LawfulBasis(models.TextChoices):
        CONSENT = "consent", _("Consent (UK GDPR article 6(1)(a))")

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("Spoken, face to face")
        PAPER = "paper", _("Signed on a paper sheet")
        PHONE = "phone", _("By phone")
        ONLINE = "online", _("Online")

    resident = models.ForeignKey(
        "listening.Resident", on_delete=models.CASCADE, related_name="consents"
    )
    host = models.ForeignKey(
        "programme.Organisation",
        on_delete=models.PROTECT,
        related_name="consents_held",
        help_text=_("The organisation the resident gave their consent to."),
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    lawful_basis = models.CharField(
        max_length=20, choices=LawfulBasis.choices, default=LawfulBasis.CONSENT
    )
    wording = models.TextField(help_text=_("The words the resident was shown or read."))
    wording_version = models.CharField(max_length=40, blank=True)
    explicit_special_category = models.BooleanField(
        _("explicit consent for special category information"),
        default=False,
        help_text=_(
            "The resident explicitly agreed that notes about their health, beliefs or similar may be "
            "kept with their name (UK GDPR article 9(2)(a))."
        ),
    )
    partners = models.ManyToManyField(
        "programme.Organisation",
        blank=True,
        related_name="consents_naming",
        help_text=_("For a referral: the partners the resident agreed may receive their details."),
    )
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.IN_PERSON)
    given_at = models.DateTimeField()
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who recorded it in the system."),
    )
    taken_by_name = models.CharField(
        max_length=150, help_text=_("The organiser who asked the resident.")
    )
    how_to_withdraw = models.TextField()
    conversation = models.ForeignKey(
        "listening.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consents",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawal_note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["resident", "withdrawn_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | models.Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} – {self.given_at:%d %b %Y}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


# What a data-sharing agreement can let a recipient see. Counts and themes by area are open to every
# partner already; these are the parts that identify a resident.
SHAREABLE_FIELDS: list[tuple[str, str]] = [
    ("name", _("Name")),
    ("email", _("E-mail address")),
    ("phone", _("Phone number")),
    ("address", _("Address and postcode")),
    ("exact_location", _("Exact location")),
    ("notes", _("What the resident said")),
    ("follow_ups", _("Follow-ups")),
]
SHAREABLE_FIELD_KEYS = frozenset(key for key, _label in SHAREABLE_FIELDS)


def validate_shared_fields(value: list[str]) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one field to share."))
    unknown = sorted(set(value) - SHAREABLE_FIELD_KEYS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be shared: %(fields)s."), params={"fields": ", ".join(unknown)}
        )


class DataSharingAgreement(PublicIdModel):
    """An agreement by which a host lets named organisations see some residents' personal data.

    It is necessary, not sufficient: a recipient sees a resident's details only where the resident also
    chose the "shareable with named partners" consent tier and named that recipient.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("In force")
        ENDED = "ended", _("Ended")

    title = models.CharField(max_length=200)
    provider = models.ForeignKey(
        "programme.Organisation",
        on_delete=models.PROTECT,
        related_name="sharing_agreements_given",
        help_text=_("The host that holds the data and shares it."),
    )
    recipients = models.ManyToManyField(
        "programme.Organisation",
        related_name="sharing_agreements_received",
        help_text=_("The organisations that may receive it."),
    )
    purpose = models.TextField()
    lawful_basis = models.CharField(
        max_length=200, help_text=_("E.g. consent of the resident for a referral.")
    )
    fields_shared = models.JSONField(default=list, validators=[validate_shared_fields])
    signed_on = models.DateField(null=True, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="sharing_agreement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("privacy:agreement_detail", kwargs={"public_id": self.public_id})

    def is_in_force(self, on: date | None = None) -> bool:
        today = on or timezone.localdate()
        return (
            self.status == self.Status.ACTIVE
            and self.starts_on <= today
            and (self.ends_on is None or self.ends_on >= today)
        )

    def shared_field_labels(self) -> list[str]:
        labels = dict(SHAREABLE_FIELDS)
        return [str(labels[key]) for key in self.fields_shared if key in labels]
