"""The app served by uvicorn on a free loopback port, for the staff pages' browser tests, and the
browser they drive (Debian's chromium through Playwright)."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pyotp
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.engine import make_url

from api.main import create_app
from devkit.browser import CHROMIUM, launch, open_page
from devkit.stack import free_port
from settings.app import Settings
from tests.staff.helpers import PASSWORD


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


@contextmanager
def serving(app: FastAPI, port: int | None = None) -> Iterator[str]:
    """`app` as built by the caller (with its own dependency overrides, say a clock the test
    moves) under uvicorn on `port` (a free one by default) until the block ends; yields its base
    URL. Knowing the port first lets the settings' PUBLIC_BASE_URL point at the server."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
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
def scratch_database(backend: str, folder: Path, prefix: str = "staff_browser") -> Iterator[str]:
    """A fresh, empty database: a SQLite file in `folder`, or a scratch database on the server of
    TEST_DATABASE_URL (never that shared database itself), dropped after."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'directory.db'}"
        return
    server = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = server.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def signed_in(
    browser: Browser,
    url: str,
    email: str,
    secret: str | None,
    states: dict[str, Any],
    **options: Any,
) -> Iterator[Page]:
    """A page in a context of its own signed in as `email` at `url`: through the pages the first
    time (a TOTP code works once), then with the cookies kept in `states`. Closed after, its
    guard clean."""
    context, page, guard = open_page(browser, 1024, 800, storage_state=states.get(email), **options)
    try:
        if email not in states:
            page.goto(f"{url}/staff/sign-in")
            page.get_by_label("Email address").fill(email)
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            if secret:
                page.get_by_label("Enter your security code").fill(pyotp.TOTP(secret).now())
                page.get_by_role("button", name="Continue").click()
            assert page.url == f"{url}/staff/", page.url
            states[email] = context.storage_state()
        yield page
        guard.assert_clean()
    finally:
        context.close()
