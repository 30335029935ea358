"""Splitting a checked feed into the records that can be published and those that cannot.

A record is left out when it has an error of its own; when it depends on a record left out (a
service whose organisation is invalid, the phones of an invalid service); when a record of its
own service is invalid (a service is published whole or not at all); and a location used only by
records left out. Every record left out says why, by field.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from dataclasses import dataclass

from services_directory.errors import RecordError
from services_directory.io.records import Record, RecordSet
from services_directory.io.structure import HARD_REFERENCES, SOFT_REFERENCES

LABEL_RE = re.compile(r"^(?P<where>.*) \((?P<table>[a-z_]+) (?P<id>[^()\s]+)\)$")
REFERENCES = {**HARD_REFERENCES, **SOFT_REFERENCES}
Key = tuple[str, str]
DEPENDS = "depends on"
LEFT_WITH = ("depends on ", "its ", "used only by ")


def is_knock_on(reason: str) -> bool:
    """Whether a record is left out only because of another record (not for its own fault)."""
    return reason.startswith(LEFT_WITH)


@dataclass(frozen=True)
class Invalid:
    """One reason a record is left out."""

    table: str
    record_id: str
    where: str
    name: str
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.where} ({self.table} {self.record_id})" if self.table else self.where
        return f"{where}.{self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


def record_key(error: RecordError) -> Key | None:
    """The (table, id) an error is about, when its label names one."""
    match = LABEL_RE.match(error.record)
    return (match["table"], match["id"]) if match else None


REFERENCES_BY_TABLE: dict[str, list[tuple[str, str]]] = {}
for (_table, _column), _target in REFERENCES.items():
    REFERENCES_BY_TABLE.setdefault(_table, []).append((_column, _target))


def _targets(record: Record, records: RecordSet) -> list[tuple[str, Key]]:
    """(column, (table, id)) of every record this one points to within the file."""
    out = []
    for column, target in REFERENCES_BY_TABLE.get(record.table, ()):
        value = record.values.get(column)
        if value and value in records.records.get(target, {}):
            out.append((column, (target, value)))
    if record.table == "attribute":
        link = record.values.get("link_id")
        for target in ("service", "organization", "location", "taxonomy_term"):
            if link and link in records.records.get(target, {}):
                out.append(("link_id", (target, link)))
    return out


def owning_service(record: Record, records: RecordSet, seen: int = 0) -> str | None:
    """The service a record belongs to (directly, or through its contact or service at a
    location), if any."""
    values = record.values
    if record.table == "service":
        return record.id
    if values.get("service_id"):
        return str(values["service_id"])
    if record.table == "attribute" and values.get("link_id") in records.records.get("service", {}):
        return str(values["link_id"])
    for column, table in (
        ("service_at_location_id", "service_at_location"),
        ("contact_id", "contact"),
    ):
        parent = records.records.get(table, {}).get(values.get(column) or "")
        if parent is not None and seen < 3:
            return owning_service(parent, records, seen + 1)
    return None


def split_invalid(records: RecordSet) -> tuple[RecordSet, list[Invalid]]:
    """The records that can be written, and why each other record cannot (after `validate`)."""
    invalid: list[Invalid] = []
    left_out: dict[Key, str] = {}

    def name_of(key: Key) -> str:
        record = records.records.get(key[0], {}).get(key[1])
        return str(record.values.get("name") or "") if record else ""

    def leave_out(key: Key, where: str, field: str, reason: str) -> bool:
        invalid.append(Invalid(key[0], key[1], where, name_of(key), field, reason))
        if key in left_out:
            return False
        left_out[key] = reason
        return True

    queue: deque[Key] = deque()
    for error in records.errors:
        key = record_key(error)
        match = LABEL_RE.match(error.record)
        place = match["where"] if match else error.record
        if key is None or key[1] not in records.records.get(key[0], {}):
            invalid.append(Invalid("", "", place, "", error.field, error.message))
            continue
        if leave_out(key, place, error.field, error.message):
            queue.append(key)

    dependants: dict[Key, list[tuple[Key, str]]] = defaultdict(list)
    users_of_location: dict[str, list[Key]] = defaultdict(list)
    for table, by_id in records.records.items():
        for record in by_id.values():
            key = (table, record.id)
            for column, target in _targets(record, records):
                dependants[target].append((key, column))
                if table == "service_at_location" and target[0] == "location":
                    users_of_location[target[1]].append(key)
            owner = owning_service(record, records)
            if owner and table != "service" and owner in records.records.get("service", {}):
                # A service stands or falls with its own records.
                dependants[key].append((("service", owner), ""))

    while queue:
        key = queue.popleft()
        if key[0] == "service_at_location":
            location = str(records.records[key[0]][key[1]].values.get("location_id") or "")
            loc = ("location", location)
            users = users_of_location.get(location, [])
            if users and loc not in left_out and all(u in left_out for u in users):
                where = records.records["location"][location].where
                leave_out(loc, where, "", "used only by records that are invalid")
                queue.append(loc)
        for other, column in dependants.get(key, ()):
            if other in left_out:
                continue
            record = records.records[other[0]][other[1]]
            named = (
                f"{key[0]} {name_of(key)!r} ({key[1]})" if name_of(key) else f"{key[0]} {key[1]}"
            )
            reason = f"{DEPENDS} {named}, which is invalid" if column else f"its {named} is invalid"
            leave_out(other, record.where, column, reason)
            queue.append(other)
    return _without(records, left_out), invalid


def _without(records: RecordSet, left_out: dict[Key, str]) -> RecordSet:
    """A copy of `records` without the records left out. A parent whose children of one kind
    are not all written no longer lists them in full (so none of its children is removed)."""
    valid = RecordSet(warnings=list(records.warnings))
    for table, by_id in records.records.items():
        valid.records[table] = {i: r for i, r in by_id.items() if (table, i) not in left_out}
    for (table, column), parents in records.authoritative.items():
        partial = {
            str(r.values.get(column))
            for i, r in records.records.get(table, {}).items()
            if (table, i) in left_out
        }
        valid.authoritative[(table, column)] = set(parents) - partial
    return valid
