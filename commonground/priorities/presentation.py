"""Turning a stored plan into what the pages lay out: labels, shares, reasons, people nearby.

The stored results are figures only; wording lives in the templates, and labels are translated
here at display time so a saved scenario reads in the viewer's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from commonground.core.suppression import display_count
from commonground.places.models import DOMAINS, SUPPLEMENTARY

from .planning import PlacementPolicy, PlanParameters
from .selectors import NearbyOrganiser

THEMES_SHOWN_PER_PATCH = 5


def domain_labels() -> dict[str, str]:
    labels = {key: str(label) for key, label in DOMAINS + SUPPLEMENTARY}
    labels["imd"] = _("Index of Multiple Deprivation")
    return labels


@dataclass
class DomainRow:
    label: str
    patch_decile: float
    authority_decile: float
    stands_out: bool

    @property
    def deciles_more_deprived(self) -> float:
        return self.authority_decile - self.patch_decile


@dataclass
class PatchView:
    number: int
    lsoas: list[dict[str, Any]]
    population: int
    need: float
    suggested_name: str
    need_share_of_plan: float
    need_share_of_authority: float
    population_share_of_authority: float
    concentration: float
    imd: DomainRow
    domains: list[DomainRow]
    standout_labels: list[str]
    new_community_count: int
    near_connector_count: int
    covered_count: int
    themes: list[tuple[str, str]] = field(default_factory=list)
    nearby: list[NearbyOrganiser] = field(default_factory=list)
    accepted: Any = None

    @property
    def lsoa_codes(self) -> list[str]:
        return [lsoa["code"] for lsoa in self.lsoas]


def patch_views(
    results: Mapping[str, Any],
    *,
    theme_counts: Mapping[str, Mapping[str, int]],
    nearby: Sequence[Sequence[NearbyOrganiser]],
    accepted: Mapping[int, Any],
) -> list[PatchView]:
    labels = domain_labels()
    views: list[PatchView] = []
    for index, patch in enumerate(results.get("patches", [])):
        standout = set(patch["most_deprived_domains"])
        domains = [
            DomainRow(
                label=labels.get(row["key"], row["key"]),
                patch_decile=row["patch"],
                authority_decile=row["authority"],
                stands_out=row["key"] in standout,
            )
            for row in patch["domains"]
        ]
        views.append(
            PatchView(
                number=patch["number"],
                lsoas=patch["lsoa_details"],
                population=patch["population"],
                need=patch["need"],
                suggested_name=patch["suggested_name"],
                need_share_of_plan=patch["need_share_of_plan"],
                need_share_of_authority=patch["need_share_of_authority"],
                population_share_of_authority=patch["population_share_of_authority"],
                concentration=patch["concentration"],
                imd=DomainRow(
                    label=labels["imd"],
                    patch_decile=patch["imd"]["patch"],
                    authority_decile=patch["imd"]["authority"],
                    stands_out=False,
                ),
                domains=domains,
                standout_labels=[labels.get(key, key) for key in patch["most_deprived_domains"]],
                new_community_count=sum(lsoa["new_community"] for lsoa in patch["lsoa_details"]),
                near_connector_count=sum(lsoa["near_connector"] for lsoa in patch["lsoa_details"]),
                covered_count=sum(lsoa["covered"] for lsoa in patch["lsoa_details"]),
                themes=themes_in(patch["lsoas"], theme_counts),
                nearby=list(nearby[index]) if index < len(nearby) else [],
                accepted=accepted.get(patch["number"]),
            )
        )
    return views


def themes_in(
    codes: Sequence[str], theme_counts: Mapping[str, Mapping[str, int]]
) -> list[tuple[str, str]]:
    """The most raised themes in these LSOAs, with counts under 5 shown as "fewer than 5"."""
    totals: dict[str, int] = {}
    for code in codes:
        for theme, count in theme_counts.get(code, {}).items():
            totals[theme] = totals.get(theme, 0) + count
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [(theme, display_count(count)) for theme, count in ranked[:THEMES_SHOWN_PER_PATCH]]


def describe_parameters(parameters: PlanParameters) -> list[tuple[str, str]]:
    """The choices behind a plan, as (label, value) rows for a summary list."""
    labels = domain_labels()
    if parameters.domain_weights:
        total = sum(parameters.domain_weights.values()) or 1.0
        measure = "; ".join(
            f"{labels.get(key, key)} {100 * weight / total:.0f}%"
            for key, weight in sorted(
                parameters.domain_weights.items(), key=lambda item: (-item[1], item[0])
            )
            if weight
        )
        measure = _("Weighted domains (%(scale)s scale): %(weights)s") % {
            "scale": parameters.domain_scale,
            "weights": measure,
        }
    else:
        measure = _("Residents × IMD 2019 score")
    placements = {
        PlacementPolicy.EXCLUDE.value: _("Left out of every patch"),
        PlacementPolicy.DISCOUNT.value: _("Need counted at %(share)s%%")
        % {"share": f"{100 * parameters.covered_multiplier:.0f}"},
        PlacementPolicy.IGNORE.value: _("Treated like any other area"),
    }.get(parameters.placements, parameters.placements)
    rows = [
        (_("Organisers"), f"{parameters.organisers:,}"),
        (
            _("Residents per patch"),
            _("%(low)s to %(high)s")
            % {"low": f"{parameters.min_population:,}", "high": f"{parameters.max_population:,}"},
        ),
        (_("Need"), measure),
        (_("New or growing communities count for"), f"× {parameters.new_community_multiplier:g}"),
        (
            _("Areas near a GP practice with a community connector count for"),
            f"× {parameters.connector_multiplier:g}",
        ),
        (_("Areas where an organiser is placed now"), placements),
    ]
    if parameters.theme_bonus:
        themes = ", ".join(parameters.themes) or _("all themes")
        rows.append((_("Bonus for themes heard"), f"{parameters.theme_bonus:g} ({themes})"))
    rows.append(
        (
            _("Time limit"),
            _("%(seconds)s seconds") % {"seconds": f"{parameters.time_limit_seconds:g}"},
        )
    )
    return rows
