"""Import a file into the directory: read, check everything, then write all of it or nothing."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.errors import InvalidRecord, RecordError
from services_directory.io.cleaning import clean_records
from services_directory.io.csv_package import read_csv_package
from services_directory.io.hsds_json import read_hsds_json
from services_directory.io.oruk_v1 import looks_like_v1, read_oruk_v1
from services_directory.io.records import RecordSet
from services_directory.io.writer import (
    CHANGE_LOG_AUTHOR,
    ChangeLog,
    WriteReport,
    chunks,
    detach_stale,
    upsert,
)
from services_directory.models import HSDS_TABLES

Progress = Callable[[str, int, int], None]


@dataclass
class ImportReport:
    """What an import read, what it wrote, and what it could not map."""

    source: str
    format: str
    records: Counter[str] = field(default_factory=Counter)
    written: WriteReport = field(default_factory=WriteReport)
    warnings: list[str] = field(default_factory=list)
    not_mapped: list[str] = field(default_factory=list)
    cleaned: list[str] = field(default_factory=list)

    def summary(self) -> str:
        total = sum(self.records.values())
        return (
            f"{self.source} ({self.format}): {total} records "
            f"({self.records.get('service', 0)} services) - {self.written.summary()}"
        )


def read_file(path: Path, progress: Progress | None = None) -> tuple[RecordSet, str, list[str]]:
    """Read a JSON file (HSDS 3.0 / ORUK 3.0 or ORUK v1) or a CSV package folder."""
    if path.is_dir():
        return read_csv_package(path, progress=progress), "CSV data package", []
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRecord([RecordError(path.name, "", f"is not JSON: {exc}")], str(path)) from exc
    if looks_like_v1(document):
        records, not_mapped = read_oruk_v1(document)
        return records, "ORUK v1 JSON", not_mapped
    return read_hsds_json(document, source=path.name, progress=progress), "HSDS 3.0 JSON", []


def existing_ids(session: Session, wanted: dict[str, set[str]]) -> dict[str, set[str]]:
    """Which of the ids a file points to are already in the database."""
    found: dict[str, set[str]] = {}
    for table, ids in wanted.items():
        model = HSDS_TABLES[table]
        for part in chunks(sorted(ids)):
            rows = session.execute(
                select(model.__table__.c.id).where(model.__table__.c.id.in_(part))
            )
            found.setdefault(table, set()).update(r[0] for r in rows)
    return found


def write_records(
    session: Session,
    records: RecordSet,
    *,
    updated_by: str,
    progress: Progress | None = None,
    extra: Callable[[ChangeLog, WriteReport], None] | None = None,
) -> WriteReport:
    """Write checked records inside a SAVEPOINT: on any database error nothing stays written."""
    report = WriteReport()
    log = ChangeLog(updated_by)
    with session.begin_nested():
        for table in HSDS_TABLES:
            rows = records.rows(table)
            if rows:
                upsert(session, table, rows, log, report, progress)
        for (table, column), parents in records.authoritative.items():
            keep = set(records.records.get(table, {}))
            detach_stale(session, table, column, parents, keep, log, report)
        if extra is not None:
            extra(log, report)
        log.flush(session)
    session.expire_all()
    return report


def import_records(
    session: Session,
    records: RecordSet,
    *,
    source: str = "",
    updated_by: str = f"{CHANGE_LOG_AUTHOR} import",
    progress: Progress | None = None,
) -> WriteReport:
    """Check `records` against the standard and the database, then write them (all or nothing)."""
    records.validate(existing_ids(session, records.referenced_ids()))
    if records.errors:
        raise InvalidRecord(records.errors, source)
    written = write_records(session, records, updated_by=updated_by, progress=progress)
    # The file's own terms become young people's needs as staff mapped them (the crosswalk).
    # (Imported here: the crosswalk is built on io.writer, so io cannot import it at load.)
    from services_directory.crosswalk import apply_crosswalk

    apply_crosswalk(session, records.records.get("service", {}))
    return written


def import_file(
    session: Session, path: str | Path, *, progress: Progress | None = None
) -> ImportReport:
    """Import an HSDS 3.0 / ORUK 3.0 JSON file, an ORUK v1 JSON file or a CSV package folder.

    Raises InvalidRecord (listing every error by record and field) before writing anything.
    The caller commits; on error nothing of this file is left in the session.
    """
    path = Path(path)
    records, kind, not_mapped = read_file(path, progress)
    report = ImportReport(source=str(path), format=kind, not_mapped=not_mapped)
    report.cleaned = [str(c) for c in clean_records(records)]
    report.records.update({t: len(v) for t, v in records.records.items()})
    report.written = import_records(session, records, source=str(path), progress=progress)
    report.warnings = records.warnings
    return report


def import_document(session: Session, document: Any, *, source: str = "document") -> ImportReport:
    """Import an already parsed JSON document (HSDS 3.0 / ORUK 3.0 or ORUK v1)."""
    if looks_like_v1(document):
        records, not_mapped = read_oruk_v1(document)
        kind = "ORUK v1 JSON"
    else:
        records, not_mapped, kind = read_hsds_json(document, source=source), [], "HSDS 3.0 JSON"
    report = ImportReport(source=source, format=kind, not_mapped=not_mapped)
    report.cleaned = [str(c) for c in clean_records(records)]
    report.records.update({t: len(v) for t, v in records.records.items()})
    report.written = import_records(session, records, source=source)
    report.warnings = records.warnings
    return report
