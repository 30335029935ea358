"""The domain's words: short, plain and not canned.

- every response variation is at most three sentences;
- a reading age of about 11: the Flesch-Kincaid grade (a US school grade; grade 6 is age 11-12)
  averages at most 6 over all responses, and no single variation is above grade 10;
- the acknowledgement of every need and the crisis and safeguarding words have at least two
  variations, so the bot does not sound canned.

The syllable count is the usual vowel-group estimate: good enough to catch a long, formal message.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest
import yaml

DOMAIN = Path(__file__).resolve().parents[2] / "bot" / "domain"


def load_responses() -> dict[str, list[dict]]:
    responses: dict[str, list[dict]] = {}
    for path in sorted(DOMAIN.glob("*.yml")):
        responses.update(
            (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
        )
    return responses


RESPONSES = load_responses()
TEXTS = [
    (name, variation["text"])
    for name, variations in RESPONSES.items()
    for variation in variations
    if variation.get("text") and "{" not in variation["text"]  # templates are filled by actions
]


def sentences(text: str) -> list[str]:
    """The sentences of the prose; a bulleted list of lines to say is not counted."""
    prose = " ".join(line for line in text.splitlines() if not line.lstrip().startswith("- "))
    return [s for s in re.split(r"(?<=[.!?])\s+", prose.strip()) if re.search(r"\w", s)]


def units(text: str) -> list[str]:
    """Sentences plus each bulleted line (for the reading grade)."""
    items = [line for line in text.splitlines() if line.lstrip().startswith("- ")]
    return sentences(text) + items


def syllables(word: str) -> int:
    word = re.sub(r"[^a-z]", "", word.lower())
    groups = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and not word.endswith("le") and groups > 1:
        groups -= 1
    return max(groups, 1)


def grade(text: str) -> float:
    words = re.findall(r"[A-Za-z']+", text)
    count = max(len(units(text)), 1)
    per_word = sum(syllables(w) for w in words) / len(words)
    return 0.39 * len(words) / count + 11.8 * per_word - 15.59


def test_the_counting_works() -> None:
    assert sentences("One. Two! Three? Four.") == ["One.", "Two!", "Three?", "Four."]
    assert grade("I see you. You are not alone.") < grade(
        "Confidentiality considerations necessitate individualised safeguarding assessments."
    )


@pytest.mark.parametrize(("name", "text"), TEXTS, ids=[n for n, _ in TEXTS])
def test_at_most_three_sentences(name: str, text: str) -> None:
    assert len(sentences(text)) <= 3, (name, text)


def test_reading_age_about_eleven() -> None:
    grades = {text: grade(text) for _, text in TEXTS}
    assert statistics.mean(grades.values()) <= 6.0
    hard = {text[:60]: round(g, 1) for text, g in grades.items() if g > 10}
    assert not hard, hard


@pytest.mark.parametrize(
    "name",
    [name for name in RESPONSES if name.startswith("utter_ack_")]
    + [f"utter_card_{kind}" for kind in ("suicide", "self_harm", "danger_now", "abuse", "helper")]
    + ["utter_greet"],
)
def test_has_variations(name: str) -> None:
    texts = {v["text"] for v in RESPONSES[name]}
    assert len(texts) >= 2, name
