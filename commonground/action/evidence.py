"""The hook through which area evidence about themes reaches forum agendas and public pages.

Insight owns theme tagging and area evidence. Until it registers a provider here, the hook returns
nothing and the pages say that theme evidence is not available yet, rather than inventing any. A
provider is a function ``(lsoa_ids, since, until) -> list[ThemeTrend]``; insight registers it with
:func:`register_area_theme_evidence` from its ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from commonground.core.suppression import display_count


@dataclass(frozen=True)
class ThemeTrend:
    """How many residents raised a theme in an area in a period, and the change on the period before."""

    theme: str
    residents: int
    previous: int | None = None

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.residents - self.previous

    @property
    def is_rising(self) -> bool:
        return self.previous is not None and self.residents > self.previous

    def describe(self) -> str:
        text = _("%(theme)s: %(count)s residents") % {
            "theme": self.theme,
            "count": display_count(self.residents),
        }
        if self.is_rising:
            text += " " + _("(rising)")
        return text


Provider = Callable[[Collection[int], date, date], list[ThemeTrend]]
_providers: list[Provider] = []


def register_area_theme_evidence(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def unregister_area_theme_evidence(provider: Provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def area_theme_evidence(*, lsoa_ids: Collection[int], since: date, until: date) -> list[ThemeTrend]:
    """Top and rising themes residents raised in these LSOAs; empty until insight provides them."""
    trends: list[ThemeTrend] = []
    for provider in _providers:
        trends.extend(provider(lsoa_ids, since, until))
    return sorted(trends, key=lambda trend: (-trend.residents, trend.theme))
