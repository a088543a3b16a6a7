"""What a user may give for a source, checked one way whether it comes from the API's JSON, the
admin page's form or the CLI's options: the name rule (no control characters), http(s) URLs,
the interval cap and the feed limit live here and nowhere else."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StrictBool,
    ValidationError,
)

from newsarchive import archive
from newsarchive.errors import InvalidInput, validation_message

MAX_URLS = 100  # feeds, and sitemaps, per source
MAX_INTERVAL = 525_600  # minutes: a year

SourceName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
    ),
    AfterValidator(str.strip),
]


CollectionName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
    ),
    AfterValidator(str.strip),
]
MAX_COLLECTIONS = 50


def _texts(urls: list[HttpUrl] | None) -> list[str] | None:
    return None if urls is None else [str(url) for url in urls]


class SourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SourceName
    home: HttpUrl | None = None
    feeds: list[HttpUrl] = Field(default_factory=list, max_length=MAX_URLS)
    sitemaps: list[HttpUrl] = Field(default_factory=list, max_length=MAX_URLS)
    interval: int = Field(0, ge=0, le=MAX_INTERVAL, description="minutes; 0: at every crawl run")
    enabled: StrictBool = True  # true or false: 0, 1 or "no" are refused, not guessed
    collections: list[CollectionName] = Field(
        default_factory=list,
        max_length=MAX_COLLECTIONS,
        description='names of collections the source is in ("germany", "national")',
    )

    def fields(self) -> archive.SourceFields:
        return archive.SourceFields(
            home_url=str(self.home) if self.home else None,
            feeds=_texts(self.feeds),
            sitemaps=_texts(self.sitemaps),
            interval_minutes=self.interval,
            enabled=self.enabled,
            collections=self.collections,
        )


class SourcePatch(BaseModel):
    """A change: fields left out stay as they are; `home: null` removes the home page."""

    model_config = ConfigDict(extra="forbid")

    home: HttpUrl | None = None
    feeds: list[HttpUrl] | None = Field(None, max_length=MAX_URLS)
    sitemaps: list[HttpUrl] | None = Field(None, max_length=MAX_URLS)
    interval: int | None = Field(None, ge=0, le=MAX_INTERVAL)
    enabled: StrictBool | None = None
    collections: list[CollectionName] | None = Field(None, max_length=MAX_COLLECTIONS)

    def fields(self) -> archive.SourceFields:
        cleared = "home" in self.model_fields_set
        return archive.SourceFields(
            home_url=str(self.home) if self.home else ("" if cleared else None),
            feeds=_texts(self.feeds),
            sitemaps=_texts(self.sitemaps),
            interval_minutes=self.interval,
            enabled=self.enabled,
            collections=self.collections,
        )


Model = TypeVar("Model", bound=BaseModel)


def checked(
    model: type[Model], given: Mapping[str, Any], names: Mapping[str, str] | None = None
) -> Model:
    """`given` checked as `model`, or InvalidInput saying what is wrong; `names` renames fields
    in that message to what the user typed (the CLI's `--feed` for `feeds`)."""
    try:
        return model.model_validate(dict(given))
    except ValidationError as exc:
        raise InvalidInput(validation_message(exc.errors(), names or {})) from None
