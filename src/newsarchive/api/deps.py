"""Request dependencies: settings, the request's transaction, the admin token check."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from newsarchive.config import Settings
from newsarchive.errors import Unauthorized, WritesDisabled


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_session(request: Request) -> Iterator[Session]:
    """The request owns the transaction: commit when the handler returns, roll back on error.
    Used with scope="function": the commit happens before the response goes out, so a client
    that reads right after a write sees it, and a failed commit is the response. A read may
    come from the replica (db/replica.py)."""
    with request.app.state.routing.sessions_for(request)() as session, session.begin():
        yield session


_bearer = HTTPBearer(auto_error=False, description="NEWSARCHIVE_ADMIN_TOKEN")


def require_admin(
    settings: Annotated[Settings, Depends(get_settings)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    if not settings.writes_enabled or settings.admin_token is None:
        raise WritesDisabled()
    if credentials is None:
        raise Unauthorized("this endpoint needs 'Authorization: Bearer <admin token>'")
    expected = settings.admin_token.get_secret_value().encode()
    if not secrets.compare_digest(credentials.credentials.encode(), expected):
        raise Unauthorized("wrong admin token")


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
AdminDep = Depends(require_admin)
