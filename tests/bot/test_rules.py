"""Every message gets an answer: each intent (and the NLU fallback) has exactly one rule, whose
actions end by listening, and every custom action the rules name exists in the domain."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from dialogue.intents import intent_tiers

ROOT = Path(__file__).resolve().parents[2]


def domain_part(key: str) -> list:
    items: list = []
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        items += (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(key) or []
    return items


def rule_intents() -> Counter:
    starts: Counter = Counter()
    for path in sorted((ROOT / "bot" / "data" / "rules").glob("*.yml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            assert "condition" not in rule, f"{rule['rule']}: a rule that depends on the state"
            first = rule["steps"][0]
            intents = (
                [step["intent"] for step in first["or"]] if "or" in first else [first["intent"]]
            )
            starts.update(intents)
    return starts


def test_every_intent_has_exactly_one_rule():
    starts = rule_intents()
    domain_intents = set(domain_part("intents"))
    assert set(starts) == domain_intents | {"nlu_fallback"}
    assert [i for i, n in starts.items() if n > 1] == []


def test_the_domain_and_the_intent_list_agree():
    assert set(domain_part("intents")) == set(intent_tiers())


def test_every_action_a_rule_names_is_in_the_domain():
    actions = set(domain_part("actions")) | set(
        name
        for path in (ROOT / "bot" / "domain").glob("*.yml")
        for name in (yaml.safe_load(path.read_text()) or {}).get("responses") or {}
    )
    for path in sorted((ROOT / "bot" / "data" / "rules").glob("*.yml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            for step in rule["steps"][1:]:
                assert step.get("action") in actions, (rule["rule"], step)
