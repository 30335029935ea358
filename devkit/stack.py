"""Starts the real processes (Rasa server, action server, API) on free ports for tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services_directory.curated import load_curated
from services_directory.db import make_engine, make_session_factory, migrate

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "current.tar.gz"
STARTUP_SECONDS = 240


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    """The three processes of the product, started with their own databases in `workdir`."""

    workdir: Path
    database_url: str
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    endpoints_file: Path | None = None
    model: Path = MODEL  # the model the Rasa server starts with

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SANIC_HOST": "127.0.0.1",
            "DATABASE_URL": self.database_url,
            "RASA_URL": self.rasa_url,
            "ACTION_SERVER_URL": f"http://127.0.0.1:{self.action_port}/webhook",
            "API_PORT": str(self.api_port),
            "ENVIRONMENT": "test",
            # Outside development the settings refuse the public development key.
            "STAFF_SECRET_KEY": "test-only-staff-key",
            **self.extra_env,
        }

    def _start(self, name: str, command: list[str]) -> None:
        log = (self.workdir / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_rasa(self) -> None:
        endpoints = self.endpoints_file or self.workdir / "endpoints.yml"
        if self.endpoints_file is None:
            endpoints.write_text(
                f'action_endpoint:\n  url: "http://127.0.0.1:{self.action_port}/webhook"\n'
                "tracker_store:\n  type: bot.tracker_store.RedactingSQLTrackerStore\n"
                f"  dialect: sqlite\n  db: {self.workdir / 'tracker.db'}\n"
            )
        self._start(
            "rasa",
            [
                str(ROOT / ".venv-rasa" / "bin" / "rasa"),
                "run",
                "--enable-api",
                "--model",
                str(self.model),
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(ROOT / "credentials.yml"),
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.rasa_port),
            ],
        )

    def start(self, with_actions: bool = True) -> None:
        """Start the processes and wait until /healthz says every part is up.

        `with_actions=False` shares another stack's action server (same `action_port`).
        """
        if not self.model.exists():
            raise RuntimeError(f"no trained model at {self.model}: run `make train` first")
        if with_actions:
            self._start(
                "actions",
                [
                    str(ROOT / ".venv" / "bin" / "python"),
                    "-m",
                    "rasa_sdk",
                    "--actions",
                    "bot.actions",
                    "--port",
                    str(self.action_port),
                ],
            )
        self.start_rasa()
        self._start(
            "api",
            [
                str(ROOT / ".venv" / "bin" / "uvicorn"),
                "--factory",
                "api.main:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.api_port),
                "--no-access-log",
            ],
        )
        self.wait_healthy()

    def start_worker(self) -> None:
        """The youth council workshop's worker (trains candidates, carries out releases)."""
        self._start("worker", [str(ROOT / ".venv" / "bin" / "python"), "-m", "workshop.worker"])

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        last = None
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited early:\n{self.log_tail(name)}")
            try:
                last = httpx.get(f"{self.api_url}/healthz", timeout=2).json()
                if last["status"] == "ok":
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise RuntimeError(f"the stack did not become healthy: {last}")

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.workdir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def build_curated_directory(path: Path) -> str:
    """A migrated SQLite directory at `path` with the curated data loaded; returns its URL."""
    url = f"sqlite:///{path}"
    migrate(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            load_curated(session)
    finally:
        engine.dispose()
    return url
