"""The words of the chat page and its scripts (api/ui_text.yml), and the crisis strip at the top
of the page, whose numbers and links come from the directory's crisis contacts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

UI_TEXT = Path(__file__).with_name("ui_text.yml")
STRIP_SCHEMES = ("tel:", "sms:")


@cache
def ui_text() -> dict[str, Any]:
    """The contents of api/ui_text.yml."""
    return dict(yaml.safe_load(UI_TEXT.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class StripItem:
    """One way to get help at the top of the page: words around one tap-to-call or text link."""

    before: str
    number: str
    href: str
    after: str

    @property
    def shown(self) -> str:
        """The number as the link shows it, never broken across lines."""
        return self.number.replace(" ", "\u00a0")


def crisis_strip(contacts: list[dict[str, Any]]) -> list[StripItem]:
    """The strip's items that the crisis contacts can fill, in the order of the UI text. An item
    whose contact or route is missing (or whose link is not tel: or sms:) is left out."""
    by_slug = {c.get("slug"): c for c in contacts}
    items = []
    for wanted in ui_text()["page"]["strip"]["items"]:
        contact = by_slug.get(wanted["contact"])
        route = next(
            (r for r in (contact or {}).get("routes") or [] if r.get("mode") == wanted["mode"]),
            None,
        )
        if contact is None or route is None:
            continue
        item = _item(wanted["words"], contact, route)
        if item is not None:
            items.append(item)
    return items


def _item(words: str, contact: dict[str, Any], route: dict[str, Any]) -> StripItem | None:
    number, href = str(route.get("value") or ""), str(route.get("href") or "")
    if not number or not href.startswith(STRIP_SCHEMES):
        return None
    text = words.format(label=route.get("label") or number, name=contact["name"], number=number)
    before, found, after = text.partition(number)
    if not found:
        # The label does not show the number: put it after the words.
        before, after = f"{text} ", ""
    return StripItem(before, number, href, after)
