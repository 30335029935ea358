"""How actions reach the services directory: one lazily created session factory per process."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from services_directory.crisis import contacts_by_slug, crisis_contacts
from services_directory.db import make_engine, make_session_factory
from services_directory.localities import Locality, load_localities
from services_directory.search import SearchResult
from settings.app import get_settings

logger = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]


@cache
def default_session_factory() -> SessionFactory:
    """The directory's session factory from the settings, created on first use."""
    return make_session_factory(make_engine(get_settings().database_url))


class DirectoryAccess:
    """Gives an action the services directory; tests pass their own session factory.

    A mixin rather than an Action subclass: rasa-sdk registers every Action subclass it finds.
    """

    def __init__(
        self,
        session_factory: SessionFactory | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock

    def now(self) -> dt.datetime | None:
        """The time for "open now" (None: the real time); tests pass their own clock."""
        return self._clock() if self._clock else None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read-only session on the directory, closed afterwards."""
        factory = self._session_factory or default_session_factory()
        session = factory()
        try:
            yield session
        finally:
            session.close()

    def localities(self) -> dict[str, Locality]:
        """The borough's localities as the directory has them now (cached, checked every few
        seconds), or the localities file if the directory can't be read."""
        if self._session_factory is None:
            return load_localities()  # the configured database's, without creating it
        try:
            with self.session() as session:
                return load_localities(session=session)
        except Exception:
            logger.exception("directory unreadable: using the localities file")
            return load_localities()

    def crisis_contacts(self) -> list[dict[str, Any]]:
        """The crisis contacts from the directory, or the built-in copy if it can't be read."""
        try:
            with self.session() as session:
                contacts = crisis_contacts(session)
        except Exception:
            logger.exception("directory unreadable: using the built-in crisis contacts")
            contacts = crisis_contacts(None)
        return [c.to_dict() for c in contacts]

    def contacts_by_slug(self, slugs: list[str]) -> list[dict[str, Any]]:
        """The directory's services with these slugs, as contacts (the built-in crisis lines
        among them if it can't be read)."""
        try:
            with self.session() as session:
                contacts = contacts_by_slug(session, slugs)
        except Exception:
            logger.exception("directory unreadable: using the built-in crisis contacts")
            contacts = contacts_by_slug(None, slugs)
        return [c.to_dict() for c in contacts]


def contact_from_result(result: SearchResult) -> dict[str, Any]:
    """A search result in the shape of a crisis contact (name, what happens, one-tap routes)."""
    card = result.to_message_dict()
    phone = next((r["value"] for r in card["how_to_contact"] if r["mode"] == "call"), None)
    return {
        "name": card["name"],
        "phone": phone,
        "description": card["summary"],
        "what_happens": card["what_happens"],
        "who_for": card["ages"],
        "routes": card["how_to_contact"],
    }
