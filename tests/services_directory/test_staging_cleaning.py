"""Cleaning an imported feed: whitespace, non-breaking spaces and HTML, each change reported."""

from __future__ import annotations

from services_directory.io.cleaning import clean_records, clean_value, html_to_text
from services_directory.io.records import RecordSet

NBSP = "\u00a0"


def test_html_becomes_plain_text_with_its_shape() -> None:
    html = (
        "<p>Free&nbsp;drop-in &amp; advice.</p><ul><li>Games</li><li>Someone to talk to</li></ul>"
        "<script>alert('x')</script><p>Call <a href='tel:1'>us</a><br>today</p>"
    )
    assert html_to_text(html) == (
        "Free drop-in & advice.\n\n- Games\n- Someone to talk to\n\nCall us\ntoday"
    )


def test_each_cleaning_says_what_it_did() -> None:
    assert clean_value("email", f"club@example.org{NBSP}") == (
        "club@example.org",
        ["non-breaking space removed"],
    )
    assert clean_value("email", " club @example.org") == ("club@example.org", ["spaces removed"])
    text, notes = clean_value("description", "<p>One&nbsp;two</p><p>Three</p>")
    assert (text, notes) == ("One two\n\nThree", ["HTML turned into plain text"])
    assert clean_value("name", "Fish &amp; chips") == ("Fish & chips", ["HTML entities decoded"])
    assert clean_value("name", f"Youth{NBSP}Club  ") == (
        "Youth Club",
        ["non-breaking space turned into a space"],
    )
    assert clean_value("name", "  Youth   Club ") == ("Youth Club", ["stray spaces trimmed"])


def test_text_that_only_looks_like_html_is_left_alone() -> None:
    assert clean_value("description", "Ages 11 < 18 & > 10") == ("Ages 11 < 18 & > 10", [])
    assert clean_value("description", "Fish & chips") == ("Fish & chips", [])


def test_records_are_cleaned_in_place_and_reported_by_record_and_field() -> None:
    records = RecordSet()
    records.add(
        "service",
        {"id": "s1", "name": "Club", "email": f"a@b.org{NBSP}", "description": "<b>Hi</b>"},
        "[0]",
    )
    done = clean_records(records)
    assert [str(c) for c in done] == [
        "[0] (service s1).email: non-breaking space removed",
        "[0] (service s1).description: HTML turned into plain text",
    ]
    assert records.records["service"]["s1"].values["email"] == "a@b.org"
    assert records.records["service"]["s1"].values["description"] == "Hi"
