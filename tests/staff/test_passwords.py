"""Password rules (ASVS V2.1), argon2id hashing, and the TOTP codes."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator

import pyotp
import pytest

from staff import passwords
from staff.passwords import (
    DEFAULT_CONCURRENT_HASHES,
    hash_password,
    limit_concurrent_hashes,
    password_problem,
    verify_password,
)
from staff.totp import accepted_step, grouped, new_secret, provisioning_uri

EMAIL = "sam.jones@council.example"


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "Tr0ub4dor&3-but-longer",
        "🙂 emoji and spaces are fine",
        "x" * 20 + "yz12",
    ],
)
def test_long_uncommon_passwords_are_accepted(password: str) -> None:
    assert password_problem(password, EMAIL) is None


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short one", "12 characters or more"),
        ("a" * 129, "128 characters or fewer"),
        ("aaaaaaaaaaaaaaa", "repeated"),
        ("abababababababab", "repeated"),
        ("password1234", "too common"),
        ("Password123!!", "too common"),
        ("qwertyqwerty", "too common"),
        ("Liverpool2024!", "too common"),
        ("sam.jones2024!", "email address"),
        ("SAM.JONES@council.example", "email address"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, why: str) -> None:
    problem = password_problem(password, EMAIL)
    assert problem and why in problem


def test_argon2id_hashes_verify_and_never_contain_the_password() -> None:
    stored = hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$v=19$m=47104,t=1,p=1$")  # OWASP: 46 MiB, t=1, p=1
    assert "horse" not in stored
    assert verify_password("correct horse battery staple", stored) == (True, None)
    assert verify_password("correct horse battery stapler", stored)[0] is False
    assert verify_password("anything", None) == (False, None)


def test_totp_codes_work_within_a_step_either_side_and_never_twice() -> None:
    secret = new_secret()
    assert len(secret) == 32 and len(grouped(secret).split()) == 8
    now = dt.datetime(2027, 3, 1, 12, 0, 10, tzinfo=dt.UTC)
    totp = pyotp.TOTP(secret)
    step = accepted_step(secret, totp.at(now), now)
    assert step == totp.timecode(now)
    assert accepted_step(secret, totp.at(now), now, last_step=step) is None  # replayed
    late = now + dt.timedelta(seconds=30)
    assert accepted_step(secret, totp.at(now), late) == step  # drift of one step
    assert accepted_step(secret, totp.at(now), now + dt.timedelta(seconds=90)) is None
    code = totp.at(now)
    assert accepted_step(secret, f"{code[:3]} {code[3:]}", now) == step  # spaces typed
    for bad in ("", "12345", "1234567", "abcdef"):
        assert accepted_step(secret, bad, now) is None


def test_only_ascii_digits_make_a_code() -> None:
    """Other scripts' digits are not a code (and must not reach a comparison that needs ASCII)."""
    secret = new_secret()
    now = dt.datetime(2027, 3, 1, 12, 0, 10, tzinfo=dt.UTC)
    code = pyotp.TOTP(secret).at(now)
    arabic_indic = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    fullwidth = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    for typed in (arabic_indic, fullwidth, "é" * 6):
        assert accepted_step(secret, typed, now) is None


@pytest.fixture
def two_at_once() -> Iterator[None]:
    limit_concurrent_hashes(2)
    yield
    limit_concurrent_hashes(DEFAULT_CONCURRENT_HASHES)


def test_no_more_hashes_run_at_once_than_allowed(
    two_at_once: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each argon2 hash holds 46 MiB while it runs: a burst of sign-ins waits its turn instead."""
    lock, release, two_inside = threading.Lock(), threading.Event(), threading.Event()
    inside, most = 0, 0

    class HeldHasher:
        def hash(self, password: str) -> str:
            nonlocal inside, most
            with lock:
                inside += 1
                most = max(most, inside)
                if inside == 2:
                    two_inside.set()
            release.wait(5)
            with lock:
                inside -= 1
            return "hashed"

    monkeypatch.setattr(passwords, "password_hasher", HeldHasher)
    threads = [threading.Thread(target=hash_password, args=("x",)) for _ in range(5)]
    for thread in threads:
        thread.start()
    assert two_inside.wait(5)
    time.sleep(0.1)  # room for a third to get in, were it let
    assert inside == 2
    release.set()
    for thread in threads:
        thread.join(5)
    assert most == 2 and inside == 0


def test_the_provisioning_uri_names_the_service_and_the_account() -> None:
    secret = "JBSWY3DPEHPK3PXP" * 2
    uri = provisioning_uri(secret, "sam@council.example")
    assert uri.startswith("otpauth://totp/Youth%20support%20directory:sam%40council.example?")
    assert f"secret={secret}" in uri and "issuer=Youth%20support%20directory" in uri
