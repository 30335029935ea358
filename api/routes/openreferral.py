"""The Open Referral UK read API (HSDS 3.0, UK profile 3.0), mounted by the app at /openreferral.

Public and read-only: no key, `Access-Control-Allow-Origin: *` on every answer, errors included.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from api import errors
from services_directory import openreferral

MAX_PER_PAGE = 200
# Far beyond any directory's last page, and within what every database's integers hold.
MAX_PAGE = 1_000_000
# A UK postcode ("E1 6AN", "e1 6an") or district ("E14"), as the directory reads them.
POSTCODE_PATTERN = r"^\s*[A-Za-z]{1,2}[0-9][A-Za-z0-9]?(\s*[0-9][A-Za-z]{2})?\s*$"


class PublicRoute(APIRoute):
    """Adds the CORS header to every answer, errors included (translated by `api.errors`)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def public_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except errors.HANDLED as exc:
                response = errors.error_response(exc)
            response.headers["Access-Control-Allow-Origin"] = "*"
            return response

        return public_handler


router = APIRouter(route_class=PublicRoute, tags=["Open Referral UK"])


def get_session(request: Request) -> Iterator[Session]:
    """One database session per request, from the app's `state.session_factory`."""
    factory = request.app.state.session_factory
    with factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number of paginated result.")]
PerPage = Annotated[
    int, Query(ge=1, le=MAX_PER_PAGE, description="Number of results requested in a single page.")
]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No record with this id"}}
BAD_QUERY: dict[int | str, dict[str, Any]] = {
    422: {"description": "A query parameter is missing, malformed or out of range"}
}


def _filters(
    search: Annotated[str | None, Query(max_length=200, description="Full text search.")] = None,
    taxonomy_term_id: Annotated[str | None, Query(max_length=255)] = None,
    taxonomy_id: Annotated[str | None, Query(max_length=64)] = None,
    organization_id: Annotated[str | None, Query(max_length=64)] = None,
    minimum_age: Annotated[float | None, Query(ge=0, le=120)] = None,
    maximum_age: Annotated[float | None, Query(ge=0, le=120)] = None,
    postcode: Annotated[
        str | None,
        Query(
            max_length=10,
            pattern=POSTCODE_PATTERN,
            description="A UK postcode or postcode district, e.g. E1 6AN or E14.",
        ),
    ] = None,
    proximity: Annotated[
        float | None,
        Query(gt=0, le=1_000_000, description="Metres from `postcode` (needs `postcode`)."),
    ] = None,
) -> openreferral.ServiceFilters:
    return openreferral.ServiceFilters(
        search=search,
        taxonomy_term_id=taxonomy_term_id,
        taxonomy_id=taxonomy_id,
        organization_id=organization_id,
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        postcode=postcode,
        proximity=proximity,
    )


Filters = Annotated[openreferral.ServiceFilters, Depends(_filters)]


@router.get("/", summary="About this API and its relationship with HSDS")
def about() -> dict[str, str]:
    return openreferral.about()


@router.get("/services", summary="Paged services (one-to-one fields)", responses=BAD_QUERY)
def list_services(
    session: SessionDep, filters: Filters, page: Page = 1, per_page: PerPage = 50
) -> dict[str, Any]:
    return openreferral.list_services(session, filters, page, per_page)


@router.get("/services/{id}", summary="A fully nested service", responses=NOT_FOUND)
def get_service(session: SessionDep, id: Annotated[str, Path(max_length=64)]) -> dict[str, Any]:
    return openreferral.get_service(session, id)


@router.get("/taxonomies", summary="Paged taxonomies", responses=BAD_QUERY)
def list_taxonomies(session: SessionDep, page: Page = 1, per_page: PerPage = 50) -> dict[str, Any]:
    return openreferral.list_taxonomies(session, page, per_page)


@router.get("/taxonomies/{id}", summary="A taxonomy with its terms", responses=NOT_FOUND)
def get_taxonomy(session: SessionDep, id: Annotated[str, Path(max_length=64)]) -> dict[str, Any]:
    return openreferral.get_taxonomy(session, id)


@router.get("/taxonomy_terms", summary="Paged taxonomy terms", responses=BAD_QUERY)
def list_taxonomy_terms(
    session: SessionDep,
    page: Page = 1,
    per_page: PerPage = 50,
    taxonomy_id: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    return openreferral.list_taxonomy_terms(session, page, per_page, taxonomy_id)


@router.get("/taxonomy_terms/{id}", summary="A taxonomy term", responses=NOT_FOUND)
def get_taxonomy_term(
    session: SessionDep, id: Annotated[str, Path(max_length=64)]
) -> dict[str, Any]:
    return openreferral.get_taxonomy_term(session, id)


@router.get("/service_at_locations", summary="Paged services at locations", responses=BAD_QUERY)
def list_service_at_locations(
    session: SessionDep, filters: Filters, page: Page = 1, per_page: PerPage = 50
) -> dict[str, Any]:
    return openreferral.list_service_at_locations(session, filters, page, per_page)


@router.get(
    "/service_at_locations/{id}",
    summary="A fully nested service at a location",
    responses=NOT_FOUND,
)
def get_service_at_location(
    session: SessionDep, id: Annotated[str, Path(max_length=64)]
) -> dict[str, Any]:
    return openreferral.get_service_at_location(session, id)
