"""Whether a message has a recognisably harmless reading: an idiom, a game, a story, a lesson.

The screen uses these masks and contexts to avoid false alarms; the Rasa component uses this
to stop the dialogue model's own risk intent from raising a false alarm when the screen found no
risk at all and recognised the harmless reading ("this homework is killing me", "killed it in
fortnite"). Words and patterns stay in lexicon.yml.
"""

from __future__ import annotations

from collections.abc import Sequence

from safety_screen.screen import load_lexicon, normalise

# Lexicon contexts that mean a harmless reading (a game, a story, a lesson, a professional asking
# in general). Laughter, the past and questions are left out:
# young people often write "lol" around a real disclosure, and talk of past or "how" is not safe.
HARMLESS_CONTEXTS = frozenset(
    {"gaming", "gaming_self", "fiction_media", "schoolwork", "professional"}
)


def benign_context(text: str) -> bool:
    """True when the lexicon recognises an idiom, game, story or study context in the text."""
    lexicon = load_lexicon()
    normalised = normalise(text)
    for mask in lexicon.masks:
        if mask.unless is not None and mask.unless.search(normalised):
            continue
        if any(pattern.search(normalised) for pattern in mask.patterns):
            return True
    if lexicon.harmless_reading.search(normalised):
        return True
    return any(
        context.regex.search(normalised)
        for context in lexicon.contexts
        if context.id in HARMLESS_CONTEXTS
    )


def sincere(text: str) -> bool:
    """True when the message says it is meant ("fr", "not joking", "deadass")."""
    return load_lexicon().sincerity.search(normalise(text)) is not None


def asks_directly(matched: Sequence[str]) -> bool:
    """True when one of the screen's entries is a warning sign to ask about when the rest of the
    message reads otherwise ("whats the point of anything"): `ask: true` in lexicon.yml."""
    ids = set(matched)
    return any(entry.ask for entry in load_lexicon().entries if entry.id in ids)


def recovered(text: str) -> bool:
    """True when the message puts a difficulty in the past and says it is over, with nothing
    current beside it: "i used to self harm in year 9, 3 years clean now"."""
    lexicon = load_lexicon()
    normalised = normalise(text)
    return (
        lexicon.recovered.search(normalised) is not None
        and lexicon.current_again.search(normalised) is None
    )
