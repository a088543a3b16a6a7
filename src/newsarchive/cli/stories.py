"""`newsarchive stories rebuild`: group the whole archive into stories again."""

from __future__ import annotations

import os
import sys

import click

from newsarchive.cli.common import open_sessions


@click.group()
def stories() -> None:
    """Stories: the copies of one article across sources, grouped."""


@stories.command("rebuild")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="one per core",
    help="Processes computing text signatures.",
)
def stories_rebuild(workers: int) -> None:
    """Group every stored article into stories again, oldest first (after an import or a
    bulk load; crawls group as they store). Run it while no crawl runs."""
    from newsarchive.stories.rebuild import rebuild

    with open_sessions() as sessions:
        if sys.stdout.isatty():
            from rich.progress import Progress

            with Progress() as bar:
                task = bar.add_task("grouping", total=None)
                result = rebuild(
                    sessions,
                    workers=workers,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
        else:
            result = rebuild(sessions, workers=workers)
    click.echo(
        f"grouped {result.articles} articles: {result.stories} stories with copies, "
        f"holding {result.in_stories} articles"
    )
