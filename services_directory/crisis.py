"""Crisis contacts: the crisis-flagged directory entries in crisis order, or the built-in copy
(data/crisis_contacts.yml) when there is no database to read."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
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
    min_age: float | None = None
    max_age: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "phone": self.phone,
            "description": self.description,
            "what_happens": self.what_happens,
            "who_for": self.who_for,
            "routes": [r.to_dict() for r in self.routes],
            "min_age": self.min_age,
            "max_age": self.max_age,
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
                min_age=entry.get("minimum_age"),
                max_age=entry.get("maximum_age"),
            )
        )
    return out


def _contact(entry: Any, moment: dt.datetime) -> CrisisContact:
    service_open = entry.open_now(moment)
    routes = tuple(r.route(service_open, moment) for r in entry.routes)
    phone = next((r.value for r in routes if r.mode == "call"), None)
    return CrisisContact(
        name=entry.name,
        phone=phone,
        description=entry.summary,
        what_happens=entry.what_happens,
        who_for=entry.who_for,
        routes=routes,
        slug=entry.slug,
        url=entry.url,
        min_age=entry.min_age,
        max_age=entry.max_age,
    )


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
    return [_contact(entry, moment) for entry in entries]


def contacts_by_slug(
    session: Session | None, slugs: Sequence[str], now: dt.datetime | None = None
) -> list[CrisisContact]:
    """The directory's services with these slugs, in this order, as contacts for a card;
    slugs it does not hold are skipped. Without a readable directory, the built-in crisis
    contacts among them."""
    if session is not None:
        try:
            index = get_index(session)
        except SQLAlchemyError:
            log.warning("directory unreadable; using the built-in crisis contacts", exc_info=True)
        else:
            by_slug = {e.slug: e for e in index.entries}
            moment = schedules.london_now(now)
            return [_contact(by_slug[s], moment) for s in slugs if s in by_slug]
    builtin = {c.slug: c for c in builtin_crisis_contacts()}
    return [builtin[s] for s in slugs if s in builtin]
