"""The tables, one module per aggregate. Alembic migrations own the schema; these mappings must
match them exactly (tests/test_migrations.py autogenerates against them and expects no
difference). Importing this package registers every table on Base.metadata."""

from newsarchive.db.models.articles import (
    ARTICLE_RAW,
    ARTICLES,
    DATE_SOURCES,
    Article,
    ArticleRaw,
    DayCount,
    Meta,
)
from newsarchive.db.models.copies import ArticleCopy
from newsarchive.db.models.frontier import FrontierURL, Host
from newsarchive.db.models.revisions import Revision, Takedown
from newsarchive.db.models.runs import RUN_COUNTERS, RUNS, Run, RunError, RunSource
from newsarchive.db.models.sources import Feed, Source, SourceCollection
from newsarchive.db.models.stories import STORY_KEYS, StoryKey
from newsarchive.db.models.version import ArchiveVersion
from newsarchive.db.models.watching import Alert, Delivery, SavedSearch
from newsarchive.db.models.words import WordForm

__all__ = [
    "ARTICLES",
    "ARTICLE_RAW",
    "Alert",
    "ArchiveVersion",
    "Article",
    "ArticleCopy",
    "ArticleRaw",
    "DATE_SOURCES",
    "DayCount",
    "Delivery",
    "Feed",
    "FrontierURL",
    "Host",
    "Meta",
    "RUNS",
    "RUN_COUNTERS",
    "Revision",
    "Run",
    "RunError",
    "RunSource",
    "STORY_KEYS",
    "SavedSearch",
    "WordForm",
    "Source",
    "SourceCollection",
    "StoryKey",
    "Takedown",
]
