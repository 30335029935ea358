"""Every service card says when it was last checked ("Checked March 2027"): the widget's
render.js and the staff preview make the same words from the card's `last_checked`."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from api.routes.staff.preview import checked_text
from api.ui_text import ui_text
from settings.app import ROOT

DATES = ["2027-03-14", "2026-12-01", "2027-01-31", None, "", "2027-13-01", "soon"]
EXPECTED = [
    "Checked March 2027",
    "Checked December 2026",
    "Checked January 2027",
    "",
    "",
    "",
    "",
]
# render.js reads its words from the page's JSON block: a stand-in document gives it them.
SCRIPT = """
const words = JSON.parse(process.argv[1]);
globalThis.document = { getElementById: () => ({ textContent: JSON.stringify(words) }) };
const { checkedText } = await import(process.argv[2]);
console.log(JSON.stringify(JSON.parse(process.argv[3]).map(checkedText)));
"""


def words() -> dict[str, str]:
    return {k: str(v) for k, v in ui_text()["widget"].items()}


def test_the_staff_preview_words_the_date_as_month_and_year() -> None:
    assert [checked_text(d, words()) for d in DATES] == EXPECTED


def test_the_widget_words_it_the_same_way() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    render = (ROOT / "api" / "static" / "render.js").as_uri()
    result = subprocess.run(
        [node, "--input-type=module", "-e", SCRIPT, json.dumps(words()), render, json.dumps(DATES)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert json.loads(result.stdout) == EXPECTED
