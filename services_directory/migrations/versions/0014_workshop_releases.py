"""The youth council workshop: candidate models, their gates, and releases.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _moment(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user(name: str, table: str) -> list:
    return [
        sa.Column(name, sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            [name],
            ["staff_user.id"],
            name=op.f(f"fk_{table}_{name}_staff_user"),
            ondelete="SET NULL",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "workshop_candidate",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=200), nullable=False),
        sa.Column("log_tail", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("training_items", sa.JSON(), nullable=False),
        sa.Column("writers", sa.JSON(), nullable=False),
        sa.Column("withdrawn_writers", sa.JSON(), nullable=False),
        sa.Column("config_path", sa.String(length=500), nullable=False),
        sa.Column("model_path", sa.String(length=500), nullable=True),
        sa.Column("train_seconds", sa.Float(), nullable=True),
        sa.Column("gate_report", sa.JSON(), nullable=True),
        sa.Column("gate_complete", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        _moment("heartbeat_at"),
        *_user("created_by_id", "workshop_candidate"),
        _moment("created_at", nullable=False),
        _moment("started_at"),
        _moment("finished_at"),
        *_user("signed_off_by_id", "workshop_candidate"),
        _moment("signed_off_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_candidate")),
    )
    op.create_index(
        op.f("ix_workshop_candidate_status"), "workshop_candidate", ["status"], unique=False
    )
    op.create_table(
        "workshop_release",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("candidate_id", sa.String(length=36), nullable=True),
        sa.Column("restores_id", sa.String(length=36), nullable=True),
        sa.Column("model_path", sa.String(length=500), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("smoke_report", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        *_user("requested_by_id", "workshop_release"),
        _moment("requested_at", nullable=False),
        _moment("live_at"),
        _moment("ended_at"),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["workshop_candidate.id"],
            name=op.f("fk_workshop_release_candidate_id_workshop_candidate"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_release")),
    )
    op.create_index(
        op.f("ix_workshop_release_status"), "workshop_release", ["status"], unique=False
    )
    op.create_index(
        op.f("ix_workshop_release_candidate_id"),
        "workshop_release",
        ["candidate_id"],
        unique=False,
    )
    locks = op.create_table(
        "workshop_job_lock",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=True),
        _moment("heartbeat_at"),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_workshop_job_lock")),
    )
    # The two locks exist from the start: taking one is then a conditional UPDATE, never a race
    # between two INSERTs.
    op.bulk_insert(locks, [{"name": "candidate"}, {"name": "release"}])


def downgrade() -> None:
    op.drop_table("workshop_job_lock")
    op.drop_index(op.f("ix_workshop_release_candidate_id"), table_name="workshop_release")
    op.drop_index(op.f("ix_workshop_release_status"), table_name="workshop_release")
    op.drop_table("workshop_release")
    op.drop_index(op.f("ix_workshop_candidate_status"), table_name="workshop_candidate")
    op.drop_table("workshop_candidate")
