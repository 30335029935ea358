"""A set of HSDS records read from a file, checked field by field before anything is written."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from services_directory.errors import RecordError
from services_directory.io.structure import (
    HARD_REFERENCES,
    LINK_COLUMNS,
    SOFT_REFERENCES,
    FieldRule,
    field_rules,
    record_schema,
)
from services_directory.search.types import OLDEST_AGE, YOUNGEST_AGE

UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME_RE = re.compile(r"^([01]\d|2[0-4]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BYDAY_RE = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


@cache
def _validator(table: str) -> Draft202012Validator:
    return Draft202012Validator(record_schema(table))


@cache
def _quick_rules(table: str) -> tuple[dict[str, tuple[type, ...]], dict[str, set[Any]], list[str]]:
    """The record schema of `table` as plain lookups: JSON types, enums and required fields."""
    schema = record_schema(table)
    types: dict[str, tuple[type, ...]] = {}
    enums: dict[str, set[Any]] = {}
    for name, prop in schema["properties"].items():
        types[name] = (int, float) if "number" in prop["type"] else (str,)
        if "enum" in prop:
            enums[name] = {v for v in prop["enum"] if v is not None}
    return types, enums, list(schema["required"])


def _surely_valid(table: str, present: dict[str, Any]) -> bool:
    """Whether a record passes its JSON schema, checked without jsonschema (which takes most of
    the time of a big import); False means "ask jsonschema", which then says what is wrong."""
    types, enums, required = _quick_rules(table)
    for name, value in present.items():
        wanted = types.get(name)
        if wanted is None:
            continue
        if isinstance(value, bool) or not isinstance(value, wanted):
            return False
        allowed = enums.get(name)
        if allowed is not None and value not in allowed:
            return False
    return all(name in present for name in required)


def parse_datetime(value: str) -> dt.datetime:
    """Parse an ISO 8601 date-time ('Z' allowed); naive values are taken as UTC."""
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def format_datetime(value: dt.datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as the standard's examples write it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def format_number(value: float | int) -> int | float:
    """Numbers leave the database as they came in: 12, not 12.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def coerce(rule: FieldRule, value: Any) -> Any:
    """Turn a checked JSON value into the Python value stored in the database."""
    if value is None:
        return None
    if rule.type == "date":
        return dt.date.fromisoformat(value)
    if rule.type == "datetime":
        return parse_datetime(value)
    if rule.type in {"number", "integer"}:
        return float(value)
    return value


def check_field(rule: FieldRule, value: Any) -> str | None:
    """The problem with a value that the JSON schema cannot see (formats), or None."""
    if value is None or not isinstance(value, str):
        return None
    if rule.format == "uuid" and not UUID_RE.match(value):
        return f"{value!r} is not a UUID"
    if rule.format == "email" and not EMAIL_RE.match(value):
        return f"{value!r} is not an email address"
    if rule.type == "date":
        if not DATE_RE.match(value):
            return f"{value!r} is not a date (YYYY-MM-DD)"
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"{value!r} is not a real date"
    if rule.type == "datetime":
        try:
            parse_datetime(value)
        except ValueError:
            return f"{value!r} is not an ISO 8601 date-time"
    if rule.type == "time" and not TIME_RE.match(value):
        return f"{value!r} is not a time (HH:MM or HH:MM:SS, optional offset)"
    if rule.name in {"byday"} and value.strip():
        bad = [d for d in value.split(",") if not BYDAY_RE.match(d.strip())]
        if bad:
            return f"{', '.join(bad)} is not a day (MO, TU, WE, TH, FR, SA, SU)"
    return None


@dataclass
class Record:
    """One record: its table, its values (JSON scalars until coerced) and where it came from."""

    table: str
    values: dict[str, Any]
    where: str
    keys_seen: set[str] = field(default_factory=set)

    @property
    def id(self) -> str:
        return str(self.values.get("id"))

    def label(self) -> str:
        return f"{self.where} ({self.table} {self.values.get('id', '?')})"


@dataclass
class RecordSet:
    """Every record of one import, merged by id, with the problems found on the way."""

    records: dict[str, dict[str, Record]] = field(default_factory=dict)
    errors: list[RecordError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # For each (child table, link column): parents whose children of that kind the file lists in
    # full, so children no longer listed can be removed on re-import.
    authoritative: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def error(self, record: str, field_name: str, message: str) -> None:
        self.errors.append(RecordError(record, field_name, message))

    def add(self, table: str, values: dict[str, Any], where: str) -> Record | None:
        """Add a record, or merge it into the one with the same id (values must agree)."""
        record_id = values.get("id")
        if not isinstance(record_id, str) or not record_id:
            self.error(f"{where} ({table})", "id", "is missing")
            return None
        existing = self.records.setdefault(table, {}).get(record_id)
        if existing is None:
            record = Record(table, dict(values), where, set(values))
            self.records[table][record_id] = record
            return record
        for key, value in values.items():
            if value is None:
                continue
            old = existing.values.get(key)
            if old is None:
                existing.values[key] = value
            elif not _same(old, value):
                self.error(
                    f"{where} ({table} {record_id})",
                    key,
                    f"{value!r} differs from {old!r} given for the same id at {existing.where}",
                )
        return existing

    def count(self, table: str) -> int:
        return len(self.records.get(table, {}))

    def total(self) -> int:
        return sum(len(v) for v in self.records.values())

    def validate(self, existing_ids: dict[str, set[str]] | None = None) -> None:
        """Check every record against its table's JSON schema, formats, ranges and references."""
        existing_ids = existing_ids or {}
        for table, by_id in self.records.items():
            rules = field_rules(table)
            validator = _validator(table)
            for record in by_id.values():
                label = record.label()
                present = {k: v for k, v in record.values.items() if v is not None and v != ""}
                errors = () if _surely_valid(table, present) else validator.iter_errors(present)
                for err in errors:
                    if err.validator == "required":
                        missing = err.message.split("'")[1] if "'" in err.message else ""
                        self.error(label, missing, "is required")
                    else:
                        name = str(err.path[0]) if err.path else ""
                        self.error(label, name, err.message)
                for name, rule in rules.items():
                    problem = check_field(rule, record.values.get(name))
                    if problem:
                        self.error(label, name, problem)
                    if (
                        name in LINK_COLUMNS[table]
                        and rule.required
                        and not record.values.get(name)
                    ):
                        self.error(label, name, "is required")
                self._check_ranges(record, label)
        self._check_references(existing_ids)

    def _check_ranges(self, record: Record, label: str) -> None:
        values = record.values
        if record.table == "service":
            low, high = values.get("minimum_age"), values.get("maximum_age")
            for name, age in (("minimum_age", low), ("maximum_age", high)):
                if isinstance(age, int | float) and not YOUNGEST_AGE <= age <= OLDEST_AGE:
                    self.error(
                        label, name, f"{age} is not an age between {YOUNGEST_AGE} and {OLDEST_AGE}"
                    )
            if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
                self.error(label, "maximum_age", f"{high} is below minimum_age {low}")
        if record.table == "location":
            lat, lon = values.get("latitude"), values.get("longitude")
            if (isinstance(lat, int | float) and not -90 <= lat <= 90) or (
                isinstance(lon, int | float) and not -180 <= lon <= 180
            ):
                self.warnings.append(f"{label}: latitude/longitude {lat}, {lon} is off the map")

    def _check_references(self, existing_ids: dict[str, set[str]]) -> None:
        def known(target: str, value: str) -> bool:
            return value in self.records.get(target, {}) or value in existing_ids.get(target, set())

        for table, by_id in self.records.items():
            for record in by_id.values():
                for (t, column), target in HARD_REFERENCES.items():
                    value = record.values.get(column) if t == table else None
                    if value and not known(target, value):
                        self.error(record.label(), column, f"no {target} with id {value}")
                for (t, column), target in SOFT_REFERENCES.items():
                    value = record.values.get(column) if t == table else None
                    if value and not known(target, value):
                        self.warnings.append(
                            f"{record.label()}: {column} {value} points to no {target} "
                            "(kept as published)"
                        )

    def referenced_ids(self) -> dict[str, set[str]]:
        """Ids this file points to that it does not define, by target table."""
        wanted: dict[str, set[str]] = {}
        for (table, column), target in {**HARD_REFERENCES, **SOFT_REFERENCES}.items():
            for record in self.records.get(table, {}).values():
                value = record.values.get(column)
                if value and value not in self.records.get(target, {}):
                    wanted.setdefault(target, set()).add(value)
        return wanted

    def rows(self, table: str) -> dict[str, dict[str, Any]]:
        """The records of `table` as database rows (values coerced to Python types)."""
        rules = field_rules(table)
        out: dict[str, dict[str, Any]] = {}
        for record_id, record in self.records.get(table, {}).items():
            out[record_id] = {
                name: coerce(rule, record.values.get(name)) for name, rule in rules.items()
            }
        return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return a == b


def stable_uuid(namespace: str, *parts: object) -> str:
    """A deterministic UUID for records that arrive without one (curated data, ORUK v1 ids)."""
    name = "/".join(str(p) for p in parts)
    return str(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, namespace), name))
