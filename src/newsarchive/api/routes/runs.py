from __future__ import annotations

from fastapi import APIRouter

from newsarchive import archive
from newsarchive.api.deps import SessionDep
from newsarchive.api.params import Cursor, Limit
from newsarchive.api.schemas import RunDetail, RunPage, RunSummary, errors

router = APIRouter(tags=["runs"])


@router.get("/api/runs", response_model=RunPage, responses=errors(422))
def list_runs(
    session: SessionDep,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> RunPage:
    """Newest first. Pass `next_cursor` back as `cursor` for older runs."""
    before_id = archive.paging.decode(cursor, int)[0] if cursor else None
    runs = archive.list_runs(session, limit=limit + 1, before_id=before_id)
    next_cursor = archive.paging.encode(runs[limit - 1].id) if len(runs) > limit else None
    return RunPage(
        items=[RunSummary.model_validate(r, from_attributes=True) for r in runs[:limit]],
        next_cursor=next_cursor,
    )


@router.get("/api/runs/{run_id}", response_model=RunDetail, responses=errors(404, 422))
def get_run(run_id: int, session: SessionDep) -> RunDetail:
    return RunDetail.model_validate(archive.get_run(session, run_id), from_attributes=True)
