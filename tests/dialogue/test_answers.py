"""Typed answers as young people type them: each reader says only what the words plainly say."""

from __future__ import annotations

import pytest

from dialogue.answers import read_age, read_answer, read_contact_mode, read_place, read_yes_no

LOCALITIES = {"northgate": "northgate", "riverside": "riverside", "millfield": "millfield"}
DISTRICTS = {"E1", "E1W", "E2", "E9", "E14", "E3"}


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("fourteen", 14),
        ("14 yrs", 14),
        ("im 15", 15),
        ("we're both 14", 14),
        ("sixteen nearly", 16),
        ("twenty seven", 27),
        ("im 27 is this for me", 27),
        ("he is 24 and im 14", 14),
        ("there are 5 of us in one room", None),
        ("its 3am and i cant sleep", None),
        ("i owe them 50 quid", None),
        ("im 145", None),
        ("hello?", None),
    ],
)
def test_read_age(text, age):
    assert read_age(text) == age


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("E1 4NS i think", "E1 4NS"),
        ("e14", "E14"),
        ("near riverside", "riverside"),
        ("online is fine", "online"),
        ("phone is fine", "online"),
        ("i live in croydon", "elsewhere"),
        ("i live in a flat", None),
        ("whats 7x8", None),
    ],
)
def test_read_place(text, place):
    assert read_place(text, LOCALITIES, DISTRICTS) == place


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("text pls", "text"),
        ("i hate calling", "not_call"),
        ("in person", "in_person"),
        ("online chat is easier", "online_chat"),
        ("ok", None),
    ],
)
def test_read_contact_mode(text, mode):
    assert read_contact_mode(text) == mode


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("no", "no"),
        ("not really", "no"),
        ("nah", "no"),
        ("no im not safe", "no"),
        ("idk", "unsure"),
        ("kinda", "unsure"),
        ("i guess", "unsure"),
        ("yeah im ok for now", "yes"),
        ("im safe", "yes"),
        ("ok", "yes"),
        ("my mum is shouting again and i dont know what to do about any of it", None),
        ("hello?", None),
    ],
)
def test_read_yes_no(text, answer):
    assert read_yes_no(text) == answer


def test_retractions_refusals_and_why_are_recognised():
    assert read_answer("jk lol im fine").retracted
    assert read_answer("i was joking").retracted
    assert read_answer("nvm forget it").retracted
    assert read_answer("not telling u").refused
    assert read_answer("why do u need my age").why_ask
    plain = read_answer("im being bullied at school")
    assert not (plain.retracted or plain.refused or plain.why_ask)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("lol no im fine its just the wifi, fortnite servers are trash today", "no"),
        ("no one would even notice if i was gone", None),
        ("no point in anything anymore", None),
        ("no idea", "unsure"),
    ],
)
def test_a_long_no_is_a_no_but_no_one_is_not(text, answer):
    assert read_yes_no(text) == answer
