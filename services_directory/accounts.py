"""Tables of the staff accounts: users, invitations, sessions, failed sign-ins and the audit log.

They live beside the directory's tables (one schema, one Alembic history) so that the records of
later increments (drafts, approvals, versions) can refer to a staff user with a real foreign key,
while the behaviour (passwords, sessions, the policy, mail) lives in the `staff` package, which the
directory never imports. Never stored here: a password, a set-up link or a session cookie; only
their hashes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from services_directory.models import ID, Base, TimestampMixin, utcnow

TOKEN_HASH = String(64)  # hex SHA-256 of a random token


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A moment in UTC, read back with its time zone on SQLite too (which keeps none), so that
    expiry checks compare like with like on both databases."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Stored in UTC; a time without a zone is refused rather than guessed."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a staff timestamp needs a time zone")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        """Read back in UTC, with its zone."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class StaffUser(TimestampMixin, Base):
    """A member of staff. E-mail addresses are stored lower-cased, so unique whatever the case."""

    __tablename__ = "staff_user"
    # One account per identity (NULLs, accounts not yet bound, are distinct on both databases).
    __table_args__ = (
        Index("ix_staff_user_oidc_identity", "oidc_issuer", "oidc_subject", unique=True),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(32))
    # Set for the organisation roles only: the organisation whose records they may touch. An
    # organisation with accounts cannot be deleted: their role or the accounts must change first
    # (a missing organisation must never leave an organisation's role reaching everything).
    organisation_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    password_hash: Mapped[str | None] = mapped_column(Text)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The last time step whose code was accepted: a code is never accepted twice.
    totp_last_counter: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The identity provider's issuer and subject (`iss`, `sub`), bound at the first sign-in
    # through it (OIDC); afterwards only that identity may sign in to this account by OIDC.
    oidc_issuer: Mapped[str | None] = mapped_column(String(500))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))


class StaffInvitation(Base):
    """A single-use set-up link for an e-mail address, a role and (for organisation roles) an
    organisation. Accepting it creates the account, or resets an existing one."""

    __tablename__ = "staff_invitation"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    token_hash: Mapped[str] = mapped_column(TOKEN_HASH, unique=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[str] = mapped_column(String(32))
    organisation_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    # None: made on the command line (`make admin`), and only then: an account that invited
    # someone cannot be deleted (deactivate it), so its invitations never pass for the command
    # line's.
    invited_by_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("staff_user.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class StaffSession(Base):
    """A server-side session. The cookie holds a random token; only its hash is the key here."""

    __tablename__ = "staff_session"

    id: Mapped[str] = mapped_column(TOKEN_HASH, primary_key=True)
    user_id: Mapped[str] = mapped_column(
        ID, ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    # "signed_in", or a step of signing in: "needs_code" (TOTP), "needs_enrolment" (set up TOTP).
    stage: Mapped[str] = mapped_column(String(16))
    # The random value this session's CSRF tokens are bound to.
    csrf_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class StaffSignInFailure(Base):
    """One failed sign-in, for throttling: the account's or the address's keyed pseudonym and
    the time, nothing else."""

    __tablename__ = "staff_sign_in_failure"
    __table_args__ = (
        Index("ix_staff_sign_in_failure_scope_key_at", "scope", "key_hash", "failed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(16))  # "account" | "ip"
    key_hash: Mapped[str] = mapped_column(TOKEN_HASH)
    failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class StaffAuditEvent(Base):
    """One staff action. Append-only: the ORM refuses changes and the database has triggers that
    refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL). The actor is a plain column, so that
    an entry outlives anything."""

    __tablename__ = "staff_audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[str | None] = mapped_column(ID, index=True)
    # Who it was when it happened (their e-mail then, or "command line").
    actor_label: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(64), index=True)
    record_type: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")


@event.listens_for(StaffAuditEvent, "before_update")
@event.listens_for(StaffAuditEvent, "before_delete")
def _refuse_changing_the_audit_log(*_args: Any) -> None:
    # The database's triggers refuse it too; this says so earlier, in plain words.
    raise PermissionError("the staff audit log is append-only")


ACCOUNT_TABLES: dict[str, type[Base]] = {
    "staff_user": StaffUser,
    "staff_invitation": StaffInvitation,
    "staff_session": StaffSession,
    "staff_sign_in_failure": StaffSignInFailure,
    "staff_audit_event": StaffAuditEvent,
}
