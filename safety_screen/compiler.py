"""The safety lexicon compiled: `lexicon.yml` read, checked and turned into regular
expressions once per process (`load_lexicon()`). Words and patterns live in the YAML file, not
here; this module only knows its shape.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from re import Pattern
from typing import Any

import yaml

LEXICON_PATH = Path(__file__).with_name("lexicon.yml")

CRISIS = "crisis"
POSSIBLE = "possible"
NONE = "none"
LEVELS = (NONE, POSSIBLE, CRISIS)
_RANK = {NONE: 0, POSSIBLE: 1, CRISIS: 2}

# The risk intents the lexicon's entries report: the contract's crisis and safeguarding tiers
# (the same four as dialogue.intents.RISK_INTENTS; a test ties them).
INTENTS = ("suicidal_thoughts", "self_harm", "immediate_danger", "abuse_disclosure")
RISK_INTENTS = frozenset(INTENTS)

_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufe0e\ufe0f]")
_MACRO = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_NEVER = re.compile(r"(?!)")  # an optional rule that is absent matches nothing


class LexiconError(ValueError):
    """The lexicon file is malformed (bad regex, unknown intent, duplicate id, ...)."""


@dataclass(frozen=True)
class Entry:
    """One lexicon entry: the patterns of one kind of risk and the rules that adjust a match."""

    id: str
    intent: str
    level: str
    patterns: tuple[Pattern[str], ...]
    negatable: bool
    first_person: bool
    weak: bool
    ask: bool
    imminent: bool
    unless: Pattern[str] | None
    downgrade_if: Pattern[str] | None
    crisis_if: Pattern[str] | None


@dataclass(frozen=True)
class Context:
    """A context that suppresses or downgrades matches (a game, a story, schoolwork, ...)."""

    id: str
    effect: str  # "suppress" | "downgrade"
    scope: str  # "clause" | "message"
    intents: frozenset
    regex: Pattern[str]


@dataclass(frozen=True)
class Mask:
    """An idiom blanked out before matching ("kill myself laughing")."""

    id: str
    patterns: tuple[Pattern[str], ...]
    unless: Pattern[str] | None


@dataclass(frozen=True)
class Lexicon:
    """The compiled lexicon: normalisation tables, rules, masks, contexts and entries."""

    version: Any
    intent_priority: tuple[str, ...]
    emoji: dict[str, str]
    emoji_re: Pattern[str] | None
    leet: dict[str, str]
    leet_start: frozenset
    leet_keep: frozenset
    leet_keep_re: Pattern[str] | None
    fuzzy_targets: dict[str, int]
    fuzzy_index: dict[str, tuple[str, ...]]
    fuzzy_stop: frozenset
    rewrite_re: Pattern[str] | None
    rewrite_to: dict[str, str]
    fillers: Pattern[str] | None
    spaced_letters: Pattern[str] | None
    spaced_sep: Pattern[str] | None
    clause_split: Pattern[str]
    negation: Pattern[str]
    third_party: Pattern[str]
    first_person: Pattern[str]
    sincerity: Pattern[str]
    harmless_reading: Pattern[str]
    recovered: Pattern[str]
    current_again: Pattern[str]
    reported_speech: Pattern[str]
    window_words: int
    weak_to_crisis: int
    masks: tuple[Mask, ...]
    contexts: tuple[Context, ...]
    entries: tuple[Entry, ...]
    entry_by_id: dict[str, Entry]
    entry_order: dict[str, int]
    intent_rank: dict[str, int]


def _expand(pattern: str, macros: dict[str, str], where: str) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in macros:
            raise LexiconError(f"{where}: unknown macro {{{name}}}")
        return macros[name]

    # Macros may use other macros: expand until stable (bounded).
    for _ in range(5):
        new = _MACRO.sub(sub, pattern)
        if new == pattern:
            return new
        pattern = new
    raise LexiconError(f"{where}: macro expansion does not terminate")


def _compile(patterns: Any, macros: dict[str, str], where: str) -> Pattern[str] | None:
    if patterns is None:
        return None
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise LexiconError(f"{where}: patterns must be a string or a list of strings")
    if not patterns:
        return None
    parts = [_expand(p, macros, where) for p in patterns]
    source = "|".join(f"(?:{p})" for p in parts)
    try:
        return re.compile(source)
    except re.error as exc:  # pragma: no cover - exercised by lexicon validation test
        raise LexiconError(f"{where}: bad regex: {exc}") from exc


def _each(patterns: Any, macros: dict[str, str], where: str) -> tuple[Pattern[str], ...]:
    """Each pattern of an entry or mask compiled on its own (a mask replaces each match)."""
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list) or not patterns:
        raise LexiconError(f"{where}: patterns must be a non-empty string or list of strings")
    compiled = []
    for i, pattern in enumerate(patterns):
        rx = _compile(pattern, macros, f"{where}[{i}]")
        assert rx is not None
        compiled.append(rx)
    return tuple(compiled)


def deletes(word: str, depth: int) -> set[str]:
    """Every string made by deleting up to `depth` letters (the fuzzy-spelling index)."""
    out = {word}
    frontier = {word}
    for _ in range(depth):
        nxt = set()
        for w in frontier:
            for i in range(len(w)):
                nxt.add(w[:i] + w[i + 1 :])
        out |= nxt
        frontier = nxt
    return out


def _emoji(norm: dict[str, Any]) -> tuple[dict[str, str], Pattern[str] | None]:
    """Emoji -> words, keys normalised as the text will be; one regex, longest first."""
    emoji = {str(k): str(v) for k, v in (norm.get("emoji") or {}).items()}
    if not emoji:
        return emoji, None
    keys = sorted(
        (unicodedata.normalize("NFKC", _INVISIBLE.sub("", k)) for k in emoji),
        key=len,
        reverse=True,
    )
    emoji = {unicodedata.normalize("NFKC", _INVISIBLE.sub("", k)): v for k, v in emoji.items()}
    return emoji, re.compile("|".join(re.escape(k) for k in keys if k))


def _fuzzy(norm: dict[str, Any]) -> tuple[dict[str, int], dict[str, tuple[str, ...]]]:
    """Key words spelt loosely ("sucide"): word -> allowed distance, and the deletes index."""
    targets: dict[str, int] = {}
    for word, dist in (norm.get("fuzzy") or {}).items():
        distance = int(dist)
        if distance not in (1, 2):
            raise LexiconError(f"normalise.fuzzy.{word}: distance must be 1 or 2")
        targets[str(word)] = distance
    index: dict[str, set[str]] = {}
    for word, distance in targets.items():
        for variant in deletes(word, distance):
            index.setdefault(variant, set()).add(word)
    return targets, {k: tuple(sorted(v)) for k, v in index.items()}


def _rewrites(
    norm: dict[str, Any], macros: dict[str, str]
) -> tuple[Pattern[str] | None, dict[str, str]]:
    """Textspeak rewrites in one pass: at each position the first rule (in file order) that
    matches wins; replacements are literal. (Consecutive rules that start with \\b share one
    \\b: the same result, much faster.)"""
    blocks: list[tuple[bool, list[str]]] = []
    rewrite_to = {}
    for i, item in enumerate(norm.get("rewrite") or []):
        if not (isinstance(item, list) and len(item) == 2):
            raise LexiconError(f"normalise.rewrite[{i}]: expected [pattern, replacement]")
        if not isinstance(item[0], str):
            raise LexiconError(f"normalise.rewrite[{i}]: pattern must be a string")
        _compile(item[0], macros, f"normalise.rewrite[{i}]")  # validates
        src = _expand(item[0], macros, f"normalise.rewrite[{i}]")
        hoist = src.startswith("\\b")
        body = src[2:] if hoist else src
        if not blocks or blocks[-1][0] != hoist:
            blocks.append((hoist, []))
        blocks[-1][1].append(f"(?P<r{i}>{body})")
        rewrite_to[f"r{i}"] = str(item[1])
    if not blocks:
        return None, rewrite_to
    source = "|".join(("\\b(?:" if h else "(?:") + "|".join(alts) + ")" for h, alts in blocks)
    return re.compile(source), rewrite_to


def _masks(data: dict[str, Any], macros: dict[str, str]) -> tuple[Mask, ...]:
    masks = []
    for i, m in enumerate(data.get("masks") or []):
        mid = str(m.get("id") or f"mask{i}")
        pats = _each(m.get("patterns"), macros, f"masks.{mid}")
        masks.append(Mask(mid, pats, _compile(m.get("unless"), macros, f"masks.{mid}.unless")))
    return tuple(masks)


def _contexts(data: dict[str, Any], macros: dict[str, str]) -> tuple[Context, ...]:
    contexts = []
    for c in data.get("contexts") or []:
        cid = str(c.get("id"))
        effect = c.get("effect")
        scope = c.get("scope", "clause")
        if effect not in ("suppress", "downgrade"):
            raise LexiconError(f"contexts.{cid}: effect must be suppress or downgrade")
        if scope not in ("clause", "message"):
            raise LexiconError(f"contexts.{cid}: scope must be clause or message")
        intents = frozenset(c.get("intents") or INTENTS)
        if not intents <= RISK_INTENTS:
            raise LexiconError(f"contexts.{cid}: unknown intent")
        rx = _compile(c.get("patterns"), macros, f"contexts.{cid}")
        if rx is None:
            raise LexiconError(f"contexts.{cid}: no patterns")
        contexts.append(Context(cid, effect, scope, intents, rx))
    return tuple(contexts)


def _entries(data: dict[str, Any], macros: dict[str, str]) -> tuple[Entry, ...]:
    defaults = data.get("intent_defaults") or {}
    entries = []
    seen = set()
    for e in data.get("entries") or []:
        eid = e.get("id")
        if not eid or eid in seen:
            raise LexiconError(f"entries: missing or duplicate id {eid!r}")
        seen.add(eid)
        intent = e.get("intent")
        if intent not in RISK_INTENTS:
            raise LexiconError(f"entries.{eid}: unknown intent {intent!r}")
        level = e.get("level")
        # "none" is allowed for weak entries only: they then count just towards a combination
        if level not in (CRISIS, POSSIBLE) and not (level == NONE and e.get("weak")):
            raise LexiconError(f"entries.{eid}: level must be crisis or possible (or none if weak)")
        intent_default: dict[str, Any] = defaults.get(intent) or {}
        entries.append(
            Entry(
                id=str(eid),
                intent=intent,
                level=level,
                patterns=_each(e.get("patterns"), macros, f"entries.{eid}"),
                negatable=bool(e.get("negatable", intent_default.get("negatable", False))),
                first_person=bool(e.get("first_person", intent_default.get("first_person", False))),
                weak=bool(e.get("weak", False)),
                ask=bool(e.get("ask", False)),
                imminent=bool(e.get("imminent", False)),
                unless=_compile(e.get("unless"), macros, f"entries.{eid}.unless"),
                downgrade_if=_compile(e.get("downgrade_if"), macros, f"entries.{eid}.downgrade_if"),
                crisis_if=_compile(e.get("crisis_if"), macros, f"entries.{eid}.crisis_if"),
            )
        )
    if not entries:
        raise LexiconError("lexicon has no entries")
    return tuple(entries)


def _build_lexicon(data: dict[str, Any]) -> Lexicon:
    if not isinstance(data, dict):
        raise LexiconError("lexicon root must be a mapping")
    macros = {str(k): str(v) for k, v in (data.get("macros") or {}).items()}
    norm = data.get("normalise") or {}
    rules = data.get("rules") or {}

    def rule(name: str) -> Pattern[str]:
        rx = _compile(rules.get(name), macros, f"rules.{name}")
        if rx is None:
            raise LexiconError(f"rules.{name} is required")
        return rx

    priority = tuple(data.get("intent_priority") or INTENTS)
    if sorted(priority) != sorted(INTENTS):
        raise LexiconError("intent_priority must list exactly the four crisis intents")
    emoji, emoji_re = _emoji(norm)
    fuzzy_targets, fuzzy_index = _fuzzy(norm)
    rewrite_re, rewrite_to = _rewrites(norm, macros)
    fillers = None
    if norm.get("fillers"):
        words = [str(w) for w in norm["fillers"]]
        fillers = _compile(r"\b(?:" + "|".join(words) + r")\b ?", {}, "normalise.fillers")
    entries = _entries(data, macros)
    return Lexicon(
        version=data.get("version"),
        intent_priority=priority,
        emoji=emoji,
        emoji_re=emoji_re,
        leet={str(k): str(v) for k, v in (norm.get("leet") or {}).items()},
        leet_start=frozenset(str(c) for c in (norm.get("leet_at_start") or [])),
        leet_keep=frozenset(str(w) for w in (norm.get("leet_keep") or [])),
        leet_keep_re=_compile(
            norm.get("leet_keep_patterns"), macros, "normalise.leet_keep_patterns"
        ),
        fuzzy_targets=fuzzy_targets,
        fuzzy_index=fuzzy_index,
        fuzzy_stop=frozenset(str(w) for w in (norm.get("fuzzy_stop") or [])),
        rewrite_re=rewrite_re,
        rewrite_to=rewrite_to,
        fillers=fillers,
        spaced_letters=_compile(norm.get("spaced_letters"), macros, "normalise.spaced_letters"),
        spaced_sep=_compile(norm.get("spaced_separator"), macros, "normalise.spaced_separator"),
        clause_split=rule("clause_split"),
        negation=rule("negation"),
        third_party=rule("third_party"),
        first_person=rule("first_person"),
        sincerity=_compile(rules.get("sincerity"), macros, "rules.sincerity") or _NEVER,
        harmless_reading=_compile(rules.get("harmless_reading"), macros, "rules.harmless_reading")
        or _NEVER,
        recovered=_compile(rules.get("recovered"), macros, "rules.recovered") or _NEVER,
        current_again=_compile(rules.get("current_again"), macros, "rules.current_again") or _NEVER,
        reported_speech=rule("reported_speech"),
        window_words=int(rules.get("window_words", 4)),
        weak_to_crisis=int(rules.get("weak_to_crisis", 2)),
        masks=_masks(data, macros),
        contexts=_contexts(data, macros),
        entries=entries,
        entry_by_id={e.id: e for e in entries},
        entry_order={e.id: i for i, e in enumerate(entries)},
        intent_rank={name: i for i, name in enumerate(priority)},
    )


def _safe_build(source: Any) -> Lexicon:
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise LexiconError(f"lexicon is not valid YAML: {exc}") from exc
    try:
        return _build_lexicon(data)
    except LexiconError:
        raise
    except (AttributeError, TypeError, ValueError, re.error) as exc:
        raise LexiconError(f"lexicon is malformed: {type(exc).__name__}: {exc}") from exc


def parse_lexicon(text: str) -> Lexicon:
    """Build a lexicon from YAML text (used by tests to validate edits)."""
    return _safe_build(text)


@functools.cache
def load_lexicon() -> Lexicon:
    """Load and compile ``lexicon.yml`` once (lazily, on first use)."""
    with LEXICON_PATH.open(encoding="utf-8") as fh:
        return _safe_build(fh)
