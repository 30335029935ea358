"""Time-based one-time codes (RFC 6238, through pyotp): 6 digits, 30-second steps, SHA-1, as every
authenticator app reads them. A code is accepted one step either side of now (clock drift), and
never twice: the step of the last accepted code is kept, and only later steps pass."""

from __future__ import annotations

import datetime as dt
import hmac
import re

import pyotp

ISSUER = "Youth support directory"
DRIFT_STEPS = 1
# ASCII digits only: `\d` would also take other scripts' digits, which no app shows.
_CODE = re.compile(r"[0-9]{6}")


def new_secret() -> str:
    """A fresh 160-bit base32 secret (the size RFC 4226 recommends)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI that an authenticator app adds the account from."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise_code(code: str) -> str:
    """The code as typed, without the spaces and dashes people put in."""
    return re.sub(r"[\s-]", "", code or "")


def accepted_step(
    secret: str, code: str, now: dt.datetime, last_step: int | None = None
) -> int | None:
    """The time step `code` belongs to when it is valid now and newer than `last_step`, else
    None. Store the step returned as the new `last_step` (a replayed code then fails)."""
    code = normalise_code(code)
    if not _CODE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(code, totp.generate_otp(step)):
            if last_step is not None and step <= last_step:
                return None
            return step
    return None
