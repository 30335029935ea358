"""Reviewing examples: who may review which, the queue, deciding, disagreements and the frozen
youth-voice set.

- Everyday (need-tier) examples: peer reviewers (or moderators). `reviews_needed` reviews that
  agree decide it; one approve and one reject make a disagreement, which a moderator settles.
- Crisis and safeguarding examples: a staff moderator, whose review decides.
- Nobody reviews their own example, or the same example twice; a disclosure is never reviewed.
- At approval, a random share of examples is copied into the youth-voice test set, so that it
  is frozen before any candidate is trained (and never trained on).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from staff import audit
from staff.errors import InvalidChange
from staff.policy import Permission, actor_of, can
from workshop.item_models import (
    APPROVE,
    APPROVED,
    DISAGREEMENT,
    PENDING,
    REJECT,
    REJECTED,
    WorkshopItem,
    WorkshopReview,
    YouthVoiceItem,
)
from workshop.items import RECORD, may_moderate

REASON_MAX = 1000
_system_random = random.SystemRandom()


@dataclass(frozen=True)
class ReviewRules:
    """How many agreeing reviews decide an everyday example, and the share frozen for the
    youth-voice set (settings: WORKSHOP_REVIEWS_NEEDED, WORKSHOP_YOUTH_VOICE_SHARE)."""

    reviews_needed: int = 2
    youth_voice_share: float = 0.2


def reviews_of(db: Session, item: WorkshopItem) -> list[WorkshopReview]:
    """The example's reviews, oldest first."""
    query = select(WorkshopReview).where(WorkshopReview.item_id == item.id)
    return list(db.scalars(query.order_by(WorkshopReview.created_at, WorkshopReview.id)))


def why_not(db: Session, user: StaffUser, item: WorkshopItem) -> str | None:
    """Why this person may not review this example now, in plain words; None when they may."""
    if item.author_id == user.id:
        return "You can't review your own example: someone else will."
    if item.status not in (PENDING, DISAGREEMENT):
        return "This example has already been decided."
    if any(r.reviewer_id == user.id for r in reviews_of(db, item)):
        return "You have already reviewed this example."
    if item.tier != "need" and not may_moderate(user):
        return "Examples about crisis or safeguarding are reviewed by a staff moderator."
    if item.status == DISAGREEMENT and not may_moderate(user):
        return "Reviewers disagreed about this example, so a staff moderator will decide."
    if not (may_moderate(user) or can(actor_of(user), Permission.WORKSHOP_PEER_REVIEW)):
        return "Your account can't review examples."
    return None


def _decision(latest: WorkshopReview, reviews: list[WorkshopReview], needed: int) -> str | None:
    """The example's new status after the `latest` review, or None while it waits for more."""
    if latest.as_moderator:
        return APPROVED if latest.decision == APPROVE else REJECTED
    decisions = {r.decision for r in reviews}
    if len(decisions) > 1:
        return DISAGREEMENT
    if len(reviews) >= needed:
        return APPROVED if latest.decision == APPROVE else REJECTED
    return None


def review(
    db: Session,
    user: StaffUser,
    item: WorkshopItem,
    decision: str,
    now: dt.datetime,
    *,
    rules: ReviewRules,
    reason: str = "",
    rng: random.Random | None = None,
) -> WorkshopReview:
    """Record `user`'s decision (approve or reject); decide the example when this settles it.
    `InvalidChange` when they may not review it."""
    if decision not in (APPROVE, REJECT):
        raise InvalidChange("decision", "Choose approve or reject")
    problem = why_not(db, user, item)
    if problem:
        raise InvalidChange("decision", problem)
    entry = WorkshopReview(
        id=str(uuid.uuid4()),
        item_id=item.id,
        reviewer_id=user.id,
        decision=decision,
        reason=reason.strip()[:REASON_MAX],
        as_moderator=may_moderate(user),
        created_at=now,
    )
    db.add(entry)
    db.flush()
    item.reviews_count += 1  # every review bumps the version: a simultaneous one fails
    status = _decision(entry, reviews_of(db, item), rules.reviews_needed)
    if status is not None:
        item.status = status
        if status in (APPROVED, REJECTED):
            item.decided_at = now
        if status == APPROVED and (rng or _system_random).random() < rules.youth_voice_share:
            _freeze(db, item, now)
    db.flush()
    detail = f"{decision}; the example is now {item.status}"
    audit.record(
        db,
        user,
        "workshop.example_reviewed",
        now,
        record_type=RECORD,
        record_id=item.id,
        detail=detail,
    )
    return entry


def _freeze(db: Session, item: WorkshopItem, now: dt.datetime) -> None:
    db.add(
        YouthVoiceItem(
            id=str(uuid.uuid4()),
            item_id=item.id,
            kind=item.kind,
            intent=item.intent,
            text=item.text,
            turns=list(item.turns or []),
            frozen_at=now,
        )
    )


def in_youth_voice_set(db: Session, item: WorkshopItem) -> bool:
    """Whether the example was frozen into the youth-voice test set."""
    found = db.scalar(select(YouthVoiceItem.id).where(YouthVoiceItem.item_id == item.id))
    return found is not None


def queue(db: Session, user: StaffUser) -> list[WorkshopItem]:
    """The examples this person may review now, oldest first (never their own)."""
    statuses = [PENDING, DISAGREEMENT] if may_moderate(user) else [PENDING]
    query = select(WorkshopItem).where(
        WorkshopItem.status.in_(statuses), WorkshopItem.author_id != user.id
    )
    if not may_moderate(user):
        query = query.where(WorkshopItem.tier == "need")
    mine = select(WorkshopReview.item_id).where(WorkshopReview.reviewer_id == user.id)
    query = query.where(WorkshopItem.id.not_in(mine))
    return list(db.scalars(query.order_by(WorkshopItem.created_at, WorkshopItem.id)))


def disagreements(db: Session, user: StaffUser) -> list[tuple[WorkshopItem, list[WorkshopReview]]]:
    """Examples on which reviewers disagreed, with their reviews: everyday ones for peers, all
    for moderators (a settled disagreement stays in the list, showing how it was settled)."""
    disputed = (
        select(WorkshopReview.item_id)
        .group_by(WorkshopReview.item_id)
        .having(func.count(WorkshopReview.decision.distinct()) > 1)
    )
    query = select(WorkshopItem).where(WorkshopItem.id.in_(disputed))
    if not may_moderate(user):
        query = query.where(WorkshopItem.tier == "need")
    items = db.scalars(query.order_by(WorkshopItem.created_at.desc(), WorkshopItem.id))
    return [(item, reviews_of(db, item)) for item in items]
