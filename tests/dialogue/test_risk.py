"""Risk that adds up over turns, from the parse data the tracker keeps (never the text)."""

from __future__ import annotations

from dialogue.risk import accumulated, adds_up, turn_signal, user_parses


def parse(level: str = "none", risk: float = 0.0, vetoed: bool = False) -> dict:
    ranking = [{"name": "low_mood", "confidence": 0.5}]
    if risk:
        ranking.insert(1, {"name": "suicidal_thoughts", "confidence": risk})
    return {"intent_ranking": ranking, "safety_screen": {"level": level, "vetoed": vetoed}}


def test_a_turn_signal_is_the_stronger_of_the_screen_and_the_model():
    assert turn_signal(parse()) == 0.0
    assert turn_signal(parse("possible")) == 0.5
    assert turn_signal(parse("crisis")) == 1.0
    assert turn_signal(parse(risk=0.4)) == 0.4
    assert turn_signal(parse(risk=0.4, vetoed=True)) == 0.0


def test_two_possible_signs_in_a_row_add_up():
    first, second = turn_signal(parse("possible")), turn_signal(parse("possible"))
    assert not adds_up([first])
    assert adds_up([first, second])


def test_a_quiet_turn_after_a_disclosure_does_not_repeat_the_card():
    assert not adds_up([1.0, 0.0])
    assert adds_up([1.0, 0.0, 0.5])


def test_old_signals_fade():
    assert accumulated([0.5, 0.0, 0.0, 0.0, 0.4]) == accumulated([0.0, 0.0, 0.4])
    assert not adds_up([0.5, 0.0, 0.0, 0.0, 0.4])


def test_user_parses_reads_only_user_events():
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "parse_data": {"intent": {"name": "greet"}}},
        {"event": "bot", "text": "hi"},
        {"event": "user"},
    ]
    assert user_parses(events) == [{"intent": {"name": "greet"}}, {}]


def test_an_intent_the_screen_forced_counts_as_the_screens_level():
    forced = {
        "intent_ranking": [
            {"name": "suicidal_thoughts", "confidence": 1.0},
            {"name": "out_of_scope", "confidence": 0.6},
        ],
        "safety_screen": {"level": "possible", "overridden": True},
    }
    assert turn_signal(forced) == 0.5
