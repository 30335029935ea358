"""Young people's feedback on service cards, and aggregate insight counters.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 13:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services_directory.accounts import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "x_service_feedback",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.String(length=36), nullable=True),
        sa.Column("resolved_by", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_x_service_feedback_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["staff_user.id"],
            name=op.f("fk_x_service_feedback_resolved_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_x_service_feedback")),
    )
    with op.batch_alter_table("x_service_feedback") as batch:
        batch.create_index(batch.f("ix_x_service_feedback_service_id"), ["service_id"])
        batch.create_index(batch.f("ix_x_service_feedback_status"), ["status"])
    op.create_table(
        "x_insight_counter",
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("need", sa.String(length=64), nullable=False),
        sa.Column("age_band", sa.String(length=8), nullable=False),
        sa.Column("locality", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "metric",
            "week_start",
            "need",
            "age_band",
            "locality",
            "service_id",
            name=op.f("pk_x_insight_counter"),
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_x_insight_counter_breakdown",
        "x_insight_counter",
        ["metric", "need", "age_band", "locality", "service_id", "week_start", "count"],
    )


def downgrade() -> None:
    op.drop_index("ix_x_insight_counter_breakdown", table_name="x_insight_counter")
    op.drop_table("x_insight_counter")
    with op.batch_alter_table("x_service_feedback") as batch:
        batch.drop_index(batch.f("ix_x_service_feedback_status"))
        batch.drop_index(batch.f("ix_x_service_feedback_service_id"))
    op.drop_table("x_service_feedback")
