from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.places.models import LocalAuthority, Neighbourhood

from .models import Commitment, Organisation, Organiser, TrainingRecord, validate_org_id


class DateInput(forms.DateInput):
    input_type = "date"


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of organisation"), choices=Organisation.Kind.choices)
    org_id = forms.CharField(
        label=_("org-id identifier"),
        required=False,
        max_length=60,
        validators=[validate_org_id],
        help_text=_(
            "Optional. From org-id.guide, e.g. GB-CHC-1078551 for a registered charity or GB-COH-01234567 for a company."
        ),
    )
    authority = forms.ModelChoiceField(
        label=_("Local authority"),
        queryset=LocalAuthority.objects.exclude(boundary=""),
        required=False,
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)


class OrganiserForm(forms.ModelForm):
    neighbourhoods = forms.ModelMultipleChoiceField(
        label=_("Neighbourhoods"),
        queryset=Neighbourhood.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organiser
        fields = [
            "full_name",
            "stage",
            "placement_starts_on",
            "placement_ends_on",
            "listening_target",
        ]
        widgets = {"placement_starts_on": DateInput(), "placement_ends_on": DateInput()}


class SupervisionNoteForm(forms.Form):
    met_on = forms.DateField(label=_("Date of supervision"), widget=DateInput())
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea,
        help_text=_("Seen only by the organiser and their host's managers."),
    )


class TrainingRecordForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["title", "level", "provider", "due_on", "completed_on", "status"]
        widgets = {"due_on": DateInput(), "completed_on": DateInput()}


class CommitmentUpdateForm(forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ["status", "evidence"]
