"""The checks on submit, one by one: what counts as a personal detail (and what does not), and
what reads as a real disclosure rather than an example written for a prompt."""

from __future__ import annotations

import pytest

from workshop.disclosure import read_as_disclosure
from workshop.personal import personal_details


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("my name is Jordan and im 14", {"name", "age"}),
        ("call me on 07700 900123", {"phone"}),
        ("email me at someone@example.org", {"email"}),
        ("i go to Riverside Academy", {"school"}),
        ("i go to st marys school", {"school"}),
        ("ive been at harris academy 2 years", {"school"}),
        ("my mate Jay keeps vaping", {"name"}),
        ("a girl named Aisha keeps starting on me", {"name"}),
        ("i live on 12 acacia road", {"address", "place"}),
        ("i live in Bow and theres nothing to do", {"place"}),
        ("im 15 years old and nobody listens", {"age"}),
        ("add me @sky.walker99", {"handle"}),
        # Everyday words that only look like details.
        ("they call me ugly in the group chat", set()),
        ("this is prob the last time i ask", set()),
        ("i hate going to school", set()),
        ("My school is rubbish", set()),
        ("theres a fight with another school on friday", set()),
        ("started college in september and know nobody", set()),
        ("i live on my own now", set()),
        ("they called me names all day", set()),
        ("im 100 percent done with this", set()),
    ],
)
def test_personal_details(text: str, kinds: set[str]) -> None:
    found = personal_details(text)
    assert {d.kind for d in found} == kinds
    assert all(d.hint.startswith("Take out") for d in found)


@pytest.mark.parametrize(
    ("text", "expects_risk", "disclosure"),
    [
        # Examples written for a crisis or safeguarding prompt: not disclosures.
        ("my stepdad hits me when mum is out", True, False),
        ("i want to die tonight", True, False),
        ("please help im in danger", True, False),
        # Saying it is real, whatever the prompt.
        ("this is actually happening to me, my stepdad hits me", True, True),
        ("im not making this up my uncle touches me", True, True),
        # For an everyday prompt: crisis now, or asking for help, when risk is there.
        ("i want to die tonight", False, True),
        ("my mum hits me every night please help", False, True),
        ("i cut again last night, i havent told anyone", False, True),
        # Someone else's risk, or no risk at all.
        ("my mate said she wants to kms, what do i do", False, False),
        ("exams are killing me lol", False, False),
        ("i feel so low today", False, False),
    ],
)
def test_what_reads_as_a_real_disclosure(text: str, expects_risk: bool, disclosure: bool) -> None:
    assert read_as_disclosure(text, for_risk_prompt=expects_risk).disclosure is disclosure
