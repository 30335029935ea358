"""Tables of the workshop's people (migration 0012): the workshop's side of a young person's
invitation, and their consent records.

A young person's invitation is a row of `staff_invitation` (its token hash, expiry, single use,
withdrawal and inviter are the staff invitations' own), joined here by the private note only staff
see and whether a parent's or carer's consent is asked for. Its account is a `staff_user` of a
youth role whose `email` holds the chosen workshop name.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services_directory.accounts import UTCDateTime
from services_directory.models import ID, Base

# Who gave a consent.
SELF = "self"
PARENT_OR_CARER = "parent_or_carer"
# Who withdrew it.
BY_MEMBER = "self"
BY_MODERATOR = "moderator"


class WorkshopInvitation(Base):
    """The workshop's side of a young person's invitation (a `staff_invitation` row)."""

    __tablename__ = "workshop_invitation"

    invitation_id: Mapped[str] = mapped_column(
        ID, ForeignKey("staff_invitation.id", ondelete="CASCADE"), primary_key=True
    )
    # For staff only: where or when the link was handed out. Never a real name.
    note: Mapped[str] = mapped_column(Text, default="")
    # The council's policy when the link was made: a parent's or carer's consent before writing.
    parent_consent_required: Mapped[bool] = mapped_column(Boolean)
    # The account the link set up, once used.
    member_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("staff_user.id", ondelete="SET NULL"), unique=True
    )


class WorkshopConsent(Base):
    """One consent to take part: the young person's own (at set-up) or a parent's or carer's
    (recorded by a moderator). Withdrawn, it stays as a record with when, by whom and why."""

    __tablename__ = "workshop_consent"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    member_id: Mapped[str] = mapped_column(
        ID, ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    given_by: Mapped[str] = mapped_column(String(20))  # SELF | PARENT_OR_CARER
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The wording agreed to (workshop.people.CONSENT_VERSION when it was given).
    policy_version: Mapped[str] = mapped_column(String(32))
    # The moderator who recorded a parent's or carer's consent, and how it was given.
    recorded_by_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    how: Mapped[str] = mapped_column(Text, default="")
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by: Mapped[str | None] = mapped_column(String(20))  # BY_MEMBER | BY_MODERATOR
    withdrawn_by_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")


PEOPLE_TABLES: dict[str, type[Base]] = {
    "workshop_invitation": WorkshopInvitation,
    "workshop_consent": WorkshopConsent,
}
