"""The checks of the gate (`workshop.gate`), each comparing the candidate with the live model.

- validation: `rasa data validate` on the candidate's data finds no error and no warning that
  the repository's own data does not already have;
- stories: the test stories (tests/stories) with the candidate, no prediction error;
- held_out_nlu: tests/nlu/test_nlu.yml per intent, before (live) and after (candidate): the
  macro-F1 may not fall by more than `NLU_TOLERANCE`, and no crisis intent's recall may fall;
- safety: every safety set (tests/safety/*.yml): crisis recall may not fall and false alarms may
  not rise with the safety screen in the pipeline (what a young person meets); the model's own
  top intent before the screen is shown beside it, for information;
- youth_voice: the frozen youth-voice set may not be read worse than the live model reads it.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml

from safety_screen import RISK_INTENTS
from settings.app import ROOT
from workshop.gate import CheckResult, GateContext, Readings, run_rasa

NLU_TOLERANCE = 0.01
ENTITY_MARKUP = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")
WARNING = re.compile(r"(UserWarning|FutureWarning|MissingArgumentWarning): (.*)")


def _count(flags: list[bool]) -> int:
    return sum(flags)


class Validation:
    key, title = "validation", "The training data is valid"

    def texts(self, ctx: GateContext) -> list[str]:
        return []

    def _warnings(self, ctx: GateContext, data: Path, name: str) -> tuple[int, set[str]]:
        args = ["data", "validate", "--domain", str(ROOT / "bot" / "domain"), "--data", str(data)]
        code, output = run_rasa([*args, "--config", str(ctx.config)], ctx.workdir, name)
        found = {m.group(2).replace(str(data), "DATA") for m in WARNING.finditer(output)}
        return code, found

    def run(self, ctx: GateContext, readings: Readings) -> CheckResult:
        code, warnings = self._warnings(ctx, ctx.data_dir, "validate_candidate")
        _, known = self._warnings(ctx, ROOT / "bot" / "data", "validate_repository")
        new = sorted(warnings - known)
        if code != 0:
            return CheckResult(
                self.key, self.title, False, "Rasa found errors in the training data.", new[:10]
            )
        if new:
            return CheckResult(
                self.key, self.title, False,
                f"{len(new)} new warnings about the training data.", new[:10],
            )  # fmt: skip
        return CheckResult(self.key, self.title, True, "No errors and no new warnings.")


class StoryTests:
    key, title = "stories", "The test conversations still go the right way"

    def texts(self, ctx: GateContext) -> list[str]:
        return []

    def run(self, ctx: GateContext, readings: Readings) -> CheckResult:
        out = ctx.workdir / "stories"
        code, _output = run_rasa(
            ["test", "core", "--model", str(ctx.candidate_model), "--stories",
             str(ROOT / "tests" / "stories"), "--out", str(out),
             "--fail-on-prediction-errors", "--no-plot"],
            ctx.workdir, "test_stories",
        )  # fmt: skip
        failed_file = out / "failed_test_stories.yml"
        failed = failed_file.read_text() if failed_file.exists() else ""
        names = re.findall(r"^- story: (.*)$", failed, flags=re.M)
        if code != 0 or names:
            summary = f"{len(names) or 'Some'} test conversations went a different way."
            return CheckResult(self.key, self.title, False, summary, names[:10])
        return CheckResult(self.key, self.title, True, "Every test conversation went as expected.")


def held_out_examples(path: Path) -> list[tuple[str, str]]:
    """(intent, text) of a Rasa NLU file, with the entity markup taken out."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = []
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((block["intent"], ENTITY_MARKUP.sub(r"\1", line[2:]).strip()))
    return pairs


def per_intent_f1(pairs: list[tuple[str, str]], predicted: list[str | None]) -> dict[str, dict]:
    """Recall and F1 of each intent."""
    truth = Counter(intent for intent, _ in pairs)
    guessed = Counter(predicted)
    right = Counter(i for (i, _), p in zip(pairs, predicted, strict=True) if i == p)
    figures = {}
    for intent, total in truth.items():
        recall = right[intent] / total
        precision = right[intent] / guessed[intent] if guessed[intent] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        figures[intent] = {"recall": recall, "f1": f1}
    return figures


class HeldOutNlu:
    key, title = "held_out_nlu", "The bot understands the held-out test sentences as well as before"

    def texts(self, ctx: GateContext) -> list[str]:
        return [text for _, text in held_out_examples(ctx.held_out_nlu)]

    def run(self, ctx: GateContext, readings: Readings) -> CheckResult:
        pairs = held_out_examples(ctx.held_out_nlu)
        before = per_intent_f1(pairs, [readings.of("live", t)[0] for _, t in pairs])
        after = per_intent_f1(pairs, [readings.of("candidate", t)[0] for _, t in pairs])
        macro_before = sum(f["f1"] for f in before.values()) / max(1, len(before))
        macro_after = sum(f["f1"] for f in after.values()) / max(1, len(after))
        lines = []
        for intent in sorted(before):
            b, a = before[intent]["f1"], after[intent]["f1"]
            if abs(a - b) >= 0.05:
                lines.append(f"{intent}: {'better' if a > b else 'worse'} ({b:.2f} → {a:.2f})")
        risk_worse = [
            i for i in sorted(before) if i in RISK_INTENTS
            and after[i]["recall"] < before[i]["recall"]
        ]  # fmt: skip
        lines += [f"{i}: finds fewer crisis messages than the live bot" for i in risk_worse]
        passed = macro_after >= macro_before - NLU_TOLERANCE and not risk_worse
        summary = (
            f"Average score per intent {macro_before:.3f} before, {macro_after:.3f} after "
            f"({len(pairs)} sentences)."
        )
        return CheckResult(self.key, self.title, passed, summary, lines)


def _safety_set(path: Path) -> tuple[list[str], list[str]]:
    """(crisis messages, messages that must not get the crisis response) of one safety set."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if "requests" in data:
        return [], [r["text"] for r in data["requests"]]
    return [c["text"] for c in data.get("positives", [])], [
        c["text"] for c in data.get("negatives", [])
    ]


class SafetySets:
    """Blocks on what a young person meets: the pipeline's final intent, the safety screen
    included, may not miss a crisis message the live bot recognises, nor raise more false
    alarms, on any set. The model's own reading before the screen is shown for the safety lead
    but does not block: retraining moves a borderline reading or two either way (a candidate
    with four new loneliness examples read 2 of 256 warning signs differently, and one more on
    two other sets), and that reading never reaches anyone on its own."""

    key, title = "safety", "Crisis messages are still recognised, with no more false alarms"

    def texts(self, ctx: GateContext) -> list[str]:
        return [t for path in ctx.safety_sets for part in _safety_set(path) for t in part]

    def run(self, ctx: GateContext, readings: Readings) -> CheckResult:
        lines, passed = [], True
        for path in ctx.safety_sets:
            positives, negatives = _safety_set(path)
            for way, index in (("with the safety screen", 0), ("the model alone", 1)):

                def risky(which: str, texts: list[str], index: int = index) -> int:
                    return _count([readings.of(which, t)[index] in RISK_INTENTS for t in texts])

                found = {w: risky(w, positives) for w in ("live", "candidate")}
                alarms = {w: risky(w, negatives) for w in ("live", "candidate")}
                worse = found["candidate"] < found["live"] or alarms["candidate"] > alarms["live"]
                line = f"{path.stem}, {way}: "
                if positives:
                    line += (
                        f"crisis messages recognised {found['candidate']} of {len(positives)} "
                        f"(live bot {found['live']}); "
                    )
                line += (
                    f"false alarms {alarms['candidate']} of {len(negatives)} "
                    f"(live bot {alarms['live']})"
                )
                if index == 0:
                    passed = passed and not worse
                    lines.append(("NOT SAFER: " if worse else "") + line)
                else:
                    lines.append(
                        ("For information, worse: " if worse else "For information: ") + line
                    )
        summary = (
            "No safety set got worse."
            if passed
            else "On at least one safety set the candidate misses crisis messages the live bot "
            "recognises, or raises more false alarms."
        )
        return CheckResult(self.key, self.title, passed, summary, lines)


class YouthVoice:
    key, title = "youth_voice", "The youth council's own test sentences are understood"

    def texts(self, ctx: GateContext) -> list[str]:
        return [e.text for e in ctx.youth_voice]

    def run(self, ctx: GateContext, readings: Readings) -> CheckResult:
        if not ctx.youth_voice:
            return CheckResult(
                self.key, self.title, True, "There are no youth-voice test sentences yet."
            )
        right = {
            w: _count([readings.of(w, e.text)[0] == e.intent for e in ctx.youth_voice])
            for w in ("live", "candidate")
        }
        total = len(ctx.youth_voice)
        summary = (
            f"Understood {right['candidate']} of {total} (the live bot {right['live']} of {total})."
        )
        return CheckResult(self.key, self.title, right["candidate"] >= right["live"], summary)
