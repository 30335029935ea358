"""Ages: who the bot is for, and whether a service fits an age."""

from __future__ import annotations

# The young people the bot is for. Younger and older people are still helped, with words and
# services that fit their age.
SERVED_YOUNGEST, SERVED_OLDEST = 11, 25

# The ages a message can plausibly give ("im 145" is not an age).
YOUNGEST_READ, OLDEST_READ = 5, 99


def fits_age(minimum: float | None, maximum: float | None, age: int) -> bool:
    """True when `age` is inside a service's age range (a missing bound is open)."""
    return (minimum is None or age >= minimum) and (maximum is None or age <= maximum)


def age_band(age: int | None) -> str | None:
    """ "younger" below the served ages, "older" above them, None inside or when unknown."""
    if age is None:
        return None
    if age < SERVED_YOUNGEST:
        return "younger"
    if age > SERVED_OLDEST:
        return "older"
    return None


def as_age(value: object) -> int | None:
    """An age slot's value as an int (it may hold "skipped" or nothing)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
