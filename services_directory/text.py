"""Tokens and fuzzy matching for free-text search.

spaCy's blank English pipeline with the lookup lemmatizer of spacy-lookups-data (no model
download) turns text into lemmas; rapidfuzz matches what young people type ("councelling",
"bullyed", "anxiaty") to the words of the directory. The pipeline is built on first use.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterable
from functools import cache
from typing import Any

from rapidfuzz import fuzz, process

_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]|[a-z]")
_LOCK = threading.Lock()
PREFIX = 5


@cache
def nlp() -> Any:
    """The spaCy pipeline: blank English + lookup lemmatizer (created once, lazily)."""
    import spacy

    with _LOCK:
        pipeline = spacy.blank("en")
        pipeline.add_pipe("lemmatizer", config={"mode": "lookup"})
        pipeline.initialize()
        return pipeline


@cache
def stop_words() -> frozenset[str]:
    """English stop words of spaCy, plus a few chat words that carry no meaning for search."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | {
        "im",
        "ive",
        "dont",
        "cant",
        "wanna",
        "gonna",
        "like",
        "just",
        "really",
        "help",
        "need",
        "want",
        "feel",
        "feeling",
        "get",
    }


def tokens(text: str | None) -> list[str]:
    """Lower-case lemmas of the words of `text`, stop words left out."""
    if not text:
        return []
    doc = nlp()(text.lower())
    stops = stop_words()
    out: list[str] = []
    for token in doc:
        if not token.is_alpha and "-" not in token.text:
            continue
        lemma = (token.lemma_ or token.text).lower()
        if token.text in stops or lemma in stops or len(lemma) < 2:
            continue
        out.append(lemma)
    return out


def surface_and_lemmas(text: str | None) -> list[str]:
    """Lemmas and the words as written (both are indexed: "bullied" and "bully")."""
    if not text:
        return []
    lemmas = tokens(text)
    stops = stop_words()
    words = [w for w in _WORD.findall(text.lower()) if w not in stops and len(w) >= 2]
    return lemmas + [w for w in words if w not in lemmas]


class Vocabulary:
    """The words of the directory, for exact, prefix and fuzzy look-ups."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = sorted(set(words))
        self._set = frozenset(self.words)

    def __len__(self) -> int:
        return len(self.words)

    def matches(self, token: str) -> dict[str, float]:
        """Directory words close to `token`, with a similarity from 0 to 1."""
        found: dict[str, float] = {}
        if token in self._set:
            found[token] = 1.0
        if len(token) < 4:
            return found
        if len(token) >= PREFIX:
            # Same stem: "lonely" ~ "loneliness", "bully" ~ "bullying", "counsel" ~ "counselling".
            stem = token[:PREFIX]
            start = bisect.bisect_left(self.words, stem)
            for word in self.words[start:]:
                if not word.startswith(stem):
                    break
                common = _common_prefix(token, word)
                if common >= 0.8 * min(len(token), len(word)):
                    found[word] = max(found.get(word, 0.0), 0.85)
        cutoff = 80 if len(token) >= 5 else 86
        for word, score, _ in process.extract(
            token, self.words, scorer=fuzz.ratio, score_cutoff=cutoff, limit=8
        ):
            found[word] = max(found.get(word, 0.0), score / 100 * 0.95)
        return found


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


@cache
def _lemma_table() -> Any:
    return nlp().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")


def surface_and_lemmas_many(texts: list[str]) -> list[list[str]]:
    """Words and lemmas of many texts (the directory's own texts, when the index is built).

    The lookup lemmatizer maps each word to its lemma whatever its context, so each distinct
    word is lemmatised once with spaCy's lookup table instead of running the pipeline over
    every text: the same lemmas, a fraction of the time.
    """
    table = _lemma_table()
    stops = stop_words()
    lemma_of: dict[str, str] = {}
    out: list[list[str]] = []
    for source in texts:
        found: list[str] = []
        for word in _WORD.findall(source.lower()):
            if word in stops:
                continue
            lemma = lemma_of.get(word)
            if lemma is None:
                lemma = str(table.get(word, word)).lower()
                lemma_of[word] = lemma
            if lemma not in stops and len(lemma) >= 2:
                found.append(lemma)
            if len(word) >= 2 and word != lemma:
                found.append(word)
        out.append(found)
    return out
