"""Talks to the Rasa server over HTTP: its REST channel for a turn, its HTTP API for the intent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx


class RasaUnavailable(Exception):
    """Rasa did not answer in time, or answered with an error."""


@dataclass(frozen=True)
class RasaTurn:
    """What Rasa said for one user message, and the intent it recognised."""

    replies: list[dict[str, Any]]
    intent: str | None
    intent_confidence: float | None
    slots: dict[str, Any] = field(default_factory=dict)


class RasaClient:
    """A thin async client for the Rasa server's REST channel and HTTP API."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: str | None) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._params = {"token": token} if token else {}

    async def send(self, sender_id: str, text: str) -> RasaTurn:
        """Send one message through the REST channel and read back the recognised intent."""
        try:
            reply = await self._http.post(
                f"{self._base_url}/webhooks/rest/webhook",
                json={"sender": sender_id, "message": text},
            )
            reply.raise_for_status()
            replies = reply.json()
            # include_events=NONE keeps this read cheap however long the conversation is.
            tracker = await self._http.get(
                f"{self._base_url}/conversations/{sender_id}/tracker",
                params={**self._params, "include_events": "NONE"},
            )
            tracker.raise_for_status()
            state = tracker.json()
            latest = state.get("latest_message") or {}
            slots = state.get("slots") or {}
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(type(exc).__name__) from exc
        if not isinstance(replies, list):
            raise RasaUnavailable("unexpected reply from the REST channel")
        intent = latest.get("intent") or {}
        return RasaTurn(
            replies=[r for r in replies if isinstance(r, dict)],
            intent=intent.get("name"),
            intent_confidence=intent.get("confidence"),
            slots=slots if isinstance(slots, dict) else {},
        )

    async def is_up(self) -> bool:
        """True when the Rasa server answers and has a model loaded."""
        try:
            status = await self._http.get(f"{self._base_url}/status", params=self._params)
            return status.status_code == 200 and bool(status.json().get("model_file"))
        except (httpx.HTTPError, ValueError):
            return False
