"""Database helpers for the directory's tests: engines for SQLite and (when TEST_DATABASE_URL is
set) PostgreSQL, migrated with Alembic, and sessions joined to an outer transaction that is rolled
back after each test (SQLAlchemy, "Joining a Session into an External Transaction")."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services_directory.db import make_engine, migrate
from services_directory.search import clear_search_cache

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / ".." / "shared" / "fixtures"
LOCAL_FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATA = REPO / "services_directory" / "data"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def migrated_engine(backend: str, workdir: Path) -> Engine:
    """A fresh database of `backend`, built by the Alembic migration (downgraded first on PG)."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{workdir / 'directory.db'}")
    else:
        engine = make_engine(os.environ["TEST_DATABASE_URL"])
        migrate(engine, "base")
    migrate(engine)
    return engine


@contextmanager
def rolled_back_session(engine: Engine) -> Iterator[tuple[Session, sessionmaker[Session]]]:
    """A session (and a factory of more sessions) inside a transaction that is rolled back."""
    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    session = factory()
    try:
        yield session, factory
    finally:
        session.close()
        outer.rollback()
        connection.close()
        clear_search_cache()
