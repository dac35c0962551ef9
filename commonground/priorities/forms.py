from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from commonground.places.models import DOMAINS, SUPPLEMENTARY, LocalAuthority

from .need import DomainScale, PlanningInputError
from .planning import MAX_TIME_LIMIT_SECONDS, PlacementPolicy, PlanParameters
from .services import INLINE_TIME_LIMIT_SECONDS

DOMAIN_CHOICES = [(key, label) for key, label in DOMAINS + SUPPLEMENTARY]


class NeedBasis:
    IMD = "imd"
    DOMAINS = "domains"
    CHOICES = [
        (IMD, _("The Index of Multiple Deprivation 2019 score (the usual choice)")),
        (DOMAINS, _("The deprivation domains I weight below")),
    ]


class PlanForm(forms.Form):
    """The planner's choices; `parameters()` turns them into the `PlanParameters` the core uses."""

    authority = forms.ModelChoiceField(
        label=_("Local authority"),
        queryset=LocalAuthority.objects.none(),
        to_field_name="code",
        empty_label=None,
    )
    organisers = forms.IntegerField(
        label=_("Number of organisers to place"),
        min_value=1,
        max_value=500,
        initial=5,
        error_messages={
            "required": _("Enter how many organisers to place."),
            "min_value": _("Plan for at least 1 organiser."),
            "max_value": _("Plan for at most 500 organisers at a time."),
            "invalid": _("Enter the number of organisers as a whole number, like 5."),
        },
    )
    min_population = forms.IntegerField(
        label=_("Smallest patch (residents)"),
        min_value=0,
        initial=2_000,
        error_messages={
            "required": _("Enter the smallest number of residents a patch may hold."),
            "min_value": _("A patch population cannot be negative."),
            "invalid": _("Enter the smallest patch as a whole number of residents."),
        },
    )
    max_population = forms.IntegerField(
        label=_("Largest patch (residents)"),
        min_value=0,
        initial=3_000,
        error_messages={
            "required": _("Enter the largest number of residents a patch may hold."),
            "min_value": _("A patch population cannot be negative."),
            "invalid": _("Enter the largest patch as a whole number of residents."),
        },
    )
    need_basis = forms.ChoiceField(
        label=_("Measure deprivation by"),
        choices=NeedBasis.CHOICES,
        initial=NeedBasis.IMD,
        widget=forms.RadioSelect,
    )
    domain_scale = forms.ChoiceField(
        label=_("How domain ranks are put on one scale"),
        choices=[
            (
                DomainScale.EXPONENTIAL.value,
                _("As the IMD itself does (stretches the most deprived tenth)"),
            ),
            (DomainScale.LINEAR.value, _("Evenly by rank")),
            (
                DomainScale.DECILE.value,
                _("By decile only, as a spreadsheet sorted by decile sees it"),
            ),
        ],
        initial=DomainScale.EXPONENTIAL.value,
        required=False,
    )
    new_community_multiplier = forms.FloatField(
        label=_("New or growing communities count for"),
        min_value=0,
        max_value=10,
        initial=1.0,
        help_text=_("1 means no bonus; 1.5 counts their need half as much again."),
    )
    connector_multiplier = forms.FloatField(
        label=_("Areas near a GP practice with a community connector count for"),
        min_value=0,
        max_value=10,
        initial=1.0,
        help_text=_(
            "An area is near when the practice is in it or in a neighbouring area. 1 means no bonus."
        ),
    )
    theme_bonus = forms.FloatField(
        label=_("Bonus for themes heard"),
        min_value=0,
        max_value=10,
        initial=0.0,
        required=False,
        help_text=_(
            "0.5 gives the area where the chosen themes were raised most half as much need again, "
            "and other areas in proportion."
        ),
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"), choices=[], required=False, widget=forms.CheckboxSelectMultiple
    )
    placements = forms.ChoiceField(
        label=_("Areas where an organiser is placed now"),
        choices=[
            (PlacementPolicy.EXCLUDE.value, _("Leave them out of every patch")),
            (PlacementPolicy.DISCOUNT.value, _("Count their need for less")),
            (PlacementPolicy.IGNORE.value, _("Treat them like any other area")),
        ],
        initial=PlacementPolicy.EXCLUDE.value,
        widget=forms.RadioSelect,
    )
    covered_multiplier = forms.FloatField(
        label=_("When counted for less, their need counts for"),
        min_value=0,
        max_value=1,
        initial=0.5,
        required=False,
        help_text=_("0.5 counts half their need."),
    )
    time_limit_seconds = forms.IntegerField(
        label=_("Time limit (seconds)"),
        min_value=1,
        max_value=int(MAX_TIME_LIMIT_SECONDS),
        initial=int(INLINE_TIME_LIMIT_SECONDS),
        help_text=_(
            "Plans for one authority usually take well under a second. With a limit of "
            "%(seconds)s seconds or less the plan is made while you wait; with a longer limit it "
            "runs in the background and this site shows its progress."
        )
        % {"seconds": int(INLINE_TIME_LIMIT_SECONDS)},
    )

    def __init__(
        self,
        *args: Any,
        authorities: QuerySet[LocalAuthority],
        themes: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities
        self.fields["themes"].choices = [(theme, theme) for theme in themes or []]
        for key, label in DOMAIN_CHOICES:
            self.fields[f"weight_{key}"] = forms.FloatField(
                label=label,
                min_value=0,
                max_value=100,
                required=False,
                error_messages={
                    "min_value": _("A domain weight must be zero or more."),
                    "invalid": _("Enter a domain weight as a number, like 1 or 0.5."),
                },
            )

    def domain_weight_fields(self) -> list[forms.BoundField]:
        return [self[f"weight_{key}"] for key, _label in DOMAIN_CHOICES]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("min_population"), data.get("max_population")
        if low is not None and high is not None:
            if high == 0:
                self.add_error(
                    "max_population",
                    _(
                        "The population range is empty: the largest patch must hold more than 0 people."
                    ),
                )
            elif low > high:
                self.add_error(
                    "max_population",
                    _(
                        "The largest patch must be at least the smallest: %(low)s is more than %(high)s."
                    )
                    % {"low": f"{low:,}", "high": f"{high:,}"},
                )
        if data.get("need_basis") == NeedBasis.DOMAINS:
            weights = {key: data.get(f"weight_{key}") or 0.0 for key, _label in DOMAIN_CHOICES}
            if not any(weights.values()):
                self.add_error(
                    "weight_income",
                    _(
                        "Give at least one deprivation domain a weight above 0, or measure by the IMD score."
                    ),
                )
        if not self.errors:
            try:
                self.parameters().check()
            except PlanningInputError as error:
                raise forms.ValidationError(str(error)) from error
        return data

    def parameters(self) -> PlanParameters:
        data = self.cleaned_data
        domain_weights = None
        if data.get("need_basis") == NeedBasis.DOMAINS:
            domain_weights = {
                key: float(data.get(f"weight_{key}") or 0.0)
                for key, _label in DOMAIN_CHOICES
                if data.get(f"weight_{key}")
            }
        covered = data.get("covered_multiplier")
        return PlanParameters(
            organisers=data["organisers"],
            min_population=data["min_population"],
            max_population=data["max_population"],
            domain_weights=domain_weights,
            domain_scale=data.get("domain_scale") or DomainScale.EXPONENTIAL.value,
            new_community_multiplier=data["new_community_multiplier"],
            connector_multiplier=data["connector_multiplier"],
            theme_bonus=data.get("theme_bonus") or 0.0,
            themes=tuple(data.get("themes") or ()),
            placements=data["placements"],
            covered_multiplier=0.5 if covered is None else covered,
            time_limit_seconds=float(data["time_limit_seconds"]),
        )

    @staticmethod
    def initial_from(parameters: PlanParameters, authority: LocalAuthority) -> dict[str, Any]:
        """Form values that reproduce a scenario's parameters, for "change this plan"."""
        initial: dict[str, Any] = {
            "authority": authority.code,
            "organisers": parameters.organisers,
            "min_population": parameters.min_population,
            "max_population": parameters.max_population,
            "need_basis": NeedBasis.DOMAINS if parameters.domain_weights else NeedBasis.IMD,
            "domain_scale": parameters.domain_scale,
            "new_community_multiplier": parameters.new_community_multiplier,
            "connector_multiplier": parameters.connector_multiplier,
            "theme_bonus": parameters.theme_bonus,
            "themes": list(parameters.themes),
            "placements": parameters.placements,
            "covered_multiplier": parameters.covered_multiplier,
            "time_limit_seconds": int(parameters.time_limit_seconds),
        }
        for key, weight in (parameters.domain_weights or {}).items():
            initial[f"weight_{key}"] = weight
        return initial


class SaveScenarioForm(forms.Form):
    name = forms.CharField(
        label=_("Name this scenario"),
        max_length=120,
        help_text=_("For example: Five organisers, health weighted"),
        error_messages={"required": _("Enter a name for the scenario.")},
    )
    notes = forms.CharField(label=_("Notes (optional)"), required=False, widget=forms.Textarea)


class AcceptPatchForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the new neighbourhood"),
        max_length=120,
        error_messages={"required": _("Enter a name for the new neighbourhood.")},
    )


class MarkPracticesForm(forms.Form):
    """Which of the authority's open practices host a community connector."""

    practices = forms.MultipleChoiceField(
        label=_("GP practices with a community connector"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["practices"].choices = choices


class MarkCommunitiesForm(forms.Form):
    """Which of the authority's LSOAs are new or growing communities."""

    lsoas = forms.MultipleChoiceField(
        label=_("LSOAs with new housing being built"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lsoas"].choices = choices
