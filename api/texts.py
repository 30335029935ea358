"""The words the API itself may have to say, read from the Rasa domain so they live in one place.

The API speaks for itself only when Rasa or the action server cannot: then it still gives the
crisis response and an honest note. Those responses live in `bot/domain/` like every other word.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from api.core.config import ROOT

DOMAIN_DIR = ROOT / "bot" / "domain"


@cache
def domain_responses(domain_dir: Path = DOMAIN_DIR) -> dict[str, list[dict[str, Any]]]:
    """Every response of the domain files, merged, as Rasa would see them."""
    responses: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(domain_dir.glob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        responses.update(content.get("responses") or {})
    return responses
