"""Release notes in plain words: the writers credited by their workshop names, the topics
counted, and members who withdrew their consent counted, never named."""

from __future__ import annotations

import datetime as dt
import uuid

from workshop.release_models import WorkshopCandidate
from workshop.release_notes import notes_for

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def _candidate(writers: list[str], withdrawn: list[str]) -> WorkshopCandidate:
    examples = [
        {"intent": "feeling_lonely", "text": "left on read by everyone"},
        {"intent": "feeling_lonely", "text": "no one to sit with"},
        {"intent": "bullying", "text": "they keep posting about me"},
    ]
    return WorkshopCandidate(
        id=str(uuid.uuid4()), name="Winter words", training_items={"examples": examples},
        writers=writers, withdrawn_writers=withdrawn,
    )  # fmt: skip


def test_writers_are_thanked_by_name_and_topics_counted() -> None:
    notes = notes_for(_candidate(["Sky", "Rio", "Ash"], []), None, NOW)
    assert "Thank you to Sky, Rio and Ash." in notes
    assert "feeling lonely (2), bullying (1)" in notes
    assert "withdrew" not in notes


def test_members_who_withdrew_are_counted_never_named() -> None:
    one = notes_for(_candidate(["Sky"], ["Ash"]), None, NOW)
    assert "Examples by 1 member who withdrew their consent are no longer in the bot." in one
    assert "Ash" not in one
    two = notes_for(_candidate(["Sky"], ["Ash", "Rio"]), None, NOW)
    assert "Examples by 2 members who withdrew" in two and "Rio" not in two
