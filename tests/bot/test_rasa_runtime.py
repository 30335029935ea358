"""The Rasa runtime's own tests (tests/rasa_runtime: the safety component's decisions and the
tracker store's redaction), run in `.venv-rasa` (Rasa lives only there) as part of this suite."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_rasa_runtime_suite_passes() -> None:
    python = ROOT / ".venv-rasa" / "bin" / "python"
    assert python.exists(), "run `make install` first: the Rasa runtime is missing"
    result = subprocess.run(
        [
            str(python),
            "-m",
            "pytest",
            "-c",
            "tests/rasa_runtime/pytest.ini",
            "--confcutdir",
            "tests/rasa_runtime",
            "--rootdir",
            ".",
            "tests/rasa_runtime",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
