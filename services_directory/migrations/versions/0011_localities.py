"""The council's own localities, defined by admins.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 13:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)
        for name in ("created_at", "updated_at")
    ]


def upgrade() -> None:
    op.create_table(
        "x_locality",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_x_locality")),
    )
    op.create_table(
        "x_locality_district",
        sa.Column("district", sa.String(length=8), nullable=False),
        sa.Column("locality_id", sa.String(length=64), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["locality_id"],
            ["x_locality.id"],
            name=op.f("fk_x_locality_district_locality_id_x_locality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("district", name=op.f("pk_x_locality_district")),
    )
    op.create_index(
        op.f("ix_x_locality_district_locality_id"),
        "x_locality_district",
        ["locality_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_x_locality_district_locality_id"), table_name="x_locality_district")
    op.drop_table("x_locality_district")
    op.drop_table("x_locality")
