"""The chat page's and the embed script's headers, in-process (no browser, Rasa not running)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from settings.app import ROOT, Settings
from tests.apps import client_without_rasa

STATIC = ROOT / "api" / "static"


def client_with(curated_directory_url: str, **overrides) -> TestClient:
    return client_without_rasa(curated_directory_url, **overrides)


@pytest.fixture
def client(curated_directory_url: str) -> Iterator[TestClient]:
    with client_with(curated_directory_url) as test_client:
        yield test_client


def test_page_has_a_strict_csp_and_no_cookies(client: TestClient) -> None:
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    for directive in (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "require-trusted-types-for 'script'",
        "frame-ancestors 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert "set-cookie" not in page.headers


def test_embedding_sites_come_from_the_settings(curated_directory_url: str) -> None:
    origins = ["https://school.example.org", "https://council.example.gov.uk"]
    with client_with(curated_directory_url, embed_origins=origins) as client:
        page = client.get("/?embed=1")
    assert (
        "frame-ancestors 'self' https://school.example.org https://council.example.gov.uk"
        in page.headers["content-security-policy"]
    )
    assert "x-frame-options" not in page.headers
    assert 'class="embed"' in page.text


def test_embed_origins_must_be_origins() -> None:
    with pytest.raises(ValueError, match="EMBED_ORIGINS"):
        Settings(embed_origins=["https://a.example; script-src *"])


def test_widget_script_is_served_as_javascript(client: TestClient) -> None:
    script = client.get("/widget.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.headers["x-content-type-options"] == "nosniff"
    assert "set-cookie" not in script.headers
    assert "/?embed=1" in script.text


def test_page_without_javascript_links_only_safe_schemes(client: TestClient) -> None:
    page = client.get("/").text
    assert 'href="tel:999"' in page and 'href="sms:85258?&amp;body=SHOUT"' in page
    hrefs = [part.split('"', 1)[0] for part in page.split('href="')[1:]]
    allowed = ("tel:", "sms:", "https:", "http:", "/static/", "data:")
    assert all(h.startswith(allowed) for h in hrefs), hrefs
    assert "<script>" not in page and "style=" not in page  # nothing inline for the CSP to allow


def test_the_page_assets_fit_the_first_load_budget() -> None:
    assets = ["chat.js", "render.js", "exit.js", "words.js", "chat.css"]
    total = sum((STATIC / name).stat().st_size for name in assets)
    assert total < 80 * 1024, total
