"""`make bench`: training time, Rasa memory, parse and chat latency, throughput, directory search.

Figures, not pass/fail. Everything runs on loopback against real processes.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devkit.stack import Stack, build_curated_directory  # noqa: E402

MESSAGES = [
    "I feel really lonely",
    "nobody talks to me at school",
    "my parents argue every night",
    "i cant sleep at all",
    "theres no food in the house",
    "people keep spreading rumours about me",
    "i think i might be gay",
    "my exams are stressing me out",
    "hiya",
    "can i talk to a real person",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(label: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(
        f"  {label:<44} p50 {percentile(ms, 0.5):7.1f} ms   p95 {percentile(ms, 0.95):7.1f} ms"
        f"   (n={len(ms)}, mean {statistics.fmean(ms):.1f} ms)"
    )


def bench_screen() -> None:
    """The safety screen alone, per message (it runs twice a chat turn: API and Rasa)."""
    import yaml

    from safety_screen import screen

    cases = yaml.safe_load((ROOT / "tests/safety/cases.yml").read_text(encoding="utf-8"))
    texts = [c["text"] for c in cases["positives"] + cases["negatives"]]
    for text in texts:
        screen(text)  # the lexicon is compiled once, on first use
    timings = []
    for _ in range(5):
        for text in texts:
            started = time.perf_counter()
            screen(text)
            timings.append(time.perf_counter() - started)
    report("safety screen, one message", timings)


def bench_training(workdir: Path) -> None:
    print("Training (a fresh model from the current data, forced)")
    started = time.perf_counter()
    subprocess.run(
        [
            str(ROOT / ".venv-rasa/bin/rasa"),
            "train",
            "--domain",
            "bot/domain",
            "--data",
            "bot/data",
            "--config",
            "config.yml",
            "--out",
            str(workdir),
            "--force",
            "--quiet",
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"  training time                                {time.perf_counter() - started:7.1f} s")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_parse(stack: Stack) -> None:
    with httpx.Client(timeout=30) as client:
        for text in MESSAGES:  # warm up
            client.post(f"{stack.rasa_url}/model/parse", json={"text": text})
        timings = []
        for i in range(200):
            started = time.perf_counter()
            client.post(f"{stack.rasa_url}/model/parse", json={"text": MESSAGES[i % len(MESSAGES)]})
            timings.append(time.perf_counter() - started)
    report("Rasa /model/parse", timings)


# A need as typed, then the answers to the two questions, typed: each turn queries the directory.
TYPED_TURNS = ["fourteen", "E1 4NS i think"]


def bench_chat(stack: Stack) -> None:
    with httpx.Client(timeout=30) as client:
        timings = []
        conversation = uuid.uuid4().hex
        for i in range(100):
            if i % 3 == 0:
                conversation = uuid.uuid4().hex  # a fresh conversation for each need
            text = [MESSAGES[(i // 3) % len(MESSAGES)], *TYPED_TURNS][i % 3]
            started = time.perf_counter()
            reply = client.post(
                f"{stack.api_url}/api/chat", json={"conversation_id": conversation, "text": text}
            )
            timings.append(time.perf_counter() - started)
            reply.raise_for_status()
    report("/api/chat turn, one conversation (100 turns)", timings)


async def _conversation(client: httpx.AsyncClient, url: str, turns: int, timings: list) -> None:
    conversation = uuid.uuid4().hex
    for i in range(turns):
        text = [MESSAGES[i % len(MESSAGES)], "/skip_question", "/skip_question"][i % 3]
        started = time.perf_counter()
        reply = await client.post(url, json={"conversation_id": conversation, "text": text})
        reply.raise_for_status()
        timings.append(time.perf_counter() - started)


def bench_concurrency(stack: Stack, conversations: int = 20, turns: int = 9) -> None:
    timings: list[float] = []

    async def run() -> None:
        async with httpx.AsyncClient(timeout=60) as client:
            await asyncio.gather(
                *(
                    _conversation(client, f"{stack.api_url}/api/chat", turns, timings)
                    for _ in range(conversations)
                )
            )

    started = time.perf_counter()
    asyncio.run(run())
    elapsed = time.perf_counter() - started
    report(f"/api/chat turn, {conversations} concurrent conversations", timings)
    print(
        f"  throughput with {conversations} conversations            "
        f"{len(timings) / elapsed:7.1f} turns/s"
    )


FUZZ_TURNS = 10_000
FUZZ_STEPS = 20


def bench_fuzzer(stack: Stack) -> None:
    """The conversation fuzzer's long run: 10,000 turns, every rule checked after each."""
    from hypothesis import HealthCheck, settings
    from hypothesis.stateful import run_state_machine_as_test

    from devkit.fuzz import ConversationMachine

    started = time.perf_counter()
    with httpx.Client(timeout=30) as client:
        ConversationMachine.api_url = stack.api_url
        ConversationMachine.client = client
        ConversationMachine.collect = True
        ConversationMachine.turns_sent = 0
        ConversationMachine.problems = []
        # Hypothesis may end a conversation before FUZZ_STEPS: run rounds until 10,000 turns.
        while ConversationMachine.turns_sent < FUZZ_TURNS:
            remaining = FUZZ_TURNS - ConversationMachine.turns_sent
            run_state_machine_as_test(
                ConversationMachine,
                settings=settings(
                    max_examples=max(1, remaining // FUZZ_STEPS),
                    stateful_step_count=FUZZ_STEPS,
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                ),
            )
    elapsed = time.perf_counter() - started
    problems = ConversationMachine.problems
    print(
        f"  conversation fuzzer                          {ConversationMachine.turns_sent:7d} turns"
        f"   {len(problems)} broke a rule   ({elapsed:.0f} s)"
    )
    for problem in problems[:10]:
        print(f"    {problem[:200]}")


def fuzzer_only() -> None:
    """`bench/run.py --fuzzer`: only the 10,000-turn fuzzer, with the current model."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        stack = Stack(workdir=workdir, database_url=build_curated_directory(workdir / "d.db"))
        stack.start()
        try:
            bench_fuzzer(stack)
        finally:
            stack.stop_all()


def main() -> None:
    if "--fuzzer" in sys.argv:
        fuzzer_only()
        return
    print("Safety screen")
    bench_screen()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        bench_training(workdir / "models")
        url = build_curated_directory(workdir / "directory.db")
        stack = Stack(workdir=workdir, database_url=url)
        print("Starting the Rasa server, the action server and the API")
        stack.start()
        try:
            rss = rss_mb(stack.processes["rasa"].pid)
            print(f"  Rasa server RSS after loading                {rss:7.0f} MB")
            bench_parse(stack)
            bench_chat(stack)
            bench_concurrency(stack)
            bench_fuzzer(stack)
        finally:
            stack.stop_all()
    for extra in (
        "bench/directory_bench.py",
        "bench/import_bench.py",
        "bench/widget_bench.py",
        "bench/crosswalk_bench.py",
        "bench/insights_bench.py",
        "bench/workshop_bench.py",
    ):
        if (ROOT / extra).exists():
            print()
            subprocess.run([sys.executable, str(ROOT / extra)], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
