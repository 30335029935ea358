"""Tables of the staff's changes to services: drafts waiting for review, approvals, and every
published version of a service kept whole.

A draft holds two documents of the service's editable fields (`staff.service_document`): the
published one it started from (`base`) and the proposed one. The chat and the Open Referral API
read only the directory's own tables, which change when a draft is published. The behaviour
lives in the `staff` package; the directory never imports it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services_directory.accounts import UTCDateTime
from services_directory.models import ID, Base

PENDING = "pending"  # waiting for review
RETURNED = "returned"  # sent back to its author with a reason
PUBLISHED = "published"
WITHDRAWN = "withdrawn"  # taken back by its author, or replaced
OPEN_STATUSES = frozenset({PENDING, RETURNED})


class ServiceDraft(Base):
    """A proposed change to one service. At most one open (pending or returned) per service."""

    __tablename__ = "staff_service_draft"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    # Empty for a new service until it is approved (then the service made for it).
    service_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    # The service's organisation when the draft was made: the review queue's scope.
    organisation_id: Mapped[str] = mapped_column(ID, index=True)
    author_id: Mapped[str] = mapped_column(
        ID, ForeignKey("staff_user.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), index=True)
    base: Mapped[dict[str, Any]] = mapped_column(JSON)
    proposed: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    return_reason: Mapped[str | None] = mapped_column(Text)
    # A crisis line's phone or text number changes: two different approvers are needed.
    needs_two_approvers: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Optimistic locking: two reviewers acting at once cannot both win.
    row_version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": row_version}


class DraftApproval(Base):
    """One reviewer's approval of a draft (one each; never the draft's author)."""

    __tablename__ = "staff_draft_approval"
    __table_args__ = (UniqueConstraint("draft_id", "approver_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    draft_id: Mapped[str] = mapped_column(
        ID, ForeignKey("staff_service_draft.id", ondelete="CASCADE"), index=True
    )
    approver_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_user.id", ondelete="RESTRICT"))
    approved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ServiceVersion(Base):
    """One published version of a service's editable fields, with who, when and why."""

    __tablename__ = "staff_service_version"
    __table_args__ = (UniqueConstraint("service_id", "number"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_id: Mapped[str] = mapped_column(
        ID, ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    # Who wrote it and who approved it, as they were called then (accounts may go).
    author_label: Mapped[str] = mapped_column(Text)
    approver_labels: Mapped[list[str]] = mapped_column(JSON)
    draft_id: Mapped[str | None] = mapped_column(ID)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


DRAFT_TABLES: dict[str, type[Base]] = {
    "staff_service_draft": ServiceDraft,
    "staff_draft_approval": DraftApproval,
    "staff_service_version": ServiceVersion,
}
