from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commonground.programme.models import Organisation

from .models import SHAREABLE_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


class DataSharingAgreementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    provider = forms.ModelChoiceField(
        label=_("Your organisation (which shares)"), queryset=Organisation.objects.none()
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("Organisations that may receive"),
        queryset=Organisation.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea)
    lawful_basis = forms.CharField(
        label=_("Lawful basis"), max_length=200, initial=_("Consent of the resident")
    )
    fields_shared = forms.MultipleChoiceField(
        label=_("What may be shared"), choices=SHAREABLE_FIELDS, widget=forms.CheckboxSelectMultiple
    )
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DateInput)
    starts_on = forms.DateField(label=_("In force from"), widget=DateInput)
    ends_on = forms.DateField(label=_("Until (optional)"), required=False, widget=DateInput)

    def __init__(self, *args: Any, providers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers


class ResidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, e-mail address, phone number or postcode"),
        max_length=150,
        required=False,
    )


class ErasureConfirmForm(forms.Form):
    preview = forms.CharField(widget=forms.HiddenInput)
    understood = forms.BooleanField(
        label=_("I understand that this cannot be undone"),
        error_messages={"required": _("Confirm that you understand this cannot be undone.")},
    )
