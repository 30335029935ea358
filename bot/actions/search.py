"""The directory search a conversation asks for, from what the dialogue knows."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dialogue.ages import as_age
from dialogue.contact_modes import directory_modes
from dialogue.state import SKIPPED, Conversation
from services_directory.localities import outward_code
from services_directory.search import SearchResult, search


def search_arguments(convo: Conversation) -> dict[str, Any]:
    """The directory search that the conversation so far asks for, in plain search arguments."""
    arguments: dict[str, Any] = {
        "need": convo.need,
        "text": convo.search_text,
        "age": as_age(convo.age),
        "language": convo.language,
        "contact_modes": directory_modes(convo.contact_mode),
    }
    place = str(convo.locality or "")
    if place == "online":
        arguments["remote_only"] = True
    elif place == "elsewhere":
        arguments["national_only"] = True
    elif place and place != SKIPPED and outward_code(place):
        arguments["postcode"] = place
    elif place and place != SKIPPED:
        arguments["locality"] = place
    return arguments


def find_services(
    session: Session, arguments: dict[str, Any], offset: int, limit: int
) -> list[SearchResult]:
    """Search, easing the preferences one at a time when nothing fits them all."""
    relaxations: list[dict[str, Any]] = [
        {},
        {"contact_modes": None},
        {"contact_modes": None, "language": None},
    ]
    for relaxed in relaxations:
        results = search(session, **{**arguments, **relaxed}, limit=limit, offset=offset)
        if results:
            return results
    return []
