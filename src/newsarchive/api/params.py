"""Query parameters several routes share, declared once: what they accept is what the OpenAPI
schema says, and anything else is a 422 before a query runs."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import Query
from pydantic import BeforeValidator

from newsarchive import archive

NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL; no real value has one
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_day(value: object) -> object:
    """Only YYYY-MM-DD: pydantic would read `0` as a Unix time (1970-01-01)."""
    if isinstance(value, str) and not _ISO_DAY.match(value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_iso_day)]
From = Annotated[
    Day | None, Query(alias="from", description="first archive day, YYYY-MM-DD (inclusive)")
]
To = Annotated[
    Day | None, Query(alias="to", description="last archive day, YYYY-MM-DD (inclusive)")
]
Text = Annotated[str | None, Query(max_length=200, pattern=NO_NUL)]
Lang = Annotated[str | None, Query(max_length=16, pattern=NO_NUL)]
Cursor = Annotated[
    str | None, Query(max_length=300, description="the next_cursor of the previous page")
]
Limit = Annotated[int, Query(ge=1, le=archive.MAX_LIMIT)]
Changed = Annotated[
    bool, Query(description="only articles whose page changed after it was stored (revisions)")
]
StoryId = Annotated[
    int | None, Query(ge=1, le=2**31 - 1, description="only the articles of this story")
]
Removed = Annotated[bool, Query(description="only articles whose page was taken down")]
Dated = Annotated[
    bool, Query(description="leave out articles dated only by when the archive first saw them")
]
Collection = Annotated[
    str | None,
    Query(max_length=100, pattern=NO_NUL, description="only sources in this collection"),
]
