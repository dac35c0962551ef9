from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .areas import PERIOD_CHOICES, Period, parse_month, period_of
from .models import Invitation, Theme


def _families() -> Any:
    return Theme.objects.filter(parent__isnull=True, is_active=True).order_by("name")


class ThemeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    parent = forms.ModelChoiceField(
        label=_("Family"),
        queryset=Theme.objects.none(),
        required=False,
        empty_label=_("None – this is a family"),
        help_text=_("Themes sit inside a family; a family holds related themes."),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea,
        required=False,
        help_text=_("What the theme covers, so organisers tag it the same way."),
    )
    is_active = forms.BooleanField(
        label=_("In use"),
        required=False,
        initial=True,
        help_text=_("Themes no longer in use keep their past tags but are not offered or learned."),
    )

    def __init__(self, *args: Any, exclude: Theme | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        families = _families()
        if exclude is not None:
            families = families.exclude(pk=exclude.pk)
        self.fields["parent"].queryset = families


class EmergingNameForm(forms.Form):
    name = forms.CharField(label=_("Name for the new theme"), max_length=120)
    parent = forms.ModelChoiceField(
        label=_("Family"), queryset=Theme.objects.none(), required=False, empty_label=_("None")
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = _families()


class QuoteApproveForm(forms.Form):
    text = forms.CharField(
        label=_("Words to publish"),
        widget=forms.Textarea,
        max_length=400,
        help_text=_("Shorten or tidy if needed. Names, numbers and addresses must not appear."),
    )


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    day = forms.DateField(label=_("Date"), help_text=_("For example, 2026-12-03"))
    start = forms.TimeField(label=_("Start time"), help_text=_("For example, 18:30"))
    venue = forms.CharField(label=_("Where"), max_length=200)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    def meets_at(self) -> datetime:
        return timezone.make_aware(
            datetime.combine(self.cleaned_data["day"], self.cleaned_data["start"])
        )


class InvitationUpdateForm(forms.Form):
    response = forms.ChoiceField(label=_("Reply"), choices=Invitation.Response.choices)
    attended = forms.TypedChoiceField(
        label=_("Came"),
        choices=[("", _("Not known yet")), ("yes", _("Came")), ("no", _("Did not come"))],
        required=False,
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
    )


class EvidenceFilterForm(forms.Form):
    """Period, theme and organiser for an area page; everything optional, read from the query."""

    period = forms.ChoiceField(
        label=_("Period"),
        choices=[*PERIOD_CHOICES, ("custom", _("Months of my choosing"))],
        required=False,
        initial="12",
    )
    start = forms.CharField(
        label=_("From month"), required=False, help_text=_("For example, 2026-01")
    )
    end = forms.CharField(label=_("To month"), required=False, help_text=_("For example, 2026-06"))
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    organiser = forms.ChoiceField(label=_("Organiser"), required=False)

    def __init__(
        self,
        *args: Any,
        themes: list[tuple[str, str]] | None = None,
        organisers: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("All themes")), *(themes or [])]
        self.fields["organiser"].choices = [("", _("All organisers")), *(organisers or [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("period") == "custom":
            first = parse_month(data.get("start") or "")
            last = parse_month(data.get("end") or "")
            if first is None:
                self.add_error("start", _("Enter the first month as year-month, like 2026-01."))
            if last is None:
                self.add_error("end", _("Enter the last month as year-month, like 2026-06."))
            if first and last and last < first:
                self.add_error("end", _("The last month must not be before the first."))
        return data

    def chosen_period(self) -> Period:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        choice = data.get("period") or "12"
        if choice == "custom":
            first = parse_month(data.get("start") or "")
            last = parse_month(data.get("end") or "")
            if first and last:
                return Period(first, last)
            choice = "12"
        return period_of(int(choice))
