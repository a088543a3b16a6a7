"""This crawl process's own timings; `newsarchive crawl --metrics-port P` serves them on :P."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram

METRICS = CollectorRegistry()
FETCH_SECONDS = Histogram(
    "newsarchive_fetch_seconds", "Time to fetch one article page", ["outcome"], registry=METRICS
)
EXTRACT_SECONDS = Histogram(
    "newsarchive_extract_seconds", "Time to extract one page (in the pool)", registry=METRICS
)
