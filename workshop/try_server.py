"""The "try it" servers: a Rasa server per candidate, started on demand on a free loopback port
with its HTTP API, sharing the live action server, keeping conversations in memory only, and
stopped after `WORKSHOP_TRY_IDLE_MINUTES` without a message (or when its process ends).

One `TryServers` per API process (kept on the app's state): with several API processes, each
starts its own, which only costs memory.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from settings.app import ROOT
from workshop.training import RASA, rasa_env


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class TryServer:
    """One candidate's server."""

    process: subprocess.Popen[bytes]
    port: int
    last_used: float = field(default_factory=time.monotonic)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ready(self) -> bool:
        """Whether it answers with its model loaded."""
        try:
            return bool(httpx.get(f"{self.url}/status", timeout=1).json().get("model_file"))
        except (httpx.HTTPError, ValueError):
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


class TryServers:
    """The candidates' servers of this process, and the thread that stops idle ones."""

    def __init__(self, workdir: Path, action_server_url: str, idle_seconds: float) -> None:
        self.workdir = workdir
        self.action_server_url = action_server_url
        self.idle_seconds = idle_seconds
        self._servers: dict[str, TryServer] = {}
        self._lock = threading.Lock()
        self._reaper: threading.Thread | None = None

    def server_for(self, candidate_id: str, model_path: str) -> TryServer:
        """The candidate's server, started now if it is not running (it may still be loading)."""
        with self._lock:
            server = self._servers.get(candidate_id)
            if server is not None and server.process.poll() is None:
                server.last_used = time.monotonic()
                return server
            folder = self.workdir / "try" / candidate_id
            folder.mkdir(parents=True, exist_ok=True)
            endpoints = folder / "endpoints.yml"
            endpoints.write_text(f'action_endpoint:\n  url: "{self.action_server_url}"\n')
            port = free_port()
            log = (folder / "rasa.log").open("wb")
            process = subprocess.Popen(
                ["nice", "-n", "10", str(RASA), "run", "--enable-api", "--model", model_path,
                 "--endpoints", str(endpoints), "--interface", "127.0.0.1", "--port", str(port)],
                cwd=ROOT, env={**rasa_env(), "LOG_LEVEL": "WARNING"}, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
            log.close()
            server = self._servers[candidate_id] = TryServer(process, port)
            self._start_reaper()
            return server

    def stop_idle(self, now: float | None = None) -> list[str]:
        """Stop the servers unused for longer than the idle limit; their candidates' ids."""
        now = time.monotonic() if now is None else now
        with self._lock:
            idle = [
                key
                for key, server in self._servers.items()
                if now - server.last_used > self.idle_seconds or server.process.poll() is not None
            ]
            for key in idle:
                self._servers.pop(key).stop()
        return idle

    def stop_all(self) -> None:
        with self._lock:
            for server in self._servers.values():
                server.stop()
            self._servers.clear()

    def _start_reaper(self) -> None:
        if self._reaper is not None and self._reaper.is_alive():
            return

        def reap() -> None:
            while True:
                time.sleep(min(60.0, self.idle_seconds / 2))
                self.stop_idle()
                with self._lock:
                    if not self._servers:
                        return

        self._reaper = threading.Thread(target=reap, name="workshop-try-reaper", daemon=True)
        self._reaper.start()
