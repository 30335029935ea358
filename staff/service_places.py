"""The places where a service is found (HSDS `location`, `address` and `service_at_location`) in
its document: name, address, town and postcode. A place is never changed in place, since other
services may share it: a changed place is a new location, and the old one is unlinked (and
removed when nothing else uses it)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services_directory.io.writer import ChangeLog
from services_directory.models import Address, Location, ServiceAtLocation, utcnow

Places = list[dict[str, Any]]
PLACE_KEYS = ("name", "address", "town", "postcode")


def _key(place: dict[str, Any]) -> tuple[str, ...]:
    return tuple(" ".join(str(place.get(k) or "").split()).lower() for k in PLACE_KEYS)


def _linked(db: Session, sid: str) -> list[tuple[ServiceAtLocation, Location, Address | None]]:
    rows = db.execute(
        select(ServiceAtLocation, Location)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(ServiceAtLocation.service_id == sid)
        .order_by(Location.name, Location.id)
    ).all()
    return [
        (
            sal,
            location,
            db.scalars(
                select(Address).where(Address.location_id == location.id).order_by(Address.id)
            ).first(),
        )
        for sal, location in rows
    ]


def _place(location: Location, address: Address | None) -> dict[str, Any]:
    return {
        "name": location.name or "",
        "address": address.address_1 if address else "",
        "town": (address.city if address else None) or "",
        "postcode": (address.postal_code if address else None) or "",
    }


def read_places(db: Session, sid: str) -> Places:
    """The service's places, by name."""
    return sorted((_place(loc, addr) for _sal, loc, addr in _linked(db, sid)), key=_key)


def write_places(
    db: Session, sid: str, organisation_id: str, wanted: Places, log: ChangeLog
) -> None:
    """Link the service to `wanted` places: unchanged ones stay, others are made or unlinked."""
    wanted_keys = [_key(p) for p in wanted]
    kept: set[tuple[str, ...]] = set()
    for sal, location, address in _linked(db, sid):
        key = _key(_place(location, address))
        if key in wanted_keys and key not in kept:
            kept.add(key)
            continue
        db.delete(sal)
        log.add("service_at_location", sal.id, "delete", "location_id", location.id, None)
        db.flush()
        others = db.scalar(
            select(func.count())
            .select_from(ServiceAtLocation)
            .where(ServiceAtLocation.location_id == location.id)
        )
        if not others:
            db.execute(delete(Address).where(Address.location_id == location.id))
            db.delete(location)
            log.add("location", location.id, "delete", "id", location.id, None)
    now = utcnow()
    for place, key in zip(wanted, wanted_keys, strict=True):
        if key in kept:
            continue
        kept.add(key)
        location_id = str(uuid.uuid4())
        db.add(
            Location(
                id=location_id,
                location_type="physical",
                organization_id=organisation_id,
                name=place["name"],
                created_at=now,
                updated_at=now,
            )
        )
        db.flush()
        db.add(
            Address(
                id=str(uuid.uuid4()),
                location_id=location_id,
                address_1=place["address"],
                city=place.get("town") or None,
                postal_code=place.get("postcode") or None,
                country="GB",
                address_type="physical",
                created_at=now,
                updated_at=now,
            )
        )
        sal_id = str(uuid.uuid4())
        db.add(
            ServiceAtLocation(
                id=sal_id, service_id=sid, location_id=location_id, created_at=now, updated_at=now
            )
        )
        log.add("location", location_id, "create", "id", None, location_id)
        log.add("service_at_location", sal_id, "create", "location_id", None, location_id)
    db.flush()


def shown_places(places: Places) -> str:
    """Places as staff read them in a difference."""
    return "; ".join(", ".join(str(p[k]) for k in PLACE_KEYS if p.get(k)) for p in places)
