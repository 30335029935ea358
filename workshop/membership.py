"""Young people's accounts: a moderator's single-use invite link (no e-mail address, no real
name), the set-up it leads to (a workshop name, a password and their consent), the members'
list, and deactivating an account.

An invite is a `staff_invitation` row, so it expires, is used once, is withdrawn with its inviter
(staff.accounts withdraws the open invitations of a deactivated or re-roled account) and shows
among the council admins' open invitations. Its `email` column, which would hold the address the
staff link was sent to, holds `NO_EMAIL` instead: a young person gives none, and the name they
pick is only known once they use the link. Its token is hashed with a prefix of the workshop's
own, so a workshop link is never a staff set-up link (/staff/set-up/ finds nothing for it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safety_screen.privacy import redact
from services_directory.accounts import StaffInvitation, StaffUser
from staff import audit
from staff.errors import AccountNotFound, InvalidChange, InvitationUnusable, PermissionDenied
from staff.invitations import NewInvitation
from staff.passwords import hash_password, password_problem
from staff.policy import YOUTH_ROLES, Permission, Role, actor_of, can
from staff.sessions import SessionStore
from staff.tokens import new_token, token_hash
from workshop.names import name_problem, normalise_name
from workshop.people import consents, is_member, record_own_consent
from workshop.people_models import WorkshopInvitation

NO_EMAIL = "workshop invite: no email address"
NOTE_MAX = 200
NAME_TAKEN = "Someone already has that workshop name. Try another one"
NOTE_PERSONAL = (
    "The note looks like it holds personal details (an email address, a phone number or a "
    "name). Say where or when you handed the link out instead"
)


def join_path(token: str) -> str:
    """The path of the set-up page of a young person's invite link."""
    return f"/workshop/join/{token}"


def _hash(token: str) -> str:
    return token_hash(f"workshop:{token}")


def _may_moderate(user: StaffUser | None) -> bool:
    return user is not None and user.active and can(actor_of(user), Permission.WORKSHOP_MODERATE)


def invite_member(
    db: Session,
    moderator: StaffUser,
    role: Role,
    note: str,
    parent_consent_required: bool,
    now: dt.datetime,
    valid_for: dt.timedelta,
) -> NewInvitation:
    """A single-use invite link for a youth writer or peer reviewer, with a private note."""
    if not _may_moderate(moderator):
        raise PermissionDenied("you may not invite young people to the workshop")
    if role not in YOUTH_ROLES:
        raise InvalidChange("role", "Select youth writer or peer reviewer")
    note = " ".join(note.split())
    if len(note) > NOTE_MAX:
        raise InvalidChange("note", f"The note must be {NOTE_MAX} characters or fewer")
    if redact(note) != note:
        raise InvalidChange("note", NOTE_PERSONAL)
    token = new_token()
    invitation = StaffInvitation(
        id=str(uuid.uuid4()),
        token_hash=_hash(token),
        email=NO_EMAIL,
        role=role.value,
        organisation_id=None,
        invited_by_id=moderator.id,
        created_at=now,
        expires_at=now + valid_for,
    )
    db.add(invitation)
    db.flush()
    db.add(
        WorkshopInvitation(
            invitation_id=invitation.id,
            note=note,
            parent_consent_required=parent_consent_required,
        )
    )
    db.flush()
    audit.record(
        db,
        moderator,
        "workshop.member_invited",
        now,
        record_type="invitation",
        record_id=invitation.id,
        detail=f"as {role.label}"
        + ("; a parent's or carer's consent is needed" if parent_consent_required else ""),
    )
    return NewInvitation(invitation, token)


def usable_member_invitation(
    db: Session, token: str, now: dt.datetime
) -> tuple[StaffInvitation, WorkshopInvitation]:
    """The invitation of a young person's link, if it can still be used (its inviter still
    active and a moderator); else `InvitationUnusable`."""
    invitation = db.scalar(
        select(StaffInvitation).where(StaffInvitation.token_hash == _hash(token))
    )
    side = db.get(WorkshopInvitation, invitation.id) if invitation is not None else None
    if (
        invitation is None
        or side is None
        or invitation.used_at is not None
        or invitation.revoked_at is not None
        or now >= invitation.expires_at
        or invitation.invited_by_id is None
        or not _may_moderate(db.get(StaffUser, invitation.invited_by_id))
    ):
        raise InvitationUnusable("this invite link has been used, withdrawn or has expired")
    return invitation, side


def _claim(db: Session, invitation: StaffInvitation, now: dt.datetime) -> bool:
    """Mark the invitation used in one conditional UPDATE (a second request finds it used)."""
    claimed = db.execute(
        update(StaffInvitation)
        .where(
            StaffInvitation.id == invitation.id,
            StaffInvitation.used_at.is_(None),
            StaffInvitation.revoked_at.is_(None),
            StaffInvitation.expires_at > now,
        )
        .values(used_at=now)
    )
    return claimed.rowcount == 1  # type: ignore[attr-defined]


def join(
    db: Session, token: str, name: str, password: str, consent: bool, now: dt.datetime
) -> StaffUser:
    """Use a young person's invite link: their account, with the workshop name they chose, its
    password and their own consent. Raises `InvalidChange` (the field and why) or
    `InvitationUnusable`."""
    invitation, side = usable_member_invitation(db, token, now)
    problem = name_problem(name)
    if problem:
        raise InvalidChange("name", problem)
    stored_name = normalise_name(name)
    if db.scalar(select(StaffUser.id).where(StaffUser.email == stored_name)) is not None:
        raise InvalidChange("name", NAME_TAKEN)
    problem = password_problem(password, stored_name)
    if problem:
        raise InvalidChange("password", problem.replace("your email address", "your workshop name"))
    if not consent:
        raise InvalidChange("consent", "Tick the box to say you agree, or close this page")
    if not _claim(db, invitation, now):
        raise InvitationUnusable("this invite link has already been used")
    user = StaffUser(
        id=str(uuid.uuid4()),
        email=stored_name,
        display_name=" ".join(name.split()),
        role=invitation.role,
        organisation_id=None,
        password_hash=hash_password(password),
        active=True,
    )
    try:
        with db.begin_nested():
            db.add(user)
            db.flush()
    except IntegrityError as taken:  # the same name, chosen a moment earlier by someone else
        raise InvalidChange("name", NAME_TAKEN) from taken
    side.member_id = user.id
    db.flush()
    audit.record(
        db,
        user,
        "workshop.member_joined",
        now,
        record_type="staff_user",
        record_id=user.id,
        detail=f"{user.display_name}, {Role(user.role).label}",
    )
    record_own_consent(db, user, now)
    return user


@dataclass(frozen=True)
class MemberRow:
    """A line of the members' page."""

    user: StaffUser
    role_label: str
    consent_label: str
    consent_state: str
    invited_at: dt.datetime | None
    note: str


def members(db: Session) -> list[MemberRow]:
    """Every young person's account, with their consent and when they were invited."""
    youth = [r.value for r in YOUTH_ROLES]
    users = db.scalars(select(StaffUser).where(StaffUser.role.in_(youth)).order_by(StaffUser.email))
    invited = {
        side.member_id: (invitation.created_at, side.note)
        for side, invitation in db.execute(
            select(WorkshopInvitation, StaffInvitation).join(
                StaffInvitation, StaffInvitation.id == WorkshopInvitation.invitation_id
            )
        )
        if side.member_id
    }
    states = consents(db)
    rows = []
    for user in users:
        consent = states.get(user.id)
        state = consent.state if consent else None
        invited_at, note = invited.get(user.id, (None, ""))
        rows.append(
            MemberRow(
                user=user,
                role_label=Role(user.role).label,
                consent_label=state.label if state else "No consent recorded",
                consent_state=state.value if state else "none",
                invited_at=invited_at,
                note=note,
            )
        )
    return rows


def open_member_invitations(
    db: Session, now: dt.datetime
) -> list[tuple[StaffInvitation, WorkshopInvitation]]:
    """Young people's invite links not yet used, withdrawn or expired, newest first."""
    rows = db.execute(
        select(StaffInvitation, WorkshopInvitation)
        .join(WorkshopInvitation, WorkshopInvitation.invitation_id == StaffInvitation.id)
        .where(
            StaffInvitation.used_at.is_(None),
            StaffInvitation.revoked_at.is_(None),
            StaffInvitation.expires_at > now,
        )
        .order_by(StaffInvitation.created_at.desc())
    )
    return [(invitation, side) for invitation, side in rows]


def withdraw_member_invitation(
    db: Session, moderator: StaffUser, invitation_id: str, now: dt.datetime
) -> None:
    """Withdraw a young person's invite link (it stops working)."""
    if not _may_moderate(moderator):
        raise PermissionDenied("you may not withdraw invite links")
    side = db.get(WorkshopInvitation, invitation_id)
    invitation = db.get(StaffInvitation, invitation_id)
    if side is None or invitation is None:
        raise AccountNotFound(invitation_id)
    if invitation.used_at is None and invitation.revoked_at is None:
        invitation.revoked_at = now
        audit.record(
            db,
            moderator,
            "workshop.invitation_withdrawn",
            now,
            record_type="invitation",
            record_id=invitation.id,
            detail=f"as {Role(invitation.role).label}",
        )


def deactivate_member(
    db: Session, moderator: StaffUser, user: StaffUser, now: dt.datetime, sessions: SessionStore
) -> None:
    """Stop a young person's account signing in (every session ends). Their consent, and so
    what becomes of their items, is not changed: withdrawing it is a separate step."""
    if not _may_moderate(moderator):
        raise PermissionDenied("you may not deactivate workshop members")
    if not is_member(user):
        raise AccountNotFound(user.id)
    user.active = False
    ended = sessions.revoke_all(user.id, now)
    db.flush()
    audit.record(
        db,
        moderator,
        "workshop.member_deactivated",
        now,
        record_type="staff_user",
        record_id=user.id,
        detail=f"{user.display_name}; {ended} session(s) ended",
    )
