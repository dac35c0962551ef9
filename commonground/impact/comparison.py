"""Assemble a "did it make a difference?" comparison from stored figures and run it.

:mod:`commonground.impact.did` does the statistics on plain data; this module picks the data: the
indicator's yearly figures per LSOA (stored as measurements, e.g. loaded from FixMyStreet), the IMD
decile and rural-urban class of each LSOA from the places register, and which LSOAs had organisers
(they are left out of the comparison group unless asked otherwise).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from commonground.places.models import Lsoa

from . import did
from .models import Indicator, Measurement, ScopeKind


class ComparisonError(ValueError):
    """The comparison cannot be made as asked; the message says why in plain words."""


@dataclass(frozen=True, kw_only=True)
class ComparisonRequest:
    indicator: Indicator
    treated_codes: tuple[str, ...]
    start_year: int
    first_year: int | None = None
    last_year: int | None = None
    exclude_years: tuple[int, ...] = ()
    band_width: int = 1
    broad_class: bool = False
    same_authority: bool = True
    exclude_organised: bool = True
    exclude_codes: tuple[str, ...] = field(default=())


def yearly_series(
    indicator: Indicator, codes: Collection[str] | None = None
) -> dict[str, dict[int, float]]:
    """LSOA code -> {year: value} from whole-calendar-year measurements of the indicator."""
    rows = Measurement.objects.filter(
        indicator=indicator,
        for_lsoa__isnull=False,
        period_start__month=1,
        period_start__day=1,
        period_end__month=12,
        period_end__day=31,
    )
    if codes is not None:
        rows = rows.filter(for_lsoa__code__in=list(codes))
    series: dict[str, dict[int, float]] = defaultdict(dict)
    for code, start, end, value in rows.values_list(
        "for_lsoa__code", "period_start", "period_end", "value"
    ):
        if start.year == end.year:
            series[code][start.year] = float(value)
    return dict(series)


def indicators_with_lsoa_series() -> list[Indicator]:
    """Indicators that have yearly figures per LSOA, the only ones a comparison can use."""
    ids = (
        Measurement.objects.filter(scope_key__startswith=f"{ScopeKind.LSOA}:")
        .values_list("indicator_id", flat=True)
        .distinct()
    )
    return list(Indicator.objects.filter(pk__in=ids, is_active=True))


def organised_lsoa_codes() -> set[str]:
    """LSOAs in any neighbourhood that has, or had, an organiser."""
    return set(
        Lsoa.objects.filter(neighbourhoods__organisers__isnull=False)
        .values_list("code", flat=True)
        .distinct()
    )


def run(request: ComparisonRequest, *, n_bootstrap: int = 2000) -> did.DidResult:
    treated = set(request.treated_codes)
    if not treated:
        raise ComparisonError(_("Choose the LSOAs where organisers worked."))
    places = {
        lsoa.code: lsoa
        for lsoa in Lsoa.objects.filter(code__in=treated).only(
            "code", "authority_id", "imd_decile", "rural_urban_code"
        )
    }
    unknown = sorted(treated - places.keys())
    if unknown:
        raise ComparisonError(
            _("These are not LSOA codes in the register: %(codes)s.")
            % {"codes": ", ".join(unknown)}
        )
    series = yearly_series(request.indicator)
    missing = sorted(treated - series.keys())
    if missing:
        raise ComparisonError(
            _("“%(indicator)s” has no yearly figures for %(codes)s.")
            % {"indicator": request.indicator.name, "codes": ", ".join(missing)}
        )
    pool = Lsoa.objects.filter(code__in=list(series)).exclude(rural_urban_code="")
    if request.same_authority:
        pool = pool.filter(authority_id__in={lsoa.authority_id for lsoa in places.values()})
    attributes = {
        code: (decile, ruc)
        for code, decile, ruc in pool.values_list("code", "imd_decile", "rural_urban_code")
    }
    for code, lsoa in places.items():
        if not lsoa.rural_urban_code:
            raise ComparisonError(
                _("%(code)s has no rural-urban class, so similar places cannot be found.")
                % {"code": code}
            )
        attributes[code] = (lsoa.imd_decile, lsoa.rural_urban_code)
    exclude = set(request.exclude_codes)
    if request.exclude_organised:
        exclude |= organised_lsoa_codes()
    comparison = did.choose_comparison(
        treated,
        attributes,
        band_width=request.band_width,
        exclude=exclude,
        candidates=set(attributes) - treated,
        broad_class=request.broad_class,
    )
    try:
        return did.did_estimate(
            series,
            treated,
            comparison,
            request.start_year,
            first_year=request.first_year,
            last_year=request.last_year,
            exclude_years=set(request.exclude_years),
            n_bootstrap=n_bootstrap,
            reported_counts=request.indicator.counts_reports,
            indicator=request.indicator.name[:1].lower() + request.indicator.name[1:],
        )
    except ValueError as error:
        raise ComparisonError(
            _(
                "The comparison could not be made: %(reason)s. Widen the deprivation band, the years or the area searched."
            )
            % {"reason": str(error)}
        ) from error


def result_as_json(result: did.DidResult) -> dict[str, Any]:
    """What a saved comparison and a published report keep of a result."""

    def years(means: dict[int, float]) -> dict[str, float]:
        return {str(year): round(value, 4) for year, value in sorted(means.items())}

    return {
        "estimate": result.estimate,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "analytic_ci_low": result.analytic_ci_low,
        "analytic_ci_high": result.analytic_ci_high,
        "standard_error": result.standard_error,
        "placebo_p_value": result.placebo_p_value,
        "pre_trends_differ": result.pre_trends_differ,
        "n_treated": result.n_treated,
        "n_comparison": result.n_comparison,
        "treated_used": list(result.treated_used),
        "comparison_used": list(result.comparison_used),
        "dropped": list(result.dropped),
        "pre_years": list(result.pre_years),
        "post_years": list(result.post_years),
        "treated_means": years(result.treated_means),
        "comparison_means": years(result.comparison_means),
        "treated_pre_mean": result.treated_pre_mean,
        "treated_post_mean": result.treated_post_mean,
        "comparison_pre_mean": result.comparison_pre_mean,
        "comparison_post_mean": result.comparison_post_mean,
        "n_bootstrap": result.n_bootstrap,
        "seed": result.seed,
        "summary": result.summary,
        "caution_points": list(result.caution_points),
    }


def codes_from_text(text: str) -> tuple[str, ...]:
    """LSOA codes typed or pasted with any separators."""
    cleaned = text.replace(",", " ").replace(";", " ").split()
    return tuple(dict.fromkeys(code.strip().upper() for code in cleaned if code.strip()))


def years_from_text(text: str) -> tuple[int, ...]:
    years: list[int] = []
    for part in text.replace(",", " ").split():
        if not part.isdigit():
            raise ComparisonError(_("Years to leave out must be years, e.g. 2014 2018."))
        years.append(int(part))
    return tuple(sorted(set(years)))


def lsoa_codes_of(neighbourhoods: Iterable[Any]) -> tuple[str, ...]:
    return tuple(
        sorted({code for n in neighbourhoods for code in n.lsoas.values_list("code", flat=True)})
    )
