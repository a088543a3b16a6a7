"""The `newsarchive` command line: one module per command group, gathered here."""

from __future__ import annotations

import sys
from typing import Any

import click
from sqlalchemy.exc import OperationalError

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
        except OperationalError as exc:  # the database is down or unreachable: one line, exit 1
            reason = str(exc.orig or exc).strip().splitlines()[0]
            click.echo(f"Error: cannot use the database: {reason}", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=OneLineErrors)
@click.version_option(__version__, prog_name="newsarchive")
def cli() -> None:
    """A news-article ingestion and archive service."""


from newsarchive.cli.crawl import crawl  # noqa: E402  (the group above comes first)
from newsarchive.cli.ingest import export, import_, ingest, reextract  # noqa: E402
from newsarchive.cli.search import search  # noqa: E402
from newsarchive.cli.serve import db, serve  # noqa: E402
from newsarchive.cli.sources import sources  # noqa: E402
from newsarchive.cli.stories import stories  # noqa: E402
from newsarchive.cli.webhooks import webhooks  # noqa: E402

COMMANDS = (
    serve,
    db,
    ingest,
    export,
    import_,
    sources,
    crawl,
    reextract,
    search,
    stories,
    webhooks,
)
for command in COMMANDS:
    cli.add_command(command)
