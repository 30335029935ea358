"""The Open Referral UK read API: every endpoint's answers validate against the profile's JSON
schemas (built from the profile's data package and OpenAPI file in shared/fixtures/oruk3, $refs
resolved locally), with the paging envelope, filters, 404s, 422s and the CORS header."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import Engine

from api.routes.openreferral import router
from services_directory.curated import curated_id, load_curated
from services_directory.io import import_file
from services_directory.io.schemas import response_schemas
from tests.services_directory.dbtest import (
    BACKENDS,
    FIXTURES,
    LOCAL_FIXTURES,
    migrated_engine,
    rolled_back_session,
)

ORUK = FIXTURES / "oruk3"
OPENAPI_URI = "urn:oruk3:openapi.json"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
SAL_ID = "e94c9f38-1e8f-4564-91d4-d53501ab1765"
PROFILE_BASE = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"


def _registry() -> Registry:
    openapi = json.loads((ORUK / "openapi.schema.json").read_text(encoding="utf-8"))
    package = json.loads((ORUK / "datapackage.schema.json").read_text(encoding="utf-8"))
    resources = [(OPENAPI_URI, Resource.from_contents(openapi, default_specification=DRAFT202012))]
    for uri, schema in response_schemas(package).items():
        resources.append((uri, Resource.from_contents(schema)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validator_for(path: str) -> Draft202012Validator:
    """The 200 response schema of `path` in the profile's OpenAPI file."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    ref = f"{OPENAPI_URI}#/paths/{pointer}/get/responses/200/content/application~1json/schema"
    return Draft202012Validator(
        {"$ref": ref}, registry=REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def validator_for_schema(name: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"{PROFILE_BASE}{name}"},
        registry=REGISTRY,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def assert_valid(validator: Draft202012Validator, document: Any) -> None:
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


@pytest.fixture(scope="module", params=BACKENDS)
def api_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    engine = migrated_engine(request.param, tmp_path_factory.mktemp(f"api-{request.param}"))
    yield engine
    engine.dispose()


@pytest.fixture
def client(api_engine: Engine) -> Iterator[TestClient]:
    with rolled_back_session(api_engine) as (session, factory):
        load_curated(session, LOCAL_FIXTURES / "curated")
        import_file(session, ORUK / "service_full.json")
        session.flush()
        app = FastAPI()
        app.state.session_factory = factory
        app.include_router(router, prefix="/openreferral")
        with TestClient(app) as test_client:
            yield test_client


def get(client: TestClient, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    return response.json()


def test_root(client: TestClient) -> None:
    body = get(client, "/openreferral/")
    assert_valid(validator_for("/"), body)
    assert body["version"] == "3.0" and body["profile"] and body["openapi_url"]


def test_services_pages_validate(client: TestClient) -> None:
    first = get(client, "/openreferral/services?per_page=4")
    assert_valid(validator_for("/services"), first)
    assert (first["total_items"], first["total_pages"], first["size"]) == (7, 2, 4)
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    second = get(client, "/openreferral/services?per_page=4&page=2")
    assert_valid(validator_for("/services"), second)
    assert second["size"] == 3 and second["last_page"]
    ids = [s["id"] for s in first["contents"] + second["contents"]]
    assert len(set(ids)) == 7
    beyond = get(client, "/openreferral/services?per_page=4&page=3")
    assert beyond["empty"] and beyond["contents"] == []


def test_every_service_full_validates(client: TestClient) -> None:
    listing = get(client, "/openreferral/services?per_page=50")
    validator = validator_for("/services/{id}")
    for item in listing["contents"]:
        body = get(client, f"/openreferral/services/{item['id']}")
        assert_valid(validator, body)
        assert body["id"] == item["id"] and body["organization"]["id"]
    fixture = get(client, f"/openreferral/services/{SERVICE_ID}")
    assert fixture["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == (
        "ABC 1234"
    )
    curated = get(client, f"/openreferral/services/{curated_id('test-helpline')}")
    assert curated["phones"][0]["number"] == "0800 000 0001"  # phones kept beyond the profile
    assert curated["attributes"][0]["taxonomy_term"]["taxonomy_detail"]["name"] == "Test needs"


def test_filters(client: TestClient) -> None:
    def names(query: str) -> set[str]:
        body = get(client, f"/openreferral/services?{query}")
        assert_valid(validator_for("/services"), body)
        return {s["name"] for s in body["contents"]}

    assert "Riverside Teen Counselling (example)" in names("search=councelling")
    assert "Community Counselling" in names("search=councelling")
    lonely = names(
        f"taxonomy_term_id={curated_id('taxonomy', 'test-needs', 'term', 'feeling_lonely')}"
    )
    assert lonely == {
        "Northgate Young Adults Club (example)",
        "Riverside Teen Counselling (example)",
        "Evening Chat",
        "Test Helpline",
    }
    assert names("taxonomy_term_id=feeling_lonely") == lonely  # the code works too
    assert names("minimum_age=16") == {"Northgate Young Adults Club (example)"}
    assert names("maximum_age=18") == {"Test Textline", "Riverside Teen Counselling (example)"}
    riverside = names("postcode=E1%206AN")
    assert "Riverside Teen Counselling (example)" in riverside
    assert "Northgate Young Adults Club (example)" not in riverside
    assert "Test Helpline" in riverside  # national services cover every postcode
    assert names("postcode=E1&proximity=1000") == riverside


def test_taxonomies_and_terms(client: TestClient) -> None:
    taxonomies = get(client, "/openreferral/taxonomies")
    assert_valid(validator_for("/taxonomies"), taxonomies)
    assert [t["name"] for t in taxonomies["contents"]] == ["Test needs"]
    one = get(client, f"/openreferral/taxonomies/{taxonomies['contents'][0]['id']}")
    assert_valid(validator_for("/taxonomies/{id}"), one)
    assert len(one["taxonomy_terms"]) == 6 + 3  # the needs and their three tiers
    terms = get(client, "/openreferral/taxonomy_terms?per_page=100")
    assert_valid(validator_for("/taxonomy_terms"), terms)
    assert terms["total_items"] == 6 + 3 + 1  # + the ORUK example's term
    term = get(client, f"/openreferral/taxonomy_terms/{terms['contents'][0]['id']}")
    assert_valid(validator_for("/taxonomy_terms/{id}"), term)


def test_service_at_locations(client: TestClient) -> None:
    listing = get(client, "/openreferral/service_at_locations")
    assert_valid(validator_for("/service_at_locations"), listing)
    assert [s["id"] for s in listing["contents"]] == [SAL_ID]
    assert listing["contents"][0]["service"]["id"] == SERVICE_ID
    full = get(client, f"/openreferral/service_at_locations/{SAL_ID}")
    # The profile's openapi.json points this path at compiled/service.json (a service); the
    # answer is a service_at_location, validated against that resource's schema instead.
    assert_valid(validator_for_schema("compiled/service_at_location.json"), full)
    assert full["service"]["id"] == SERVICE_ID and full["location"]["id"]


@pytest.mark.parametrize(
    "url",
    [
        "/openreferral/services?page=0",
        "/openreferral/services?per_page=0",
        "/openreferral/services?per_page=100000",
        "/openreferral/services?page=two",
        "/openreferral/services?minimum_age=old",
        "/openreferral/services?maximum_age=-1",
        "/openreferral/services?postcode=not-a-postcode",
        "/openreferral/services?proximity=500",
        "/openreferral/services?proximity=-5&postcode=E1",
        "/openreferral/taxonomies?page=-1",
        "/openreferral/taxonomy_terms?per_page=abc",
        "/openreferral/service_at_locations?minimum_age=500",
    ],
)
def test_bad_query_parameters_are_422(client: TestClient, url: str) -> None:
    body = get(client, url, 422)
    assert body["detail"]


@pytest.mark.parametrize(
    "path", ["services", "taxonomies", "taxonomy_terms", "service_at_locations"]
)
def test_unknown_ids_are_404(client: TestClient, path: str) -> None:
    body = get(client, f"/openreferral/{path}/00000000-0000-0000-0000-000000000000", 404)
    # One error shape for the whole API (api/errors.py): a list of {field, message, type}.
    assert "no " in body["detail"][0]["message"] and body["detail"][0]["field"] == "id"
