"""Whose risk a message is about: the young person's own, or someone else's ("my friend", "she").

Uses the lexicon's own third-party and first-person patterns on the normalised text, so it reads
the same spellings as the screen. A first person that only frames the worry ("i think", "im
worried", "she told me") does not make the message about the young person.
"""

from __future__ import annotations

import re

from safety_screen.screen import load_lexicon, normalise

SELF, OTHER, OTHER_FRAMED = "self", "other", "other_framed"
_MY = re.compile(r"\b(?:my|our)\s+(?:(?:best|little|big|older|younger|step|close|bf|gf)\s+)?(\w+)")
_MY_OWN = re.compile(r"\b(?:my|mine|our)\b")

# First-person words that frame a worry about someone else rather than describe the young
# person's own risk: "i think my friend", "im scared my brother", "she showed me".
_FRAMING = re.compile(
    r"\b(?:i (?:think|thought|reckon|guess|know|dont know|do not know|feel like|feel|am worried|"
    r"am scared|am scared that|worry|worried|heard|saw|found|just found|noticed|want to help|"
    r"need to help|dont know how to help|promised|said|told|tried)|im (?:worried|scared|"
    r"frightened|afraid|not sure|so scared|really worried|freaking out|panicking)|ive (?:noticed|"
    r"seen|heard|tried)|(?:told|showed|asked|messaged|texted|sent|made|begged|warned) me|"
    r"(?:to|with|at|from) me|me not to|i should|should i|can i|what do i|how do i|"
    r"what can i|what should i|do i)\b"
)


def about_someone_else(text: str) -> bool:
    """True when the message is about another person at risk, not the young person."""
    return whose_risk(text) in {OTHER, OTHER_FRAMED}


def whose_risk(text: str) -> str:
    """ "other" (only someone else is named: "my brother took pills"), "other_framed" (someone
    else, with the young person only in the framing: "i think my friend..."), or "self"."""
    lx = load_lexicon()
    norm = normalise(text)
    if not lx.third_party.search(norm):
        return SELF
    # "my brother" names someone else; "my nudes", "my arm" are the young person's own.
    own = _MY.sub(lambda m: " " if lx.third_party.fullmatch(m.group(1)) else m.group(0), norm)
    if not lx.first_person.search(own) and not _MY_OWN.search(own):
        return OTHER
    unframed = _FRAMING.sub(" ", own)
    return SELF if lx.first_person.search(unframed) or _MY_OWN.search(unframed) else OTHER_FRAMED
