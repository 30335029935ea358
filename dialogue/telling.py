"""What happens when you tell: which honest answer a question about telling someone needs.

"will they tell my mum", "if i tell school will they take me away", "what happens if i tell
childline about my uncle": each gets plain words about confidentiality and its limits, what
safeguarding means in practice and what usually happens next (the domain's `utter_telling_*`).
"""

from __future__ import annotations

import re

# The first topic whose words the question has, in this order.
TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "taken_away",
        re.compile(
            r"\b(?:take me away|taken away|put (?:me )?in(?:to)? care|foster|"
            r"social services|social worker|split (?:us|my family) up|"
            r"lose my (?:family|mum|dad)|removed)\b"
        ),
    ),
    (
        "police",
        re.compile(
            r"\b(?:police|arrest\w*|get (?:him|her|them) in trouble|"
            r"go to (?:jail|prison)|criminal record)\b"
        ),
    ),
    (
        "school",
        re.compile(
            r"\b(?:school|teacher|head of year|form tutor|safeguarding lead|dsl|"
            r"college|school nurse|counsellor at school)\b"
        ),
    ),
    (
        "childline",
        re.compile(
            r"\b(?:childline|helpline|counsellor|shout|samaritans|"
            r"call (?:them|someone)|ring (?:them|someone))\b"
        ),
    ),
    ("family", re.compile(r"\b(?:mum|mom|dad|parents?|family|carer|nan|guardian)\b")),
)


def telling_topic(text: str) -> str | None:
    """The topic of a question about telling someone, or None for a general one."""
    lowered = text.lower()
    for topic, pattern in TOPICS:
        if pattern.search(lowered):
            return topic
    return None
