"""Crisis contacts: the crisis-flagged directory entries in crisis order, or the built-in copy
(data/crisis_contacts.yml) when there is no database to read."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from services_directory import schedules
from services_directory.search import ContactRoute, get_index, safe_href

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrisisContact:
    """A service to show in the crisis response."""

    name: str
    phone: str | None
    description: str
    what_happens: str
    who_for: str
    routes: tuple[ContactRoute, ...]
    slug: str = ""
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "phone": self.phone,
            "description": self.description,
            "what_happens": self.what_happens,
            "who_for": self.who_for,
            "routes": [r.to_dict() for r in self.routes],
        }


@cache
def _builtin_data() -> list[dict[str, Any]]:
    text = (
        resources.files("services_directory")
        .joinpath("data/crisis_contacts.yml")
        .read_text("utf-8")
    )
    data = yaml.safe_load(text) or {}
    contacts = data.get("contacts") if isinstance(data, dict) else data
    return sorted(contacts or [], key=lambda c: c.get("crisis_order") or 999)


def builtin_crisis_contacts() -> list[CrisisContact]:
    """The built-in copy of the crisis contacts (no database needed)."""
    out = []
    for entry in _builtin_data():
        routes = tuple(
            ContactRoute(
                mode=str(r.get("mode", "")),
                label=str(r.get("label", "")),
                href=safe_href(r.get("href")),
                value=str(r.get("value", "")),
                open_now=True if r.get("hours", "always") == "always" else None,
            )
            for r in entry.get("routes") or []
        )
        out.append(
            CrisisContact(
                name=str(entry["name"]),
                phone=entry.get("phone"),
                description=str(entry.get("description") or ""),
                what_happens=str(entry.get("what_happens") or ""),
                who_for=str(entry.get("who_for") or ""),
                routes=routes,
                slug=str(entry.get("slug") or ""),
                url=entry.get("url"),
            )
        )
    return out


def crisis_contacts(
    session: Session | None = None, now: dt.datetime | None = None
) -> list[CrisisContact]:
    """The crisis entries of the directory in crisis order; the built-in copy when `session` is
    None, the database cannot be read, or it holds no crisis entries."""
    if session is None:
        return builtin_crisis_contacts()
    try:
        index = get_index(session)
    except SQLAlchemyError:
        log.warning("directory unreadable; using the built-in crisis contacts", exc_info=True)
        return builtin_crisis_contacts()
    entries = sorted(
        (e for e in index.entries if e.crisis),
        key=lambda e: (e.crisis_order if e.crisis_order is not None else 999, e.name),
    )
    if not entries:
        return builtin_crisis_contacts()
    moment = schedules.london_now(now)
    out = []
    for entry in entries:
        service_open = entry.open_now(moment)
        routes = tuple(r.route(service_open, moment) for r in entry.routes)
        phone = next((r.value for r in routes if r.mode == "call"), None)
        out.append(
            CrisisContact(
                name=entry.name,
                phone=phone,
                description=entry.summary,
                what_happens=entry.what_happens,
                who_for=entry.who_for,
                routes=routes,
                slug=entry.slug,
                url=entry.url,
            )
        )
    return out
