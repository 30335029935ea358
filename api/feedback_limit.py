"""How often feedback on service cards may be sent, remembering nothing that identifies anyone.

Counts live in this process's memory only, for the current minute, then are forgotten. An address
is never kept as it is: it is counted under a keyed hash whose key is made at random when the
limiter is made and never written anywhere, so not even this process can say later which address
sent what. A ceiling for everyone together keeps a flood from many addresses in check.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable


class FeedbackLimiter:
    """At most `per_client` posts a minute from one address and `overall` from everyone."""

    def __init__(
        self, per_client: int, overall: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._per_client = per_client
        self._overall = overall
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._minute = -1
        self._counts: dict[bytes, int] = {}
        self._total = 0

    def _pseudonym(self, address: str) -> bytes:
        return hmac.new(self._key, address.encode(), hashlib.sha256).digest()[:16]

    def allow(self, address: str) -> bool:
        """Whether one more post from `address` is allowed this minute (and count it if so)."""
        key = self._pseudonym(address)
        minute = int(self._clock() // 60)
        with self._lock:
            if minute != self._minute:
                self._minute, self._counts, self._total = minute, {}, 0
            if self._total >= self._overall or self._counts.get(key, 0) >= self._per_client:
                return False
            self._counts[key] = self._counts.get(key, 0) + 1
            self._total += 1
            return True
