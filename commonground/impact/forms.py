from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .comparison import ComparisonError, codes_from_text, years_from_text
from .models import Comparison, Indicator, validate_indicator_code
from .periods import programme_year_containing


class DateInput(forms.DateInput):
    input_type = "date"


def _scope_field(choices: list[tuple[str, list[tuple[str, str]]]], label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=[("", _("Choose…")), *choices])


def _organisation_field(organisations: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("On behalf of"),
        queryset=organisations,
        empty_label=None,
        help_text=_("The organisation whose figure, target or report this is."),
    )


class PeriodMixin(forms.Form):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end on or after the day it starts."))
        return cleaned


class IndicatorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        validators=[validate_indicator_code],
        help_text=_("Lower-case letters, digits and underscores. It can never be changed."),
    )
    name = forms.CharField(label=_("Name"), max_length=150)
    definition = forms.CharField(label=_("Definition"), widget=forms.Textarea)
    how_counted = forms.CharField(label=_("How it is counted"), widget=forms.Textarea)
    unit = forms.ChoiceField(label=_("Unit"), choices=Indicator.Unit.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Indicator.Direction.choices)
    method = forms.ChoiceField(
        label=_("How it is measured"),
        choices=[
            (Indicator.Method.ENTERED, Indicator.Method.ENTERED.label),
            (Indicator.Method.COMPUTED, Indicator.Method.COMPUTED.label),
        ],
    )
    aggregation = forms.ChoiceField(label=_("Over a period"), choices=Indicator.Aggregation.choices)
    source = forms.CharField(label=_("Where the figure comes from"), max_length=200, required=False)
    counts_reports = forms.BooleanField(
        label=_("It counts reports made by residents"), required=False
    )


class IndicatorEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    definition = forms.CharField(label=_("Definition"), widget=forms.Textarea)
    how_counted = forms.CharField(label=_("How it is counted"), widget=forms.Textarea)
    unit = forms.ChoiceField(label=_("Unit"), choices=Indicator.Unit.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Indicator.Direction.choices)
    aggregation = forms.ChoiceField(label=_("Over a period"), choices=Indicator.Aggregation.choices)
    source = forms.CharField(label=_("Where the figure comes from"), max_length=200, required=False)
    counts_reports = forms.BooleanField(
        label=_("It counts reports made by residents"), required=False
    )
    is_active = forms.BooleanField(label=_("In use"), required=False)


class MeasurementForm(PeriodMixin):
    def __init__(
        self, *args: Any, scope_choices: Any, organisations: Any, unit: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"] = _scope_field(scope_choices, _("What the figure is for"))
        self.fields["organisation"] = _organisation_field(organisations)
        if unit == Indicator.Unit.PERCENT:
            self.fields["value"].help_text = _("A percentage, e.g. 12.5 for 12.5%.")
        self.order_fields(["scope", "organisation"])

    period_start = forms.DateField(label=_("Period from"), widget=DateInput())
    period_end = forms.DateField(label=_("Period to"), widget=DateInput())
    value = forms.DecimalField(label=_("Figure"), max_digits=14, decimal_places=2, min_value=0)
    base = forms.IntegerField(
        label=_("People it rests on (optional)"),
        required=False,
        min_value=1,
        help_text=_("For a survey: how many people answered the question."),
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        widget=forms.Textarea,
        help_text=_("Where the figure comes from: the survey or source, who ran it and when."),
    )
    evidence_url = forms.URLField(
        label=_("Link to the evidence (optional)"), required=False, assume_scheme="https"
    )


class MeasurementCorrectForm(forms.Form):
    value = forms.DecimalField(label=_("Figure"), max_digits=14, decimal_places=2, min_value=0)
    base = forms.IntegerField(label=_("People it rests on (optional)"), required=False, min_value=1)
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea)
    evidence_url = forms.URLField(
        label=_("Link to the evidence (optional)"), required=False, assume_scheme="https"
    )
    reason = forms.CharField(
        label=_("Why it is being corrected"),
        max_length=300,
        help_text=_("Kept in the change log with the old figure."),
    )


class TargetForm(PeriodMixin):
    def __init__(self, *args: Any, scope_choices: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"] = _scope_field(scope_choices, _("What the target is for"))
        self.fields["organisation"] = _organisation_field(organisations)
        self.order_fields(["scope", "organisation"])

    period_start = forms.DateField(label=_("Period from"), widget=DateInput())
    period_end = forms.DateField(label=_("Period to"), widget=DateInput())
    value = forms.DecimalField(label=_("Target"), max_digits=14, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("Note (optional)"), max_length=250, required=False)


class ReportForm(PeriodMixin):
    def __init__(self, *args: Any, scope_choices: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"] = _scope_field(scope_choices, _("What the report covers"))
        self.fields["organisation"] = _organisation_field(organisations)
        self.order_fields(["title", "scope", "organisation"])
        if not self.is_bound:
            year = programme_year_containing(timezone.localdate())
            self.initial.setdefault("period_start", year.start)
            self.initial.setdefault("period_end", year.end)

    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = forms.DateField(label=_("Period from"), widget=DateInput())
    period_end = forms.DateField(label=_("Period to"), widget=DateInput())


class ReportEditForm(PeriodMixin):
    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = forms.DateField(label=_("Period from"), widget=DateInput())
    period_end = forms.DateField(label=_("Period to"), widget=DateInput())
    comparisons = forms.ModelMultipleChoiceField(
        label=_("“Did it make a difference?” comparisons to include"),
        queryset=Comparison.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, comparisons: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comparisons"].queryset = comparisons


class SectionForm(forms.Form):
    heading = forms.CharField(label=_("Heading"), max_length=150)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Plain text; leave a blank line between paragraphs."),
    )


class PublishForm(forms.Form):
    change_note = forms.CharField(
        label=_("What changed since the last version"),
        max_length=300,
        required=False,
        help_text=_("Needed from the second version on; shown with the version."),
    )


class ComparisonForm(forms.Form):
    """Read from the query string: the comparison page shows its result on the same page."""

    indicator = forms.ModelChoiceField(
        label=_("Indicator measured per LSOA each year"), queryset=Indicator.objects.none()
    )
    neighbourhood = forms.ModelChoiceField(
        label=_("Where organisers worked: a neighbourhood"),
        queryset=None,
        required=False,
        empty_label=_("None – I will list the LSOAs"),
    )
    lsoa_codes = forms.CharField(
        label=_("…or the LSOA codes"),
        required=False,
        help_text=_("Separated by spaces or commas, e.g. E01014461 E01014458."),
    )
    start_year = forms.IntegerField(
        label=_("Year the work began"),
        min_value=1990,
        max_value=2100,
        help_text=_("Years before it are ‘before’; it and later years are ‘after’."),
    )
    first_year = forms.IntegerField(label=_("First year to use (optional)"), required=False)
    last_year = forms.IntegerField(label=_("Last year to use (optional)"), required=False)
    exclude_years = forms.CharField(
        label=_("Years to leave out (optional)"),
        required=False,
        help_text=_("e.g. a year the way reports were made changed."),
    )
    band_width = forms.TypedChoiceField(
        label=_("How similar in deprivation"),
        coerce=int,
        initial=1,
        choices=[
            (0, _("The same IMD decile")),
            (1, _("Within one decile")),
            (2, _("Within two deciles")),
        ],
    )
    broad_class = forms.BooleanField(
        label=_("Match only urban or rural, not the exact rural-urban class"), required=False
    )
    same_authority = forms.BooleanField(
        label=_("Compare only with LSOAs in the same council"), required=False, initial=True
    )
    exclude_organised = forms.BooleanField(
        label=_("Leave out LSOAs where organisers have worked"), required=False, initial=True
    )

    def __init__(self, *args: Any, indicators: Any, neighbourhoods: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators
        self.fields["neighbourhood"].queryset = neighbourhoods

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        codes = codes_from_text(cleaned.get("lsoa_codes", ""))
        neighbourhood = cleaned.get("neighbourhood")
        if neighbourhood is not None:
            codes = tuple(
                sorted(set(codes) | set(neighbourhood.lsoas.values_list("code", flat=True)))
            )
        if not codes:
            self.add_error("lsoa_codes", _("Choose a neighbourhood or list the LSOA codes."))
        cleaned["treated_codes"] = codes
        try:
            cleaned["exclude_year_list"] = years_from_text(cleaned.get("exclude_years", ""))
        except ComparisonError as error:
            self.add_error("exclude_years", str(error))
        first, last = cleaned.get("first_year"), cleaned.get("last_year")
        if first and last and last < first:
            self.add_error("last_year", _("The last year must not be before the first."))
        return cleaned


class ComparisonSaveForm(forms.Form):
    title = forms.CharField(label=_("Title for the saved comparison"), max_length=200)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = _organisation_field(organisations)
