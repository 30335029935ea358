"""Examples written in the workshop: sending one (checked at once), who may see which, and what
the candidate job reads (`approved_training_items`, `youth_voice_set`).

Only what passed the checks is kept. An example read as a real disclosure is kept for the
moderator with the status "disclosure" and is never trained on, nor shown to peers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from staff import audit
from staff.errors import RecordNotFound
from staff.policy import Permission, actor_of, can
from workshop.alerts import raise_alert
from workshop.checks import BotAddress, CheckReport, Turn, check
from workshop.item_models import (
    APPROVED,
    CONVERSATION,
    DISCLOSURE,
    MESSAGE,
    WorkshopAlert,
    WorkshopItem,
    WorkshopItemCheck,
    YouthVoiceItem,
)
from workshop.prompts import Prompt

RECORD = "workshop_item"


@dataclass(frozen=True)
class Submitted:
    """What became of a submission: the example kept (None when refused), the checks' report,
    and the alert raised when it read as a real disclosure."""

    item: WorkshopItem | None
    report: CheckReport
    alert: WorkshopAlert | None = None


@dataclass(frozen=True)
class TrainingItem:
    """An approved example for the candidate job: a message, or a conversation's turns."""

    id: str
    author_id: str
    intent: str
    text: str
    turns: list[dict[str, Any]]


@dataclass(frozen=True)
class VoiceItem:
    """An example of the frozen youth-voice test set."""

    id: str
    item_id: str
    intent: str
    text: str
    turns: list[dict[str, Any]]
    frozen_at: dt.datetime


def _check_rows(item_id: str, report: CheckReport) -> list[WorkshopItemCheck]:
    rows = [
        WorkshopItemCheck(
            item_id=item_id,
            name="near_duplicate",
            outcome="flagged" if report.near_duplicates else "none",
            detail={
                "examples": [
                    {"turn": d.turn, "example": d.example, "intent": d.intent, "score": d.score}
                    for d in report.near_duplicates
                ]
            },
        )
    ]
    if report.disclosure:
        rows.append(
            WorkshopItemCheck(
                item_id=item_id,
                name="disclosure",
                outcome="alerted",
                detail={"risk": report.disclosure_risk},
            )
        )
    else:
        turns = [
            {"turn": i, "outcome": r.outcome, "read_as": r.intent, "confidence": r.confidence}
            for i, r in sorted(report.readings.items())
        ]
        rows.append(
            WorkshopItemCheck(
                item_id=item_id, name="reading", outcome=report.reading, detail={"turns": turns}
            )
        )
    return rows


def submit(
    db: Session,
    author: StaffUser,
    prompt: Prompt,
    turns: list[Turn],
    now: dt.datetime,
    *,
    bot: BotAddress | None,
    bot_replies: list[str | None] | None = None,
) -> Submitted:
    """Check and (unless refused) keep one example for `prompt`: a single message, or with
    `bot_replies` (one per turn, a response name or None) a whole conversation."""
    report = check(turns, for_risk_prompt=prompt.expects_risk, bot=bot)
    kind = MESSAGE if bot_replies is None else CONVERSATION
    if report.refused:
        why = "personal details" if report.personal else "too close to a test sentence"
        audit.record(db, author, "workshop.example_refused", now, detail=f"{prompt.intent}: {why}")
        return Submitted(None, report)
    replies = bot_replies or []
    item = WorkshopItem(
        id=str(uuid.uuid4()),
        author_id=author.id,
        kind=kind,
        intent=prompt.intent,
        tier=prompt.tier,
        text=turns[0].text.strip(),
        turns=[
            {
                "user": t.text.strip(),
                "intent": t.intent,
                "bot": replies[i] if i < len(replies) else None,
            }
            for i, t in enumerate(turns)
        ]
        if kind == CONVERSATION
        else [],
        status=DISCLOSURE if report.disclosure else "pending",
        reviews_count=0,
    )
    db.add(item)
    db.flush()
    db.add_all(_check_rows(item.id, report))
    detail = f"{prompt.intent}, {kind}, {item.status}"
    audit.record(
        db,
        author,
        "workshop.example_sent",
        now,
        record_type=RECORD,
        record_id=item.id,
        detail=detail,
    )
    alert = None
    if report.disclosure:
        alert = raise_alert(db, author, now, report.disclosure_risk, item_id=item.id)
    return Submitted(item, report, alert)


def may_moderate(user: StaffUser) -> bool:
    """Whether this person reviews crisis items and handles alerts (moderators, safety leads,
    council admins)."""
    return can(actor_of(user), Permission.WORKSHOP_MODERATE)


def visible_item(db: Session, user: StaffUser, item_id: str) -> WorkshopItem:
    """The example, if this person may see it: its writer, a moderator, or a peer reviewer for
    an everyday example that is not a disclosure; else `RecordNotFound` (404, never 403)."""
    item = db.get(WorkshopItem, item_id)
    if item is None:
        raise RecordNotFound("no such example")
    if item.author_id == user.id or may_moderate(user):
        return item
    peer = can(actor_of(user), Permission.WORKSHOP_PEER_REVIEW)
    if peer and item.tier == "need" and item.status != DISCLOSURE:
        return item
    raise RecordNotFound("no such example")


def checks_of(db: Session, item: WorkshopItem) -> dict[str, WorkshopItemCheck]:
    """The checks an example passed on the way in, by name."""
    rows = db.scalars(select(WorkshopItemCheck).where(WorkshopItemCheck.item_id == item.id))
    return {row.name: row for row in rows}


def items_of(db: Session, author: StaffUser) -> list[WorkshopItem]:
    """A member's own examples, newest first."""
    query = select(WorkshopItem).where(WorkshopItem.author_id == author.id)
    return list(db.scalars(query.order_by(WorkshopItem.created_at.desc(), WorkshopItem.id)))


def approved_training_items(
    session: Session, exclude_members: Collection[str] = frozenset()
) -> list[TrainingItem]:
    """The approved examples a candidate may be trained on: never one in the youth-voice set,
    never a disclosure, never one by a member in `exclude_members` (consent withdrawn)."""
    frozen = select(YouthVoiceItem.item_id)
    query = select(WorkshopItem).where(
        WorkshopItem.status == APPROVED, WorkshopItem.id.not_in(frozen)
    )
    if exclude_members:
        query = query.where(WorkshopItem.author_id.not_in(list(exclude_members)))
    items = session.scalars(query.order_by(WorkshopItem.decided_at, WorkshopItem.id))
    return [TrainingItem(i.id, i.author_id, i.intent, i.text, list(i.turns or [])) for i in items]


def youth_voice_set(
    session: Session, exclude_members: Collection[str] = frozenset()
) -> list[VoiceItem]:
    """The frozen youth-voice test set, oldest first (never trained on); without the examples
    of members in `exclude_members` when given."""
    query = select(YouthVoiceItem, WorkshopItem.author_id).join(
        WorkshopItem, WorkshopItem.id == YouthVoiceItem.item_id
    )
    if exclude_members:
        query = query.where(WorkshopItem.author_id.not_in(list(exclude_members)))
    rows = session.execute(query.order_by(YouthVoiceItem.frozen_at, YouthVoiceItem.id))
    return [
        VoiceItem(v.id, v.item_id, v.intent, v.text, list(v.turns or []), v.frozen_at)
        for v, _ in rows
    ]
