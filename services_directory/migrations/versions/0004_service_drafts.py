"""Staff changes to services: drafts waiting for review, approvals, and published versions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 10:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services_directory.accounts import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_service_draft",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("base", sa.JSON(), nullable=False),
        sa.Column("proposed", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("needs_two_approvers", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["staff_user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("service_id", "organisation_id", "author_id", "status"):
        op.create_index(
            f"ix_staff_service_draft_{column}", "staff_service_draft", [column], unique=False
        )
    op.create_table(
        "staff_draft_approval",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("draft_id", sa.String(length=36), nullable=False),
        sa.Column("approver_id", sa.String(length=36), nullable=False),
        sa.Column("approved_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["draft_id"], ["staff_service_draft.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["approver_id"], ["staff_user.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("draft_id", "approver_id"),
    )
    op.create_index(
        "ix_staff_draft_approval_draft_id", "staff_draft_approval", ["draft_id"], unique=False
    )
    op.create_table(
        "staff_service_version",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author_label", sa.Text(), nullable=False),
        sa.Column("approver_labels", sa.JSON(), nullable=False),
        sa.Column("draft_id", sa.String(length=36), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("service_id", "number"),
    )
    op.create_index(
        "ix_staff_service_version_service_id",
        "staff_service_version",
        ["service_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_staff_service_version_service_id", table_name="staff_service_version")
    op.drop_table("staff_service_version")
    op.drop_index("ix_staff_draft_approval_draft_id", table_name="staff_draft_approval")
    op.drop_table("staff_draft_approval")
    for column in ("status", "author_id", "organisation_id", "service_id"):
        op.drop_index(f"ix_staff_service_draft_{column}", table_name="staff_service_draft")
    op.drop_table("staff_service_draft")
