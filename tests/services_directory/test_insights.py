"""The aggregate counters: what an offer of services adds, the upsert (also from two connections
at once), pruning, and that neither the counters nor the feedback reports can hold anything that
identifies a young person. SQLite, and PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import Engine, delete, func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from services_directory import insights
from services_directory.db import make_session_factory
from services_directory.feedback import FeedbackReport, count_helped, file_report
from services_directory.insights import (
    NO_LOCAL_FIT,
    OFFERED,
    CounterKey,
    InsightCounter,
    age_band,
    increment,
    record_offer,
    week_start,
)
from services_directory.models import Service

# A Wednesday afternoon in London; its week starts on Monday 1 March 2027.
NOW = dt.datetime(2027, 3, 3, 15, 30, tzinfo=dt.UTC)
MONDAY = dt.date(2027, 3, 1)


def service_id(session: Session, name_part: str) -> str:
    found = session.scalar(select(Service.id).where(Service.name.contains(name_part)))
    assert found, name_part
    return found


def counts(session: Session, **where: str) -> dict[tuple, int]:
    statement = select(InsightCounter)
    for column, value in where.items():
        statement = statement.where(getattr(InsightCounter, column) == value)
    return {
        (c.week_start, c.metric, c.need, c.age_band, c.locality, c.service_id): c.count
        for c in session.scalars(statement)
    }


@pytest.mark.parametrize(
    ("age", "band"),
    [(None, "unknown"), (11, "11-15"), (15, "11-15"), (16, "16-17"), (17, "16-17")]
    + [(18, "18-25"), (25, "18-25"), (10, "other"), (26, "other"), (True, "unknown")],
)
def test_age_bands(age, band) -> None:
    assert age_band(age) == band


def test_weeks_start_on_monday_london_time() -> None:
    assert week_start(NOW) == MONDAY
    # 23:30 UTC on Sunday 28 March 2027 is already Monday in London (summer time).
    assert week_start(dt.datetime(2027, 3, 28, 23, 30, tzinfo=dt.UTC)) == dt.date(2027, 3, 29)


def test_an_offer_in_a_locality_with_a_local_service_counts_once(db, curated: Session) -> None:
    factory = db[1]
    local = service_id(curated, "Riverside Teen")
    arguments = {"need": "feeling_lonely", "age": 14, "locality": "riverside"}
    assert record_offer(factory, arguments, [local], now=NOW)
    assert record_offer(factory, arguments, [local], now=NOW)
    assert counts(curated) == {(MONDAY, OFFERED, "feeling_lonely", "11-15", "riverside", ""): 2}


def test_only_national_services_for_a_locality_is_no_local_fit(db, curated: Session) -> None:
    national = service_id(curated, "Test Helpline")
    local_elsewhere = service_id(curated, "Northgate Young Adults")
    arguments = {"need": "low_mood", "age": 17, "postcode": "E1 6AN"}  # Riverside
    assert record_offer(db[1], arguments, [national, local_elsewhere], now=NOW)
    assert counts(curated) == {
        (MONDAY, OFFERED, "low_mood", "16-17", "riverside", ""): 1,
        (MONDAY, NO_LOCAL_FIT, "low_mood", "16-17", "riverside", ""): 1,
    }


def test_nothing_fitting_is_no_local_fit_and_no_offer(db, curated: Session) -> None:
    assert record_offer(db[1], {"need": "bullying", "remote_only": True}, [], now=NOW)
    assert counts(curated) == {(MONDAY, NO_LOCAL_FIT, "bullying", "unknown", "online", ""): 1}


def test_without_a_borough_locality_there_is_no_local_question(db, curated: Session) -> None:
    national = service_id(curated, "Test Helpline")
    record_offer(db[1], {"need": "bullying", "national_only": True, "age": 30}, [national], now=NOW)
    record_offer(db[1], {"text": "my words", "postcode": "M1 1AA"}, [national], now=NOW)
    assert counts(curated) == {
        (MONDAY, OFFERED, "bullying", "other", "outside", ""): 1,
        (MONDAY, OFFERED, "", "unknown", "outside", ""): 1,
    }


def test_a_failure_to_count_is_swallowed(tmp_path) -> None:
    def broken() -> Session:
        raise RuntimeError("the database is gone")

    assert record_offer(broken, {"need": "bullying"}, ["x"], now=NOW) is False


def test_the_upsert_adds_to_the_same_row(session: Session) -> None:
    key = CounterKey(MONDAY, "helped_yes", service_id="svc-1")
    increment(session, [key, key])
    increment(session, [key])
    increment(session, [])
    assert counts(session) == {(MONDAY, "helped_yes", "", "", "", "svc-1"): 3}


def test_pruning_keeps_only_the_weeks_of_the_retention(session: Session) -> None:
    old = CounterKey(MONDAY - dt.timedelta(weeks=10), OFFERED, "bullying")
    recent = CounterKey(MONDAY - dt.timedelta(weeks=3), OFFERED, "bullying")
    increment(session, [old, recent])
    assert insights.prune(session, 4, NOW) == 1
    assert [k[0] for k in counts(session)] == [recent.week_start]


def test_two_connections_counting_at_once_lose_nothing(engine: Engine) -> None:
    """Real commits from several threads, each with its own connection, on one row."""
    factory = make_session_factory(engine)
    week = dt.date(1999, 1, 4)  # a week no other test uses; deleted afterwards
    key = CounterKey(week, "helped_no", service_id="race")
    errors: list[BaseException] = []

    def count(times: int) -> None:
        try:
            for _ in range(times):
                with factory() as session:
                    increment(session, [key])
                    session.commit()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=count, args=(25,)) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with factory() as session:
            total = session.scalar(
                select(func.sum(InsightCounter.count)).where(InsightCounter.week_start == week)
            )
        assert total == 100
    finally:
        with factory() as session, session.begin():
            session.execute(delete(InsightCounter).where(InsightCounter.week_start == week))


def test_the_counters_hold_no_text_no_ids_and_no_time_finer_than_a_week(engine: Engine) -> None:
    columns = {c["name"]: c for c in inspect(engine).get_columns("x_insight_counter")}
    assert set(columns) == {
        "week_start",
        "metric",
        "need",
        "age_band",
        "locality",
        "service_id",
        "count",
    }
    assert "DATE" in str(columns["week_start"]["type"]).upper()
    assert "TIME" not in str(columns["week_start"]["type"]).upper()
    # Short keys only: nothing a message could be kept in.
    for name in ("metric", "need", "age_band", "locality", "service_id"):
        assert columns[name]["type"].length <= 64, name


def test_a_report_row_holds_nothing_that_identifies_the_young_person(engine: Engine) -> None:
    columns = {c["name"]: c for c in inspect(engine).get_columns("x_service_feedback")}
    young_persons = set(columns) - {"resolved_at", "resolved_by_id", "resolved_by"}
    assert young_persons == {"id", "service_id", "reason", "text", "received_on", "status"}
    assert "TIME" not in str(columns["received_on"]["type"]).upper()
    for name in columns:
        assert not any(word in name for word in ("conversation", "ip", "agent", "created")), name


def test_feedback_counts_by_week_and_a_report_by_day(
    db: tuple[Session, sessionmaker[Session]], curated: Session
) -> None:
    local = service_id(curated, "Riverside Teen")
    count_helped(curated, local, True, NOW)
    count_helped(curated, local, False, NOW)
    report = file_report(curated, local, "number_wrong", "  rang it, nobody there  ", NOW)
    assert report.received_on == dt.date(2027, 3, 3) and report.text == "rang it, nobody there"
    assert counts(curated) == {
        (MONDAY, "helped_yes", "", "", "", local): 1,
        (MONDAY, "helped_no", "", "", "", local): 1,
        (MONDAY, "report_number_wrong", "", "", "", local): 1,
    }
    assert curated.scalar(select(func.count()).select_from(FeedbackReport)) == 1
    with pytest.raises(ValueError):
        file_report(curated, local, "made_up", None, NOW)
