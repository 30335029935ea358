"""Workshop names: the pseudonym a young person signs in with and is credited by. Never an
e-mail address, a phone number, a handle or what looks like a real full name: the privacy
redaction of the chat (safety_screen.privacy) decides the personal details, and two or more
capitalised words in a row ("Jane Smith") read as a full name."""

from __future__ import annotations

import re

from safety_screen.privacy import redact

MIN_LENGTH = 3
MAX_LENGTH = 30
# Letters of any alphabet, digits, and single spaces, hyphens, dots or underscores between them.
_SHAPE = re.compile(r"^[^\W_]+(?:[ ._-][^\W_]+)*$")
# "Jane Smith", "Mary Ann Jones": the way a real first and last name is written.
_FULL_NAME = re.compile(r"\b[A-Z][a-z'’]+(?:[ -][A-Z][a-z'’]+)+\b")
_LONG_NUMBER = re.compile(r"\d{5,}")

WRITE_A_NAME = "Enter a workshop name"
TOO_SHORT = f"Your workshop name must be {MIN_LENGTH} characters or more"
TOO_LONG = f"Your workshop name must be {MAX_LENGTH} characters or fewer"
WRONG_SHAPE = (
    "Use letters and numbers only. You can join words with a space, a hyphen, a dot or an "
    "underscore"
)
PERSONAL = (
    "That looks like it could say who you are (an email address, a phone number, a social "
    "media handle or your name). Make up a name instead"
)
FULL_NAME = (
    "That looks like it could be someone's real first and last name. Make up a name, like "
    "BlueFox or quiet-river"
)


def normalise_name(name: str) -> str:
    """Workshop names are stored and compared in lower case, without surrounding spaces (in
    `staff_user.email`, where staff keep their addresses: a name never holds an "@")."""
    return " ".join(name.split()).lower()


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a workshop name, in plain words; None if it can."""
    name = " ".join(name.split())
    if not name:
        return WRITE_A_NAME
    if len(name) < MIN_LENGTH:
        return TOO_SHORT
    if len(name) > MAX_LENGTH:
        return TOO_LONG
    if "@" in name or redact(name) != name or _LONG_NUMBER.search(name):
        return PERSONAL
    if not _SHAPE.match(name):
        return WRONG_SHAPE
    if _FULL_NAME.search(name):
        return FULL_NAME
    return None
