"""The widget with its own stack: a directory holding a service named with markup, quick exit
pointed at a page of the API itself, and a second local site that embeds the chat."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import yaml
from playwright.sync_api import Page, expect

from devkit.browser import BOT, send, session_storage, until_services
from devkit.stack import Stack, build_curated_directory, free_port
from services_directory.curated import data_dir, load_curated
from services_directory.db import make_engine, make_session_factory
from tests.web.conftest import PageFactory

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_SUMMARY = "<b>Test</b> entry <script>alert(2)</script> with markup in its words."
HOSTILE_SLUG = "hostile-markup-test"


def hostile_service() -> dict:
    """A service whose words are markup, with a phone, a text number and a web link."""
    return {
        "slug": HOSTILE_SLUG,
        "name": HOSTILE_NAME,
        "organization": {"name": "<i>Org</i>", "url": "https://example.org/", "description": "x"},
        "summary": HOSTILE_SUMMARY,
        "description": "A test entry, not a real service. <a href='javascript:alert(3)'>x</a>",
        "what_happens": "<svg onload=alert(4)> then someone answers.",
        "confidentiality": {"anonymous": True, "summary": "<iframe src=//evil.example>"},
        "crisis": False,
        "crisis_order": None,
        "minimum_age": None,
        "maximum_age": None,
        "eligibility_description": "Anyone",
        "cost": "free",
        "languages": ["english"],
        "area": "national",
        "localities": [],
        "contact_modes": [
            {
                "mode": "call",
                "value": "020 7946 0999",
                "label": "Call <u>020 7946 0999</u>",
                "href": "tel:02079460999",
                "hours": "always",
            },
            {
                "mode": "text",
                "value": "07700900999",
                "body": "HELLO",
                "label": "Text HELLO to <b>07700900999</b>",
                "href": "sms:07700900999?&body=HELLO",
                "hours": "always",
            },
        ],
        "open_24_7": True,
        "closed_on_bank_holidays": False,
        "url": "https://example.org/hostile",
        "email": None,
        "source_url": "https://example.org/hostile",
        "last_verified": dt.date(2026, 11, 23),
        "sample": True,
    }


def build_hostile_directory(workdir: Path) -> str:
    """The curated directory plus the hostile service, first for `feeling_lonely`."""
    url = build_curated_directory(workdir / "directory.db")
    data = workdir / "curated"
    shutil.copytree(data_dir(), data)
    national = data / "national_services.yml"
    services = yaml.safe_load(national.read_text(encoding="utf-8"))
    national.write_text(yaml.safe_dump([*services, hostile_service()]), encoding="utf-8")
    taxonomy_file = data / "taxonomy.yml"
    taxonomy = yaml.safe_load(taxonomy_file.read_text(encoding="utf-8"))
    terms = taxonomy["terms"] if isinstance(taxonomy, dict) else taxonomy
    lonely = next(t for t in terms if t["code"] == "feeling_lonely")
    lonely["services"].insert(0, HOSTILE_SLUG)
    taxonomy_file.write_text(yaml.safe_dump(taxonomy), encoding="utf-8")
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            load_curated(session, data)
    finally:
        engine.dispose()
    return url


@dataclass
class ConfiguredStack(Stack):
    """A Stack with extra settings in its processes' environment."""

    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {**super().env(), **self.extra_env}


class HostSite:
    """Another local site (another origin: another port) that embeds the chat with one tag."""

    def __init__(self, chat_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        pages = {
            "/": (
                "<!doctype html><html lang='en'><head><title>School site</title></head><body>"
                "<h1>Eastbridge School</h1><p>News and dates.</p>"
                f"<script src='{chat_url}/widget.js' defer></script></body></html>"
            ),
            "/before": "<!doctype html><title>Before</title><h1>Before</h1>",
        }

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                body = pages.get(self.path.split("?")[0])
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write((body or "not found").encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ConfiguredStack, HostSite]]:
    """Rasa, actions and API on the hostile directory, plus the embedding site."""
    workdir = tmp_path_factory.mktemp("widget-stack")
    live = ConfiguredStack(workdir=workdir, database_url=build_hostile_directory(workdir))
    host = HostSite(live.api_url)
    live.extra_env = {
        "QUICK_EXIT_URL": f"{live.api_url}/healthz",
        "EMBED_ORIGINS": json.dumps([host.url]),
    }
    host.start()
    try:
        live.start()
        yield live, host
    finally:
        live.stop_all()
        host.stop()


def exit_url(live: Stack) -> str:
    return f"{live.api_url}/healthz"


def test_markup_in_directory_data_renders_as_text(new_page: PageFactory, site) -> None:
    live, _ = site
    page, guard = new_page()
    page.goto(f"{live.api_url}/")
    until_services(page)

    titles = page.locator("#log .cards .card-title > span:first-child").all_inner_texts()
    assert HOSTILE_NAME in titles, titles
    card = page.locator("#log .cards .card").filter(has_text=HOSTILE_NAME)
    expect(card.locator(".summary")).to_have_text(HOSTILE_SUMMARY)
    # Nothing from the data became an element; no script ran.
    for tag in ("img", "script", "svg", "iframe", "b", "u", "i"):
        assert page.locator(f"#log {tag}").count() == 0, tag
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    # Its links are its structured routes: tel: and sms:, with plain text labels.
    expect(card.locator("a[href='tel:02079460999']")).to_have_text("Call <u>020 7946 0999</u>")
    expect(card.locator("a[href^='sms:07700900999']")).to_contain_text("<b>07700900999</b>")
    hrefs = card.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert all(h.startswith(("tel:", "sms:", "https:")) for h in hrefs), hrefs
    guard.assert_clean()  # includes: no alert() dialog opened


def start_chat_after_another_page(new_page: PageFactory, live: Stack, host: HostSite) -> Page:
    """A tab that visited another page first, then the chat, then said something."""
    page, guard = new_page()
    page.goto(f"{host.url}/before")
    page.goto(f"{live.api_url}/")
    send(page, "hiya")
    assert "support-chat-id" in session_storage(page)
    page.evaluate("sessionStorage.setItem('other-thing', 'x')")
    page.guard = guard  # type: ignore[attr-defined]
    return page


def assert_left_without_trace(page: Page, live: Stack, host: HostSite) -> None:
    page.wait_for_url(exit_url(live))
    # The exit page is on the chat's own origin here, so its sessionStorage is the chat's.
    assert session_storage(page) == {}
    expect(page.locator("#log")).to_have_count(0)
    page.go_back()
    page.wait_for_load_state()
    assert page.url == f"{host.url}/before", "Back must not return to the chat"
    expect(page.locator("#log")).to_have_count(0)
    page.guard.assert_clean()  # type: ignore[attr-defined]


def test_quick_exit_button(new_page: PageFactory, site) -> None:
    live, host = site
    page = start_chat_after_another_page(new_page, live, host)
    page.get_by_role("link", name="Exit this page").click()
    assert_left_without_trace(page, live, host)


def test_quick_exit_shift_three_times(new_page: PageFactory, site) -> None:
    live, host = site
    page = start_chat_after_another_page(new_page, live, host)
    page.locator("#text").focus()
    # Shift used for capital letters does not count.
    for key in ("Shift+H", "Shift+I", "Shift+Y", "Shift+A"):
        page.keyboard.press(key)
    page.keyboard.press("Shift")
    expect(page.locator("#exit-hint")).to_have_text("Press Shift 2 more times to exit this page")
    assert page.url == f"{live.api_url}/"
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    assert_left_without_trace(page, live, host)


def test_embedded_on_another_site(new_page: PageFactory, site) -> None:
    live, host = site
    page, guard = new_page()
    page.goto(f"{host.url}/before")
    page.goto(f"{host.url}/")
    launcher = page.get_by_role("button", name="Need support? Chat")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    assert page.locator("iframe").count() == 0, "nothing loads before the button is pressed"
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    chat = page.frame_locator("iframe[title='Support chat']")
    expect(chat.locator(".strip")).to_contain_text("In danger now?")
    frame = next(f for f in page.frames if f.url.startswith(f"{live.api_url}/?embed=1"))
    send(frame, "hiya")  # type: ignore[arg-type]
    expect(frame.locator(BOT).last).to_be_visible()

    # Close returns focus to the launcher; reopening keeps the conversation.
    frame.get_by_role("button", name="Close the chat").click()
    expect(launcher).to_be_focused()
    launcher.click()
    expect(chat.locator("#log > li.msg.user")).to_have_count(1)

    # Quick exit inside the chat replaces the school page too: Back does not return to it.
    frame.get_by_role("link", name="Exit this page").click()
    page.wait_for_url(exit_url(live))
    assert session_storage(page) == {}
    page.go_back()
    page.wait_for_load_state()
    assert page.url == f"{host.url}/before"
    guard.assert_clean()


def test_embedding_is_allowed_only_for_listed_sites(site) -> None:
    live, host = site
    csp = httpx.get(f"{live.api_url}/?embed=1", timeout=10).headers["content-security-policy"]
    assert f"frame-ancestors 'self' {host.url}" in csp
    script = httpx.get(f"{live.api_url}/widget.js", timeout=10)
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "set-cookie" not in script.headers


def test_a_late_reply_does_not_come_back_after_start_again(new_page: PageFactory, site) -> None:
    """Start again while a reply is on its way: the old conversation must not reappear."""
    live, _ = site
    page, guard = new_page()
    # Slow every request of the page's own fetch() down by a second (test-only, not the app).
    page.add_init_script(
        "const realFetch = window.fetch; window.fetch = (...a) =>"
        " new Promise(r => setTimeout(r, 1000)).then(() => realFetch(...a));"
    )
    page.goto(f"{live.api_url}/")
    page.fill("#text", "I feel really lonely")
    page.press("#text", "Enter")
    expect(page.locator("#typing")).to_be_visible()
    page.get_by_role("button", name="Start again").click()
    expect(page.locator("#typing")).to_be_hidden()
    page.wait_for_timeout(2500)
    expect(page.locator("#log > li")).to_have_count(1)
    send(page, "hiya")
    expect(page.locator("#log > li.msg.user")).to_have_text(["hiya"])
    guard.assert_clean()
