"""Fixtures of the Rasa runtime's tests: the safety component as the graph builds it."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from bot.components.safety_screen import OUTPUT_KEY, SafetyScreen  # noqa: E402


@pytest.fixture(scope="session")
def component() -> SafetyScreen:
    with tempfile.TemporaryDirectory() as tmp:
        built = SafetyScreen.create(
            {**SafetyScreen.get_default_config()},
            LocalModelStorage(Path(tmp)),
            Resource("safety_screen"),
            ExecutionContext(GraphSchema({}), node_name="safety_screen"),
        )
    assert isinstance(built, SafetyScreen)
    return built


def message(text: str, ranking: list[tuple[str, float]]) -> Message:
    """A message as the classifier left it: the made-up ranking, its first entry the intent."""
    intents = [{"name": name, "confidence": conf} for name, conf in ranking]
    return Message(data={TEXT: text, INTENT: dict(intents[0]), INTENT_RANKING_KEY: intents})


def run(component: SafetyScreen, msg: Message) -> tuple[dict[str, Any], dict[str, Any]]:
    (out,) = component.process([msg])
    return out.get(INTENT), out.get(OUTPUT_KEY)


def ranking_names(msg: Message) -> list[str]:
    return [r["name"] for r in msg.get(INTENT_RANKING_KEY)]
