"""Helpers of the workshop's writing and review tests: a real local HTTP server standing in for
Rasa's `POST /model/parse`, sentences picked from the real held-out and training files, and
examples sent the way the pages send them."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from tests.workshop.people_helpers import member_of, moderator
from workshop import corpus
from workshop.checks import BotAddress, Turn
from workshop.items import Submitted, submit
from workshop.prompts import prompt_for
from workshop.review import ReviewRules


@dataclass
class FakeRasa:
    """What the stand-in answers: an intent for each text (else `default`), after `delay`."""

    url: str = ""
    intents: dict[str, str] = field(default_factory=dict)
    default: str = "out_of_scope"
    delay: float = 0.0
    seen: list[dict[str, Any]] = field(default_factory=list)

    def address(self, timeout: float = 2.0) -> BotAddress:
        """The stand-in as the checks address the bot."""
        return BotAddress(self.url, timeout)


@contextmanager
def fake_rasa(**options: Any) -> Iterator[FakeRasa]:
    """A tiny http.server in a thread answering /model/parse as Rasa does (its JSON shape)."""
    state = FakeRasa(**options)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.seen.append({"path": self.path, "body": body})
            time.sleep(state.delay)
            if not self.path.startswith("/model/parse"):
                self.send_error(404)
                return
            name = state.intents.get(body["text"], state.default)
            reply = json.dumps(
                {"text": body["text"], "intent": {"name": name, "confidence": 0.93}}
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a client that gave up waiting (the timeout test) is expected

    server = Server(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def held_out_sentence(intent: str = "feeling_lonely", minimum_words: int = 6) -> str:
    """A real held-out NLU sentence of `intent` that is not training data (it must be refused)."""
    path = corpus.ROOT / "tests" / "nlu" / "test_nlu.yml"
    training = corpus.training().exact
    for text, found in corpus.file_sentences(path):
        norm = corpus.normalise(text)
        if found == intent and len(norm.split()) >= minimum_words and norm not in training:
            return text
    raise AssertionError("no held-out sentence found")


def training_sentence(intent: str = "feeling_lonely") -> str:
    """A real training example of `intent` that is not in any held-out set."""
    data = corpus.training()
    held = corpus.held_out()
    for text, found in zip(data.texts, data.intents, strict=True):
        norm = corpus.normalise(text)
        if found == intent and len(norm.split()) >= 5 and held.closest(norm) is None:
            return text
    raise AssertionError(f"no training sentence of {intent}")


# Made up for these tests; checked to be far from the training data and the test sets.
FRESH = {
    "feeling_lonely": (
        "lunchtimes are the worst cos i sit in the library pretending to read so nobody clocks "
        "im on my own"
    ),
    "bullying": (
        "theres this group in my form who keep making tiktoks about me and tagging me in them"
    ),
    "self_harm": "been doing the thing to my arms again when everything gets too loud in my head",
}
RULES = ReviewRules(reviews_needed=2, youth_voice_share=0.0)


def writer(db: Session, name: str, now: dt.datetime) -> StaffUser:
    """A young person who joined by invite link with their consent."""
    return member_of(db, name, now)


def peer(db: Session, name: str, now: dt.datetime) -> StaffUser:
    """A peer reviewer who joined by invite link with their consent."""
    from staff.policy import Role

    return member_of(db, name, now, Role.PEER_REVIEWER)


def send(
    db: Session,
    author: StaffUser,
    now: dt.datetime,
    text: str | None = None,
    intent: str = "feeling_lonely",
    bot: BotAddress | None = None,
) -> Submitted:
    """Send a single message for `intent` as the page does (the bot not asked unless given)."""
    prompt = prompt_for(intent)
    assert prompt is not None
    return submit(db, author, prompt, [Turn(text or FRESH[intent], intent)], now, bot=bot)


def the_moderator(db: Session) -> StaffUser:
    """The workshop moderator who invited the members (made when there is none yet)."""
    from sqlalchemy import select

    found = db.scalar(select(StaffUser).where(StaffUser.email == "mod@council.example"))
    return found or moderator(db)
