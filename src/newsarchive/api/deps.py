"""Request dependencies: settings, the request's transaction, the admin token check."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Annotated

from anyio import CancelScope, CapacityLimiter, to_thread
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.config import Settings
from newsarchive.errors import Unauthorized, WritesDisabled


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request owns the transaction: commit when the handler returns, roll back on error.
    Used with scope="function": the commit happens before the response goes out, so a client
    that reads right after a write sees it, and a failed commit is the response. A read may
    come from a replica (db/replica.py).

    The handler's queries run on the request threads (NEWSARCHIVE_API_THREADS, api/app.py);
    a write's commit runs on threads of its own (`finishing`): with every request thread
    waiting for a pooled connection, the commits that give connections back must still be able
    to run. A read commits on its handler's thread (api/caching.py): no second hop."""
    routing = request.app.state.routing
    factory: sessionmaker[Session] = (
        await to_thread.run_sync(routing.sessions_for, request)  # (a replica is asked first)
        if routing.replicas
        else routing.primary
    )
    finishing: CapacityLimiter = request.app.state.finishing
    session = factory()  # (no connection yet: the handler's first query takes one)
    try:
        yield session
    except BaseException:
        with CancelScope(shield=True):  # (a client gone mid-request still gives it back)
            await to_thread.run_sync(session.close, limiter=finishing)  # rolls back
        raise
    if not session.in_transaction():  # (a read, committed on its thread, or kept in memory)
        session.close()
        return
    with CancelScope(shield=True):
        await to_thread.run_sync(_commit, session, limiter=finishing)


def _commit(session: Session) -> None:
    with session:
        session.commit()


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
