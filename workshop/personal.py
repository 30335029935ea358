"""Personal details in what a member wrote: names, schools, places, ages, phone numbers and the
like. Any of them blocks the submission, with a hint of what to change; nothing is stored.

The chat's own redaction (safety_screen.privacy) finds e-mail addresses, links, phone numbers,
postcodes, street addresses, self-introductions and social media handles; this adds ages, names
of schools, where someone lives and names after "my friend", "my brother" and the like."""

from __future__ import annotations

import re
from dataclasses import dataclass

from safety_screen.privacy import redact

# The redaction's masks, and what to tell the writer about each.
MASKS = {
    "[email]": ("email", "Take out the email address."),
    "[link]": ("link", "Take out the link."),
    "[phone]": ("phone", "Take out the phone number."),
    "[postcode]": ("postcode", "Take out the postcode."),
    "[address]": ("address", "Take out the street address."),
    "[name]": ("name", "Take out the name, or use a made-up one like 'my mate'."),
    "[handle]": ("handle", "Take out the username."),
}
_AGE = re.compile(
    r"\b(?:i'?m|i am|im|aged?|turning|turned|just turned)\s+\d{1,2}\b"
    r"|\b\d{1,2}\s*(?:yrs?|years?)\s*old\b|\b\d{1,2}\s*y/?o\b",
    re.IGNORECASE,
)
# A school or college's name: capitalised words before the kind of school ("Riverside Academy",
# "St Mary's School"), or as typed in lower case, an academy, a "st ..." or "... high/primary"
# ("harris academy", "st marys", "bow high"). A lower-case "... school" or "... college" is too
# often ordinary words ("another school", "started college") to tell.
# Everyday words that come before "school" or "college" without being its name.
_COMMON = (
    r"(?!(?i:an?|the|my|our|his|her|their|your|this|that|at|in|to|from|for|of|with|after|"
    r"before|new|old|secondary|primary|high|sixth|boarding|private|state|grammar|catholic|faith|"
    r"local|same|whole|different|another|every|no|free|big|good|bad|summer|night|driving|dance|"
    r"drama|music|art|i|hate|love|miss|skip|skipping|bunk|bunking|leave|left|go|goes|going|went|"
    r"gone|start|started|starting|change|changed|outside|done|finished|finish|back|off|like)\b)"
)
_SCHOOL = re.compile(
    rf"\b{_COMMON}(?:St\.?\s+)?[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){{0,3}}\s+"
    r"(?i:academy|school|college|high|primary|grammar|sixth form)\b"
    r"|\b(?i:st\.?\s+[a-z'’-]+s?)\s+(?i:school|college|academy|primary|high)\b"
    rf"|\b{_COMMON}[a-z][a-z'’-]+\s+(?:academy|high school|primary school|grammar school)\b"
)
# Where someone lives: "i live on 12 ...", "i live in Bow" (a number or a capitalised name).
_LIVES = re.compile(r"\b(?i:i\s+(?:live|stay)\s+(?:at|on|in))\s+(?:no\.?\s*)?(?:\d|[A-Z])")
# A capitalised name after "my mate", "my brother", "my teacher" ... ("my mate Jay").
_RELATIVE_NAME = re.compile(
    r"\b(?i:my|our)\s+(?i:friend|mate|bestie|best friend|brother|bro|sister|sis|cousin|teacher|"
    r"mum|mom|dad|boyfriend|girlfriend|bf|gf|partner|neighbour|uncle|aunt|auntie)\s+"
    r"(?!I\b)[A-Z][a-z]{1,}"
)
_NAMED = re.compile(r"\b(?i:called|named)\s+(?!I\b)[A-Z][a-z]+")
# The redaction also masks "call me ..." and "this is ..." (in a chat, safer to over-mask); in
# an example those are everyday words ("they call me ugly"), so only a name given counts here.
_OWN_NAME = re.compile(
    r"\b(?i:my name(?:'s| is)|i am called|i'?m called)\s+(?!(?i:not|so|a|the)\b)[A-Za-z]"
)
_EXTRA = (
    ("age", _AGE, "Take out the age. You can say 'at my age', or leave it out."),
    ("school", _SCHOOL, "Take out the name of the school or college: 'my school' is fine."),
    ("place", _LIVES, "Take out where you live: 'my road' or 'my area' is fine."),
    ("name", _RELATIVE_NAME, "Take out the name, or use a made-up one like 'my mate'."),
    ("name", _NAMED, "Take out the name, or use a made-up one like 'my mate'."),
)


@dataclass(frozen=True)
class PersonalDetail:
    """One kind of personal detail found, and what to change."""

    kind: str
    hint: str


def personal_details(text: str) -> list[PersonalDetail]:
    """The kinds of personal detail in `text` (each once), in a fixed order; [] when none."""
    found: dict[str, PersonalDetail] = {}
    masked = redact(text)
    for mask, (kind, hint) in MASKS.items():
        if mask in masked and mask not in text:
            if mask == "[name]" and not _OWN_NAME.search(text):
                continue
            found.setdefault(kind, PersonalDetail(kind, hint))
    for kind, pattern, hint in _EXTRA:
        if pattern.search(text):
            found.setdefault(kind, PersonalDetail(kind, hint))
    return list(found.values())
