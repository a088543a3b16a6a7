"""`newsarchive sources add | list | remove | import | export`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from newsarchive import archive
from newsarchive.cli.common import open_sessions
from newsarchive.db.session import session_scope
from newsarchive.errors import InvalidInput
from newsarchive.inputs.sources import SourceIn, SourcePatch, checked

_OPTIONS = {"name": "NAME", "home": "--home", "feeds": "--feed", "sitemaps": "--sitemap"}
_OPTIONS |= {"interval": "--interval", "collections": "--collection"}


@click.group()
def sources() -> None:
    """Register, list and remove the sites the crawler follows."""


@sources.command("add")
@click.argument("name")
@click.option("--home", help="Home page; its robots.txt sitemaps are read too.")
@click.option("--feed", "feeds", multiple=True, help="RSS, Atom or JSON feed URL (repeatable).")
@click.option(
    "--sitemap", "sitemaps", multiple=True, help="Sitemap or sitemap index URL (repeatable)."
)
@click.option(
    "--interval",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Minutes between crawls; 0: at every crawl run.",
)
@click.option(
    "--collection",
    "collections",
    multiple=True,
    help='A collection the source is in, such as "germany" (repeatable).',
)
def sources_add(
    name: str,
    home: str | None,
    feeds: tuple[str, ...],
    sitemaps: tuple[str, ...],
    interval: int,
    collections: tuple[str, ...],
) -> None:
    """Register a source."""
    given = {"name": name, "home": home, "feeds": feeds, "sitemaps": sitemaps, "interval": interval}
    given["collections"] = collections
    try:
        source_in = checked(SourceIn, given, names=_OPTIONS)
    except InvalidInput as exc:
        raise click.UsageError(exc.detail) from None
    with open_sessions() as sessions, session_scope(sessions) as session:
        source = archive.create_source(session, source_in.name, source_in.fields())
        click.echo(
            f"added source {source.name} (id {source.id}, {len(source.feeds)} feeds and sitemaps)"
        )


@sources.command("list")
def sources_list() -> None:
    """List sources with their feeds, interval and article counts."""
    from rich.console import Console
    from rich.table import Table

    with open_sessions() as sessions, sessions() as session:
        rows = archive.list_sources(session)
        counts = archive.article_counts(session)
    table = Table("id", "name", "feeds and sitemaps", "every", "enabled", "last crawl", "articles")
    for s in rows:
        table.add_row(
            str(s.id),
            s.name
            + (" (auto)" if s.auto_created else "")
            + (f"\n  in {', '.join(s.collections)}" if s.collections else ""),
            "\n".join(
                f"{f.kind}: {f.url}" + (f"\n  last error: {f.last_error}" if f.last_error else "")
                for f in s.feeds
            )
            or "-",
            f"{s.interval_minutes} min" if s.interval_minutes else "each run",
            "yes" if s.enabled else "no",
            f"{s.last_crawled_at:%Y-%m-%d %H:%M}" if s.last_crawled_at else "never",
            str(counts.get(s.id, 0)),
        )
    Console(width=200 if not sys.stdout.isatty() else None).print(table)


@sources.command("remove")
@click.argument("name")
@click.option("--with-articles", is_flag=True, help="Also delete the source's stored articles.")
def sources_remove(name: str, with_articles: bool) -> None:
    """Remove a source (refused while it has articles, unless --with-articles)."""
    with open_sessions() as sessions, session_scope(sessions) as session:
        source = archive.get_source_by_name(session, name)
        archive.delete_source(session, source, with_articles=with_articles)
    click.echo(f"removed source {name}")


@sources.command("tag")
@click.argument("name")
@click.argument("collections", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Take the source out of these collections.")
def sources_tag(name: str, collections: tuple[str, ...], remove: bool) -> None:
    """Put a source in collections (or take it out, with --remove)."""
    try:
        checked(SourcePatch, {"collections": collections}, names=_OPTIONS)
    except InvalidInput as exc:
        raise click.UsageError(exc.detail) from None
    with open_sessions() as sessions, session_scope(sessions) as session:
        source = archive.get_source_by_name(session, name)
        archive.add_to_collections(source, [c.strip() for c in collections], remove=remove)
        session.flush()
        now = source.collections
    click.echo(f"source {name} is in: {', '.join(now) if now else 'no collection'}")


@sources.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def sources_import(path: Path) -> None:
    """Register the feeds of an OPML file (a feed reader's export) as sources: one per site,
    named by its title; a name already registered is left as it is."""
    from newsarchive.inputs.opml import read_opml

    try:
        listed = read_opml(path.read_bytes())
    except InvalidInput as exc:
        raise click.UsageError(f"{path}: {exc.detail}") from None
    with open_sessions() as sessions, session_scope(sessions) as session:
        added, kept = archive.add_missing_sources(
            session, [(s.name, s.fields()) for s in listed.sources]
        )
        feeds = sum(len(source.feeds) for source in added)
    for reason in listed.refused:
        click.echo(f"refused: {reason}")
    line = f"imported {path}: added {len(added)} sources ({feeds} feeds)"
    click.echo(line + (f", {len(kept)} already registered: {', '.join(kept)}" if kept else ""))


@sources.command("export")
@click.option("--format", "format_", type=click.Choice(["opml"]), default="opml", show_default=True)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write."
)
def sources_export(format_: str, output: Path | None) -> None:
    """Write every source's feeds as OPML, for a feed reader or another archive."""
    from newsarchive.inputs.opml import listed, write_opml

    with open_sessions() as sessions, sessions() as session:
        text = write_opml(listed(archive.list_sources(session)), title="newsarchive sources")
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.UsageError(f"--output: cannot write {output}: {exc.strerror}") from None
