"""`make validate`: `rasa data validate --fail-on-warnings`, and no warning left unexplained.

Rasa warns that a response "is not used in any story or rule" when only a custom action sends it
(the service cards, the crisis cards, the per-need acknowledgements). Those warnings are accepted
only for responses that an action provably sends: the name appears in bot/actions/, in the
dialogue core (dialogue/*.py, the cards of dialogue/cards.yml), or it is one of a family the core
names by a key: per need (`utter_ack_<intent>`, `utter_trusted_adult_hint_<intent>`,
`utter_tips_<intent>`), per question (`utter_ask_`, `utter_reask_`, `utter_why_<slot>`), per age
band (`utter_age_<band>`) and per telling topic (`utter_telling_<topic>`). Any other warning,
and any such response that no action sends, fails the check.
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
PER_NEED = ("utter_ack_", "utter_trusted_adult_hint_", "utter_tips_")


def need_intents() -> set[str]:
    contract = yaml.safe_load((ROOT.parent / "shared/contracts/intents.yml").read_text())
    return {name for name, i in contract["intents"].items() if i["tier"] == "need"}


def keyed_families(needs: set[str]) -> dict[str, set[str]]:
    """Response name prefix -> the keys the dialogue core completes it with."""
    sys.path.insert(0, str(ROOT))
    from dialogue.state import QUESTIONS
    from dialogue.telling import TOPICS

    families = {prefix: set(needs) | {"general"} for prefix in PER_NEED}
    for prefix in ("utter_ask_", "utter_reask_", "utter_why_"):
        families[prefix] = set(QUESTIONS) | {"general"}
    families["utter_age_"] = {"younger", "older"}
    families["utter_telling_"] = {topic for topic, _ in TOPICS} | {"you_decide"}
    return families


def sent_by_actions(response: str, action_source: str, families: dict[str, set[str]]) -> bool:
    """True when a custom action sends `response` (by name, or as one of a keyed family)."""
    if f'"{response}"' in action_source or f" {response}\n" in action_source:
        return True
    return any(
        response.startswith(prefix) and response[len(prefix) :] in keys
        for prefix, keys in families.items()
    )


def main() -> int:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_localities_nlu.py")], check=True
    )
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
    sources = [*(ROOT / "bot/actions").glob("*.py"), *(ROOT / "dialogue").glob("*.py")]
    sources += [ROOT / "api/conversation.py", ROOT / "dialogue/cards.yml"]
    action_source = "\n".join(p.read_text() for p in sources)
    families = keyed_families(need_intents() | {"ask_services", "worried_about_someone"})
    explained, problems = [], []
    for line in output.splitlines():
        unused = UNUSED.search(line)
        if unused:
            name = unused.group(1)
            if sent_by_actions(name, action_source, families):
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
