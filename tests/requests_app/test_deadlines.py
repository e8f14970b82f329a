"""SPEC §5: business days, year-end closure, pauses, and the rules of other jurisdictions."""

import datetime as dt

import pytest

from requests_app.deadlines import BusinessCalendar, DeadlineUnit, add_months

D = dt.date.fromisoformat
JP = BusinessCalendar()


@pytest.mark.parametrize(
    ("day", "business"),
    [
        ("2026-11-20", True),  # Friday
        ("2026-11-21", False),  # Saturday
        ("2026-11-22", False),  # Sunday
        ("2026-11-23", False),  # Labour Thanksgiving Day
        ("2026-09-22", False),  # citizens' holiday (国民の休日) between two holidays
        ("2026-05-06", False),  # substitute holiday (振替休日) for Sunday May 3
        ("2027-03-22", False),  # substitute holiday for the Sunday vernal equinox
        ("2027-01-11", False),  # Coming of Age Day
        ("2026-12-28", True),  # last business day of the year
        ("2026-12-29", False),  # year-end closure starts
        ("2026-12-30", False),
        ("2026-12-31", False),
        ("2027-01-01", False),
        ("2027-01-02", False),
        ("2027-01-03", False),
        ("2027-01-04", True),  # first business day of the year
    ],
)
def test_business_days_in_japan(day, business):
    assert JP.is_business_day(D(day)) is business


def test_year_end_closure_can_be_switched_off():
    calendar = BusinessCalendar(year_end_closure=False)

    assert calendar.is_business_day(D("2026-12-29"))
    assert calendar.is_business_day(D("2026-12-30"))
    assert not calendar.is_business_day(D("2027-01-01"))  # New Year's Day is a national holiday


def test_organization_closed_dates_are_not_business_days():
    calendar = BusinessCalendar(closed_dates=[D("2026-11-27")])

    assert not calendar.is_business_day(D("2026-11-27"))
    assert calendar.add_business_days(D("2026-11-26"), 1) == D("2026-11-30")


def test_spec_worked_example_over_the_new_year():
    # Complete on Fri 2026-12-25, limit 14 → Thu 2027-01-21.
    assert JP.add_business_days(D("2026-12-25"), 14) == D("2027-01-21")
    assert JP.due_date([(D("2026-12-25"), None)], 14) == D("2027-01-21")


@pytest.mark.parametrize(
    ("complete", "due"),
    [
        ("2027-01-05", "2027-01-26"),  # COPRO: second money order arrives (Jan 11 holiday)
        ("2026-09-18", "2026-10-14"),  # Leverages: Sep 21, 22, 23 and Oct 12 are holidays
        ("2027-01-06", "2027-01-27"),  # JUO: fee by bank transfer after the closure
    ],
)
def test_scenario_due_dates(complete, due):
    assert JP.due_date([(D(complete), None)], 14) == D(due)


def test_day_zero_is_not_counted_and_zero_days_is_the_start():
    assert JP.add_business_days(D("2026-11-20"), 0) == D("2026-11-20")
    assert JP.add_business_days(D("2026-11-20"), 1) == D("2026-11-24")  # skips weekend + holiday
    assert JP.add_business_days(D("2026-11-21"), 1) == D("2026-11-24")  # day 0 may be a closed day


def test_add_business_days_backwards():
    assert JP.add_business_days(D("2026-11-24"), -1) == D("2026-11-20")


def test_business_days_between_counts_after_a_up_to_b():
    assert JP.business_days_between(D("2026-11-20"), D("2026-11-20")) == 0
    assert JP.business_days_between(D("2026-11-20"), D("2026-11-24")) == 1
    assert JP.business_days_between(D("2026-11-20"), D("2026-11-27")) == 4
    assert JP.business_days_between(D("2026-11-27"), D("2026-11-20")) == -4
    assert JP.business_days_between(D("2026-12-28"), D("2027-01-04")) == 1


def test_pause_counts_the_pause_day_and_resumes_after_the_answer_day():
    # Complete Mon 2026-11-02. Paused Fri 11-06 (days 11-03 holiday; 11-04, 05, 06 count = 3).
    # Answer on Wed 11-11 (day 0 again); 11 more business days are needed after it.
    periods = [(D("2026-11-02"), D("2026-11-06")), (D("2026-11-11"), None)]

    assert JP.counted_days(periods[:1]) == 3
    assert JP.due_date(periods, 14) == JP.add_business_days(D("2026-11-11"), 11)
    assert JP.due_date(periods, 14) == D("2026-11-27")  # 11-23 is a holiday


def test_paused_clock_has_no_due_date_until_the_requester_answers():
    assert JP.due_date([(D("2026-11-02"), D("2026-11-06"))], 14) is None


def test_limit_reached_before_the_pause_keeps_its_date():
    # 11-03 is Culture Day: 04, 05, 06, 09, 10.
    assert JP.due_date([(D("2026-11-02"), D("2026-11-30"))], 5) == D("2026-11-10")


def test_pause_on_day_zero_counts_nothing():
    periods = [(D("2026-11-02"), D("2026-11-02")), (D("2026-11-04"), None)]

    assert JP.due_date(periods, 1) == D("2026-11-05")


def test_invalid_periods_are_refused():
    with pytest.raises(ValueError):
        JP.due_date([(D("2026-11-05"), D("2026-11-02"))], 3)
    with pytest.raises(ValueError):
        JP.due_date([(D("2026-11-02"), None), (D("2026-11-05"), None)], 3)
    with pytest.raises(ValueError):
        JP.due_date([(D("2026-11-02"), D("2026-11-10")), (D("2026-11-05"), None)], 3)


def test_calendar_days_roll_forward_to_a_business_day():
    # CCPA: 45 calendar days from day 0.
    assert JP.due_date([(D("2026-11-02"), None)], 45, DeadlineUnit.CALENDAR_DAYS) == D("2026-12-17")
    # 45 days after 2026-11-16 is 2026-12-31 (closed) → first business day 2027-01-04.
    assert JP.due_date([(D("2026-11-16"), None)], 45, DeadlineUnit.CALENDAR_DAYS) == D("2027-01-04")


def test_calendar_days_with_a_pause():
    periods = [(D("2026-11-02"), D("2026-11-05")), (D("2026-11-10"), None)]  # 3 days counted

    assert JP.due_date(periods, 10, DeadlineUnit.CALENDAR_DAYS) == D("2026-11-17")


def test_months_rule_for_a_gdpr_company_abroad():
    germany = BusinessCalendar(year_end_closure=False, country="DE")

    # One month from Mon 2026-11-02 → Wed 2026-12-02.
    assert germany.due_date([(D("2026-11-02"), None)], 1, DeadlineUnit.MONTHS) == D("2026-12-02")
    # Extended by two months → three months in all.
    assert germany.due_date([(D("2026-11-02"), None)], 3, DeadlineUnit.MONTHS) == D("2027-02-02")
    # Jan 31 + 1 month has no Feb 31 → Feb 28 2027, a Sunday → Monday Mar 1.
    assert germany.due_date([(D("2027-01-31"), None)], 1, DeadlineUnit.MONTHS) == D("2027-03-01")
    # Christmas is a holiday in Germany: due Fri 2026-12-25 → Mon 12-28 (26th is a holiday too).
    assert germany.due_date([(D("2026-11-25"), None)], 1, DeadlineUnit.MONTHS) == D("2026-12-28")


def test_months_rule_adds_back_the_paused_days():
    germany = BusinessCalendar(year_end_closure=False, country="DE")
    periods = [(D("2026-11-02"), D("2026-11-10")), (D("2026-11-17"), None)]  # paused 7 days

    assert germany.due_date(periods, 1, DeadlineUnit.MONTHS) == D("2026-12-09")
    assert germany.due_date(periods[:1], 1, DeadlineUnit.MONTHS) is None


def test_add_months_clamps_to_month_end():
    assert add_months(D("2026-01-31"), 1) == D("2026-02-28")
    assert add_months(D("2026-11-30"), 3) == D("2027-02-28")
    assert add_months(D("2026-12-15"), 1) == D("2027-01-15")


def test_us_business_days_for_ccpa_acknowledgement():
    us = BusinessCalendar(year_end_closure=False, country="US")

    # 10 business days from Mon 2026-11-16: Thanksgiving (11-26) is a federal holiday.
    assert us.add_business_days(D("2026-11-16"), 10) == D("2026-12-01")


def test_nth_business_day_back_counts_the_day_itself_when_it_is_one():
    assert JP.nth_business_day_back(D("2027-01-05"), 1) == D("2027-01-05")
    assert JP.nth_business_day_back(D("2027-01-05"), 3) == D("2026-12-28")  # over the year-end closure
    assert JP.nth_business_day_back(D("2027-01-03"), 1) == D("2026-12-28")  # a closed day is not counted
    # Started before the n-th business day back ⟺ at least n business days since.
    start = JP.nth_business_day_back(D("2027-01-05"), 3)
    assert JP.business_days_between(start - dt.timedelta(days=1), D("2027-01-05")) >= 3
    assert JP.business_days_between(start, D("2027-01-05")) < 3


def test_the_business_day_index_agrees_with_business_days_between():
    """The statistics count many pairs of dates with one pass over the calendar: the same counts."""
    from requests_app.deadlines import BusinessCalendar

    calendar = BusinessCalendar(closed_dates=[dt.date(2026, 11, 18)])
    first, last = dt.date(2026, 10, 28), dt.date(2027, 1, 12)
    index = calendar.business_day_index(first, last)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    for a in days[::3]:
        for b in days[::5]:
            if a <= b:
                assert index[b] - index[a] == calendar.business_days_between(a, b), (a, b)
