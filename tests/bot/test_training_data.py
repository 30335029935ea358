"""The NLU training data against the intent contract and the held-out file.

- every contract intent is trained, with at least 30 examples for crisis, safeguarding and need
  intents and 15 for meta intents, and no two examples of an intent are the same once case,
  punctuation and spacing are ignored (no padding);
- no training example appears in the held-out file `tests/nlu/test_nlu.yml`, and none copies a
  contract boundary line; the held-out file has at least 8 examples for every intent, the
  contract's and the project's own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = ROOT / "tests" / "nlu" / "test_nlu.yml"
CONTRACT = ROOT.parent / "shared" / "contracts" / "intents.yml"
ENTITY = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def examples(path: Path) -> dict[str, list[str]]:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
        if "intent" not in item:
            continue
        for line in item["examples"].splitlines():
            if line.strip().startswith("- "):
                by_intent[item["intent"]].append(ENTITY.sub(r"\1", line.strip()[2:]))
    return by_intent


def key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


@pytest.fixture(scope="module")
def training() -> dict[str, list[str]]:
    merged: dict[str, list[str]] = defaultdict(list)
    for path in sorted((ROOT / "bot" / "data" / "nlu").glob("*.yml")):
        for intent, texts in examples(path).items():
            merged[intent] += texts
    return merged


@pytest.fixture(scope="module")
def contract() -> dict:
    if not CONTRACT.is_file():
        pytest.skip("shared/contracts/intents.yml not found")
    return yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))["intents"]


def test_every_contract_intent_has_enough_examples(training, contract):
    short = {}
    for name, spec in contract.items():
        minimum = 15 if spec["tier"] == "meta" else 30
        if len(training.get(name, [])) < minimum:
            short[name] = len(training.get(name, []))
    assert not short, f"intents below their minimum number of examples: {short}"


def test_no_duplicate_examples_within_an_intent(training):
    repeated = {}
    for intent, texts in training.items():
        keys = [key(t) for t in texts]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            repeated[intent] = dupes
    assert not repeated, f"the same example twice (ignoring case and punctuation): {repeated}"


def test_no_training_example_is_in_the_held_out_file(training):
    held_out = {key(t) for texts in examples(HELD_OUT).values() for t in texts}
    shared = sorted({key(t) for texts in training.values() for t in texts} & held_out)
    assert not shared, f"{len(shared)} training examples are also in tests/nlu/test_nlu.yml"


def test_no_contract_boundary_line_is_copied(training, contract):
    boundary = {key(line) for spec in contract.values() for line in spec.get("boundary", [])}
    copied = sorted({key(t) for texts in training.values() for t in texts} & boundary)
    assert not copied, f"contract boundary lines copied into training data: {copied}"


def test_held_out_file_covers_every_intent(contract, training):
    """Every contract intent and every intent the project adds (im_safe, tell_more)."""
    counts = {name: len(texts) for name, texts in examples(HELD_OUT).items()}
    intents = set(contract) | set(training)
    thin = {name: counts.get(name, 0) for name in intents if counts.get(name, 0) < 8}
    assert not thin, f"held-out intents with fewer than 8 examples: {thin}"
