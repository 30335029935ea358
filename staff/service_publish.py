"""Write a service's document (`staff.service_document`) into the directory's tables: the HSDS
records and the `x_` extensions, each change logged in the Open Referral `metadata` change log,
so the chat's search index and the Open Referral API see the new state at once."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services_directory import wording
from services_directory.freshness import ServiceReview
from services_directory.io.writer import BACK_OFFICE_AUTHOR, ChangeLog, WriteReport, upsert
from services_directory.localities import load_localities
from services_directory.models import (
    Attribute,
    ContactMode,
    Language,
    Phone,
    Service,
    ServiceArea,
    ServiceLocality,
    ServiceProfile,
    utcnow,
)
from staff.service_document import (
    PHONE_TYPES,
    PROFILE_COLUMNS,
    SERVICE_COLUMNS,
    Document,
    need_terms,
)
from staff.service_hours import write_hours
from staff.service_places import write_places

NEED_LINK = "need"
NEW_NEED_RANK = "99"  # a need added by staff ranks after the curated order


def create_service(db: Session, organisation_id: str, name: str) -> Service:
    """A new, active service of the organisation, logged as made (its fields come next)."""
    sid = str(uuid.uuid4())
    log, report = ChangeLog(BACK_OFFICE_AUTHOR), WriteReport()
    row = {"id": sid, "organization_id": organisation_id, "name": name, "status": "active"}
    upsert(db, "service", {sid: row}, log, report)
    log.flush(db)
    service = db.get(Service, sid)
    assert service is not None
    return service


def write_document(db: Session, service: Service, doc: Document, *, updated_by: str) -> WriteReport:
    """Publish `doc` into the directory's tables, logging each change (the caller commits)."""
    log, report = ChangeLog(updated_by), WriteReport()
    sid = service.id
    with db.begin_nested():
        values = {c: doc.get(c) for c in SERVICE_COLUMNS}
        values["application_process"] = doc.get("what_happens")
        values["last_modified"] = utcnow()
        upsert(db, "service", {sid: {"id": sid, **values}}, log, report)
        _write_profile(db, service, doc, log, report)
        _write_modes(db, sid, doc["contact_modes"], log, report)
        _write_phones(db, sid, doc["contact_modes"], log)
        _write_needs(db, sid, doc["needs"], log)
        _write_localities(db, sid, doc["localities"], log)
        _write_languages(db, sid, doc["languages"], log)
        write_hours(db, sid, doc["hours"], doc["open_24_7"], log)
        _write_review_interval(db, sid, doc.get("review_interval_months"))
        write_places(db, sid, service.organization_id, doc.get("places") or [], log)
        log.flush(db)
    db.expire_all()
    return report


def _write_review_interval(db: Session, sid: str, months: int | None) -> None:
    """How often staff check the service (not an Open Referral field: not in the change log)."""
    review = db.get(ServiceReview, sid)
    if review is None:
        if months is None:
            return
        review = ServiceReview(service_id=sid, withheld_from_bot=False)
        db.add(review)
    review.review_interval_months = months
    db.flush()


def _write_profile(
    db: Session, service: Service, doc: Document, log: ChangeLog, report: WriteReport
) -> None:
    values = {c: doc.get(c) for c in PROFILE_COLUMNS}
    until = doc.get("notice_until")
    values["notice_until"] = dt.date.fromisoformat(until) if until else None
    if db.get(ServiceProfile, service.id) is None:
        if not any(v not in (None, "", False) for v in values.values()):
            return
        # A service from a feed gets its profile when staff first give it these fields.
        values |= {"slug": service.id, "area": "local" if doc["localities"] else "national"}
    upsert(db, "x_service_profile", {service.id: {"service_id": service.id, **values}}, log, report)


def _new_id() -> str:
    return str(uuid.uuid4())


def _matched_ids(old: list[ContactMode], modes: list[dict[str, Any]]) -> list[str]:
    """An existing row's id for each route: the same way and number first, then a row of the
    same way whose number changed (so its own hours stay with it), else a new id."""
    free = {m.id: m for m in old}
    ids: list[str | None] = [None] * len(modes)
    for i, mode in enumerate(modes):
        for row in free.values():
            if row.mode == mode["mode"] and row.value == str(mode["value"]):
                ids[i] = row.id
                del free[row.id]
                break
    for i, mode in enumerate(modes):
        if ids[i] is None:
            same_way = [row for row in free.values() if row.mode == mode["mode"]]
            if same_way:
                ids[i] = same_way[0].id
                del free[same_way[0].id]
    return [mid or _new_id() for mid in ids]


def _write_modes(
    db: Session, sid: str, modes: list[dict[str, Any]], log: ChangeLog, report: WriteReport
) -> None:
    old = list(
        db.scalars(
            select(ContactMode).where(ContactMode.service_id == sid).order_by(ContactMode.position)
        )
    )
    ids = _matched_ids(old, modes)
    known = {row.id: row for row in old}
    rows = {}
    for position, (mid, mode) in enumerate(zip(ids, modes, strict=True)):
        value, body = str(mode["value"]), mode.get("body") or None
        rows[mid] = {
            "id": mid,
            "service_id": sid,
            "position": position,
            "mode": mode["mode"],
            "value": value,
            "body": body,
            "label": mode.get("label") or wording.default_label(mode["mode"], value, body),
            "href": _href(mode["mode"], value, known.get(mid)),
        }
    upsert(db, "x_contact_mode", rows, log, report)
    for row in old:
        if row.id not in rows:
            db.execute(delete(ContactMode).where(ContactMode.id == row.id))
            log.add("x_contact_mode", row.id, "delete", "id", row.id, None)


def _href(mode: str, value: str, old: ContactMode | None) -> str | None:
    compact = "".join(value.split())
    if mode == "call":
        return f"tel:{compact}"
    if mode == "text":
        return f"sms:{compact}"
    if mode == "email":
        return f"mailto:{value.strip()}"
    if old is not None and old.mode == mode and old.value == value:
        return old.href  # a web chat's or a booking page's own link, kept
    return value if value.startswith("https://") else None


def _write_phones(db: Session, sid: str, modes: list[dict[str, Any]], log: ChangeLog) -> None:
    wanted = {
        (PHONE_TYPES[m["mode"]], str(m["value"])): m for m in modes if m["mode"] in PHONE_TYPES
    }
    old = db.scalars(
        select(Phone).where(Phone.service_id == sid, Phone.type.in_(list(PHONE_TYPES.values())))
    ).all()
    have = {(p.type, p.number): p for p in old}
    for key, phone in have.items():
        if key not in wanted:
            db.delete(phone)
            log.add("phone", phone.id, "delete", "number", phone.number, None)
    now = utcnow()
    for (kind, number), mode in wanted.items():
        if (kind, number) not in have:
            pid = _new_id()
            db.add(
                Phone(
                    id=pid,
                    service_id=sid,
                    number=number,
                    type=kind,
                    description=mode.get("label") or None,
                    created_at=now,
                    updated_at=now,
                )
            )
            log.add("phone", pid, "create", "number", None, number)
    db.flush()


def _write_needs(db: Session, sid: str, needs: list[str], log: ChangeLog) -> None:
    terms = need_terms(db)
    old = db.scalars(
        select(Attribute).where(
            Attribute.link_id == sid,
            Attribute.taxonomy_term_id.in_([t.id for t in terms.values()]),
        )
    ).all()
    have = {a.taxonomy_term_id: a for a in old}
    wanted = {terms[code].id for code in needs if code in terms}
    for term_id, link in have.items():
        if term_id not in wanted:
            db.delete(link)
            log.add("attribute", link.id, "delete", "taxonomy_term_id", term_id, None)
    now = utcnow()
    for term_id in sorted(wanted):
        if term_id not in have:
            aid = _new_id()
            db.add(
                Attribute(
                    id=aid,
                    link_id=sid,
                    taxonomy_term_id=term_id,
                    link_type=NEED_LINK,
                    link_entity="service",
                    value=NEW_NEED_RANK,
                    created_at=now,
                    updated_at=now,
                )
            )
            log.add("attribute", aid, "create", "taxonomy_term_id", None, term_id)
    db.flush()


def _write_localities(db: Session, sid: str, wanted: list[str], log: ChangeLog) -> None:
    known = load_localities(session=db)
    have = set(
        db.scalars(select(ServiceLocality.locality).where(ServiceLocality.service_id == sid))
    )
    now = utcnow()
    for loc in sorted(have - set(wanted)):
        db.execute(
            delete(ServiceLocality).where(
                ServiceLocality.service_id == sid, ServiceLocality.locality == loc
            )
        )
        if loc in known:
            db.execute(
                delete(ServiceArea).where(
                    ServiceArea.service_id == sid, ServiceArea.name == known[loc].name
                )
            )
        log.add("x_service_locality", sid, "delete", "locality", loc, None)
    # A locality removed since the draft was written is left out: no tag without its locality.
    for loc in sorted(set(wanted) - have - (set(wanted) - set(known))):
        db.add(ServiceLocality(service_id=sid, locality=loc, created_at=now, updated_at=now))
        place = known[loc]
        db.add(
            ServiceArea(
                id=_new_id(),
                service_id=sid,
                name=place.name,
                service_area=place.name,
                description=", ".join(place.districts),
                extent_type="text",
                created_at=now,
                updated_at=now,
            )
        )
        log.add("x_service_locality", sid, "update", "locality", None, loc)
    db.flush()


def _write_languages(db: Session, sid: str, wanted: list[str], log: ChangeLog) -> None:
    languages = wording.languages()
    old = db.scalars(select(Language).where(Language.service_id == sid)).all()
    codes = {languages[k]["code"]: k for k in wanted}
    for row in old:
        if row.code not in codes:
            db.delete(row)
            log.add("language", row.id, "delete", "code", row.code, None)
    have = {row.code for row in old}
    now = utcnow()
    for code, key in codes.items():
        if code not in have:
            lid = _new_id()
            db.add(
                Language(
                    id=lid,
                    service_id=sid,
                    name=languages[key]["name"],
                    code=code,
                    created_at=now,
                    updated_at=now,
                )
            )
            log.add("language", lid, "create", "code", None, code)
    db.flush()
