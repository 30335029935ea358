"""Engines, sessions and migrations. Nothing is created at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from settings.env import database_url

PACKAGE_DIR = Path(__file__).resolve().parent


def default_database_url() -> str:
    """The database URL from the settings (`DATABASE_URL` in the environment or `.env`), else the
    SQLite file under the repository's `var/`, whichever folder the command runs from."""
    return database_url()


# How long a SQLite connection waits for another process's write to finish, in milliseconds.
SQLITE_BUSY_MS = 15_000


def _prepare_sqlite(engine: Engine, file_backed: bool) -> None:
    # pysqlite starts transactions lazily and breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself
    # (SQLAlchemy docs, "Serializable isolation / Savepoints / Transactional DDL").
    # A file shared by the product's processes (API, action server, workshop worker, scheduler)
    # is in WAL mode, where readers and the writer do not block each other (a reading process
    # in the old rollback journal held every other process's commit, and a read-then-write of
    # one met a write of another as "database is locked" at once); writers wait their turn.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        if file_backed:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for `url` (default: `default_database_url()`), SQLite or PostgreSQL."""
    url = url or default_database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        file_backed = bool(database and database != ":memory:" and not database.startswith("file:"))
        if file_backed:
            Path(str(database)).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        _prepare_sqlite(engine, file_backed)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to `engine` (objects stay usable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str | None = None) -> Any:
    """The Alembic configuration of the package (alembic.ini lives inside services_directory/)."""
    from alembic.config import Config

    config = Config(str(PACKAGE_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(PACKAGE_DIR / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(target: str | Engine | None = None, revision: str = "head") -> None:
    """Upgrade the database (a URL or an Engine; default from the environment) to `revision`
    ("base" or a relative "-1" downgrades)."""
    from alembic import command

    if isinstance(target, Engine):
        config = alembic_config(target.url.render_as_string(hide_password=False))
        step = (
            command.downgrade
            if revision == "base" or revision.startswith("-")
            else (command.upgrade)
        )
        with target.begin() as connection:
            config.attributes["connection"] = connection
            step(config, revision)
        return
    url = target or default_database_url()
    engine = make_engine(url)
    try:
        migrate(engine, revision)
    finally:
        engine.dispose()
