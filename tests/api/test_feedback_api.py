"""POST /api/feedback in-process against a real database (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set), every write rolled back after the test. Rasa is genuinely unreachable:
feedback never needs it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from services_directory.curated import load_curated
from services_directory.feedback import FeedbackReport
from services_directory.insights import InsightCounter
from services_directory.models import Service
from tests.apps import client_without_rasa
from tests.services_directory.dbtest import (
    BACKENDS,
    LOCAL_FIXTURES,
    migrated_engine,
    rolled_back_session,
)

LONG = "x" * 301  # one over the limit
WRONG = "number_wrong"
DISCLOSURES = [
    "the number was wrong and honestly i want to kill myself",
    "it was shut. my stepdad hits me when i get home late",
]


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    engine = migrated_engine(request.param, tmp_path_factory.mktemp(f"feedback-{request.param}"))
    yield engine
    engine.dispose()


@pytest.fixture
def db_pair(engine: Engine) -> Iterator[tuple[Session, sessionmaker[Session]]]:
    with rolled_back_session(engine) as pair:
        load_curated(pair[0], LOCAL_FIXTURES / "curated")
        pair[0].flush()
        yield pair


@pytest.fixture
def db(db_pair: tuple[Session, sessionmaker[Session]]) -> Session:
    return db_pair[0]


def make_client(engine: Engine, db_pair, **overrides: Any) -> TestClient:
    url = engine.url.render_as_string(hide_password=False)
    client = client_without_rasa(url, rasa_timeout_seconds=2, **overrides)
    client.__enter__()
    client.app.state.session_factory = db_pair[1]
    return client


@pytest.fixture
def client(engine: Engine, db_pair) -> Iterator[TestClient]:
    client = make_client(engine, db_pair)
    yield client
    client.__exit__(None, None, None)


@pytest.fixture
def service(db: Session) -> str:
    found = db.scalar(select(Service.id).where(Service.name.contains("Riverside Teen")))
    assert found
    return found


def reports(db: Session) -> list[FeedbackReport]:
    return list(db.scalars(select(FeedbackReport)))


def counters(db: Session) -> dict[str, int]:
    rows = db.execute(select(InsightCounter.metric, InsightCounter.count)).all()
    return {metric: count for metric, count in rows}


@pytest.mark.parametrize("text", DISCLOSURES)
def test_a_disclosure_gets_the_crisis_card_and_nothing_is_kept(
    client: TestClient, db: Session, service: str, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = {"service_id": service, "kind": "report", "choice": "something_else", "text": text}
    reply = client.post("/api/feedback", json=body)
    assert reply.status_code == 200
    answer = reply.json()
    assert answer["received"] is False and answer["crisis"] is True
    card = answer["messages"][0]
    assert card["type"] == "crisis" and card["text"]
    numbers = {r["value"] for c in card["contacts"] for r in c["routes"]}
    assert {"999", "0800 1111"} <= numbers
    # Never kept, never counted, never logged.
    assert reports(db) == [] and counters(db) == {}
    assert text not in caplog.text and "stepdad" not in caplog.text


def test_the_card_has_the_shape_of_the_chats_crisis_card(client: TestClient, service: str):
    body = {"service_id": service, "kind": "report", "choice": "number_wrong"}
    card = client.post("/api/feedback", json={**body, "text": DISCLOSURES[0]}).json()["messages"][0]
    chat = client.post(
        "/api/chat", json={"conversation_id": "abcdefgh", "text": "i want to kill myself"}
    ).json()
    assert chat["crisis"] is True
    chat_card = chat["messages"][0]
    assert set(card) == set(chat_card)
    assert card["contacts"] == chat_card["contacts"] and card["kind"] == chat_card["kind"]


def test_a_disclosure_gets_the_card_even_with_an_unknown_service_id(
    client: TestClient, db: Session
):
    body = {"service_id": "no-such-service", "kind": "report", "choice": "something_else"}
    reply = client.post("/api/feedback", json={**body, "text": DISCLOSURES[1]})
    assert reply.status_code == 200 and reply.json()["crisis"] is True


def test_personal_details_are_masked_before_the_report_is_kept(
    client: TestClient, db: Session, service: str
) -> None:
    text = "my name is Jodie, rang 07700 900123 and emailed jo@example.com from 12 Acacia Road"
    body = {"service_id": service, "kind": "report", "choice": "number_wrong", "text": text}
    reply = client.post("/api/feedback", json=body)
    assert reply.status_code == 200 and reply.json() == {
        "received": True,
        "crisis": False,
        "messages": [],
    }
    [report] = reports(db)
    assert report.service_id == service and report.reason == "number_wrong"
    assert report.status == "open" and report.received_on is not None
    kept = report.text or ""
    for detail in ("Jodie", "07700", "900123", "jo@example.com", "Acacia"):
        assert detail not in kept, kept
    assert "[phone]" in kept and "[email]" in kept and "[name]" in kept
    assert counters(db) == {"report_number_wrong": 1}


def test_a_report_without_words_is_kept_and_helped_is_only_counted(
    client: TestClient, db: Session, service: str
) -> None:
    for choice in ("yes", "yes", "no"):
        body = {"service_id": service, "kind": "helped", "choice": choice}
        assert client.post("/api/feedback", json=body).status_code == 200
    body = {"service_id": service, "kind": "report", "choice": "closed_or_moved", "text": "  "}
    assert client.post("/api/feedback", json=body).status_code == 200
    [report] = reports(db)
    assert report.text is None
    assert counters(db) == {"helped_yes": 2, "helped_no": 1, "report_closed_or_moved": 1}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "helped", "choice": "yes"}, "service_id"),
        ({"service_id": "", "kind": "helped", "choice": "yes"}, "service_id"),
        ({"service_id": "x" * 37, "kind": "helped", "choice": "yes"}, "service_id"),
        ({"service_id": "SERVICE", "choice": "yes"}, "kind"),
        ({"service_id": "SERVICE", "kind": "praise", "choice": "yes"}, "kind"),
        ({"service_id": "SERVICE", "kind": "helped", "choice": "maybe"}, "choice"),
        ({"service_id": "SERVICE", "kind": "report", "choice": "yes"}, "choice"),
        ({"service_id": "SERVICE", "kind": "helped", "choice": "yes", "text": "hi"}, "text"),
        ({"service_id": "SERVICE", "kind": "report", "choice": "yes", "text": "x"}, "choice"),
        ({"service_id": "SERVICE", "kind": "report", "choice": WRONG, "text": LONG}, "text"),
        ({"service_id": "SERVICE", "kind": "helped", "choice": "yes", "ip": "10.0.0.1"}, "ip"),
    ],
)  # fmt: skip
def test_bad_input_is_422_naming_the_field(
    client: TestClient, db: Session, service: str, body: dict, field: str
) -> None:
    body = {k: (service if v == "SERVICE" else v) for k, v in body.items()}
    reply = client.post("/api/feedback", json=body)
    assert reply.status_code == 422, reply.text
    errors = reply.json()["detail"]
    assert [e["field"] for e in errors] == [field]
    assert errors[0]["message"]
    assert reports(db) == [] and counters(db) == {}


def test_an_unknown_service_is_404_naming_the_field(client: TestClient, db: Session) -> None:
    body = {"service_id": "no-such-service", "kind": "report", "choice": "number_wrong"}
    reply = client.post("/api/feedback", json={**body, "text": "it was shut"})
    assert reply.status_code == 404
    assert [e["field"] for e in reply.json()["detail"]] == ["service_id"]
    assert reports(db) == [] and counters(db) == {}


def test_the_published_schema_pairs_each_kind_with_its_choices(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["FeedbackRequest"]
    helped, report = schema["oneOf"]
    assert helped["properties"]["choice"]["enum"] == ["yes", "no"]
    assert report["properties"]["choice"]["enum"] == [
        "number_wrong",
        "closed_or_moved",
        "not_for_my_age",
        "something_else",
    ]
    assert schema["additionalProperties"] is False


def test_too_many_at_once_is_429_and_nothing_identifying_is_kept(
    engine: Engine, db_pair, db: Session, service: str
) -> None:
    client = make_client(engine, db_pair, feedback_per_minute_per_client=3)
    try:
        body = {"service_id": service, "kind": "helped", "choice": "yes"}
        answers = [client.post("/api/feedback", json=body).status_code for _ in range(5)]
        assert answers == [200, 200, 200, 429, 429]
        limiter = client.app.state.feedback_limiter
        # The limiter holds keyed hashes only, never the address itself.
        assert all(isinstance(key, bytes) and b"testclient" not in key for key in limiter._counts)
        assert db.scalar(select(func.sum(InsightCounter.count))) == 3
    finally:
        client.__exit__(None, None, None)
