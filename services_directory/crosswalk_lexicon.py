"""Which of the bot's needs a text speaks of, and why: the keyword lexicon of
`data/need_keywords.yml`, matched lemma by lemma (spaCy's lookup lemmatizer, as the search does),
and, for a feed's taxonomy term, how like a need's own name the term's name is (rapidfuzz).

A need is suggested when the text has one of its strong phrases, or two different supporting
ones; each match is kept as written in the text, so staff read the reason ("description mentions
'eating disorders', 'bulimia'"). Nothing here writes anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from services_directory import text

LEXICON_FILE = "data/need_keywords.yml"
MAX_PHRASE = 5  # words in the longest phrase
NAME_SIMILARITY = 85  # rapidfuzz token_set_ratio a term name needs to be "like" a need's name
_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]|[a-z]")


@dataclass(frozen=True)
class Lexicon:
    """Phrases (as lemma tuples) -> (need code, strong or not)."""

    phrases: dict[tuple[str, ...], list[tuple[str, bool]]]


@dataclass(frozen=True)
class NeedMatch:
    """A need a text speaks of, and the words of the text that say so (as written)."""

    need: str
    strong: tuple[str, ...]
    supporting: tuple[str, ...]

    @property
    def words(self) -> tuple[str, ...]:
        return self.strong + self.supporting


def _lemma(word: str) -> str:
    return str(text._lemma_table().get(word, word)).lower()


def lemmas(source: str) -> list[tuple[str, int, int]]:
    """Each word of `source` as (lemma, start, end) in the lower-cased text."""
    return [(_lemma(m.group()), m.start(), m.end()) for m in _WORD.finditer(source.lower())]


def _phrase(words: str) -> tuple[str, ...]:
    return tuple(lemma for lemma, _start, _end in lemmas(words))


def lexicon_file() -> Path:
    """The lexicon shipped with the directory."""
    return Path(str(resources.files("services_directory").joinpath(LEXICON_FILE)))


@cache
def load_lexicon(path: str | None = None) -> Lexicon:
    """The lexicon, read once per process."""
    data = yaml.safe_load(Path(path or lexicon_file()).read_text("utf-8")) or {}
    phrases: dict[tuple[str, ...], list[tuple[str, bool]]] = {}
    for need, groups in (data.get("needs") or {}).items():
        for strong, key in ((True, "strong"), (False, "supporting")):
            for words in groups.get(key) or []:
                phrase = _phrase(str(words))
                if phrase and len(phrase) <= MAX_PHRASE:
                    phrases.setdefault(phrase, []).append((str(need), strong))
    return Lexicon(phrases)


def match_needs(source: str, lexicon: Lexicon | None = None) -> dict[str, NeedMatch]:
    """The needs `source` speaks of (one strong phrase, or two different supporting ones)."""
    lexicon = lexicon or load_lexicon()
    lowered = source.lower()
    words = lemmas(source)
    strong: dict[str, list[str]] = {}
    supporting: dict[str, list[str]] = {}
    taken_until = -1  # a word inside a longer phrase already matched is not matched again
    for i in range(len(words)):
        for size in range(min(MAX_PHRASE, len(words) - i), 0, -1):
            phrase = tuple(w[0] for w in words[i : i + size])
            found = lexicon.phrases.get(phrase)
            if not found or (i <= taken_until and size == 1):
                continue
            written = lowered[words[i][1] : words[i + size - 1][2]]
            for need, is_strong in found:
                bucket = strong if is_strong else supporting
                if written not in bucket.setdefault(need, []):
                    bucket[need].append(written)
            taken_until = max(taken_until, i + size - 1)
            break
    out: dict[str, NeedMatch] = {}
    for need in sorted(set(strong) | set(supporting)):
        firm, extra = strong.get(need, []), supporting.get(need, [])
        if firm or len(set(_phrase(w) for w in extra)) >= 2:
            out[need] = NeedMatch(need, tuple(firm), tuple(extra))
    return out


def quoted(words: Iterable[str]) -> str:
    """Words as staff read them in a reason: 'eating disorders', 'bulimia'."""
    return ", ".join(f"'{w}'" for w in words)


@dataclass(frozen=True)
class TermSuggestion:
    """A need suggested for a feed's taxonomy term, and why."""

    need: str
    reason: str


def suggest_for_term(
    term_name: str, need_names: dict[str, str], lexicon: Lexicon | None = None
) -> list[TermSuggestion]:
    """Needs a feed term's name suggests: the lexicon's phrases in it, else a need whose own
    name it is like (rapidfuzz token set ratio of at least `NAME_SIMILARITY`)."""
    found: dict[str, str] = {}
    for need, match in match_needs(term_name, lexicon).items():
        if need in need_names:
            found[need] = f"the term's name mentions {quoted(match.words)}"
    name = term_name.lower()
    for need, need_name in need_names.items():
        if need in found:
            continue
        score = fuzz.token_set_ratio(name, need_name.lower())
        if score >= NAME_SIMILARITY:
            found[need] = f"the term's name is like the need '{need_name}' ({score:.0f}% alike)"
    return [TermSuggestion(need, reason) for need, reason in sorted(found.items())]
