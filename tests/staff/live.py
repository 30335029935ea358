"""The app served by uvicorn on a free loopback port, for the staff pages' browser tests, and the
browser they drive (Debian's chromium through Playwright)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, sync_playwright

from api.main import create_app
from devkit.browser import CHROMIUM, launch
from devkit.stack import free_port
from settings.app import Settings


@contextmanager
def served(database_url: str, folder: Path, **overrides: Any) -> Iterator[str]:
    """The app on `database_url` (development settings: Secure cookies are not sent over
    http://127.0.0.1), running until the block ends; yields its base URL."""
    values: dict[str, Any] = {
        "environment": "development",
        "database_url": database_url,
        "mail_outbox_dir": folder / "outbox",
    }
    settings = Settings(**(values | overrides))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's chromium, launched the project's way (devkit.browser)."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium (make test does)")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()
