"""Pydantic models of the public JSON contract (DESIGN.md, "HTTP API")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, PlainSerializer

# ISO 8601 with an explicit +00:00 offset, the form the contract's examples use.
UTCTime = Annotated[datetime, PlainSerializer(lambda value: value.isoformat(), return_type=str)]


class ArticleSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    id: int
    url: str
    canonical_url: str | None
    title: str | None
    source: str = Field(validation_alias="source_name")
    published_at: UTCTime
    date_source: str
    language: str | None
    authors: list[str]
    description: str | None
    word_count: int


class Article(ArticleSummary):
    text: str
    tags: list[str]
    categories: list[str]
    site_name: str | None
    top_image: str | None
    modified_at: UTCTime | None
    first_seen_at: UTCTime
    fetched_at: UTCTime


class ArticlePage(BaseModel):
    items: list[ArticleSummary]
    next_cursor: str | None


class Health(BaseModel):
    status: str
    database: str
    articles: int


class IngestRequest(BaseModel):
    url: HttpUrl


class ErrorResponse(BaseModel):
    detail: str
