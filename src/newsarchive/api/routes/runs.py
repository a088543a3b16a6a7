from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from newsarchive import archive
from newsarchive.api.deps import SessionDep
from newsarchive.api.schemas import RunDetail, RunPage, RunSummary
from newsarchive.errors import InvalidInput

router = APIRouter(tags=["runs"])


@router.get("/api/runs", response_model=RunPage)
def list_runs(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=archive.MAX_LIMIT)] = 20,
    cursor: Annotated[str | None, Query(max_length=20)] = None,
) -> RunPage:
    """Newest first. Pass `next_cursor` back as `cursor` for older runs."""
    if cursor is not None and not cursor.isdigit():
        raise InvalidInput("invalid cursor: pass back the next_cursor of a previous page")
    runs = archive.list_runs(session, limit=limit + 1, before_id=int(cursor) if cursor else None)
    next_cursor = str(runs[limit - 1].id) if len(runs) > limit else None
    return RunPage(
        items=[RunSummary.model_validate(r, from_attributes=True) for r in runs[:limit]],
        next_cursor=next_cursor,
    )


@router.get("/api/runs/{run_id}", response_model=RunDetail)
def get_run(run_id: int, session: SessionDep) -> RunDetail:
    return RunDetail.model_validate(archive.get_run(session, run_id), from_attributes=True)
