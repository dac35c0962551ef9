from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonground.core.uploads import looks_like_text
from commonground.places.models import Lsoa
from commonground.privacy.models import Consent
from commonground.programme.models import Organisation, Organiser

from .geography import normalise_postcode
from .models import (
    ANSWER_FIELDS,
    ConsentTier,
    Conversation,
    EqualityMonitoring,
    Ladder,
    Mode,
    Street,
)
from .services import ConversationInput, EqualityAnswers, FollowUpDetails, ResidentDetails


class DateInput(forms.DateInput):
    """A native date picker, which only accepts an ISO date as its value."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


def _blank_choice(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("Not answered")), *choices]


class ConversationForm(forms.Form):
    """The doorstep form, the correction form and the paper keying form are this one form.

    Field names match the API's, so the offline queue sends exactly what the form holds.
    """

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    organiser = forms.ModelChoiceField(
        label=_("Who listened"),
        queryset=Organiser.objects.none(),
        empty_label=None,
        to_field_name="public_id",
    )
    happened_on = forms.DateField(label=_("Date"), widget=DateInput)
    happened_time = forms.TimeField(label=_("Time"), widget=TimeInput)
    from_paper = forms.BooleanField(
        label=_("I am typing this in from a paper listening sheet"), required=False
    )
    mode = forms.ChoiceField(label=_("Where did you talk?"), choices=Mode.choices)
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=10)
    street = forms.CharField(label=_("Street"), required=False, max_length=150)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    keep_exact_location = forms.BooleanField(
        label=_("The resident agreed we keep the exact place (street, postcode or point)"),
        required=False,
        help_text=_("Otherwise only the neighbourhood is kept."),
    )
    loves = forms.CharField(
        label=_("What do they love about the area?"), required=False, widget=forms.Textarea
    )
    concerns = forms.CharField(
        label=_("What concerns them most?"), required=False, widget=forms.Textarea
    )
    ideas = forms.CharField(
        label=_("Their ideas for action"), required=False, widget=forms.Textarea
    )
    would_do = forms.CharField(
        label=_("What would they do themselves?"), required=False, widget=forms.Textarea
    )
    talk_to = forms.CharField(
        label=_("Who else should you talk to?"), required=False, widget=forms.Textarea
    )
    ladder = forms.ChoiceField(
        label=_("Ladder of involvement"), choices=Ladder.choices, initial=Ladder.LISTENED
    )
    special_category_flagged = forms.BooleanField(
        label=_("They told me about their health, beliefs, background or similar"),
        required=False,
        help_text=_(
            "Special category information. It is kept with a name only with explicit consent."
        ),
    )
    consent_tier = forms.ChoiceField(
        label=_("What did the resident agree to?"),
        choices=ConsentTier.choices,
        initial=ConsentTier.ANONYMOUS,
    )
    full_name = forms.CharField(label=_("Name"), required=False, max_length=150)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    phone = forms.CharField(label=_("Phone number"), required=False, max_length=30)
    address = forms.CharField(label=_("Address"), required=False, max_length=255)
    resident_postcode = forms.CharField(label=_("Their postcode"), required=False, max_length=10)
    shared_with = forms.ModelMultipleChoiceField(
        label=_("Partners they agreed their details may go to"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="slug",
    )
    contact_consent_given = forms.BooleanField(
        label=_("The resident agreed to the wording above"), required=False
    )
    special_category_consent = forms.BooleanField(
        label=_(
            "They explicitly agreed we keep their health, beliefs or background with their name"
        ),
        required=False,
    )
    follow_up = forms.CharField(label=_("Follow-up to do"), required=False, max_length=500)
    follow_up_due = forms.DateField(label=_("Follow-up due by"), required=False, widget=DateInput)
    age_band = forms.ChoiceField(
        label=_("Age"), required=False, choices=_blank_choice(EqualityMonitoring.AgeBand.choices)
    )
    ethnic_group = forms.ChoiceField(
        label=_("Ethnic group"),
        required=False,
        choices=_blank_choice(EqualityMonitoring.EthnicGroup.choices),
    )
    disability = forms.ChoiceField(
        label=_("Disabled, or a long-term health condition"),
        required=False,
        choices=_blank_choice(EqualityMonitoring.YesNo.choices),
    )
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=_blank_choice(EqualityMonitoring.Sex.choices)
    )
    carer = forms.ChoiceField(
        label=_("Looks after someone"),
        required=False,
        choices=_blank_choice(EqualityMonitoring.YesNo.choices),
    )
    reason = forms.CharField(
        label=_("What did you correct, and why?"), required=False, widget=forms.Textarea
    )

    RESIDENT_FIELDS = ("full_name", "email", "phone", "address", "resident_postcode")
    EQUALITY_FIELDS = EqualityMonitoring.QUESTIONS

    def __init__(
        self,
        *args: Any,
        organisers: Any,
        correcting: Conversation | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.correcting = correcting
        self.fields["organiser"].queryset = organisers
        partner_ids: set[int] = set()
        for organiser in organisers:
            partner_ids |= organiser.programme.organisation_ids() - {organiser.host_id}
        # Referrals go to services: the council and the public-service partners of the programme.
        self.fields["shared_with"].queryset = Organisation.objects.filter(
            pk__in=partner_ids,
            kind__in=[Organisation.Kind.COUNCIL, Organisation.Kind.PARTNER],
        ).order_by("name")
        if correcting is None:
            for name in ("reason",):
                del self.fields[name]
        else:
            for name in (
                "follow_up",
                "follow_up_due",
                "from_paper",
                *self.EQUALITY_FIELDS,
            ):
                del self.fields[name]
            self.fields["reason"].required = True
        if not self.is_bound and correcting is None:
            now = timezone.localtime()
            self.initial.setdefault("client_id", uuid.uuid4())
            # The shared field template writes values as they are, and date inputs need ISO text.
            self.initial.setdefault("happened_on", now.date().isoformat())
            self.initial.setdefault("happened_time", now.strftime("%H:%M"))
            self.initial.setdefault("mode", Mode.DOORSTEP)
            self.initial.setdefault("ladder", Ladder.LISTENED)
            self.initial.setdefault("consent_tier", ConsentTier.ANONYMOUS)
            first = organisers.first()
            if first is not None:
                self.initial.setdefault("organiser", first.public_id)

    @classmethod
    def initial_for(cls, conversation: Conversation) -> dict[str, Any]:
        moment = timezone.localtime(conversation.happened_at)
        return {
            "client_id": conversation.client_id,
            "organiser": conversation.organiser.public_id,
            "happened_on": moment.date().isoformat(),
            "happened_time": moment.strftime("%H:%M"),
            "mode": conversation.mode,
            "postcode": conversation.postcode,
            "street": conversation.street,
            "lon": conversation.lon,
            "lat": conversation.lat,
            "keep_exact_location": conversation.location_consent,
            **{name: getattr(conversation, name) for name in ANSWER_FIELDS},
            "ladder": conversation.ladder,
            "special_category_flagged": conversation.special_category_flagged,
            "special_category_consent": conversation.special_category_consent,
            "consent_tier": conversation.consent_tier,
            "shared_with": list(conversation.shared_with.all()),
        }

    def clean_postcode(self) -> str:
        value = self.cleaned_data.get("postcode", "").strip()
        if value and normalise_postcode(value) is None:
            raise ValidationError(_("Enter a full postcode, like BA2 1AB."))
        return normalise_postcode(value) or ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any((data.get(name) or "").strip() for name in ANSWER_FIELDS):
            self.add_error(
                "concerns",
                _("Write down what concerns them or what they love about the area."),
            )
        lon, lat = data.get("lon"), data.get("lat")
        if (lon is None) != (lat is None):
            self.add_error(None, _("The point on the map is incomplete; try again."))
        return data

    def happened_at(self) -> datetime:
        day, time = self.cleaned_data["happened_on"], self.cleaned_data["happened_time"]
        return timezone.make_aware(datetime.combine(day, time))

    def to_input(self) -> ConversationInput:
        data = self.cleaned_data
        details = ResidentDetails(
            full_name=data.get("full_name", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            address=data.get("address", ""),
            postcode=data.get("resident_postcode", ""),
        )
        follow_ups = []
        if data.get("follow_up", "").strip():
            follow_ups.append(FollowUpDetails(data["follow_up"], data.get("follow_up_due")))
        equality = None
        if self.correcting is None:
            equality = EqualityAnswers(
                **{name: data.get(name, "") for name in self.EQUALITY_FIELDS}
            )
        return ConversationInput(
            organiser=data["organiser"],
            happened_at=self.happened_at(),
            mode=data["mode"],
            postcode=data.get("postcode", ""),
            street=data.get("street", ""),
            lon=data.get("lon"),
            lat=data.get("lat"),
            keep_exact_location=data.get("keep_exact_location", False),
            **{name: data.get(name, "") for name in ANSWER_FIELDS},
            ladder=data["ladder"],
            consent_tier=data["consent_tier"],
            contact_consent_given=data.get("contact_consent_given", False),
            special_category_flagged=data.get("special_category_flagged", False),
            special_category_consent=data.get("special_category_consent", False),
            new_resident=details,
            shared_with=list(data.get("shared_with") or []),
            consent_method=Consent.Method.PAPER
            if data.get("from_paper")
            else Consent.Method.IN_PERSON,
            follow_ups=follow_ups,
            equality=equality,
            client_id=data["client_id"],
        )

    def add_service_errors(self, error: ValidationError) -> None:
        aliases = {"happened_at": "happened_on", "resident": "full_name", "lon": None}
        if hasattr(error, "error_dict"):
            for field_name, problems in error.message_dict.items():
                target = aliases.get(field_name, field_name)
                self.add_error(target if target in self.fields else None, problems)
        else:
            self.add_error(None, error.messages)


class FollowUpForm(forms.Form):
    description = forms.CharField(label=_("Follow-up to do"), max_length=500)
    due_on = forms.DateField(label=_("Due by"), required=False, widget=DateInput)


class ResidentForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), required=False, max_length=150)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    phone = forms.CharField(label=_("Phone number"), required=False, max_length=30)
    address = forms.CharField(label=_("Address"), required=False, max_length=255)
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=10)


class AssignmentForm(forms.Form):
    organiser = forms.ModelChoiceField(
        label=_("Organiser or volunteer"), queryset=Organiser.objects.none()
    )
    title = forms.CharField(label=_("Name of the patch"), max_length=150)
    starts_on = forms.DateField(label=_("From"), widget=DateInput)
    ends_on = forms.DateField(label=_("Until"), widget=DateInput)
    target_conversations = forms.IntegerField(label=_("Target: conversations"), min_value=1)
    target_doors = forms.IntegerField(
        label=_("Target: doors to knock (optional)"), min_value=1, required=False
    )
    lsoas = forms.ModelMultipleChoiceField(
        label=_("LSOAs"),
        queryset=Lsoa.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    streets = forms.ModelMultipleChoiceField(
        label=_("Streets"),
        queryset=Street.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, organisers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = organisers
        neighbourhood_ids = organisers.values_list("neighbourhoods", flat=True)
        lsoas = Lsoa.objects.filter(neighbourhoods__in=neighbourhood_ids).distinct()
        self.fields["lsoas"].queryset = lsoas.order_by("code")
        self.fields["streets"].queryset = Street.objects.filter(lsoa__in=lsoas).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end must be on or after the start."))
        if not data.get("lsoas") and not data.get("streets"):
            self.add_error("lsoas", _("Choose at least one LSOA or street."))
        return data


class DoorKnockForm(forms.Form):
    knocked_on = forms.DateField(label=_("Date"), widget=DateInput)
    doors_knocked = forms.IntegerField(label=_("Doors knocked"), min_value=1)
    doors_answered = forms.IntegerField(label=_("Doors answered"), min_value=0, initial=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        knocked, answered = data.get("doors_knocked"), data.get("doors_answered")
        if knocked is not None and answered is not None and answered > knocked:
            self.add_error("doors_answered", _("More doors were answered than knocked."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"), help_text=_("CSV or Excel (.xlsx), in the template's columns.")
    )
    default_organiser = forms.ModelChoiceField(
        label=_("Who listened, for rows that do not say"),
        queryset=Organiser.objects.none(),
        required=False,
    )
    from_paper = forms.BooleanField(
        label=_("These rows were typed in from paper listening sheets"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, organisers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_organiser"].queryset = organisers

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not (name.endswith(".csv") or name.endswith(".xlsx")):
            raise ValidationError(_("The file must be a .csv or .xlsx spreadsheet."))
        if upload.size > 50 * 1024 * 1024:
            raise ValidationError(_("The file is larger than 50 MB; split it into parts."))
        upload.seek(0)
        head = upload.read(4096)
        upload.seek(0)
        if not _content_matches(name, head):
            raise ValidationError(
                _(
                    "The file does not contain what its name says. Save it again from your "
                    "spreadsheet as .xlsx or .csv and upload that."
                )
            )
        return upload


def _content_matches(name: str, head: bytes) -> bool:
    """The first bytes, not the name, decide: a workbook is a zip; a CSV is text, not a program."""
    if name.endswith(".xlsx"):
        return head.startswith(b"PK\x03\x04")
    if head.startswith((b"MZ", b"\x7fELF", b"PK\x03\x04", b"%PDF")):
        return False
    return looks_like_text(head)


class MergeForm(forms.Form):
    keep = forms.UUIDField(widget=forms.HiddenInput)
    merge = forms.UUIDField(widget=forms.HiddenInput)
