"""Request dependencies: settings, one database session per request, the chat turn runner."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.conversation import ChatTurn
from settings.app import Settings


def get_session(request: Request) -> Iterator[Session]:
    """One directory session per request, closed afterwards."""
    session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


def get_app_settings(request: Request) -> Settings:
    """The settings the app was built with (`create_app`'s argument, else `get_settings()`)."""
    return request.app.state.settings


def get_chat_turn(request: Request) -> ChatTurn:
    """The chat turn runner built when the app started."""
    return request.app.state.chat_turn


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
ChatTurnDep = Annotated[ChatTurn, Depends(get_chat_turn)]
