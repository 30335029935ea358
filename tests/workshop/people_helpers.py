"""Helpers of the workshop's people tests: young people who joined through a real invite link
(with their consent), signing in at the workshop's door, and the staff fixtures re-used."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffAuditEvent, StaffUser
from staff.policy import Role
from tests.staff.helpers import HTML, PASSWORD, csrf_of, make_user
from workshop.membership import invite_member, join, join_path

WEEK = dt.timedelta(days=7)


def moderator(db: Session, email: str = "mod@council.example") -> StaffUser:
    """A workshop moderator (no two-factor: the role does not need it)."""
    return make_user(db, email, Role.MODERATOR)


def invite_link(
    db: Session,
    inviter: StaffUser,
    now: dt.datetime,
    role: Role = Role.YOUTH_WRITER,
    *,
    parent: bool = False,
    note: str = "",
) -> str:
    """A young person's invite link path (/workshop/join/<token>)."""
    made = invite_member(db, inviter, role, note, parent, now, WEEK)
    return join_path(made.token)


def member_of(
    db: Session,
    name: str,
    now: dt.datetime,
    role: Role = Role.YOUTH_WRITER,
    *,
    parent: bool = False,
    inviter: StaffUser | None = None,
) -> StaffUser:
    """A young person who joined through an invite link, with their own consent."""
    inviter = (
        inviter
        or db.scalar(select(StaffUser).where(StaffUser.email == "mod@council.example"))
        or moderator(db)
    )
    path = invite_link(db, inviter, now, role, parent=parent)
    return join(db, path.rsplit("/", 1)[1], name, PASSWORD, True, now)


def workshop_sign_in(client: TestClient, name: str, password: str = PASSWORD) -> None:
    """Sign in at /workshop/sign-in, as a young person does."""
    page = client.get("/workshop/sign-in", headers=HTML)
    response = client.post(
        "/workshop/sign-in",
        data={"csrf_token": csrf_of(page.text), "name": name, "password": password},
        headers=HTML,
    )
    assert response.status_code == 303, response.text[:500]
    assert response.headers["location"].startswith("/workshop/")


def actions(db: Session, since: int = 0) -> list[str]:
    """The audit log's actions after entry `since`, oldest first."""
    db.expire_all()
    query = select(StaffAuditEvent.action).where(StaffAuditEvent.id > since)
    return list(db.scalars(query.order_by(StaffAuditEvent.id)))


def last_audit_id(db: Session) -> int:
    """The id of the newest audit entry (0: none)."""
    return int(db.scalar(select(StaffAuditEvent.id).order_by(StaffAuditEvent.id.desc())) or 0)
