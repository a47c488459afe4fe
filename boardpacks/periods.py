"""Reporting periods: the pack's date range, the period before it, the trend window, and the
first working day of a month (when the monthly pack is built)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class Period:
    """Whole days, both ends inclusive, in the site's time zone (Europe/London)."""

    start: date
    end: date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("The end date must be on or after the start date.")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def is_calendar_months(self) -> bool:
        return self.start.day == 1 and self.end == _month_end(self.end)

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes, for filtering timestamps."""
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tz),
        )

    def previous(self) -> Period:
        """The period of the same length just before: the previous month(s) for a monthly
        pack, otherwise the same number of days."""
        if self.is_calendar_months:
            end = self.start - timedelta(days=1)
            start = _add_months(end.replace(day=1), -(self.months - 1))
            return Period(start, end)
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def label(self) -> str:
        if self.is_calendar_months and self.months == 1:
            return self.start.strftime("%B %Y")
        if self.is_calendar_months:
            return f"{self.start:%B %Y} to {self.end:%B %Y}"
        return f"{self.start.day} {self.start:%B %Y} to {self.end.day} {self.end:%B %Y}"

    def short_label(self) -> str:
        if self.is_calendar_months and self.months == 1:
            return self.start.strftime("%b %Y")
        return f"{self.start:%d %b} – {self.end:%d %b %Y}"

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "label": self.label(),
            "short_label": self.short_label(),
        }


def trend_periods(period: Period, count: int) -> list[Period]:
    """`count` consecutive periods ending with `period`, oldest first."""
    periods = [period]
    while len(periods) < count:
        periods.insert(0, periods[0].previous())
    return periods


def month_period(year: int, month: int) -> Period:
    start = date(year, month, 1)
    return Period(start, _month_end(start))


def previous_month(today: date) -> Period:
    last = today.replace(day=1) - timedelta(days=1)
    return month_period(last.year, last.month)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# --- Working days (England and Wales) --------------------------------------------------------


def _easter_sunday(year: int) -> date:
    """Anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = ((h + ell - 7 * m + 114) % 31) + 1
    return date(year, month, day)


def _first_weekday(year: int, month: int, weekday: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _substitute(day: date) -> date:
    """A bank holiday on a weekend moves to the next Monday."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def bank_holidays(year: int) -> set[date]:
    """The England and Wales bank holidays that can fall early in a month (the only ones
    that can move the first working day): New Year, Easter Monday, early May, plus the fixed
    late-year ones for completeness. Extra closures come from settings (see `conf`)."""
    easter = _easter_sunday(year)
    christmas = _substitute(date(year, 12, 25))
    boxing = _substitute(max(date(year, 12, 26), christmas + timedelta(days=1)))
    return {
        _substitute(date(year, 1, 1)),
        easter - timedelta(days=2),  # Good Friday
        easter + timedelta(days=1),  # Easter Monday
        _first_weekday(year, 5, 0),  # early May bank holiday
        christmas,
        boxing,
    }


def is_working_day(day: date, extra_closed: set[date] | frozenset = frozenset()) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year) and day not in extra_closed


def first_working_day(year: int, month: int, extra_closed: set[date] | frozenset = frozenset()) -> date:
    day = date(year, month, 1)
    while not is_working_day(day, extra_closed):
        day += timedelta(days=1)
    return day
