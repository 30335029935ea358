"""Warning-sign phrasings added after the sixth blind batch (issue 15), and the near misses that
must stay clear of them. The examples here are paraphrases written for the tests, not the batch's
own messages."""

from __future__ import annotations

import pytest

from safety_screen import CRISIS, NONE, POSSIBLE, screen
from safety_screen.benign import benign_context, recovered
from safety_screen.subject import imminent, their_signs, whose_risk

CRISIS_NOW = [
    ("ngl i od'd about 20 mins ago and feel weird", "immediate_danger"),
    ("chose a date to unalive, after my cousins party", "suicidal_thoughts"),
    ("how many of my dads sleeping tablets would it take to not wake up", "suicidal_thoughts"),
    ("i wont be around after saturday so dont bother", "suicidal_thoughts"),
    ("rehomed my cat with my aunt so someone will look after her properly", "suicidal_thoughts"),
    ("feels like the only way out is not being here", "suicidal_thoughts"),
    ("tell my big sister i love her. none of this was her fault", "suicidal_thoughts"),
    ("home isnt safe, he gets rough with me when hes been drinking", "abuse_disclosure"),
    (
        "i sent this boy some pics and now hes saying hell send them to everyone at school",
        "abuse_disclosure",
    ),
    ("my ex said hell show all my mates the videos if i leave him", "abuse_disclosure"),
    (
        "my stepdad keeps walking in when im getting changed and staring, i lock the door now",
        "abuse_disclosure",
    ),
    ("been missing school to go down to kent for some lads and i cant say no", "abuse_disclosure"),
]

CLEAR = [
    "thats so odd",
    "odd question but can i get a bus pass at 16",
    "we rehomed our dog with my nan because the new flat doesnt allow pets",
    "my little brother keeps walking in when im getting changed, so annoying",
    "going up to leeds for some people at my cousins wedding, do i need a ticket",
    "my coach said hell show everyone the videos of the match on monday",
    "it was your fault we lost lol",
    "im trapped in this family group chat forever",
    "my home isnt safe because of the damp, the landlord wont fix it",
    "what would stop my baby brother waking up at 5am every day",
]


@pytest.mark.parametrize(("text", "intent"), CRISIS_NOW)
def test_warning_sign_is_crisis(text: str, intent: str) -> None:
    result = screen(text)
    assert (result.level, result.intent) == (CRISIS, intent)


@pytest.mark.parametrize("text", CLEAR)
def test_near_miss_is_not_crisis(text: str) -> None:
    assert screen(text).level != CRISIS


def test_asking_what_would_stop_someone_waking_up_is_asked_about() -> None:
    result = screen("is there anything at home that would stop someone waking up")
    assert (result.level, result.intent) == (POSSIBLE, "suicidal_thoughts")


@pytest.mark.parametrize(
    "text",
    [
        "im a trainee teacher, what are the signs a pupil is being neglected at home",
        "doing a safeguarding course, what should a school do if a pupil is being sextorted",
        "im a youth worker, how do i spot a young person involved in county lines",
    ],
)
def test_a_professional_asking_in_general_is_for_the_model(text: str) -> None:
    assert screen(text).level == POSSIBLE
    assert benign_context(text)


def test_a_role_does_not_soften_a_first_person_crisis() -> None:
    # no general question about a third person: the role alone changes nothing
    assert screen("im a student nurse and i want to kill myself").level == CRISIS
    assert not benign_context("im a student nurse and i want to kill myself")


def test_a_subject_named_in_the_lesson_is_schoolwork() -> None:
    text = "for computing we need to explain what sextortion is in 100 words"
    assert screen(text).level == POSSIBLE
    assert benign_context(text)


def test_a_friend_spelt_fast_giving_things_away_before_a_day_is_danger_now() -> None:
    text = "my frend keeps sayin she wont be around after friday n she gave me her ring"
    assert whose_risk(text) != "self"
    assert imminent(their_signs(text))


def test_now_and_fine_is_over() -> None:
    assert recovered("had a really bad time at 14 but im 20 now and fine")
    assert not recovered("had a bad time at 14, im 20 now and its back again")
    assert screen("had a really bad time at 14 but im 20 now and fine").level == NONE
