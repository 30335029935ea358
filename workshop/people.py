"""Consent of the workshop's members: given by the young person at set-up, by a parent or carer
(recorded by a moderator) where the council's policy asks for it, and withdrawn at any time, by
the young person or by a moderator on their behalf (with a reason). Every change leaves an audit
entry in the same transaction.

The other parts of the workshop ask only two things: whose consent stands
(`consenting_member_ids`: their approved items may be trained on) and whose was withdrawn
(`withdrawn_member_ids`: their items leave the next candidate, and its release notes say so).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from staff import audit
from staff.errors import AccountNotFound, InvalidChange, PermissionDenied
from staff.policy import YOUTH_ROLES, Permission, Role, actor_of, can
from workshop.people_models import (
    BY_MEMBER,
    BY_MODERATOR,
    PARENT_OR_CARER,
    SELF,
    WorkshopConsent,
    WorkshopInvitation,
)

# The version of the words a young person agrees to (api/templates/workshop/join.html): a new
# wording gets a new version, so each record says what was agreed to.
CONSENT_VERSION = "2026-12"
REASON_MAX = 500


class ConsentState(StrEnum):
    """Where a member's consent stands."""

    GIVEN = "given"  # they may write; their approved items may be trained on
    NEEDS_PARENT = "needs_parent"  # waiting for a parent's or carer's consent
    WITHDRAWN = "withdrawn"  # nothing of theirs goes into a new candidate
    NONE = "none"  # never given (an account made some other way)

    @property
    def label(self) -> str:
        """The state in plain words, for the members' page."""
        return CONSENT_LABELS[self]


CONSENT_LABELS = {
    ConsentState.GIVEN: "Consent given",
    ConsentState.NEEDS_PARENT: "Waiting for a parent's or carer's consent",
    ConsentState.WITHDRAWN: "Consent withdrawn",
    ConsentState.NONE: "No consent recorded",
}


@dataclass(frozen=True)
class Consent:
    """A member's consent records and what they add up to."""

    state: ConsentState
    records: list[WorkshopConsent]
    parent_consent_required: bool

    @property
    def withdrawn_at(self) -> dt.datetime | None:
        """When consent was withdrawn, if it was."""
        times = [r.withdrawn_at for r in self.records if r.withdrawn_at is not None]
        return min(times) if times else None


def is_member(user: StaffUser) -> bool:
    """Whether the account is a young person's (a youth role)."""
    return Role(user.role) in YOUTH_ROLES


def member(db: Session, member_id: str) -> StaffUser:
    """A young person's account; `AccountNotFound` for anyone else's, or none."""
    user = db.get(StaffUser, member_id)
    if user is None or not is_member(user):
        raise AccountNotFound(member_id)
    return user


def _state(records: list[WorkshopConsent], parent_required: bool) -> ConsentState:
    if any(r.withdrawn_at is not None for r in records):
        return ConsentState.WITHDRAWN
    given = {r.given_by for r in records}
    if SELF not in given:
        return ConsentState.NONE
    if parent_required and PARENT_OR_CARER not in given:
        return ConsentState.NEEDS_PARENT
    return ConsentState.GIVEN


def _parent_required(db: Session) -> dict[str, bool]:
    """Whether each member's invitation asked for a parent's or carer's consent."""
    rows = db.execute(
        select(WorkshopInvitation.member_id, WorkshopInvitation.parent_consent_required).where(
            WorkshopInvitation.member_id.is_not(None)
        )
    )
    return {member_id: required for member_id, required in rows if member_id}


def consents(db: Session) -> dict[str, Consent]:
    """Every member's consent who has a record, by member id."""
    required = _parent_required(db)
    records: dict[str, list[WorkshopConsent]] = {}
    for record in db.scalars(select(WorkshopConsent).order_by(WorkshopConsent.given_at)):
        records.setdefault(record.member_id, []).append(record)
    return {
        member_id: Consent(
            _state(rows, required.get(member_id, False)), rows, required.get(member_id, False)
        )
        for member_id, rows in records.items()
    }


def consent_of(db: Session, member_id: str) -> Consent:
    """One member's consent."""
    rows = list(
        db.scalars(
            select(WorkshopConsent)
            .where(WorkshopConsent.member_id == member_id)
            .order_by(WorkshopConsent.given_at)
        )
    )
    required = bool(
        db.scalar(
            select(WorkshopInvitation.parent_consent_required).where(
                WorkshopInvitation.member_id == member_id
            )
        )
    )
    return Consent(_state(rows, required), rows, required)


def consenting_member_ids(db: Session) -> set[str]:
    """The members whose consent stands: theirs, and a parent's or carer's where it was asked."""
    return {m for m, c in consents(db).items() if c.state == ConsentState.GIVEN}


def withdrawn_member_ids(db: Session) -> set[str]:
    """The members who withdrew their consent (or whose consent a moderator withdrew)."""
    return {m for m, c in consents(db).items() if c.state == ConsentState.WITHDRAWN}


def may_write(db: Session, user: StaffUser) -> bool:
    """Whether this account may write examples: staff whose role allows it, and young people
    whose consent stands."""
    if not can(actor_of(user), Permission.WORKSHOP_WRITE):
        return False
    return not is_member(user) or consent_of(db, user.id).state == ConsentState.GIVEN


def record_own_consent(db: Session, user: StaffUser, now: dt.datetime) -> WorkshopConsent:
    """The young person's own consent, given at set-up."""
    record = WorkshopConsent(
        id=str(uuid.uuid4()),
        member_id=user.id,
        given_by=SELF,
        given_at=now,
        policy_version=CONSENT_VERSION,
        how="",
        withdrawal_reason="",
    )
    db.add(record)
    db.flush()
    audit.record(
        db,
        user,
        "workshop.consent_recorded",
        now,
        record_type="staff_user",
        record_id=user.id,
        detail=f"{user.display_name}: their own, wording {CONSENT_VERSION}",
    )
    return record


def _moderator(moderator: StaffUser, what: str) -> None:
    if not can(actor_of(moderator), Permission.WORKSHOP_MODERATE):
        raise PermissionDenied(f"you may not {what}")


def record_parent_consent(
    db: Session, moderator: StaffUser, user: StaffUser, how: str, now: dt.datetime
) -> WorkshopConsent:
    """A parent's or carer's consent, as a moderator records it (`how`: how it was given)."""
    _moderator(moderator, "record consent")
    if not is_member(user):
        raise AccountNotFound(user.id)
    how = how.strip()
    if not how:
        raise InvalidChange("how", "Say how the parent or carer gave their consent")
    state = consent_of(db, user.id).state
    if state == ConsentState.WITHDRAWN:
        raise InvalidChange("how", "Their consent was withdrawn: it cannot be given again here")
    if any(r.given_by == PARENT_OR_CARER for r in consent_of(db, user.id).records):
        raise InvalidChange("how", "A parent's or carer's consent is already recorded")
    record = WorkshopConsent(
        id=str(uuid.uuid4()),
        member_id=user.id,
        given_by=PARENT_OR_CARER,
        given_at=now,
        policy_version=CONSENT_VERSION,
        recorded_by_id=moderator.id,
        how=how[:REASON_MAX],
        withdrawal_reason="",
    )
    db.add(record)
    db.flush()
    audit.record(
        db,
        moderator,
        "workshop.consent_recorded",
        now,
        record_type="staff_user",
        record_id=user.id,
        detail=f"{user.display_name}: a parent's or carer's, wording {CONSENT_VERSION}",
    )
    return record


def withdraw_consent(
    db: Session, actor: StaffUser, user: StaffUser, now: dt.datetime, reason: str = ""
) -> int:
    """Withdraw every standing consent of `user`: by themselves, or by a moderator on their
    behalf (who must give a reason). Returns how many records were withdrawn."""
    by_self = actor.id == user.id
    if not is_member(user):
        raise AccountNotFound(user.id)
    reason = reason.strip()
    if not by_self:
        _moderator(actor, "withdraw consent for someone else")
        if not reason:
            raise InvalidChange("reason", "Say why you are withdrawing their consent")
    standing = [r for r in consent_of(db, user.id).records if r.withdrawn_at is None]
    if not standing:
        raise InvalidChange("reason", "There is no consent to withdraw")
    for record in standing:
        record.withdrawn_at = now
        record.withdrawn_by = BY_MEMBER if by_self else BY_MODERATOR
        record.withdrawn_by_id = actor.id
        record.withdrawal_reason = reason[:REASON_MAX]
    db.flush()
    audit.record(
        db,
        actor,
        "workshop.consent_withdrawn",
        now,
        record_type="staff_user",
        record_id=user.id,
        detail=f"{user.display_name}: "
        + ("by themselves" if by_self else f"on their behalf: {reason}"),
    )
    return len(standing)
