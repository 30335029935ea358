"""Staff's decisions on suggestions (`crosswalk_suggest`): a confirmed one is written into the
directory through the writer and the Open Referral change log (a need tag, an age range, a
locality), a rejected one is only remembered, so that it is not suggested again. Only what is
suggested now can be confirmed: a posted key that is no longer (or never was) a suggestion is
left alone and counted as skipped. One SAVEPOINT; the caller commits."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from services_directory.crosswalk import NEED_LINK, NEW_NEED_RANK
from services_directory.crosswalk_mapping import need_terms
from services_directory.crosswalk_models import (
    AGES,
    CONFIRMED,
    FROM_SUGGESTION,
    LOCALITY,
    NEED,
    REJECTED,
    NeedTagOrigin,
    SuggestionDecision,
)
from services_directory.crosswalk_suggest import Suggestion, suggestions_for
from services_directory.io.writer import BACK_OFFICE_AUTHOR, ChangeLog, WriteReport, upsert
from services_directory.models import Attribute, Service, ServiceLocality


@dataclass
class Decisions:
    """What a bulk decision did."""

    confirmed: list[Suggestion] = field(default_factory=list)
    rejected: list[Suggestion] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def services(self) -> set[str]:
        return {s.service_id for s in (*self.confirmed, *self.rejected)}


def parse_key(key: str) -> tuple[str, str, str] | None:
    """A form's "service id|kind|value", or None when it is not one."""
    parts = key.split("|")
    if len(parts) != 3 or parts[1] not in (NEED, AGES, LOCALITY) or not all(parts):
        return None
    return parts[0], parts[1], parts[2]


def decide(
    session: Session,
    keys: Iterable[str],
    *,
    confirm: bool,
    decided_by: str,
    now: dt.datetime,
    updated_by: str = BACK_OFFICE_AUTHOR,
) -> Decisions:
    """Confirm (or reject) the suggestions named by `keys` ("service id|kind|value")."""
    wanted = {k for k in keys if parse_key(k) is not None}
    service_ids = {k.split("|", 1)[0] for k in wanted}
    pending = {s.key: s for found in suggestions_for(session, service_ids).values() for s in found}
    out = Decisions(skipped=sorted(set(keys) - set(pending)))
    log = ChangeLog(updated_by)
    with session.begin_nested():
        for key in sorted(wanted & set(pending)):
            suggestion = pending[key]
            if confirm:
                _write(session, suggestion, log, decided_by, now)
                out.confirmed.append(suggestion)
            else:
                out.rejected.append(suggestion)
            session.merge(
                SuggestionDecision(
                    service_id=suggestion.service_id,
                    kind=suggestion.kind,
                    value=suggestion.value,
                    decision=CONFIRMED if confirm else REJECTED,
                    reason=suggestion.reason[:1000],
                    decided_by=decided_by,
                    decided_at=now,
                )
            )
        session.flush()
        log.flush(session)
    return out


def _write(
    session: Session, suggestion: Suggestion, log: ChangeLog, decided_by: str, now: dt.datetime
) -> None:
    sid = suggestion.service_id
    if suggestion.kind == NEED:
        term = need_terms(session)[suggestion.value]
        aid = str(uuid.uuid4())
        session.add(
            Attribute(
                id=aid,
                link_id=sid,
                taxonomy_term_id=term.term_id,
                link_type=NEED_LINK,
                link_entity="service",
                value=NEW_NEED_RANK,
                created_at=now,
                updated_at=now,
            )
        )
        session.merge(
            NeedTagOrigin(
                service_id=sid,
                need_code=suggestion.value,
                attribute_id=aid,
                origin=FROM_SUGGESTION,
                set_by=decided_by,
                set_at=now,
            )
        )
        log.add("attribute", aid, "create", "taxonomy_term_id", None, term.term_id)
    elif suggestion.kind == AGES:
        low, high = suggestion.value.split("-")
        values = {
            "id": sid,
            "minimum_age": float(low) if low else None,
            "maximum_age": float(high) if high else None,
        }
        upsert(session, "service", {sid: values}, log, WriteReport())
    else:
        session.add(
            ServiceLocality(
                service_id=sid, locality=suggestion.value, created_at=now, updated_at=now
            )
        )
        log.add("x_service_locality", sid, "update", "locality", None, suggestion.value)
    session.flush()
    service = session.get(Service, sid)
    if service is not None:
        session.expire(service)
