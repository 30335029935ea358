"""Deterministic safety screen (stdlib + PyYAML only; runs in both runtimes).

    from safety_screen import screen, ScreenResult
    r = screen("i wanna kms")
    r.level    # "crisis" | "possible" | "none"
    r.intent   # "suicidal_thoughts" | "self_harm" | "immediate_danger" | "abuse_disclosure" | None
    r.matched  # lexicon entry ids that fired (never the user's text)

`compiler` reads and compiles `lexicon.yml`, `normaliser` prepares a message, `screen` matches.
Importing this package has no side effects: the lexicon is read and compiled on first use.
"""

from safety_screen.screen import (
    CRISIS,
    INTENTS,
    LEVELS,
    NONE,
    POSSIBLE,
    RISK_INTENTS,
    LexiconError,
    ScreenResult,
    load_lexicon,
    normalise,
    screen,
)

__all__ = [
    "CRISIS",
    "INTENTS",
    "LEVELS",
    "NONE",
    "POSSIBLE",
    "RISK_INTENTS",
    "LexiconError",
    "ScreenResult",
    "load_lexicon",
    "normalise",
    "screen",
]
