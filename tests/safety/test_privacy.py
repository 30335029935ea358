"""Redaction of what could identify a young person, before anything is stored or logged."""

from __future__ import annotations

import pytest

from safety_screen.privacy import redact


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("my name is Amira Khan and im 14", ["Amira", "Khan"], ["im 14"]),
        ("call me on 07700 900123 pls", ["07700", "900123"], ["call me on"]),
        ("text me +44 7700 900 123", ["7700"], ["text me"]),
        ("email is sam.jones99@gmail.com", ["sam.jones99", "gmail"], ["email is"]),
        ("i live at 12 Cable Street E1 6AN", ["Cable", "6AN"], ["i live at"]),
        ("flat 3 Millfield House", ["Millfield House"], []),
        ("add me @amira_k on snap", ["amira_k"], ["on snap"]),
        ("im called jay", ["jay"], ["im called"]),
    ],
)
def test_identifying_details_are_masked(text: str, hidden: list[str], kept: list[str]) -> None:
    redacted = redact(text)
    for word in hidden:
        assert word not in redacted
    for words in kept:
        assert words in redacted


@pytest.mark.parametrize(
    "text",
    [
        "this is so hard",
        "call me later",
        "i feel really lonely",
        "im in E1",
        "my mocks are in 2 weeks",
    ],
)
def test_ordinary_words_are_left_alone(text: str) -> None:
    assert redact(text) == text
