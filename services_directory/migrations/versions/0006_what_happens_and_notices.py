"""What happens when a young person gets in touch, as structured fields (who answers, whether a
referral is needed, who is told and when), and a notice on a service that ends on its own date
("Closed until 3 March"), on `x_service_profile`.

Columns added in place (no table copy on SQLite).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 10:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("who_answers", sa.Text()),
    ("referral", sa.String(length=16)),
    ("who_is_told", sa.Text()),
    ("notice", sa.Text()),
    ("notice_until", sa.Date()),
)


def upgrade() -> None:
    with op.batch_alter_table("x_service_profile", schema=None) as batch_op:
        for name, kind in COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
        batch_op.add_column(
            sa.Column("notice_closed", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("x_service_profile", schema=None) as batch_op:
        batch_op.drop_column("notice_closed")
        for name, _kind in reversed(COLUMNS):
            batch_op.drop_column(name)
