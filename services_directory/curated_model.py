"""The shape of a curated service entry (national_services.yml, local_sample_services.yml), as a
pydantic model: every problem of an entry, by field, in plain words.

Checked against the folder's own localities and the known languages (`validation context`), so
a data folder that adds a locality is read consistently (services_directory/curated.py).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from services_directory import wording
from services_directory.errors import RecordError
from services_directory.schedules import DAYS, parse_time
from services_directory.search.types import (
    CONTACT_MODES,
    OLDEST_AGE,
    SAFE_SCHEMES,
    YOUNGEST_AGE,
)

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class _Entry(BaseModel):
    model_config = ConfigDict(extra="allow")


class HoursRow(_Entry):
    """Opening hours on some days, Europe/London."""

    byday: list[str] | str
    opens_at: str
    closes_at: str

    @field_validator("byday")
    @classmethod
    def _days(cls, days: list[str] | str) -> list[str]:
        listed = days if isinstance(days, list) else str(days).split(",")
        bad = [d for d in listed if str(d).strip() not in DAYS]
        if bad or not listed:
            raise ValueError(f"bad day(s): {bad or listed}")
        return [str(d).strip() for d in listed]

    @field_validator("opens_at", "closes_at", mode="before")
    @classmethod
    def _time(cls, value: Any) -> str:
        if not isinstance(value, str) or parse_time(value) is None:
            raise ValueError(f"{value!r} is not HH:MM")
        return value


class ContactModeEntry(_Entry):
    """One way to get in touch."""

    mode: str
    value: str | int
    href: str | None = None
    hours: Literal["always"] | list[HoursRow] | None = None

    @field_validator("mode")
    @classmethod
    def _mode(cls, mode: str) -> str:
        if mode not in CONTACT_MODES:
            raise ValueError(f"unknown mode {mode!r}")
        return mode

    @field_validator("value")
    @classmethod
    def _value(cls, value: str | int) -> str | int:
        if value in ("", None):
            raise ValueError("is required")
        return value

    @field_validator("href")
    @classmethod
    def _href(cls, href: str | None) -> str | None:
        if href and not href.lower().startswith(SAFE_SCHEMES):
            raise ValueError(f"{href!r}: only tel:, sms:, https: and mailto: links")
        return href


class Organization(_Entry):
    name: str = Field(min_length=1)


class CuratedService(_Entry):
    """A curated service entry (docs/architecture.md, "Curated data files")."""

    slug: str
    name: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    organization: Organization
    minimum_age: int | None = Field(None, ge=YOUNGEST_AGE, le=OLDEST_AGE)
    maximum_age: int | None = Field(None, ge=YOUNGEST_AGE, le=OLDEST_AGE)
    cost: Literal["free", "low_cost", "paid"]
    area: Literal["national", "local"]
    localities: list[str] = []
    languages: list[str] = []
    crisis: bool = False
    crisis_order: int | None = None
    contact_modes: list[ContactModeEntry] = Field(min_length=1)
    schedules: list[HoursRow] | None = None
    last_verified: dt.date | None = None

    @field_validator("slug")
    @classmethod
    def _slug(cls, slug: str) -> str:
        if not SLUG_RE.match(slug):
            raise ValueError(f"{slug!r} is not a slug (a-z, 0-9, -)")
        return slug

    @field_validator("name", "summary")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is required")
        return value

    @field_validator("localities")
    @classmethod
    def _localities(cls, localities: list[str], info: ValidationInfo) -> list[str]:
        known = (info.context or {}).get("localities", set())
        unknown = [loc for loc in localities if loc not in known]
        if unknown:
            raise ValueError(f"unknown locality {unknown[0]!r}")
        return localities

    @field_validator("languages")
    @classmethod
    def _languages(cls, languages: list[str]) -> list[str]:
        unknown = [lang for lang in languages if lang not in wording.languages()]
        if unknown:
            raise ValueError(f"unknown language {unknown[0]!r}")
        return languages

    @model_validator(mode="after")
    def _consistent(self) -> CuratedService:
        if (
            self.minimum_age is not None
            and self.maximum_age is not None
            and self.minimum_age > self.maximum_age
        ):
            raise _FieldError("maximum_age", f"{self.maximum_age} is below minimum_age")
        if self.area == "local" and not self.localities:
            raise _FieldError("localities", "a local service needs its localities")
        if self.crisis and self.crisis_order is None:
            raise _FieldError("crisis_order", "a crisis entry needs its crisis_order")
        return self


class _FieldError(ValueError):
    """A problem between fields, reported on one of them."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


MESSAGES = {
    "missing": "is required",
    "string_too_short": "is required",
    "too_short": "at least one way to get in touch",
    "literal_error": "must be one of {expected}",
    "date_from_datetime_parsing": "{input!r} is not a date (YYYY-MM-DD)",
    "date_parsing": "{input!r} is not a date (YYYY-MM-DD)",
    "date_type": "{input!r} is not a date (YYYY-MM-DD)",
    "greater_than_equal": "{input!r} is not an age from 0 to 120",
    "less_than_equal": "{input!r} is not an age from 0 to 120",
    "int_type": "{input!r} is not a whole number",
    "int_parsing": "{input!r} is not a whole number",
}


def _field_name(location: tuple[Any, ...]) -> str:
    name = ""
    for part in location:
        if isinstance(part, int):
            name += f"[{part}]"
        elif part not in ("function-after", "function-before") and not str(part).startswith(
            ("list[", "literal[", "union[", "str", "int")
        ):
            name += f".{part}" if name else str(part)
    return name


def entry_errors(entry: Any, where: str, localities: set[str]) -> list[RecordError]:
    """Every problem of one curated service entry, by field (empty when it is valid)."""
    if not isinstance(entry, dict):
        return [RecordError(where, "", "must be a mapping")]
    slug = entry.get("slug")
    where = f"{where} ({slug})" if slug else where
    try:
        CuratedService.model_validate(entry, context={"localities": localities})
    except ValidationError as exc:
        return [_record_error(where, error) for error in exc.errors()]
    except _FieldError as exc:  # pragma: no cover - pydantic wraps it in a ValidationError
        return [RecordError(where, exc.field, str(exc))]
    return []


def _record_error(where: str, error: Any) -> RecordError:
    context = error.get("ctx") or {}
    cause = context.get("error")
    if isinstance(cause, _FieldError):
        return RecordError(where, cause.field, str(cause))
    field = _field_name(tuple(error["loc"]))
    template = MESSAGES.get(error["type"])
    if template is None:
        message = str(cause) if cause is not None else error["msg"]
    else:
        message = template.format(input=error.get("input"), expected=context.get("expected", ""))
    return RecordError(where, field, message)
