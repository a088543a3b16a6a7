from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.exc import SQLAlchemyError

from newsarchive import archive
from newsarchive.api.schemas import Health
from newsarchive.errors import Unavailable

router = APIRouter(tags=["health"])


@router.get("/api/health", response_model=Health)
def health(request: Request) -> Health:
    engine = request.app.state.engine
    try:
        with request.app.state.sessions() as session:
            articles = archive.count_articles(session)
    except SQLAlchemyError as exc:
        raise Unavailable("database unreachable") from exc
    return Health(status="ok", database=engine.dialect.name, articles=articles)
