"""The council's localities, changed by council admins: each change checked by the policy,
written (`services_directory.locality_edit`) and logged in the audit log in the caller's
transaction. The buttons of the bot's area question, the search and the service form follow at
once; the bot reads new names typed in the chat after the next training."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from services_directory.locality_edit import (
    change_locality,
    create_locality,
    move_locality,
    remove_locality,
)
from services_directory.locality_rules import LocalityValues
from staff import audit
from staff.errors import PermissionDenied
from staff.policy import Permission, actor_of, can

RECORD_TYPE = "locality"


def _allowed(user: StaffUser) -> None:
    if not can(actor_of(user), Permission.LOCALITIES_EDIT):
        raise PermissionDenied(f"your role does not allow {Permission.LOCALITIES_EDIT.value}")


def _listed(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(values) or "none"


def add(db: Session, user: StaffUser, values: LocalityValues, now: dt.datetime) -> str:
    """Add a locality; its id."""
    _allowed(user)
    place = create_locality(db, values)
    audit.record(
        db,
        user,
        "locality.created",
        now,
        record_type=RECORD_TYPE,
        record_id=place.id,
        detail=f"{place.name}: districts {_listed(place.districts)}",
    )
    return place.id


def change(
    db: Session, user: StaffUser, locality_id: str, values: LocalityValues, now: dt.datetime
) -> list[str]:
    """Change a locality's name, districts and other names; the fields that changed."""
    _allowed(user)
    changed = change_locality(db, locality_id, values)
    if changed:
        audit.record(
            db,
            user,
            "locality.changed",
            now,
            record_type=RECORD_TYPE,
            record_id=locality_id,
            detail=f"{', '.join(changed)} changed; now {values.name.strip()}: districts "
            f"{_listed(values.districts)}",
        )
    return changed


def remove(db: Session, user: StaffUser, locality_id: str, now: dt.datetime) -> int:
    """Remove a locality and untag its services; how many services were untagged."""
    _allowed(user)
    untagged = remove_locality(db, locality_id)
    audit.record(
        db,
        user,
        "locality.removed",
        now,
        record_type=RECORD_TYPE,
        record_id=locality_id,
        detail=f"{untagged} services untagged",
    )
    return untagged


def move(db: Session, user: StaffUser, locality_id: str, step: int, now: dt.datetime) -> bool:
    """Move a locality one place up (-1) or down (+1) the list; False at either end."""
    _allowed(user)
    moved = move_locality(db, locality_id, step)
    if moved:
        audit.record(
            db,
            user,
            "locality.changed",
            now,
            record_type=RECORD_TYPE,
            record_id=locality_id,
            detail="moved " + ("up" if step < 0 else "down") + " the list",
        )
    return moved
