"""Cleaning what is safe to clean in an imported feed, and saying so record by record.

- Stray and non-breaking whitespace: trimmed and collapsed (kept line breaks stay); in e-mail
  addresses, web addresses and codes every space goes, since none can hold one.
- HTML: turned into plain text. The maintained sanitiser nh3 (Ammonia) drops every tag but the
  few that give the text its shape and removes scripts and styles with their content; paragraphs
  then become blank lines and list items lines of their own. Entities are decoded.

Every change is reported by record and field ("description: HTML turned into plain text").
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import nh3

from services_directory.io.records import RecordSet

NBSP = "\u00a0\u2007\u202f"  # no-break space, figure space, narrow no-break space
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
SPACE_FREE_FIELDS = frozenset(
    {"email", "url", "website", "uri", "logo", "term_uri", "schedule_link", "assurer_email"}
)
# Fields never rewritten: ids and references, codes and times (checked as they are).
UNTOUCHED_FIELDS = frozenset({"id", "code", "opens_at", "closes_at", "byday"})
TAG_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>|<!--")
ENTITY_RE = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
SHAPE_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr"}
BREAK_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
BLOCK_END_RE = re.compile(r"</(p|div|h[1-6]|ul|ol)>|<(p|div|h[1-6]|ul|ol)>", re.IGNORECASE)
ITEM_RE = re.compile(r"<li>", re.IGNORECASE)
ROW_RE = re.compile(r"<tr>", re.IGNORECASE)
END_ITEM_RE = re.compile(r"</(li|tr)>", re.IGNORECASE)
SPACES_RE = re.compile(r"[ \t\f\v]+")
BLANK_LINES_RE = re.compile(r"\n{3,}")
# Anything cleaning might change; most values of a feed have none of it and are passed by at once.
MAYBE_DIRTY_RE = re.compile(
    r"[<&\u00a0\u2007\u202f\u200b\u200c\u200d\u2060\ufeff\t\r\f\v]|  |^\s|\s$|\n\n\n| \n|\n "
)


@dataclass(frozen=True)
class Cleaning:
    """One change made to one field of one record."""

    table: str
    record_id: str
    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where} ({self.table} {self.record_id}).{self.field}: {self.message}"


def html_to_text(value: str) -> str:
    """Plain text from HTML: paragraphs as blank lines, list items as lines, entities decoded."""
    shaped = nh3.clean(value, tags=SHAPE_TAGS, attributes={}, strip_comments=True, link_rel=None)
    shaped = BREAK_RE.sub("\n", shaped)
    shaped = END_ITEM_RE.sub("", shaped)
    shaped = ITEM_RE.sub("\n- ", shaped)
    shaped = ROW_RE.sub("\n", shaped)
    shaped = BLOCK_END_RE.sub("\n\n", shaped)
    text = html.unescape(shaped)
    return tidy_spaces("".join(" " if c in NBSP else c for c in text))


def tidy_spaces(value: str) -> str:
    """Spaces collapsed and trimmed line by line, at most one blank line in a row."""
    lines = [SPACES_RE.sub(" ", line).strip() for line in value.replace("\r\n", "\n").split("\n")]
    text = "\n".join(lines)
    return BLANK_LINES_RE.sub("\n\n", text).strip()


def clean_value(name: str, value: str) -> tuple[str, list[str]]:
    """The cleaned value of field `name` and what was done to it (nothing: the same value)."""
    if not MAYBE_DIRTY_RE.search(value) and (name not in SPACE_FREE_FIELDS or " " not in value):
        return value, []
    notes: list[str] = []
    text = value
    if any(c in text for c in ZERO_WIDTH):
        text = "".join(c for c in text if c not in ZERO_WIDTH)
        notes.append("invisible characters removed")
    if name in SPACE_FREE_FIELDS:
        if any(c in text for c in NBSP):
            notes.append("non-breaking space removed")
            text = "".join(c for c in text if c not in NBSP)
        squeezed = "".join(text.split())
        if squeezed != text:
            notes.append("spaces removed")
        return squeezed, notes
    if TAG_RE.search(text):
        text = html_to_text(text)
        notes.append("HTML turned into plain text")
    elif ENTITY_RE.search(text):
        decoded = html.unescape(text)
        if decoded != text:
            text = decoded
            notes.append("HTML entities decoded")
    if any(c in text for c in NBSP):
        text = "".join(" " if c in NBSP else c for c in text)
        if "HTML turned into plain text" not in notes:
            notes.append("non-breaking space turned into a space")
    tidied = tidy_spaces(text)
    if tidied != text and not notes:
        notes.append("stray spaces trimmed")
    return tidied, notes


def clean_records(records: RecordSet) -> list[Cleaning]:
    """Clean every text value of `records` in place; returns what was cleaned."""
    done: list[Cleaning] = []
    for table, by_id in records.records.items():
        for record_id, record in by_id.items():
            for name, value in record.values.items():
                if not isinstance(value, str) or name in UNTOUCHED_FIELDS or name.endswith("_id"):
                    continue
                cleaned, notes = clean_value(name, value)
                if cleaned == value:
                    continue
                record.values[name] = cleaned if cleaned else None
                for note in notes or ["tidied"]:
                    done.append(Cleaning(table, record_id, record.where, name, note))
    return done
