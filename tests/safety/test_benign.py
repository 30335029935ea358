"""The harmless readings that stop the model's own risk intent from raising a false alarm."""

from __future__ import annotations

import pytest

from safety_screen import screen
from safety_screen.benign import benign_context


@pytest.mark.parametrize(
    "text",
    [
        "my dad will kill me if he sees my phone bill",
        "i nearly died of embarrassment in assembly",
        "got killed three times in a row in fortnite",
        "essay on how the soldier dies in the poem",
        "in the film the killer turns out to be the teacher",
    ],
)
def test_harmless_readings_are_recognised(text: str) -> None:
    assert benign_context(text)
    assert screen(text).level == "none"


@pytest.mark.parametrize(
    "text",
    [
        "lol anyway i dont want to be here anymore",
        "i used to be fine but now i want to die",
        "how many of my tablets would it take",
    ],
)
def test_laughter_the_past_and_questions_are_not_harmless(text: str) -> None:
    assert not benign_context(text)


def test_a_real_risk_next_to_a_game_is_still_a_crisis() -> None:
    text = "i keep dying in fortnite but honestly i want to kill myself irl"
    assert screen(text).level == "crisis"
