"""The crosswalk from a feed's taxonomy terms to the bot's needs, and applying it.

A council's feed tags its services with its own terms (the LGA service list, Open Eligibility or
its own vocabulary), never with the bot's needs, so the bot never offers them. Staff map each
feed term to zero or more needs (`x_need_crosswalk`, kept as data); `apply_crosswalk` then gives
every service the needs its terms map to, through the directory's writer and Open Referral change
log, in one transaction:

- idempotent: applied twice, the second time changes nothing;
- each tag it adds is remembered (`x_need_tag_origin`), and only those are taken away again when
  no mapping asks for them: a tag set by hand (curated, edited, or a confirmed suggestion) stays;
- a tag the crosswalk added and a member of staff then removed from the service is not added back
  while the mapping stays (its origin row outlives the tag, and the change log shows the back
  office deleted it); one an import took away (an HSDS 3.0 feed replaces a service's
  attributes) is added back.

The staged import's publish step calls `apply_crosswalk(session, service_ids)` afterwards.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from services_directory.crosswalk_mapping import NeedTerm, mappings, need_terms, term_keys
from services_directory.crosswalk_models import FROM_CROSSWALK, NeedTagOrigin
from services_directory.io.writer import BACK_OFFICE_AUTHOR, CHANGE_LOG_AUTHOR, ChangeLog, chunks
from services_directory.models import (
    Attribute,
    MetadataEntry,
    Service,
    utcnow,
)

CROSSWALK_AUTHOR = f"{CHANGE_LOG_AUTHOR} crosswalk"
"""`updated_by` of the change-log entries of the crosswalk (the log is public: never a name)."""
NEED_LINK = "need"  # `attribute.link_type` of a need tag, as the curated data and staff write it
NEW_NEED_RANK = "99"  # ranks after a curated order, like a need staff add by hand


@dataclass
class ApplyReport:
    """What applying the crosswalk changed."""

    added: int = 0
    removed: int = 0
    services: set[str] = field(default_factory=set)

    def summary(self) -> str:
        if not self.added and not self.removed:
            return "nothing to change"
        return (
            f"{self.added} need tag(s) added, {self.removed} removed, "
            f"on {len(self.services)} service(s)"
        )


def _in_scope(statement: Any, column: Any, service_ids: list[str] | None) -> Iterable[Any]:
    """`statement` for every service, or for those of `service_ids` a chunk at a time."""
    if service_ids is None:
        yield statement
        return
    for part in chunks(service_ids):
        yield statement.where(column.in_(part))


def wanted_needs(
    session: Session, service_ids: list[str] | None, needs: dict[str, NeedTerm]
) -> dict[str, set[str]]:
    """Service -> the needs its feed terms map to (services with no mapped term left out)."""
    keys = term_keys(session)
    mapped = mappings(session)
    term_needs = {
        term_id: {code for code in mapped.get(key, []) if code in needs}
        for term_id, key in keys.items()
    }
    term_needs = {term_id: codes for term_id, codes in term_needs.items() if codes}
    wanted: dict[str, set[str]] = defaultdict(set)
    links = select(Attribute.link_id, Attribute.taxonomy_term_id).join(
        Service, Service.id == Attribute.link_id
    )
    for statement in _in_scope(links, Attribute.link_id, service_ids):
        for sid, term_id in session.execute(statement):
            wanted[sid] |= term_needs.get(term_id, set())
    return {sid: codes for sid, codes in wanted.items() if codes}


def apply_crosswalk(
    session: Session,
    service_ids: Iterable[str] | None = None,
    *,
    updated_by: str = CROSSWALK_AUTHOR,
    set_by: str = CROSSWALK_AUTHOR,
    now: dt.datetime | None = None,
) -> ApplyReport:
    """Give the services (`service_ids`, or every service) the need tags their feed terms map
    to, and take away the tags the crosswalk added that no mapping asks for any more; one
    SAVEPOINT, every change in the change log. The caller commits."""
    scope = None if service_ids is None else sorted(set(service_ids))
    now = now or utcnow()
    needs = need_terms(session)
    by_term_id = {n.term_id: n for n in needs.values()}
    report, log = ApplyReport(), ChangeLog(updated_by)
    with session.begin_nested():
        wanted = wanted_needs(session, scope, needs)
        have: dict[str, dict[str, str]] = defaultdict(dict)  # service -> need -> attribute id
        tags = select(Attribute.link_id, Attribute.taxonomy_term_id, Attribute.id).where(
            Attribute.taxonomy_term_id.in_(list(by_term_id))
        )
        for statement in _in_scope(tags, Attribute.link_id, scope):
            for sid, term_id, aid in session.execute(statement):
                have[sid][by_term_id[term_id].code] = aid
        origins: dict[str, dict[str, str]] = defaultdict(dict)  # service -> need -> attribute id
        others: set[tuple[str, str]] = set()  # confirmed suggestions (their tag may be gone)
        known = select(
            NeedTagOrigin.service_id,
            NeedTagOrigin.need_code,
            NeedTagOrigin.attribute_id,
            NeedTagOrigin.origin,
        )
        for statement in _in_scope(known, NeedTagOrigin.service_id, scope):
            for sid, code, aid, origin in session.execute(statement):
                if origin == FROM_CROSSWALK:
                    origins[sid][code] = aid
                else:
                    others.add((sid, code))
        missing = [
            aid
            for sid, added in origins.items()
            for code, aid in added.items()
            if have.get(sid, {}).get(code) != aid
        ]
        by_hand = removed_by_hand(session, missing)
        new_tags, new_origins, gone_tags, gone_origins = [], [], [], []
        for sid in sorted(set(wanted) | set(origins)):
            codes, tagged, added = wanted.get(sid, set()), have.get(sid, {}), origins.get(sid, {})
            for code in sorted(codes - set(tagged)):
                if added.get(code) in by_hand:
                    continue  # staff took it off this service: not added back
                if code in added:  # its tag went with an import: the old origin makes way
                    gone_origins.append((sid, code))
                aid = str(uuid.uuid4())
                term_id = needs[code].term_id
                new_tags.append(_tag(aid, sid, term_id, now))
                new_origins.append(_origin(sid, code, aid, set_by, now))
                if (sid, code) in others:  # a confirmed suggestion's tag, removed by hand since
                    gone_origins.append((sid, code))
                log.add("attribute", aid, "create", "taxonomy_term_id", None, term_id)
                report.added += 1
                report.services.add(sid)
            for code, aid in sorted(added.items()):
                if code in codes:
                    continue
                gone_origins.append((sid, code))
                if tagged.get(code) == aid:
                    gone_tags.append(aid)
                    log.add(
                        "attribute", aid, "delete", "taxonomy_term_id", needs[code].term_id, None
                    )
                    report.removed += 1
                    report.services.add(sid)
        _write(session, new_tags, new_origins, gone_tags, gone_origins)
        log.flush(session)
    return report


def removed_by_hand(session: Session, attribute_ids: list[str]) -> set[str]:
    """Of these need tags, gone now, those a member of staff removed (the back office logged
    their deletion), as opposed to an import that replaced the service's attributes."""
    found: set[str] = set()
    for part in chunks(sorted(set(attribute_ids))):
        found.update(
            session.scalars(
                select(MetadataEntry.resource_id).where(
                    MetadataEntry.resource_id.in_(part),
                    MetadataEntry.resource_type == "attribute",
                    MetadataEntry.last_action_type == "delete",
                    MetadataEntry.updated_by == BACK_OFFICE_AUTHOR,
                )
            )
        )
    return found


def _tag(aid: str, sid: str, term_id: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": aid,
        "link_id": sid,
        "taxonomy_term_id": term_id,
        "link_type": NEED_LINK,
        "link_entity": "service",
        "value": NEW_NEED_RANK,
        "created_at": now,
        "updated_at": now,
    }


def _origin(sid: str, code: str, aid: str, set_by: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "service_id": sid,
        "need_code": code,
        "attribute_id": aid,
        "origin": FROM_CROSSWALK,
        "set_by": set_by,
        "set_at": now,
    }


def _write(
    session: Session,
    new_tags: list[dict[str, Any]],
    new_origins: list[dict[str, Any]],
    gone_tags: list[str],
    gone_origins: list[tuple[str, str]],
) -> None:
    for part in chunks(gone_tags):
        session.execute(delete(Attribute).where(Attribute.id.in_(part)))
    for sid, code in gone_origins:
        session.execute(
            delete(NeedTagOrigin).where(
                NeedTagOrigin.service_id == sid, NeedTagOrigin.need_code == code
            )
        )
    for part in chunks(new_tags):
        session.execute(insert(Attribute), part)
    for part in chunks(new_origins):
        session.execute(insert(NeedTagOrigin), part)
