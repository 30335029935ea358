"""Someone else in danger now, read from their side: the helper's crisis card, or guidance."""

from __future__ import annotations

import pytest

from dialogue.answers import read_answer
from dialogue.someone_else import other_in_danger
from dialogue.state import Conversation, Turn
from safety_screen import screen
from safety_screen.subject import from_their_side, imminent, their_signs


def worry(text: str) -> Turn:
    """A message read as worry about someone else, with the screen's own reading of it."""
    return Turn(
        intent="worried_about_someone",
        confidence=0.9,
        text=text,
        entities={},
        screen=screen(text).to_dict(),
        ranking=(("worried_about_someone", 0.9),),
        signals=(0.0,),
        answer=read_answer(text, {}, set()),
    )


def test_their_words_are_read_in_the_first_person():
    shifted = from_their_side("she says everyone would be better off without her")
    assert shifted == "i say everyone would be better off without me"
    assert from_their_side("he loves us all and hes sorry") == "i love us all and im sorry"
    assert from_their_side("they gave away their stuff") == "i gave away my stuff"


def test_the_young_persons_own_words_are_not_read_as_someone_elses():
    assert their_signs("i think everyone would be better off without me").level == "none"


@pytest.mark.parametrize(
    "text",
    [
        "she said shes got everything ready and this is the last time well talk",
        "my mate posted on snap that he loves us all and hes sorry, now hes not opening anything",
        "my best friend sent me a long message thanking me for everything, said its not my fault",
        "my friend gave me all her makeup and her hoodie and said she wont need it",
        "hes been saying everyone would be better off without him and now hes gone quiet",
        "my friend wrote a note and left it on her bed and now nobody can find her",
        "my friend told me shes decided to end it this weekend",
        "mate just posted 'it was nice knowing u all' and deleted his insta",
    ],
)
def test_a_farewell_plan_or_goodbye_from_someone_else_is_danger_now(text):
    assert other_in_danger(worry(text), Conversation())


@pytest.mark.parametrize(
    "text",
    [
        "my friend keeps saying she wants to die",  # worry: how to help, not the 999 card
        "my friend is moving to manchester and we said goodbye today, so sad",
        "my brother gave me his old xbox cos he got a new one",
        "my friend said sorry for being rude earlier",
        "she thanked me for helping with her revision",
    ],
)
def test_ordinary_goodbyes_and_worry_without_danger_are_not_danger_now(text):
    assert not other_in_danger(worry(text), Conversation())


def test_an_imminent_sign_needs_a_crisis_reading():
    assert imminent(screen("i've got everything ready, this is the last time we'll talk"))
    assert not imminent(screen("i feel a bit low today"))
