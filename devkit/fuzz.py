"""The conversation fuzzer: random sequences of realistic turns through `POST /api/chat`, with the
rules every turn must keep checked after each one (Hypothesis stateful testing).

Turns are drawn from: the buttons the bot offers (their payloads), typed answers, needs, slang
and hyperbole, nonsense and emoji, crisis and safeguarding phrases, retractions, asides and
worry about someone else, plus arbitrary text. After every turn: the rules of
`devkit.conversations.invariant_failures` (status 200, not degraded, 1-5 messages, no message
repeated, at most one "didn't get that", the crisis card first, the contacts after a disclosure)
and the crisis response whenever the safety screen flags the message as a crisis.

`make test` runs a seeded, bounded version (tests/e2e/test_conversation_fuzz.py); `make bench`
runs 10,000 turns.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from devkit.conversations import ConversationState, invariant_failures
from dialogue.responses import domain_responses
from safety_screen import screen

TYPED_ANSWERS = [
    "14", "fourteen", "im 16", "13 yrs", "twenty", "im 10", "27 lol", "we're both 15",
    "e14", "E1 4NS i think", "riverside", "near northgate", "online is fine", "i live in croydon",
    "text pls", "call is fine", "i hate calling", "in person", "any", "skip", "rather not say",
    "not telling u", "yes", "no", "nah", "idk", "kinda", "ok", "k", "yeah", "not really", "maybe",
]  # fmt: skip
NEEDS = [
    "i feel so lonely", "people at school keep picking on me", "theres no food at home",
    "i cant sleep at all", "my mocks are next week and im panicking",
    "my parents argue every night",
    "i think i might be gay", "my mates keep making me vape", "i skip meals cos i hate my body",
    "my nan died last month", "got referred to camhs ages ago and heard nothing",
    "someone hacked my insta", "theres always fights near my bus stop",
    "can i talk to a real person", "what youth clubs are near me", "how do i tell my teacher",
    "5 of us share one room",
]  # fmt: skip
SLANG = [
    "this homework is killing me lol", "im dead 💀", "my mum will kill me if i fail", "bruh",
    "fr fr no cap", "i could murder a pizza", "that game was sick", "lowkey stressed ngl",
    "amar ammu is stressing me out", "bhai idk what to do yaar",
]  # fmt: skip
NONSENSE = ["asdfgh", "???", "...", "🙃🙃", "lol", "hmm", "what", "hello?", "😭", "👍", "❤️", "ok?"]
CRISIS = [
    "i want to kms", "i dont want to be here anymore", "i cut myself last night",
    "someone is outside my door with a knife", "my stepdad hits me when mum is out",
    "someone has my nudes and wants money", "i have nowhere to sleep tonight",
    "they make me carry stuff to other towns", "sorry for everything",
    "i wont be a problem after tonight",
    "nobody would notice if i was gone",
]  # fmt: skip
RETRACTIONS = ["jk lol im fine", "nvm", "forget it", "i was joking", "dw im ok now", "im safe"]
ASIDES = [
    "r u a bot", "thanks", "bye", "why do u need my age", "is this private", "any tips tho",
    "show me more", "something else", "pls dont tell anyone", "is it my fault",
    "can u just show me stuff", "what can you do",
]  # fmt: skip
SOMEONE_ELSE = [
    "my friend keeps saying she wants to die", "my mate posted goodbye and isnt answering",
    "she made me promise not to tell", "my brother took pills and wont wake up",
    "im worried about my mum she drinks a lot",
]  # fmt: skip


def button_payloads() -> list[str]:
    """Every payload of the buttons the domain's responses offer."""
    payloads = set()
    for variations in domain_responses().values():
        for variation in variations:
            for button in variation.get("buttons") or []:
                payloads.add(str(button["payload"]))
    return sorted(payloads)


def turn_texts() -> st.SearchStrategy[str]:
    """A realistic turn, or arbitrary text now and then."""
    typed = st.sampled_from(
        TYPED_ANSWERS + NEEDS + SLANG + NONSENSE + CRISIS + RETRACTIONS + ASIDES + SOMEONE_ELSE
    )
    arbitrary = st.text(min_size=1, max_size=120).filter(lambda t: bool(t.strip()))
    return st.one_of(typed, typed, typed, st.sampled_from(button_payloads()), arbitrary)


def turn_failures(
    status: int, reply: dict[str, Any] | None, state: ConversationState, text: str
) -> list[str]:
    """The rules one turn broke (empty when it kept them all)."""
    failures = invariant_failures(status, reply, state)
    if reply is not None and screen(text).level == "crisis" and not reply.get("crisis"):
        failures.append("the screen flagged a crisis but the reply is not the crisis response")
    return failures


class ConversationMachine(RuleBasedStateMachine):
    """One conversation per run; each step sends one turn and checks the reply."""

    api_url = "http://127.0.0.1:8000"
    client: httpx.Client | None = None
    turns_sent = 0
    problems: list[str] = []  # filled only by the long run, which counts instead of stopping
    collect = False

    @initialize()
    def start(self) -> None:
        self.conversation_id = uuid.uuid4().hex
        self.state = ConversationState()

    @rule(text=turn_texts())
    def send(self, text: str) -> None:
        client = type(self).client
        assert client is not None, "set ConversationMachine.client before running"
        response = client.post(
            f"{self.api_url}/api/chat",
            json={"conversation_id": self.conversation_id, "text": text[:1000]},
        )
        reply = response.json() if response.status_code == 200 else None
        failures = turn_failures(response.status_code, reply, self.state, text)
        type(self).turns_sent += 1
        if failures and type(self).collect:
            type(self).problems.append(f"{text!r}: {failures}")
            return
        assert not failures, f"{text!r} -> {failures}\n{reply}"
