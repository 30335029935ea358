"""The safety screen as a Rasa pipeline component, checked in the Rasa runtime.

The component imports Rasa, which lives in its own environment (`.venv-rasa`), so the checks are a
script run there (`scripts/check_safety_component.py`): where the recipe places the component,
the crisis override, the fail-safe and whose risk intent it takes, the veto, and `/intent`
payloads. No model is trained; the predictions are made up.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_safety_component_in_rasa_runtime() -> None:
    python = ROOT / ".venv-rasa" / "bin" / "python"
    assert python.exists(), "run `make install` first: the Rasa runtime is missing"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [str(python), str(ROOT / "scripts" / "check_safety_component.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "OK"
