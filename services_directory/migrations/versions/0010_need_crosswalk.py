"""A crosswalk from a feed's taxonomy terms to the bot's needs.

`x_need_crosswalk` (feed term -> needs), `x_need_tag_origin` (need tags the directory added, and
how) and `x_suggestion_decision` (suggestions staff confirmed or rejected).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 13:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services_directory.accounts import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _service_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["service_id"],
        ["service.id"],
        name=op.f(f"fk_{table}_service_id_service"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "x_need_crosswalk",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("vocabulary", sa.String(length=255), nullable=False),
        sa.Column("term_code", sa.String(length=255), nullable=False),
        sa.Column("term_name", sa.Text(), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_x_need_crosswalk")),
        sa.UniqueConstraint("vocabulary", "term_code", name=op.f("uq_x_need_crosswalk_vocabulary")),
    )
    op.create_table(
        "x_need_tag_origin",
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("need_code", sa.String(length=255), nullable=False),
        sa.Column("attribute_id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        _service_key("x_need_tag_origin"),
        sa.PrimaryKeyConstraint("service_id", "need_code", name=op.f("pk_x_need_tag_origin")),
    )
    with op.batch_alter_table("x_need_tag_origin") as batch:
        batch.create_index(
            batch.f("ix_x_need_tag_origin_attribute_id"), ["attribute_id"], unique=False
        )
    op.create_table(
        "x_suggestion_decision",
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        _service_key("x_suggestion_decision"),
        sa.PrimaryKeyConstraint(
            "service_id", "kind", "value", name=op.f("pk_x_suggestion_decision")
        ),
    )


def downgrade() -> None:
    op.drop_table("x_suggestion_decision")
    with op.batch_alter_table("x_need_tag_origin") as batch:
        batch.drop_index(batch.f("ix_x_need_tag_origin_attribute_id"))
    op.drop_table("x_need_tag_origin")
    op.drop_table("x_need_crosswalk")
