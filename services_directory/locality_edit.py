"""Adding, changing, reordering and removing the council's localities (`x_locality`), once the
rules hold (`locality_rules.checked`).

The first change seeds the table from the localities file, so the sample borough's localities
stay until an admin changes them. Every change stamps the locality it touches (`updated_at`):
that is what the processes' caches check (`localities.version_key`). The caller commits.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from services_directory.io.writer import BACK_OFFICE_AUTHOR, ChangeLog
from services_directory.localities import CHANGED_HERE, Locality, file_localities
from services_directory.locality_models import LocalityDistrict, LocalityRecord
from services_directory.locality_rules import (
    InvalidLocality,
    LocalityNotFound,
    LocalityValues,
    Problem,
    checked,
    existing,
)
from services_directory.models import ServiceArea, ServiceLocality, utcnow


def seed_localities(session: Session, localities: dict[str, Locality] | None = None) -> int:
    """Fill the empty table with `localities` (default: the localities file); the number added
    (0 when the table already has localities)."""
    if session.scalar(select(func.count()).select_from(LocalityRecord)):
        return 0
    places = localities if localities is not None else file_localities()
    for position, place in enumerate(places.values()):
        _write(session, place, position)
    session.flush()
    return len(places)


def _write(session: Session, place: Locality, position: int) -> LocalityRecord:
    session.info[CHANGED_HERE] = True
    now = utcnow()
    record = LocalityRecord(
        id=place.id,
        name=place.name,
        aliases=list(place.aliases),
        position=position,
        created_at=now,
        updated_at=now,
    )
    session.add(record)
    session.flush()
    for district in place.districts:
        session.add(
            LocalityDistrict(
                district=district, locality_id=place.id, created_at=now, updated_at=now
            )
        )
    return record


def _record(session: Session, locality_id: str) -> LocalityRecord:
    record = session.get(LocalityRecord, locality_id)
    if record is None:
        raise LocalityNotFound(f"no locality {locality_id!r}")
    return record


def create_locality(session: Session, values: LocalityValues) -> Locality:
    """Add a locality at the end of the list (the table is seeded from the file first)."""
    seed_localities(session)
    place = checked(session, values)
    last = session.scalar(select(func.max(LocalityRecord.position))) or 0
    _write(session, place, last + 1)
    session.flush()
    return place


def change_locality(session: Session, locality_id: str, values: LocalityValues) -> list[str]:
    """Change a locality's name, districts and other names; the fields that changed."""
    seed_localities(session)
    record = _record(session, locality_id)
    before = existing(session)[locality_id]
    place = checked(session, values, current=locality_id)
    changed = [
        name
        for name, old, new in (
            ("name", before.name, place.name),
            ("districts", before.districts, place.districts),
            ("aliases", before.aliases, place.aliases),
        )
        if old != new
    ]
    if not changed:
        return []
    session.info[CHANGED_HERE] = True
    now = utcnow()
    if "districts" in changed:
        session.execute(delete(LocalityDistrict).where(LocalityDistrict.locality_id == locality_id))
        session.flush()
        for district in place.districts:
            session.add(
                LocalityDistrict(
                    district=district, locality_id=locality_id, created_at=now, updated_at=now
                )
            )
    record.name, record.aliases, record.updated_at = place.name, list(place.aliases), now
    _rename_service_areas(session, locality_id, before, place)
    session.flush()
    return changed


def tagged_services(session: Session, locality_id: str) -> int:
    """How many services are tagged with the locality."""
    found = session.scalar(
        select(func.count())
        .select_from(ServiceLocality)
        .where(ServiceLocality.locality == locality_id)
    )
    return int(found or 0)


def remove_locality(session: Session, locality_id: str) -> int:
    """Remove a locality and untag its services (logged in the change log); the number of
    services untagged. The last locality cannot go: the borough would have none."""
    seed_localities(session)
    record = _record(session, locality_id)
    if session.scalar(select(func.count()).select_from(LocalityRecord)) == 1:
        raise InvalidLocality([Problem("id", "The borough needs at least one locality")])
    place = existing(session)[locality_id]
    services = list(
        session.scalars(
            select(ServiceLocality.service_id).where(ServiceLocality.locality == locality_id)
        )
    )
    session.info[CHANGED_HERE] = True
    log = ChangeLog(BACK_OFFICE_AUTHOR)
    _rename_service_areas(session, locality_id, place, None, log)
    session.execute(delete(ServiceLocality).where(ServiceLocality.locality == locality_id))
    for sid in services:
        log.add("x_service_locality", sid, "delete", "locality", locality_id, None)
    log.flush(session)
    session.delete(record)
    session.flush()
    # The removal must change the version the caches check, whichever row is the newest.
    session.execute(update(LocalityRecord).values(updated_at=utcnow()))
    return len(services)


def move_locality(session: Session, locality_id: str, step: int) -> bool:
    """Move a locality one place up (-1) or down (+1) the list; False at either end."""
    seed_localities(session)
    _record(session, locality_id)
    records = list(session.scalars(select(LocalityRecord).order_by(LocalityRecord.position)))
    at = next(i for i, r in enumerate(records) if r.id == locality_id)
    to = at + step
    if not 0 <= to < len(records):
        return False
    records[at], records[to] = records[to], records[at]
    session.info[CHANGED_HERE] = True
    now = utcnow()
    for position, record in enumerate(records):
        record.position = position
    records[at].updated_at = records[to].updated_at = now
    session.flush()
    return True


def _rename_service_areas(
    session: Session,
    locality_id: str,
    before: Locality,
    after: Locality | None,
    log: ChangeLog | None = None,
) -> None:
    """Keep the Open Referral service areas the back office wrote for the locality's services
    (named after it) in step: renamed with it, or removed with it."""
    log = log or ChangeLog(BACK_OFFICE_AUTHOR)
    tagged = select(ServiceLocality.service_id).where(ServiceLocality.locality == locality_id)
    areas = session.scalars(
        select(ServiceArea).where(
            ServiceArea.service_id.in_(tagged), ServiceArea.name == before.name
        )
    ).all()
    for area in areas:
        if after is None:
            session.delete(area)
            log.add("service_area", area.id, "delete", "name", area.name, None)
        elif after.name != before.name or after.districts != before.districts:
            log.add("service_area", area.id, "update", "name", area.name, after.name)
            area.name = area.service_area = after.name
            area.description = ", ".join(after.districts)
    log.flush(session)
