"""A draft may propose a new service: its `service_id` is empty until it is approved.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 11:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_service_draft", schema=None) as batch_op:
        batch_op.alter_column("service_id", existing_type=sa.String(length=36), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM staff_service_draft WHERE service_id IS NULL")
    with op.batch_alter_table("staff_service_draft", schema=None) as batch_op:
        batch_op.alter_column("service_id", existing_type=sa.String(length=36), nullable=False)
