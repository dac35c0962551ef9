"""The areas evidence is shown for, and the periods it covers.

An area is an authority, a ward, an LSOA or a neighbourhood (a named set of LSOAs). Counts are kept
for the first three; a neighbourhood's are the sum of its LSOAs', so redrawing one needs no recount.
A period is a run of whole calendar months; the "previous period" is the run of the same length
just before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonground.places.models import LocalAuthority, Lsoa, Neighbourhood, Ward

from .models import AreaKind


@dataclass(frozen=True)
class Area:
    kind: str
    code: str
    name: str
    pk: int
    authority: LocalAuthority
    lsoa_ids: tuple[int, ...] = ()

    @property
    def kind_label(self) -> str:
        return str(AreaKind(self.kind).label)

    def counted_cells(self) -> tuple[str, list[int]]:
        """Which aggregate cells make up this area: (area kind stored, area ids)."""
        if self.kind == AreaKind.NEIGHBOURHOOD:
            return str(AreaKind.LSOA), list(self.lsoa_ids)
        return self.kind, [self.pk]

    def conversation_filter(self, prefix: str = "") -> Q:
        """The same area as a filter on conversations, for the few figures counted live."""
        if self.kind == AreaKind.NEIGHBOURHOOD:
            return Q(**{f"{prefix}lsoa_id__in": list(self.lsoa_ids)})
        column = {
            AreaKind.AUTHORITY: "authority_id",
            AreaKind.WARD: "ward_id",
            AreaKind.LSOA: "lsoa_id",
        }[AreaKind(self.kind)]
        return Q(**{f"{prefix}{column}": self.pk})

    def lsoas(self) -> Any:
        if self.kind == AreaKind.NEIGHBOURHOOD:
            return Lsoa.objects.filter(pk__in=self.lsoa_ids)
        if self.kind == AreaKind.LSOA:
            return Lsoa.objects.filter(pk=self.pk)
        if self.kind == AreaKind.WARD:
            return Lsoa.objects.filter(ward_id=self.pk)
        return Lsoa.objects.filter(authority_id=self.pk)

    def get_absolute_url(self) -> str:
        return reverse("insight:area_evidence", kwargs={"kind": self.kind, "code": self.code})

    @property
    def is_authority(self) -> bool:
        return self.kind == AreaKind.AUTHORITY


def area_from(kind: str, code: str) -> Area:
    """The area named in a URL, or 404."""
    if kind == AreaKind.AUTHORITY:
        authority = LocalAuthority.objects.filter(code=code).first()
        if authority is None:
            raise Http404
        return Area(kind, authority.code, authority.name, authority.pk, authority)
    if kind == AreaKind.WARD:
        ward = Ward.objects.select_related("authority").filter(code=code).first()
        if ward is None:
            raise Http404
        return Area(kind, ward.code, ward.name, ward.pk, ward.authority)
    if kind == AreaKind.LSOA:
        lsoa = Lsoa.objects.select_related("authority").filter(code=code).first()
        if lsoa is None:
            raise Http404
        return Area(kind, lsoa.code, lsoa.name, lsoa.pk, lsoa.authority, (lsoa.pk,))
    if kind == AreaKind.NEIGHBOURHOOD:
        neighbourhood = Neighbourhood.objects.select_related("authority").filter(slug=code).first()
        if neighbourhood is None:
            raise Http404
        return area_of_neighbourhood(neighbourhood)
    raise Http404


def area_of_neighbourhood(neighbourhood: Neighbourhood) -> Area:
    return Area(
        AreaKind.NEIGHBOURHOOD,
        neighbourhood.slug,
        neighbourhood.name,
        neighbourhood.pk,
        neighbourhood.authority,
        tuple(sorted(neighbourhood.lsoas.values_list("pk", flat=True))),
    )


def authority_area(area: Area) -> Area:
    return Area(
        AreaKind.AUTHORITY,
        area.authority.code,
        area.authority.name,
        area.authority.pk,
        area.authority,
    )


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Whole months from ``first`` to ``last`` inclusive (both the first day of their month)."""

    first: date
    last: date

    @property
    def months(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    def previous(self) -> Period:
        return Period(add_months(self.first, -self.months), add_months(self.first, -1))

    @property
    def label(self) -> str:
        if self.first == self.last:
            return f"{self.first:%B %Y}"
        return _("%(first)s to %(last)s") % {
            "first": f"{self.first:%B %Y}",
            "last": f"{self.last:%B %Y}",
        }

    @property
    def end_exclusive(self) -> date:
        return add_months(self.last, 1)


PERIOD_CHOICES = [
    ("3", gettext_lazy("Last 3 months")),
    ("6", gettext_lazy("Last 6 months")),
    ("12", gettext_lazy("Last 12 months")),
    ("24", gettext_lazy("Last 24 months")),
]


def current_month() -> date:
    return timezone.localdate().replace(day=1)


def period_of(months: int, *, ending: date | None = None) -> Period:
    last = (ending or current_month()).replace(day=1)
    return Period(add_months(last, -(months - 1)), last)


def parse_month(value: str) -> date | None:
    """``YYYY-MM`` to the first of that month; None if it is not one."""
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except (ValueError, TypeError):
        return None
