"""What writing a set of records would do, record by record and field by field (nothing is
written): created, updated (which fields) or unchanged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.io.records import RecordSet
from services_directory.io.validity import owning_service
from services_directory.io.writer import _comparable, chunks
from services_directory.models import HSDS_TABLES

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class Outcome:
    """What would happen to one record."""

    table: str
    record_id: str
    name: str
    outcome: str
    fields: list[str] = field(default_factory=list)


def _existing(session: Session, table: str, rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    model = HSDS_TABLES[table]
    columns = model.__table__.c
    wanted = list(next(iter(rows.values())))
    found: dict[str, Any] = {}
    for part in chunks(sorted(rows)):
        result = session.execute(select(*[columns[c] for c in wanted]).where(columns.id.in_(part)))
        for row in result.mappings():
            found[row["id"]] = dict(row)
    return found


def plan_changes(session: Session, records: RecordSet) -> dict[str, list[Outcome]]:
    """Each record's outcome, by table. A service whose own records (phones, schedules, ...)
    change is updated too, with `table.field` named among its fields."""
    plan: dict[str, list[Outcome]] = {}
    by_key: dict[tuple[str, str], Outcome] = {}
    for table in HSDS_TABLES:
        rows = records.rows(table) if records.count(table) else {}
        if not rows:
            continue
        old_rows = _existing(session, table, rows)
        for record_id, row in rows.items():
            old = old_rows.get(record_id)
            name = str(row.get("name") or "")
            if old is None:
                outcome = Outcome(table, record_id, name, CREATED)
            else:
                changed = [c for c, v in row.items() if _comparable(old.get(c)) != _comparable(v)]
                outcome = Outcome(table, record_id, name, UPDATED if changed else UNCHANGED)
                outcome.fields = changed
            plan.setdefault(table, []).append(outcome)
            by_key[(table, record_id)] = outcome
    for table, outcomes in plan.items():
        if table == "service":
            continue
        for outcome in outcomes:
            if outcome.outcome == UNCHANGED:
                continue
            record = records.records[table][outcome.record_id]
            owner = by_key.get(("service", owning_service(record, records) or ""))
            if owner is None or owner.outcome == CREATED:
                continue
            owner.outcome = UPDATED
            if outcome.outcome == CREATED:
                labels = [f"{table} added"]
            else:
                labels = [f"{table}.{name}" for name in outcome.fields]
            for label in labels:
                if label not in owner.fields:
                    owner.fields.append(label)
    return plan
