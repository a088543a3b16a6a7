"""newsarchive: a news-article ingestion and archive service."""

__version__ = "0.1.0"
