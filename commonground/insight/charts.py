"""Vega-Lite specifications for the area evidence charts.

Each chart has a table beside it with the same figures, so nothing is lost without JavaScript or a
screen. Suppressed figures are left out of the data (null), never drawn as small bars.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .selectors import AreaEvidence

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
BLUE = "#1d70b8"
GREY = "#b1b4b6"
FONT = "Arial, sans-serif"


def _base(title: str, description: str) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": title,
        "description": description,
        "width": "container",
        "config": {
            "font": FONT,
            "axis": {"labelFontSize": 13, "titleFontSize": 13, "labelLimit": 260},
            "legend": {
                "labelFontSize": 13,
                "titleFontSize": 13,
                "orient": "bottom",
                "labelLimit": 320,
                "columns": 1,
            },
            "title": {"fontSize": 16, "anchor": "start"},
        },
    }


def themes_chart(evidence: AreaEvidence, limit: int = 12) -> dict[str, Any]:
    """Share of conversations by theme, this period against the previous one."""
    current = _("This period")
    before = _("Previous period")
    values = []
    for row in evidence.rows[:limit]:
        for period, share in ((current, row.share_shown), (before, row.previous_share_shown)):
            values.append(
                {
                    "theme": row.theme.name,
                    "period": period,
                    "share": round(share * 100, 1) if share is not None else None,
                }
            )
    spec = _base(
        _("Share of conversations by theme"),
        _("Bar chart of the share of conversations that raised each theme."),
    )
    spec.update(
        {
            "height": {"step": 14},
            "data": {"values": values},
            "mark": {"type": "bar"},
            "encoding": {
                "y": {
                    "field": "theme",
                    "type": "nominal",
                    "sort": [row.theme.name for row in evidence.rows[:limit]],
                    "title": None,
                },
                "yOffset": {"field": "period", "sort": [current, before]},
                "x": {
                    "field": "share",
                    "type": "quantitative",
                    "title": _("% of conversations"),
                },
                "color": {
                    "field": "period",
                    "type": "nominal",
                    "scale": {"domain": [current, before], "range": [BLUE, GREY]},
                    "title": None,
                },
                "tooltip": [
                    {"field": "theme", "title": _("Theme")},
                    {"field": "period", "title": _("Period")},
                    {"field": "share", "title": _("% of conversations")},
                ],
            },
        }
    )
    return spec


def authority_chart(evidence: AreaEvidence, limit: int = 12) -> dict[str, Any]:
    """How many times the authority's share each theme is here; 1 means the same."""
    more = _("More than across the authority")
    less = _("Less than across the authority")
    same = _("Not clearly different")
    values = [
        {
            "theme": row.theme.name,
            "lift": row.lift_shown,
            "marked": more if row.over_represented else (less if row.under_represented else same),
        }
        for row in evidence.rows[:limit]
        if row.lift_shown is not None
    ]
    spec = _base(
        _("Compared with %(authority)s") % {"authority": evidence.area.authority.name},
        _("Bar chart of each theme's share here divided by its share across the authority."),
    )
    spec.update(
        {
            "height": {"step": 22},
            "data": {"values": values},
            "layer": [
                {
                    "mark": {"type": "bar"},
                    "encoding": {
                        "y": {"field": "theme", "type": "nominal", "sort": "-x", "title": None},
                        "x": {
                            "field": "lift",
                            "type": "quantitative",
                            "title": _("Times the authority's share"),
                        },
                        "color": {
                            "field": "marked",
                            "type": "nominal",
                            "title": None,
                            "scale": {
                                "domain": [more, less, same],
                                "range": ["#d4351c", BLUE, GREY],
                            },
                        },
                        "tooltip": [
                            {"field": "theme", "title": _("Theme")},
                            {"field": "lift", "title": _("Times the authority's share")},
                            {"field": "marked", "title": _("Difference")},
                        ],
                    },
                },
                {
                    "mark": {"type": "rule", "color": "#0b0c0c", "aria": False},
                    "encoding": {"x": {"datum": 1}},
                },
            ],
        }
    )
    return spec


def ladder_chart(evidence: AreaEvidence) -> dict[str, Any]:
    values = [
        {"step": row["label"], "order": index, "conversations": row["shown"]}
        for index, row in enumerate(evidence.ladder_rows)
    ]
    spec = _base(
        _("Ladder of involvement"),
        _(
            "Bar chart of conversations by how far each resident has come, from listened to leading."
        ),
    )
    spec.update(
        {
            "height": {"step": 26},
            "data": {"values": values},
            "mark": {"type": "bar", "color": BLUE},
            "encoding": {
                "y": {
                    "field": "step",
                    "type": "ordinal",
                    "sort": {"field": "order"},
                    "title": None,
                },
                "x": {
                    "field": "conversations",
                    "type": "quantitative",
                    "title": _("Conversations"),
                },
                "tooltip": [
                    {"field": "step", "title": _("Step")},
                    {"field": "conversations", "title": _("Conversations")},
                ],
            },
        }
    )
    return spec


def imd_chart(evidence: AreaEvidence) -> dict[str, Any]:
    values = [
        {"domain": row["label"], "decile": row["mean_decile"]} for row in evidence.imd_profile
    ]
    spec = _base(
        _("Deprivation by domain"),
        _(
            "Bar chart of the population-weighted average IMD 2019 decile in each domain; 1 is the most deprived tenth."
        ),
    )
    spec.update(
        {
            "height": {"step": 24},
            "data": {"values": values},
            "mark": {"type": "bar", "color": "#b30000"},
            "encoding": {
                "y": {"field": "domain", "type": "nominal", "sort": None, "title": None},
                "x": {
                    "field": "decile",
                    "type": "quantitative",
                    "scale": {"domain": [0, 10]},
                    "title": _("Average decile (1 = most deprived)"),
                },
                "tooltip": [
                    {"field": "domain", "title": _("Domain")},
                    {"field": "decile", "title": _("Average decile")},
                ],
            },
        }
    )
    return spec


def who_said_it_chart(evidence: AreaEvidence) -> dict[str, Any] | None:
    if not evidence.who_said_it:
        return None
    table = evidence.who_said_it[0]
    values = [
        {
            "group": cell.group_label,
            "theme": cell.theme.name,
            "lift": cell.lift_shown,
            "significant": _("Yes") if cell.significant else _("No"),
        }
        for cell in table.cells.values()
    ]
    spec = _base(
        _("Who raised each theme: %(title)s") % {"title": table.title},
        _(
            "Heat map of how many times more or less often each group raised each theme than everyone did."
        ),
    )
    spec.update(
        {
            "data": {"values": values},
            "mark": {"type": "rect"},
            "encoding": {
                "x": {
                    "field": "theme",
                    "type": "nominal",
                    "title": None,
                    "axis": {"labelAngle": -40},
                    "sort": [theme.name for theme in table.themes],
                },
                "y": {"field": "group", "type": "nominal", "title": None, "sort": None},
                "color": {
                    "field": "lift",
                    "type": "quantitative",
                    "title": _("Times the average"),
                    "scale": {"scheme": "blueorange", "domainMid": 1},
                },
                "tooltip": [
                    {"field": "group", "title": _("Group")},
                    {"field": "theme", "title": _("Theme")},
                    {"field": "lift", "title": _("Times the average")},
                    {"field": "significant", "title": _("Significant")},
                ],
            },
        }
    )
    return spec


def all_charts(evidence: AreaEvidence) -> dict[str, Any]:
    charts = {
        "themes": themes_chart(evidence),
        "ladder": ladder_chart(evidence),
        "imd": imd_chart(evidence),
    }
    if not evidence.area.is_authority or evidence.organiser is not None:
        charts["authority"] = authority_chart(evidence)
    who = who_said_it_chart(evidence)
    if who is not None:
        charts["who"] = who
    return charts
