"""Training a candidate: its own copy of the training data (bot/data and a generated file of the
approved examples) and `rasa train` at the lowest priority (`nice -n 19`), so the live chat keeps
its speed. Neither bot/data nor the live model is ever written.

    var/workshop/candidates/<id>/data/      bot/data, copied, + nlu/workshop.generated.yml
    var/workshop/candidates/<id>/model.tar.gz
    var/workshop/candidates/<id>/train.log
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from settings.app import ROOT
from workshop.training_items import Example

RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
GENERATED = "workshop.generated.yml"
TAIL_LINES = 12
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class TrainingFailed(Exception):
    """`rasa train` stopped with an error (the message is the end of its log)."""


def candidate_dir(workshop_dir: Path, candidate_id: str) -> Path:
    """Where one candidate's data, model and logs live."""
    return workshop_dir / "candidates" / candidate_id


def rasa_env() -> dict[str, str]:
    """The environment of the Rasa commands: the project importable, no telemetry, quiet."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONWARNINGS": "ignore::DeprecationWarning",
    }


def write_data(folder: Path, examples: list[Example]) -> Path:
    """A fresh copy of bot/data in `folder`/data, with the examples added as one NLU file."""
    data = folder / "data"
    if data.exists():
        shutil.rmtree(data)
    shutil.copytree(ROOT / "bot" / "data", data)
    by_intent: dict[str, list[str]] = {}
    for example in examples:
        by_intent.setdefault(example.intent, [])
        if example.text not in by_intent[example.intent]:
            by_intent[example.intent].append(example.text)
    nlu = [
        {"intent": intent, "examples": "".join(f"- {_one_line(t)}\n" for t in texts)}
        for intent, texts in sorted(by_intent.items())
    ]
    header = "# Written by the youth council workshop from approved examples. Not committed.\n"
    body = yaml.safe_dump({"version": "3.1", "nlu": nlu}, allow_unicode=True, sort_keys=False)
    (data / "nlu" / GENERATED).write_text(header + body, encoding="utf-8")
    return data


def _one_line(text: str) -> str:
    # Square and round brackets would read as entity markup in Rasa's format.
    return " ".join(text.split()).replace("[", "(").replace("]", ")")


def log_tail(path: Path, lines: int = TAIL_LINES) -> str:
    """The last lines of a log, without colour codes or progress-bar redraws."""
    if not path.exists():
        return ""
    raw = path.read_bytes()[-20000:].decode("utf-8", errors="replace")
    cleaned = [ANSI.sub("", line.split("\r")[-1]).rstrip() for line in raw.splitlines()]
    kept = [line[:300] for line in cleaned if line]
    return "\n".join(kept[-lines:])


def train(
    folder: Path,
    config: Path,
    on_tick: Callable[[str], bool],
    tick_seconds: float = 5.0,
) -> Path:
    """Train the model of `folder`'s data with `config` at the lowest priority; `on_tick` gets
    the log's tail every `tick_seconds` and stops the training by returning False.
    Returns the model's path; `TrainingFailed` when it did not train."""
    log = folder / "train.log"
    model = folder / "model.tar.gz"
    model.unlink(missing_ok=True)
    command = [
        "nice", "-n", "19", str(RASA), "train",
        "--domain", str(ROOT / "bot" / "domain"),
        "--data", str(folder / "data"),
        "--config", str(config),
        "--out", str(folder),
        "--fixed-model-name", "model",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=rasa_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        last_tick = time.monotonic()
        try:
            while process.poll() is None:
                time.sleep(0.5)
                if time.monotonic() - last_tick < tick_seconds:
                    continue
                last_tick = time.monotonic()
                if not on_tick(log_tail(log)):
                    raise TrainingFailed("stopped: another worker took the job over")
        finally:
            if process.poll() is None:
                os.killpg(process.pid, 15)
                process.wait(timeout=30)
    if process.returncode != 0 or not model.exists():
        raise TrainingFailed(log_tail(log, 30) or f"rasa train exited with {process.returncode}")
    return model
