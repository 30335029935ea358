"""Whose risk a message is about: the young person's own, or someone else's ("my friend", "she").

Uses the lexicon's own third-party and first-person patterns on the normalised text, so it reads
the same spellings as the screen. A first person that only frames the worry ("i think", "im
worried", "she told me") does not make the message about the young person.
"""

from __future__ import annotations

import re

from safety_screen.screen import CRISIS, ScreenResult, load_lexicon, normalise, screen

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
    r"seen|heard|tried)|"
    r"(?:told|showed|asked|messaged|texted|sent|made|begged|warned|gave|given|handed) me|"
    r"(?:to|with|at|from) me|me not to|i should|should i|can i|what do i|how do i|"
    r"what can i|what should i|do i)\b"
)


# Words of the lexicon's third parties that name nobody at risk: "left on read by literally
# everyone", "nobody would notice if i was gone" are the young person's own, with or without "i".
_NOBODY_IN_PARTICULAR = frozenset({"everyone", "everybody", "nobody", "no one", "who", "whoever"})


def about_someone_else(text: str) -> bool:
    """True when the message is about another person at risk, not the young person."""
    return whose_risk(text) in {OTHER, OTHER_FRAMED}


def whose_risk(text: str) -> str:
    """ "other" (only someone else is named: "my brother took pills"), "other_framed" (someone
    else, with the young person only in the framing: "i think my friend..."), or "self"."""
    lx = load_lexicon()
    norm = normalise(text)
    if not any(m.group(0) not in _NOBODY_IN_PARTICULAR for m in lx.third_party.finditer(norm)):
        return SELF
    # "my brother" names someone else; "my nudes", "my arm" are the young person's own.
    own = _MY.sub(lambda m: " " if lx.third_party.fullmatch(m.group(1)) else m.group(0), norm)
    if not lx.first_person.search(own) and not _MY_OWN.search(own):
        return OTHER
    unframed = _FRAMING.sub(" ", own)
    return SELF if lx.first_person.search(unframed) or _MY_OWN.search(unframed) else OTHER_FRAMED


# Their words in the first person, so the screen's first-person warning signs read them: "he
# says everyone would be better off without him" -> "i says everyone would be better off without
# me". The young person's own "me" stays, which only ever adds a first person.
_THEIR_SIDE = {
    "he": "i",
    "she": "i",
    "they": "i",
    "hes": "im",
    "shes": "im",
    "theyre": "im",
    "theyve": "ive",
    "hed": "id",
    "shed": "id",
    "theyd": "id",
    "theyll": "ill",
    "him": "me",
    "them": "me",
    "his": "my",
    "their": "my",
    "theirs": "mine",
    "hers": "mine",
    "himself": "myself",
    "herself": "myself",
    "themselves": "myself",
    "themself": "myself",
}
_PRONOUN = re.compile(r"\b(" + "|".join(_THEIR_SIDE) + r"|her)\b(?=(\s+\w+)?)")
# "her" before these (or at the end) is the object ("without her"), otherwise possessive.
_AFTER_OBJECT = re.compile(
    r"\s+(?:and|or|to|for|at|in|on|with|without|about|from|so|because|cos|if|when|that|then|"
    r"anymore|again|too|now|today|tonight|rn|back|up|out|off|away|alone|home|either)"
)


# The verb after a shifted subject: "i loves you all" -> "i love you all".
_VERB = re.compile(r"\bi (doesnt|\w+s)\b")
_IRREGULAR = {"has": "have", "is": "am", "doesnt": "dont"}
_NOT_A_VERB = frozenset({"always", "was", "its", "this", "us", "as", "yes", "less"})


def from_their_side(text: str) -> str:
    """The normalised message with third-person pronouns turned into the first person."""

    def turn(m: re.Match[str]) -> str:
        word, after = m.group(1), m.group(2) or ""
        if word == "her":
            return "me" if not after or _AFTER_OBJECT.fullmatch(after) else "my"
        return _THEIR_SIDE[word]

    def verb(m: re.Match[str]) -> str:
        word = m.group(1)
        if word in _IRREGULAR:
            return "i " + _IRREGULAR[word]
        return m.group(0) if word in _NOT_A_VERB or word.endswith("ss") else "i " + word[:-1]

    return _VERB.sub(verb, _PRONOUN.sub(turn, normalise(text)))


def their_signs(text: str) -> ScreenResult:
    """The screen's reading of someone else's words from their side (nothing when the message
    is about the young person): "she says everyone would be better off without her"."""
    if whose_risk(text) == SELF:
        return ScreenResult()
    return screen(from_their_side(text))


def imminent(result: ScreenResult) -> bool:
    """True when a crisis reading includes a sign that death may be near (a farewell, a plan, a
    date, things given away: lexicon entries marked ``imminent``)."""
    entries = load_lexicon().entry_by_id
    return result.level == CRISIS and any(entries[eid].imminent for eid in result.matched)
