"""Opening hours: is a service open at a given moment in Europe/London, and how to say its hours.

Schedules are HSDS 3.0 schedule rows (RFC 5545-style: freq, byday, bymonthday, interval,
dtstart, valid_from/valid_to, opens_at/closes_at). UK bank holidays (England) come from the
`holidays` package.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from services_directory import wording

LONDON = ZoneInfo("Europe/London")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$")
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


@dataclass(frozen=True)
class Rule:
    """One schedule row, parsed: on which days, between which minutes of the day."""

    days: frozenset[str]  # weekday codes; empty = every day (when no monthly rule either)
    nth_days: tuple[tuple[int, str], ...]  # MONTHLY "2MO", "-1FR"
    month_days: tuple[int, ...]  # MONTHLY bymonthday
    opens: int  # minutes after midnight, London time
    closes: int  # may be <= opens: closes after midnight
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    dtstart: dt.date | None = None
    interval: int = 1
    monthly: bool = False

    def runs_on(self, day: dt.date) -> bool:
        """Whether the rule has opening hours that start on `day`."""
        if self.valid_from and day < self.valid_from:
            return False
        if self.valid_to and day > self.valid_to:
            return False
        code = DAYS[day.weekday()]
        if self.monthly:
            if self.month_days and _month_day_matches(day, self.month_days):
                return True
            return any(_nth_weekday_matches(day, n, d) for n, d in self.nth_days) or (
                not self.month_days and not self.nth_days and code in self.days
            )
        if self.days and code not in self.days:
            return False
        if self.interval > 1 and self.dtstart:
            weeks = (day - self.dtstart).days // 7
            if weeks < 0 or weeks % self.interval:
                return False
        return True


def _month_day_matches(day: dt.date, month_days: tuple[int, ...]) -> bool:
    next_month = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    last = (next_month - dt.timedelta(days=1)).day
    return any(day.day == (m if m > 0 else last + 1 + m) for m in month_days)


def _nth_weekday_matches(day: dt.date, n: int, code: str) -> bool:
    if DAYS[day.weekday()] != code:
        return False
    if n > 0:
        return (day.day - 1) // 7 + 1 == n
    next_month = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    last = (next_month - dt.timedelta(days=1)).day
    return (last - day.day) // 7 + 1 == -n


def parse_time(text: str | None, on: dt.date | None = None) -> int | None:
    """Minutes after midnight (London time) of "09:00", "10:00:00", "09:00Z" or "09:00+01:00"."""
    if not text:
        return None
    match = _TIME.match(str(text).strip())
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 24 or minutes > 59:
        return None
    total = hours * 60 + minutes
    offset = match.group(4)
    if offset:
        # A time with an explicit offset: turn it into London time on that day.
        sign = 0 if offset == "Z" else (1 if offset[0] == "+" else -1)
        digits = offset.replace(":", "")[1:] if offset != "Z" else "0000"
        offset_minutes = sign * (int(digits[:2]) * 60 + int(digits[2:]))
        day = on or dt.date.today()
        utc = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC) + dt.timedelta(
            minutes=total - offset_minutes
        )
        local = utc.astimezone(LONDON)
        total = local.hour * 60 + local.minute + (24 * 60 if hours == 24 else 0)
    return total


def _days(byday: Any) -> tuple[frozenset[str], tuple[tuple[int, str], ...]]:
    items = byday if isinstance(byday, list | tuple) else str(byday or "").split(",")
    plain: set[str] = set()
    nth: list[tuple[int, str]] = []
    for item in items:
        match = _BYDAY.match(str(item).strip().upper())
        if not match:
            continue
        if match.group(1):
            nth.append((int(match.group(1)), match.group(2)))
        else:
            plain.add(match.group(2))
    return frozenset(plain), tuple(nth)


def rule_from(row: Mapping[str, Any]) -> Rule | None:
    """A Rule from a schedule row or a curated {byday, opens_at, closes_at}; None if unusable."""
    opens = parse_time(row.get("opens_at"))
    closes = parse_time(row.get("closes_at"))
    if opens is None or closes is None:
        return None
    days, nth = _days(row.get("byday"))
    month_days = tuple(
        int(x)
        for x in str(row.get("bymonthday") or "").split(",")
        if x.strip().lstrip("-").isdigit()
    )
    interval = row.get("interval")
    return Rule(
        days=days,
        nth_days=nth,
        month_days=month_days,
        opens=opens,
        closes=closes,
        valid_from=as_date(row.get("valid_from")),
        valid_to=as_date(row.get("valid_to")),
        dtstart=as_date(row.get("dtstart")),
        interval=int(interval) if interval else 1,
        monthly=str(row.get("freq") or "").upper() == "MONTHLY",
    )


def rules_from(rows: Iterable[Mapping[str, Any]]) -> tuple[Rule, ...]:
    """The usable rules of several schedule rows, in the week's order (whatever order the
    database hands the rows back in: PostgreSQL's changes after an update)."""
    return tuple(sorted((r for r in map(rule_from, rows) if r is not None), key=_week_order))


def _week_order(rule: Rule) -> tuple[Any, ...]:
    first = min((DAYS.index(day) for day in rule.days), default=-1)
    return (
        first,
        rule.nth_days,
        rule.month_days,
        rule.opens,
        rule.closes,
        str(rule.valid_from),
        str(rule.valid_to),
        str(rule.dtstart),
        rule.interval,
        rule.monthly,
        tuple(sorted(rule.days)),
    )


def as_date(value: Any) -> dt.date | None:
    """A date column's value as a date (SQLite may hand back text; None when it is not one)."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]).keys())


def is_bank_holiday(day: dt.date) -> bool:
    """Whether `day` is a bank holiday in England."""
    return day in _bank_holidays(day.year)


def london_now(now: dt.datetime | None = None) -> dt.datetime:
    """`now` in Europe/London (naive values are taken as London time); the current time if None."""
    if now is None:
        return dt.datetime.now(LONDON)
    if now.tzinfo is None:
        return now.replace(tzinfo=LONDON)
    return now.astimezone(LONDON)


def is_open(
    rules: Iterable[Rule],
    now: dt.datetime | None = None,
    *,
    open_24_7: bool = False,
    closed_on_bank_holidays: bool = False,
) -> bool | None:
    """Open at `now` (London)? None when there are no opening hours to tell."""
    if open_24_7:
        return True
    rules = tuple(rules)
    if not rules:
        return None
    local = london_now(now)
    today = local.date()
    minute = local.hour * 60 + local.minute
    yesterday = today - dt.timedelta(days=1)
    for rule in rules:
        overnight = rule.closes <= rule.opens
        end_today = rule.closes if not overnight else 24 * 60
        if (
            rule.runs_on(today)
            and not (closed_on_bank_holidays and is_bank_holiday(today))
            and rule.opens <= minute < end_today
        ):
            return True
        if (
            overnight
            and rule.runs_on(yesterday)
            and minute < rule.closes
            and not (closed_on_bank_holidays and is_bank_holiday(yesterday))
        ):
            return True
    return False


def _clock(minutes: int) -> str:
    hours = wording.words()["hours"]
    minutes %= 24 * 60
    h, m = divmod(minutes, 60)
    if h == 0 and m == 0:
        return str(hours["midnight"])
    if h == 12 and m == 0:
        return str(hours["noon"])
    suffix = "am" if h < 12 else "pm"
    h12 = h % 12 or 12
    return f"{h12}{suffix}" if m == 0 else f"{h12}:{m:02d}{suffix}"


def _day_span(codes: list[str]) -> str:
    hours = wording.words()["hours"]
    names = hours["days"]
    if len(codes) == 7:
        return str(hours["every_day"])
    indexes = sorted(DAYS.index(c) for c in codes)
    runs: list[list[int]] = []
    for i in indexes:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(
                str(hours["range"]).format(first=names[DAYS[run[0]]], last=names[DAYS[run[-1]]])
            )
        else:
            parts.extend(str(names[DAYS[i]]) for i in run)
    return str(hours["list_separator"]).join(parts)


def describe(
    rules: Iterable[Rule], *, open_24_7: bool = False, closed_on_bank_holidays: bool = False
) -> str:
    """Opening hours in plain words: "24 hours, every day" or "Mon-Fri 9am-5pm, Sat 10am-1pm"."""
    hours = wording.words()["hours"]
    if open_24_7:
        return str(hours["always"])
    rules = [r for r in rules if not r.monthly]
    if not rules:
        return str(hours["unknown"])
    if all(not r.days for r in rules) and all(
        r.opens == 0 and r.closes >= 24 * 60 - 1 for r in rules
    ):
        return str(hours["always"])
    by_times: dict[tuple[int, int], set[str]] = {}
    for rule in rules:
        key = (rule.opens, rule.closes)
        by_times.setdefault(key, set()).update(rule.days or DAYS)
    if (
        len(by_times) == 1
        and next(iter(by_times)) in {(0, 24 * 60), (0, 23 * 60 + 59)}
        and len(next(iter(by_times.values()))) == 7
    ):
        return str(hours["always"])
    parts = []
    for (opens, closes), days in sorted(
        by_times.items(), key=lambda kv: min(DAYS.index(d) for d in kv[1])
    ):
        span = str(hours["time_range"]).format(opens=_clock(opens), closes=_clock(closes))
        parts.append(f"{_day_span(sorted(days, key=DAYS.index))} {span}")
    text = str(hours["list_separator"]).join(parts)
    if closed_on_bank_holidays:
        text = f"{text} ({hours['closed_bank_holidays']})"
    return text
