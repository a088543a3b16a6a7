"""`newsarchive serve` and `newsarchive db`: the server, and the schema by hand."""

from __future__ import annotations

import logging
import socket
from typing import Any

import click

from newsarchive import __version__
from newsarchive.cli.common import (
    load_settings,
    safe_url,
    upgrade,
)
from newsarchive.db import migrate
from newsarchive.db.session import make_engine

# On stop, requests in flight get this long before the app shuts down (and then stops the
# admin's crawls, api/app.py): a long export cannot use up the compose file's grace period.
GRACE_SECONDS = 10


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--no-migrate", is_flag=True, help="Refuse to start on an older schema instead of upgrading it."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes sharing the port (each with its own database connections).",
)
def serve(host: str, port: int, no_migrate: bool, workers: int) -> None:
    """Migrate the database to head, then serve the API and admin page."""
    import uvicorn

    from newsarchive.api.app import CRAWL_STOP_SECONDS, create_app
    from newsarchive.cli.workers import run_workers

    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        problem = migrate.schema_problem(settings.database_url, engine)
    finally:
        engine.dispose()
    if problem and (no_migrate or "newer" in problem):
        raise click.ClickException(problem)
    if problem:
        upgrade(settings.database_url)
    listeners = [_listen(host, port, shared=workers > 1)]
    port = listeners[0].getsockname()[1]  # (port 0: the one the system chose, for them all)
    listeners += [_listen(host, port, shared=True) for _ in range(workers - 1)]
    banner = f"newsarchive {__version__} on http://{host}:{port} (database: {safe_url(settings)})"
    if settings.log_format == "json":  # every line a JSON event
        logging.getLogger("newsarchive.serve").info(banner)
    else:
        click.echo(banner)
    if workers == 1:
        uvicorn.Server(
            uvicorn.Config(
                create_app(settings),
                log_config=None,  # our handlers (logs.py): JSON lines when asked for
                log_level="info",
                timeout_graceful_shutdown=GRACE_SECONDS,
            )
        ).run(sockets=listeners)
        return
    # Each worker builds the app from the environment (the settings just checked) and serves
    # on a socket of its own (cli/workers.py), with TCP_NODELAY (uvicorn --workers loses it).
    config = uvicorn.Config(
        "newsarchive.cli.serve:worker_app",
        factory=True,
        log_config=None,
        log_level="info",
        timeout_graceful_shutdown=GRACE_SECONDS,
    )
    stop_seconds = GRACE_SECONDS + max(CRAWL_STOP_SECONDS, settings.fetch_timeout + 10) + 5
    raise SystemExit(run_workers(config, listeners, stop_seconds))


def worker_app() -> Any:
    """The app of one `serve --workers` process: settings and logging from the environment."""
    from newsarchive.api.app import create_app

    return create_app(load_settings())


def _listen(host: str, port: int, *, shared: bool = False) -> socket.socket:
    """A server socket, bound now: a port in use is one line, before any banner. `shared`:
    one of several on the port (SO_REUSEPORT), one for each worker."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _name, address = infos[0]
        listener = socket.socket(family, kind, proto)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        # Inherited by every accepted connection. Without it a response written in two parts
        # (head, then body) waits for the client's delayed ACK: 40 ms a request.
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        listener.bind(address)
    except OSError as exc:
        raise click.UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    listener.set_inheritable(True)
    return listener


@click.group()
def db() -> None:
    """Schema migrations (Alembic, with the package's own migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the schema (to head by default)."""
    upgrade(load_settings().database_url, revision)
    _print_current()


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION ('base' removes every table)."""
    migrate.downgrade(load_settings().database_url, revision)
    _print_current()


@db.command("current")
def db_current() -> None:
    """Print the schema revision and whether it is the head."""
    _print_current()


def _print_current() -> None:
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        current = migrate.current_revision(engine)
    finally:
        engine.dispose()
    head = migrate.head_revision(settings.database_url)
    state = "head" if current == head else f"behind head {head}"
    click.echo(f"{current or 'base (empty)'} ({state})")
