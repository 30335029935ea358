"""Reading typed answers as young people type them: ages, places, ways to get in touch, yes / no /
not sure, a refusal, taking something back.

Pure functions on one message's text; they never keep or log it. Each reader is conservative: it
answers only when the words plainly say so, and None otherwise, so the model's reading stands.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from dialogue.ages import OLDEST_READ, YOUNGEST_READ
from dialogue.contact_modes import WORDS

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60}
_NUMBER_WORD = re.compile(
    r"\b(?:(?P<tens>twenty|thirty|forty|fifty|sixty)(?:[\s-]?(?P<unit>one|two|three|four|five|"
    r"six|seven|eight|nine))?|(?P<teen>" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r"))\b"
)
_DIGITS = re.compile(
    r"(?<![\d£$€.:/])\b(\d{1,2})\s*(?:yo|y/o|yrs?|years?|yr)?\b(?![\d:.,]\d|%|am|pm)"
)
# Numbers that are not the young person's age: times, money, counts of people or things, others'.
_NOT_AGE_CONTEXT = re.compile(
    r"(\d{1,2})\s*(?:am|pm|o.?clock|mins?|minutes?|hours?|hrs?|days?|weeks?|months?|times?|"
    r"quid|pounds?|p\b|%|of us|people|kids|friends|brothers|sisters|siblings|grand|k\b)"
    r"|(?:£|\$|€|at|since|for|till|until|by|year|yr|room|bus|number|no\.?)\s*(\d{1,2})\b"
    r"|\b(?:hes|he is|he's|shes|she is|she's|theyre|they are|they're|my \w+ is|mum is|dad is|"
    r"he|she|who is|whos|who's|boyfriend|girlfriend|bf|gf|man|guy)\s+(?:is\s+|like\s+|about\s+)?"
    r"(\d{1,2})\b",
    re.IGNORECASE,
)

_YES = re.compile(
    r"^(?:y|ya|yah|yh|ye|yea|yeah+|yep|yup|yes+|yess|ja|ok|okay|k|kk|sure|fine|i am|im fine|"
    r"i'?m (?:ok|okay|fine|safe)|safe|ok for now|yeah for now|i guess so|i think so|mostly|"
    r"all good|alright|aight|i'?m alright)\b"
)
_NO = re.compile(
    r"^(?:n|no+|nah+|nope|na|not really|not rly|no i'?m not|not at all|not safe|"
    r"no not really|i'?m not|im not)\b"
)
_UNSURE = re.compile(
    r"^(?:idk|i dunno|dunno|dno|i don'?t know|dont know|don'?t know|not sure|unsure|maybe|"
    r"kinda|kind of|sort of|sorta|i guess|i think|possibly|hard to say|depends|idek|"
    r"i don'?t even know|no idea|\?+|hmm+)\b"
)
_FILLER = re.compile(r"^(?:(?:lol|lmao|haha+|omg|bruh|erm+|um+|uh+|well|honestly|tbh|ngl)\s+)+")
# "no one cares", "no point", "no idea": not an answer of no.
_NOT_A_NO = {
    "one", "body", "point", "way", "idea", "matter", "more", "longer", "reason", "clue", "where",
    "money", "food", "friends", "hope", "future", "life", "chance", "sleep", "home",
}  # fmt: skip
_NOT_SAFE = re.compile(
    r"\b(?:not safe|unsafe|not ok(?:ay)?|in danger|scared for my life|not really safe|no+t? "
    r"safe)\b"
)
_REFUSE = re.compile(
    r"\b(?:not telling|not gonna (?:say|tell)|rather not|prefer not|don'?t want to (?:say|tell)|"
    r"dont wanna (?:say|tell)|won'?t say|none of your business|mind your (?:own )?business|"
    r"skip|pass|no comment|private|not saying|nunya|why should i tell)\b"
)
_RETRACT = re.compile(
    r"\b(?:jk|j/k|joking|joke|jokin|kidding|kiddin|didn'?t mean (?:it|that)|dont mean it|"
    r"just messing|only messing|messing about|was (?:just )?(?:being )?dramatic|im fine now|"
    r"i'?m fine (?:now|honestly|dw|lol)|dw|don'?t worry|nvm|never ?mind|forget (?:it|that|i said)|"
    r"ignore (?:that|me|what i said))\b"
)
_WHY_ASK = re.compile(
    r"\bwhy\b.{0,30}\b(?:need|want|ask|asking|wanna know|do u|do you|need to know)\b"
    r"|\bwhat(?:'?s| is| does)? (?:it|that) (?:for|matter)\b"
    r"|\bwhy (?:does|do) (?:it|that|my age|age|where i live) matter\b"
)

_FINE = re.compile(
    r"\b(?:i'?m|i am|im)\s+(?:(?:actually|honestly|totally|completely|really)\s+)?"
    r"(?:fine|ok|okay|safe|alright|good|grand)\b|\ball good\b|\bnothing like that\b"
)
_SELF_BLAME = re.compile(
    r"\b(?:is (?:it|this|that) my fault|(?:its|it'?s|all) my fault|my fault|i blame myself|"
    r"did i (?:cause|do) (?:this|it)|because of me|am i to blame|should i have (?:known|stopped))\b"
)
_PRIVACY = re.compile(
    r"\b(?:(?:pls|please|plz)?\s*(?:don'?t|do not|dont) tell "
    r"(?:anyone|any1|nobody|my|the|them|him|her)|will (?:you|u|they|this|it) tell|"
    r"is (?:this|it|the chat) (?:private|confidential|anonymous|safe)|"
    r"who (?:will|can|could) (?:see|know|read)|keep (?:it|this) (?:secret|private|between us)|"
    r"are you (?:recording|saving|storing)|do you (?:save|store|keep|record))\b"
)
_WANTS_SERVICES = re.compile(
    r"\b(?:(?:just |can (?:u|you) (?:just )?|pls |please )?show me (?:stuff|things|services|"
    r"options|what there is|what you(?:'?ve)? got|what there|some|the services|people|places|"
    r"where)|what (?:services|help|support|places) (?:are there|is there|can i get)|"
    r"skip (?:the )?(?:questions|all that)|"
    r"just give me (?:the )?(?:services|options|numbers|list))\b"
)

_ONLINE = re.compile(
    r"\b(?:online|on ?line|phone(?: is)? (?:is )?fine|by phone|over the phone|on the phone|"
    r"remote(?:ly)?|from home|doesn'?t matter where|anywhere|any where|don'?t mind where)\b"
)
_LIVES_IN = re.compile(
    r"\b(?:i live in|i'?m in|im from|i'?m from|i live near|i live by|i stay in|we live in|"
    r"live in|based in|near)\s+(?P<place>[a-z][a-z' -]{2,30}?)(?:\s+(?:area|borough|tho|though|"
    r"innit|lol|btw|i think|rn)\b|[.,!?]|$)"
)
POSTCODE_IN_TEXT = re.compile(r"\b([A-Za-z]{1,2}\d[A-Za-z\d]?)(?:\s*(\d[A-Za-z]{2}))?\b")

_HYPOTHETICAL = re.compile(
    r"\b(?:if|when|should|do|can|could|would|will|what happens if|before)\s+(?:i|u|you|we)\s+"
    r"(?:have to\s+|need to\s+)?$"
)
_DISLIKE = re.compile(
    r"\b(?:hate|hates|can'?t|cant|don'?t like|dont like|not|no|scared of|anxious about|"
    r"rather not|avoid|never)\s+(?:\w+\s+){0,2}$"
)


@dataclass(frozen=True)
class Answer:
    """What one message answers, as far as plain words can tell."""

    age: int | None = None
    place: str | None = None  # a locality id, "online", "elsewhere" or a postcode
    contact_mode: str | None = None  # a preference of dialogue.contact_modes
    yes_no: str | None = None  # "yes" | "no" | "unsure"
    refused: bool = False
    retracted: bool = False
    why_ask: bool = False
    fine: bool = False  # "im fine", "im safe", "all good"
    self_blame: bool = False  # "is it my fault"
    privacy: bool = False  # "pls dont tell anyone", "is this private"
    wants_services: bool = False  # "can u just show me stuff"


def _clean(text: str) -> str:
    text = text.lower().replace("\u2019", "'")
    return re.sub(r"\s+", " ", text).strip()


def read_age(text: str) -> int | None:
    """The young person's own age in a message ("fourteen", "14 yrs", "we're both 14")."""
    clean = _clean(text)
    blocked = {int(g) for m in _NOT_AGE_CONTEXT.finditer(clean) for g in m.groups() if g}
    for match in _DIGITS.finditer(clean):
        value = int(match.group(1))
        if value not in blocked and YOUNGEST_READ <= value <= OLDEST_READ:
            return value
    word = _NUMBER_WORD.search(clean)
    if word and not re.search(r"\b(?:of us|people|times|quid|pounds|hours|days)\b", clean):
        if word.group("teen"):
            value = _UNITS[word.group("teen")]
        else:
            unit = _UNITS[word.group("unit")] if word.group("unit") else 0
            value = _TENS[word.group("tens")] + unit
        if YOUNGEST_READ <= value <= OLDEST_READ:
            return value
    return None


def read_postcode(text: str, known_districts: set[str]) -> str | None:
    """A postcode or district in the message, upper-cased ("e1 4ns i think" -> "E1 4NS")."""
    for match in POSTCODE_IN_TEXT.finditer(text):
        district = match.group(1).upper()
        if match.group(2):
            return f"{district} {match.group(2).upper()}"
        if district in known_districts:
            return district
    return None


def read_place(text: str, localities: Mapping[str, str], known_districts: set[str]) -> str | None:
    """Where they are: a locality id (from `localities`, name -> id), a postcode, "online", or
    "elsewhere" when they name a place outside the borough."""
    clean = _clean(text)
    for name, locality_id in sorted(localities.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{re.escape(name.lower())}\b", clean):
            return locality_id
    postcode = read_postcode(text, known_districts)
    if postcode:
        return postcode
    if _ONLINE.search(clean):
        return "online"
    match = _LIVES_IN.search(clean)
    if match and not re.match(r"(?:a |the |my |care|foster|hostel|temp)", match.group("place")):
        return "elsewhere"
    return None


def read_contact_mode(text: str) -> str | None:
    """How they would like to get in touch; "not_call" when they say they don't want to call."""
    clean = _clean(text)
    found = None
    for mode, words in WORDS.items():
        for match in re.finditer(rf"\b(?:{words})\b", clean):
            if _HYPOTHETICAL.search(clean[: match.start()]):
                continue  # "will they tell my mum if i call": a question, not a preference
            disliked = _DISLIKE.search(clean[: match.start()])
            if disliked and mode == "call":
                return "not_call"
            if not disliked and found is None:
                found = mode
    return found


def read_yes_no(text: str) -> str | None:
    """ "yes", "no" or "unsure" when the message is a short answer of that kind."""
    clean = re.sub(r"[^\w\s'?]", " ", _clean(text)).strip()
    clean = _FILLER.sub("", clean).strip()
    if not clean:
        return None
    if _NOT_SAFE.search(clean):
        return "no"
    words = clean.split()
    if len(words) <= 8 and _UNSURE.match(clean):
        return "unsure"
    if words[0] in {"no", "nah", "nope", "naw", "noo", "nahh"}:
        # "lol no im fine its just the wifi" is a no however long; "no one cares" is not one.
        return None if len(words) > 1 and words[1] in _NOT_A_NO else "no"
    if len(words) > 8:
        return None
    if _NO.match(clean):
        return "no"
    if _YES.match(clean):
        return "yes"
    return None


def read_answer(
    text: str, localities: Mapping[str, str] | None = None, districts: set[str] | None = None
) -> Answer:
    """Everything plain words in one message answer."""
    clean = _clean(text)
    return Answer(
        age=read_age(text),
        place=read_place(text, localities or {}, districts or set()),
        contact_mode=read_contact_mode(text),
        yes_no=read_yes_no(text),
        refused=bool(_REFUSE.search(clean)),
        retracted=bool(_RETRACT.search(clean)),
        why_ask=bool(_WHY_ASK.search(clean)),
        fine=bool(_FINE.search(clean)),
        self_blame=bool(_SELF_BLAME.search(clean)),
        privacy=bool(_PRIVACY.search(clean)),
        wants_services=bool(_WANTS_SERVICES.search(clean)),
    )
