"""`newsarchive search`: the API's search as a table."""

from __future__ import annotations

import sys
from typing import Any

import click

from newsarchive import archive
from newsarchive.cli.common import (
    open_sessions,
)


@click.command()
@click.argument("query")
@click.option(
    "--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="First day (inclusive)."
)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Last day (inclusive).")
@click.option("--source", help="Only this source.")
@click.option("--lang", help="Only this language (e.g. en).")
@click.option("--author", help="Only articles by this author.")
@click.option(
    "--sort",
    type=click.Choice(["relevance", "newest", "oldest"]),
    default="relevance",
    show_default=True,
)
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
def search(
    query: str,
    date_from: Any,
    date_to: Any,
    source: str | None,
    lang: str | None,
    author: str | None,
    sort: str,
    limit: int,
) -> None:
    """Search the archive, like GET /api/search, and print a table."""
    from rich.console import Console
    from rich.table import Table

    from newsarchive.search import SearchParams, run_search

    params = SearchParams(
        q=query,
        date_from=date_from.date() if date_from else None,
        date_to=date_to.date() if date_to else None,
        source=source,
        lang=lang,
        author=author,
        sort=sort,  # type: ignore[arg-type]
        limit=limit,
    )
    with open_sessions() as sessions, sessions() as session:
        if source is not None:
            archive.get_source_by_name(session, source)  # an unknown source is bad input
        page = run_search(session, params, facets=False)
        table = Table("id", "published", "source", "title", "snippet", title=f"{page.total} found")
        for hit in page.hits:
            table.add_row(
                str(hit.article.id),
                hit.article.published_text,
                hit.article.source_name,
                hit.article.title or "",
                _marked(hit.snippet),
            )
    Console(width=200 if not sys.stdout.isatty() else None).print(table)


def _marked(snippet_html: str) -> Any:
    """The API's snippet HTML (<mark> around hits, the rest escaped) as rich text."""
    import html

    from rich.text import Text

    text = Text()
    for i, part in enumerate(snippet_html.replace("</mark>", "<mark>").split("<mark>")):
        text.append(html.unescape(part), style="bold yellow" if i % 2 else "")
    return text
