"""`make run`: start the processes of the Procfile with their output in var/log/, show a short
progress summary until /healthz says every part is up, print the chat's address, and stop
everything cleanly on Ctrl-C.

    .venv/bin/python -m devkit.run
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
PROCFILE = ROOT / "Procfile"
LOGS = ROOT / "var" / "log"
PATIENCE_SECONDS = 600
STOP_SECONDS = 20
WAITING_FOR = {
    "api": "the API",
    "rasa": "the Rasa server (loading the model takes a little while)",
    "actions": "the action server",
    "database": "the directory database",
}


def procfile(path: Path = PROCFILE) -> dict[str, str]:
    """The processes of a Procfile: name -> shell command."""
    processes = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            processes[name.strip()] = command.strip()
    return processes


class Supervisor:
    """The running processes, each in its own session so that Ctrl-C reaches only us and we stop
    them in an orderly way."""

    def __init__(
        self, commands: dict[str, str], logs: Path, stop_seconds: float = STOP_SECONDS
    ) -> None:
        self.commands = commands
        self.logs = logs
        self.stop_seconds = stop_seconds
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        for name, command in self.commands.items():
            with (self.logs / f"{name}.log").open("wb") as log:
                self.processes[name] = subprocess.Popen(
                    ["bash", "-c", command],
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )

    def exited(self) -> str | None:
        """The name of a process that has stopped on its own, if any."""
        return next((n for n, p in self.processes.items() if p.poll() is not None), None)

    def stop(self) -> None:
        """SIGINT to each (what Ctrl-C would send), then SIGKILL whatever is still running."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
        deadline = time.monotonic() + self.stop_seconds
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def tail(self, name: str, lines: int = 30) -> str:
        text = (self.logs / f"{name}.log").read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def health(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as reply:  # noqa: S310 - local
            return json.load(reply)
    except (OSError, ValueError):
        return None


def waiting_for(status: dict | None) -> list[str]:
    """The parts that are not up yet, as /healthz reports them."""
    if status is None:
        return ["api"]
    return [k for k, v in (status.get("components") or {}).items() if v != "ok"]


def wait_until_ready(supervisor: Supervisor, url: str) -> bool:
    """Print each change of what is still starting; True once every part is up."""
    started, last = time.monotonic(), None
    while time.monotonic() - started < PATIENCE_SECONDS:
        gone = supervisor.exited()
        if gone:
            print(f"\n{gone} stopped while starting. The end of var/log/{gone}.log:\n")
            print(supervisor.tail(gone), flush=True)
            return False
        status = health(url)
        if status and status.get("status") == "ok":
            return True
        parts = waiting_for(status)
        if parts != last:
            print("    waiting for " + ", ".join(WAITING_FOR.get(p, p) for p in parts), flush=True)
            last = parts
        time.sleep(1)
    print(f"gave up after {PATIENCE_SECONDS}s, still waiting for {', '.join(last or [])}")
    return False


def main() -> int:
    url = f"http://{os.environ.get('API_HOST', '127.0.0.1')}:{os.environ.get('API_PORT', '8000')}"
    supervisor = Supervisor(procfile(), LOGS)

    def interrupted(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # Our own handlers, so that Ctrl-C works even when started with SIGINT ignored (the children
    # start with the default handling, not an inherited "ignore").
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    names = ", ".join(supervisor.commands)
    print(f"==> Starting {names} (their output goes to var/log/)", flush=True)
    supervisor.start()
    try:
        if not wait_until_ready(supervisor, url):
            return 1
        print(f"\n  The chat is ready: {url}/\n  Press Ctrl-C to stop.\n", flush=True)
        while (gone := supervisor.exited()) is None:
            time.sleep(1)
        print(f"\n{gone} stopped. The end of var/log/{gone}.log:\n\n{supervisor.tail(gone)}")
        return 1
    except KeyboardInterrupt:
        print("\n==> Stopping...", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        supervisor.stop()
        print("==> Stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
