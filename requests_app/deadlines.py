"""Business days and deadlines (SPEC §5). The one calendar: reminders, reports and screens use it.

Public API (relied on elsewhere; keep names and meanings):

- ``BusinessCalendar(closed_dates=(), year_end_closure=None, country="JP")`` (closure: None = Japan only);
  ``BusinessCalendar.for_organization(org)``
- ``.is_business_day(d)``: not Saturday, Sunday, a national holiday (substitute and citizens'
  holidays included, from the maintained ``holidays`` package), the Dec 29 – Jan 3 closure (when
  ``year_end_closure``) or one of ``closed_dates``.
- ``.add_business_days(start, n)``: ``start`` is day 0; each business day after it counts one.
- ``.business_days_between(a, b)``: business days D with a < D ≤ b; negative when b < a.
- ``.due_date(periods, limit)``: ``periods`` is ``[(day0, paused_on_or_None), ...]`` in order.
  A period counts business days D with day0 < D ≤ paused_on (a pause on day P counts P and stops
  after it); the next period's day0 is the day the requester answered. Returns the day the count
  reaches ``limit``, or ``None`` while the clock is paused short of it.

Rules of other jurisdictions are data (``unit``): calendar days and months, both rolled forward
to the next business day when they end on a closed day (EU Regulation 1182/71 for the GDPR; the
California Civil Code for the CCPA's days).
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from functools import lru_cache

import holidays as _holidays
from django.db import models
from django.utils.translation import gettext_lazy as _

ONE_DAY = dt.timedelta(days=1)
# Closed every year from Dec 29 to Jan 3 unless an organization says otherwise (SPEC §5).
YEAR_END_CLOSURE = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))

Period = tuple[dt.date, dt.date | None]


class DeadlineUnit(models.TextChoices):
    BUSINESS_DAYS = "business_days", _("business days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    MONTHS = "months", _("months")


@lru_cache(maxsize=16)
def _national_holidays(country: str) -> _holidays.HolidayBase:
    # Expands lazily by year on membership tests; one object per country for the process.
    return _holidays.country_holidays(country)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day number ``months`` later; the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


class BusinessCalendar:
    def __init__(
        self,
        closed_dates: Iterable[dt.date] = (),
        year_end_closure: bool | None = None,
        country: str = "JP",
    ):
        self.closed_dates = frozenset(closed_dates)
        # The Dec 29 – Jan 3 closure is a Japanese custom: the default only for Japan (SPEC §5).
        self.year_end_closure = country == "JP" if year_end_closure is None else year_end_closure
        self.country = country
        self._holidays = _national_holidays(country)

    @classmethod
    def for_organization(cls, organization) -> BusinessCalendar:
        """The organization's calendar: its country's holidays, year-end closure, closed days.

        Uses ``closed_days`` from a prefetch when the caller made one (no query per row).
        """
        return cls(
            closed_dates=(c.date for c in organization.closed_days.all()),
            year_end_closure=organization.year_end_closure,
            country=organization.holiday_country,
        )

    def __repr__(self):
        return (
            f"BusinessCalendar(country={self.country!r}, year_end_closure={self.year_end_closure}, "
            f"closed_dates={len(self.closed_dates)})"
        )

    # -- days -----------------------------------------------------------------------------
    def is_business_day(self, d: dt.date) -> bool:
        if d.weekday() >= 5:
            return False
        if self.year_end_closure and (d.month, d.day) in YEAR_END_CLOSURE:
            return False
        if d in self.closed_dates:
            return False
        return d not in self._holidays

    def holiday_name(self, d: dt.date) -> str | None:
        return self._holidays.get(d)

    def next_business_day(self, d: dt.date) -> dt.date:
        """``d`` itself when it is a business day, else the first business day after it."""
        while not self.is_business_day(d):
            d += ONE_DAY
        return d

    def add_business_days(self, start: dt.date, n: int) -> dt.date:
        step = ONE_DAY if n >= 0 else -ONE_DAY
        remaining, d = abs(n), start
        while remaining:
            d += step
            if self.is_business_day(d):
                remaining -= 1
        return d

    def nth_business_day_back(self, day: dt.date, n: int) -> dt.date:
        """The n-th business day counting back from ``day``, ``day`` included when it is one.

        ``business_days_between(start, day) >= n`` exactly when ``start`` is before it.
        """
        return self.add_business_days(day + ONE_DAY, -n)

    def business_days_between(self, a: dt.date, b: dt.date) -> int:
        if b < a:
            return -self.business_days_between(b, a)
        count, d = 0, a
        while d < b:
            d += ONE_DAY
            if self.is_business_day(d):
                count += 1
        return count

    def business_day_index(self, first: dt.date, last: dt.date) -> dict[dt.date, int]:
        """For each day from ``first`` to ``last`` (included), the business days in (first, day]:
        ``index[b] - index[a] == business_days_between(a, b)`` for first ≤ a ≤ b ≤ last — one
        pass over the calendar for many pairs of dates (the statistics)."""
        index, count, day = {}, 0, first
        while day <= last:
            if day != first and self.is_business_day(day):
                count += 1
            index[day] = count
            day += ONE_DAY
        return index

    # -- deadlines ------------------------------------------------------------------------
    def counted_days(self, periods: Sequence[Period], unit: str = DeadlineUnit.BUSINESS_DAYS, until=None) -> int:
        """Days the clock has counted over ``periods`` up to ``until`` (inclusive), per ``unit``.

        For months the count is in calendar days (used only to tell how long a clock ran).
        """
        _check_periods(periods)
        counts_day = self.is_business_day if unit == DeadlineUnit.BUSINESS_DAYS else (lambda d: True)
        total = 0
        for day0, paused_on in periods:
            end = paused_on if paused_on is not None else until
            if end is None:
                raise ValueError("an open period needs 'until'")
            if until is not None:
                end = min(end, until)
            d = day0
            while d < end:
                d += ONE_DAY
                if counts_day(d):
                    total += 1
        return total

    def due_date(self, periods: Sequence[Period], limit: int, unit: str = DeadlineUnit.BUSINESS_DAYS) -> dt.date | None:
        """The due date of a clock made of ``periods`` with ``limit`` in ``unit`` (SPEC §5)."""
        _check_periods(periods)
        if not periods:
            return None
        if limit < 0:
            raise ValueError("limit must not be negative")
        if unit == DeadlineUnit.MONTHS:
            return self._due_in_months(periods, limit)
        counts_day = self.is_business_day if unit == DeadlineUnit.BUSINESS_DAYS else (lambda d: True)
        if limit == 0:
            return periods[0][0]
        counted = 0
        for day0, paused_on in periods:
            d = day0
            while paused_on is None or d < paused_on:
                d += ONE_DAY
                if counts_day(d):
                    counted += 1
                    if counted == limit:
                        return d if unit == DeadlineUnit.BUSINESS_DAYS else self.next_business_day(d)
        return None  # paused before the limit was reached

    def _due_in_months(self, periods: Sequence[Period], limit: int) -> dt.date | None:
        # The limit runs from the first day 0; every calendar day spent paused is added back.
        target, shift = add_months(periods[0][0], limit), 0
        for index, (_day0, paused_on) in enumerate(periods):
            candidate = target + dt.timedelta(days=shift)
            if paused_on is None or candidate <= paused_on:
                return self.next_business_day(candidate)
            if index + 1 < len(periods):
                shift += (periods[index + 1][0] - paused_on).days
        return None  # paused before the limit was reached

    def add(self, start: dt.date, limit: int, unit: str) -> dt.date:
        """A single uninterrupted period: ``limit`` units after day 0 ``start``."""
        return self.due_date([(start, None)], limit, unit)


def _check_periods(periods: Sequence[Period]) -> None:
    previous_end = None
    for index, (day0, paused_on) in enumerate(periods):
        if previous_end is not None and day0 < previous_end:
            raise ValueError("periods overlap or are out of order")
        if paused_on is not None and paused_on < day0:
            raise ValueError("a period cannot pause before its day 0")
        if paused_on is None and index != len(periods) - 1:
            raise ValueError("only the last period may be open")
        previous_end = paused_on
