"""Whose risk a message is about: the young person's own, or someone else's."""

from __future__ import annotations

import pytest

from safety_screen.subject import OTHER, OTHER_FRAMED, SELF, about_someone_else, whose_risk


@pytest.mark.parametrize(
    ("text", "whose"),
    [
        ("my brother took a load of pills and wont wake up", OTHER),
        ("my mate posted goodbye on his story and isnt answering", OTHER),
        ("my friend keeps saying she wants to die", OTHER),
        ("i think my friend is going to kill herself", OTHER_FRAMED),
        ("my best mate showed me cuts on her arm yesterday", OTHER_FRAMED),
        ("hes breathing i think", OTHER_FRAMED),
        ("i want to die", SELF),
        ("my stepdad hits me", SELF),
        ("she keeps hitting me", SELF),
        ("he wants me to stay over", SELF),
        ("i cut myself because my friend left", SELF),
    ],
)
def test_whose_risk(text, whose):
    assert whose_risk(text) == whose
    assert about_someone_else(text) == (whose != SELF)


def test_my_own_things_are_mine():
    assert (
        whose_risk("someone has my nudes and wants money or theyll send them to everyone") == SELF
    )
    assert whose_risk("my little sister took all of mums pills") == OTHER


@pytest.mark.parametrize(
    "text",
    [
        "left on read by literally everyone",
        "nobody would even notice if gone",
        "everybody would be better off tbh",
        "no one gets it",
    ],
)
def test_nobody_in_particular_is_no_one_else_at_risk(text):
    # With or without "i", these are the young person's own: reading them as a worry about
    # someone else would answer a warning sign with advice for a friend.
    assert whose_risk(text) == SELF


def test_someone_named_beside_nobody_in_particular_is_still_someone_else():
    assert whose_risk("my mate said nobody would care if he died") == OTHER
    assert whose_risk("everyone would be better off without her she says") == OTHER
