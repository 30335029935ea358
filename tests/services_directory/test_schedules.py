"""Opening hours in Europe/London with England's bank holidays."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from services_directory.schedules import describe, is_bank_holiday, is_open, parse_time, rules_from

WEEKDAYS_9_TO_5 = rules_from(
    [{"byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:00"}]
)


def test_weekday_weekend_and_bank_holiday() -> None:
    assert is_open(WEEKDAYS_9_TO_5, dt.datetime(2026, 11, 24, 9, 0)) is True
    assert is_open(WEEKDAYS_9_TO_5, dt.datetime(2026, 11, 24, 17, 0)) is False
    assert is_open(WEEKDAYS_9_TO_5, dt.datetime(2026, 11, 28, 12, 0)) is False  # Saturday
    christmas = dt.datetime(2026, 12, 25, 12, 0)  # a Friday
    assert is_bank_holiday(christmas.date())
    assert is_open(WEEKDAYS_9_TO_5, christmas, closed_on_bank_holidays=True) is False
    assert is_open(WEEKDAYS_9_TO_5, christmas, closed_on_bank_holidays=False) is True


def test_times_are_london_times_in_summer_and_winter() -> None:
    london = ZoneInfo("Europe/London")
    summer_utc = dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.UTC)  # 09:30 BST
    winter_utc = dt.datetime(2026, 1, 6, 8, 30, tzinfo=dt.UTC)  # 08:30 GMT
    assert is_open(WEEKDAYS_9_TO_5, summer_utc) is True
    assert is_open(WEEKDAYS_9_TO_5, winter_utc) is False
    assert is_open(WEEKDAYS_9_TO_5, dt.datetime(2026, 1, 6, 9, 30, tzinfo=london)) is True
    assert parse_time("09:00Z", dt.date(2026, 7, 1)) == 10 * 60  # 9 UTC = 10 BST


def test_overnight_monthly_and_fortnightly_rules() -> None:
    late = rules_from([{"byday": "FR,SA", "opens_at": "22:00", "closes_at": "02:00"}])
    assert is_open(late, dt.datetime(2026, 11, 28, 1, 0)) is True  # Saturday 1am: from Friday
    assert is_open(late, dt.datetime(2026, 11, 24, 1, 0)) is False  # Tuesday 1am
    monthly = rules_from(
        [{"freq": "MONTHLY", "byday": "2TU", "opens_at": "18:00", "closes_at": "20:00"}]
    )
    assert is_open(monthly, dt.datetime(2026, 11, 10, 19, 0)) is True  # 2nd Tuesday
    assert is_open(monthly, dt.datetime(2026, 11, 17, 19, 0)) is False
    fortnightly = rules_from(
        [
            {
                "freq": "WEEKLY",
                "interval": 2,
                "dtstart": "2026-11-02",
                "byday": "MO",
                "opens_at": "10:00",
                "closes_at": "12:00",
            }
        ]
    )
    assert is_open(fortnightly, dt.datetime(2026, 11, 16, 11, 0)) is True
    assert is_open(fortnightly, dt.datetime(2026, 11, 23, 11, 0)) is False
    expired = rules_from(
        [{"byday": "MO", "opens_at": "10:00", "closes_at": "12:00", "valid_to": "2026-01-01"}]
    )
    assert is_open(expired, dt.datetime(2026, 11, 23, 11, 0)) is False


def test_unknown_hours_and_24_7() -> None:
    assert is_open([], dt.datetime(2026, 11, 24, 12, 0)) is None
    assert is_open([], dt.datetime(2026, 11, 24, 3, 0), open_24_7=True) is True


def test_hours_in_plain_words() -> None:
    rules = rules_from(
        [
            {"byday": ["MO", "TU", "WE", "TH", "FR"], "opens_at": "09:00", "closes_at": "17:30"},
            {"byday": ["SA"], "opens_at": "10:00", "closes_at": "13:00"},
        ]
    )
    assert describe(rules) == "Mon-Fri 9am-5:30pm, Sat 10am-1pm"
    assert describe([], open_24_7=True) == "24 hours, every day"
    every_day = rules_from(
        [{"byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "00:00", "closes_at": "24:00"}]
    )
    assert describe(every_day) == "24 hours, every day"
    assert describe(WEEKDAYS_9_TO_5, closed_on_bank_holidays=True) == (
        "Mon-Fri 9am-5pm (closed on bank holidays)"
    )
