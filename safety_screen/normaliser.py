"""Normalising a message before the lexicon's patterns run: NFKC, emoji to words, case,
accents, apostrophes, leetspeak inside words ("k1ll"), letters repeated 3+ times, punctuation as
separate tokens, fuzzy spelling of a few long key words ("sucide"), textspeak rewrites ("wanna" ->
"want to"), filler words; and a second variant that joins spaced-out letters ("k m s").
"""

from __future__ import annotations

import functools
import re
import unicodedata

from safety_screen.compiler import Lexicon, deletes, load_lexicon

# Leetspeak / censoring characters mapped to letters inside words.
_LEET_TOKEN = re.compile(r"[a-z0-9@$!*|]*[0-9@$!*|][a-z0-9@$!*|]*")
_HAS_LETTER = re.compile(r"[a-z]")
_APOSTROPHES = re.compile(r"[\u0027\u2018\u2019\u02bc\u2032\u00b4\u0060]")
_REPEATS = re.compile(r"(.)\1{2,}")
_PUNCT = re.compile(r"([.,!?;:])[.,!?;:\s]*")
_OTHER = re.compile(r"[^a-z0-9.,!?;:\s]+")
_SPACES = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufe0e\ufe0f]")


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
    candidates: set[str] = set()
    for v in deletes(token, 2):
        candidates.update(lx.fuzzy_index.get(v, ()))
    best, best_d = token, 99
    for cand in sorted(candidates):
        d = _osa(token, cand)
        if d <= lx.fuzzy_targets[cand] and d < best_d:
            best, best_d = cand, d
    return best


def _leet(token: str, lx: Lexicon) -> str:
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


def _base_clean(text: str, lx: Lexicon) -> str:
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


def _finish(t: str, lx: Lexicon) -> str:
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


def variants(text: str, lx: Lexicon) -> list[str]:
    """The normalised forms of a message the patterns run on (one or two)."""
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
    return variants(text, load_lexicon())[0].strip()
