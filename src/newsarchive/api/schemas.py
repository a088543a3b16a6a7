"""Pydantic models of the public JSON contract (DESIGN.md, "HTTP API")."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AliasPath,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    PlainSerializer,
)

from newsarchive.inputs.saved_searches import SavedSearchIn
from newsarchive.inputs.sources import SourceIn, SourcePatch

__all__ = [
    "SavedSearchIn",
    "SourceIn",
    "SourcePatch",
]  # the API's source bodies: one check for API, admin, CLI

# ISO 8601 with an explicit +00:00 offset, the form the contract's examples use.
UTCTime = Annotated[datetime, PlainSerializer(lambda value: value.isoformat(), return_type=str)]


class ArticleSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    id: int
    url: str
    canonical_url: str | None
    title: str | None
    source: str = Field(validation_alias="source_name")
    published_at: UTCTime = Field(
        description="UTC; for precision 'day' the start of that day in the site's zone, a sort "
        "key rather than a time the page gave"
    )
    published_date: date = Field(
        validation_alias="published_day",
        description="the site's own calendar day: the archive day this article is filed under",
    )
    published_precision: Literal["day", "minute", "second"] = Field(
        description="how precise the page's date is; 'day': it gave no time"
    )
    date_source: Literal["page", "url", "feed", "sitemap", "first_seen"]
    language: str | None
    authors: list[str]
    description: str | None
    word_count: int
    story_id: int = Field(
        description="the articles whose texts are near duplicates (copies of one story across "
        "sources) share it: the id of the story's first article"
    )
    story_size: int = Field(description="how many stored articles the story has")
    copy_count: int = Field(
        description="at how many other URLs an exact copy of its text was seen (its reach)"
    )


class CopyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    url: str
    source: str = Field(validation_alias="source_name")
    first_seen_at: UTCTime


class Article(ArticleSummary):
    declared_title: str | None = Field(
        description="the title the page declares (og:title, the JSON-LD headline or <title>) "
        "where it differs from the headline it shows; null: they agree"
    )
    title_rule: str | None = Field(
        description="which rule chose the title: 'heading in og:title' or 'heading in <title>' "
        "(the <h1> a declared title carries), 'visible heading' (the <h1> readers see), "
        "'declared title', 'library guess', 'feed or sitemap' (the page gave none); null for "
        "articles stored before the rule was kept"
    )
    text: str
    tags: list[str]
    categories: list[str]
    site_name: str | None
    top_image: str | None
    modified_at: UTCTime | None
    first_seen_at: UTCTime
    fetched_at: UTCTime
    revision_count: int = Field(description="versions of the page the archive keeps; 1: unchanged")
    removed_at: UTCTime | None = Field(
        description="when the page was found taken down (404/410 twice, a run apart); null: it is up"
    )
    copies: list[CopyOut] = Field(
        description="the other URLs where an exact copy of its text was seen, the first first"
    )


# An export's columns (CSV; the copies are counted there) and its JSON Lines fields (each copy
# listed), from the API and the CLI alike.
EXPORT_FIELDS = [name for name in Article.model_fields if name != "copies"]


def article_records(articles: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Stored articles as the API shows them, as plain JSON values."""
    for article in articles:
        yield Article.model_validate(article).model_dump(mode="json")


class RevisionOut(BaseModel):
    revision: int = Field(description="1: the version first stored")
    fetched_at: UTCTime
    title: str | None
    authors: list[str]
    published_at: UTCTime | None = Field(description="the date this version's page gave")
    changed: list[Literal["title", "text", "authors", "dates"]] = Field(
        description="what differs from the previous revision"
    )
    diff: str = Field(
        description="the text's changes against the previous revision, word by word: removed "
        "words in [-...-], added ones in {+...+}, paragraph breaks as ¶"
    )


class Story(BaseModel):
    id: int
    size: int
    outlets: int = Field(
        description="how many sources ran it: its articles' and their exact copies' (reach)"
    )
    first_seen_at: UTCTime
    articles: list[ArticleSummary] = Field(description="the earliest seen first")


class ArticlePage(BaseModel):
    items: list[ArticleSummary]
    next_cursor: str | None


class Health(BaseModel):
    status: str
    database: str
    articles: int


class IngestRequest(BaseModel):
    url: HttpUrl


class SourceOut(BaseModel):
    id: int
    name: str
    home: str | None
    feeds: list[str]
    sitemaps: list[str]
    interval: int
    enabled: bool
    collections: list[str]
    auto_created: bool
    created_at: UTCTime
    last_crawled_at: UTCTime | None
    articles: int
    feed_errors: dict[str, str]

    @classmethod
    def of(cls, source: Any, articles: int) -> SourceOut:
        return cls(
            id=source.id,
            name=source.name,
            home=source.home_url,
            feeds=[f.url for f in source.feeds if f.kind == "feed"],
            sitemaps=[f.url for f in source.feeds if f.kind == "sitemap"],
            interval=source.interval_minutes,
            enabled=source.enabled,
            collections=source.collections,
            auto_created=source.auto_created,
            created_at=source.created_at,
            last_crawled_at=source.last_crawled_at,
            articles=articles,
            feed_errors={f.url: f.last_error for f in source.feeds if f.last_error},
        )


class HealthDay(BaseModel):
    date: date
    stored: int
    with_page_date: int = Field(description="articles dated by the page itself")
    with_authors: int
    with_title: int
    median_words: float | None
    failed: int
    skipped: int


class FetchHealth(BaseModel):
    last_success_at: UTCTime | None = Field(description="the end of the last run that stored")
    consecutive_failed_runs: int = Field(description="runs in a row with failures, none stored")
    by_status: dict[str, int] = Field(description="failed and skipped pages by reason, 30 days")


class AlertOut(BaseModel):
    kind: Literal["dates_missing", "authors_missing", "text_short", "fetch_failing", "silent"]
    since: UTCTime
    message: str
    open: bool
    closed_at: UTCTime | None


class SourceHealth(BaseModel):
    days: list[HealthDay] = Field(description="the last 30 days, newest first (UTC days)")
    fetch: FetchHealth
    alerts: list[AlertOut] = Field(description="open and closed, newest first")


class SavedSearchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    q: str
    source: str | None
    lang: str | None
    author: str | None
    webhook_host: str | None = Field(
        description="the webhook's host; its URL is not shown (it often carries a secret)"
    )
    created_at: UTCTime
    last_delivery_at: UTCTime | None
    last_delivery_count: int = Field(description="new matches in the last delivery")

    @classmethod
    def of(cls, search: Any) -> SavedSearchOut:
        fields = {
            name: getattr(search, name) for name in cls.model_fields if name != "webhook_host"
        }
        return cls(
            **fields, webhook_host=urlsplit(search.webhook).hostname if search.webhook else None
        )


class RunCounts(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    discovered: int
    fetched: int
    stored: int
    duplicates: int
    skipped: int
    failed: int
    feeds_failed: int = Field(description="feeds and sitemaps that could not be read")
    revisited: int = Field(description="stored articles fetched again (NEWSARCHIVE_REVISIT_AFTER)")
    revised: int = Field(description="revisited articles whose page changed: a new revision kept")


class RunSummary(RunCounts):
    id: int
    kind: str
    status: str
    started_at: UTCTime
    finished_at: UTCTime | None


class RunErrorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    url: str
    outcome: str
    reason: str
    at: UTCTime


class RunSourceOut(RunCounts):
    source: str = Field(validation_alias=AliasPath("source", "name"))


class RunDetail(RunSummary):
    sources: list[RunSourceOut]
    errors: list[RunErrorOut]


class RunPage(BaseModel):
    items: list[RunSummary]
    next_cursor: str | None


class SearchHit(ArticleSummary):
    snippet: str = Field(description="HTML: the hits in <mark>, everything else escaped")
    score: float


class SourceFacet(BaseModel):
    name: str
    count: int


class LanguageFacet(BaseModel):
    language: str | None
    count: int


class DayFacet(BaseModel):
    date: str
    count: int


class Facets(BaseModel):
    sources: list[SourceFacet]
    languages: list[LanguageFacet]
    days: list[DayFacet]


class SearchResponse(BaseModel):
    total: int
    total_exact: bool = Field(
        description="false: the total is an estimate (a search with more than 10,000 matches "
        "counts a sample of them; exact=true counts every one)"
    )
    items: list[SearchHit]
    facets: Facets
    facets_exact: bool = Field(
        description="false: the source and language counts are estimates from a sample of "
        "the matches (the per-day counts are always exact)"
    )
    next_cursor: str | None


class PeriodCount(BaseModel):
    count: int
    undated: int = Field(
        description="of which dated only by when the archive first saw them (date_source "
        "first_seen); ?dated=true on a day leaves them out"
    )


class YearCount(PeriodCount):
    year: int


class MonthCount(PeriodCount):
    month: int


class DayCountOut(PeriodCount):
    day: int


class ArchiveYears(BaseModel):
    years: list[YearCount]


class ArchiveMonths(BaseModel):
    year: int
    months: list[MonthCount]


class ArchiveDays(BaseModel):
    year: int
    month: int
    days: list[DayCountOut]


class ArchiveDay(BaseModel):
    date: str
    items: list[ArticleSummary]
    next_cursor: str | None


class ErrorResponse(BaseModel):
    detail: str = Field(description="one readable sentence")


_MEANINGS = {
    400: "the request body could not be read (its bytes are not UTF-8)",
    401: "no admin token, or a wrong one",
    403: "writes are disabled: NEWSARCHIVE_ADMIN_TOKEN is not set",
    404: "no such item",
    409: "conflicts with what is stored",
    422: "a parameter or the body is not acceptable; the detail says which and why",
    502: "the page could not be fetched",
    503: "the database is unreachable or its schema is not the one the code expects",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the errors a route answers, all `{"detail": "..."}`."""
    return {s: {"model": ErrorResponse, "description": _MEANINGS[s]} for s in statuses}


WRITE_ERRORS = (400, 401, 403, 422)
