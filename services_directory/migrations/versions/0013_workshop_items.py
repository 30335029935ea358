"""The youth council workshop: examples written, their checks and reviews, the youth-voice set.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=36)


def _moment(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _refers(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _index(table: str, column: str, unique: bool = False) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=unique)


def upgrade() -> None:
    op.create_table(
        "workshop_item",
        sa.Column("id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("turns", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reviews_count", sa.Integer(), nullable=False),
        _moment("decided_at"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        _refers("workshop_item", "author_id", "staff_user", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_item")),
    )
    for column in ("author_id", "intent", "status"):
        _index("workshop_item", column)

    op.create_table(
        "workshop_item_check",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", ID, nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        _refers("workshop_item_check", "item_id", "workshop_item", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_item_check")),
        sa.UniqueConstraint("item_id", "name", name=op.f("uq_workshop_item_check_item_id")),
    )
    _index("workshop_item_check", "item_id")

    op.create_table(
        "workshop_review",
        sa.Column("id", ID, nullable=False),
        sa.Column("item_id", ID, nullable=False),
        sa.Column("reviewer_id", ID, nullable=True),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("as_moderator", sa.Boolean(), nullable=False),
        _moment("created_at", nullable=False),
        _refers("workshop_review", "item_id", "workshop_item", "CASCADE"),
        _refers("workshop_review", "reviewer_id", "staff_user", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_review")),
        sa.UniqueConstraint("item_id", "reviewer_id", name=op.f("uq_workshop_review_item_id")),
    )
    _index("workshop_review", "item_id")
    _index("workshop_review", "reviewer_id")

    op.create_table(
        "workshop_wording_suggestion",
        sa.Column("id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=False),
        sa.Column("response", sa.String(length=100), nullable=False),
        sa.Column("suggestion", sa.Text(), nullable=False),
        _moment("created_at", nullable=False),
        _moment("read_at"),
        sa.Column("read_by_id", ID, nullable=True),
        _refers("workshop_wording_suggestion", "author_id", "staff_user", "CASCADE"),
        _refers("workshop_wording_suggestion", "read_by_id", "staff_user", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_wording_suggestion")),
    )
    _index("workshop_wording_suggestion", "author_id")

    op.create_table(
        "workshop_alert",
        sa.Column("id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=False),
        sa.Column("item_id", ID, nullable=True),
        sa.Column("suggestion_id", ID, nullable=True),
        sa.Column("risk", sa.String(length=32), nullable=True),
        _moment("raised_at", nullable=False),
        _moment("handled_at"),
        sa.Column("handled_by_id", ID, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        _refers("workshop_alert", "author_id", "staff_user", "CASCADE"),
        _refers("workshop_alert", "item_id", "workshop_item", "CASCADE"),
        _refers("workshop_alert", "suggestion_id", "workshop_wording_suggestion", "CASCADE"),
        _refers("workshop_alert", "handled_by_id", "staff_user", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_alert")),
    )
    for column in ("author_id", "item_id", "suggestion_id", "raised_at"):
        _index("workshop_alert", column)

    op.create_table(
        "workshop_youth_voice_item",
        sa.Column("id", ID, nullable=False),
        sa.Column("item_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("turns", sa.JSON(), nullable=False),
        _moment("frozen_at", nullable=False),
        _refers("workshop_youth_voice_item", "item_id", "workshop_item", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_youth_voice_item")),
        sa.UniqueConstraint("item_id", name=op.f("uq_workshop_youth_voice_item_item_id")),
    )


def downgrade() -> None:
    op.drop_table("workshop_youth_voice_item")
    for column in ("raised_at", "suggestion_id", "item_id", "author_id"):
        op.drop_index(op.f(f"ix_workshop_alert_{column}"), table_name="workshop_alert")
    op.drop_table("workshop_alert")
    op.drop_index(
        op.f("ix_workshop_wording_suggestion_author_id"), table_name="workshop_wording_suggestion"
    )
    op.drop_table("workshop_wording_suggestion")
    op.drop_index(op.f("ix_workshop_review_reviewer_id"), table_name="workshop_review")
    op.drop_index(op.f("ix_workshop_review_item_id"), table_name="workshop_review")
    op.drop_table("workshop_review")
    op.drop_index(op.f("ix_workshop_item_check_item_id"), table_name="workshop_item_check")
    op.drop_table("workshop_item_check")
    for column in ("status", "intent", "author_id"):
        op.drop_index(op.f(f"ix_workshop_item_{column}"), table_name="workshop_item")
    op.drop_table("workshop_item")
