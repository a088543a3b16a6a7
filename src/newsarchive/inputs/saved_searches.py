"""What a user may give for a saved search, checked one way whether it comes from the API's
JSON or the admin page's form. (Whether the search itself can run is search.query's to say.)"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints

from newsarchive.db.models import SavedSearch


class SavedSearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$"
        ),
    ]
    q: str = Field(min_length=1, max_length=500, pattern=r"^[^\x00]*$", description="as in search")
    source: str | None = Field(None, max_length=200, pattern=r"^[^\x00]*$")
    lang: str | None = Field(None, max_length=16, pattern=r"^[^\x00]*$")
    author: str | None = Field(None, max_length=200, pattern=r"^[^\x00]*$")
    webhook: HttpUrl | None = Field(
        None, description="where new matches are POSTed after each crawl run"
    )

    def row(self, now: datetime) -> SavedSearch:
        return SavedSearch(
            name=self.name,
            q=self.q,
            source=self.source,
            lang=self.lang,
            author=self.author,
            webhook=str(self.webhook) if self.webhook else None,
            created_at=now,
        )
