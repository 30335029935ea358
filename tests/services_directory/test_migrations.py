"""The schema comes from the Alembic migration, and the migration matches the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from services_directory.accounts import ACCOUNT_TABLES
from services_directory.db import make_engine, migrate
from services_directory.drafts import DRAFT_TABLES
from services_directory.freshness import ServiceReview
from services_directory.models import EXTENSION_TABLES, HSDS_TABLES, NAMING_CONVENTION, Base


def test_migration_creates_every_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    expected = set(HSDS_TABLES) | set(EXTENSION_TABLES) | set(ACCOUNT_TABLES) | set(DRAFT_TABLES)
    expected.add(ServiceReview.__tablename__)
    assert expected | {"alembic_version"} <= tables


def test_models_and_migration_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_naming_convention_and_foreign_keys(engine: Engine) -> None:
    assert Base.metadata.naming_convention == NAMING_CONVENTION
    fks = {fk["name"] for fk in inspect(engine).get_foreign_keys("service")}
    assert "fk_service_organization_id_organization" in fks


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(engine)
    migrate(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    assert "service" in inspect(engine).get_table_names()
    engine.dispose()
