"""The conversation fuzzer, seeded and bounded: random sequences of realistic turns through the
real processes, the rules every turn keeps checked after each one (devkit/fuzz.py)."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from devkit.fuzz import ConversationMachine
from devkit.stack import Stack

pytestmark = pytest.mark.e2e

CONVERSATIONS = 25
TURNS_EACH = 12


def test_no_turn_breaks_a_rule(stack: Stack) -> None:
    with httpx.Client(timeout=30) as client:
        ConversationMachine.api_url = stack.api_url
        ConversationMachine.client = client
        ConversationMachine.collect = False
        run_state_machine_as_test(
            ConversationMachine,
            settings=settings(
                max_examples=CONVERSATIONS,
                stateful_step_count=TURNS_EACH,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    assert ConversationMachine.turns_sent >= CONVERSATIONS * 2
