"""Charts and the map for a report or comparison, drawn from its snapshot.

Figures come only from the snapshot, so a published version draws the same chart every time; the
map's outlines come from the places register (boundaries are open data and do not change with the
report).
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from commonground.places.models import Lsoa

from . import charts
from .reporting import MAP_CLASSES


def progress_chart(snapshot: dict[str, Any], chart_id: str = "chart-targets") -> SafeString | None:
    bars = [
        charts.Bar(
            label=row["name"],
            value=float(row["percent"]),
            text=_("%(percent)s%% (%(value)s of %(target)s)")
            % {
                "percent": row["percent"],
                "value": row["display"],
                "target": row["target"]["display"],
            },
        )
        for row in snapshot["indicators"]
        if row["percent"] is not None and row["target"]
    ]
    if not bars:
        return None
    return mark_safe(
        charts.bar_chart(
            chart_id=chart_id,
            title=_("Chart: indicators against their targets"),
            description=_(
                "Horizontal bars showing how far each indicator has come towards its target, as a "
                "percentage; the dashed line marks the target. The table gives the same figures."
            ),
            bars=bars,
            maximum=max(150.0, max(bar.value or 0 for bar in bars)),
            reference=100.0,
            reference_label=_("Target"),
        )
    )


def themes_chart(snapshot: dict[str, Any], chart_id: str = "chart-themes") -> SafeString | None:
    themes = snapshot["themes"]["themes"]
    if not themes:
        return None
    bars = [
        charts.Bar(
            label=theme["name"],
            value=None if theme["share"] is None else theme["share"] * 100,
            text=theme["display"]
            if theme["share"] is None
            else f"{theme['share'] * 100:.0f}% ({theme['display']})",
        )
        for theme in themes
    ]
    return mark_safe(
        charts.bar_chart(
            chart_id=chart_id,
            title=_("Chart: what residents talked about"),
            description=_(
                "Horizontal bars showing the share of conversations that raised each theme, most "
                "common first. The table gives the same figures."
            ),
            bars=bars,
            colour=charts.DARK_BLUE,
        )
    )


def reach_chart(snapshot: dict[str, Any], chart_id: str = "chart-reach") -> SafeString | None:
    rows = snapshot["equality"]["deprivation"]
    if not snapshot["equality"]["population"]:
        return None
    return mark_safe(
        charts.paired_bar_chart(
            chart_id=chart_id,
            title=_("Chart: who was listened to, by how deprived their area is"),
            description=_(
                "Pairs of bars for each fifth of areas by deprivation: the share of residents "
                "listened to who live there, and the share of all residents who live there. The "
                "table gives the same figures."
            ),
            rows=[
                charts.PairedBar(
                    label=row["label"],
                    first=None if row["listened_share"] is None else row["listened_share"] * 100,
                    second=None
                    if row["population_share"] is None
                    else row["population_share"] * 100,
                    first_text=row["listened_share_display"]
                    if row["listened"] is not None
                    else _("fewer than 5"),
                    second_text=row["population_share_display"],
                )
                for row in rows
            ],
            names=(_("Residents listened to"), _("All residents")),
        )
    )


def comparison_chart(
    result: dict[str, Any], *, indicator: str, start_year: int, chart_id: str
) -> SafeString | None:
    treated = {int(year): value for year, value in result.get("treated_means", {}).items()}
    comparison = {int(year): value for year, value in result.get("comparison_means", {}).items()}
    if not treated:
        return None
    return mark_safe(
        charts.line_chart(
            chart_id=chart_id,
            title=_("Chart: %(indicator)s per LSOA each year") % {"indicator": indicator},
            description=_(
                "Two lines, one for the LSOAs where organisers worked and one for similar LSOAs "
                "where they did not, with the year the work began marked. The table gives the "
                "same figures."
            ),
            series=[
                (_("Where organisers worked"), treated),
                (_("Similar LSOAs"), comparison),
            ],
            marker_year=start_year,
            marker_label=_("work began"),
            y_label=_("mean per LSOA"),
        )
    )


def listening_map(snapshot: dict[str, Any], chart_id: str = "map-listening") -> SafeString | None:
    cells = snapshot["equality"]["map"]
    if not cells:
        return None
    codes = [cell["code"] for cell in cells]
    places = {
        code: (name, boundary)
        for code, name, boundary in Lsoa.objects.filter(code__in=codes)
        .exclude(boundary="")
        .values_list("code", "name", "boundary")
    }
    areas = [
        charts.MapArea(
            code=cell["code"],
            name=f"{places[cell['code']][0]}: "
            + (
                _("fewer than 5 residents listened to")
                if cell["listened"] is None
                else _("%(count)s residents listened to") % {"count": cell["listened"]}
            ),
            geometry=json.loads(places[cell["code"]][1]),
            shade=cell["class"],
        )
        for cell in cells
        if cell["code"] in places
    ]
    if not areas:
        return None
    if snapshot["scope"]["kind"] != "authority":
        surroundings = (
            Lsoa.objects.filter(
                authority_id__in=Lsoa.objects.filter(code__in=codes).values("authority_id")
            )
            .exclude(code__in=codes)
            .exclude(boundary="")
            .values_list("code", "name", "boundary")
        )
        areas += [
            charts.MapArea(code=code, name=name, geometry=json.loads(boundary), shade=None)
            for code, name, boundary in surroundings
        ]
    labels = {
        "none": _("None"),
        "fewer than 5": _("Fewer than 5"),
        "5 to 19": _("5 to 19"),
        "20 to 49": _("20 to 49"),
        "50 or more": _("50 or more"),
    }
    return mark_safe(
        charts.area_map(
            chart_id=chart_id,
            title=_("Map: residents listened to in each LSOA"),
            description=_(
                "Map of the LSOAs the report covers, shaded by how many residents were listened "
                "to in each, among the rest of the council's LSOAs in grey; counts under 5 are "
                "shown as a band, not a number."
            ),
            areas=areas,
            legend=[(labels[key], colour) for key, colour in MAP_CLASSES],
            context_label=_("Outside the area this report covers"),
        )
    )


def report_charts(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {
        "targets": progress_chart(snapshot),
        "themes": themes_chart(snapshot),
        "reach": reach_chart(snapshot),
        "map": listening_map(snapshot),
        "comparisons": [
            comparison_chart(
                item["result"],
                indicator=item["indicator"],
                start_year=item["start_year"],
                chart_id=f"chart-comparison-{index}",
            )
            for index, item in enumerate(snapshot["comparisons"], start=1)
        ],
    }
