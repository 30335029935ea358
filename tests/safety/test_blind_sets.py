"""The blind evaluation sets stay blind: none of their messages is a training example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SETS = sorted((ROOT / "tests" / "safety").glob("warning_signs*.yml")) + sorted(
    (ROOT / "tests" / "safety").glob("open_world_*.yml")
)


def same(text: str) -> str:
    """Letters and digits only, lower case: the same message however it is punctuated."""
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def training_examples() -> set[str]:
    examples: set[str] = set()
    for path in (ROOT / "bot" / "data").rglob("*.yml"):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            text = block.get("examples") or ""
            examples.update(same(line.strip()[2:]) for line in text.splitlines() if line.strip())
    return examples


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.stem)
def test_no_message_of_a_blind_set_is_a_training_example(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = [*data.get("positives", []), *data.get("negatives", []), *data.get("requests", [])]
    assert cases
    seen = training_examples()
    leaked = [c["text"] for c in cases if same(c["text"]) in seen]
    assert leaked == []
