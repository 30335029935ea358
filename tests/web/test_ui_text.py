"""The page's words come from api/ui_text.yml and its crisis numbers from the directory."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.ui_text import crisis_strip, ui_text
from services_directory.crisis import builtin_crisis_contacts
from settings.app import ROOT
from tests.apps import client_without_rasa

STATIC = ROOT / "api" / "static"
TEMPLATE = ROOT / "api" / "templates" / "index.html"


@pytest.fixture
def client(curated_directory_url: str) -> Iterator[TestClient]:
    with client_without_rasa(curated_directory_url) as test_client:
        yield test_client


def contacts() -> list[dict]:
    return [c.to_dict() for c in builtin_crisis_contacts()]


def test_every_key_the_scripts_say_is_in_the_ui_text() -> None:
    said = set()
    for script in STATIC.glob("*.js"):
        said |= set(re.findall(r'say\("(\w+)"', script.read_text(encoding="utf-8")))
    assert said, "the scripts read their words with say()"
    assert said <= set(ui_text()["widget"]), said - set(ui_text()["widget"])


def test_every_word_the_template_shows_is_in_the_ui_text() -> None:
    used = set(re.findall(r"\{\{ words\.(\w+)", TEMPLATE.read_text(encoding="utf-8")))
    assert used <= set(ui_text()["page"]), used - set(ui_text()["page"])


def test_the_scripts_hold_no_sentences_of_their_own() -> None:
    for name in ("chat.js", "render.js"):
        code = (STATIC / name).read_text(encoding="utf-8")
        code = re.sub(r"^\s*(//|/?\*).*$", "", code, flags=re.MULTILINE)  # comments
        sentences = re.findall(r'["`]([A-Z][a-z]+ [a-z]+[^"`]*)["`]', code)
        assert sentences == [], (name, sentences)


def test_the_strip_reads_its_numbers_from_the_crisis_contacts() -> None:
    items = crisis_strip(contacts())
    assert [(i.before, i.number, i.href, i.after) for i in items] == [
        ("Call ", "999", "tel:999", ""),
        ("Childline ", "0800 1111", "tel:08001111", ""),
        ("Text SHOUT to ", "85258", "sms:85258?&body=SHOUT", ""),
    ]


def test_a_changed_number_in_the_directory_changes_the_strip() -> None:
    changed = contacts()
    childline = next(c for c in changed if c["slug"] == "childline")
    childline["routes"] = [
        {"mode": "call", "label": "Call 0800 2222", "href": "tel:08002222", "value": "0800 2222"}
    ]
    items = crisis_strip(changed)
    assert ("Childline ", "0800 2222", "tel:08002222") in [
        (i.before, i.number, i.href) for i in items
    ]


def test_a_contact_the_directory_lacks_is_left_out_and_unsafe_links_never_shown() -> None:
    without_shout = [c for c in contacts() if c["slug"] != "shout"]
    assert [i.number for i in crisis_strip(without_shout)] == ["999", "0800 1111"]
    unsafe = contacts()
    unsafe[0]["routes"] = [
        {"mode": "call", "label": "Call 999", "href": "javascript:x", "value": "999"}
    ]
    assert "999" not in [i.number for i in crisis_strip(unsafe)]


def test_the_page_shows_the_strip_and_carries_the_scripts_words(client: TestClient) -> None:
    page = client.get("/").text
    assert '<a href="tel:08001111">0800\u00a01111</a>' in page
    block = re.search(r'<script type="application/json" id="ui-text">(.*?)</script>', page)
    assert block and "Why this one" in block.group(1)
    assert "<title>Find support</title>" in page
