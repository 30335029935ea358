"""What a search returns: the service cards' data and the ways to get in touch."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

# The directory's ways of getting in touch (its own vocabulary, not the chat's).
CONTACT_MODES = (
    "call",
    "text",
    "webchat",
    "email",
    "drop_in",
    "in_person_appointment",
    "online_appointment",
    "website",
)
# Ways that need no travel: phone, text, chat, online.
REMOTE_MODES = frozenset({"call", "text", "webchat", "email", "online_appointment", "website"})
SAFE_SCHEMES = ("tel:", "sms:", "https:", "mailto:")
# The ages a service record or a search can name (records and searches outside are refused).
YOUNGEST_AGE, OLDEST_AGE = 0, 120


def safe_href(href: str | None) -> str | None:
    """The link if its scheme is one a card may show (tel:, sms:, https:, mailto:), else None."""
    if not href:
        return None
    return href if href.lower().startswith(SAFE_SCHEMES) else None


@dataclass(frozen=True)
class ContactRoute:
    """One way to get in touch with a service."""

    mode: str
    label: str
    href: str | None
    value: str
    open_now: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "label": self.label,
            "href": self.href,
            "value": self.value,
            "open_now": self.open_now,
        }


@dataclass(frozen=True)
class SearchResult:
    """A service that fits the search, with why it fits."""

    id: str
    slug: str
    name: str
    summary: str
    what_happens: str
    confidentiality: str
    how_to_contact: list[ContactRoute]
    open_now: bool | None
    hours: str
    ages: str
    url: str | None
    reasons: list[str]
    crisis: bool
    sample: bool
    score: float
    # When the record was last confirmed (the card's "Checked March 2027"); None: never.
    last_checked: dt.date | None = None
    # What happens, structured: who answers, "self" | "referral" | "either", who is told.
    who_answers: str = ""
    referral: str | None = None
    who_is_told: str = ""
    # A notice while it lasts ("Closed until 3 March"); "" when there is none.
    notice: str = ""

    def to_message_dict(self) -> dict[str, Any]:
        """The shape of a service inside the chat API's `services` message."""
        return {
            "id": self.id,
            "slug": self.slug,
            "name": self.name,
            "summary": self.summary,
            "why": list(self.reasons),
            "how_to_contact": [r.to_dict() for r in self.how_to_contact],
            "open_now": self.open_now,
            "hours": self.hours,
            "ages": self.ages,
            "what_happens": self.what_happens,
            "confidentiality": self.confidentiality,
            "url": self.url,
            "sample": self.sample,
            "last_checked": self.last_checked.isoformat() if self.last_checked else None,
            "who_answers": self.who_answers,
            "referral": self.referral,
            "who_is_told": self.who_is_told,
            "notice": self.notice,
        }
