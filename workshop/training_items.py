"""What a candidate is trained on: the approved items of members whose consent stands, as NLU
examples, with the pseudonyms to credit and those whose items left after a withdrawal.

A whole conversation gives one NLU example per young person's turn (its words and what it
does). The bot's replies a writer picked are not trained on as dialogue: every intent reaches one
custom action by the rules (docs/architecture.md), and a story naming a response there would
contradict them; they remain content for staff.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser


@dataclass(frozen=True)
class Example:
    """One training sentence and what it means."""

    intent: str
    text: str


@dataclass(frozen=True)
class TrainingItems:
    """The examples of a candidate and who wrote them."""

    item_ids: list[str] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    writers: list[str] = field(default_factory=list)
    withdrawn_writers: list[str] = field(default_factory=list)

    def snapshot(self) -> dict[str, Any]:
        """The examples as the candidate row keeps them."""
        return {"examples": [{"intent": e.intent, "text": e.text} for e in self.examples]}


def examples_of(item: Any) -> list[Example]:
    """The NLU examples of one approved item: its message, or each of its conversation's turns."""
    turns = getattr(item, "turns", None) or []
    if turns:
        return [
            Example(str(t["intent"]), " ".join(str(t["user"]).split()))
            for t in turns
            if t.get("user") and t.get("intent")
        ]
    return [Example(str(item.intent), " ".join(str(item.text).split()))]


def examples_from_snapshot(snapshot: dict[str, Any]) -> list[Example]:
    """The examples a candidate row keeps."""
    return [Example(e["intent"], e["text"]) for e in snapshot.get("examples", [])]


def _pseudonyms(db: Session, member_ids: Iterable[str]) -> list[str]:
    ids = sorted(set(member_ids))
    if not ids:
        return []
    names = db.scalars(select(StaffUser.display_name).where(StaffUser.id.in_(ids)))
    return sorted({name for name in names if name}, key=str.lower)


def approved_for_training(db: Session) -> TrainingItems:
    """The approved items outside the youth-voice set, without those of members who withdrew
    their consent (`workshop.items`, `workshop.people`)."""
    from workshop.items import approved_training_items
    from workshop.people import withdrawn_member_ids

    withdrawn = withdrawn_member_ids(db)
    items = list(approved_training_items(db, exclude_members=withdrawn))
    everyone = list(approved_training_items(db, exclude_members=set()))
    kept = {item.id for item in items}
    left = [item.author_id for item in everyone if item.id not in kept]
    return TrainingItems(
        item_ids=[item.id for item in items],
        examples=[example for item in items for example in examples_of(item)],
        writers=_pseudonyms(db, (item.author_id for item in items)),
        withdrawn_writers=_pseudonyms(db, left),
    )


def youth_voice_examples(db: Session) -> list[Example]:
    """The frozen youth-voice test set, as examples (`workshop.items.youth_voice_set`)."""
    from workshop.items import youth_voice_set

    return [example for item in youth_voice_set(db) for example in examples_of(item)]
