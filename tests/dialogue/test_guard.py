"""The rules every reply keeps, applied by the API last."""

from __future__ import annotations

from dialogue.guard import MAX_MESSAGES, guard_reply

CONTACTS = {"type": "contacts", "text": "If you need help now:", "contacts": [{"name": "999"}]}


def listening():
    return {"type": "text", "text": "I'm still here."}


def contacts():
    return dict(CONTACTS)


def text(value: str) -> dict:
    return {"type": "text", "text": value}


def test_an_empty_reply_still_says_something():
    assert guard_reply([], False, listening, contacts) == [listening()]


def test_repeats_are_dropped_and_the_reply_is_capped():
    stacked = [text("Sorry, I didn't get that.")] * 10
    assert guard_reply(stacked, False, listening, contacts) == [text("Sorry, I didn't get that.")]
    many = [text(str(i)) for i in range(9)]
    assert len(guard_reply(many, False, listening, contacts)) == MAX_MESSAGES


def test_after_a_disclosure_every_reply_keeps_the_contacts():
    reply = guard_reply([text(str(i)) for i in range(9)], True, listening, contacts)
    assert len(reply) == MAX_MESSAGES and reply[-1] == CONTACTS
    assert guard_reply([text("ok")], False, listening, contacts) == [text("ok")]
    with_card = [{"type": "crisis", "text": "x", "contacts": [{"name": "999"}]}, text("ok")]
    assert guard_reply(with_card, True, listening, contacts) == with_card


def test_the_crisis_card_goes_first_and_only_once():
    card = {"type": "crisis", "text": "card", "contacts": [{"name": "999"}]}
    other = {**card, "text": "another card"}
    assert guard_reply([text("a"), card, other], False, listening, contacts) == [card, text("a")]
