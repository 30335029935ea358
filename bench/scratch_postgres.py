"""A scratch PostgreSQL database for a benchmark, made on the server of BENCH_POSTGRES_URL (the
local server by default) and dropped after; skipped, with a line saying so, when the server
cannot be reached."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _run(admin: str, *statements: str) -> None:
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


@contextmanager
def scratch_postgres(name: str) -> Iterator[str | None]:
    """The URL of a fresh database `name` (None when PostgreSQL is not reachable), dropped after."""
    admin = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_SERVER)
    try:
        _run(admin, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        print(f"  PostgreSQL: not reachable ({type(exc).__name__}); skipped")
        yield None
        return
    try:
        yield admin.rsplit("/", 1)[0] + f"/{name}"
    finally:
        _run(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
