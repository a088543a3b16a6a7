"""Logging set up once per process: one line per event, with stable keys (run, source, url,
status, duration_ms, reason), as JSON when NEWSARCHIVE_LOG_FORMAT=json."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from rich.console import Console

FIELDS = ("run", "source", "url", "status", "duration_ms", "reason", "count")
# Every logger whose lines reach the terminal, the server's (started with log_config=None, so
# uvicorn leaves them to us) included: with NEWSARCHIVE_LOG_FORMAT=json, every line is JSON.
OURS = ("newsarchive", "py.warnings", "uvicorn", "uvicorn.error", "uvicorn.access")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        event |= {key: getattr(record, key) for key in FIELDS if hasattr(record, key)}
        if record.exc_info:
            event["error"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        pairs = " ".join(f"{key}={getattr(record, key)}" for key in FIELDS if hasattr(record, key))
        line = f"{self.formatTime(record)} {record.levelname.lower():7} {record.getMessage()}"
        return f"{line} {pairs}".rstrip()


def configure(*, fmt: str = "text", level: str = "INFO") -> None:
    """Our events, and Python's warnings, one line each on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    logging.captureWarnings(True)
    for name in OURS:
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
    logging.getLogger("newsarchive").setLevel(level.upper())
    # warcio notes every target URI with a space in it, which it repairs itself: not news
    logging.getLogger("warcio").setLevel(logging.ERROR)


@contextmanager
def above(console: Console) -> Iterator[None]:
    """While a live progress bar is drawn, log lines go above it, through its console, instead
    of cutting through it."""
    loggers = [logging.getLogger(name) for name in OURS]
    saved = [logger.handlers[:] for logger in loggers]
    handler = _ConsoleHandler(console)
    if saved[0]:
        handler.setFormatter(saved[0][0].formatter)
    for logger in loggers:
        logger.handlers[:] = [handler]
    try:
        yield
    finally:
        for logger, handlers in zip(loggers, saved, strict=True):
            logger.handlers[:] = handlers


class _ConsoleHandler(logging.Handler):
    def __init__(self, console: Console) -> None:
        super().__init__()
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.console.print(self.format(record), markup=False, highlight=False, soft_wrap=True)
        except Exception:  # noqa: BLE001  (logging must never fail the work)
            self.handleError(record)
