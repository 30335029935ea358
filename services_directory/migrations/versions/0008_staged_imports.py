"""Staged imports: feeds, batches and where each service came from.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 13:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=36)


def _stamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def upgrade() -> None:
    op.create_table(
        "x_import_feed",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("auto_publish", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_x_import_feed")),
        sa.UniqueConstraint("name", name=op.f("uq_x_import_feed_name")),
    )
    op.create_table(
        "x_import_batch",
        sa.Column("id", ID, nullable=False),
        sa.Column("feed_id", ID, nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.Column("format", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("staged_by", sa.Text(), nullable=False),
        sa.Column("staged_at", sa.DateTime(timezone=True), nullable=False),
        _stamp("finished_at"),
        sa.Column("published_by", sa.Text(), nullable=True),
        _stamp("published_at"),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["x_import_feed.id"],
            name=op.f("fk_x_import_batch_feed_id_x_import_feed"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_x_import_batch")),
    )
    with op.batch_alter_table("x_import_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_x_import_batch_feed_id"), ["feed_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_x_import_batch_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_x_import_batch_staged_at"), ["staged_at"], unique=False
        )
    op.create_table(
        "x_feed_service",
        sa.Column("service_id", ID, nullable=False),
        sa.Column("feed_id", ID, nullable=False),
        sa.Column("last_batch_id", ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["x_import_feed.id"],
            name=op.f("fk_x_feed_service_feed_id_x_import_feed"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["last_batch_id"],
            ["x_import_batch.id"],
            name=op.f("fk_x_feed_service_last_batch_id_x_import_batch"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_x_feed_service_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_x_feed_service")),
    )
    with op.batch_alter_table("x_feed_service", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_x_feed_service_feed_id"), ["feed_id"], unique=False)


def downgrade() -> None:
    op.drop_table("x_feed_service")
    op.drop_table("x_import_batch")
    op.drop_table("x_import_feed")
