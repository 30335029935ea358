"""The council's localities in the database: seeded from the localities file, the rules they
keep, what adding, changing, moving and removing them does, and the cache every process keeps
(SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from services_directory.curated import load_curated
from services_directory.db import make_engine, make_session_factory, migrate
from services_directory.localities import (
    CHECK_SECONDS,
    database_localities,
    file_localities,
    load_localities,
    version_key,
)
from services_directory.locality_edit import (
    change_locality,
    create_locality,
    move_locality,
    remove_locality,
    seed_localities,
    tagged_services,
)
from services_directory.locality_models import LocalityDistrict, LocalityRecord
from services_directory.locality_rules import InvalidLocality, LocalityValues
from services_directory.models import MetadataEntry, ServiceArea, ServiceLocality
from tests.services_directory.dbtest import LOCAL_FIXTURES

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ["northgate", "riverside", "millfield", "eastwick"]


def southbank(**changes: object) -> LocalityValues:
    values = LocalityValues(
        name="South Bank", districts=["SE1"], aliases=["south bnk"], id="southbank"
    )
    for key, value in changes.items():
        setattr(values, key, value)
    return values


def problems(session: Session, values: LocalityValues, current: str | None = None) -> dict:
    with pytest.raises(InvalidLocality) as refused:
        if current is None:
            create_locality(session, values)
        else:
            change_locality(session, current, values)
    return {p.field: p.message for p in refused.value.problems}


# --- seeding ------------------------------------------------------------------------------------


def test_an_empty_table_reads_the_file_until_seeded(session: Session) -> None:
    assert session.scalar(select(func.count()).select_from(LocalityRecord)) == 0
    assert load_localities(session=session) == file_localities()
    assert seed_localities(session) == 4
    assert seed_localities(session) == 0  # only ever into an empty table
    assert load_localities(session=session) == file_localities()
    assert list(load_localities(session=session)) == SAMPLE
    districts = session.scalars(select(LocalityDistrict.district)).all()
    assert sorted(districts) == ["E1", "E14", "E1W", "E2", "E3", "E9"]


def test_loading_the_curated_data_seeds_the_localities(session: Session) -> None:
    load_curated(session, LOCAL_FIXTURES / "curated")
    assert list(load_localities(session=session)) == SAMPLE
    assert session.scalar(select(func.count()).select_from(LocalityRecord)) == 4


def test_the_curated_data_is_checked_against_the_database_localities(session: Session) -> None:
    seed_localities(session)
    create_locality(session, southbank())
    load_curated(session, LOCAL_FIXTURES / "curated")  # still valid: riverside and the rest stay
    assert "southbank" in load_localities(session=session)


# --- the rules ----------------------------------------------------------------------------------


def test_a_bad_outward_code_is_refused(session: Session) -> None:
    assert (
        "not a UK postcode district"
        in problems(session, southbank(districts=["SEX1"]))["districts"]
    )
    assert "not whole postcodes" in problems(session, southbank(districts=["SE1 7PB"]))["districts"]
    assert "at least one" in problems(session, southbank(districts=[]))["districts"]


def test_a_district_belongs_to_one_locality(session: Session) -> None:
    found = problems(session, southbank(districts=["SE1", "E14"]))
    assert found["districts"] == "E14 already belongs to Millfield"
    # Claimed twice in the database itself is impossible too: the district is the key.
    create_locality(session, southbank())
    assert problems(session, southbank(name="Elsewhere", id="elsewhere", aliases=[]))[
        "districts"
    ] == ("SE1 already belongs to South Bank")


def test_an_empty_name_and_a_duplicate_id_are_refused(session: Session) -> None:
    assert problems(session, southbank(name="  "))["name"] == "Enter the locality's name"
    found = problems(session, southbank(name="Millfield Two", id="millfield"))
    assert found["id"] == "There is already a locality with the id millfield"
    assert "start with a letter" in problems(session, southbank(id="9 lives"))["id"]


def test_names_and_other_names_are_not_shared(session: Session) -> None:
    assert problems(session, southbank(name="Riverside", id="riverside2"))["name"] == (
        "Riverside already uses this name"
    )
    found = problems(session, southbank(aliases=["Larkspur Estate"]))
    assert found["aliases"] == "Riverside already uses the name Larkspur Estate"


def test_nothing_is_written_when_a_rule_fails(session: Session) -> None:
    with pytest.raises(InvalidLocality):
        create_locality(session, southbank(districts=["E14"]))
    assert "southbank" not in load_localities(session=session)


# --- changes ------------------------------------------------------------------------------------


def test_an_id_is_made_from_the_name_when_left_blank(session: Session) -> None:
    assert create_locality(session, southbank(name="St Mary's Park", id="")).id == "st-marys-park"


def test_adding_changing_and_moving(session: Session) -> None:
    place_id = create_locality(session, southbank(districts=["se1", "SE11", "se1"])).id
    assert place_id == "southbank"
    places = load_localities(session=session)
    assert list(places)[-1] == "southbank"  # added at the end, after the seeded sample
    assert places["southbank"].districts == ("SE1", "SE11")
    changed = change_locality(
        session, "southbank", southbank(name="Southbank", districts=["SE1"], aliases=["sth bank"])
    )
    assert changed == ["name", "districts", "aliases"]
    same = southbank(name="Southbank", aliases=["sth bank"])
    assert change_locality(session, "southbank", same) == []  # nothing changed
    assert change_locality(session, "southbank", southbank(name="Southbank")) == ["aliases"]
    assert move_locality(session, "southbank", -1)
    assert list(load_localities(session=session))[-2:] == ["southbank", "eastwick"]
    assert not move_locality(session, "northgate", -1)  # already first


def test_removing_a_locality_untags_its_services(session: Session) -> None:
    load_curated(session, LOCAL_FIXTURES / "curated")
    tagged = tagged_services(session, "riverside")
    assert tagged >= 1
    entries = session.scalar(select(func.count()).select_from(MetadataEntry))
    assert remove_locality(session, "riverside") == tagged
    assert "riverside" not in load_localities(session=session)
    left = session.scalar(
        select(func.count())
        .select_from(ServiceLocality)
        .where(ServiceLocality.locality == "riverside")
    )
    assert left == 0  # never a dangling tag
    assert session.scalar(select(func.count()).select_from(MetadataEntry)) >= entries + tagged
    assert session.get(LocalityDistrict, "E1") is None  # its districts went with it


def test_renaming_keeps_the_service_areas_in_step(session: Session) -> None:
    load_curated(session, LOCAL_FIXTURES / "curated")
    sid = session.scalars(
        select(ServiceLocality.service_id).where(ServiceLocality.locality == "riverside")
    ).first()
    session.add(
        ServiceArea(id="area-1", service_id=sid, name="Riverside", service_area="Riverside")
    )
    session.flush()
    change_locality(session, "riverside", LocalityValues("River Side", ["E1", "E1W"], []))
    assert session.get(ServiceArea, "area-1").name == "River Side"
    remove_locality(session, "riverside")
    assert session.get(ServiceArea, "area-1") is None


def test_the_last_locality_cannot_be_removed(session: Session) -> None:
    seed_localities(session)
    for place in SAMPLE[1:]:
        remove_locality(session, place)
    with pytest.raises(InvalidLocality):
        remove_locality(session, "northgate")


# --- the cache ----------------------------------------------------------------------------------


def test_every_change_moves_the_version_on(session: Session) -> None:
    seed_localities(session)
    seen = [version_key(session)]
    create_locality(session, southbank())
    seen.append(version_key(session))
    change_locality(session, "southbank", southbank(districts=["SE1", "SE11"]))
    seen.append(version_key(session))
    move_locality(session, "southbank", -1)
    seen.append(version_key(session))
    remove_locality(session, "millfield")
    seen.append(version_key(session))
    assert len(set(seen)) == len(seen)


@pytest.fixture
def shared_database(engine: Engine, tmp_path: Path) -> tuple[str, Engine]:
    """A database whose commits are real (a file on SQLite; the test's PostgreSQL database,
    emptied of localities afterwards)."""
    if engine.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.db'}"
        migrate(url)
        yield url, make_engine(url)
        return
    url = engine.url.render_as_string(hide_password=False)
    yield url, engine
    with make_session_factory(engine)() as db, db.begin():
        db.execute(delete(LocalityRecord))


def test_the_cache_follows_a_change_made_by_another_process(shared_database) -> None:
    url, writer_engine = shared_database
    reader_engine = make_engine(url)  # another process's engine: a cache of its own
    try:
        with make_session_factory(writer_engine)() as db, db.begin():
            seed_localities(db)
        with make_session_factory(reader_engine)() as reader:
            assert "southbank" not in database_localities(reader)
        with make_session_factory(writer_engine)() as db, db.begin():
            create_locality(db, southbank())
        with make_session_factory(reader_engine)() as reader:
            # Within the check interval the cache answers without asking the database ...
            assert "southbank" not in database_localities(reader)
            # ... and once it is over, one cheap query finds the change.
            time.sleep(CHECK_SECONDS + 0.1)
            assert "southbank" in database_localities(reader)
    finally:
        reader_engine.dispose()


def test_a_separate_process_sees_a_change_without_a_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    migrate(url)
    engine = make_engine(url)
    script = (
        "import sys, time\n"
        "from services_directory.localities import CHECK_SECONDS, load_localities\n"
        "print(','.join(load_localities()), flush=True)\n"
        "sys.stdin.readline()\n"
        "time.sleep(CHECK_SECONDS + 0.2)\n"
        "print(','.join(load_localities()), flush=True)\n"
    )
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    env.pop("LOCALITIES_FILE", None)
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None and process.stdin is not None
        assert process.stdout.readline().strip().split(",") == SAMPLE  # the file: none defined
        with make_session_factory(engine)() as db, db.begin():
            create_locality(db, southbank())
        process.stdin.write("\n")
        process.stdin.flush()
        assert process.stdout.readline().strip().split(",") == [*SAMPLE, "southbank"]
    finally:
        process.kill()
        process.wait()
        engine.dispose()
