"""The conversation's vocabulary has one home (dialogue/): every copy of it agrees."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from dialogue.contact_modes import DIRECTORY_MODES, LIVE_MODES, PREFERENCES
from dialogue.intents import RISK_INTENTS, SAFEGUARDING_TIER, intent_tiers
from dialogue.responses import domain_responses
from safety_screen import INTENTS as SCREEN_INTENTS
from services_directory.search import CONTACT_MODES

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT.parent / "shared" / "contracts" / "intents.yml"


def test_the_screen_and_the_dialogue_mean_the_same_risk_intents():
    assert set(SCREEN_INTENTS) == RISK_INTENTS
    assert {"abuse_disclosure"} == SAFEGUARDING_TIER


def test_the_contracts_intents_keep_their_tiers():
    if not CONTRACT.is_file():
        return
    contract = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))["intents"]
    tiers = intent_tiers()
    assert {name: tiers.get(name) for name in contract} == {
        name: spec["tier"] for name, spec in contract.items()
    }


def test_contact_preferences_reach_only_the_directorys_modes():
    assert set(LIVE_MODES) <= set(CONTACT_MODES)
    for modes in DIRECTORY_MODES.values():
        assert set(modes) <= set(CONTACT_MODES)


def test_every_contact_mode_the_bot_offers_or_learns_is_a_preference():
    """The buttons' values, the NLU's annotated values and the entity synonyms' targets."""
    offered = set()
    for variations in domain_responses().values():
        for variation in variations:
            for button in variation.get("buttons") or []:
                payload = str(button["payload"])
                if "{" in payload:
                    entities = json.loads(payload[payload.index("{") :])
                    if "contact_mode" in entities:
                        offered.add(entities["contact_mode"])
    assert offered and offered <= set(PREFERENCES)
    nlu = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "bot/data/nlu").glob("*.yml"))
    annotated = set(re.findall(r'"entity": "contact_mode", "value": "(\w+)"', nlu))
    assert annotated and annotated <= set(PREFERENCES)
    entities_file = yaml.safe_load((ROOT / "bot/data/nlu/entities.yml").read_text("utf-8"))
    section = entities_file["nlu"]
    start = next(i for i, item in enumerate(section) if item.get("synonym") == "text")
    targets = []
    for item in section[start:]:
        if "synonym" not in item:
            break
        targets.append(item["synonym"])
        if item["synonym"] == "email":
            break
    assert set(targets) <= set(PREFERENCES), targets
