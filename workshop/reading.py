"""What the live bot makes of an example today: Rasa's `POST /model/parse`, with a short timeout.

"The bot already gets this" when its top intent is the one the example was written for; "the bot
gets this wrong today" when not (the example is then worth the most); and a plain "we couldn't
reach the bot" when it does not answer in time. Never fatal: the example is kept either way."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

GETS_IT = "gets_it"
GETS_IT_WRONG = "gets_it_wrong"
UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class ModelReading:
    """The bot's top intent for one text, and whether it is the one meant."""

    outcome: str
    intent: str | None = None
    confidence: float | None = None


def parse(
    text: str, rasa_url: str, *, timeout: float, token: str | None = None
) -> tuple[str, float] | None:
    """The model's top intent and its confidence for `text`; None when the bot can't be reached
    or answers with something that is not a parse."""
    params = {"token": token} if token else None
    try:
        response = httpx.post(
            f"{rasa_url.rstrip('/')}/model/parse",
            json={"text": text},
            params=params,
            timeout=timeout,
        )
        response.raise_for_status()
        top = response.json().get("intent") or {}
        return str(top["name"]), float(top.get("confidence") or 0.0)
    except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError):
        return None


def reading_of(
    text: str, meant: str, rasa_url: str, *, timeout: float, token: str | None = None
) -> ModelReading:
    """Whether the live model already reads `text` as the intent `meant`."""
    found = parse(text, rasa_url, timeout=timeout, token=token)
    if found is None:
        return ModelReading(UNREACHABLE)
    intent, confidence = found
    outcome = GETS_IT if intent == meant else GETS_IT_WRONG
    return ModelReading(outcome, intent, round(confidence, 3))
