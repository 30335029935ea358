"""The bot preview on a service's staff page: the `services` message exactly as the chat widget
draws it, rendered on the server (no script), and the chat's own stylesheet scoped to it.

The card's data comes from the code the chat uses (`services_directory.search.service_card`, the
same `SearchResult.to_message_dict()`, wrapped by `dialogue.messages.services_message`).
`message_view` then makes the decisions `api/static/render.js` makes (which links are safe, the
website route it adds, "label: value" for routes without a link), and the `chat_preview` macro of
`staff/_preview.html` writes the same elements and classes as its `serviceCard()`. The words are
the widget's own, from `api/ui_text.yml`.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from api.ui_text import ui_text
from dialogue.messages import services_message
from dialogue.responses import domain_responses
from services_directory.search import service_card
from settings.app import ROOT

CHAT_CSS = ROOT / "api" / "static" / "chat.css"
SCOPE = ".chat-preview"
# render.js links only these (a mailto: route is shown as text, as in the chat).
WIDGET_SCHEMES = ("tel:", "sms:", "https:")
MODE_CLASS = {"call": "call", "text": "text", "webchat": "web", "website": "web"}
ROOT_SELECTORS = {":root", "html", "body"}


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _safe(href: Any) -> str | None:
    if not isinstance(href, str):
        return None
    trimmed = href.strip()
    return trimmed if trimmed.lower().startswith(WIDGET_SCHEMES) else None


def _host(url: Any) -> str | None:
    try:
        host = urlsplit(str(url)).netloc if isinstance(url, str) else ""
    except ValueError:
        return None
    host = host.rsplit("@", 1)[-1].split(":", 1)[0] if host else ""
    return re.sub(r"^www\.", "", host) or None


def _actions(routes: list[Any]) -> list[dict[str, Any]]:
    """render.js `actions()`: a link for a safe href, else a plain "label: value" item."""
    items = []
    for route in routes:
        if not isinstance(route, dict):
            continue
        label = _str(route.get("label")) or _str(route.get("value"))
        if not label:
            continue
        href = _safe(route.get("href"))
        if href:
            items.append(
                {
                    "link": True,
                    "href": href,
                    "label": label,
                    "mode_class": MODE_CLASS.get(route.get("mode") or "", "other"),
                    "new_tab": href.lower().startswith("https:"),
                    "closed": route.get("open_now") is False,
                }
            )
        else:
            value = _str(route.get("value"))
            text = f"{label}: {value}" if value and value not in label else label
            items.append({"link": False, "text": text})
    return items


def checked_text(iso: Any, words: dict[str, str]) -> str:
    """render.js `checkedText()`: "Checked March 2027" from an ISO date; "" without one."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-\d{2}", _str(iso))
    if not match:
        return ""
    months = words["months"].split(" ")
    index = int(match[2]) - 1
    if not 0 <= index < len(months):
        return ""
    return words["checked"].format(month=months[index], year=match[1])


def card_view(card: dict[str, Any], words: dict[str, str]) -> dict[str, Any]:
    """render.js `serviceCard()`'s decisions for one card, for the template."""
    routes = list(card.get("how_to_contact") or [])
    url, host = card.get("url"), _host(card.get("url"))
    if (
        _safe(url)
        and host
        and not any(isinstance(r, dict) and r.get("href") == url for r in routes)
    ):
        routes.append({"mode": "website", "label": words["website"].format(host=host), "href": url})
    facts = [fact for fact in (_str(card.get("hours")), _str(card.get("ages"))) if fact]
    return {
        "name": _str(card.get("name")),
        "sample": card.get("sample") is True,
        "summary": card.get("summary") if _str(card.get("summary")) else "",
        "open_now": card.get("open_now"),
        "facts": facts,
        "why": [w for w in (_str(x) for x in card.get("why") or []) if w],
        "actions": _actions(routes),
        "what_happens": _str(card.get("what_happens")),
        "confidentiality": card.get("confidentiality") if _str(card.get("confidentiality")) else "",
        "notice": _str(card.get("notice")),
        "who_answers": _str(card.get("who_answers")),
        "referral": words.get(f"referral_{card.get('referral')}", "")
        if card.get("referral") in ("self", "referral", "either")
        else "",
        "who_is_told": _str(card.get("who_is_told")),
        "checked": checked_text(card.get("last_checked"), words),
    }


def preview_message(
    db: Session, service_id: str, now: dt.datetime | None = None
) -> dict[str, Any] | None:
    """The `services` message the chat would send with this one service (None: no card)."""
    card = service_card(db, service_id, now)
    if card is None:
        return None
    # A fixed choice of the intro's variations, so the page does not change on each visit.
    return services_message(domain_responses(), [card.to_message_dict()], rng=random.Random(0))


def preview_view(message: dict[str, Any]) -> dict[str, Any]:
    """The message as the template draws it: its intro, its cards, and the widget's words."""
    words = {k: str(v) for k, v in ui_text()["widget"].items()}
    cards = [
        card_view(s, words)
        for s in message.get("services") or []
        if isinstance(s, dict) and _str(s.get("name"))
    ]
    return {"text": _str(message.get("text")), "cards": cards, "words": words}


# --- the chat's stylesheet, scoped -------------------------------------------------------------


def _scope_selector(selector: str, scope: str) -> str:
    selector = selector.strip()
    if selector in ROOT_SELECTORS:
        return scope
    return f"{scope} {selector}"


def _blocks(css: str) -> list[tuple[str, str]]:
    """The top-level (prelude, body) pairs of a stylesheet without comments."""
    out: list[tuple[str, str]] = []
    i = 0
    while True:
        start = css.find("{", i)
        if start < 0:
            return out
        depth, j = 1, start + 1
        while depth and j < len(css):
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            j += 1
        out.append((css[i:start].strip(), css[start + 1 : j - 1]))
        i = j


def scope_css(css: str, scope: str = SCOPE) -> str:
    """`css` with every rule limited to elements inside `scope` (`:root`, `html` and `body`
    become the scope element itself); @media and @supports are scoped inside, @keyframes kept."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    parts = []
    for prelude, body in _blocks(css):
        if prelude.startswith(("@media", "@supports")):
            parts.append(f"{prelude} {{\n{scope_css(body, scope)}}}")
        elif prelude.startswith("@"):
            parts.append(f"{prelude} {{{body}}}")
        else:
            selectors = ", ".join(_scope_selector(s, scope) for s in prelude.split(","))
            parts.append(f"{selectors} {{{body.strip()}}}")
    return "\n".join(parts) + "\n"


@cache
def scoped_chat_css() -> str:
    """`api/static/chat.css`, limited to the preview's container."""
    return scope_css(CHAT_CSS.read_text(encoding="utf-8"))
