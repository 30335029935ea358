"""The intents and their tiers, read from `dialogue/intents.yml` (one list for every part)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

INTENTS_FILE = Path(__file__).with_name("intents.yml")
TIERS = ("crisis", "safeguarding", "need", "meta")


@cache
def intent_tiers() -> dict[str, str]:
    """Intent name -> tier, in the file's order."""
    data = yaml.safe_load(INTENTS_FILE.read_text(encoding="utf-8"))
    tiers = {str(name): str(tier) for name, tier in (data.get("intents") or {}).items()}
    unknown = {tier for tier in tiers.values() if tier not in TIERS}
    if unknown:
        raise ValueError(f"{INTENTS_FILE.name}: unknown tiers {sorted(unknown)}")
    return tiers


def intents_of(*tiers: str) -> frozenset[str]:
    """The intents of the given tiers."""
    return frozenset(name for name, tier in intent_tiers().items() if tier in tiers)


# Crisis tier: risk to life or safety now. Safeguarding tier: harm or exploitation of a child.
# Risk intents are both: each gets the crisis response first.
CRISIS_TIER = intents_of("crisis")
SAFEGUARDING_TIER = intents_of("safeguarding")
RISK_INTENTS = CRISIS_TIER | SAFEGUARDING_TIER
NEED_INTENTS = intents_of("need")
# Needs that start a search for services (the others have answers of their own).
SERVICE_NEEDS = NEED_INTENTS - {
    "find_trusted_adult",
    "talk_to_someone_now",
    "ask_confidentiality",
    "worried_about_someone",
}


def topic_payloads() -> set[str]:
    """Button payloads that start a need (the topic menu is made of these)."""
    return {f"/{name}" for name in NEED_INTENTS}
