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
    engine = request.app.state.engine
    try:
        current = migrate.current_revision(engine)
        head = request.app.state.schema_head
        if current != head:
            raise Unavailable(
                f"database schema is at {current or 'nothing'}, this code needs {head}: "
                "run `newsarchive db upgrade`"
            )
        with request.app.state.sessions() as session:
            articles = archive.count_articles(session)
    except SQLAlchemyError as exc:
        raise Unavailable("database unreachable") from exc
    return Health(status="ok", database=engine.dialect.name, articles=articles)
