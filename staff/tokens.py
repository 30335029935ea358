"""Random tokens for cookies and links, and the hashes under which they are stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # 256 bits: guessing one is out of reach, so a plain SHA-256 can key it


def new_token() -> str:
    """A URL-safe random token of 256 bits."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The hex SHA-256 of `token`: what is stored, so a copy of the database opens nothing."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def keyed_pseudonym(key: str, kind: str, value: str) -> str:
    """A keyed hash (HMAC-SHA-256) of `value`: the same input gives the same pseudonym, and
    without the key nobody can tell which address or account it stands for."""
    message = f"{kind}:{value}".encode()
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()
