"""Staff sign-in through the council's identity provider: each account keeps the provider's
issuer and subject (`iss`, `sub`) bound at its first OIDC sign-in, one account per identity.

Columns added and a unique index made in place (no table copy on SQLite, whose foreign keys to
`staff_user` would otherwise see it dropped and made again).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 08:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_staff_user_oidc_identity"


def upgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("oidc_issuer", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch_op.create_index(INDEX, ["oidc_issuer", "oidc_subject"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.drop_column("oidc_subject")
        batch_op.drop_column("oidc_issuer")
