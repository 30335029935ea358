"""The youth council workshop: consent of its pseudonymous members.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _moment(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.String(length=36), nullable=nullable)


def _user_key(table: str, column: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["staff_user.id"], name=op.f(f"fk_{table}_{column}_staff_user"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "workshop_invitation",
        sa.Column("invitation_id", sa.String(length=36), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("parent_consent_required", sa.Boolean(), nullable=False),
        _user("member_id"),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["staff_invitation.id"],
            name=op.f("fk_workshop_invitation_invitation_id_staff_invitation"),
            ondelete="CASCADE",
        ),
        _user_key("workshop_invitation", "member_id", "SET NULL"),
        sa.PrimaryKeyConstraint("invitation_id", name=op.f("pk_workshop_invitation")),
        sa.UniqueConstraint("member_id", name=op.f("uq_workshop_invitation_member_id")),
    )
    op.create_table(
        "workshop_consent",
        sa.Column("id", sa.String(length=36), nullable=False),
        _user("member_id", nullable=False),
        sa.Column("given_by", sa.String(length=20), nullable=False),
        _moment("given_at"),
        sa.Column("policy_version", sa.String(length=32), nullable=False),
        _user("recorded_by_id"),
        sa.Column("how", sa.Text(), nullable=False),
        _moment("withdrawn_at", nullable=True),
        sa.Column("withdrawn_by", sa.String(length=20), nullable=True),
        _user("withdrawn_by_id"),
        sa.Column("withdrawal_reason", sa.Text(), nullable=False),
        _user_key("workshop_consent", "member_id", "CASCADE"),
        _user_key("workshop_consent", "recorded_by_id", "SET NULL"),
        _user_key("workshop_consent", "withdrawn_by_id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_consent")),
    )
    with op.batch_alter_table("workshop_consent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshop_consent_member_id"), ["member_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("workshop_consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_consent_member_id"))
    op.drop_table("workshop_consent")
    op.drop_table("workshop_invitation")
