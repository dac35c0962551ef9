"""What a figure is about: a programme, an organisation (usually a host) or a place.

Computations receive a scope as keyword arguments (``programme=``, ``organisation=`` or ``area=``)
so that the owning app's code needs to know nothing about this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from commonground.places.models import LocalAuthority, Lsoa, Neighbourhood, Ward
from commonground.programme.models import Organisation, Organiser, Programme

from .models import SCOPE_FIELDS, ScopeKind

_KIND_OF_MODEL: dict[type[Model], str] = {
    Programme: ScopeKind.PROGRAMME,
    Organisation: ScopeKind.ORGANISATION,
    LocalAuthority: ScopeKind.AUTHORITY,
    Ward: ScopeKind.WARD,
    Neighbourhood: ScopeKind.NEIGHBOURHOOD,
    Lsoa: ScopeKind.LSOA,
}
_MODEL_OF_KIND = {kind: model for model, kind in _KIND_OF_MODEL.items()}


@dataclass(frozen=True)
class Scope:
    kind: str
    obj: Any

    @classmethod
    def of(cls, obj: Any) -> Scope:
        kind = _KIND_OF_MODEL.get(type(obj))
        if kind is None:
            raise ValueError(f"{obj!r} is not a programme, organisation or place")
        return cls(kind, obj)

    @classmethod
    def from_key(cls, key: str) -> Scope:
        """``"neighbourhood:whiteway"`` back to the scope; raises ``LookupError`` if unknown."""
        kind, _sep, code = key.partition(":")
        if kind not in _MODEL_OF_KIND or not code:
            raise LookupError(key)
        attribute = SCOPE_FIELDS[kind][1]
        obj = _MODEL_OF_KIND[kind].objects.filter(**{attribute: code}).first()
        if obj is None:
            raise LookupError(key)
        return cls(kind, obj)

    @property
    def code(self) -> str:
        return str(getattr(self.obj, SCOPE_FIELDS[self.kind][1]))

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.code}"

    @property
    def name(self) -> str:
        return str(self.obj.name)

    @property
    def kind_label(self) -> str:
        return str(ScopeKind(self.kind).label)

    @property
    def is_area(self) -> bool:
        return self.kind not in {ScopeKind.PROGRAMME, ScopeKind.ORGANISATION}

    def as_kwargs(self) -> dict[str, Any]:
        """How computations are called: ``programme=``, ``organisation=`` or ``area=``."""
        if self.kind == ScopeKind.PROGRAMME:
            return {"programme": self.obj}
        if self.kind == ScopeKind.ORGANISATION:
            return {"organisation": self.obj}
        return {"area": self.obj}

    def model_fields(self) -> dict[str, Any]:
        """The foreign key a measurement, target or report uses for this scope."""
        return {SCOPE_FIELDS[self.kind][0]: self.obj}

    def lsoa_ids(self) -> set[int]:
        """The LSOAs the scope covers; for a programme or organisation, its organisers' patches."""
        if self.kind == ScopeKind.LSOA:
            return {self.obj.pk}
        if self.kind == ScopeKind.WARD:
            return set(Lsoa.objects.filter(ward=self.obj).values_list("pk", flat=True))
        if self.kind == ScopeKind.AUTHORITY:
            return set(Lsoa.objects.filter(authority=self.obj).values_list("pk", flat=True))
        if self.kind == ScopeKind.NEIGHBOURHOOD:
            return set(self.obj.lsoas.values_list("pk", flat=True))
        if self.kind == ScopeKind.PROGRAMME:
            organisers = Organiser.objects.filter(programme=self.obj)
        else:
            organisers = Organiser.objects.filter(host=self.obj)
        return set(
            Lsoa.objects.filter(neighbourhoods__organisers__in=organisers)
            .values_list("pk", flat=True)
            .distinct()
        )


def programme_host_ids(programme: Programme) -> set[int]:
    """Hosts of a programme: those placing its organisers and host organisations taking part."""
    placing = set(Organiser.objects.filter(programme=programme).values_list("host_id", flat=True))
    taking_part = set(
        programme.organisations.filter(kind=Organisation.Kind.HOST).values_list("pk", flat=True)
    )
    return placing | taking_part
