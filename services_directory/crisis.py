"""Crisis contacts: the crisis-flagged directory entries in crisis order, or the same entries read
straight from the curated data (data/national_services.yml) when there is no database to read."""

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

from services_directory import schedules, wording
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
            "slug": self.slug,
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
    """The crisis entries of the curated national services, in crisis order."""
    text = (
        resources.files("services_directory")
        .joinpath("data/national_services.yml")
        .read_text("utf-8")
    )
    entries = yaml.safe_load(text) or []
    crisis = [e for e in entries if isinstance(e, dict) and e.get("crisis")]
    return sorted(crisis, key=lambda e: e.get("crisis_order") or 999)


def _builtin_route(mode: dict[str, Any], always_open: bool) -> ContactRoute:
    value = str(mode.get("value", ""))
    hours = mode.get("hours")
    return ContactRoute(
        mode=str(mode.get("mode", "")),
        label=str(mode.get("label") or wording.default_label(str(mode.get("mode")), value)),
        href=safe_href(mode.get("href")),
        value=value,
        # Without the database's clock-aware hours, only a 24/7 route is known to be open.
        open_now=True if hours == "always" or (hours is None and always_open) else None,
    )


def builtin_crisis_contacts() -> list[CrisisContact]:
    """The crisis entries of the curated data (data/national_services.yml) read straight from
    the file: the copy used when there is no database to read, from the same source."""
    out = []
    for entry in _builtin_data():
        always_open = entry.get("open_24_7") is True
        routes = tuple(_builtin_route(m, always_open) for m in entry.get("contact_modes") or [])
        out.append(
            CrisisContact(
                name=str(entry["name"]),
                phone=next((r.value for r in routes if r.mode == "call"), None),
                description=str(entry.get("summary") or ""),
                what_happens=" ".join(str(entry.get("what_happens") or "").split()),
                who_for=str(entry.get("eligibility_description") or ""),
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
