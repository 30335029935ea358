"""Writing, reviewing and the moderators' pages through the app, on a real database (SQLite, and
PostgreSQL when TEST_DATABASE_URL is set), with a real local HTTP server standing in for Rasa's
/model/parse: every page needs a signed-in account with the right role, forms need their CSRF
token, the checks' results show at once, a submission overlapping a held-out test item is refused
without saying which, and no one approves their own items."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from staff.policy import Role
from tests.staff import conftest as staff_fixtures
from tests.staff.helpers import HTML, FakeClock, csrf_of, make_user, post_form, sign_in
from tests.workshop.item_helpers import (
    FRESH,
    fake_rasa,
    held_out_sentence,
    peer,
    the_moderator,
    writer,
)
from tests.workshop.people_helpers import workshop_sign_in
from workshop.checks import TOO_CLOSE
from workshop.item_models import APPROVED, PENDING, WorkshopAlert, WorkshopItem
from workshop.people import withdraw_consent

PAGES = [
    "/workshop/write",
    "/workshop/write/bullying",
    "/workshop/write/bullying/conversation",
    "/workshop/examples",
    "/workshop/review",
    "/workshop/review/disagreements",
    "/workshop/alerts",
    "/workshop/wording",
    "/workshop/wording/new",
]
JSON = {"Accept": "application/json"}

# The staff tests' fixtures: a database per backend whose writes are rolled back, a clock.
engine, db_pair, db, clock, app_factory, client = (
    staff_fixtures.engine,
    staff_fixtures.db_pair,
    staff_fixtures.db,
    staff_fixtures.clock,
    staff_fixtures.app_factory,
    staff_fixtures.client,
)


def _items(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(WorkshopItem)) or 0)


def _write(client: TestClient, intent: str, text: str) -> Any:
    return post_form(client, f"/workshop/write/{intent}", {"text": text})


@pytest.mark.parametrize("path", PAGES)
def test_every_page_needs_a_signed_in_account(client: TestClient, path: str) -> None:
    response = client.get(path, headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == f"/workshop/sign-in?next={path}"
    assert client.get(path, headers=JSON).status_code == 401


def test_each_role_reaches_only_its_pages(app_factory: Any, db: Session, clock: FakeClock) -> None:
    writer(db, "pipit", clock())
    peer(db, "bunting", clock())
    as_writer, as_peer, as_staff = app_factory(), app_factory(), app_factory()
    workshop_sign_in(as_writer, "pipit")
    workshop_sign_in(as_peer, "bunting")
    sign_in(as_staff, the_moderator(db), clock)
    allowed = {
        "pipit": {"/workshop/write", "/workshop/write/bullying", "/workshop/examples"},
        "bunting": {"/workshop/write", "/workshop/examples", "/workshop/review"},
        "mod": {"/workshop/review", "/workshop/alerts", "/workshop/wording"},
    }
    refused = {
        "pipit": {"/workshop/review", "/workshop/alerts", "/workshop/wording"},
        "bunting": {"/workshop/alerts", "/workshop/wording"},
        "mod": {"/workshop/write", "/workshop/wording/new"},  # moderators do not write
    }
    for who, client in (("pipit", as_writer), ("bunting", as_peer), ("mod", as_staff)):
        for path in allowed[who]:
            assert client.get(path, headers=HTML).status_code == 200, (who, path)
        for path in refused[who]:
            assert client.get(path, headers=HTML).status_code == 403, (who, path)
    assert as_writer.get("/workshop/write/not_an_intent", headers=HTML).status_code == 404


def test_a_form_without_its_csrf_token_is_refused(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    writer(db, "pipit", clock())
    workshop_sign_in(client, "pipit")
    response = client.post("/workshop/write/bullying", data={"text": "hi"}, headers=HTML)
    assert response.status_code == 403 and _items(db) == 0


def test_a_writer_whose_consent_was_withdrawn_writes_no_more(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    member = writer(db, "pipit", clock())
    workshop_sign_in(client, "pipit")
    withdraw_consent(db, member, member, clock())
    assert client.get("/workshop/write", headers=HTML).status_code == 403


def test_the_checks_show_at_once_with_the_bot_reading_and_existing_examples(
    app_factory: Any, db: Session, clock: FakeClock
) -> None:
    writer(db, "pipit", clock())
    with fake_rasa(intents={FRESH["bullying"]: "family_problems"}) as rasa:
        client = app_factory(rasa_url=rasa.url)
        workshop_sign_in(client, "pipit")
        prompt_page = client.get("/workshop/write/bullying", headers=HTML)
        assert "Being bullied" in prompt_page.text
        assert "Some examples the bot already has" not in prompt_page.text
        response = _write(client, "bullying", FRESH["bullying"])
        assert response.status_code == 303
        page = client.get(response.headers["location"], headers=HTML)
    assert rasa.seen and rasa.seen[0]["body"] == {"text": FRESH["bullying"]}
    assert "Thank you: your example has been sent for review" in page.text
    assert "The bot gets this wrong today" in page.text and "problems at home" in page.text
    assert "Some examples the bot already has" in page.text
    assert 'id="existing-examples"' in page.text


def test_the_bot_out_of_reach_is_said_plainly(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    writer(db, "pipit", clock())
    workshop_sign_in(client, "pipit")  # the test app's Rasa is a closed port
    response = _write(client, "bullying", FRESH["bullying"])
    page = client.get(response.headers["location"], headers=HTML)
    assert "We couldn't reach the bot just now" in page.text


def test_a_submission_overlapping_a_held_out_test_item_is_refused_on_the_page(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    writer(db, "pipit", clock())
    workshop_sign_in(client, "pipit")
    sentence = held_out_sentence()
    response = _write(client, "feeling_lonely", sentence.upper())
    assert response.status_code == 422 and _items(db) == 0
    assert TOO_CLOSE.replace("'", "&#39;") in response.text
    # The page shows back only what the writer typed, never the test sentence itself.
    assert sentence not in response.text and sentence.upper() in response.text


def test_personal_details_block_the_submission_with_a_hint(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    writer(db, "pipit", clock())
    workshop_sign_in(client, "pipit")
    response = _write(client, "feeling_lonely", "my name is Jordan and im 14, nobody talks to me")
    assert response.status_code == 422 and _items(db) == 0
    assert "has personal details in it" in response.text
    assert "Take out the name" in response.text and "Take out the age" in response.text


def test_a_disclosure_shows_the_contacts_and_alerts_a_moderator(
    app_factory: Any, db: Session, clock: FakeClock, tmp_path: Path
) -> None:
    writer(db, "pipit", clock())
    peer(db, "bunting", clock())
    young, other, staff = app_factory(), app_factory(), app_factory()
    workshop_sign_in(young, "pipit")
    text = "this is actually happening to me, my stepdad hits me when mum is out, please help"
    response = _write(young, "family_problems", text)
    page = young.get(response.headers["location"], headers=HTML)
    assert "sounds like it might really be happening to you" in page.text
    assert "0800 1111" in page.text and "never be used to train the bot" in page.text
    item_path = response.headers["location"].split("?")[0]
    workshop_sign_in(other, "bunting")
    assert other.get(item_path, headers=HTML).status_code == 404  # never shown to peers
    sign_in(staff, the_moderator(db), clock)
    alerts = staff.get("/workshop/alerts", headers=HTML)
    assert "stepdad hits me" in alerts.text and "abuse disclosure" in alerts.text
    mail = list((tmp_path / "outbox").glob("*.eml"))
    assert len(mail) == 1 and "stepdad" not in mail[0].read_text()
    alert = db.scalar(select(WorkshopAlert))
    assert alert is not None
    done = post_form(
        staff,
        f"/workshop/alerts/{alert.id}/handled",
        {"note": "rang the youth worker, who is seeing them today"},
        form_page="/workshop/alerts",
    )
    assert done.status_code == 303
    assert "No open alerts" in staff.get("/workshop/alerts", headers=HTML).text


def test_no_one_approves_their_own_items_on_the_page(
    app_factory: Any, db: Session, clock: FakeClock
) -> None:
    peer(db, "bunting", clock())
    peer(db, "linnet", clock())
    author, other = app_factory(), app_factory()
    workshop_sign_in(author, "bunting")
    response = _write(author, "bullying", FRESH["bullying"])
    item_id = response.headers["location"].split("/")[-1].split("?")[0]
    assert item_id not in author.get("/workshop/review", headers=HTML).text
    own = author.get(f"/workshop/review/{item_id}", headers=HTML)
    assert "You can&#39;t review your own example" in own.text
    sneaky = author.post(
        f"/workshop/review/{item_id}",
        data={"csrf_token": csrf_of(own.text), "decision": "approve"},
        headers=HTML,
    )
    assert sneaky.status_code == 409
    item = db.get(WorkshopItem, item_id)
    assert item is not None and item.status == PENDING and item.reviews_count == 0
    workshop_sign_in(other, "linnet")
    assert item_id in other.get("/workshop/review", headers=HTML).text
    done = post_form(other, f"/workshop/review/{item_id}", {"decision": "approve"})
    assert done.status_code == 303
    db.expire_all()
    assert db.get(WorkshopItem, item_id).reviews_count == 1  # type: ignore[union-attr]


def test_peers_and_a_moderator_through_the_pages(
    app_factory: Any, db: Session, clock: FakeClock
) -> None:
    writer(db, "pipit", clock())
    peer(db, "bunting", clock())
    peer(db, "linnet", clock())
    clients = {name: app_factory() for name in ("pipit", "bunting", "linnet", "mod")}
    for name in ("pipit", "bunting", "linnet"):
        workshop_sign_in(clients[name], name)
    sign_in(clients["mod"], the_moderator(db), clock)
    response = _write(clients["pipit"], "bullying", FRESH["bullying"])
    item_id = response.headers["location"].split("/")[-1].split("?")[0]
    post_form(clients["bunting"], f"/workshop/review/{item_id}", {"decision": "approve"})
    reject = {"decision": "reject", "reason": "too neat"}
    post_form(clients["linnet"], f"/workshop/review/{item_id}", reject)
    listed = clients["bunting"].get("/workshop/review/disagreements", headers=HTML)
    assert item_id in listed.text and "too neat" in listed.text
    crisis = _write(clients["pipit"], "self_harm", FRESH["self_harm"])
    crisis_id = crisis.headers["location"].split("/")[-1].split("?")[0]
    assert crisis_id not in clients["bunting"].get("/workshop/review", headers=HTML).text
    assert clients["bunting"].get(f"/workshop/review/{crisis_id}", headers=HTML).status_code == 404
    for decided in (item_id, crisis_id):
        assert decided in clients["mod"].get("/workshop/review", headers=HTML).text
        post_form(clients["mod"], f"/workshop/review/{decided}", {"decision": "approve"})
    db.expire_all()
    assert {db.get(WorkshopItem, i).status for i in (item_id, crisis_id)} == {APPROVED}  # type: ignore[union-attr]
    mine = clients["pipit"].get("/workshop/examples", headers=HTML)
    assert mine.text.count("Approved") == 2


def test_a_conversation_through_the_page(client: TestClient, db: Session, clock: FakeClock) -> None:
    writer(db, "pipit", clock())
    workshop_sign_in(client, "pipit")
    data = {
        "turns-0-user": FRESH["bullying"],
        "turns-0-does": "bullying",
        "turns-0-bot": "utter_ack_bullying",
        "turns-1-user": "yeah thats it innit, cheers",
        "turns-1-does": "affirm",
        "turns-1-bot": "",
    }
    response = post_form(client, "/workshop/write/bullying/conversation", data)
    assert response.status_code == 303, response.text[:2000]
    page = client.get(response.headers["location"], headers=HTML)
    assert "Young person:" in page.text and "cheers" in page.text
    assert 'href="/workshop/wording/new?reply=utter_ack_bullying"' in page.text
    suggest = client.get("/workshop/wording/new?reply=utter_ack_bullying", headers=HTML)
    assert '<option value="utter_ack_bullying" selected>' in suggest.text
    item = db.scalar(select(WorkshopItem))
    assert item is not None and [t["intent"] for t in item.turns] == ["bullying", "affirm"]


def test_suggested_wording_goes_to_staff_not_training(
    app_factory: Any, db: Session, clock: FakeClock
) -> None:
    writer(db, "pipit", clock())
    young, staff = app_factory(), app_factory()
    workshop_sign_in(young, "pipit")
    words = {
        "response": "utter_ack_bullying",
        "suggestion": "that sounds rough, no one deserves that",
    }
    sent = post_form(young, "/workshop/wording/new", words)
    assert sent.status_code == 200 and "staff will read your suggestion" in sent.text
    blocked = post_form(
        young, "/workshop/wording/new", {**words, "suggestion": "ring 07700 900123"}
    )
    assert blocked.status_code == 422 and "Take out the phone number" in blocked.text
    sign_in(staff, the_moderator(db), clock)
    listed = staff.get("/workshop/wording", headers=HTML)
    assert "no one deserves that" in listed.text and "07700" not in listed.text
    assert _items(db) == 0  # content for staff: never an example to train on


def test_staff_who_write_are_checked_the_same_way(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    sign_in(client, admin, clock)
    response = _write(client, "feeling_lonely", held_out_sentence())
    assert response.status_code == 422 and _items(db) == 0


def test_another_writers_example_is_not_there_for_a_writer(
    app_factory: Any, db: Session, clock: FakeClock
) -> None:
    writer(db, "pipit", clock())
    writer(db, "wagtail", clock())
    author, other = app_factory(), app_factory()
    workshop_sign_in(author, "pipit")
    workshop_sign_in(other, "wagtail")
    response = _write(author, "bullying", FRESH["bullying"])
    path = response.headers["location"].split("?")[0]
    assert author.get(path, headers=HTML).status_code == 200
    assert other.get(path, headers=HTML).status_code == 404
    assert other.get("/workshop/examples/not-an-id", headers=HTML).status_code == 404
    assert FRESH["bullying"] not in other.get("/workshop/examples", headers=HTML).text
