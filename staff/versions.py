"""Published versions of a service: each kept whole (its document), with who, when and why."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_directory.drafts import ServiceVersion
from staff.errors import RecordNotFound
from staff.service_document import Document

FIRST_VERSION_REASON = "As it was before its first change in the back office"
FIRST_VERSION_AUTHOR = "The directory (curated data or an import)"


def make_version(
    service_id: str,
    number: int,
    document: Document,
    reason: str,
    author: str,
    approvers: list[str],
    draft_id: str | None,
    now: dt.datetime,
) -> ServiceVersion:
    return ServiceVersion(
        id=str(uuid.uuid4()),
        service_id=service_id,
        number=number,
        document=document,
        reason=reason,
        author_label=author,
        approver_labels=approvers,
        draft_id=draft_id,
        published_at=now,
    )


def versions_count(db: Session, service_id: str) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(ServiceVersion)
            .where(ServiceVersion.service_id == service_id)
        )
        or 0
    )


def versions(db: Session, service_id: str) -> list[ServiceVersion]:
    """Every published version of the service, newest first."""
    return list(
        db.scalars(
            select(ServiceVersion)
            .where(ServiceVersion.service_id == service_id)
            .order_by(ServiceVersion.number.desc())
        )
    )


def version(db: Session, service_id: str, number: int) -> ServiceVersion:
    found = db.scalar(
        select(ServiceVersion).where(
            ServiceVersion.service_id == service_id, ServiceVersion.number == number
        )
    )
    if found is None:
        raise RecordNotFound("no such version")
    return found
