"""The workshop's figures (issue 18): how long a candidate takes to train with the project's
configuration (at `nice -n 19`, as the worker trains it), and the live chat's p95 while it trains
against its p95 idle (targets: at most 5 minutes; within twice the idle p95). The candidate has
20 new examples, so that Rasa's training cache cannot answer for it.

    .venv/bin/python bench/workshop_bench.py [--config tests/workshop/fast_config.yml]
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devkit.stack import Stack, build_curated_directory  # noqa: E402
from workshop.training import train, write_data  # noqa: E402
from workshop.training_items import Example  # noqa: E402

MESSAGES = [
    "I feel really lonely",
    "nobody talks to me at school",
    "my parents argue every night",
    "i cant sleep at all",
    "people keep spreading rumours about me",
    "my exams are stressing me out",
]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


def chat_timings(stack: Stack, seconds: float | None = None, turns: int = 60) -> list[float]:
    """Chat turns one after another through /api/chat: `turns` of them, or for `seconds`."""
    timings: list[float] = []
    start = time.monotonic()
    with httpx.Client(timeout=30) as client:
        while (len(timings) < turns) if seconds is None else (time.monotonic() - start < seconds):
            text = MESSAGES[len(timings) % len(MESSAGES)]
            began = time.perf_counter()
            client.post(
                f"{stack.api_url}/api/chat",
                json={"conversation_id": uuid.uuid4().hex, "text": text},
            ).raise_for_status()
            timings.append(time.perf_counter() - began)
    return timings


def new_examples(count: int = 20) -> list[Example]:
    """Examples no earlier run has trained on (a fresh word in each)."""
    run = uuid.uuid4().hex[:6]
    return [
        Example("feeling_lonely", f"left on read in the {run}{n} group chat again")
        for n in range(count)
    ]


def main() -> None:
    config = ROOT / "config.yml"
    if "--config" in sys.argv:
        config = ROOT / sys.argv[sys.argv.index("--config") + 1]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        stack = Stack(workdir=workdir, database_url=build_curated_directory(workdir / "d.db"))
        print("Workshop: starting the live stack")
        stack.start()
        try:
            chat_timings(stack, turns=10)  # warm up
            idle = chat_timings(stack)
            folder = workdir / "candidate"
            folder.mkdir()
            # New examples, as a real candidate has (with the repository's data alone, Rasa's
            # training cache answers every step and "training" takes seconds).
            write_data(folder, new_examples())
            result: dict[str, float] = {}

            def training() -> None:
                began = time.monotonic()
                train(folder, config, lambda _tail: True)
                result["seconds"] = time.monotonic() - began

            worker = threading.Thread(target=training)
            worker.start()
            time.sleep(5)  # past the start-up, into the training itself
            busy: list[float] = []
            while worker.is_alive():
                busy += chat_timings(stack, seconds=10)
            worker.join()
        finally:
            stack.stop_all()
    print(
        f"  candidate training ({config.name}, nice 19)   {result['seconds']:7.0f} s (target 300)"
    )
    print(f"  live chat p95 idle                         {p95(idle):7.1f} ms (n={len(idle)})")
    print(
        f"  live chat p95 while a candidate trains     {p95(busy):7.1f} ms (n={len(busy)}, "
        f"{p95(busy) / p95(idle):.2f}x idle; target within 2x)"
    )


if __name__ == "__main__":
    main()
