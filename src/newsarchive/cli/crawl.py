"""`newsarchive crawl`: what cron runs, or a scheduler of its own with --loop."""

from __future__ import annotations

import sys
from typing import Any

import click

from newsarchive import logs
from newsarchive.cli.common import (
    load_settings,
    open_sessions,
    safe_url,
)


@click.command()
@click.option("--source", "source_name", help="Crawl only this source, now, due or not.")
@click.option(
    "--max-articles", type=click.IntRange(min=1), help="Fetch at most this many article pages."
)
@click.option("--loop", is_flag=True, help="Run rounds forever instead of once (no cron needed).")
@click.option(
    "--interval",
    type=click.FloatRange(min=0),
    default=None,
    show_default="5",
    help="Minutes between the start of one --loop round and the next (with --loop).",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    help="Serve this process's fetch and extraction timings for Prometheus on this port.",
)
@click.option(
    "--metrics-host",
    default="127.0.0.1",
    show_default=True,
    help="Address the metrics port listens on (0.0.0.0 in a container, for its network).",
)
def crawl(
    source_name: str | None,
    max_articles: int | None,
    loop: bool,
    interval: float | None,
    metrics_port: int | None,
    metrics_host: str,
) -> None:
    """Discover and ingest new articles of every due source: what cron runs.

    Exits 0 when the run happened, even if some pages failed (they are recorded in the run);
    non-zero only when the run itself could not happen. SIGTERM or Ctrl-C ends the run after
    the pages in hand, losing nothing; the next run carries on.
    """
    import signal
    import threading
    import time

    stop = threading.Event()  # first, so that an early Ctrl-C is no traceback either
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    from newsarchive import services
    from newsarchive.crawl.metrics import METRICS
    from newsarchive.errors import CrawlBusy

    settings = load_settings()
    if interval is not None and not loop:
        raise click.UsageError("--interval needs --loop (one run ends by itself)")
    minutes = 5.0 if interval is None else interval
    if metrics_port is not None:
        from prometheus_client import start_http_server

        try:
            start_http_server(metrics_port, addr=metrics_host, registry=METRICS)
        except OSError as exc:
            raise click.UsageError(
                f"--metrics-port: cannot listen on {metrics_host}:{metrics_port}: {exc.strerror}"
            ) from None
    with open_sessions() as sessions:
        while not stop.is_set():
            started = time.monotonic()
            progress, finish = _crawl_progress()
            try:
                report = services.crawler(settings, sessions, progress=progress, stop=stop).run(
                    source=source_name, max_articles=max_articles
                )
                finish()
                click.echo(f"{report.line()} (database: {safe_url(settings)})")
            except CrawlBusy as exc:
                finish()
                click.echo(f"{exc}; this run has nothing to do")
            if not loop:
                break
            stop.wait(max(0.0, minutes * 60 - (time.monotonic() - started)))


def _crawl_progress() -> tuple[Any, Any]:
    """A live progress bar on a terminal, with log lines printed above it; nothing otherwise
    (cron gets the summary line)."""
    if not sys.stdout.isatty():
        return None, lambda: None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    task = bar.add_task("crawling", total=0)
    counts: dict[str, int] = {}
    logging_above = logs.above(bar.console)
    logging_above.__enter__()
    bar.start()

    def update(kind: str, n: int) -> None:
        if kind == "discovered":
            bar.update(task, total=(bar.tasks[0].total or 0) + n)
            return
        counts[kind] = counts.get(kind, 0) + n
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        bar.update(task, advance=n, description=f"crawling ({summary})")

    def finish() -> None:
        bar.stop()
        logging_above.__exit__(None, None, None)

    return update, finish
