from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from commonground.accounts.models import User
from commonground.places.models import Ward
from commonground.programme.models import Organisation

from .attachments import allowed_extensions_text, check_upload
from .models import (
    MAX_ATTACHMENT_BYTES,
    Application,
    Attachment,
    Criterion,
    Fund,
    FundraisingBid,
    FundTheme,
    Grant,
    Milestone,
    Round,
    Variation,
    validate_indicator_code,
)
from .services import APPLICATION_FIELDS, BID_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


class MoneyField(forms.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        super().__init__(**kwargs)


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class FundForm(forms.ModelForm):
    class Meta:
        model = Fund
        fields = [
            "name",
            "code",
            "council",
            "programme",
            "source",
            "source_detail",
            "amount",
            "max_award",
            "description",
            "one_off",
            "invest_to_save",
            "exit_strategy_required",
            "milestones_required",
        ]

    def __init__(self, *args: Any, councils: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if councils is not None:
            self.fields["council"].queryset = councils
        self.fields["programme"].required = False


class ThemeForm(forms.ModelForm):
    class Meta:
        model = FundTheme
        fields = ["name", "description"]


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["name", "weight", "max_score", "guidance"]


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = ["name", "opens_on", "closes_on", "decision_by", "budget"]
        widgets = {"opens_on": DateInput(), "closes_on": DateInput(), "decision_by": DateInput()}


class ApplicationForm(forms.ModelForm):
    applicant = forms.ModelChoiceField(
        label=_("Applying organisation"), queryset=Organisation.objects.none()
    )

    class Meta:
        model = Application
        fields = list(APPLICATION_FIELDS)
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(
        self, *args: Any, funding_round: Round, applicants: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        fund = funding_round.fund
        self.fields["theme"].queryset = fund.themes.all()
        self.fields["theme"].required = fund.themes.exists()
        wards = Ward.objects.all()
        if fund.council.authority_id:
            wards = wards.filter(authority_id=fund.council.authority_id)
        self.fields["ward"].queryset = wards
        self.fields["match_funding"].required = False
        if applicants is None:
            del self.fields["applicant"]
        else:
            self.fields["applicant"].queryset = applicants
            if applicants.count() == 1:
                self.fields["applicant"].initial = applicants.first()
        help_texts = {
            "proposed_milestones": _(
                "One a line with its date, e.g. 'March 2027: first clean-up'."
            ),
            "exit_strategy": _("How the work carries on, or ends well, when the grant runs out."),
            "invest_to_save_case": _("Which public spending the project avoids, and how you know."),
            "match_funding": _("Money or in-kind support from elsewhere, in pounds."),
        }
        for name, text in help_texts.items():
            self.fields[name].help_text = text
        if fund.milestones_required:
            self.fields["proposed_milestones"].label = _("Proposed milestones (required)")
        if fund.exit_strategy_required:
            self.fields["exit_strategy"].label = _("Exit strategy (required)")
        if not fund.invest_to_save:
            del self.fields["invest_to_save_case"]
            del self.fields["expected_saving"]

    def clean_match_funding(self) -> Decimal:
        return self.cleaned_data.get("match_funding") or Decimal(0)

    def application_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in APPLICATION_FIELDS if name in self.fields}


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("What it is"), choices=Attachment.Kind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("%(types)s; up to %(size)s MB.")
        % {"types": allowed_extensions_text(), "size": MAX_ATTACHMENT_BYTES // (1024 * 1024)},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check_upload(upload.name, upload, upload.size)
        return upload


class AssignAssessorForm(forms.Form):
    assessor = forms.ModelChoiceField(label=_("Assessor"), queryset=User.objects.none())

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        already = application.assignments.values("assessor_id")
        self.fields["assessor"].queryset = (
            User.objects.filter(is_active=True, memberships__isnull=False)
            .exclude(memberships__organisation_id=application.applicant_id)
            .exclude(pk__in=already)
            .distinct()
            .order_by("full_name")
        )


class InterestForm(forms.Form):
    has_conflict = forms.ChoiceField(
        label=_("Do you have a conflict of interest with this application?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=_(
            "For example you, your family or a close friend work for, volunteer with or would "
            "benefit from the applicant."
        ),
    )
    note = forms.CharField(
        label=_("If yes, what is it?"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ScoreForm(forms.Form):
    """One score and one comment per criterion; saving keeps a draft, submitting makes it final."""

    def __init__(
        self,
        *args: Any,
        criteria: list[Criterion],
        initial_scores: dict[int, int],
        initial_comments: dict[int, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("%(name)s (weight %(weight)s)")
                % {"name": criterion.name, "weight": criterion.weight},
                choices=[("", _("Not scored yet"))]
                + [(str(n), str(n)) for n in range(criterion.max_score + 1)],
                coerce=int,
                empty_value=None,
                required=False,
                help_text=criterion.guidance,
                initial=initial_scores.get(criterion.pk),
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on %(name)s") % {"name": criterion.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=initial_comments.get(criterion.pk, ""),
            )

    def pairs(self) -> list[tuple[Criterion, Any, Any]]:
        return [
            (criterion, self[f"criterion_{criterion.pk}"], self[f"comment_{criterion.pk}"])
            for criterion in self.criteria
        ]

    def scores(self) -> dict[int, tuple[int | None, str]]:
        return {
            criterion.pk: (
                self.cleaned_data.get(f"criterion_{criterion.pk}"),
                self.cleaned_data.get(f"comment_{criterion.pk}", ""),
            )
            for criterion in self.criteria
        }


class ModerationForm(forms.Form):
    moderated_score = forms.DecimalField(
        label=_("Moderated score (out of 100)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=1,
    )
    note = forms.CharField(
        label=_("Why this score"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Especially where assessors disagreed."),
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[("award", _("Award a grant")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The applicant is told these."),
    )
    amount_awarded = MoneyField(label=_("Amount awarded"), required=False)
    conditions = forms.CharField(
        label=_("Conditions of the award"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    starts_on = forms.DateField(label=_("Grant starts"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("Grant ends"), required=False, widget=DateInput())


class PaymentForm(forms.Form):
    due_on = forms.DateField(label=_("Due"), widget=DateInput())
    amount = MoneyField(label=_("Amount"))
    note = forms.CharField(label=_("Note"), required=False, max_length=250)


class PaymentPaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on"]
        widgets = {"due_on": DateInput()}


class MilestoneUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Milestone.Status.choices)
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What shows it happened: an event's date and numbers, photographs, minutes."),
    )
    completed_on = forms.DateField(label=_("Met on"), required=False, widget=DateInput())


FIGURE_ROWS = 6


class MonitoringReturnForm(forms.Form):
    period_start = forms.DateField(label=_("Period from"), widget=DateInput())
    period_end = forms.DateField(label=_("Period to"), widget=DateInput())
    narrative = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Progress, what changed for residents, what was hard, what you learned."),
    )
    spend = forms.DecimalField(
        label=_("Spent in the period (£)"), min_value=0, max_digits=12, decimal_places=2
    )

    def __init__(
        self, *args: Any, indicators: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for number in range(1, FIGURE_ROWS + 1):
            if indicators:
                code_field: forms.Field = forms.ChoiceField(
                    label=_("Indicator %(n)s") % {"n": number},
                    choices=[("", _("Choose an indicator")), *indicators],
                    required=False,
                )
            else:
                code_field = forms.CharField(
                    label=_("Indicator code %(n)s") % {"n": number},
                    required=False,
                    validators=[validate_indicator_code],
                    help_text=_("e.g. residents_listened_to, volunteer_hours")
                    if number == 1
                    else "",
                )
            self.fields[f"code_{number}"] = code_field
            self.fields[f"value_{number}"] = forms.DecimalField(
                label=_("Figure %(n)s") % {"n": number},
                required=False,
                max_digits=14,
                decimal_places=2,
            )

    def figure_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"code_{n}"], self[f"value_{n}"]) for n in range(1, FIGURE_ROWS + 1)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        seen: set[str] = set()
        for number in range(1, FIGURE_ROWS + 1):
            code = cleaned.get(f"code_{number}") or ""
            value = cleaned.get(f"value_{number}")
            if code and value is None:
                self.add_error(
                    f"value_{number}", _("Give the figure for %(code)s.") % {"code": code}
                )
            if value is not None and not code:
                self.add_error(f"code_{number}", _("Say which indicator this figure is for."))
            if code and code in seen:
                self.add_error(f"code_{number}", _("%(code)s appears twice.") % {"code": code})
            seen.add(code)
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end after it starts."))
        return cleaned

    def figures(self) -> dict[str, tuple[Decimal, str]]:
        result: dict[str, tuple[Decimal, str]] = {}
        for number in range(1, FIGURE_ROWS + 1):
            code = self.cleaned_data.get(f"code_{number}")
            value = self.cleaned_data.get(f"value_{number}")
            if code and value is not None:
                result[code] = (value, "")
        return result


class VariationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of change"), choices=Variation.Kind.choices)
    reason = forms.CharField(label=_("What and why"), widget=forms.Textarea(attrs={"rows": 4}))
    amount_change = forms.DecimalField(
        label=_("Change to the amount (£)"),
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text=_("Negative to reduce the grant."),
    )
    new_ends_on = forms.DateField(label=_("New end date"), required=False, widget=DateInput())


class VariationDecisionForm(forms.Form):
    approve = forms.ChoiceField(
        label=_("Approve this variation?"), choices=YES_NO, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RiskForm(forms.Form):
    at_risk = forms.BooleanField(label=_("This grant is at risk"), required=False)
    reason = forms.CharField(
        label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput())
    exit_outcome = forms.ChoiceField(
        label=_("What happened after the funding"),
        choices=[("", _("Choose")), *Grant.ExitOutcome.choices],
        required=False,
    )
    closure_report = forms.CharField(
        label=_("Closure report"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "What the grant achieved against its milestones, and the exit strategy's outcome."
        ),
    )


class BidForm(forms.ModelForm):
    class Meta:
        model = FundraisingBid
        fields = list(BID_FIELDS)
        widgets = {
            "deadline": DateInput(),
            "decision_expected_on": DateInput(),
            "funding_starts_on": DateInput(),
            "funding_ends_on": DateInput(),
        }

    def __init__(self, *args: Any, hosts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["match_funding"].required = False
        self.fields["match_funding"].help_text = _(
            "Money already promised that this bid would add to, e.g. CIL or New Homes Bonus."
        )
        if hosts is not None:
            self.fields = {
                "host": forms.ModelChoiceField(
                    label=_("Organisation"), queryset=hosts, initial=hosts.first()
                ),
                **self.fields,
            }

    def clean_match_funding(self) -> Decimal:
        return self.cleaned_data.get("match_funding") or Decimal(0)

    def bid_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in BID_FIELDS}


class PostFundingForm(forms.Form):
    bid = forms.ModelChoiceField(
        label=_("A fundraising bid"), queryset=FundraisingBid.objects.none(), required=False
    )
    grant = forms.ModelChoiceField(
        label=_("A grant"), queryset=Grant.objects.none(), required=False
    )
    source_name = forms.CharField(
        label=_("Or another source"),
        required=False,
        max_length=200,
        help_text=_("e.g. the national Community Organisers programme."),
    )
    share_percent = forms.IntegerField(label=_("Share of the post (%)"), min_value=1, max_value=100)
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until"), widget=DateInput())

    def __init__(self, *args: Any, organiser: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bid"].queryset = FundraisingBid.objects.filter(host_id=organiser.host_id)
        self.fields["grant"].queryset = Grant.objects.filter(recipient_id=organiser.host_id)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        named = [
            bool(cleaned.get("bid")),
            bool(cleaned.get("grant")),
            bool(cleaned.get("source_name")),
        ]
        if sum(named) != 1:
            raise ValidationError(_("Name one source: a bid, a grant, or another source."))
        return cleaned


class PastGrantImportForm(forms.Form):
    file = forms.FileField(
        label=_("360Giving file"),
        help_text=_("JSON, CSV or Excel (.xlsx) as published on the 360Giving registry."),
    )
