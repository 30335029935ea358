"""Run by `make run` beside the servers: waits until every part answers, prints the URL."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import urllib.request

HOST = os.environ.get("API_HOST", "127.0.0.1")
PORT = os.environ.get("API_PORT", "8000")
URL = f"http://{HOST}:{PORT}"
PATIENCE_SECONDS = 600


def health() -> dict | None:
    try:
        with urllib.request.urlopen(f"{URL}/healthz", timeout=2) as reply:  # noqa: S310 - http only
            return json.load(reply)
    except OSError:
        return None


def main() -> None:
    """Poll /healthz, report progress, print the URL once everything is up, then idle."""
    started = time.monotonic()
    last = None
    while time.monotonic() - started < PATIENCE_SECONDS:
        status = health()
        if status and status.get("status") == "ok":
            print(
                f"\n  The chat is ready: {URL}/\n  Press Ctrl-C to stop every process.\n",
                flush=True,
            )
            signal.pause()
            return
        waiting = (
            "api"
            if status is None
            else ", ".join(k for k, v in status.get("components", {}).items() if v != "ok")
        )
        if waiting != last:
            print(f"waiting for: {waiting}", flush=True)
            last = waiting
        time.sleep(1)
    print(f"gave up after {PATIENCE_SECONDS}s: still waiting for {last}", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
