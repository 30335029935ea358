"""The conversation scenarios (tests/conversations/*.yml) through the real processes: every turn
keeps the rules that always hold and meets its own expectations (FORMAT.md)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from devkit.conversations import load_scenarios, needs_by_service, run_scenario
from devkit.stack import Stack
from dialogue.intents import topic_payloads

pytestmark = pytest.mark.e2e

FOLDER = Path(__file__).resolve().parents[1] / "conversations"
SCENARIOS = load_scenarios(sorted(FOLDER.glob("*.yml")))


@pytest.fixture(scope="module")
def needs_of(curated_directory_url: str):
    needs = needs_by_service(curated_directory_url)
    return lambda service_id: needs.get(service_id, set())


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=30) as http:
        yield http


def test_there_are_enough_scenarios():
    assert len(SCENARIOS) >= 60


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: f"{s.source}:{s.name}"[:90])
def test_conversation(stack: Stack, client, needs_of, scenario) -> None:
    result = run_scenario(client, stack.api_url, scenario, needs_of, topic_payloads())
    assert not result.failures, "\n".join(result.failures)
