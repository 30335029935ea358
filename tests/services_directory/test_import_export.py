"""Import and export: lossless round trips of the shared fixtures, all-or-nothing imports with
errors by record and field, re-imports that update, and ORUK v1 mapping."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_directory.errors import InvalidRecord
from services_directory.io import (
    export_csv,
    export_json,
    import_document,
    import_file,
    normalise,
    normalise_csv_package,
)
from services_directory.io.export import (
    load_graph,
    service_at_location_item,
    service_full,
    service_list_item,
)
from services_directory.models import (
    HSDS_TABLES,
    Address,
    Contact,
    MetadataEntry,
    Phone,
    Service,
)
from tests.services_directory.dbtest import FIXTURES, LOCAL_FIXTURES

SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


def counts(session: Session) -> dict[str, int]:
    return {
        name: session.execute(select(func.count()).select_from(model)).scalar_one()
        for name, model in HSDS_TABLES.items()
    }


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def contents(document: Any) -> list[Any]:
    if isinstance(document, dict) and "contents" in document:
        return document["contents"]
    return document if isinstance(document, list) else [document]


@pytest.mark.parametrize("profile", ["oruk3", "hsds3"])
def test_service_full_round_trip_is_lossless(
    session: Session, profile: str, tmp_path: Path
) -> None:
    import_file(session, FIXTURES / profile / "service_full.json")
    export_json(session, tmp_path)
    exported = json.loads((tmp_path / "services.json").read_text(encoding="utf-8"))
    assert normalise(exported) == normalise([load(f"{profile}/service_full.json")])


@pytest.mark.parametrize("profile", ["oruk3", "hsds3"])
def test_list_and_service_at_location_round_trips(session: Session, profile: str) -> None:
    for name, build in (
        ("service_list.json", lambda g: [service_list_item(g, i) for i in g.rows["service"]]),
        (
            "service_at_location_list.json",
            lambda g: [service_at_location_item(g, i) for i in g.rows["service_at_location"]],
        ),
        (
            "service_at_location_full.json",
            lambda g: [
                service_at_location_item(g, i, full=True) for i in g.rows["service_at_location"]
            ],
        ),
    ):
        nested = session.begin_nested()
        import_file(session, FIXTURES / profile / name)
        exported = build(load_graph(session))
        assert normalise(exported) == normalise(contents(load(f"{profile}/{name}"))), name
        nested.rollback()


@pytest.mark.parametrize("profile", ["oruk3", "hsds3"])
def test_csv_package_round_trip_is_lossless(session: Session, profile: str, tmp_path: Path) -> None:
    import_file(session, FIXTURES / profile / "csv")
    export_csv(session, tmp_path)
    assert normalise_csv_package(tmp_path) == normalise_csv_package(FIXTURES / profile / "csv")
    # The export is itself a package the importer reads back without change.
    again = import_file(session, tmp_path)
    assert sum(again.written.created.values()) == 0
    assert sum(again.written.updated.values()) == 0


def test_json_and_csv_of_the_same_record_agree(session: Session, tmp_path: Path) -> None:
    import_file(session, FIXTURES / "hsds3" / "service_full.json")
    export_csv(session, tmp_path)
    nested = session.begin_nested()
    report = import_file(session, tmp_path)
    assert sum(report.written.updated.values()) == 0
    nested.rollback()
    graph = load_graph(session, [SERVICE_ID])
    assert normalise(service_full(graph, SERVICE_ID)) == normalise(load("hsds3/service_full.json"))


def test_other_standard_documents_import(session: Session) -> None:
    for name in (
        "hsds3/organization_full.json",
        "oruk3/organization_full.json",
        "oruk3/taxonomy.json",
        "hsds3/taxonomy_term.json",
        "hsds3/location.json",
        "oruk3/taxonomy_term_list.json",
        "hsds3/taxonomy_list.json",
    ):
        import_file(session, FIXTURES / name)
    assert session.get(Service, SERVICE_ID) is not None


def test_reimport_updates_rather_than_duplicates(session: Session) -> None:
    first = import_file(session, FIXTURES / "hsds3" / "service_full.json")
    before = counts(session)
    again = import_file(session, FIXTURES / "hsds3" / "service_full.json")
    assert sum(again.written.created.values()) == 0 and sum(again.written.updated.values()) == 0
    assert counts(session) == before
    document = load("hsds3/service_full.json")
    document["name"] = "Community Counselling Service"
    document["contacts"] = []
    changed = import_document(session, document)
    assert changed.written.updated["service"] == 1
    assert session.get(Service, SERVICE_ID).name == "Community Counselling Service"
    # The contact is no longer listed under the service but still under the organization.
    contact = session.get(Contact, "1e7efce3-639b-4880-940c-b95cd30cdb50")
    assert contact is not None and contact.service_id is None
    log = session.execute(
        select(MetadataEntry).where(
            MetadataEntry.resource_id == SERVICE_ID,
            MetadataEntry.field_name == "name",
            MetadataEntry.updated_by.startswith("services_directory"),
        )
    ).scalar_one()
    assert (log.previous_value, log.replacement_value, log.last_action_type) == (
        "Community Counselling",
        "Community Counselling Service",
        "update",
    )
    assert first.records["service"] == 1


def test_malformed_file_is_rejected_with_errors_and_nothing_written(session: Session) -> None:
    before = counts(session)
    with pytest.raises(InvalidRecord) as raised:
        import_file(session, LOCAL_FIXTURES / "invalid_services.json")
    problems = {(e.record.split(" ")[0], e.field) for e in raised.value.errors}
    assert ("[1]", "name") in problems
    assert ("[1]", "status") in problems
    assert ("[1]", "maximum_age") in problems
    assert ("[1]", "email") in problems
    assert ("[1].schedules[0]", "id") in problems
    assert ("[1].schedules[0]", "byday") in problems
    assert ("[1].schedules[0]", "opens_at") in problems
    assert ("[1].cost_options[0]", "amount") in problems
    assert ("[1].cost_options[0]", "valid_from") in problems
    assert counts(session) == before  # the valid first record was not written either


def test_unresolved_references_and_broken_files(session: Session, tmp_path: Path) -> None:
    orphan = {
        "id": "2b1c6e2e-1f0e-4a8e-9a3c-000000000009",
        "service_id": "2b1c6e2e-1f0e-4a8e-9a3c-00000000000f",
        "location_id": "2b1c6e2e-1f0e-4a8e-9a3c-00000000000e",
    }
    folder = tmp_path / "package"
    folder.mkdir()
    (folder / "service_at_location.csv").write_text(
        "id,service_id,location_id\n" + ",".join(orphan.values()) + "\n", encoding="utf-8"
    )
    with pytest.raises(InvalidRecord) as raised:
        import_file(session, folder)
    assert {e.field for e in raised.value.errors} == {"service_id", "location_id"}
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidRecord, match="is not JSON"):
        import_file(session, broken)
    conflicting = load("hsds3/service_full.json")
    conflicting["contacts"][0]["name"] = "Someone Else"
    with pytest.raises(InvalidRecord, match="differs from"):
        import_document(session, conflicting)


def test_soft_references_are_kept_and_reported(session: Session) -> None:
    report = import_file(session, FIXTURES / "hsds3" / "csv")
    assert any("points to no organization" in w for w in report.warnings)
    contact = session.get(Contact, "1e7efce3-639b-4880-940c-b95cd30cdb50")
    assert contact.organization_id == "ae67a707-5893-4225-b0b1-320ab9cb596b"  # as published


def test_oruk_v1_maps_what_maps_and_reports_the_rest(session: Session) -> None:
    report = import_file(session, LOCAL_FIXTURES / "oruk_v1_services.json")
    assert report.format == "ORUK v1 JSON"
    assert report.records["service"] == 2
    reported = "\n".join(report.not_mapped)
    for expected in (
        "holiday_schedules",
        "reviews",
        "deliverable_type",
        "attending_access",
        "cost_option.linkid",
        "without city, state_province",
        "not UUIDs",
    ):
        assert expected in reported, expected
    services = {s.name: s for s in session.execute(select(Service)).scalars()}
    drop_in = services["Example Youth Drop-in"]
    assert (drop_in.minimum_age, drop_in.maximum_age) == (11, 19)
    assert drop_in.eligibility_description == "Young people"
    assert str(drop_in.assured_date) == "2023-05-01"
    graph = load_graph(session, [drop_in.id])
    full = service_full(graph, drop_in.id)
    assert {s["byday"]: (s["opens_at"], s["closes_at"]) for s in full["schedules"]} == {
        "MO": ("15:30:00", "19:00:00"),
        "WE": ("15:30:00", "19:00:00"),
    }
    assert full["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "E1 6AN"
    assert full["attributes"][0]["taxonomy_term"]["name"] == "Youth clubs"
    assert {lang["name"] for lang in full["languages"]} == {"English", "Bengali"}
    phone = session.execute(select(Phone)).scalar_one()
    assert phone.number == "020 7946 0123"
    again = import_file(session, LOCAL_FIXTURES / "oruk_v1_services.json")
    assert sum(again.written.created.values()) == 0


def test_imported_services_are_searchable_by_postcode_area(session: Session) -> None:
    from services_directory.search import search

    import_file(session, LOCAL_FIXTURES / "oruk_v1_services.json")
    found = [r.name for r in search(session, text="drop-in young people", locality="riverside")]
    assert found == ["Example Youth Drop-in"]  # its address is in E1 (Riverside)
    assert search(session, text="drop-in young people", locality="northgate") == []


def test_progress_is_reported(session: Session) -> None:
    seen: list[tuple[str, int, int]] = []
    import_file(
        session, FIXTURES / "hsds3" / "service_list.json", progress=lambda *a: seen.append(a)
    )
    assert ("read", 1, 1) in seen
    assert any(stage.startswith("write") for stage, _, _ in seen)


def test_a_v1_address_without_a_county_keeps_its_postcode(session: Session) -> None:
    """Many UK feeds leave state_province out: the address (and so the place of the service,
    found from its postcode) is kept, with the city as its county, and the report says so."""
    place = {
        "id": "addr-1",
        "address_1": "2 High Street",
        "city": "Eastbridge",
        "postal_code": "E2 7AA",
    }
    service = {
        "id": "svc-1",
        "name": "Drop-in",
        "status": "active",
        "organization": {"id": "org-1", "name": "Council"},
        "service_at_locations": [
            {
                "id": "sal-1",
                "location": {"id": "loc-1", "name": "Hub", "physical_addresses": [place]},
            }
        ],
    }
    report = import_document(session, {"totalElements": 1, "content": [service]})
    assert any("were given their city" in n for n in report.not_mapped), report.not_mapped
    address = session.execute(select(Address)).scalar_one()
    assert (address.postal_code, address.state_province) == ("E2 7AA", "Eastbridge")
