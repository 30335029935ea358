"""Masks what could identify a young person before anything is stored or logged.

Standard library only, so the Rasa runtime (tracker store) and the API (logs) share it.
"""

from __future__ import annotations

import re

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("[email]", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("[link]", re.compile(r"\bhttps?://\S+", re.IGNORECASE)),
    # UK phone numbers: 07..., +44 7..., 020 ..., with spaces or dashes.
    ("[phone]", re.compile(r"(?<!\w)(?:\+44\s?|0)(?:\d[\s-]?){9,10}(?!\w)")),
    # Full postcodes, and districts after "in"/"near"/"at" (bare districts like "E1" are kept).
    ("[postcode]", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)),
    # House number + street name.
    (
        "[address]",
        re.compile(
            r"\b\d{1,4}[a-z]?\s+(?:[A-Za-z']+\s){0,3}"
            r"(?:road|rd|street|st|avenue|ave|lane|ln|close|way|court|ct|place|pl|grove|"
            r"gardens|gdns|terrace|crescent|drive|dr|square|sq|estate|house|tower|walk)\b",
            re.IGNORECASE,
        ),
    ),
    # Self-introductions: "my name is X", "i'm called X", "call me X", "this is X".
    (
        r"\g<intro>[name]",
        re.compile(
            r"(?P<intro>\b(?:my name(?:'s| is)|name'?s|i am called|i'?m called|call me|this is)\s+)"
            r"(?!(?:on|at|back|later|when|if|now|tomorrow|please|pls|so|a|an|the|my|so|too)\b)"
            r"[A-Za-z][A-Za-z'-]+(?:\s+[A-Z][a-z'-]+)?",
            re.IGNORECASE,
        ),
    ),
    # Social media handles.
    ("[handle]", re.compile(r"(?<!\w)@[A-Za-z0-9_.]{2,30}\b")),
]


def redact(text: str) -> str:
    """The text with emails, links, phones, postcodes, addresses, names and handles masked."""
    for replacement, pattern in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
