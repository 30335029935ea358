"""Ages a service is for, read from its eligibility text: "aged 11 to 25", "11-19 year olds",
"young people up to 19", "under 18s", "16+", "18 and over". Only what the text says plainly: a
text that gives two different ranges says nothing sure, and nothing is suggested from it.

Numbers are whole years, inclusive: "under 18" is up to 17, "up to 19" is up to 19, "over 16s"
and "16 and over" are from 16 (as UK services use them: "over 16s" means 16 and older).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services_directory.search.types import OLDEST_AGE, YOUNGEST_AGE

_AGE = r"(\d{1,2})"
_YEARS = r"(?:\s*year\s*olds?|\s*(?:years?|yrs?)(?:\s*old)?|s)"
_TO = r"\s*(?:-|–|—|to|and)\s*"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "aged 11 to 25", "ages 11-19", "between 13 and 19" (a time, "10 to 12", is not an age)
    ("range", re.compile(rf"\b(?:aged?|ages|between)\s+{_AGE}{_YEARS}?{_TO}{_AGE}\b", re.I)),
    # "11 - 25 year olds", "11 to 19 years", "13-19s"
    ("range", re.compile(rf"\b{_AGE}{_YEARS}?{_TO}{_AGE}{_YEARS}", re.I)),
    # "up to 19", "up to the age of 25", "until 18", "aged 19 or under", "19 and under"
    ("upto", re.compile(rf"\b(?:up\s+to|until)\s+(?:the\s+age\s+of\s+|age\s+)?{_AGE}\b", re.I)),
    ("orunder", re.compile(rf"\b{_AGE}{_YEARS}?\s*(?:and|or)\s+(?:under|younger|below)\b", re.I)),
    # "under 18s", "under 18", "under-18s"
    ("under", re.compile(rf"\bunder[\s-]+{_AGE}(?:s\b|\b)", re.I)),
    # "16+", "16 plus", "16 and over", "aged 16 or older", "over 16s", "16 years and above"
    ("plus", re.compile(rf"\b{_AGE}\s*(?:\+|plus\b)", re.I)),
    (
        "orover",
        re.compile(rf"\b{_AGE}{_YEARS}?\s*(?:and|or)\s+(?:over|older|above|upwards)\b", re.I),
    ),
    ("over", re.compile(rf"\bover[\s-]+{_AGE}s\b", re.I)),
)


@dataclass(frozen=True)
class AgeRange:
    """An age range read from a text, and the words that say it."""

    minimum: int | None
    maximum: int | None
    words: str

    @property
    def value(self) -> str:
        """As stored with a decision: "11-25", "-17", "16-"."""
        return f"{'' if self.minimum is None else self.minimum}-" + (
            "" if self.maximum is None else str(self.maximum)
        )

    def shown(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"{self.minimum} to {self.maximum}"
        if self.minimum is not None:
            return f"{self.minimum} and over"
        return f"up to {self.maximum}"


def _sane(low: int | None, high: int | None) -> bool:
    values = [v for v in (low, high) if v is not None]
    if not values or any(not YOUNGEST_AGE <= v <= OLDEST_AGE for v in values):
        return False
    return low is None or high is None or low < high


def _found(kind: str, match: re.Match[str]) -> tuple[int | None, int | None]:
    numbers = [int(g) for g in match.groups() if g is not None]
    if kind == "range":
        return numbers[0], numbers[1]
    if kind in {"upto", "orunder"}:
        return None, numbers[0]
    if kind == "under":
        return None, numbers[0] - 1
    return numbers[0], None


def ages_in(text: str | None) -> AgeRange | None:
    """The one age range `text` gives, or None (no range, or two that disagree)."""
    if not text:
        return None
    ranges: dict[tuple[int | None, int | None], str] = {}
    taken: list[tuple[int, int]] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue  # inside a range already read ("11 to 25" is not also "up to 25")
            low, high = _found(kind, match)
            if _sane(low, high):
                taken.append(span)
                ranges.setdefault((low, high), match.group().strip())
    if len(ranges) != 1:
        return None
    (low, high), words = next(iter(ranges.items()))
    return AgeRange(low, high, words)
