"""Writing in your own words: the prompts, a single message or a whole conversation for one of
them, checked on submit with the result shown at once, and the writer's own examples.

Only members whose consent stands (and staff whose role writes) reach these pages; an example is
seen by its writer, moderators, and peer reviewers when it is an everyday one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import (
    ClockDep,
    FormDataDep,
    SignedIn,
    current_staff,
    require,
)
from api.routes.staff.forms import form_key, make_form
from api.routes.staff.rendering import redirect
from api.routes.workshop.item_forms import (
    ConversationForm,
    MessageForm,
    offer_turn_choices,
)
from api.routes.workshop.rendering import render
from services_directory.crisis import crisis_contacts
from settings.app import Settings
from staff.errors import PermissionDenied, RecordNotFound
from staff.policy import Permission
from workshop import corpus
from workshop.alerts import notify
from workshop.checks import TOO_CLOSE, BotAddress, CheckReport, Turn
from workshop.item_models import CONVERSATION, DISCLOSURE
from workshop.items import checks_of, items_of, submit, visible_item
from workshop.people import may_write
from workshop.prompts import Prompt, prompt_for, prompts
from workshop.review import in_youth_voice_set, reviews_of

router = APIRouter(
    prefix="/workshop", include_in_schema=False, dependencies=[Depends(current_staff)]
)
Viewer = Annotated[SignedIn, Depends(require(Permission.WORKSHOP_VIEW))]
WriterRole = Annotated[SignedIn, Depends(require(Permission.WORKSHOP_WRITE))]


def writer(db: SessionDep, staff: WriterRole) -> SignedIn:
    """The signed-in person, when they may write now (a young person: their consent stands)."""
    if not may_write(db, staff.user):
        raise PermissionDenied("writing needs consent that stands")
    return staff


Writer = Annotated[SignedIn, Depends(writer)]


def _prompt(intent: str) -> Prompt:
    prompt = prompt_for(intent)
    if prompt is None:
        raise RecordNotFound("no such prompt")
    return prompt


def bot_address(settings: Settings) -> BotAddress:
    """Where the live bot answers, and how long the workshop waits for it."""
    token = settings.rasa_token.get_secret_value() if settings.rasa_token else None
    return BotAddress(settings.rasa_url, settings.workshop_reading_timeout_seconds, token)


def _problems(report: CheckReport, ids: dict[int, str]) -> list[tuple[str, str]]:
    """(field id, message) for the error summary and beside each field: what to change."""
    found = []
    for index, details in sorted(report.personal.items()):
        hints = " ".join(d.hint for d in details)
        found.append((ids[index], f"{_where(index, ids)} has personal details in it. {hints}"))
    for index in report.too_close:
        found.append((ids[index], f"{_where(index, ids)}: {TOO_CLOSE}"))
    return found


def _where(index: int, ids: dict[int, str]) -> str:
    field = ids[index]  # "text", or "turns-<n>-user"
    return "Your message" if field == "text" else f"Turn {int(field.split('-')[1]) + 1}"


@router.get("/write", response_class=HTMLResponse)
def prompts_page(request: Request, staff: Writer) -> HTMLResponse:
    """Every situation to write for: everyday ones, then crisis and safeguarding."""
    everyday = [p for p in prompts().values() if not p.needs_moderator]
    careful = [p for p in prompts().values() if p.needs_moderator]
    context = {"everyday": everyday, "careful": careful}
    return render(request, "write_index.html", context, staff=staff)


def _write_page(
    request: Request, staff: SignedIn, prompt: Prompt, form: Any, problems: Any, status: int = 200
) -> HTMLResponse:
    template = "write_conversation.html" if isinstance(form, ConversationForm) else "write.html"
    context = {"prompt": prompt, "form": form, "problems": problems, "problem": bool(problems)}
    return render(request, template, context, staff=staff, status_code=status)


@router.get("/write/{intent}", response_class=HTMLResponse)
def write_page(request: Request, intent: str, settings: SettingsDep, staff: Writer) -> HTMLResponse:
    """One situation, its meaning and a scenario, and a box for a single message."""
    prompt = _prompt(intent)
    form = make_form(MessageForm, form_key(settings), staff.session.csrf_secret)
    return _write_page(request, staff, prompt, form, [])


@router.get("/write/{intent}/conversation", response_class=HTMLResponse)
def conversation_page(
    request: Request, intent: str, settings: SettingsDep, staff: Writer
) -> HTMLResponse:
    """One situation, and a whole conversation to write: your turns and the bot's replies."""
    prompt = _prompt(intent)
    form = make_form(ConversationForm, form_key(settings), staff.session.csrf_secret)
    offer_turn_choices(form, prompt)
    return _write_page(request, staff, prompt, form, [])


def _after_submit(request: Request, db: SessionDep, settings: Settings, submitted: Any) -> None:
    db.commit()
    if submitted.alert is not None:
        notify(db, request.app.state.mailer, settings.mail_sender, settings.public_base_url)


@router.post("/write/{intent}", response_class=HTMLResponse)
def write(
    request: Request,
    intent: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Writer,
) -> Response:
    """Check the message; refused (nothing kept) with what to change, else its results."""
    prompt = _prompt(intent)
    form = make_form(MessageForm, form_key(settings), staff.session.csrf_secret, data)
    if not form.validate():
        return _write_page(request, staff, prompt, form, [], 422)
    turns = [Turn(form.text.data or "", prompt.intent)]
    db.commit()  # no transaction is held while the checks ask the live bot (a few seconds)
    submitted = submit(db, staff.user, prompt, turns, clock(), bot=bot_address(settings))
    if submitted.item is None:
        db.commit()  # the audit entry of the refusal
        problems = _problems(submitted.report, {0: "text"})
        return _write_page(request, staff, prompt, form, problems, 422)
    _after_submit(request, db, settings, submitted)
    return redirect(f"/workshop/examples/{submitted.item.id}?sent=1")


@router.post("/write/{intent}/conversation", response_class=HTMLResponse)
def write_conversation(
    request: Request,
    intent: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Writer,
) -> Response:
    """Check every turn of the conversation; refused with what to change, else its results."""
    prompt = _prompt(intent)
    form = make_form(ConversationForm, form_key(settings), staff.session.csrf_secret, data)
    offer_turn_choices(form, prompt)
    if not form.validate():
        return _write_page(request, staff, prompt, form, [], 422)
    written = [e.form for e in form.turns.entries if (e.form.user.data or "").strip()]
    turns = [
        Turn(t.user.data or "", prompt.intent if i == 0 else (t.does.data or prompt.intent))
        for i, t in enumerate(written)
    ]
    replies = [t.bot.data or None for t in written]
    db.commit()  # no transaction is held while the checks ask the live bot (a few seconds)
    submitted = submit(
        db, staff.user, prompt, turns, clock(), bot=bot_address(settings), bot_replies=replies
    )
    if submitted.item is None:
        db.commit()
        ids = {i: f"turns-{n}-user" for i, n in enumerate(_written_positions(form))}
        return _write_page(request, staff, prompt, form, _problems(submitted.report, ids), 422)
    _after_submit(request, db, settings, submitted)
    return redirect(f"/workshop/examples/{submitted.item.id}?sent=1")


def _written_positions(form: ConversationForm) -> list[int]:
    return [n for n, e in enumerate(form.turns.entries) if (e.form.user.data or "").strip()]


@router.get("/examples", response_class=HTMLResponse)
def mine(request: Request, db: SessionDep, staff: Viewer) -> HTMLResponse:
    """The examples this person wrote, and what became of each."""
    context = {"examples": items_of(db, staff.user), "prompts": prompts()}
    return render(request, "mine.html", context, staff=staff)


@router.get("/examples/{item_id}", response_class=HTMLResponse)
def example(
    request: Request, item_id: str, db: SessionDep, staff: Viewer, sent: str | None = None
) -> HTMLResponse:
    """One example: the checks it passed, what the bot makes of it, its reviews, and (only now
    that the writer has written) a few of the examples the bot already has."""
    item = visible_item(db, staff.user, item_id)
    own = item.author_id == staff.user.id
    context = {
        "item": item,
        "prompt": prompt_for(item.intent),
        "prompts": prompts(),
        "checks": checks_of(db, item),
        "reviews": reviews_of(db, item),
        "replies": corpus.bot_responses(),
        "own": own,
        "sent": bool(sent) and own,
        "frozen": in_youth_voice_set(db, item),
        "existing": corpus.examples_for(item.intent) if own else [],
        "contacts": crisis_contacts(db) if item.status == DISCLOSURE else [],
        "is_conversation": item.kind == CONVERSATION,
    }
    return render(request, "example.html", context, staff=staff)
