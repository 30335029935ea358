"""Curated data: loads into an empty database, reloads without duplicates, rejects bad entries."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_directory.curated import curated_id, load_curated
from services_directory.errors import InvalidRecord
from services_directory.models import (
    HSDS_TABLES,
    Attribute,
    ContactMode,
    MetadataEntry,
    Phone,
    Service,
    ServiceArea,
    ServiceLocality,
    ServiceProfile,
    TaxonomyTerm,
)
from tests.services_directory.dbtest import DATA, LOCAL_FIXTURES

CURATED = LOCAL_FIXTURES / "curated"


def table_counts(session: Session) -> dict[str, int]:
    models = {
        **HSDS_TABLES,
        "x_service_profile": ServiceProfile,
        "x_contact_mode": ContactMode,
        "x_service_locality": ServiceLocality,
    }
    return {
        name: session.execute(select(func.count()).select_from(model)).scalar_one()
        for name, model in models.items()
        if name != "metadata"
    }


def test_load_into_empty_database(session: Session) -> None:
    report = load_curated(session, CURATED)
    assert report.services == 6 and report.terms == 6
    helpline = session.get(Service, curated_id("test-helpline"))
    assert helpline is not None and helpline.name == "Test Helpline"
    assert helpline.profile.slug == "test-helpline" and helpline.profile.crisis_order == 1
    assert [m.mode for m in helpline.contact_modes] == ["call"]
    phone = session.execute(select(Phone).where(Phone.service_id == helpline.id)).scalar_one()
    assert phone.number == "0800 000 0001"  # phone numbers are kept in HSDS too
    club = session.get(Service, curated_id("young-adults-club-northgate"))
    assert [loc.locality for loc in club.localities] == ["northgate"]
    lonely = session.execute(
        select(TaxonomyTerm).where(TaxonomyTerm.code == "feeling_lonely")
    ).scalar_one()
    ranks = dict(
        session.execute(
            select(Attribute.link_id, Attribute.value).where(
                Attribute.taxonomy_term_id == lonely.id
            )
        ).all()
    )
    assert ranks[club.id] == "1"


def test_reload_changes_nothing_and_logs_nothing(session: Session) -> None:
    load_curated(session, CURATED)
    before = table_counts(session)
    log_before = session.execute(select(func.count(MetadataEntry.id))).scalar_one()
    report = load_curated(session, CURATED)
    assert sum(report.written.created.values()) == 0
    assert sum(report.written.updated.values()) == 0
    assert table_counts(session) == before
    assert session.execute(select(func.count(MetadataEntry.id))).scalar_one() == log_before


def test_reload_applies_edits(session: Session, tmp_path: Path) -> None:
    load_curated(session, CURATED)
    folder = tmp_path / "curated"
    shutil.copytree(CURATED, folder)
    local = yaml.safe_load((folder / "local_sample_services.yml").read_text(encoding="utf-8"))
    local[0]["summary"] = "Example: changed summary."
    local[0]["localities"] = ["riverside", "millfield"]
    local[0]["contact_modes"] = local[0]["contact_modes"][:1]
    (folder / "local_sample_services.yml").write_text(yaml.safe_dump(local[:1]), encoding="utf-8")
    taxonomy = yaml.safe_load((folder / "taxonomy.yml").read_text(encoding="utf-8"))
    for term in taxonomy["terms"]:
        term["services"] = [s for s in term["services"] if s != "young-adults-club-northgate"]
    (folder / "taxonomy.yml").write_text(yaml.safe_dump(taxonomy), encoding="utf-8")
    report = load_curated(session, folder)
    assert report.retired == ["young-adults-club-northgate"]
    sid = curated_id("teen-counselling-riverside")
    assert session.get(ServiceProfile, sid).summary == "Example: changed summary."
    assert sorted(loc.locality for loc in session.get(Service, sid).localities) == [
        "millfield",
        "riverside",
    ]
    assert [m.mode for m in session.get(Service, sid).contact_modes] == ["drop_in"]
    assert session.get(Service, curated_id("young-adults-club-northgate")).status == "inactive"
    change = session.execute(
        select(MetadataEntry).where(
            MetadataEntry.resource_id == sid, MetadataEntry.field_name == "summary"
        )
    ).scalar_one()
    assert change.replacement_value == "Example: changed summary."


def test_invalid_entry_is_rejected_and_nothing_written(session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "curated"
    shutil.copytree(CURATED, folder)
    national = yaml.safe_load((folder / "national_services.yml").read_text(encoding="utf-8"))
    national[0]["contact_modes"][0]["href"] = "javascript:alert(1)"
    national[1]["maximum_age"] = 200
    national[2]["area"] = "everywhere"
    (folder / "national_services.yml").write_text(yaml.safe_dump(national), encoding="utf-8")
    before = table_counts(session)
    with pytest.raises(InvalidRecord) as raised:
        load_curated(session, folder)
    fields = {(e.record.split(" ")[-1], e.field) for e in raised.value.errors}
    assert ("(test-helpline)", "contact_modes[0].href") in fields
    assert ("(test-textline)", "maximum_age") in fields
    assert ("(anti-bullying-online)", "area") in fields
    assert table_counts(session) == before


def test_real_curated_data_covers_every_intent(real_data: Session) -> None:
    contract_path = DATA.parents[2] / "shared" / "contracts" / "intents.yml"
    if not contract_path.is_file():
        pytest.skip("shared/contracts/intents.yml not found")
    contract = yaml.safe_load(contract_path.read_text(encoding="utf-8"))
    wanted = {
        name
        for name, spec in contract["intents"].items()
        if spec["tier"] in {"need", "crisis", "safeguarding"}
    }
    codes = set(session_codes(real_data))
    assert wanted <= codes, f"missing need terms: {sorted(wanted - codes)}"
    services = real_data.execute(select(func.count(ServiceProfile.service_id))).scalar_one()
    assert services >= 30


def test_real_curated_data_reloads_without_duplicates(real_data: Session) -> None:
    before = table_counts(real_data)
    report = load_curated(real_data)
    assert sum(report.written.created.values()) == 0
    assert table_counts(real_data) == before


def session_codes(session: Session) -> list[str]:
    return [c for c in session.execute(select(TaxonomyTerm.code)).scalars() if c]


def test_a_data_folder_with_its_own_locality_is_read_from_its_own_localities(
    session: Session, tmp_path: Path
) -> None:
    """Checked and built from the same localities: a folder that adds one loads, no KeyError."""
    folder = tmp_path / "curated"
    shutil.copytree(CURATED, folder)
    (folder / "localities.yml").write_text(
        "localities:\n"
        "  - {id: northgate, name: Northgate, postcode_districts: [E2, E9]}\n"
        "  - {id: riverside, name: Riverside, postcode_districts: [E1, E1W]}\n"
        "  - {id: southbank, name: South Bank, postcode_districts: [SE1]}\n",
        encoding="utf-8",
    )
    local = yaml.safe_load((folder / "local_sample_services.yml").read_text(encoding="utf-8"))
    local[0]["localities"] = ["southbank"]
    (folder / "local_sample_services.yml").write_text(yaml.safe_dump(local), encoding="utf-8")
    report = load_curated(session, folder)
    assert report.services
    areas = session.execute(select(ServiceArea.name)).scalars().all()
    assert "South Bank" in areas


def test_an_unknown_locality_is_an_invalid_record(session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "curated"
    shutil.copytree(CURATED, folder)
    local = yaml.safe_load((folder / "local_sample_services.yml").read_text(encoding="utf-8"))
    local[0]["localities"] = ["atlantis"]
    (folder / "local_sample_services.yml").write_text(yaml.safe_dump(local), encoding="utf-8")
    with pytest.raises(InvalidRecord) as raised:
        load_curated(session, folder)
    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("localities", "unknown locality 'atlantis'")
    ]
