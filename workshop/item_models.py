"""Tables of the workshop's writing and review (issue 18, items 2 to 4): the examples young people
write (one message, or a whole conversation), the checks each passed on the way in, the reviews,
disclosure alerts for a moderator, suggested wording for the bot's replies (content for staff,
never training data) and the frozen youth-voice test set.

A submission refused by a check (personal details, too close to a test sentence) is never stored:
only what was accepted is here. An example is never edited after it is sent, so a review is always
of the words the writer sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services_directory.accounts import UTCDateTime
from services_directory.models import ID, Base, TimestampMixin, utcnow

# An example's status. Only "approved" examples outside the youth-voice set are trained on.
PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
DISAGREEMENT = "disagreement"  # two reviewers disagreed: a moderator decides
DISCLOSURE = "disclosure"  # read as something really happening to the writer: never trained on
STATUSES = (PENDING, APPROVED, REJECTED, DISAGREEMENT, DISCLOSURE)

MESSAGE = "message"
CONVERSATION = "conversation"

APPROVE = "approve"
REJECT = "reject"


class WorkshopItem(TimestampMixin, Base):
    """One example: a single message for an intent, or a conversation (the young person's turns,
    each with what it does, and the bot's reply picked from the domain's responses)."""

    __tablename__ = "workshop_item"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    # A member's examples go with their account (withdrawal of consent is workshop.people's).
    author_id: Mapped[str] = mapped_column(
        ID, ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    intent: Mapped[str] = mapped_column(String(64), index=True)
    tier: Mapped[str] = mapped_column(String(16))
    # The message; for a conversation, its first turn (lists show it).
    text: Mapped[str] = mapped_column(Text)
    # For a conversation: [{"user": ..., "intent": ..., "bot": "utter_..."}, ...]; else [].
    turns: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    reviews_count: Mapped[int] = mapped_column(Integer, default=0)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Two reviews at the same moment: the second to commit fails (StaleDataError), not both.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class WorkshopItemCheck(Base):
    """The result of one check an example passed on the way in (shown to the writer at once)."""

    __tablename__ = "workshop_item_check"
    __table_args__ = (UniqueConstraint("item_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(
        ID, ForeignKey("workshop_item.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(32))  # near_duplicate | disclosure | reading
    outcome: Mapped[str] = mapped_column(String(24))
    # Plain facts for the page (never a held-out test sentence: those refuse, and are not kept).
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class WorkshopReview(Base):
    """One person's decision on an example: approve or reject, with an optional reason."""

    __tablename__ = "workshop_review"
    __table_args__ = (UniqueConstraint("item_id", "reviewer_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    item_id: Mapped[str] = mapped_column(
        ID, ForeignKey("workshop_item.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("staff_user.id", ondelete="SET NULL"), index=True
    )
    decision: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text, default="")
    # Made with the moderator's permission (it then decides a crisis item or a disagreement).
    as_moderator: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WorkshopWordingSuggestion(Base):
    """Better words for one of the bot's replies, suggested by a member: content for staff to
    consider, never training data."""

    __tablename__ = "workshop_wording_suggestion"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    author_id: Mapped[str] = mapped_column(
        ID, ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    response: Mapped[str] = mapped_column(String(100))  # the domain's response name
    suggestion: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    read_by_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("staff_user.id", ondelete="SET NULL")
    )


class WorkshopAlert(Base):
    """Something a member wrote that reads as really happening to them now: a moderator follows
    it up. Points at the example or the wording suggestion it was found in."""

    __tablename__ = "workshop_alert"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    author_id: Mapped[str] = mapped_column(
        ID, ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("workshop_item.id", ondelete="CASCADE"), index=True
    )
    suggestion_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("workshop_wording_suggestion.id", ondelete="CASCADE"), index=True
    )
    # What the safety screen saw (an intent name such as self_harm), never the text again.
    risk: Mapped[str | None] = mapped_column(String(32))
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    handled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    handled_by_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(Text, default="")


class YouthVoiceItem(Base):
    """A frozen copy of an approved example, taken at approval time into the youth-voice test
    set: measured against every candidate, never trained on."""

    __tablename__ = "workshop_youth_voice_item"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    item_id: Mapped[str] = mapped_column(
        ID, ForeignKey("workshop_item.id", ondelete="CASCADE"), unique=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    intent: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    turns: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    frozen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


ITEM_TABLES = {
    model.__tablename__: model
    for model in (
        WorkshopItem,
        WorkshopItemCheck,
        WorkshopReview,
        WorkshopWordingSuggestion,
        WorkshopAlert,
        YouthVoiceItem,
    )
}
