"""Whether something a member wrote reads as a real disclosure: not an example written for a
prompt, but something happening to them now.

Writing for the crisis prompts means writing in the first person about risk ("i cut again last
night", "please help im in danger"), so risk content alone cannot be the sign. A submission reads
as real when the safety screen finds risk in it, it is in the first person and about the writer
(not "my mate said she wants to die"), and either:

- it says it is real ("this is actually happening to me", "not an example", "i swear"); or
- written for an everyday prompt, it asks the reader for help ("please help", "i haven't told
  anyone") or brings crisis content about now ("tonight", "right now") the situation did not ask
  for.

When in doubt the cost is small (the writer is shown where to get help, a moderator has a look,
the example is never trained on); a real disclosure missed costs far more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from safety_screen import CRISIS, NONE, screen
from safety_screen.subject import about_someone_else

_FIRST_PERSON = re.compile(
    r"\b(?:i|im|i'm|i’m|ive|i've|i’ve|id|i'd|ill|i'll|me|my|myself|mine)\b", re.IGNORECASE
)
_SAYS_REAL = re.compile(
    r"\b(?:this is|it'?s|its)\s+(?:actually\s+|really\s+)?(?:real|true|happening)\b"
    r"|\b(?:actually|really|genuinely|literally)\s+happening\b"
    r"|\bhappening\s+to\s+me\b"
    r"|\bnot\s+(?:an?\s+)?(?:example|made\s+up|making\s+(?:this|it)\s+up|joking|lying|kidding)\b"
    r"|\bfor\s+real\b|\bno\s+joke\b|\bi\s+swear\b",
    re.IGNORECASE,
)
_ASKS_HELP = re.compile(
    r"\b(?:please|pls|plz|someone|somebody|can\s+(?:someone|anyone|u|you))\s+help\b"
    r"|\bhelp\s+me\b|\bi\s+need\s+help\b|\bwhat\s+do\s+i\s+do\b"
    r"|\b(?:haven'?t|have\s+not|never)\s+told\s+(?:anyone|any1|nobody)\b"
    r"|\bwho(?:ever)?\s+(?:reads|is\s+reading)\s+this\b|\bis\s+anyone\s+(?:there|reading)\b",
    re.IGNORECASE,
)
_NOW = re.compile(
    r"\b(?:now|right now|rn|tonight|today|atm|at the moment|currently|this minute)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reading:
    """What the disclosure check found: whether it reads as real, and the screen's risk."""

    disclosure: bool
    risk: str | None  # the screen's intent (suicidal_thoughts, abuse_disclosure, ...)
    level: str


def read_as_disclosure(text: str, *, for_risk_prompt: bool) -> Reading:
    """Whether `text`, written for a prompt of a risk tier or not, reads as a real disclosure."""
    result = screen(text)
    if result.level == NONE or not _FIRST_PERSON.search(text) or about_someone_else(text):
        return Reading(False, result.intent, result.level)
    if _SAYS_REAL.search(text):
        return Reading(True, result.intent, result.level)
    unasked = not for_risk_prompt and (
        bool(_ASKS_HELP.search(text)) or (result.level == CRISIS and bool(_NOW.search(text)))
    )
    return Reading(unasked, result.intent, result.level)
