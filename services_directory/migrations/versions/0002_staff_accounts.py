"""Staff accounts: users, invitations, server-side sessions, failed sign-ins and the audit log.

The audit log is append-only in the database too: triggers refuse UPDATE and DELETE on it, on
SQLite and PostgreSQL alike, and TRUNCATE on PostgreSQL (SQLite has none). The downgrade drops
them with the table. A table owner or superuser can still drop the triggers: the application
should run as a role that owns nothing and may only SELECT and INSERT here (docs/staff/security.md).

Deleting an organisation that staff accounts belong to, or an account that made invitations, is
refused (RESTRICT): neither may silently turn into "no organisation" or "the command line".

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 06:39:24.894202
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT = "staff_audit_event"
APPEND_ONLY_SQLITE = """
CREATE TRIGGER {name} BEFORE {event} ON staff_audit_event
BEGIN SELECT RAISE(ABORT, 'the staff audit log is append-only'); END
"""
APPEND_ONLY_POSTGRESQL_FUNCTION = """
CREATE FUNCTION staff_audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the staff audit log is append-only'; END $$
"""
APPEND_ONLY_POSTGRESQL_TRIGGER = """
CREATE TRIGGER staff_audit_event_append_only BEFORE UPDATE OR DELETE ON staff_audit_event
FOR EACH ROW EXECUTE FUNCTION staff_audit_event_append_only()
"""
# Row triggers do not fire on TRUNCATE, which would empty the log in one statement.
NO_TRUNCATE_POSTGRESQL_TRIGGER = """
CREATE TRIGGER staff_audit_event_no_truncate BEFORE TRUNCATE ON staff_audit_event
FOR EACH STATEMENT EXECUTE FUNCTION staff_audit_event_append_only()
"""


def _moment(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "staff_user",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        _moment("totp_confirmed_at", nullable=True),
        sa.Column("totp_last_counter", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        _moment("last_sign_in_at", nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organization.id"],
            name=op.f("fk_staff_user_organisation_id_organization"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_user")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_user_email")),
    )
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_user_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "staff_invitation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=True),
        sa.Column("invited_by_id", sa.String(length=36), nullable=True),
        _moment("created_at"),
        _moment("expires_at"),
        _moment("used_at", nullable=True),
        _moment("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["staff_user.id"],
            name=op.f("fk_staff_invitation_invited_by_id_staff_user"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organization.id"],
            name=op.f("fk_staff_invitation_organisation_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_invitation_token_hash")),
    )
    with op.batch_alter_table("staff_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_invitation_email"), ["email"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_staff_invitation_invited_by_id"), ["invited_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_staff_invitation_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "staff_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("csrf_secret", sa.String(length=64), nullable=False),
        _moment("created_at"),
        _moment("last_seen_at"),
        _moment("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_user.id"],
            name=op.f("fk_staff_session_user_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_session")),
    )
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "staff_sign_in_failure",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        _moment("failed_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sign_in_failure")),
    )
    with op.batch_alter_table("staff_sign_in_failure", schema=None) as batch_op:
        batch_op.create_index(
            "ix_staff_sign_in_failure_scope_key_at",
            ["scope", "key_hash", "failed_at"],
            unique=False,
        )

    op.create_table(
        AUDIT,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _moment("occurred_at"),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("actor_label", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=True),
        sa.Column("record_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_audit_event")),
    )
    with op.batch_alter_table(AUDIT, schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_staff_audit_event_actor_id"), ["actor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_staff_audit_event_occurred_at"), ["occurred_at"], unique=False
        )
    _make_audit_log_append_only()


def _make_audit_log_append_only() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            name = f"staff_audit_event_no_{event.lower()}"
            op.execute(APPEND_ONLY_SQLITE.format(name=name, event=event))
    elif dialect == "postgresql":
        op.execute(APPEND_ONLY_POSTGRESQL_FUNCTION)
        op.execute(APPEND_ONLY_POSTGRESQL_TRIGGER)
        op.execute(NO_TRUNCATE_POSTGRESQL_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS staff_audit_event_no_truncate ON {AUDIT}")
        op.execute(f"DROP TRIGGER IF EXISTS staff_audit_event_append_only ON {AUDIT}")
        op.execute("DROP FUNCTION IF EXISTS staff_audit_event_append_only()")
    # SQLite drops a table's triggers with the table.
    op.drop_table(AUDIT)
    op.drop_table("staff_sign_in_failure")
    op.drop_table("staff_session")
    op.drop_table("staff_invitation")
    op.drop_table("staff_user")
