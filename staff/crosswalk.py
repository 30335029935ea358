"""Staff's actions on the crosswalk and on suggestions, each applied at once and recorded in the
audit log: mapping a feed term to needs (then its services gain or lose the tags), removing a
mapping, loading the starter crosswalk, and confirming or rejecting suggestions in bulk. The
caller commits (one transaction per action). No web imports."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from services_directory.crosswalk import ApplyReport, apply_crosswalk
from services_directory.crosswalk_confirm import Decisions, decide
from services_directory.crosswalk_mapping import (
    TermKey,
    remove_mapping,
    services_with_term,
    set_mapping,
)
from services_directory.crosswalk_terms import load_starter
from services_directory.io.writer import BACK_OFFICE_AUTHOR
from staff.audit import record


def _applied(db: Session, service_ids: list[str], user: StaffUser, now: dt.datetime) -> ApplyReport:
    return apply_crosswalk(
        db, service_ids, updated_by=BACK_OFFICE_AUTHOR, set_by=user.email, now=now
    )


def save_mapping(
    db: Session,
    user: StaffUser,
    key: TermKey,
    term_name: str,
    needs: Iterable[str],
    now: dt.datetime,
) -> ApplyReport:
    """Map a feed term to `needs` (InvalidMapping when one is unknown or a crisis need), and give
    its services the tags (or take away those the crosswalk added and no mapping wants)."""
    row = set_mapping(db, key, term_name, needs, set_by=user.email, now=now)
    report = _applied(db, services_with_term(db, key), user, now)
    shown = ", ".join(row.needs) or "no needs"
    record(
        db,
        user,
        "crosswalk.mapped",
        now,
        record_type="taxonomy_term",
        record_id=key.code,
        detail=f"{key.vocabulary} {term_name!r} -> {shown}; {report.summary()}",
    )
    return report


def forget_mapping(
    db: Session, user: StaffUser, key: TermKey, term_name: str, now: dt.datetime
) -> ApplyReport:
    """Remove a feed term's mapping: its services lose the tags only the crosswalk gave them."""
    remove_mapping(db, key)
    report = _applied(db, services_with_term(db, key), user, now)
    record(
        db,
        user,
        "crosswalk.unmapped",
        now,
        record_type="taxonomy_term",
        record_id=key.code,
        detail=f"{key.vocabulary} {term_name!r}; {report.summary()}",
    )
    return report


def use_starter(db: Session, user: StaffUser, now: dt.datetime) -> tuple[int, ApplyReport]:
    """Map the terms the starter crosswalk knows by name (those not mapped yet), and apply."""
    mapped = load_starter(db, set_by=user.email, now=now)
    services = sorted({sid for term in mapped for sid in services_with_term(db, term.key)})
    report = _applied(db, services, user, now)
    record(
        db,
        user,
        "crosswalk.starter_loaded",
        now,
        detail=f"{len(mapped)} term(s) mapped; {report.summary()}",
    )
    return len(mapped), report


def decide_suggestions(
    db: Session, user: StaffUser, keys: Iterable[str], *, confirm: bool, now: dt.datetime
) -> Decisions:
    """Confirm or reject suggestions in bulk: one audit entry per service."""
    done = decide(db, keys, confirm=confirm, decided_by=user.email, now=now)
    by_service: dict[str, list[str]] = defaultdict(list)
    for suggestion in done.confirmed if confirm else done.rejected:
        by_service[suggestion.service_id].append(f"{suggestion.kind} {suggestion.label}")
    action = "suggestions.confirmed" if confirm else "suggestions.rejected"
    for sid, items in sorted(by_service.items()):
        record(db, user, action, now, record_type="service", record_id=sid, detail="; ".join(items))
    return done
