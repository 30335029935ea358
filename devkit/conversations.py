"""Conversation scenarios (tests/conversations/FORMAT.md): load them, run them through
`POST /api/chat`, and check every turn against the rules that always hold and the turn's own
expectations. The same turn checks serve the conversation fuzzer.

The checks read only the chat API's output, never the bot's internals, so a scenario written
before a change measures the change.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

MAX_MESSAGES = 5
MISUNDERSTOOD = re.compile(
    r"not sure i (got|understood)|didn.?t (quite )?(get|understand|catch)|don.?t understand",
    re.IGNORECASE,
)
MENU_WORDS = re.compile(r"pick a topic|choose a topic|pick one of these|choose one of these", re.I)
MENU_BUTTONS = 3
EXPECT_KEYS = {
    "crisis",
    "risk_check",
    "crisis_or_check",
    "contacts",
    "services",
    "service_for",
    "says",
    "never_says",
    "says_any",
    "menu",
    "intent",
    "asks_again",
}

NeedsOf = Callable[[str], set[str]]


@dataclass
class Turn:
    """One message of a scenario: typed text or a pressed button's payload."""

    text: str
    pressed: bool = False
    expect: dict[str, Any] = field(default_factory=dict)


@dataclass
class Scenario:
    """One conversation of a scenario file."""

    name: str
    turns: list[Turn]
    somewhere: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    source: str = ""


def load_scenarios(paths: Iterable[Path]) -> list[Scenario]:
    """Every conversation of the given files; a malformed one raises ValueError naming it."""
    scenarios = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for index, raw in enumerate(data.get("conversations") or []):
            where = f"{path.name} #{index + 1} ({raw.get('name', '?')})"
            turns = []
            for step in raw.get("turns") or []:
                if ("user" in step) == ("press" in step):
                    raise ValueError(f"{where}: a turn needs exactly one of `user` or `press`")
                expect = dict(step.get("expect") or {})
                unknown = set(expect) - EXPECT_KEYS
                if unknown:
                    raise ValueError(f"{where}: unknown expectation {sorted(unknown)}")
                text = str(step.get("user", step.get("press")))
                if not 1 <= len(text) <= 1000:
                    raise ValueError(f"{where}: a turn's text must be 1-1000 characters")
                turns.append(Turn(text=text, pressed="press" in step, expect=expect))
            if not turns:
                raise ValueError(f"{where}: no turns")
            somewhere = dict(raw.get("somewhere") or {})
            if set(somewhere) - EXPECT_KEYS:
                raise ValueError(f"{where}: unknown expectation in `somewhere`")
            scenarios.append(
                Scenario(
                    name=str(raw.get("name") or where),
                    turns=turns,
                    somewhere=somewhere,
                    tags=list(raw.get("tags") or []),
                    source=path.name,
                )
            )
    return scenarios


# --- reading a reply ------------------------------------------------------------------------


def visible_words(reply: Mapping[str, Any]) -> str:
    """Everything a young person reads in a reply, one line per piece."""
    parts: list[str] = []
    for message in reply.get("messages") or []:
        parts.append(str(message.get("text") or ""))
        parts += [str(b.get("title", "")) for b in message.get("buttons") or []]
        for contact in message.get("contacts") or []:
            parts += [str(contact.get("name", "")), str(contact.get("phone") or "")]
            parts += [str(r.get("label", "")) for r in contact.get("routes") or []]
        for service in message.get("services") or []:
            parts += [str(service.get("name", "")), str(service.get("summary", ""))]
            parts += [str(r.get("label", "")) for r in service.get("how_to_contact") or []]
    return "\n".join(p for p in parts if p)


def has_contacts(reply: Mapping[str, Any]) -> bool:
    """A crisis or contacts message with at least one phone or text route is in the reply."""
    for message in reply.get("messages") or []:
        if message.get("type") not in {"crisis", "contacts", "risk_check"}:
            continue
        for contact in message.get("contacts") or []:
            modes = {r.get("mode") for r in contact.get("routes") or []}
            if contact.get("phone") or modes & {"call", "text"}:
                return True
    return False


def service_cards(reply: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The service cards of every `services` message in the reply."""
    return [
        card
        for message in reply.get("messages") or []
        if message.get("type") == "services"
        for card in message.get("services") or []
    ]


def goes_to_menu(reply: Mapping[str, Any], topic_payloads: set[str]) -> bool:
    """True when the reply sends them back to the topic menu."""
    for message in reply.get("messages") or []:
        if MENU_WORDS.search(str(message.get("text") or "")):
            return True
        payloads = {str(b.get("payload", "")) for b in message.get("buttons") or []}
        if len(payloads & topic_payloads) >= MENU_BUTTONS:
            return True
    return False


def questions_in(reply: Mapping[str, Any]) -> set[str]:
    """The questions a reply asks (its sentences ending in '?'), lower-cased."""
    found = set()
    for message in reply.get("messages") or []:
        for sentence in re.split(r"(?<=[.!?])\s+", str(message.get("text") or "")):
            if sentence.strip().endswith("?"):
                found.add(sentence.strip().lower())
    return found


# --- checks ---------------------------------------------------------------------------------


@dataclass
class ConversationState:
    """What the checks remember between turns of one conversation."""

    risk_seen: bool = False
    last_questions: set[str] = field(default_factory=set)


def invariant_failures(
    status: int, reply: Mapping[str, Any] | None, state: ConversationState
) -> list[str]:
    """The rules every turn must keep, whatever was typed. Updates `state`."""
    if status != 200 or reply is None:
        return [f"status {status}"]
    failures = []
    messages = reply.get("messages") or []
    if reply.get("degraded"):
        failures.append("degraded")
    if not 1 <= len(messages) <= MAX_MESSAGES:
        failures.append(f"{len(messages)} messages")
    keys = [repr(sorted(m.items(), key=lambda kv: kv[0])) for m in messages]
    if len(set(keys)) != len(keys):
        failures.append("a message repeated in one reply")
    misunderstood = sum(bool(MISUNDERSTOOD.search(str(m.get("text") or ""))) for m in messages)
    if misunderstood > 1:
        failures.append(f"{misunderstood} 'didn't get that' messages")
    if reply.get("crisis") and not (messages and messages[0].get("type") == "crisis"):
        failures.append("crisis reply does not start with the crisis card")
    if reply.get("risk_check") and not (messages and messages[0].get("type") == "risk_check"):
        failures.append("check reply does not start with the check")
    if reply.get("crisis") and reply.get("risk_check"):
        failures.append("both the crisis response and the check")
    if state.risk_seen and not has_contacts(reply):
        failures.append("contacts missing after a disclosure")
    if reply.get("crisis"):
        state.risk_seen = True
    return failures


def expectation_failures(
    expect: Mapping[str, Any],
    reply: Mapping[str, Any],
    needs_of: NeedsOf,
    topic_payloads: set[str],
    previous_questions: set[str],
) -> list[str]:
    """The expectations of one turn (or of `somewhere`) that the reply does not meet."""
    failures = []
    words = visible_words(reply)
    cards = service_cards(reply)
    if "crisis" in expect and bool(reply.get("crisis")) != bool(expect["crisis"]):
        failures.append(f"crisis is {reply.get('crisis')}, expected {expect['crisis']}")
    if "risk_check" in expect and bool(reply.get("risk_check")) != bool(expect["risk_check"]):
        failures.append(f"risk_check is {reply.get('risk_check')}, expected {expect['risk_check']}")
    either = bool(reply.get("crisis") or reply.get("risk_check"))
    if "crisis_or_check" in expect and either != bool(expect["crisis_or_check"]):
        failures.append(f"crisis or check is {either}, expected {expect['crisis_or_check']}")
    if "contacts" in expect and has_contacts(reply) != bool(expect["contacts"]):
        failures.append(f"contacts {'missing' if expect['contacts'] else 'present'}")
    if "services" in expect and bool(cards) != bool(expect["services"]):
        failures.append(f"service cards {'missing' if expect['services'] else 'present'}")
    if "service_for" in expect:
        wanted = set(expect["service_for"])
        if not any(needs_of(str(card.get("id"))) & wanted for card in cards):
            failures.append(f"no service card for {sorted(wanted)}")
    for pattern in expect.get("says") or []:
        if not re.search(pattern, words, re.IGNORECASE):
            failures.append(f"does not say /{pattern}/")
    for pattern in expect.get("never_says") or []:
        if re.search(pattern, words, re.IGNORECASE):
            failures.append(f"says /{pattern}/")
    if expect.get("says_any") and not any(
        re.search(p, words, re.IGNORECASE) for p in expect["says_any"]
    ):
        failures.append(f"says none of {expect['says_any']}")
    if expect.get("menu") is False and goes_to_menu(reply, topic_payloads):
        failures.append("back to the topic menu")
    if "intent" in expect and reply.get("intent") not in expect["intent"]:
        failures.append(f"intent {reply.get('intent')}, expected one of {expect['intent']}")
    if expect.get("asks_again") is False and questions_in(reply) & previous_questions:
        failures.append("asks the same question again")
    return failures


# --- running --------------------------------------------------------------------------------


@dataclass
class TurnResult:
    """One turn as run: what was sent, what came back, what failed."""

    text: str
    reply: dict[str, Any] | None
    invariant_failures: list[str]
    expectation_failures: list[str]
    expectations: int


@dataclass
class ScenarioResult:
    """One conversation as run."""

    scenario: Scenario
    turns: list[TurnResult]
    somewhere_failures: list[str]

    @property
    def failures(self) -> list[str]:
        """Every failure, prefixed with its turn."""
        found = []
        for number, turn in enumerate(self.turns, 1):
            for failure in turn.invariant_failures + turn.expectation_failures:
                found.append(f"turn {number} ({turn.text!r}): {failure}")
        found += [f"somewhere: {f}" for f in self.somewhere_failures]
        return found


def run_scenario(
    client: httpx.Client,
    api_url: str,
    scenario: Scenario,
    needs_of: NeedsOf,
    topic_payloads: set[str],
) -> ScenarioResult:
    """Run one conversation through the chat API and check every turn."""
    conversation_id = uuid.uuid4().hex
    state = ConversationState()
    results: list[TurnResult] = []
    pending_somewhere = dict(scenario.somewhere)
    previous_questions: set[str] = set()
    for turn in scenario.turns:
        response = client.post(
            f"{api_url}/api/chat", json={"conversation_id": conversation_id, "text": turn.text}
        )
        reply = response.json() if response.status_code == 200 else None
        broken = invariant_failures(response.status_code, reply, state)
        missed: list[str] = []
        if reply is not None:
            missed = expectation_failures(
                turn.expect, reply, needs_of, topic_payloads, previous_questions
            )
            if pending_somewhere and not expectation_failures(
                pending_somewhere, reply, needs_of, topic_payloads, previous_questions
            ):
                pending_somewhere = {}
            previous_questions = questions_in(reply)
        results.append(TurnResult(turn.text, reply, broken, missed, len(turn.expect)))
    somewhere = [f"never: {pending_somewhere}"] if pending_somewhere else []
    return ScenarioResult(scenario, results, somewhere)


def summarise(results: Sequence[ScenarioResult]) -> dict[str, Any]:
    """Counts for a report: turns that broke a rule, expectations met, conversations passed."""
    turns = [t for r in results for t in r.turns]
    expectations = sum(t.expectations for t in turns) + sum(
        1 for r in results if r.scenario.somewhere
    )
    missed = sum(len(t.expectation_failures) for t in turns) + sum(
        len(r.somewhere_failures) for r in results
    )
    return {
        "conversations": len(results),
        "conversations_passed": sum(not r.failures for r in results),
        "turns": len(turns),
        "turns_breaking_a_rule": sum(bool(t.invariant_failures) for t in turns),
        "expectations": expectations,
        "expectations_met": expectations - missed,
    }


def needs_by_service(database_url: str) -> dict[str, set[str]]:
    """Service id -> the need codes the directory tags it with."""
    from sqlalchemy import select

    from services_directory.db import make_engine, make_session_factory
    from services_directory.models import Attribute, TaxonomyTerm

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            rows = session.execute(
                select(Attribute.link_id, TaxonomyTerm.code).join(
                    TaxonomyTerm, TaxonomyTerm.id == Attribute.taxonomy_term_id
                )
            )
            found: dict[str, set[str]] = {}
            for service_id, code in rows:
                if code:
                    found.setdefault(service_id, set()).add(code)
            return found
    finally:
        engine.dispose()
