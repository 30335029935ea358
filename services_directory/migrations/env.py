"""Alembic environment of the services directory (online and offline modes)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from services_directory import (
    accounts,  # noqa: F401 - registers the staff tables on Base
    crosswalk_models,  # noqa: F401 - registers the need crosswalk's tables on Base
    drafts,  # noqa: F401 - registers the drafts and versions on Base
    feedback,  # noqa: F401 - registers x_service_feedback on Base
    freshness,  # noqa: F401 - registers x_service_review on Base
    import_models,  # noqa: F401 - registers the staged imports' tables on Base
    insights,  # noqa: F401 - registers x_insight_counter on Base
    locality_models,  # noqa: F401 - registers the council's localities on Base
)
from services_directory.db import make_engine
from services_directory.models import Base
from workshop import (
    item_models,  # noqa: F401 - registers the workshop's examples, reviews, youth-voice set
    people_models,  # noqa: F401 - registers the workshop's invitations and consent
    release_models,  # noqa: F401 - registers the workshop's candidates, releases
)

config = context.config
target_metadata = Base.metadata


def _database_url() -> str:
    from services_directory.db import default_database_url

    return config.get_main_option("sqlalchemy.url") or default_database_url()


def run_migrations_offline() -> None:
    """Emit the SQL to stdout instead of running it (alembic upgrade --sql)."""
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against a connection handed in by `services_directory.db.migrate`, or a new engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_database_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection, target_metadata=target_metadata, render_as_batch=True
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
