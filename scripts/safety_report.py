"""`make safety-report`: recall on crisis messages and false positives on hard negatives.

For the labelled set in tests/safety/cases.yml, three ways:
- the safety screen alone (safety_screen.screen, level "crisis"),
- the dialogue model alone (its own top intent before the screen, from /model/parse),
- the whole system through /api/chat (`crisis: true`), with real processes on loopback.
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devkit.stack import Stack, build_curated_directory  # noqa: E402
from dialogue.intents import RISK_INTENTS  # noqa: E402
from safety_screen import screen  # noqa: E402


def load_cases() -> tuple[list[dict], list[dict]]:
    cases = yaml.safe_load((ROOT / "tests/safety/cases.yml").read_text())
    return cases["positives"], cases["negatives"]


def line(label: str, positives: list[bool], negatives: list[bool]) -> None:
    recall = sum(positives) / len(positives)
    false_positive_rate = sum(negatives) / len(negatives)
    print(
        f"  {label:<34} recall {recall:.3f} ({sum(positives)}/{len(positives)})   "
        f"false positives {false_positive_rate:.3f} ({sum(negatives)}/{len(negatives)})"
    )


def misses(label: str, cases: list[dict], flags: list[bool], want: bool) -> None:
    wrong = [c for c, f in zip(cases, flags, strict=True) if f != want]
    for case in wrong:
        print(f"    {label}: [{case['kind']}] {case['text']}")


def main() -> None:
    positives, negatives = load_cases()
    verbose = "-v" in sys.argv
    print(
        f"Labelled set: {len(positives)} crisis/safeguarding messages, "
        f"{len(negatives)} hard negatives\n"
    )

    screen_pos = [screen(c["text"]).level == "crisis" for c in positives]
    screen_neg = [screen(c["text"]).level == "crisis" for c in negatives]
    line("safety screen alone", screen_pos, screen_neg)

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        stack = Stack(workdir=workdir, database_url=build_curated_directory(workdir / "d.db"))
        stack.start()
        try:
            with httpx.Client(timeout=30) as client:

                def model_flags(cases: list[dict]) -> list[bool]:
                    flags = []
                    for case in cases:
                        parsed = client.post(
                            f"{stack.rasa_url}/model/parse", json={"text": case["text"]}
                        ).json()
                        model_intent = (parsed.get("safety_screen") or {}).get("model_intent")
                        flags.append(model_intent in RISK_INTENTS)
                    return flags

                def system_flags(cases: list[dict]) -> tuple[list[bool], list[bool]]:
                    crisis, check = [], []
                    for case in cases:
                        reply = client.post(
                            f"{stack.api_url}/api/chat",
                            json={"conversation_id": uuid.uuid4().hex, "text": case["text"]},
                        ).json()
                        crisis.append(bool(reply["crisis"]))
                        check.append(bool(reply.get("risk_check")))
                    return crisis, check

                model_pos, model_neg = model_flags(positives), model_flags(negatives)
                line("dialogue model alone", model_pos, model_neg)
                (system_pos, check_pos), (system_neg, check_neg) = (
                    system_flags(positives),
                    system_flags(negatives),
                )
                line("whole system via /api/chat", system_pos, system_neg)
                either_pos = [a or b for a, b in zip(system_pos, check_pos, strict=True)]
                either_neg = [a or b for a, b in zip(system_neg, check_neg, strict=True)]
                line("whole system, crisis or check", either_pos, either_neg)
                line("whole system, the check alone", check_pos, check_neg)
        finally:
            stack.stop_all()
    print("\n  targets for the whole system: recall >= 0.98, false positives <= 0.05")
    if verbose:
        misses("missed", positives, system_pos, True)
        misses("false alarm", negatives, system_neg, False)
    if "--write-gaps" in sys.argv:
        write_gaps(positives, system_pos, negatives, system_neg)


def write_gaps(
    positives: list[dict], system_pos: list[bool], negatives: list[dict], system_neg: list[bool]
) -> None:
    """Record today's misses and false alarms, which tests/safety/test_cases.py marks xfail."""
    gaps = {
        "missed": [c["text"] for c, f in zip(positives, system_pos, strict=True) if not f],
        "false_alarms": [c["text"] for c, f in zip(negatives, system_neg, strict=True) if f],
    }
    header = (
        "# Known gaps of the whole system on tests/safety/cases.yml, written by\n"
        "# `python scripts/safety_report.py --write-gaps`. tests/safety/test_cases.py marks these\n"
        "# cases xfail (they still run). Every entry is a safety gap to close, not an accepted\n"
        "# result: see docs/safety/hazard-log.md (H1, H2).\n"
    )
    path = ROOT / "tests/safety/known_gaps.yml"
    path.write_text(header + yaml.safe_dump(gaps, allow_unicode=True, sort_keys=False))
    print(f"\nwrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
