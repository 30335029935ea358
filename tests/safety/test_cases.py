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

from devkit.stack import Stack

pytestmark = pytest.mark.e2e

HERE = Path(__file__).parent
CASES = yaml.safe_load((HERE / "cases.yml").read_text(encoding="utf-8"))
# Today's known gaps (scripts/safety_report.py --write-gaps): they still run, marked xfail.
GAPS = yaml.safe_load((HERE / "known_gaps.yml").read_text(encoding="utf-8"))


def cases(kind: str, gaps: list[str], reason: str) -> list:
    known = set(gaps or [])
    return [
        pytest.param(
            case,
            id=f"{case['kind']}-{i}",
            marks=[pytest.mark.xfail(reason=reason, strict=False)] if case["text"] in known else [],
        )
        for i, case in enumerate(CASES[kind])
    ]


def crisis_reply(stack: Stack, text: str) -> dict:
    reply = httpx.post(
        f"{stack.api_url}/api/chat",
        json={"conversation_id": uuid.uuid4().hex, "text": text},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


@pytest.mark.parametrize(
    "case", cases("positives", GAPS["missed"], "known missed crisis message (hazard H1)")
)
def test_crisis_message_gets_the_crisis_response_first(stack: Stack, case: dict) -> None:
    reply = crisis_reply(stack, case["text"])
    assert reply["crisis"] is True, (case, reply["intent"])
    assert reply["messages"][0]["type"] == "crisis"


@pytest.mark.parametrize(
    "case", cases("negatives", GAPS["false_alarms"], "known false alarm (hazard H2)")
)
def test_hard_negative_does_not_get_the_crisis_response(stack: Stack, case: dict) -> None:
    reply = crisis_reply(stack, case["text"])
    assert reply["crisis"] is False, (case, reply["intent"])
