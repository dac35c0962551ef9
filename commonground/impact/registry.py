"""One question for every indicator: what is its figure for this scope and period?

Computed indicators are counted, when asked, by a function from the app that owns the records
(``commonground/<app>/indicators.py`` exposing ``COMPUTED = {"code": function}``), falling back to the
ones in :mod:`commonground.impact.computations`. Entered and open-data indicators are read from
:class:`~commonground.impact.models.Measurement`. Nothing computed is ever stored as a typed figure,
so a figure cannot be entered twice or drift from the records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from commonground.core.discovery import app_modules

from . import computations
from .computations import ComputeFunction, Unavailable
from .models import Indicator, Measurement, Target
from .periods import Period
from .scopes import Scope


class Status:
    COUNTED = "counted"
    ENTERED = "entered"
    NO_DATA = "no_data"
    NOT_AVAILABLE = "not_available"
    NOT_MEASURED = "not_measured"


@dataclass(frozen=True)
class Figure:
    """An indicator's figure for a scope and period, and how it was arrived at."""

    indicator: Indicator
    value: Decimal | None
    status: str
    source_app: str = ""
    evidence: tuple[dict[str, Any], ...] = field(default=())

    @property
    def has_value(self) -> bool:
        return self.value is not None

    @property
    def explanation(self) -> str:
        return {
            Status.COUNTED: _("Counted from the records"),
            Status.ENTERED: _("Entered with evidence"),
            Status.NO_DATA: _("No figure entered for this period"),
            Status.NOT_AVAILABLE: _(
                "Not yet available: the records it is counted from are not here"
            ),
            Status.NOT_MEASURED: _("Not counted for this kind of area"),
        }[self.status]


def computed_functions() -> dict[str, tuple[ComputeFunction, str]]:
    """Indicator code -> (function, app it comes from); an app's own ``indicators.py`` wins."""
    found: dict[str, tuple[ComputeFunction, str]] = {
        code: (function, "impact") for code, function in computations.COMPUTED.items()
    }
    for label, module in app_modules("indicators"):
        for code, function in getattr(module, "COMPUTED", {}).items():
            found[code] = (function, label)
    return found


def compute(
    indicator: Indicator,
    scope: Scope,
    period: Period,
    *,
    functions: dict[str, tuple[ComputeFunction, str]] | None = None,
) -> Figure:
    functions = computed_functions() if functions is None else functions
    if indicator.code not in functions:
        return Figure(indicator, None, Status.NOT_AVAILABLE)
    function, app = functions[indicator.code]
    try:
        value = function(period=period, **scope.as_kwargs())
    except Unavailable:
        return Figure(indicator, None, Status.NOT_AVAILABLE, source_app=app)
    if value is None:
        return Figure(indicator, None, Status.NOT_MEASURED, source_app=app)
    return Figure(indicator, Decimal(value), Status.COUNTED, source_app=app)


def measurements_in(indicator: Indicator, scope: Scope, period: Period) -> list[Measurement]:
    """Entered figures for the scope whose whole period lies within ``period``, latest first."""
    return list(
        Measurement.objects.filter(
            indicator=indicator,
            scope_key=scope.key,
            period_start__gte=period.start,
            period_end__lte=period.end,
        ).order_by("-period_end", "-period_start")
    )


def entered(indicator: Indicator, scope: Scope, period: Period) -> Figure:
    found = measurements_in(indicator, scope, period)
    if not found:
        return Figure(indicator, None, Status.NO_DATA)
    if indicator.aggregation == Indicator.Aggregation.LATEST:
        used = found[:1]
        value = used[0].value
    else:
        used = found
        value = sum((m.value for m in found), Decimal(0))
    evidence = tuple(
        {
            "value": str(m.value),
            "from": m.period_start.isoformat(),
            "to": m.period_end.isoformat(),
            "evidence": m.evidence,
            "url": m.evidence_url,
            "base": m.base,
        }
        for m in used
    )
    return Figure(indicator, value, Status.ENTERED, evidence=evidence)


def measure(
    indicator: Indicator,
    scope: Scope,
    period: Period,
    *,
    functions: dict[str, tuple[ComputeFunction, str]] | None = None,
) -> Figure:
    if indicator.is_computed:
        return compute(indicator, scope, period, functions=functions)
    return entered(indicator, scope, period)


def target_for(indicator: Indicator, scope: Scope, period: Period) -> Target | None:
    """The target for this scope that best fits the period: the same period, else the most overlap."""
    candidates = Target.objects.filter(
        indicator=indicator,
        scope_key=scope.key,
        period_start__lte=period.end,
        period_end__gte=period.start,
    )
    best: Target | None = None
    best_key: tuple[int, int] = (-1, -1)
    for target in candidates:
        exact = int(target.period_start == period.start and target.period_end == period.end)
        key = (exact, period.overlap_days(target.period_start, target.period_end))
        if key > best_key:
            best, best_key = target, key
    return best


def progress(value: Decimal | None, target: Decimal | None, direction: str) -> dict[str, Any]:
    """How far a figure has come towards its target, in words a reader can check."""
    if value is None or target is None:
        return {"percent": None, "met": None}
    if direction == Indicator.Direction.DOWN:
        return {"percent": None, "met": value <= target}
    if target == 0:
        return {"percent": None, "met": value >= 0}
    percent = (value / target * 100).quantize(Decimal("1"))
    return {"percent": int(percent), "met": value >= target}
