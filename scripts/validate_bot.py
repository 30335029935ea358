"""`make validate`: `rasa data validate --fail-on-warnings`, and no warning left unexplained.

Rasa warns that a response "is not used in any story or rule" when only a custom action sends it
(the service cards, the crisis card, the per-need acknowledgements). Those warnings are accepted
only for responses that an action provably sends: the name appears in bot/actions/, or it is a
per-need response (`utter_ack_<intent>`, `utter_trusted_adult_hint_<intent>`) for a need intent.
Any other warning, and any such response that no action sends, fails the check.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
UNUSED = re.compile(r"UserWarning: The utterance '([^']+)' is not used in any story or rule\.")
RASA_WARNING = re.compile(r"(UserWarning|FutureWarning|MissingArgumentWarning): (.*)")
PER_NEED = ("utter_ack_", "utter_trusted_adult_hint_")


def need_intents() -> set[str]:
    contract = yaml.safe_load((ROOT.parent / "shared/contracts/intents.yml").read_text())
    return {name for name, i in contract["intents"].items() if i["tier"] == "need"}


def form_slots() -> set[str]:
    """The slots the domain's forms ask for."""
    slots: set[str] = set()
    for path in (ROOT / "bot/domain").glob("*.yml"):
        for form in (yaml.safe_load(path.read_text()).get("forms") or {}).values():
            slots.update(form.get("required_slots") or [])
    return slots


def sent_by_actions(
    response: str, action_source: str, needs: set[str], form_slots: set[str]
) -> bool:
    """True when a custom action sends `response` (by name, or as a per-need response)."""
    if f'"{response}"' in action_source:
        return True
    if response.startswith("utter_ask_") and response[len("utter_ask_") :] in form_slots:
        return True  # a form asks for its slots with utter_ask_<slot>
    return any(response.startswith(p) and response[len(p) :] in needs for p in PER_NEED)


def main() -> int:
    env = {**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    run = subprocess.run(
        [
            str(ROOT / ".venv-rasa/bin/rasa"),
            "data",
            "validate",
            "--domain",
            "bot/domain",
            "--data",
            "bot/data",
            "--config",
            os.environ.get("RASA_CONFIG", "config.yml"),
            "--fail-on-warnings",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    output = run.stdout + run.stderr
    action_source = "\n".join(p.read_text() for p in (ROOT / "bot/actions").glob("*.py"))
    action_source += (ROOT / "api/conversation.py").read_text()
    needs = need_intents() | {"ask_services"}
    explained, problems = [], []
    for line in output.splitlines():
        unused = UNUSED.search(line)
        if unused:
            name = unused.group(1)
            if sent_by_actions(name, action_source, needs, form_slots()):
                explained.append(name)
            else:
                problems.append(f"response {name!r} is used by no story, rule or action")
            continue
        warning = RASA_WARNING.search(line)
        if warning:
            problems.append(warning.group(2))
    if run.returncode != 0:
        problems.append(f"rasa data validate exited with {run.returncode}")
    print(f"rasa data validate: {len(explained)} responses are sent by custom actions (checked).")
    if problems:
        print(output[-4000:])
        print("Problems:", *problems, sep="\n  - ")
        return 1
    print("rasa data validate: no warnings.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
