"""The FastAPI application: `uvicorn --factory api.main:create_app`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from api import errors
from api.conversation import ChatTurn
from api.rasa_client import RasaClient
from api.routes import chat, feedback, health, openreferral, pages, staff, workshop
from dialogue.responses import domain_responses
from services_directory.crisis import crisis_contacts
from services_directory.db import make_engine, make_session_factory
from settings.app import ROOT, Settings, get_settings
from staff.mail import make_mailer
from staff.passwords import limit_concurrent_hashes

logger = logging.getLogger(__name__)
APP_LOGGERS = ("api", "dialogue", "services_directory", "safety_screen", "staff")


def _crisis_contacts_source(session_factory: Any):
    """Reads the crisis contacts from the directory, or the built-in copy when it can't."""

    def read() -> list[dict[str, Any]]:
        try:
            with session_factory() as session:
                contacts = crisis_contacts(session)
        except Exception:
            logger.exception("directory unreadable: using the built-in crisis contacts")
            contacts = crisis_contacts(None)
        return [c.to_dict() for c in contacts]

    return read


def _staff_redis(settings: Settings) -> Any:
    """A Redis client for the staff sessions when they are kept there, else None."""
    if settings.staff_session_store != "redis":
        return None
    import redis

    return redis.Redis.from_url(settings.redis_url, decode_responses=True)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; engines and clients are created at start-up, not at import."""
    settings = settings or get_settings()
    # LOG_LEVEL for the application's own loggers (uvicorn keeps its own configuration).
    for package in APP_LOGGERS:
        logging.getLogger(package).setLevel(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        session_factory = make_session_factory(engine)
        token = settings.rasa_token.get_secret_value() if settings.rasa_token else None
        async with (
            httpx.AsyncClient(timeout=settings.rasa_timeout_seconds) as rasa_http,
            httpx.AsyncClient(timeout=settings.health_timeout_seconds) as http,
        ):
            app.state.settings = settings
            app.state.session_factory = session_factory
            app.state.mailer = make_mailer(settings)
            limit_concurrent_hashes(settings.staff_password_hash_concurrency)
            app.state.redis = _staff_redis(settings)
            app.state.http = http
            app.state.rasa = RasaClient(rasa_http, settings.rasa_url, token)
            app.state.chat_turn = ChatTurn(
                rasa=app.state.rasa,
                http=http,
                action_health_url=settings.action_server_health_url,
                responses=domain_responses(),
                contacts=_crisis_contacts_source(session_factory),
                secret=settings.conversation_id_secret.get_secret_value(),
                timeout=settings.rasa_timeout_seconds,
                max_concurrent=settings.rasa_max_concurrent_turns,
            )
            yield
        # The workshop's test chats run Rasa servers of their own: none outlives the app.
        try_servers = getattr(app.state, "workshop_try_servers", None)
        if try_servers is not None:
            try_servers.stop_all()
        if app.state.redis is not None:
            app.state.redis.close()
        engine.dispose()

    app = FastAPI(
        title="Youth support chatbot",
        summary="Helps young people find mental-health and support services",
        lifespan=lifespan,
    )
    # A young person on a poor mobile connection: compress the page, scripts and replies.
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    errors.install(app)
    app.include_router(chat.router)
    app.include_router(feedback.router)
    app.include_router(health.router)
    app.include_router(openreferral.router, prefix="/openreferral")
    app.include_router(pages.router)
    staff.install(app)
    workshop.install(app)
    app.mount("/static", StaticFiles(directory=ROOT / "api" / "static"), name="static")
    return app
