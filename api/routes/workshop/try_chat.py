"""Try it: a test chat served by a candidate, for the youth council and staff only
(`WORKSHOP_TRY`). The candidate's own Rasa server is started on demand (`workshop.try_server`)
and each message goes through the API's own chat turn (`api.conversation.ChatTurn`): the safety
screen first, and the crisis response whatever the candidate says. No JavaScript: a form per
message, the conversation's id in a hidden field."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from wtforms import HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length

from api.conversation import ChatTurn
from api.deps import SessionDep, SettingsDep
from api.rasa_client import RasaClient
from api.routes.staff.deps import FormDataDep, SignedIn, current_staff, require
from api.routes.staff.forms import StaffForm, form_key, make_form
from api.routes.workshop.rendering import render
from dialogue.responses import domain_responses
from settings.app import Settings
from staff.errors import RecordNotFound
from staff.policy import Permission
from workshop.prompts import prompt_for
from workshop.release_models import WorkshopCandidate
from workshop.try_server import TryServer, TryServers

router = APIRouter(
    prefix="/workshop", include_in_schema=False, dependencies=[Depends(current_staff)]
)
Tester = Annotated[SignedIn, Depends(require(Permission.WORKSHOP_TRY))]
CONVERSATION = re.compile(r"[0-9a-f]{32}")
MESSAGE_MAX = 500


class TryForm(StaffForm):
    message = TextAreaField(
        "Your message",
        [
            InputRequired("Type a message"),
            Length(max=MESSAGE_MAX, message="Use 500 characters or fewer"),
        ],
    )
    conversation = HiddenField()


def _servers(request: Request, settings: Settings) -> TryServers:
    """This process's candidate servers (made at the first use)."""
    state = request.app.state
    if getattr(state, "workshop_try_servers", None) is None:
        state.workshop_try_servers = TryServers(
            settings.workshop_dir,
            settings.action_server_url,
            settings.workshop_try_idle_minutes * 60,
        )
    servers: TryServers = state.workshop_try_servers
    return servers


def _tryable(db: SessionDep, candidate_id: str) -> WorkshopCandidate:
    candidate = db.get(WorkshopCandidate, candidate_id)
    if candidate is None or not candidate.model_path:
        raise RecordNotFound("no such candidate, or it has no model yet")
    return candidate


async def _reply(
    request: Request, settings: Settings, server: TryServer, conversation: str, text: str
) -> dict[str, Any]:
    """One turn with the candidate, through the API's chat turn and its fail-safes."""
    async with httpx.AsyncClient(timeout=settings.rasa_timeout_seconds * 3) as http:
        turn = ChatTurn(
            rasa=RasaClient(http, server.url, None),
            http=http,
            action_health_url=settings.action_server_health_url,
            responses=domain_responses(),
            contacts=request.app.state.chat_turn.crisis_contacts,
            secret=settings.conversation_id_secret.get_secret_value(),
            timeout=settings.rasa_timeout_seconds * 3,
        )
        return await turn.run(conversation, text)


def _page(
    request: Request,
    staff: SignedIn,
    candidate: WorkshopCandidate,
    server: TryServer,
    form: TryForm,
    reply: dict[str, Any] | None = None,
    said: str = "",
    status: int = 200,
) -> HTMLResponse:
    ready = server.ready()
    context = {
        "candidate": candidate,
        "form": form,
        "ready": ready,
        "reply": reply,
        "said": said,
        "understood": _understood(reply),
    }
    return render(request, "try.html", context, staff=staff, status_code=status)


def _understood(reply: dict[str, Any] | None) -> str:
    """What the candidate read the message as, in the workshop's words (its prompt's title)."""
    intent = (reply or {}).get("intent")
    if not intent:
        return ""
    prompt = prompt_for(str(intent))
    return prompt.title if prompt else str(intent).replace("_", " ")


@router.get("/try", response_class=HTMLResponse)
def try_list(request: Request, db: SessionDep, staff: Tester) -> HTMLResponse:
    """The candidates that can be tried (those with a trained model)."""
    from workshop.candidates import candidates_newest_first

    shown = [c for c in candidates_newest_first(db) if c.model_path]
    return render(request, "try_list.html", {"candidates": shown}, staff=staff)


@router.get("/try/{candidate_id}", response_class=HTMLResponse)
def try_page(
    request: Request, candidate_id: str, db: SessionDep, settings: SettingsDep, staff: Tester
) -> HTMLResponse:
    """The test chat of a candidate (its server is started now if it is not running)."""
    candidate = _tryable(db, candidate_id)
    server = _servers(request, settings).server_for(candidate.id, str(candidate.model_path))
    form = make_form(TryForm, form_key(settings), staff.session.csrf_secret)
    form.conversation.data = uuid.uuid4().hex
    return _page(request, staff, candidate, server, form)


@router.post("/try/{candidate_id}", response_class=HTMLResponse)
async def try_message(
    request: Request,
    candidate_id: str,
    db: SessionDep,
    settings: SettingsDep,
    data: FormDataDep,
    staff: Tester,
) -> HTMLResponse:
    """One message to the candidate; the page shows its reply."""
    form = make_form(TryForm, form_key(settings), staff.session.csrf_secret, data)
    candidate = _tryable(db, candidate_id)
    server = _servers(request, settings).server_for(candidate.id, str(candidate.model_path))
    conversation = form.conversation.data or ""
    if not CONVERSATION.fullmatch(conversation):
        form.conversation.data = conversation = uuid.uuid4().hex
    if not form.validate():
        return _page(request, staff, candidate, server, form, status=422)
    said = form.message.data or ""
    reply = await _reply(request, settings, server, conversation, said)
    fresh = make_form(TryForm, form_key(settings), staff.session.csrf_secret)
    fresh.conversation.data = conversation
    return _page(request, staff, candidate, server, fresh, reply, said)
