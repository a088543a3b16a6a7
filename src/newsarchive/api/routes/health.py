from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.exc import SQLAlchemyError

from newsarchive import archive
from newsarchive.api.schemas import ErrorResponse, Health
from newsarchive.db import migrate
from newsarchive.errors import Unavailable

router = APIRouter(tags=["health"])


@router.get("/api/health", response_model=Health, responses={503: {"model": ErrorResponse}})
def health(request: Request) -> Health:
    """200 when the database answers and its schema is the one this code expects; else 503."""
    try:
        with request.app.state.sessions() as session:
            current = migrate.revision_of(session.connection())
            problem = migrate.mismatch(current, request.app.state.migrations)
            if problem:
                raise Unavailable(problem)
            articles = archive.count_articles(session)
    except SQLAlchemyError as exc:
        raise Unavailable("database unreachable") from exc
    dialect = request.app.state.engine.dialect.name
    return Health(status="ok", database=dialect, articles=articles)
