"""Residents, conversations and how they were recorded.

Public surface for other apps (stable; add, do not rename):

* :class:`Conversation` – one listening conversation. The row always holds the latest version; every
  version, the first included, is kept unchanged in :class:`ConversationVersion`. Text to analyse is
  in :data:`TAGGABLE_FIELDS` (``talk_to`` is left out: it names other people). ``version`` goes up by
  one with each correction, so anything derived from the text can tell when it is stale.
  Place: ``lsoa``, ``ward``, ``neighbourhood``, ``authority`` (any may be empty for a phone call).
  Counting: ``counts_toward_listened`` is maintained by :mod:`commonground.listening.counting`, the
  one home of the "residents listened to" rule.
* :class:`Resident` – contact details held by one host, only with a recorded consent.
* :class:`FollowUp`, :class:`CanvassAssignment`, :class:`DoorKnock`, :class:`ImportBatch`,
  :class:`EqualityMonitoring` (answers kept apart from anyone's name), :class:`Postcode`,
  :class:`Street`.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonground.core.models import PublicIdModel, TimeStampedModel


class Mode(models.TextChoices):
    DOORSTEP = "doorstep", _("On the doorstep")
    STREET = "street", _("In the street")
    EVENT = "event", _("At an event")
    PHONE = "phone", _("By phone")
    ONLINE = "online", _("Online")
    GROUP = "group", _("In a group")


class Ladder(models.TextChoices):
    """The ladder of involvement: how far a resident has come from being listened to."""

    LISTENED = "listened", _("Listened to")
    INTERESTED = "interested", _("Interested")
    ATTENDED = "attended", _("Attended something")
    VOLUNTEERING = "volunteering", _("Volunteering")
    LEADING = "leading", _("Leading")


class ConsentTier(models.TextChoices):
    ANONYMOUS = "anonymous", _("Anonymous – themes only")
    IDENTIFIED = "identified", _("Identified, for follow-up by this host")
    SHAREABLE = "shareable", _("Shareable with named partners for a referral")


class Source(models.TextChoices):
    FORM = "form", _("Capture form")
    OFFLINE = "offline", _("Capture form, kept on the phone offline and synced")
    API = "api", _("API")
    IMPORT = "import", _("Spreadsheet import")
    PAPER = "paper", _("Paper sheet, keyed in later")


class PlacePrecision(models.TextChoices):
    POINT = "point", _("A point on the map")
    POSTCODE = "postcode", _("A postcode")
    STREET = "street", _("A street")
    NONE = "none", _("No place (e.g. a phone call)")


ANSWER_FIELDS: tuple[str, ...] = ("loves", "concerns", "ideas", "would_do", "talk_to")
TAGGABLE_FIELDS: tuple[str, ...] = ("loves", "concerns", "ideas", "would_do")


class Postcode(models.Model):
    """A postcode and where it is. Loaded by the council (``load_postcodes``) or seeded in the demo."""

    class Source(models.TextChoices):
        ONSPD = "onspd", _("Loaded from an ONS postcode file")
        GP_PRACTICE = "gp_practice", _("A GP practice's postcode")
        SYNTHETIC = "synthetic", _("Synthetic demo postcode")

    code = models.CharField(
        max_length=8, unique=True, help_text=_("Upper case with one space, e.g. BA2 1AB.")
    )
    lon = models.FloatField()
    lat = models.FloatField()
    lsoa = models.ForeignKey(
        "places.Lsoa", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=20, choices=Source.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Street(models.Model):
    """A named street with a point on it, so a street can stand for a place and be canvassed."""

    name = models.CharField(max_length=150)
    locality = models.CharField(max_length=100, blank=True)
    lon = models.FloatField()
    lat = models.FloatField()
    lsoa = models.ForeignKey(
        "places.Lsoa", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "locality"]
        constraints = [
            models.UniqueConstraint(fields=["name", "locality"], name="street_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.locality}" if self.locality else self.name


class Resident(PublicIdModel):
    """A resident whose contact details a host holds because they consented.

    The ``*_key`` columns are normalised copies for spotting duplicates (same name and postcode, same
    e-mail or phone). A merged resident keeps its row, empty, pointing at the one it became.
    """

    host = models.ForeignKey(
        "programme.Organisation", on_delete=models.PROTECT, related_name="residents"
    )
    full_name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    postcode = models.CharField(_("postcode"), max_length=8, blank=True)
    lsoa = models.ForeignKey(
        "places.Lsoa", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name_key = models.CharField(max_length=150, blank=True, editable=False)
    postcode_key = models.CharField(max_length=8, blank=True, editable=False)
    email_key = models.CharField(max_length=254, blank=True, editable=False)
    phone_key = models.CharField(max_length=30, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    contact_removed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When contact details were removed (consent withdrawn).")
    )

    class Meta:
        ordering = ["full_name", "id"]
        indexes = [
            models.Index(fields=["host", "email_key"]),
            models.Index(fields=["host", "phone_key"]),
            models.Index(fields=["host", "name_key", "postcode_key"]),
        ]

    def __str__(self) -> str:
        return self.full_name or str(_("Resident without a name"))

    def get_absolute_url(self) -> str:
        return reverse("listening:resident_detail", kwargs={"public_id": self.public_id})

    @property
    def has_contact_details(self) -> bool:
        return bool(self.email or self.phone or self.address)

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None


class CanvassAssignment(PublicIdModel):
    """Streets or LSOAs a host manager gives an organiser or volunteer for a period, with a target."""

    host = models.ForeignKey(
        "programme.Organisation", on_delete=models.PROTECT, related_name="canvass_assignments"
    )
    organiser = models.ForeignKey(
        "programme.Organiser", on_delete=models.PROTECT, related_name="canvass_assignments"
    )
    title = models.CharField(max_length=150)
    starts_on = models.DateField()
    ends_on = models.DateField()
    lsoas = models.ManyToManyField("places.Lsoa", blank=True, related_name="+")
    streets = models.ManyToManyField(Street, blank=True, related_name="assignments")
    target_conversations = models.PositiveIntegerField(
        help_text=_("Conversations to have in this patch in the period.")
    )
    target_doors = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="assignment_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("listening:assignment_detail", kwargs={"public_id": self.public_id})


class DoorKnock(TimeStampedModel):
    """Doors knocked in a session on an assignment: the effort behind the conversations."""

    assignment = models.ForeignKey(
        CanvassAssignment, on_delete=models.CASCADE, related_name="door_knocks"
    )
    knocked_on = models.DateField()
    doors_knocked = models.PositiveIntegerField()
    doors_answered = models.PositiveIntegerField(default=0)
    street = models.ForeignKey(
        Street, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-knocked_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(doors_answered__lte=models.F("doors_knocked")),
                name="doorknock_answered_not_more_than_knocked",
            )
        ]


class ImportBatch(PublicIdModel):
    """One uploaded spreadsheet: checked first, then imported whole or not at all."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Waiting to be checked")
        CHECKED = "checked", _("Checked – ready to import")
        INVALID = "invalid", _("Has problems – nothing imported")
        IMPORTING = "importing", _("Importing")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed – nothing imported")

    host = models.ForeignKey(
        "programme.Organisation", on_delete=models.PROTECT, related_name="listening_imports"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_organiser = models.ForeignKey(
        "programme.Organiser",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who listened, for rows that do not name an organiser."),
    )
    file = models.FileField(upload_to="listening/imports/", blank=True)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    from_paper = models.BooleanField(
        default=True, help_text=_("The rows were keyed in from paper listening sheets.")
    )
    consent_wording = models.TextField(
        blank=True, help_text=_("The consent wording printed on the sheets residents agreed to.")
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPLOADED)
    row_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    already_there_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("listening:import_detail", kwargs={"public_id": self.public_id})


class Conversation(PublicIdModel):
    """A listening conversation as it stands now; see the module docstring for the contract."""

    client_id = models.UUIDField(
        unique=True,
        default=uuid.uuid4,
        help_text=_("Made by the device that recorded it, so a retried sync is recognised."),
    )
    host = models.ForeignKey(
        "programme.Organisation", on_delete=models.PROTECT, related_name="conversations"
    )
    programme = models.ForeignKey(
        "programme.Programme", on_delete=models.PROTECT, related_name="conversations"
    )
    programme_year = models.PositiveSmallIntegerField(
        help_text=_("The calendar year in which the programme year it falls in began.")
    )
    organiser = models.ForeignKey(
        "programme.Organiser", on_delete=models.PROTECT, related_name="conversations"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who entered it, which for paper sheets may not be who listened."),
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FORM)
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    happened_at = models.DateTimeField()
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.DOORSTEP)

    lsoa = models.ForeignKey(
        "places.Lsoa", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ward = models.ForeignKey(
        "places.Ward", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    neighbourhood = models.ForeignKey(
        "places.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    authority = models.ForeignKey(
        "places.LocalAuthority", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place_precision = models.CharField(
        max_length=10, choices=PlacePrecision.choices, default=PlacePrecision.NONE
    )
    place_needs_review = models.BooleanField(
        default=False,
        help_text=_("The place given could not be found; the organiser should correct it."),
    )
    location_consent = models.BooleanField(
        _("resident agreed we keep the exact place"), default=False
    )
    postcode = models.CharField(max_length=8, blank=True)
    street = models.CharField(max_length=150, blank=True)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)

    loves = models.TextField(_("what they love about the area"), blank=True)
    concerns = models.TextField(_("what concerns them most"), blank=True)
    ideas = models.TextField(_("their ideas for action"), blank=True)
    would_do = models.TextField(_("what they would do themselves"), blank=True)
    talk_to = models.TextField(_("who else to talk to"), blank=True)
    ladder = models.CharField(
        _("ladder of involvement"), max_length=15, choices=Ladder.choices, default=Ladder.LISTENED
    )

    consent_tier = models.CharField(
        max_length=10, choices=ConsentTier.choices, default=ConsentTier.ANONYMOUS
    )
    shared_with = models.ManyToManyField(
        "programme.Organisation", blank=True, related_name="conversations_shared_with"
    )
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="conversations"
    )
    name_withheld = models.BooleanField(
        default=False,
        help_text=_(
            "Contact details were given but not stored: the notes hold special category "
            "information and there was no explicit consent."
        ),
    )
    special_category_flagged = models.BooleanField(
        _("organiser marked special category information"), default=False
    )
    special_category_detected = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Kinds of special category information the automatic check found."),
    )
    special_category = models.BooleanField(default=False, db_index=True)
    special_category_consent = models.BooleanField(default=False)

    counts_toward_listened = models.BooleanField(default=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-happened_at", "-id"]
        indexes = [
            models.Index(fields=["host", "-happened_at"]),
            models.Index(fields=["organiser", "-happened_at"]),
            models.Index(fields=["lsoa", "happened_at"]),
            models.Index(fields=["authority", "happened_at"]),
            models.Index(fields=["programme", "programme_year", "counts_toward_listened"]),
            models.Index(fields=["resident", "programme", "programme_year"]),
            # Who listened in an area (the area evidence filter): one probe per organiser.
            models.Index(fields=["lsoa", "organiser"]),
            models.Index(fields=["ward", "organiser"]),
            models.Index(fields=["authority", "organiser"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="conversation_exact_place_needs_consent",
                condition=models.Q(location_consent=True)
                | (
                    models.Q(lon__isnull=True, lat__isnull=True, street="")
                    & (models.Q(postcode="") | models.Q(place_needs_review=True))
                ),
            ),
            models.CheckConstraint(
                name="conversation_resident_only_when_identified",
                condition=(models.Q(consent_tier="anonymous") & models.Q(resident__isnull=True))
                | (~models.Q(consent_tier="anonymous") & models.Q(resident__isnull=False)),
            ),
            models.CheckConstraint(
                name="conversation_special_category_name_needs_explicit_consent",
                condition=models.Q(special_category=False)
                | models.Q(resident__isnull=True)
                | models.Q(special_category_consent=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {timezone.localtime(self.happened_at):%d %b %Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("listening:conversation_detail", kwargs={"public_id": self.public_id})

    def answers(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in ANSWER_FIELDS}

    @property
    def text(self) -> str:
        """What the resident said, for theme tagging: the taggable answers joined, blanks left out."""
        return "\n".join(
            value.strip() for value in (getattr(self, f) for f in TAGGABLE_FIELDS) if value.strip()
        )

    @property
    def is_anonymous(self) -> bool:
        return self.consent_tier == ConsentTier.ANONYMOUS

    @property
    def special_category_found_labels(self) -> list[str]:
        from .special_category import CATEGORY_LABELS

        return [str(CATEGORY_LABELS.get(key, key)) for key in self.special_category_detected]


class ConversationVersion(models.Model):
    """One version of a conversation, never changed after it is written.

    ``data`` is a snapshot of every field a person can correct, with places and people referred to by
    their public codes, so the history reads the same even after the records it names change.
    """

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    data = models.JSONField()
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["conversation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "number"], name="conversation_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"Version {self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ValueError("A conversation version is never changed; record a new version.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class FollowUp(PublicIdModel):
    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="follow_ups"
    )
    description = models.CharField(max_length=500)
    due_on = models.DateField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        "programme.Organiser",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["assigned_to", "status", "due_on"])]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )


class EqualityMonitoring(models.Model):
    """Voluntary equality answers, kept apart from anyone's name and only ever counted in aggregate.

    There is deliberately no link to a resident or a conversation, a random primary key (so rows cannot
    be matched to conversations by the order they were written) and only the month they were given.
    """

    class AgeBand(models.TextChoices):
        UNDER_18 = "under_18", _("Under 18")
        AGE_18_24 = "18_24", _("18 to 24")
        AGE_25_34 = "25_34", _("25 to 34")
        AGE_35_49 = "35_49", _("35 to 49")
        AGE_50_64 = "50_64", _("50 to 64")
        AGE_65_79 = "65_79", _("65 to 79")
        AGE_80_PLUS = "80_plus", _("80 or over")
        PREFER_NOT = "prefer_not", _("Prefer not to say")

    class EthnicGroup(models.TextChoices):
        ASIAN = "asian", _("Asian or Asian British")
        BLACK = "black", _("Black, Black British, Caribbean or African")
        MIXED = "mixed", _("Mixed or multiple ethnic groups")
        WHITE = "white", _("White")
        OTHER = "other", _("Another ethnic group")
        PREFER_NOT = "prefer_not", _("Prefer not to say")

    class YesNo(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        PREFER_NOT = "prefer_not", _("Prefer not to say")

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Another way")
        PREFER_NOT = "prefer_not", _("Prefer not to say")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    host = models.ForeignKey("programme.Organisation", on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey("programme.Programme", on_delete=models.PROTECT, related_name="+")
    programme_year = models.PositiveSmallIntegerField()
    month = models.DateField(help_text=_("The first day of the month the answers were given."))
    lsoa = models.ForeignKey(
        "places.Lsoa", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    age_band = models.CharField(max_length=12, choices=AgeBand.choices, blank=True)
    ethnic_group = models.CharField(max_length=12, choices=EthnicGroup.choices, blank=True)
    disability = models.CharField(max_length=12, choices=YesNo.choices, blank=True)
    sex = models.CharField(max_length=12, choices=Sex.choices, blank=True)
    carer = models.CharField(max_length=12, choices=YesNo.choices, blank=True)

    class Meta:
        indexes = [models.Index(fields=["programme", "programme_year"])]

    QUESTIONS: tuple[str, ...] = ("age_band", "ethnic_group", "disability", "sex", "carer")

    def __str__(self) -> str:
        return "Equality monitoring answers"


def programme_year_of(day: date, *, year_starts_month: int) -> int:
    """The calendar year in which the programme year containing ``day`` began."""
    return day.year if day.month >= year_starts_month else day.year - 1
