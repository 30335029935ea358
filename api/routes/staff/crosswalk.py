"""The crosswalk pages (council admins): every feed term seen in the directory, how many services
use it, its mapping to the bot's needs and a suggested one with the reason; a term's page to map
it; and loading the starter crosswalk. Each change applies at once (its services gain or lose
need tags) in one transaction, with an audit entry; every POST carries its CSRF token."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from wtforms import SelectMultipleField

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import ClockDep, FormDataDep, SignedIn, current_staff, require
from api.routes.staff.forms import ConfirmForm, StaffForm, form_key, make_form
from api.routes.staff.rendering import redirect, render
from services_directory.crosswalk import ApplyReport
from services_directory.crosswalk_mapping import InvalidMapping, TermKey
from services_directory.crosswalk_terms import FeedTerm, feed_terms, find_term, offered_needs
from staff import crosswalk
from staff.directory import Page
from staff.errors import RecordNotFound
from staff.policy import Permission

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(current_staff)])

Mapper = Annotated[SignedIn, Depends(require(Permission.TAXONOMY_EDIT))]
PER_PAGE = 50


class MappingForm(StaffForm):
    needs = SelectMultipleField("Needs this term means", choices=[])


def _term_href(term: FeedTerm) -> str:
    return "/staff/crosswalk/term?" + urlencode(
        {"vocabulary": term.key.vocabulary, "code": term.key.code}
    )


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


@router.get("/crosswalk", response_class=HTMLResponse)
def crosswalk_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    staff: Mapper,
    page: str | None = None,
    show: str = "",
    notice: str = "",
    added: int = 0,
    removed: int = 0,
    mapped: int = 0,
) -> HTMLResponse:
    """Every feed term with its services, mapping and suggestion, the most used first."""
    terms = feed_terms(db)
    if show == "unmapped":
        terms = [t for t in terms if not t.mapped]
    pages = max(1, -(-len(terms) // PER_PAGE))
    number = min(_number(page), pages)
    found = Page(terms[(number - 1) * PER_PAGE : number * PER_PAGE], len(terms), number, PER_PAGE)

    def href(n: int) -> str:
        values = {"show": show, "page": str(n) if n > 1 else ""}
        query = urlencode({k: v for k, v in values.items() if v})
        return f"/staff/crosswalk?{query}" if query else "/staff/crosswalk"

    context = {
        "found": found,
        "show": show,
        "needs": {code: n.name for code, n in offered_needs(db).items()},
        "term_href": _term_href,
        "form": make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret),
        "notice": NOTICES.get(notice, ""),
        "counts": {"added": added, "removed": removed, "mapped": mapped},
        "page_links": {
            "previous": href(number - 1) if number > 1 else None,
            "next": href(number + 1) if number < pages else None,
            "items": [],
        },
    }
    return render(request, "crosswalk.html", context, staff=staff)


def _term(db: SessionDep, vocabulary: str, code: str) -> FeedTerm:
    term = find_term(db, vocabulary, code)
    if term is None:
        raise RecordNotFound(code)
    return term


def _term_page(
    request: Request,
    db: SessionDep,
    staff: SignedIn,
    term: FeedTerm,
    form: MappingForm,
    status: int = 200,
) -> HTMLResponse:
    context = {"term": term, "form": form, "action": _term_href(term)}
    return render(request, "crosswalk_term.html", context, staff=staff, status_code=status)


def _mapping_form(
    db: SessionDep, settings: SettingsDep, staff: SignedIn, data: FormDataDep | None = None
) -> MappingForm:
    form = make_form(MappingForm, form_key(settings), staff.session.csrf_secret, data)
    form.needs.choices = [(code, n.name) for code, n in offered_needs(db).items()]
    return form


@router.get("/crosswalk/term", response_class=HTMLResponse)
def term_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    staff: Mapper,
    vocabulary: str = "",
    code: str = "",
) -> HTMLResponse:
    """Map one feed term: its mapping is ticked (before it has one, the suggestion is)."""
    term = _term(db, vocabulary, code)
    form = _mapping_form(db, settings, staff)
    form.needs.data = term.needs if term.mapped else [s.need for s in term.suggestions]
    return _term_page(request, db, staff, term, form)


@router.post("/crosswalk/term", response_class=HTMLResponse)
def save_term(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Mapper,
    vocabulary: str = "",
    code: str = "",
) -> Response:
    """Save (or, with action=remove, remove) a term's mapping and apply it to its services."""
    form = _mapping_form(db, settings, staff, data)
    term = _term(db, vocabulary, code)
    key = TermKey(term.key.vocabulary, term.key.code)
    if data.get("action") == "remove":
        report = crosswalk.forget_mapping(db, staff.user, key, term.name, clock())
        db.commit()
        return _back("removed", report)
    if not form.validate():
        # Only a posted need outside the list fails here (crisis needs are not in it).
        form.needs.errors = [
            "Choose only needs from the list: crisis and safeguarding needs are set on each "
            "service by hand"
        ]
        return _term_page(request, db, staff, term, form, 422)
    try:
        report = crosswalk.save_mapping(
            db, staff.user, key, term.name, form.needs.data or [], clock()
        )
    except InvalidMapping as problem:
        db.rollback()
        form.needs.errors = [str(problem)]
        return _term_page(request, db, staff, term, form, 422)
    db.commit()
    return _back("saved", report)


NOTICES = {
    "saved": "The mapping is saved",
    "removed": "The mapping is removed",
    "starter": "The starter crosswalk is loaded",
}


def _back(notice: str, report: ApplyReport, mapped: int = 0) -> RedirectResponse:
    """Back to the list, saying what changed (fixed words and numbers only: nothing in the
    address can put other words on the page)."""
    values = {"notice": notice, "added": report.added, "removed": report.removed, "mapped": mapped}
    return redirect("/staff/crosswalk?" + urlencode(values))


@router.post("/crosswalk/starter")
def starter(
    db: SessionDep, settings: SettingsDep, clock: ClockDep, data: FormDataDep, staff: Mapper
) -> RedirectResponse:
    """Map the unmapped terms the starter crosswalk knows by name, and apply them."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    mapped, report = crosswalk.use_starter(db, staff.user, clock())
    db.commit()
    return _back("starter", report, mapped)
