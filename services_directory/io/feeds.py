"""Feeds and where each service came from: services that leave their feed are withdrawn
(status "inactive", never deleted), except crisis lines, which wait for a person."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from services_directory.import_models import FeedService, ImportFeed
from services_directory.io.writer import ChangeLog, WriteReport, chunks, upsert
from services_directory.models import Service, ServiceProfile

WITHDRAWN_STATUS = "inactive"
CRISIS_REASON = (
    "a crisis line that has left the feed: it stays offered until someone checks it and "
    "withdraws it by hand"
)


def feed_named(session: Session, name: str, *, url: str | None = None) -> ImportFeed:
    """The feed called `name`, made when there is none yet."""
    feed = session.scalar(select(ImportFeed).where(ImportFeed.name == name))
    if feed is None:
        feed = ImportFeed(id=str(uuid.uuid4()), name=name, url=url, auto_publish=False)
        session.add(feed)
        session.flush()
    elif url and feed.url != url:
        feed.url = url
    return feed


def leaving_services(
    session: Session, feed_id: str, present: set[str]
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The feed's active services that this file no longer lists: those to withdraw, and the
    crisis lines among them, which need a person instead."""
    rows = session.execute(
        select(Service.id, Service.name, ServiceProfile.crisis)
        .join(FeedService, FeedService.service_id == Service.id)
        .outerjoin(ServiceProfile, ServiceProfile.service_id == Service.id)
        .where(FeedService.feed_id == feed_id, Service.status != WITHDRAWN_STATUS)
        .order_by(Service.name)
    )
    withdraw: list[dict[str, str]] = []
    needs_person: list[dict[str, str]] = []
    for service_id, name, crisis in rows:
        if service_id in present:
            continue
        if crisis:
            needs_person.append({"id": service_id, "name": name, "reason": CRISIS_REASON})
        else:
            withdraw.append({"id": service_id, "name": name})
    return withdraw, needs_person


def withdraw(
    session: Session, service_ids: Iterable[str], log: ChangeLog, report: WriteReport
) -> None:
    """Set the services' status to inactive (logged in the Open Referral change log)."""
    rows = {sid: {"id": sid, "status": WITHDRAWN_STATUS} for sid in service_ids}
    upsert(session, "service", rows, log, report)


def link_services(
    session: Session, feed_id: str, service_ids: Iterable[str], batch_id: str | None
) -> None:
    """Record that these services came from `feed_id` (in `batch_id` when staged)."""
    ids = sorted(set(service_ids))
    for part in chunks(ids):
        session.execute(delete(FeedService).where(FeedService.service_id.in_(part)))
        session.execute(
            insert(FeedService),
            [{"service_id": sid, "feed_id": feed_id, "last_batch_id": batch_id} for sid in part],
        )


def published_service_ids(session: Session, batch_id: str) -> list[str]:
    """The services a published batch wrote (for what follows a publication, e.g. suggesting
    needs for the new services through the crosswalk)."""
    query = select(FeedService.service_id).where(FeedService.last_batch_id == batch_id)
    return sorted(session.scalars(query))


def imported_service_ids(session: Session, feed_name: str | None = None) -> list[str]:
    """The services that came from a feed (any feed, or the one named)."""
    query = select(FeedService.service_id)
    if feed_name is not None:
        query = query.join(ImportFeed, ImportFeed.id == FeedService.feed_id).where(
            ImportFeed.name == feed_name
        )
    return sorted(session.scalars(query))
