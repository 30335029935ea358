"""Deterministic safety screen: lexicon-driven detection of crisis and safeguarding messages.

Pure Python (stdlib + PyYAML) so the same source runs in the Rasa runtime (Python 3.10) and the
app runtime (Python 3.11). All words and patterns live in ``lexicon.yml``; this module only
normalises text and applies the rules the lexicon describes. It never logs and never returns the
user's text: ``ScreenResult.matched`` holds lexicon entry ids only.

Pipeline for one message:

1. normalise: NFKC, emoji -> words, casefold, strip accents, drop apostrophes, leetspeak inside
   words ("k1ll", "su1c1de"), collapse letters repeated 3+ times to 2, punctuation -> separate
   tokens, fuzzy spelling of a few long key words ("sucide", "myslef"), textspeak rewrites
   ("wanna" -> "want to"; one pass, the first matching rule wins at each position), filler words
   removed. A second variant joins spaced-out letters ("k m s", "k.m.s" -> "kms").
2. masks: idioms that look like risk ("kill myself laughing", "dye my hair", "my mum will kill
   me") are blanked out, so a real signal elsewhere in the same message still counts.
3. entries: each lexicon entry (id, intent, level, patterns) is searched. A match is then
   adjusted by, in order: ``unless`` (clause-level exclusion -> no match), global contexts
   (suppress -> no match; downgrade -> possible: gaming, laughter, fiction, school work, the
   past, information questions), negation just before the match ("i would never kill myself" ->
   possible), third-party subject or reported speech for the first-person intents ("my friend is
   cutting again", "they told me to kms" -> possible), and ``downgrade_if``. ``crisis_if``
   (searched in the whole message) makes the match crisis and outweighs ``unless``,
   ``downgrade_if`` and downgrading contexts, but not negation, third parties or suppression.
4. combine: two or more distinct ``weak`` entries of one intent that fired plainly (goodbye-note
   style messages) make that intent ``crisis``. A weak entry may have ``level: none``: alone it
   reports nothing ("bye everyone"), it only counts towards such a combination. The result level
   is the highest level; the intent is the highest-priority intent at that level.

Speed: every pattern is compiled once. From each pattern's parse tree the loader derives literal
strings that any match must contain; one trie-regex pass over the message finds which occur, and
patterns that cannot match are not run. This changes speed only, never results.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from re import Pattern
from typing import Any

import yaml

try:  # the regex parser, used only to derive the literal prefilter (an optimisation)
    from re import _constants as _sre_c  # type: ignore[attr-defined]
    from re import _parser as _sre_p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _sre_c  # type: ignore[no-redef]
    import sre_parse as _sre_p  # type: ignore[no-redef]

LEXICON_PATH = Path(__file__).with_name("lexicon.yml")

CRISIS = "crisis"
POSSIBLE = "possible"
NONE = "none"
LEVELS = (NONE, POSSIBLE, CRISIS)
_RANK = {NONE: 0, POSSIBLE: 1, CRISIS: 2}

INTENTS = ("suicidal_thoughts", "self_harm", "immediate_danger", "abuse_disclosure")
CRISIS_INTENTS = frozenset(INTENTS)

# Leetspeak / censoring characters mapped to letters inside words.
_LEET_TOKEN = re.compile(r"[a-z0-9@$!*|]*[0-9@$!*|][a-z0-9@$!*|]*")
_HAS_LETTER = re.compile(r"[a-z]")
_APOSTROPHES = re.compile(r"[\u0027\u2018\u2019\u02bc\u2032\u00b4\u0060]")
_REPEATS = re.compile(r"(.)\1{2,}")
_PUNCT = re.compile(r"([.,!?;:])[.,!?;:\s]*")
_OTHER = re.compile(r"[^a-z0-9.,!?;:\s]+")
_SPACES = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufe0e\ufe0f]")
_MACRO = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_WORD = re.compile(r"[a-z]+")
_MASK = " _ "
_NEVER = re.compile(r"(?!)")  # an optional rule that is absent matches nothing


class LexiconError(ValueError):
    """The lexicon file is malformed (bad regex, unknown intent, duplicate id, ...)."""


@dataclass(frozen=True)
class ScreenResult:
    """Outcome of screening one message.

    level:   "crisis" (crisis/safeguarding response first), "possible" (a risk signal that needs
             the model's view: the fail-safe decides) or "none".
    intent:  one of suicidal_thoughts, self_harm, immediate_danger, abuse_disclosure, or None.
    matched: ids of the lexicon entries that fired (never any of the user's text).
    """

    level: str = NONE
    intent: str | None = None
    matched: list[str] = field(default_factory=list)

    @property
    def is_crisis(self) -> bool:
        return self.level == CRISIS

    @property
    def is_possible(self) -> bool:
        return self.level == POSSIBLE

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "intent": self.intent, "matched": list(self.matched)}


# --------------------------------------------------------------------------------------------
# Lexicon loading
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Gated:
    """One compiled pattern and its prefilter: literal sets it cannot match without."""

    regex: Pattern[str]
    gates: tuple[frozenset[str], ...]


@dataclass(frozen=True)
class _Entry:
    id: str
    intent: str
    level: str
    patterns: tuple[_Gated, ...]
    negatable: bool
    first_person: bool
    weak: bool
    unless: Pattern[str] | None
    downgrade_if: Pattern[str] | None
    crisis_if: Pattern[str] | None


@dataclass(frozen=True)
class _Context:
    id: str
    effect: str  # "suppress" | "downgrade"
    scope: str  # "clause" | "message"
    intents: frozenset
    regex: Pattern[str]


@dataclass(frozen=True)
class _Mask:
    id: str
    patterns: tuple[_Gated, ...]
    unless: Pattern[str] | None


@dataclass(frozen=True)
class _Lexicon:
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
    reported_speech: Pattern[str]
    window_words: int
    weak_to_crisis: int
    masks: tuple[_Mask, ...]
    contexts: tuple[_Context, ...]
    entries: tuple[_Entry, ...]
    trigger_re: Pattern[str] | None
    trigger_closure: dict[str, tuple[str, ...]]
    # every gated pattern (masks first, then entries) as (owner index, pattern); for each trigger
    # literal the (pattern index, gate bit) it satisfies; the bits a pattern needs; ungated ones
    flat: tuple[tuple[int, _Gated], ...]
    n_mask_patterns: int
    postings: dict[str, tuple[tuple[int, int], ...]]
    full: tuple[int, ...]
    always_open: frozenset[int]
    entry_by_id: dict[str, _Entry]
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


# --- literal prefilter -------------------------------------------------------------------------
# For each pattern, the parse tree gives "required factors": sets of literal strings such that any
# match contains at least one string of every set ("hits"/"hit"/"beats"... for a violence entry).
# One trie-regex pass per message finds which of all these strings occur; a pattern whose factors
# are absent cannot match and is skipped. This changes speed only, never results.

_MIN_FACTOR = 3  # shorter literals ("me", "my ") are nearly always present: not worth a gate
_REPEAT_OPS = {_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT}
_ZERO_WIDTH_OPS = {_sre_c.AT, _sre_c.ASSERT, _sre_c.ASSERT_NOT}


def _selectivity(factor: frozenset[str]) -> tuple[int, int]:
    return (min(len(x) for x in factor), -len(factor))


def _factors(items: Any) -> list[frozenset[str]]:
    out: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(frozenset(("".join(run),)))
            run.clear()

    for op, av in items:
        if op == _sre_c.LITERAL:
            run.append(chr(av))
            continue
        if op in _ZERO_WIDTH_OPS:
            continue  # consumes nothing: the literals around it stay adjacent
        flush()
        if op == _sre_c.SUBPATTERN:
            out.extend(_factors(av[-1].data))
        elif op == _sre_c.BRANCH:
            picks: list[frozenset[str]] = []
            for alt in av[1]:
                sub = _factors(alt.data)
                if not sub:
                    picks = []
                    break
                picks.append(max(sub, key=_selectivity))
            if picks:
                out.append(frozenset().union(*picks))
        elif op in _REPEAT_OPS and av[0] >= 1:
            out.extend(_factors(av[2].data))
    flush()
    return out


def _gates(source: str) -> tuple[frozenset[str], ...]:
    try:
        found = _factors(_sre_p.parse(source).data)
    except Exception:  # pragma: no cover - analysis is best effort; no gate means always run
        return ()
    useful = {f for f in found if min(len(x) for x in f) >= _MIN_FACTOR}
    return tuple(sorted(useful, key=_selectivity, reverse=True)[:3])


def _gated(patterns: Any, macros: dict[str, str], where: str) -> tuple[_Gated, ...]:
    """Each pattern of an entry or mask compiled on its own, with its prefilter."""
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list) or not patterns:
        raise LexiconError(f"{where}: patterns must be a non-empty string or list of strings")
    out = []
    for i, p in enumerate(patterns):
        rx = _compile(p, macros, f"{where}[{i}]")
        assert rx is not None
        out.append(_Gated(rx, _gates(rx.pattern)))
    return tuple(out)


def _trie(words: Sequence[str]) -> str:
    root: dict[str, Any] = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


def _deletes(word: str, depth: int) -> set:
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


def _build_lexicon(data: dict[str, Any]) -> _Lexicon:
    if not isinstance(data, dict):
        raise LexiconError("lexicon root must be a mapping")
    macros = {str(k): str(v) for k, v in (data.get("macros") or {}).items()}
    norm = data.get("normalise") or {}

    emoji = {str(k): str(v) for k, v in (norm.get("emoji") or {}).items()}
    emoji_re = None
    if emoji:
        keys = sorted(
            (unicodedata.normalize("NFKC", _INVISIBLE.sub("", k)) for k in emoji),
            key=len,
            reverse=True,
        )
        emoji = {unicodedata.normalize("NFKC", _INVISIBLE.sub("", k)): v for k, v in emoji.items()}
        emoji_re = re.compile("|".join(re.escape(k) for k in keys if k))

    leet = {str(k): str(v) for k, v in (norm.get("leet") or {}).items()}
    leet_start = frozenset(str(c) for c in (norm.get("leet_at_start") or []))
    leet_keep = frozenset(str(w) for w in (norm.get("leet_keep") or []))
    leet_keep_re = _compile(norm.get("leet_keep_patterns"), macros, "normalise.leet_keep_patterns")

    fuzzy_targets: dict[str, int] = {}
    for word, dist in (norm.get("fuzzy") or {}).items():
        d = int(dist)
        if d not in (1, 2):
            raise LexiconError(f"normalise.fuzzy.{word}: distance must be 1 or 2")
        fuzzy_targets[str(word)] = d
    index: dict[str, set] = {}
    for word, d in fuzzy_targets.items():
        for v in _deletes(word, d):
            index.setdefault(v, set()).add(word)
    fuzzy_index = {k: tuple(sorted(v)) for k, v in index.items()}
    fuzzy_stop = frozenset(str(w) for w in (norm.get("fuzzy_stop") or []))

    # Rewrites run in one pass: at each position the first rule (in file order) that matches
    # wins; replacements are literal text.
    # (Consecutive rules that start with \b share one \b: same result, much faster.)
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
    rewrite_re = None
    if blocks:
        rewrite_re = re.compile(
            "|".join(("\\b(?:" if h else "(?:") + "|".join(alts) + ")" for h, alts in blocks)
        )

    fillers = None
    if norm.get("fillers"):
        words = [str(w) for w in norm["fillers"]]
        fillers = _compile(r"\b(?:" + "|".join(words) + r")\b ?", {}, "normalise.fillers")

    spaced = _compile(norm.get("spaced_letters"), macros, "normalise.spaced_letters")
    spaced_sep = _compile(norm.get("spaced_separator"), macros, "normalise.spaced_separator")

    rules = data.get("rules") or {}

    def rule(name: str) -> Pattern[str]:
        rx = _compile(rules.get(name), macros, f"rules.{name}")
        if rx is None:
            raise LexiconError(f"rules.{name} is required")
        return rx

    priority = tuple(data.get("intent_priority") or INTENTS)
    if sorted(priority) != sorted(INTENTS):
        raise LexiconError("intent_priority must list exactly the four crisis intents")
    defaults = data.get("intent_defaults") or {}

    masks = []
    for i, m in enumerate(data.get("masks") or []):
        mid = str(m.get("id") or f"mask{i}")
        pats = _gated(m.get("patterns"), macros, f"masks.{mid}")
        masks.append(_Mask(mid, pats, _compile(m.get("unless"), macros, f"masks.{mid}.unless")))

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
        if not intents <= CRISIS_INTENTS:
            raise LexiconError(f"contexts.{cid}: unknown intent")
        rx = _compile(c.get("patterns"), macros, f"contexts.{cid}")
        if rx is None:
            raise LexiconError(f"contexts.{cid}: no patterns")
        contexts.append(_Context(cid, effect, scope, intents, rx))

    entries = []
    seen = set()
    for e in data.get("entries") or []:
        eid = e.get("id")
        if not eid or eid in seen:
            raise LexiconError(f"entries: missing or duplicate id {eid!r}")
        seen.add(eid)
        intent = e.get("intent")
        if intent not in CRISIS_INTENTS:
            raise LexiconError(f"entries.{eid}: unknown intent {intent!r}")
        level = e.get("level")
        # "none" is allowed for weak entries only: they then count just towards a combination
        if level not in (CRISIS, POSSIBLE) and not (level == NONE and e.get("weak")):
            raise LexiconError(f"entries.{eid}: level must be crisis or possible (or none if weak)")
        d = defaults.get(intent) or {}
        pats = _gated(e.get("patterns"), macros, f"entries.{eid}")
        entries.append(
            _Entry(
                id=str(eid),
                intent=intent,
                level=level,
                patterns=pats,
                negatable=bool(e.get("negatable", d.get("negatable", False))),
                first_person=bool(e.get("first_person", d.get("first_person", False))),
                weak=bool(e.get("weak", False)),
                unless=_compile(e.get("unless"), macros, f"entries.{eid}.unless"),
                downgrade_if=_compile(e.get("downgrade_if"), macros, f"entries.{eid}.downgrade_if"),
                crisis_if=_compile(e.get("crisis_if"), macros, f"entries.{eid}.crisis_if"),
            )
        )
    if not entries:
        raise LexiconError("lexicon has no entries")

    flat = [(i, g) for i, m in enumerate(masks) for g in m.patterns]
    n_mask_patterns = len(flat)
    flat += [(i, g) for i, e in enumerate(entries) for g in e.patterns]
    posting_lists: dict[str, list[tuple[int, int]]] = {}
    for idx, (_, g) in enumerate(flat):
        for bit_no, gate in enumerate(g.gates):
            for lit in gate:
                posting_lists.setdefault(lit, []).append((idx, 1 << bit_no))
    triggers = sorted(posting_lists)
    closure = {
        w: tuple(w[:i] for i in range(1, len(w) + 1) if w[:i] in posting_lists) for w in triggers
    }
    trigger_re = re.compile("(?=(" + _trie(triggers) + "))") if triggers else None

    return _Lexicon(
        version=data.get("version"),
        intent_priority=priority,
        emoji=emoji,
        emoji_re=emoji_re,
        leet=leet,
        leet_start=leet_start,
        leet_keep=leet_keep,
        leet_keep_re=leet_keep_re,
        fuzzy_targets=fuzzy_targets,
        fuzzy_index=fuzzy_index,
        fuzzy_stop=fuzzy_stop,
        rewrite_re=rewrite_re,
        rewrite_to=rewrite_to,
        fillers=fillers,
        spaced_letters=spaced,
        spaced_sep=spaced_sep,
        clause_split=rule("clause_split"),
        negation=rule("negation"),
        third_party=rule("third_party"),
        first_person=rule("first_person"),
        sincerity=_compile(rules.get("sincerity"), macros, "rules.sincerity") or _NEVER,
        reported_speech=rule("reported_speech"),
        window_words=int(rules.get("window_words", 4)),
        weak_to_crisis=int(rules.get("weak_to_crisis", 2)),
        masks=tuple(masks),
        contexts=tuple(contexts),
        entries=tuple(entries),
        trigger_re=trigger_re,
        trigger_closure=closure,
        flat=tuple(flat),
        n_mask_patterns=n_mask_patterns,
        postings={k: tuple(v) for k, v in posting_lists.items()},
        full=tuple((1 << len(g.gates)) - 1 for _, g in flat),
        always_open=frozenset(i for i, (_, g) in enumerate(flat) if not g.gates),
        entry_by_id={e.id: e for e in entries},
        entry_order={e.id: i for i, e in enumerate(entries)},
        intent_rank={name: i for i, name in enumerate(priority)},
    )


def _safe_build(source: Any) -> _Lexicon:
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


def parse_lexicon(text: str) -> _Lexicon:
    """Build a lexicon from YAML text (used by tests to validate edits)."""
    return _safe_build(text)


@functools.cache
def load_lexicon() -> _Lexicon:
    """Load and compile ``lexicon.yml`` once (lazily, on first use)."""
    with LEXICON_PATH.open(encoding="utf-8") as fh:
        return _safe_build(fh)


# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------


def _osa(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein + adjacent transposition)."""
    la, lb = len(a), len(b)
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        for j in range(1, lb + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
        prev2, prev = prev, cur
    return prev[lb]


@functools.lru_cache(maxsize=8192)
def _fuzzy_token(token: str) -> str:
    lx = load_lexicon()
    if token in lx.fuzzy_targets or token in lx.fuzzy_stop or len(token) < 5:
        return token
    candidates = set()
    for v in _deletes(token, 2):
        candidates.update(lx.fuzzy_index.get(v, ()))
    best, best_d = token, 99
    for cand in sorted(candidates):
        d = _osa(token, cand)
        if d <= lx.fuzzy_targets[cand] and d < best_d:
            best, best_d = cand, d
    return best


def _leet(token: str, lx: _Lexicon) -> str:
    if not _HAS_LETTER.search(token) or token in lx.leet_keep:
        return token
    if lx.leet_keep_re is not None and lx.leet_keep_re.fullmatch(token):
        return token
    if not any(c in lx.leet for c in token):
        return token
    out: list[str] = []
    n = len(token)
    for i, ch in enumerate(token):
        rep = lx.leet.get(ch)
        if rep is None:
            out.append(ch)
            continue
        prev_letter = bool(out) and out[-1].isalpha()
        next_letter = i + 1 < n and (token[i + 1].isalpha() or token[i + 1] in lx.leet)
        if ch in "!*":
            # censoring marks only count between letters ("k!ll", "k*ll"); elsewhere "!" stays
            # punctuation (it ends a clause) and "*" is dropped
            if prev_letter and i + 1 < n and token[i + 1].isalpha():
                out.append(rep)
            else:
                out.append("!" if ch == "!" else " ")
            continue
        if prev_letter or (i == 0 and next_letter and ch in lx.leet_start):
            out.append(rep)
        else:
            out.append(ch)
    return "".join(out)


def _base_clean(text: str, lx: _Lexicon) -> str:
    if text.isascii():  # fast path: no emoji, accents or invisible characters to handle
        t = text.lower()
    else:
        t = unicodedata.normalize("NFKC", text)
        t = _INVISIBLE.sub("", t).replace("\u200d", "")
        if lx.emoji_re is not None:
            t = lx.emoji_re.sub(lambda m: " " + lx.emoji[m.group(0)] + " ", t)
        t = t.casefold()
        t = unicodedata.normalize("NFKD", t)
        t = "".join(c for c in t if not unicodedata.combining(c))
    t = _APOSTROPHES.sub("", t)
    t = _LEET_TOKEN.sub(lambda m: _leet(m.group(0), lx), t)
    t = _REPEATS.sub(r"\1\1", t)
    return t


def _finish(t: str, lx: _Lexicon) -> str:
    t = _PUNCT.sub(lambda m: " " + m.group(1) + " ", t)
    t = _OTHER.sub(" ", t)
    t = _SPACES.sub(" ", t).strip()
    if lx.fuzzy_targets:
        t = " ".join(_fuzzy_token(w) if w.isalpha() else w for w in t.split(" "))
    if lx.rewrite_re is not None:
        t = lx.rewrite_re.sub(lambda m: lx.rewrite_to[m.lastgroup or ""], t)
    if lx.fillers is not None:
        t = lx.fillers.sub("", t)
    return " " + _SPACES.sub(" ", t).strip() + " "


def _variants(text: str, lx: _Lexicon) -> list[str]:
    base = _base_clean(text, lx)
    out = [_finish(base, lx)]
    if lx.spaced_letters is not None and lx.spaced_sep is not None:
        joined = lx.spaced_letters.sub(lambda m: lx.spaced_sep.sub("", m.group(0)), base)  # type: ignore[union-attr]
        if joined != base:
            v = _finish(joined, lx)
            if v != out[0]:
                out.append(v)
    return out


def normalise(text: str) -> str:
    """The main normalised form of ``text`` (for tests and debugging; never log its output)."""
    if not isinstance(text, str):
        return ""
    return _variants(text, load_lexicon())[0].strip()


# --------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------


class _Scan:
    """Per-variant helpers: clause boundaries and context look-ups, computed lazily."""

    __slots__ = ("text", "lx", "starts", "ends", "_ctx")

    def __init__(self, text: str, lx: _Lexicon) -> None:
        self.text = text
        self.lx = lx
        starts = [0]
        ends = []
        for m in lx.clause_split.finditer(text):
            ends.append(m.start())
            starts.append(m.end())
        ends.append(len(text))
        self.starts = starts
        self.ends = ends
        self._ctx: dict[tuple[str, int], bool] = {}

    def clause(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.starts, pos) - 1)

    def clause_text(self, idx: int) -> str:
        return self.text[self.starts[idx] : self.ends[idx]]

    def context(self, ctx: _Context, idx: int) -> bool:
        key = (ctx.id, -1 if ctx.scope == "message" else idx)
        hit = self._ctx.get(key)
        if hit is None:
            hay = self.text if ctx.scope == "message" else self.clause_text(idx)
            hit = ctx.regex.search(hay) is not None
            self._ctx[key] = hit
        return hit


def _open_patterns(text: str, lx: _Lexicon) -> list[int]:
    """Indices (into ``lx.flat``, in order) of the patterns whose prefilter passes on ``text``."""
    hits: dict[int, int] = {}
    if lx.trigger_re is not None:
        seen = set()
        for m in lx.trigger_re.finditer(text):
            for lit in lx.trigger_closure[m.group(1)]:
                if lit in seen:
                    continue
                seen.add(lit)
                for idx, bit in lx.postings[lit]:
                    hits[idx] = hits.get(idx, 0) | bit
    full = lx.full
    return sorted(lx.always_open.union(i for i, b in hits.items() if b == full[i]))


def _apply_masks(text: str, lx: _Lexicon, open_idx: list[int] | None = None) -> str:
    if open_idx is None:
        open_idx = _open_patterns(text, lx)
    kept: dict[int, bool] = {}  # mask index -> its `unless` matched the message (mask not applied)
    original = text
    for idx in open_idx:
        if idx >= lx.n_mask_patterns:
            break
        owner, gated = lx.flat[idx]
        unless = lx.masks[owner].unless
        if unless is not None:
            if owner not in kept:
                kept[owner] = unless.search(original) is not None
            if kept[owner]:
                continue
        text = gated.regex.sub(_MASK, text)
    return text


def _judge(entry: _Entry, m: re.Match[str], scan: _Scan) -> tuple[int, bool]:
    """Level rank of one match (0 = no match) and whether it fired plainly (not downgraded)."""
    lx = scan.lx
    text = scan.text
    idx = scan.clause(m.start())
    clause = scan.clause_text(idx)
    escalated = entry.crisis_if is not None and entry.crisis_if.search(text) is not None

    if entry.unless is not None and not escalated and entry.unless.search(clause):
        return 0, False

    downgraded = False
    for ctx in lx.contexts:
        if entry.intent in ctx.intents and scan.context(ctx, idx):
            if ctx.effect == "suppress":
                return 0, False
            # an entry's own escalation ("relapsed last night") outweighs a general context
            # ("used to"); negation and third-party subjects below still downgrade
            if not escalated:
                downgraded = True

    level = CRISIS if escalated else entry.level
    prefix = text[scan.starts[idx] : m.start()]

    if entry.negatable and lx.negation.search(prefix):
        downgraded = True
    if entry.first_person:
        if lx.reported_speech.search(prefix):
            downgraded = True
        elif not lx.first_person.match(m.group(0).lstrip()):
            window = " ".join(_WORD.findall(prefix)[-lx.window_words :])
            if lx.third_party.search(window) and not lx.first_person.search(window):
                downgraded = True
    if entry.downgrade_if is not None and not escalated and entry.downgrade_if.search(clause):
        downgraded = True

    if downgraded:
        return min(_RANK[POSSIBLE], _RANK[level]), False
    return _RANK[level], True


def _screen_variant(
    text: str, lx: _Lexicon, best: dict[str, int], plain_weak: dict[str, set]
) -> None:
    open_idx = _open_patterns(text, lx)
    masked = _apply_masks(text, lx, open_idx)
    if masked != text:
        open_idx = _open_patterns(masked, lx)
    scan = _Scan(masked, lx)
    for idx in open_idx:
        if idx < lx.n_mask_patterns:
            continue
        owner, gated = lx.flat[idx]
        entry = lx.entries[owner]
        if best.get(entry.id) == 2:
            continue
        for m in gated.regex.finditer(masked):
            rank, plain = _judge(entry, m, scan)
            if entry.weak and plain:
                plain_weak.setdefault(entry.intent, set()).add(entry.id)
            if rank == 0:
                continue
            if rank > best.get(entry.id, 0):
                best[entry.id] = rank
            if rank == 2:
                break


def screen(text: str) -> ScreenResult:
    """Screen one message. Pure function of the text and the lexicon; fast; no logging."""
    if not isinstance(text, str) or not text.strip():
        return ScreenResult()
    lx = load_lexicon()
    best: dict[str, int] = {}
    plain_weak: dict[str, set] = {}
    for variant in _variants(text, lx):
        _screen_variant(variant, lx, best, plain_weak)
    for ids in plain_weak.values():
        if len(ids) >= lx.weak_to_crisis:
            for eid in ids:
                best[eid] = 2
    if not best:
        return ScreenResult()

    top = max(best.values())
    level = LEVELS[top]
    intent = min(
        (lx.entry_by_id[eid].intent for eid, r in best.items() if r == top),
        key=lambda name: lx.intent_rank[name],
    )
    matched = sorted(best, key=lambda eid: (-best[eid], lx.entry_order[eid]))
    return ScreenResult(level=level, intent=intent, matched=matched)


def screen_many(texts: Sequence[str]) -> list[ScreenResult]:
    """Screen several messages (convenience for reports)."""
    return [screen(t) for t in texts]
