"""Rasa's SQL tracker store, made private by default: message text is never stored in plain form.

What a young person typed is replaced before it reaches the database (`MESSAGE_TEXT_STORAGE=none`,
the default) or stored with names, phone numbers, emails, addresses and postcodes masked
(`MESSAGE_TEXT_STORAGE=redacted`). Conversations older than `CONVERSATION_RETENTION_HOURS` are
deleted. The dialogue only needs intents, entities and slots, which are kept.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from safety_screen.privacy import redact
from settings.env import message_text_storage, retention_hours

logger = logging.getLogger(__name__)

NOT_STORED = "[message not stored]"
PURGE_EVERY_SECONDS = 600
IDENTIFYING_ENTITIES = {"postcode"}


def private_event_dict(data: dict[str, Any], mode: str) -> dict[str, Any]:
    """A user event's dict with its text removed or redacted, and identifying entities masked."""
    if data.get("event") != "user":
        return data
    data = copy.deepcopy(data)
    text = data.get("text") or ""
    stored = redact(text) if mode == "redacted" else NOT_STORED
    data["text"] = stored
    parse = data.get("parse_data") or {}
    if "text" in parse:
        parse["text"] = stored
    for entity in parse.get("entities") or []:
        if entity.get("entity") in IDENTIFYING_ENTITIES:
            # Keep only the postcode district ("E1 6AN" -> "E1"): enough to signpost locally.
            entity["value"] = str(entity.get("value", "")).strip().upper().split(" ")[0][:4]
    return data


class _PrivateEvent:
    """Wraps an event so the tracker store serialises its private form."""

    def __init__(self, event: Any, mode: str) -> None:
        self._event = event
        self._mode = mode
        self.type_name = event.type_name

    def as_dict(self) -> dict[str, Any]:
        return private_event_dict(self._event.as_dict(), self._mode)


class RedactingSQLTrackerStore(SQLTrackerStore):
    """An SQL tracker store that keeps no message text by default and forgets old conversations."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.text_mode = message_text_storage()
        self.retention_seconds = retention_hours() * 3600
        self._last_purge = 0.0

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        for event in super()._additional_events(session, tracker):
            yield _PrivateEvent(event, self.text_mode)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        now = time.time()
        if now - self._last_purge >= PURGE_EVERY_SECONDS:
            self._last_purge = now
            self.purge_older_than(now - self.retention_seconds)

    def purge_older_than(self, cutoff: float) -> int:
        """Delete every stored event older than `cutoff` (a UNIX time); returns how many."""
        with self.session_scope() as session:
            deleted = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.timestamp < cutoff)
                .delete(synchronize_session=False)
            )
            session.commit()
        if deleted:
            logger.info("retention: deleted %d old conversation events", deleted)
        return deleted
