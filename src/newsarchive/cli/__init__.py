"""The `newsarchive` command line: one module per command group, gathered here."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from newsarchive import __version__


class OneLineErrors(click.Group):
    """Bad input exits 2 with a single 'Error: ...' line instead of click's usage block."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.NoSuchOption as exc:
            hint = ""
            if exc.ctx is not None and exc.ctx.command.name == "search":
                hint = (
                    " (a query that starts with '-' goes after '--': newsarchive search -- -word)"
                )
            click.echo(f"Error: {exc.format_message()}{hint}", err=True)
            sys.exit(2)
        except click.UsageError as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except Exception as exc:
            from sqlalchemy.exc import OperationalError  # (only now: it costs 0.1 s to import)

            if not isinstance(exc, OperationalError):
                raise
            # the database is down or unreachable: one line, exit 1
            reason = str(exc.orig or exc).strip().splitlines()[0]
            click.echo(f"Error: cannot use the database: {reason}", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


# Each command's module, loaded only when the command runs: `newsarchive --help` and
# `--version` import none of them (trafilatura, SQLAlchemy and pydantic took 1.3 s to start).
# The summary is what --help lists (tests/test_cli.py checks it against the command's own help).
COMMANDS = {
    "crawl": (
        "crawl",
        "crawl",
        "Discover and ingest new articles of every due source: what cron runs.",
    ),
    "db": ("serve", "db", "Schema migrations (Alembic, with the package's own migrations)."),
    "export": (
        "ingest",
        "export",
        "Write a backup of the whole archive, or a selection of articles as JSON Lines or CSV.",
    ),
    "import": (
        "ingest",
        "import_",
        "Import local pages (.html, .htm, .xhtml, gzipped too), web archives and exports.",
    ),
    "ingest": ("ingest", "ingest", "Fetch, extract and store each article page."),
    "reextract": ("ingest", "reextract", "Run extraction again on stored raw pages."),
    "revisit": (
        "ingest",
        "revisit",
        "Fetch stored articles' pages now and keep a new revision of each that changed.",
    ),
    "search": ("search", "search", "Search the archive, like GET /api/search, and print a table."),
    "serve": ("serve", "serve", "Migrate the database to head, then serve the API and admin page."),
    "sources": ("sources", "sources", "Register, list and remove the sites the crawler follows."),
    "stories": (
        "stories",
        "stories",
        "Stories: the copies of one article across sources, grouped.",
    ),
    "webhooks": ("webhooks", "webhooks", "Webhooks of alerts and saved searches."),
}


class Commands(OneLineErrors):
    """The command group, its commands imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name, _summary = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(f"newsarchive.cli.{module}"), name)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl(
                [(name, summary) for name, (_m, _n, summary) in sorted(COMMANDS.items())]
            )


@click.group(cls=Commands)
@click.version_option(__version__, prog_name="newsarchive")
def cli() -> None:
    """A news-article ingestion and archive service."""
