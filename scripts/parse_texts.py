"""Reads messages with one or more trained models, in the Rasa runtime (.venv-rasa), for the
workshop's gate: each model is loaded once into an in-process Agent and parses every text.

    .venv-rasa/bin/python scripts/parse_texts.py REQUEST.json READINGS.json

REQUEST.json: {"models": [path, ...], "texts": [text, ...]}. READINGS.json: {path: [[intent,
model_intent], ...]}, one pair per text in order: the pipeline's final intent (after the safety
screen) and the model's own top intent before it (`safety_screen.model_intent`). Message text is
never printed or logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


async def read(model: str, texts: list[str]) -> list[list[str | None]]:
    """The two readings of each text by `model`."""
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    readings: list[list[str | None]] = []
    for text in texts:
        parsed = await agent.parse_message(text)
        intent = (parsed.get("intent") or {}).get("name")
        screen = parsed.get("safety_screen") or {}
        readings.append([intent, screen.get("model_intent", intent)])
    return readings


def main() -> int:
    logging.disable(logging.WARNING)
    request = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    texts = [str(t) for t in request["texts"]]
    out = {model: asyncio.run(read(model, texts)) for model in request["models"]}
    Path(sys.argv[2]).write_text(json.dumps(out), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
