"""Prints Rasa's intent reports side by side, with the targets of the conversation issue."""

from __future__ import annotations

import json
import sys
from pathlib import Path

RISK = {"suicidal_thoughts", "self_harm", "immediate_danger", "abuse_disclosure"}
SUMMARY = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def main(cv_path: str, heldout_path: str, open_world_path: str | None = None) -> None:
    """Print per-intent P/R/F1 for cross-validation and the held-out file, then the targets."""
    cv = json.loads(Path(cv_path).read_text())
    heldout = json.loads(Path(heldout_path).read_text())
    intents = sorted(k for k in {*cv, *heldout} if k not in SUMMARY)
    print(f"{'intent':<30} {'cross-validation P / R / F1':>30}   {'held-out P / R / F1':>26}")
    for intent in intents:
        row = [f"{intent:<30}"]
        for report in (cv, heldout):
            r = report.get(intent)
            scores = f"{r['precision']:.2f} / {r['recall']:.2f} / {r['f1-score']:.2f}" if r else ""
            row.append(f"{scores} (n={r['support']:>3})" if r else f"{'-':>26}")
        print(row[0], f"{row[1]:>30}", f"  {row[2]:>26}")
    cv_f1, held_f1 = cv["macro avg"]["f1-score"], heldout["macro avg"]["f1-score"]
    print(f"\nmacro-F1 cross-validation {cv_f1:.3f} (target >= 0.90)")
    print(f"macro-F1 held-out         {held_f1:.3f} (target >= 0.94)")
    for intent in sorted(RISK):
        recall = heldout.get(intent, {}).get("recall", float("nan"))
        print(f"held-out recall {intent:<20} {recall:.3f} (target >= 0.95)")
    if open_world_path:
        open_world = json.loads(Path(open_world_path).read_text())
        oos = open_world.get("out_of_scope", {})
        print(
            f"out-of-scope recall, everyday requests {oos.get('recall', float('nan')):.3f} "
            f"(n={oos.get('support', 0)}, the plainly out-of-scope ones of "
            "tests/safety/open_world_*.yml; target >= 0.90)"
        )


if __name__ == "__main__":
    main(*sys.argv[1:4])
