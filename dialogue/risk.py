"""Risk over a whole conversation: signals that add up across turns.

Each user turn leaves in the tracker what the NLU pipeline read (the intent ranking and the safety
screen's level), never the text. A message that alone is only a possible sign ("sorry for
everything") followed by another ("after tonight") adds up to the crisis response. Pure functions
on parse data, shared by the actions and the tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dialogue.intents import RISK_INTENTS

# How much each kind of evidence counts for one turn (0-1).
SCREEN_WEIGHT = {"crisis": 1.0, "possible": 0.5, "none": 0.0}
RANKING_DEPTH = 3
# Turns looked back over (the current one included), and how much an older turn counts.
WINDOW = 3
DECAY = 0.7
# The crisis response when the weighted sum reaches this and the current turn itself has at
# least MIN_NOW: risk now, not only in the past.
ESCALATE_AT = 0.8
MIN_NOW = 0.3

ParseData = Mapping[str, Any]


def turn_signal(parse: ParseData) -> float:
    """How strongly one turn's reading suggests risk, 0-1, from the screen and the model."""
    screen = parse.get("safety_screen") or {}
    level = SCREEN_WEIGHT.get(str(screen.get("level") or "none"), 0.0)
    # The model's own ranking. An intent the safety component forced (confidence 1.0, first)
    # is the screen's reading, already counted by its level: the model's others are read.
    ranking = list(parse.get("intent_ranking") or [])
    if screen.get("overridden"):
        ranking = ranking[1:]
    model = 0.0
    for entry in ranking[:RANKING_DEPTH]:
        if entry.get("name") in RISK_INTENTS:
            model = max(model, float(entry.get("confidence") or 0.0))
    if screen.get("vetoed"):
        model = 0.0  # a harmless reading the screen recognised ("this homework is killing me")
    return max(level, min(model, 1.0))


def accumulated(signals: Sequence[float]) -> float:
    """The weighted sum of the latest turns' signals (latest last)."""
    recent = list(signals)[-WINDOW:]
    return sum(s * DECAY ** (len(recent) - 1 - i) for i, s in enumerate(recent))


def adds_up(signals: Sequence[float]) -> bool:
    """True when the latest turns together call for the crisis response."""
    if not signals or signals[-1] < MIN_NOW:
        return False
    return accumulated(signals) >= ESCALATE_AT


def user_parses(events: Sequence[Mapping[str, Any]]) -> list[ParseData]:
    """The parse data of each user message in a tracker's events, oldest first."""
    return [e.get("parse_data") or {} for e in events if e.get("event") == "user"]
