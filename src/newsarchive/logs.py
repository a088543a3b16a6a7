"""Logging set up once per process: one line per event, with stable keys (run, source, url,
status, duration_ms, reason), as JSON when NEWSARCHIVE_LOG_FORMAT=json."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

FIELDS = ("run", "source", "url", "status", "duration_ms", "reason", "count")


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
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger("newsarchive")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
