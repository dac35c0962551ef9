"""Difference-in-differences for "did it make a difference?" questions about places.

Hosts and councils are asked whether organising changed something measured per LSOA (reports of
flytipping, anti-social behaviour, use of a service). A before-and-after figure for the organised
patch alone cannot answer that, because everything else changes over the years too. Comparing
the change in the organised LSOAs with the change in similar LSOAs where nobody organised takes
out what the two groups share (city-wide trends, a new reporting website, the weather) and leaves
what differs. It still is not proof, and the result carries a caution written from the facts of
the particular comparison.

Plain data in and out, no database: the `impact` services assemble the series.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import stats

LsoaAttributes = Mapping[str, tuple[int, str]]
"""LSOA code -> (IMD 2019 decile, 2011 rural-urban class code such as ``C1``)."""

Series = Mapping[str, Mapping[int, float]]
"""LSOA code -> {year: value}."""

DEFAULT_SEED = 20081101
SMALL_TREATED_GROUP = 5
SMALL_COMPARISON_GROUP = 10
FEW_REPORTS_PER_YEAR = 5.0

_REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
DATA_DIRECTORIES = (_REPOSITORY_ROOT / "data", _REPOSITORY_ROOT.parent / "shared" / "data")


def data_file(relative: str) -> Path:
    """A file from the project's open data (its own copy first, then the shared folder)."""
    for directory in DATA_DIRECTORIES:
        if (directory / relative).is_file():
            return directory / relative
    raise FileNotFoundError(f"{relative} not found in {', '.join(map(str, DATA_DIRECTORIES))}")


# --------------------------------------------------------------------------- comparison group


def _urban(ruc_code: str) -> bool:
    """Classes A-C are urban in the 2011 rural-urban classification, D-F rural."""
    return ruc_code[:1].upper() in {"A", "B", "C"}


def choose_comparison(
    treated_codes: Iterable[str],
    lsoa_attributes: LsoaAttributes,
    *,
    band_width: int = 1,
    exclude: Collection[str] = (),
    candidates: Collection[str] | None = None,
    broad_class: bool = False,
) -> list[str]:
    """Untreated LSOAs that resemble at least one treated LSOA.

    Similar means the same rural-urban class (the exact 2011 code, or with `broad_class` just
    urban versus rural) and an IMD decile within `band_width` deciles of that treated LSOA's.
    `exclude` removes places that had their own intervention (they would dilute the contrast),
    and `candidates` limits the pool, typically to the same council, whose reporting channels
    and services changed at the same moments as the treated patch.
    """
    if band_width < 0:
        raise ValueError("band_width is a number of deciles and cannot be negative")
    treated = set(treated_codes)
    unknown = sorted(code for code in treated if code not in lsoa_attributes)
    if unknown:
        raise ValueError(f"no IMD decile or rural-urban class for: {', '.join(unknown)}")

    def same_class(first: str, second: str) -> bool:
        return _urban(first) == _urban(second) if broad_class else first == second

    profiles = {lsoa_attributes[code] for code in treated}
    pool = (
        lsoa_attributes.keys() if candidates is None else set(candidates) & lsoa_attributes.keys()
    )
    chosen = [
        code
        for code in pool
        if code not in treated
        and code not in exclude
        and any(
            abs(lsoa_attributes[code][0] - decile) <= band_width
            and same_class(lsoa_attributes[code][1], ruc)
            for decile, ruc in profiles
        )
    ]
    return sorted(chosen)


# --------------------------------------------------------------------------- estimate


@dataclass(frozen=True, kw_only=True)
class DidResult:
    """The estimate, how sure we can be of it, and what it rests on.

    `estimate` is in the indicator's own units per LSOA per year: the change in the organised
    LSOAs minus the change in the comparison LSOAs, each change being the mean over the years
    after the start minus the mean over the years before.
    """

    estimate: float
    standard_error: float
    ci_low: float
    ci_high: float
    analytic_standard_error: float
    analytic_ci_low: float
    analytic_ci_high: float
    placebo_p_value: float | None
    pre_trend_difference: float | None
    pre_trend_standard_error: float | None
    pre_trends_differ: bool | None
    n_treated: int
    n_comparison: int
    treated_used: tuple[str, ...]
    comparison_used: tuple[str, ...]
    dropped: tuple[str, ...]
    pre_years: tuple[int, ...]
    post_years: tuple[int, ...]
    treated_means: dict[int, float]
    comparison_means: dict[int, float]
    treated_pre_mean: float
    treated_post_mean: float
    comparison_pre_mean: float
    comparison_post_mean: float
    n_bootstrap: int
    seed: int
    summary: str
    caution: str
    caution_points: tuple[str, ...] = field(default=())

    @property
    def ci_covers_zero(self) -> bool:
        return self.ci_low <= 0.0 <= self.ci_high


def _difference_standard_error(treated: np.ndarray, comparison: np.ndarray) -> tuple[float, float]:
    """Standard error and degrees of freedom of a difference of group means.

    Each LSOA contributes one number (its own before/after change or pre-period slope), so
    this is the LSOA-clustered error: years within an LSOA are never treated as independent.
    A single treated LSOA has no spread of its own; it is assumed to vary like the comparison
    LSOAs do.
    """
    n_treated, n_comparison = len(treated), len(comparison)
    variance_comparison = float(np.var(comparison, ddof=1))
    if n_treated < 2:
        standard_error = math.sqrt(variance_comparison * (1 / n_treated + 1 / n_comparison))
        return standard_error, float(n_comparison - 1)
    variance_treated = float(np.var(treated, ddof=1))
    part_treated = variance_treated / n_treated
    part_comparison = variance_comparison / n_comparison
    standard_error = math.sqrt(part_treated + part_comparison)
    if standard_error == 0.0:
        return 0.0, float(n_treated + n_comparison - 2)
    degrees = (part_treated + part_comparison) ** 2 / (
        part_treated**2 / (n_treated - 1) + part_comparison**2 / (n_comparison - 1)
    )
    return standard_error, float(degrees)


def _slopes(matrix: np.ndarray, years: np.ndarray) -> np.ndarray:
    centred = years - years.mean()
    return (matrix - matrix.mean(axis=1, keepdims=True)) @ centred / float(centred @ centred)


def _bootstrap(
    treated: np.ndarray, comparison: np.ndarray, n_bootstrap: int, rng: np.random.Generator
) -> np.ndarray:
    """Resample whole LSOAs within each group; batches keep memory flat for large pools."""
    estimates = np.empty(n_bootstrap)
    batch = max(1, 2_000_000 // max(len(treated) + len(comparison), 1))
    for start in range(0, n_bootstrap, batch):
        size = min(batch, n_bootstrap - start)
        treated_draw = treated[rng.integers(0, len(treated), (size, len(treated)))]
        comparison_draw = comparison[rng.integers(0, len(comparison), (size, len(comparison)))]
        estimates[start : start + size] = treated_draw.mean(axis=1) - comparison_draw.mean(axis=1)
    return estimates


def _placebo_p_value(
    treated: np.ndarray, comparison: np.ndarray, n_placebo: int, rng: np.random.Generator
) -> float | None:
    """How often comparison LSOAs, pretending to be organised, show a gap at least this large.

    With a handful of treated LSOAs the bootstrap range is too optimistic; this asks the data
    directly how unusual the observed gap is among places where nothing was done.
    """
    n_treated, n_comparison = len(treated), len(comparison)
    if n_comparison < 2 * n_treated or n_placebo < 1:
        return None
    observed = abs(treated.mean() - comparison.mean())
    at_least_as_large = 0
    total = comparison.sum()
    for _ in range(n_placebo):
        pretend = rng.choice(n_comparison, size=n_treated, replace=False)
        pretend_sum = comparison[pretend].sum()
        gap = pretend_sum / n_treated - (total - pretend_sum) / (n_comparison - n_treated)
        at_least_as_large += abs(gap) >= observed - 1e-12
    return (1 + at_least_as_large) / (1 + n_placebo)


def _panel(
    series: Series, codes: Iterable[str], years: list[int]
) -> tuple[list[str], np.ndarray, list[str]]:
    kept: list[str] = []
    rows: list[list[float]] = []
    dropped: list[str] = []
    for code in sorted(set(codes)):
        values = series.get(code, {})
        row = [values.get(year) for year in years]
        if any(value is None or not math.isfinite(value) for value in row):
            dropped.append(code)
            continue
        kept.append(code)
        rows.append([float(value) for value in row])  # type: ignore[arg-type]
    matrix = np.array(rows, dtype=float).reshape(len(rows), len(years))
    return kept, matrix, dropped


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"


def did_estimate(
    series: Series,
    treated: Iterable[str],
    comparison: Iterable[str],
    start_year: int,
    *,
    first_year: int | None = None,
    last_year: int | None = None,
    exclude_years: Collection[int] = (),
    n_bootstrap: int = 2000,
    n_placebo: int = 2000,
    seed: int = DEFAULT_SEED,
    reported_counts: bool = False,
    indicator: str = "the indicator",
) -> DidResult:
    """Difference-in-differences of `series` between `treated` and `comparison` LSOAs.

    Years before `start_year` are "before", `start_year` and later are "after"; leave out a
    year in which the work started part-way through with `exclude_years`. Only LSOAs with a
    value in every year used take part (the others are listed in `dropped`), so every LSOA
    weighs the same before and after. Set `reported_counts` when the indicator counts reports
    made by residents, because organising changes how often people report as well as what
    happens on the street.
    """
    if n_bootstrap < 100:
        raise ValueError("n_bootstrap below 100 gives an unstable 95% range")
    treated_codes = set(treated)
    comparison_codes = set(comparison)
    overlap = treated_codes & comparison_codes
    if overlap:
        raise ValueError(f"LSOAs in both groups: {', '.join(sorted(overlap))}")
    all_years = {
        year
        for code in treated_codes | comparison_codes
        for year in series.get(code, {})
        if (first_year is None or year >= first_year)
        and (last_year is None or year <= last_year)
        and year not in exclude_years
    }
    years = sorted(all_years)
    pre_years = [year for year in years if year < start_year]
    post_years = [year for year in years if year >= start_year]
    if not pre_years or not post_years:
        raise ValueError(
            f"need at least one year before and one from {start_year}; have {years or 'none'}"
        )
    treated_used, treated_matrix, treated_dropped = _panel(series, treated_codes, years)
    comparison_used, comparison_matrix, comparison_dropped = _panel(series, comparison_codes, years)
    if len(treated_used) < 1 or len(comparison_used) < 2:
        raise ValueError(
            "need at least one treated and two comparison LSOAs with a value in every year used; "
            f"have {len(treated_used)} and {len(comparison_used)}"
        )

    pre_mask = np.array([year < start_year for year in years])

    def changes(matrix: np.ndarray) -> np.ndarray:
        return matrix[:, ~pre_mask].mean(axis=1) - matrix[:, pre_mask].mean(axis=1)

    treated_change = changes(treated_matrix)
    comparison_change = changes(comparison_matrix)
    estimate = float(treated_change.mean() - comparison_change.mean())

    rng = np.random.default_rng(seed)
    boot = _bootstrap(treated_change, comparison_change, n_bootstrap, rng)
    standard_error = float(boot.std(ddof=1))
    ci_low, ci_high = (float(value) for value in np.percentile(boot, [2.5, 97.5]))
    analytic_se, degrees = _difference_standard_error(treated_change, comparison_change)
    critical = float(stats.t.ppf(0.975, degrees)) if degrees > 0 else float("inf")
    placebo = _placebo_p_value(treated_change, comparison_change, n_placebo, rng)

    pre_difference = pre_se = None
    pre_differ: bool | None = None
    if len(pre_years) >= 2:
        pre_year_array = np.array(pre_years, dtype=float)
        treated_slopes = _slopes(treated_matrix[:, pre_mask], pre_year_array)
        comparison_slopes = _slopes(comparison_matrix[:, pre_mask], pre_year_array)
        pre_difference = float(treated_slopes.mean() - comparison_slopes.mean())
        pre_se, pre_degrees = _difference_standard_error(treated_slopes, comparison_slopes)
        pre_critical = float(stats.t.ppf(0.975, pre_degrees)) if pre_degrees > 0 else math.inf
        pre_differ = abs(pre_difference) > pre_critical * pre_se

    treated_means = dict(zip(years, treated_matrix.mean(axis=0).tolist(), strict=True))
    comparison_means = dict(zip(years, comparison_matrix.mean(axis=0).tolist(), strict=True))
    facts = {
        "treated_pre_mean": float(treated_matrix[:, pre_mask].mean()),
        "treated_post_mean": float(treated_matrix[:, ~pre_mask].mean()),
        "comparison_pre_mean": float(comparison_matrix[:, pre_mask].mean()),
        "comparison_post_mean": float(comparison_matrix[:, ~pre_mask].mean()),
    }
    summary = _summary(
        indicator=indicator,
        estimate=estimate,
        ci=(ci_low, ci_high),
        n_treated=len(treated_used),
        n_comparison=len(comparison_used),
        pre_years=pre_years,
        post_years=post_years,
        **facts,
    )
    analytic_ci = (estimate - critical * analytic_se, estimate + critical * analytic_se)
    points = _caution_points(
        ci=(ci_low, ci_high),
        analytic_ci=analytic_ci,
        placebo_p_value=placebo,
        n_treated=len(treated_used),
        n_comparison=len(comparison_used),
        pre_years=pre_years,
        post_years=post_years,
        pre_difference=pre_difference,
        pre_differ=pre_differ,
        pre_values_all_equal=bool(
            np.ptp(np.concatenate([treated_matrix[:, pre_mask], comparison_matrix[:, pre_mask]]))
            == 0
        ),
        dropped=len(treated_dropped) + len(comparison_dropped),
        reported_counts=reported_counts,
        treated_pre_mean=facts["treated_pre_mean"],
    )
    return DidResult(
        estimate=estimate,
        standard_error=standard_error,
        ci_low=ci_low,
        ci_high=ci_high,
        analytic_standard_error=analytic_se,
        analytic_ci_low=analytic_ci[0],
        analytic_ci_high=analytic_ci[1],
        placebo_p_value=placebo,
        pre_trend_difference=pre_difference,
        pre_trend_standard_error=pre_se,
        pre_trends_differ=pre_differ,
        n_treated=len(treated_used),
        n_comparison=len(comparison_used),
        treated_used=tuple(treated_used),
        comparison_used=tuple(comparison_used),
        dropped=tuple(sorted(treated_dropped + comparison_dropped)),
        pre_years=tuple(pre_years),
        post_years=tuple(post_years),
        treated_means=treated_means,
        comparison_means=comparison_means,
        n_bootstrap=n_bootstrap,
        seed=seed,
        summary=summary,
        caution=" ".join(points),
        caution_points=tuple(points),
        **facts,
    )


def _span(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


def _summary(
    *,
    indicator: str,
    estimate: float,
    ci: tuple[float, float],
    n_treated: int,
    n_comparison: int,
    pre_years: list[int],
    post_years: list[int],
    treated_pre_mean: float,
    treated_post_mean: float,
    comparison_pre_mean: float,
    comparison_post_mean: float,
) -> str:
    direction = "more" if estimate > 0 else "less"
    return (
        f"In the {n_treated} LSOAs where organisers worked, {indicator} went from "
        f"{_number(treated_pre_mean)} a year per LSOA ({_span(pre_years)}) to "
        f"{_number(treated_post_mean)} ({_span(post_years)}); in {n_comparison} similar LSOAs "
        f"it went from {_number(comparison_pre_mean)} to {_number(comparison_post_mean)}. "
        f"So it changed by {_number(abs(estimate))} a year per LSOA {direction} where organisers "
        f"worked (95% range {_number(ci[0])} to {_number(ci[1])})."
    )


def _caution_points(
    *,
    ci: tuple[float, float],
    analytic_ci: tuple[float, float],
    placebo_p_value: float | None,
    n_treated: int,
    n_comparison: int,
    pre_years: list[int],
    post_years: list[int],
    pre_difference: float | None,
    pre_differ: bool | None,
    pre_values_all_equal: bool,
    dropped: int,
    reported_counts: bool,
    treated_pre_mean: float,
) -> list[str]:
    points = [
        "This is a comparison, not proof that the organising caused the difference: anything "
        "else that changed in the organised LSOAs but not in the comparison LSOAs over the same "
        "years (new housing, a council clean-up, a change to bin collections, people moving in "
        "or out) would show up here in the same way."
    ]
    if ci[0] <= 0.0 <= ci[1]:
        points.append(
            "The 95% range includes zero, so these figures are consistent with no difference at all."
        )
    if n_treated < SMALL_TREATED_GROUP:
        points.append(
            f"Only {n_treated} organised LSOA{'s' if n_treated != 1 else ''} took part, so the "
            "95% range understates the uncertainty; one unusual street can move the result. "
            f"A range that allows for so few LSOAs (Welch's t) runs from "
            f"{_number(analytic_ci[0])} to {_number(analytic_ci[1])}."
        )
        if placebo_p_value is not None:
            points.append(
                f"As a check, picking {n_treated} comparison LSOA"
                f"{'s' if n_treated != 1 else ''} at random and treating them as organised gave "
                f"a gap at least this large {placebo_p_value:.0%} of the time."
            )
    if n_comparison < SMALL_COMPARISON_GROUP:
        points.append(
            f"Only {n_comparison} comparison LSOAs were found; widen the deprivation band or the "
            "area searched for a steadier comparison."
        )
    if pre_values_all_equal:
        points.append(
            "Before the work began every LSOA in both groups had the same value every year "
            "(for counts, usually none at all), so the years before tell us nothing about how "
            "the two groups were moving."
        )
    elif pre_difference is None:
        points.append(
            f"There is only one year before the work began ({pre_years[0]}), so we cannot check "
            "whether the two groups were already moving differently before it."
        )
    elif pre_differ:
        projected = pre_difference * (np.mean(post_years) - np.mean(pre_years))
        points.append(
            "Before the work began the two groups were already moving differently (each year "
            f"the organised LSOAs went {'up' if pre_difference > 0 else 'down'} by "
            f"{_number(abs(pre_difference))} per LSOA relative to the comparison LSOAs), which "
            "carried on would by itself give an estimate of about "
            f"{_number(float(projected))}; the estimate mixes that earlier trend with any effect "
            "of the work."
        )
    elif len(pre_years) < 4:
        points.append(
            f"The trends before the work began look similar, but {len(pre_years)} years is too "
            "few to be confident they were parallel."
        )
    if reported_counts:
        points.append(
            "The indicator counts reports made by residents, so it moves with how willing and "
            "able people are to report as well as with how often the problem happens; "
            "organising can raise reporting while the problem itself falls."
        )
        if treated_pre_mean == 0:
            points.append(
                "There were no reports at all in the organised LSOAs before the work began, so "
                "the estimate mostly measures how reporting took off afterwards."
            )
        elif treated_pre_mean < FEW_REPORTS_PER_YEAR:
            points.append(
                f"There were only {_number(treated_pre_mean)} reports a year per organised LSOA "
                "before the work began, so a handful of reports either way changes the result."
            )
    if dropped:
        points.append(
            f"{dropped} LSOA{'s were' if dropped != 1 else ' was'} left out for missing years."
        )
    return points


# --------------------------------------------------------------------------- open data readers


def read_lsoa_attributes(
    imd_csv: Path, rural_urban_csv: Path, *, codes: Collection[str] | None = None
) -> dict[str, tuple[int, str]]:
    """IMD 2019 decile and 2011 rural-urban class per LSOA, for `choose_comparison`."""
    with rural_urban_csv.open(encoding="utf-8-sig", newline="") as handle:
        rural_urban = {row["lsoa11cd"]: row["ruc11cd"] for row in csv.DictReader(handle)}
    attributes: dict[str, tuple[int, str]] = {}
    with imd_csv.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["lsoa11cd"]
            if (codes is None or code in codes) and code in rural_urban:
                attributes[code] = (int(row["imd_decile"]), rural_urban[code])
    return attributes


def read_fixmystreet_series(
    counts_csv: Path, *, category_code: str, lsoa_codes: Collection[str] | None = None
) -> dict[str, dict[int, float]]:
    """Reports per LSOA per year for one FixMyStreet theme (e.g. ``B26`` Rubbish).

    The published counts only list LSOA-years with at least one report, so every other
    LSOA-year in the file's coverage is a real zero and is filled in as one.
    """
    counts: dict[str, dict[int, float]] = defaultdict(dict)
    covered: set[str] = set()
    years: set[int] = set()
    with counts_csv.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            covered.add(row["lsoa11cd"])
            years.add(int(row["year"]))
            if row["category_code"] == category_code:
                counts[row["lsoa11cd"]][int(row["year"])] = float(row["reports"])
    codes = covered if lsoa_codes is None else set(lsoa_codes) & covered
    return {code: {year: counts[code].get(year, 0.0) for year in sorted(years)} for code in codes}
