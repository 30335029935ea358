"""Better wording for one of the bot's replies, suggested by a member: content for staff to read
and consider (the words of the replies live in bot/domain/, changed by staff), never training
data. The same personal-details check as examples; a suggestion that reads as a real disclosure
alerts a moderator too."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from staff import audit
from staff.errors import RecordNotFound
from workshop.alerts import raise_alert
from workshop.corpus import bot_responses
from workshop.disclosure import read_as_disclosure
from workshop.item_models import WorkshopAlert, WorkshopWordingSuggestion
from workshop.personal import PersonalDetail, personal_details

SUGGESTION_MAX = 2000
RECORD = "workshop_wording_suggestion"


@dataclass(frozen=True)
class Suggested:
    """What became of a suggestion: kept (or blocked by personal details), and any alert."""

    suggestion: WorkshopWordingSuggestion | None
    personal: list[PersonalDetail]
    alert: WorkshopAlert | None = None


def suggest(
    db: Session, author: StaffUser, response: str, words: str, now: dt.datetime
) -> Suggested:
    """Keep a suggestion for the reply `response` (a name from the domain), unless it has
    personal details in it."""
    if response not in bot_responses():
        raise RecordNotFound("no such reply")
    words = words.strip()[:SUGGESTION_MAX]
    disclosure = read_as_disclosure(words, for_risk_prompt=False)
    details = personal_details(words)
    if details and not disclosure.disclosure:
        return Suggested(None, details)
    suggestion = WorkshopWordingSuggestion(
        id=str(uuid.uuid4()),
        author_id=author.id,
        response=response,
        suggestion=words,
        created_at=now,
    )
    db.add(suggestion)
    db.flush()
    audit.record(
        db,
        author,
        "workshop.wording_suggested",
        now,
        record_type=RECORD,
        record_id=suggestion.id,
        detail=response,
    )
    alert = None
    if disclosure.disclosure:
        alert = raise_alert(db, author, now, disclosure.risk, suggestion_id=suggestion.id)
    return Suggested(suggestion, [], alert)


def suggestions(db: Session) -> list[tuple[WorkshopWordingSuggestion, str]]:
    """Every suggestion, unread first then newest first, with its writer's pseudonym."""
    query = select(WorkshopWordingSuggestion, StaffUser.display_name).join(
        StaffUser, StaffUser.id == WorkshopWordingSuggestion.author_id
    )
    rows = db.execute(
        query.order_by(
            WorkshopWordingSuggestion.read_at.is_not(None),
            WorkshopWordingSuggestion.created_at.desc(),
            WorkshopWordingSuggestion.id,
        )
    )
    return [(s, name) for s, name in rows]


def mark_read(
    db: Session, reader: StaffUser, suggestion_id: str, now: dt.datetime
) -> WorkshopWordingSuggestion:
    """Mark a suggestion read (staff have taken it into account, or decided not to)."""
    suggestion = db.get(WorkshopWordingSuggestion, suggestion_id)
    if suggestion is None:
        raise RecordNotFound("no such suggestion")
    if suggestion.read_at is None:
        suggestion.read_at, suggestion.read_by_id = now, reader.id
        db.flush()
        audit.record(
            db,
            reader,
            "workshop.wording_read",
            now,
            record_type=RECORD,
            record_id=suggestion.id,
        )
    return suggestion
