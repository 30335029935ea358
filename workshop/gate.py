"""The gate a candidate must pass before it can be released, as a plain-language report.

The gate is a list of checks, each a small object with a `key`, the messages it needs read by
the models (`texts`) and a `run` that compares the candidate with the live model. The full gate
(`full_gate()`) is every check; tests and benchmarks may run a subset, but a report is
`complete` only when every check of the full gate ran, and only a complete, passed report can be
signed off and released. Any failed check blocks the candidate.

Both models read every message in one process of the Rasa runtime (`scripts/parse_texts.py`,
an in-process Agent per model), so each model is loaded once however many checks read.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from settings.app import ROOT
from workshop.training import RASA, rasa_env
from workshop.training_items import Example

PARSER = ROOT / "scripts" / "parse_texts.py"
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
# (final intent after the safety screen, the model's own top intent before it)
Reading = tuple[str | None, str | None]


class GateError(Exception):
    """A check could not run at all (the candidate then fails, with this message)."""


@dataclass
class GateContext:
    """What the checks compare: the candidate and the live model, and where to work."""

    candidate_model: Path
    live_model: Path
    data_dir: Path
    config: Path
    workdir: Path
    youth_voice: list[Example] = field(default_factory=list)
    safety_sets: list[Path] = field(
        default_factory=lambda: sorted((ROOT / "tests" / "safety").glob("*.yml"))
    )
    held_out_nlu: Path = ROOT / "tests" / "nlu" / "test_nlu.yml"


@dataclass
class Readings:
    """Each model's readings of each text."""

    by_model: dict[str, dict[str, Reading]]
    candidate: str
    live: str

    def of(self, which: str, text: str) -> Reading:
        """The reading of `text` by "candidate" or "live"."""
        model = self.candidate if which == "candidate" else self.live
        return self.by_model[model][text]


@dataclass
class CheckResult:
    """One check's outcome, in plain words."""

    key: str
    title: str
    passed: bool
    summary: str
    lines: list[str] = field(default_factory=list)


class Check(Protocol):
    """One check of the gate."""

    key: str
    title: str

    def texts(self, ctx: GateContext) -> list[str]:
        """The messages both models must read for this check (none: it reads nothing)."""
        ...

    def run(self, ctx: GateContext, readings: Readings) -> CheckResult:
        """Compare the candidate with the live model."""
        ...


def read_texts(
    models: Sequence[Path], texts: list[str], workdir: Path
) -> dict[str, dict[str, Reading]]:
    """Every model's reading of every text, in one process of the Rasa runtime, at low priority.
    Its output is not kept: Rasa's debug log would carry the messages."""
    workdir.mkdir(parents=True, exist_ok=True)
    request, answer = workdir / "parse_request.json", workdir / "readings.json"
    unique = sorted(set(texts))
    request.write_text(json.dumps({"models": [str(m) for m in models], "texts": unique}))
    run = subprocess.run(
        ["nice", "-n", "19", str(RASA_PYTHON), str(PARSER), str(request), str(answer)],
        cwd=ROOT, env={**rasa_env(), "LOG_LEVEL": "ERROR"}, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, check=False,
    )  # fmt: skip
    if run.returncode != 0:
        last = run.stderr.strip().splitlines()[-1:] or [f"exit code {run.returncode}"]
        raise GateError(f"the models could not read the test messages: {last[0][:300]}")
    raw = json.loads(answer.read_text())
    answer.unlink()
    return {model: dict(zip(unique, map(tuple, rows), strict=True)) for model, rows in raw.items()}


def run_rasa(args: list[str], workdir: Path, name: str) -> tuple[int, str]:
    """A Rasa command at the lowest priority; its exit code and its output (kept in a log)."""
    log = workdir / f"{name}.log"
    workdir.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        code = subprocess.run(
            ["nice", "-n", "19", str(RASA), *args], cwd=ROOT, env=rasa_env(), stdout=out,
            stderr=subprocess.STDOUT, check=False,
        ).returncode  # fmt: skip
    return code, log.read_text(errors="replace")


def run_gate(
    ctx: GateContext,
    checks: Sequence[Check],
    on_stage: Callable[[str], None] = lambda _stage: None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> dict[str, Any]:
    """Run `checks` and return the report (passed, complete, each check's result)."""
    texts = [t for check in checks for t in check.texts(ctx)]
    readings = Readings({}, str(ctx.candidate_model), str(ctx.live_model))
    if texts:
        on_stage(f"Both models are reading {len(set(texts))} test messages")
        readings.by_model = read_texts([ctx.candidate_model, ctx.live_model], texts, ctx.workdir)
    results = []
    for check in checks:
        on_stage(f"Checking: {check.title.lower()}")
        try:
            results.append(check.run(ctx, readings))
        except GateError as problem:
            results.append(CheckResult(check.key, check.title, False, str(problem)))
    keys = {result.key for result in results}
    return {
        "passed": all(result.passed for result in results),
        "complete": set(FULL_GATE_KEYS) <= keys,
        "checks": [asdict(result) for result in results],
        "ran_at": now().isoformat(),
    }


def full_gate() -> list[Check]:
    """Every check, in the order the report shows them."""
    from workshop.gate_checks import (
        HeldOutNlu,
        SafetySets,
        StoryTests,
        Validation,
        YouthVoice,
    )

    return [Validation(), StoryTests(), HeldOutNlu(), SafetySets(), YouthVoice()]


FULL_GATE_KEYS = ("validation", "stories", "held_out_nlu", "safety", "youth_voice")


def gate_passed(report: dict[str, Any] | None) -> bool:
    """Whether a stored report is the whole gate, passed."""
    return bool(report and report.get("passed") and report.get("complete"))
