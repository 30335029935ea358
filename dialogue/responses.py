"""The domain's responses, read from `bot/domain/` so every word lives in one place.

The API speaks for itself only when Rasa or the action server cannot (the crisis response and an
honest note), and the actions build structured messages (cards) from the same words.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

DOMAIN_DIR = Path(__file__).resolve().parents[1] / "bot" / "domain"


@cache
def domain_responses(domain_dir: Path = DOMAIN_DIR) -> dict[str, list[dict[str, Any]]]:
    """Every response of the domain files, merged, as Rasa would see them."""
    responses: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(domain_dir.glob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        responses.update(content.get("responses") or {})
    return responses
