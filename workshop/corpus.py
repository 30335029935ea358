"""What a new example is compared with: the bot's training data (bot/data/) and every held-out
test set, which must never leak into training.

HELD_OUT below is the one list of the held-out files. A new test set in one of these folders is
covered by its pattern; a test set anywhere else must be added here (tests/workshop/test_items.py
checks that every YAML file under tests/ that holds sentences is covered).
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from settings.env import ROOT

# The held-out test sets, as patterns under the repository (never trained on, never shown):
HELD_OUT = (
    "tests/nlu/*.yml",  # the held-out NLU set (test_nlu.yml)
    "tests/safety/*.yml",  # cases, warning signs, open world (dev and held out), known gaps
    "tests/conversations/*.yml",  # whole conversations run through /api/chat
    "tests/stories/*.yml",  # Rasa test stories
)
# The contract's boundary lines: "never copy these lines into training data".
CONTRACT = ROOT.parent / "shared" / "contracts" / "intents.yml"
TRAINING = ("bot/data/**/*.yml",)
# fuzz.ratio (0-100) of two normalised texts at or above which they are near-duplicates.
NEAR = 90.0
# Annotated entities in Rasa examples: "[14](age)" or "[Millfield]{...}" read as the words.
ENTITY = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
# Keys under which the test files keep what a young person typed.
TEXT_KEYS = frozenset({"text", "user", "missed", "false_alarms", "boundary"})


def normalise(text: str) -> str:
    """The text as compared: case, accents' forms, apostrophes, punctuation, emoji and spacing
    ignored ("I'm SO tired!!" and "im so tired" are the same)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"['’‘`]", "", text)
    return " ".join(re.sub(r"[^\w]+|_", " ", text).split())


@dataclass(frozen=True)
class Sentences:
    """Sentences normalised for comparison, with the intent of each when known."""

    norms: list[str]
    texts: list[str]
    intents: list[str | None]
    exact: frozenset[str]

    @classmethod
    def of(cls, pairs: list[tuple[str, str | None]]) -> Sentences:
        """Built from (text, intent) pairs; blank ones left out."""
        kept = [(normalise(t), t, i) for t, i in pairs if normalise(t)]
        return cls(
            norms=[n for n, _, _ in kept],
            texts=[t for _, t, _ in kept],
            intents=[i for _, _, i in kept],
            exact=frozenset(n for n, _, _ in kept),
        )

    def closest(self, norm: str) -> tuple[int, float] | None:
        """The index and score of the nearest sentence at or above NEAR, if any."""
        if norm in self.exact:
            return self.norms.index(norm), 100.0
        found = process.extractOne(norm, self.norms, scorer=fuzz.ratio, score_cutoff=NEAR)
        return (found[2], float(found[1])) if found else None


def _files(patterns: tuple[str, ...]) -> list[Path]:
    return sorted({path for pattern in patterns for path in ROOT.glob(pattern)})


def _stamp(paths: list[Path]) -> tuple[tuple[str, int, int], ...]:
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths if p.exists())


def _nlu_examples(data: Any) -> Iterator[tuple[str, str | None]]:
    entries = data.get("nlu") if isinstance(data, dict) else None
    for entry in entries or []:
        if not isinstance(entry, dict) or "examples" not in entry:
            continue
        for line in str(entry["examples"]).splitlines():
            if line.strip().startswith("- "):
                yield ENTITY.sub(r"\1", line.strip()[2:]), entry.get("intent")


def _typed_texts(data: Any, key: str | None = None) -> Iterator[str]:
    """Every string kept under one of TEXT_KEYS, however deep."""
    if isinstance(data, dict):
        for name, value in data.items():
            yield from _typed_texts(value, str(name))
    elif isinstance(data, list):
        for value in data:
            yield from _typed_texts(value, key)
    elif isinstance(data, str) and key in TEXT_KEYS:
        yield ENTITY.sub(r"\1", data)


def file_sentences(path: Path) -> list[tuple[str, str | None]]:
    """The sentences of one YAML file: NLU examples with their intent, and typed texts."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's: the sets are large
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    pairs = list(_nlu_examples(data))
    return pairs + [(text, None) for text in _typed_texts(data)]


@cache
def _held_out(stamp: tuple[tuple[str, int, int], ...]) -> Sentences:
    pairs = [pair for path, _, _ in stamp for pair in file_sentences(Path(path))]
    if CONTRACT.is_file():
        pairs += file_sentences(CONTRACT)
    return Sentences.of(pairs)


@cache
def _training(stamp: tuple[tuple[str, int, int], ...]) -> Sentences:
    return Sentences.of([pair for path, _, _ in stamp for pair in file_sentences(Path(path))])


def held_out_files() -> list[Path]:
    """The held-out test files (from HELD_OUT)."""
    return _files(HELD_OUT)


def held_out() -> Sentences:
    """Every held-out sentence (read again when a file changes)."""
    return _held_out(_stamp(held_out_files()))


def training() -> Sentences:
    """Every training example of bot/data/ with its intent (read again when a file changes)."""
    return _training(_stamp(_files(TRAINING)))


def examples_for(intent: str, count: int = 6) -> list[str]:
    """A few existing training examples of `intent` (the same few each time), shown to a writer
    only after they have written their own."""
    data = training()
    mine = sorted({t for t, i in zip(data.texts, data.intents, strict=True) if i == intent})
    return random.Random(intent).sample(mine, min(count, len(mine)))


@cache
def bot_responses() -> dict[str, str]:
    """The domain's responses that have words (name -> its first text), for picking the bot's
    replies in a conversation and for suggesting better wording."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variants in (content.get("responses") or {}).items():
            texts = [v["text"] for v in variants or [] if isinstance(v, dict) and v.get("text")]
            if texts:
                found[str(name)] = " ".join(str(texts[0]).split())
    return dict(sorted(found.items()))
