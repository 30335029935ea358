"""The back office at scale (called by bench/directory_bench.py on its synthetic directory): the
service form's data (the published fields read as a document) and how long a published change
takes to reach the chat's search. Figures, not pass/fail."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

from sqlalchemy import select

from services_directory.accounts import StaffUser
from services_directory.models import Service
from services_directory.search import search
from staff import drafts
from staff.directory import visible_service
from staff.policy import Actor, Role
from staff.service_document import read_document


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _account(session: Any, role: Role, organisation_id: str | None) -> StaffUser:
    user = StaffUser(
        id=str(uuid.uuid4()),
        email=f"{uuid.uuid4().hex[:8]}@bench.example",
        display_name=f"Bench {role.value}",
        role=role.value,
        organisation_id=organisation_id,
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def staff_changes(label: str, sessions: Any, runs: int = 20) -> None:
    """The edit page's reads for a service, then a change approved and found by a search."""
    with sessions() as session:
        ids = list(session.scalars(select(Service.id).order_by(Service.id).limit(runs)))
    admin = Actor("bench-admin", Role.COUNCIL_ADMIN, None)
    timings = []
    for sid in ids:
        with sessions() as session:
            started = time.perf_counter()
            read_document(session, visible_service(session, admin, sid))
            timings.append((time.perf_counter() - started) * 1000)
    print(
        f"  {label}: edit page's data (one service)        p50 "
        f"{_percentile(timings, 0.5):6.1f} ms   p95 {_percentile(timings, 0.95):6.1f} ms   "
        f"(n={len(timings)})"
    )
    now = dt.datetime.now(dt.UTC)
    with sessions() as session, session.begin():
        service = session.get(Service, ids[0])
        assert service is not None
        editor = _account(session, Role.ORGANISATION_EDITOR, service.organization_id)
        reviewer = _account(session, Role.REVIEWER, None)
        search(session, text="counselling", limit=1)  # the index is warm, as in a running app
        name = f"Renamed {uuid.uuid4().hex[:6]}"
        document = {**read_document(session, service), "name": name}
        draft = drafts.propose(session, editor, service, document, "bench", now)
    started = time.perf_counter()
    with sessions() as session, session.begin():
        draft = session.get(type(draft), draft.id)
        drafts.approve(session, session.get(StaffUser, reviewer.id), draft, now)
    published = time.perf_counter() - started
    with sessions() as session:
        found = search(session, text=name, limit=3)
    reached = time.perf_counter() - started
    print(
        f"  {label}: a change approved, then found by the chat's search   "
        f"publish {published * 1000:6.0f} ms   in the search after {reached:5.2f} s   "
        f"({'found' if any(r.name == name for r in found) else 'NOT FOUND'})"
    )
