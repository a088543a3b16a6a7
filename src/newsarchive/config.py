"""Typed settings: the only module that reads the environment.

Every field here is documented in the README's configuration table (tests/test_docs.py checks it).
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from newsarchive import __version__
from newsarchive.ingest.revisions import parse_schedule

PROJECT_URL = "https://github.com/newsarchive/newsarchive"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSARCHIVE_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str = Field(
        "sqlite:///newsarchive.db",
        description="Any SQLAlchemy URL; postgresql+psycopg://... for PostgreSQL.",
    )
    read_database_url: str | None = Field(
        None,
        description="PostgreSQL streaming replicas of database_url, comma-separated: the "
        "API's and admin page's reads go there in turn, writes to the primary.",
    )
    admin_token: SecretStr | None = Field(
        None,
        description="Bearer token for write endpoints and the admin login. Unset: writes refused.",
    )
    user_agent: str = Field(
        f"newsarchive/{__version__} (+{PROJECT_URL})", description="Sent on every fetch."
    )
    contact: str | None = Field(
        None,
        max_length=200,
        pattern=r"^[^\x00-\x1f\x7f()]*$",
        description="A URL or address where site owners reach whoever runs this archive.",
    )
    allow_private_hosts: bool = Field(
        False, description="Allow fetching loopback/private/link-local addresses."
    )
    fetch_timeout: float = Field(20.0, gt=0, description="Seconds for one HTTP request.")
    host_delay: float = Field(1.0, ge=0, description="Least seconds between requests to a host.")
    max_page_bytes: int = Field(
        10_000_000, ge=1024, description="Bigger responses are abandoned and recorded as skipped."
    )
    max_redirects: int = Field(5, ge=0, le=30, description="Redirect hops followed per fetch.")
    fetch_retries: int = Field(
        2, ge=0, le=10, description="Extra tries after a timeout, 429 or 5xx, with backoff."
    )
    concurrency: int = Field(8, ge=1, le=256, description="Pages in flight at once in one crawl.")
    extract_workers: int | None = Field(
        None, ge=0, le=64, description="Extraction processes per crawl; unset: one per CPU."
    )
    extract_timeout: float = Field(
        20.0,
        gt=0,
        le=3600,
        description="Seconds one page may take in extraction; past it the process is replaced.",
    )
    crawl_lease: float = Field(
        600.0,
        gt=0,
        description="Seconds a worker's claim on a URL lasts before others may retry it.",
    )
    crawl_max_wait: float = Field(
        60.0, ge=0, description="Seconds a crawl waits for a host slot or retry before ending."
    )
    revisit_after: str = Field(
        "1h,1d,7d",
        description="When a crawl fetches a stored article again, after it was first seen "
        "(durations: 30m, 1h, 1d, 7d); 0: at every crawl run; empty: never.",
    )
    alert_webhook: str | None = Field(
        None,
        description="URL that source health alerts are POSTed to, as JSON, when they open "
        "and close.",
    )
    webhook_secret: SecretStr | None = Field(
        None,
        description="Key of the X-Newsarchive-Signature header (HMAC-SHA256 of the body) "
        "on every webhook.",
    )
    archive_tz: str = Field(
        "UTC",
        description="Zone of the archive's days for pages whose own zone is unknown.",
    )
    archive_tz_force: bool = Field(
        False, description="File every dated article under its day in NEWSARCHIVE_ARCHIVE_TZ."
    )
    api_threads: int = Field(
        4,
        ge=1,
        le=256,
        description="Requests one server process works on at once (each with a database "
        "connection); the rest wait their turn.",
    )
    answer_cache_mb: int = Field(
        64,
        ge=0,
        description="Megabytes of recent read answers each server process keeps until the "
        "archive's next write; 0: none.",
    )
    log_format: Literal["text", "json"] = Field("text", description="One line per event; json.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Least level logged."
    )

    @field_validator("archive_tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("revisit_after")
    @classmethod
    def _schedule(cls, value: str) -> str:
        parse_schedule(value)
        return value

    @field_validator("read_database_url")
    @classmethod
    def _replica(cls, value: str | None) -> str | None:
        if value is None or not value.strip(" ,"):
            return None
        urls = [cls._supported_database(url.strip()) for url in value.split(",") if url.strip()]
        if any(make_url(url).get_backend_name() != "postgresql" for url in urls):
            raise ValueError("a read replica is a PostgreSQL streaming replica")
        return ",".join(urls)

    @property
    def read_database_urls(self) -> list[str]:
        """The replicas of NEWSARCHIVE_READ_DATABASE_URL (comma-separated; a comma inside a
        URL is written %2C)."""
        return self.read_database_url.split(",") if self.read_database_url else []

    @model_validator(mode="after")
    def _replica_of_postgresql(self) -> Settings:
        if self.read_database_url and not self.database_url.startswith("postgresql"):
            raise ValueError("a read replica needs a PostgreSQL database_url (its primary)")
        return self

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        """A SQLite or PostgreSQL URL; plain postgresql:// would pick psycopg2, which we do not
        ship, so it gets psycopg 3."""
        for prefix in ("postgresql://", "postgres://"):
            if value.startswith(prefix):
                value = "postgresql+psycopg://" + value[len(prefix) :]
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            backend = ""
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(
                f"{value!r} is not a SQLite or PostgreSQL URL "
                "(sqlite:///path/to/archive.db or postgresql://user@host/db)"
            )
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.archive_tz)

    @property
    def revisit_schedule(self) -> tuple[timedelta, ...]:
        return parse_schedule(self.revisit_after)

    @property
    def agent(self) -> str:
        """The User-Agent sent: NEWSARCHIVE_USER_AGENT, with NEWSARCHIVE_CONTACT in it."""
        if not self.contact:
            return self.user_agent
        if self.user_agent.endswith(")"):
            return f"{self.user_agent[:-1]}; {self.contact})"
        return f"{self.user_agent} ({self.contact})"

    @property
    def writes_enabled(self) -> bool:
        return self.admin_token is not None and bool(self.admin_token.get_secret_value())


@lru_cache
def get_settings() -> Settings:
    return Settings()
