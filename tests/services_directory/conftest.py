"""Fixtures of the services directory tests: every database test runs on SQLite and, when
TEST_DATABASE_URL is set, on PostgreSQL too, each inside a transaction rolled back afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services_directory.curated import load_curated
from tests.services_directory.dbtest import (
    BACKENDS,
    DATA,
    LOCAL_FIXTURES,
    migrated_engine,
    rolled_back_session,
)

REAL_DATA_FILES = ("national_services.yml", "local_sample_services.yml", "taxonomy.yml")


@pytest.fixture(scope="session", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A database migrated to head, per backend."""
    engine = migrated_engine(request.param, tmp_path_factory.mktemp(request.param))
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[tuple[Session, sessionmaker[Session]]]:
    with rolled_back_session(engine) as pair:
        yield pair


@pytest.fixture
def session(db: tuple[Session, sessionmaker[Session]]) -> Session:
    """A session whose writes are rolled back after the test."""
    return db[0]


@pytest.fixture
def curated(session: Session) -> Session:
    """The session with the small curated fixture data (fixtures/curated beside this file)."""
    load_curated(session, LOCAL_FIXTURES / "curated")
    return session


@pytest.fixture
def real_data(session: Session) -> Session:
    """The session with the project's curated data files (skips while they do not exist)."""
    missing = [name for name in REAL_DATA_FILES if not (DATA / name).is_file()]
    if missing:
        pytest.skip(f"curated data files not written yet: {', '.join(missing)}")
    load_curated(session)
    return session
