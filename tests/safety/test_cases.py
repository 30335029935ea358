"""Every message of the labelled safety set, through the whole system (`POST /api/chat`).

Positives must get the crisis response first; hard negatives must not. `make safety-report`
prints the same set's figures for the screen alone, the model alone and the whole system.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from tests.stack import Stack

pytestmark = pytest.mark.e2e

CASES = yaml.safe_load((Path(__file__).with_name("cases.yml")).read_text(encoding="utf-8"))


def crisis_reply(stack: Stack, text: str) -> dict:
    reply = httpx.post(
        f"{stack.api_url}/api/chat",
        json={"conversation_id": uuid.uuid4().hex, "text": text},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


@pytest.mark.parametrize(
    "case", CASES["positives"], ids=[f"{c['kind']}-{i}" for i, c in enumerate(CASES["positives"])]
)
def test_crisis_message_gets_the_crisis_response_first(stack: Stack, case: dict) -> None:
    reply = crisis_reply(stack, case["text"])
    assert reply["crisis"] is True, (case, reply["intent"])
    assert reply["messages"][0]["type"] == "crisis"


@pytest.mark.parametrize(
    "case", CASES["negatives"], ids=[f"{c['kind']}-{i}" for i, c in enumerate(CASES["negatives"])]
)
def test_hard_negative_does_not_get_the_crisis_response(stack: Stack, case: dict) -> None:
    reply = crisis_reply(stack, case["text"])
    assert reply["crisis"] is False, (case, reply["intent"])
