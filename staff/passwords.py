"""Password hashing (argon2id through pwdlib) and the rules a new password must meet.

The rules follow ASVS 4.0.3 V2.1 (NIST SP 800-63B): at least 12 characters, at most 128, any
characters at all (spaces and emoji included, nothing trimmed or truncated), no composition rules,
but not a common password, nor one made of the person's own e-mail address.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from argon2 import Type
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common_passwords.txt"

# argon2id at one of OWASP's recommended profiles: 46 MiB, 1 pass, 1 lane. The memory is what
# makes guessing costly on GPUs, and also what each hash holds on this server; at most
# `STAFF_PASSWORD_HASH_CONCURRENCY` hashes run at once, so a burst of sign-ins needs at most that
# many times 46 MiB (docs/staff/security.md). A stored hash made with other parameters is
# re-hashed with these at the next sign-in.
ARGON2_TIME_COST = 1
ARGON2_MEMORY_COST_KIB = 46 * 1024
ARGON2_PARALLELISM = 1
DEFAULT_CONCURRENT_HASHES = 2

_TRAILING_DIGITS_AND_SYMBOLS = re.compile(r"[\d\W_]+$")
_hash_slots = threading.BoundedSemaphore(DEFAULT_CONCURRENT_HASHES)


def limit_concurrent_hashes(limit: int) -> None:
    """Let at most `limit` hashes or checks run at once (the app sets it from its settings)."""
    global _hash_slots
    _hash_slots = threading.BoundedSemaphore(limit)


@contextmanager
def _hash_slot() -> Iterator[None]:
    """Wait for a free slot: each argon2 computation holds its memory until it ends."""
    slots = _hash_slots
    with slots:
        yield


@cache
def password_hasher() -> PasswordHash:
    """The hasher: argon2id with the parameters above."""
    return PasswordHash(
        (
            Argon2Hasher(
                time_cost=ARGON2_TIME_COST,
                memory_cost=ARGON2_MEMORY_COST_KIB,
                parallelism=ARGON2_PARALLELISM,
                type=Type.ID,
            ),
        )
    )


def hash_password(password: str) -> str:
    """The argon2id hash of `password` (salted; the encoded string carries the parameters)."""
    with _hash_slot():
        return password_hasher().hash(password)


def verify_password(password: str, stored_hash: str | None) -> tuple[bool, str | None]:
    """Whether `password` matches, and a new hash when the stored one used other parameters.

    With no stored hash a dummy hash is still checked, so that an unknown account takes as long
    to refuse as a wrong password (no account discovery by timing)."""
    if stored_hash is None:
        dummy = _dummy_hash()
        with _hash_slot():
            password_hasher().verify(password, dummy)
        return False, None
    with _hash_slot():
        return password_hasher().verify_and_update(password, stored_hash)


@cache
def _dummy_hash() -> str:
    return hash_password("not a password anyone has: only spends the time a check takes")


@cache
def common_passwords() -> frozenset[str]:
    """The common passwords and the words they are built on (lower case), one a line."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, email: str) -> str | None:
    """Why `password` cannot be used by the owner of `email`, in plain words; None if it can."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    lowered = password.lower()
    if len(set(lowered)) < 4:
        return "Password must not be one or two characters repeated"
    base = _TRAILING_DIGITS_AND_SYMBOLS.sub("", lowered)
    common = common_passwords()
    if lowered in common or base in common or _is_repeated_word(base, common):
        return "Password is too common: choose one that is harder to guess"
    local_part = email.lower().split("@", 1)[0]
    if lowered == email.lower() or (len(local_part) >= 4 and local_part in lowered):
        return "Password must not contain your email address"
    return None


def _is_repeated_word(text: str, common: frozenset[str]) -> bool:
    """'passwordpassword', 'qwertyqwerty': a common word said twice or more."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size] in common or size <= 3
    return False
