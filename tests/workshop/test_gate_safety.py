"""The gate's safety check on readings given by hand: what blocks is the pipeline's final
intent (the safety screen included), by even one message on any set; the model's own reading
before the screen is shown for the safety lead and does not block."""

from __future__ import annotations

from pathlib import Path

import yaml

from workshop.gate import GateContext, Readings
from workshop.gate_checks import SafetySets

CRISIS, ORDINARY = "i cant do this anymore, tonight is the night", "this homework is killing me"


def _result(tmp_path: Path, candidate: dict[str, tuple[str, str]]) -> tuple[bool, list[str]]:
    sets = tmp_path / "set.yml"
    sets.write_text(
        yaml.safe_dump({"positives": [{"text": CRISIS}], "negatives": [{"text": ORDINARY}]})
    )
    live = {CRISIS: ("suicidal_thoughts", "suicidal_thoughts"), ORDINARY: ("low_mood", "low_mood")}
    readings = Readings({"candidate": candidate, "live": live}, "candidate", "live")
    context = GateContext(
        candidate_model=Path("candidate"), live_model=Path("live"), data_dir=tmp_path,
        config=tmp_path, workdir=tmp_path, safety_sets=[sets],
    )  # fmt: skip
    result = SafetySets().run(context, readings)
    return result.passed, result.lines


def test_the_same_readings_pass(tmp_path: Path) -> None:
    passed, lines = _result(
        tmp_path,
        {CRISIS: ("suicidal_thoughts", "suicidal_thoughts"), ORDINARY: ("low_mood", "low_mood")},
    )
    assert passed and not any("worse" in line or "NOT SAFER" in line for line in lines)


def test_a_crisis_message_missed_by_the_pipeline_blocks(tmp_path: Path) -> None:
    passed, lines = _result(
        tmp_path, {CRISIS: ("low_mood", "low_mood"), ORDINARY: ("low_mood", "low_mood")}
    )
    assert not passed
    assert lines[0].startswith("NOT SAFER: set, with the safety screen: crisis messages")


def test_one_more_false_alarm_through_the_pipeline_blocks(tmp_path: Path) -> None:
    passed, lines = _result(
        tmp_path,
        {
            CRISIS: ("suicidal_thoughts", "suicidal_thoughts"),
            ORDINARY: ("suicidal_thoughts", "low_mood"),
        },
    )
    assert not passed and "false alarms 1 of 1 (live bot 0)" in lines[0]


def test_the_model_alone_worse_is_shown_but_does_not_block(tmp_path: Path) -> None:
    # The screen still finds the crisis message; the model's own reading moved.
    passed, lines = _result(
        tmp_path,
        {CRISIS: ("suicidal_thoughts", "low_mood"), ORDINARY: ("low_mood", "low_mood")},
    )
    assert passed
    assert lines[1].startswith("For information, worse: set, the model alone")
