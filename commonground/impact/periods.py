"""Periods that figures are counted over: any span of whole days, most often a programme year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.formats import date_format


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A period cannot end before it starts.")

    @property
    def start_moment(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_moment(self) -> datetime:
        """The first moment after the period (compare with ``<``)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def contains_period(self, start: date, end: date) -> bool:
        return self.start <= start and end <= self.end

    def overlap_days(self, start: date, end: date) -> int:
        return max(0, (min(self.end, end) - max(self.start, start)).days + 1)

    @property
    def label(self) -> str:
        return f"{date_format(self.start, 'j F Y')} to {date_format(self.end, 'j F Y')}"

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label}


def programme_year(starting_year: int, *, starts_month: int = 4) -> Period:
    """The programme year that begins in ``starts_month`` of ``starting_year``."""
    start = date(starting_year, starts_month, 1)
    end = date(starting_year + 1, starts_month, 1) - timedelta(days=1)
    return Period(start, end)


def programme_year_containing(day: date, *, starts_month: int = 4) -> Period:
    year = day.year if day.month >= starts_month else day.year - 1
    return programme_year(year, starts_month=starts_month)


def calendar_year(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))
