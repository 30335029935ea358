"""Freshness of services: each service's review interval and whether it is withheld from the chat
(`x_service_review`; the ORUK `assured_date` and `assurer_email` are already on `service`).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 11:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services_directory.accounts import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "x_service_review",
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("review_interval_months", sa.Integer(), nullable=True),
        sa.Column("withheld_from_bot", sa.Boolean(), nullable=False),
        sa.Column("withheld_reason", sa.Text(), nullable=True),
        sa.Column("withheld_by_id", sa.String(length=36), nullable=True),
        sa.Column("withheld_by", sa.Text(), nullable=True),
        sa.Column("withheld_at", UTCDateTime(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_x_service_review_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["withheld_by_id"],
            ["staff_user.id"],
            name=op.f("fk_x_service_review_withheld_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_x_service_review")),
    )


def downgrade() -> None:
    op.drop_table("x_service_review")
