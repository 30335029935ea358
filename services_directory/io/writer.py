"""Write records in one transaction: insert new rows, update changed ones, log every change."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from services_directory.models import EXTENSION_TABLES, HSDS_TABLES, MetadataEntry, utcnow

CHANGE_LOG_AUTHOR = "services_directory"
"""`updated_by` of the change-log entries the directory writes itself (prefix)."""
BACK_OFFICE_AUTHOR = f"{CHANGE_LOG_AUTHOR} back office"
"""`updated_by` of the changes staff make in the back office: the log is public (Open Referral),
so it never names a member of staff or their e-mail address."""

LOGGED_CREATES = frozenset({"service", "organization", "location", "taxonomy", "taxonomy_term"})
NONE_TEXT = "(none)"
CHUNK = 500
Progress = Callable[[str, int, int], None]


@dataclass
class WriteReport:
    """What a write did, table by table."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        parts = []
        for label, counter in (
            ("created", self.created),
            ("updated", self.updated),
            ("unchanged", self.unchanged),
            ("deleted", self.deleted),
        ):
            total = sum(counter.values())
            if total:
                parts.append(f"{total} {label}")
        return ", ".join(parts) or "nothing to do"


def chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _comparable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _text(value: Any) -> str:
    if value is None:
        return NONE_TEXT
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    return text if text else NONE_TEXT


class ChangeLog:
    """Collects HSDS `metadata` entries and writes them with the data."""

    def __init__(self, updated_by: str) -> None:
        self.updated_by = updated_by
        self.entries: list[dict[str, Any]] = []
        self.today = dt.datetime.now(dt.UTC).date()

    def add(
        self,
        table: str,
        resource_id: str,
        action: str,
        field_name: str,
        previous: Any,
        replacement: Any,
    ) -> None:
        now = utcnow()
        self.entries.append(
            {
                "id": str(uuid.uuid4()),
                "resource_id": resource_id,
                "resource_type": table,
                "last_action_date": self.today,
                "last_action_type": action,
                "field_name": field_name,
                "previous_value": _text(previous),
                "replacement_value": _text(replacement),
                "updated_by": self.updated_by,
                "created_at": now,
                "updated_at": now,
            }
        )

    def flush(self, session: Session) -> None:
        for part in chunks(self.entries):
            session.execute(insert(MetadataEntry), part)
        self.entries.clear()


def _model(table: str) -> Any:
    return HSDS_TABLES.get(table) or EXTENSION_TABLES[table]


def upsert(
    session: Session,
    table: str,
    rows: dict[str, dict[str, Any]],
    log: ChangeLog,
    report: WriteReport,
    progress: Progress | None = None,
) -> None:
    """Insert or update `rows` (by id) of `table`; unchanged rows are left alone."""
    if not rows:
        return
    model = _model(table)
    columns = model.__table__.c
    (pk,) = model.__table__.primary_key.columns
    keys = list(rows)
    existing: dict[Any, dict[str, Any]] = {}
    wanted = [c for c in next(iter(rows.values()))]
    for part in chunks(keys):
        result = session.execute(select(*[columns[c] for c in wanted]).where(pk.in_(part)))
        for found in result.mappings():
            existing[found[pk.name]] = dict(found)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    now = utcnow()
    logged = table != "metadata"
    for key in keys:
        row = rows[key]
        old = existing.get(key)
        if old is None:
            inserts.append({**row, "created_at": now, "updated_at": now})
            if logged and table in LOGGED_CREATES:
                log.add(table, key, "create", "id", None, key)
            continue
        diff = {c: v for c, v in row.items() if _comparable(old.get(c)) != _comparable(v)}
        if not diff:
            report.unchanged[table] += 1
            continue
        if logged:
            for c, v in diff.items():
                log.add(table, key, "update", c, old.get(c), v)
        updates.append({pk.name: key, **diff, "updated_at": now})
    for part in chunks(inserts):
        session.execute(insert(model), part)
    report.created[table] += len(inserts)
    for part in chunks(updates):
        session.execute(update(model), part)
    report.updated[table] += len(updates)
    if progress:
        progress(f"write {table}", len(keys), len(keys))


def detach_stale(
    session: Session,
    table: str,
    column: str,
    parent_ids: set[str],
    keep_ids: set[str],
    log: ChangeLog,
    report: WriteReport,
) -> None:
    """Children of `parent_ids` no longer listed: unlink them, and delete them if left unlinked."""
    if not parent_ids:
        return
    model = _model(table)
    col = model.__table__.c[column]
    stale: list[dict[str, Any]] = []
    for part in chunks(sorted(parent_ids)):
        rows = session.execute(select(model.__table__).where(col.in_(part))).mappings()
        stale.extend(dict(r) for r in rows if r["id"] not in keep_ids)
    if not stale:
        return
    from services_directory.io.structure import HARD_REFERENCES, LINK_COLUMNS

    hard = (table, column) in HARD_REFERENCES or column == "link_id" or table.startswith("x_")
    links = LINK_COLUMNS.get(table, frozenset())
    to_delete: list[str] = []
    for row in stale:
        others = [c for c in links if c != column and row.get(c)]
        if hard or not others:
            to_delete.append(row["id"])
            log.add(table, row["id"], "delete", "id", row["id"], None)
        else:
            session.execute(
                update(model.__table__)
                .where(model.__table__.c.id == row["id"])
                .values({column: None, "updated_at": utcnow()})
            )
            log.add(table, row["id"], "update", column, row[column], None)
            report.updated[table] += 1
    for part in chunks(to_delete):
        session.execute(delete(model.__table__).where(model.__table__.c.id.in_(part)))
    report.deleted[table] += len(to_delete)
