"""`newsarchive ingest`, `import`, `export` and `reextract`: pages and archives in and out."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import click

from newsarchive import archive, services
from newsarchive.cli.common import (
    expand,
    load_settings,
    open_sessions,
    run_recorded,
)
from newsarchive.config import Settings
from newsarchive.db.session import session_scope
from newsarchive.errors import InvalidInput, NotFound, brief
from newsarchive.fetch.urls import is_http_url
from newsarchive.ingest.outcome import Outcome
from newsarchive.ingest.runs import RunLog, recorded


@click.command()
@click.argument("urls", nargs=-1, required=True)
def ingest(urls: tuple[str, ...]) -> None:
    """Fetch, extract and store each article page. Exits 1 if any URL failed."""
    bad = [url for url in urls if not is_http_url(url)]
    if bad:
        raise click.UsageError(f"not an http(s) URL: {bad[0]}")
    settings = load_settings()
    with services.fetcher(settings) as fetcher:
        outcomes = run_recorded(
            "ingest", settings, lambda p: (p.ingest_url(u) for u in urls), fetcher
        )
    if any(o.status == "failed" for o in outcomes):
        sys.exit(1)


@click.command()
@click.option(
    "--format",
    "format_",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="jsonl: a backup of everything, or with a selection its sources and articles; "
    "csv: the selected articles, one row each, the columns of GET /api/export.",
)
@click.option("--q", help="Only the matches of this search (the search language of the API).")
@click.option(
    "--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="First archive day (inclusive)."
)
@click.option(
    "--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Last archive day (inclusive)."
)
@click.option("--source", help="Only this source's articles (its name).")
@click.option("--lang", help="Only articles in this language (ISO 639-1 code).")
@click.option("--author", help="Only articles by this author (with --q).")
@click.option("--collection", help="Only articles of the sources in this collection.")
@click.option(
    "--articles",
    "articles_only",
    is_flag=True,
    help="JSON Lines of sources and articles only, even of the whole archive: what import "
    "merges into an archive that has articles already.",
)
@click.option("--with-raw", is_flag=True, help="With a selection: each article's raw page too.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: standard output).",
)
def export(
    format_: str,
    q: str | None,
    date_from: datetime | None,
    date_to: datetime | None,
    source: str | None,
    lang: str | None,
    author: str | None,
    collection: str | None,
    articles_only: bool,
    with_raw: bool,
    output: Path | None,
) -> None:
    """Write a backup of the whole archive, or a selection of articles as JSON Lines or CSV.
    A backup holds every table, ids kept: `newsarchive import FILE` restores it into an empty
    archive of either store. Import merges a selection into any archive."""
    from newsarchive import transfer
    from newsarchive.api.schemas import EXPORT_FIELDS, article_records
    from newsarchive.search.service import SearchParams, iter_selection

    params = SearchParams(
        q=q or "",
        date_from=date_from.date() if date_from else None,
        date_to=date_to.date() if date_to else None,
        source=source,
        lang=lang,
        author=author,
        collection=collection,
    )
    selected = articles_only or any((q, date_from, date_to, source, lang, author, collection))
    if output is not None and not output.parent.is_dir():
        raise click.UsageError(f"--output: no such directory: {output.parent}")
    with open_sessions() as sessions, sessions() as session:
        try:
            articles = iter_selection(session, params)
        except InvalidInput as exc:
            raise click.UsageError(exc.detail) from None
        if format_ == "csv":
            lines = transfer.csv_lines(article_records(articles), EXPORT_FIELDS)
        elif selected:
            rows = transfer.export_rows(session, articles, with_raw=with_raw)
            lines = transfer.jsonl_lines(rows)
        else:
            session.rollback()  # the backup's snapshot begins its own transaction
            lines = transfer.backup_lines(session)
        _write(lines, output)


def _write(lines: Iterator[str], output: Path | None) -> None:
    try:
        stream = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    except OSError as exc:
        raise click.UsageError(f"--output: cannot write {output}: {exc.strerror}") from None
    try:
        stream.writelines(lines)
    finally:
        if output:
            stream.close()


def _is_backup(path: Path) -> bool:
    from newsarchive import transfer

    with path.open(encoding="utf-8", errors="replace") as lines:
        first = next((line for line in lines if line.strip()), "")
    return transfer.is_backup(first)


def _restore(path: Path) -> bool:
    """Restore a backup into this (empty) archive: all of it, or nothing and why."""
    from newsarchive import transfer

    with open_sessions() as sessions, path.open(encoding="utf-8") as lines:
        numbered = ((n, line) for n, line in enumerate(lines, 1) if line.strip())
        try:
            with session_scope(sessions) as session:
                written = transfer.restore(session, numbered)
        except InvalidInput as exc:
            click.echo(f"failed: {path}: {exc.detail}; nothing was restored")
            return False
    rows = ", ".join(f"{table} {count}" for table, count in written.items())
    click.echo(f"restored {path}: {sum(written.values())} rows ({rows or 'an empty archive'})")
    return True


def _import_jsonl(path: Path, settings: Settings) -> bool:
    """Read an archive `newsarchive export` wrote, as one run; True if every line went in.
    Into an archive with no articles it goes through the fresh load, all or nothing."""
    from newsarchive import archive, transfer

    counts: dict[str, int] = {}

    def failed(run: RunLog, number: int, reason: str) -> None:
        click.echo(f"failed: {path}:{number}: {reason}")
        run.count(Outcome(f"{path}:{number}", "failed", reason))
        counts["failed"] = counts.get("failed", 0) + 1

    with (
        open_sessions() as sessions,
        path.open(encoding="utf-8") as lines,
        recorded(sessions, "import") as run,
    ):
        numbered = ((n, line) for n, line in enumerate(lines, 1) if line.strip())
        with sessions() as session:
            fresh = archive.bulk.is_empty(session.connection())
        if fresh:
            refused: list[tuple[int, str]] = []
            with session_scope(sessions) as session:
                loaded = transfer.import_fresh(
                    session,
                    numbered,
                    services.day_rule(settings),
                    lambda number, reason: refused.append((number, reason)),
                )
            for number, reason in refused:
                failed(run, number, reason)
            run.add({"stored": loaded["stored"], "duplicates": loaded["duplicate"]}, None)
            counts.update(loaded)
        for number, line in [] if fresh else numbered:
            try:
                with session_scope(sessions) as session:
                    result = transfer.import_row(
                        session, json.loads(line), services.day_rule(settings)
                    )
            except (ValueError, KeyError, TypeError) as exc:
                failed(run, number, brief(f"{type(exc).__name__}: {exc}"))
                continue
            if result in ("stored", "duplicate"):
                run.add({"stored" if result == "stored" else "duplicates": 1}, None)
            counts[result] = counts.get(result, 0) + 1
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if v)
    click.echo(f"imported {path}: {summary}")
    return "failed" not in counts


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--base-url", help="URL a file's name is joined to when the page has no canonical link."
)
def import_(paths: tuple[Path, ...], base_url: str | None) -> None:
    """Import local pages (.html, .htm, .xhtml, gzipped too), web archives (.warc, .arc,
    gzipped too) and archives written by `newsarchive export` (.jsonl); directories
    recursively. Exits 1 if any page failed."""
    if base_url is not None and not is_http_url(base_url):
        raise click.UsageError(f"--base-url is not an http(s) URL: {base_url}")
    exports = [p for p in paths if p.is_file() and p.name.endswith(".jsonl")]
    complete = True
    for path in exports:  # a backup or a selection written by `newsarchive export`
        if _is_backup(path):
            complete = _restore(path) and complete
        else:
            complete = _import_jsonl(path, load_settings()) and complete
    paths = tuple(p for p in paths if p not in exports)
    if paths:
        files = [f for p in paths for f in expand(p)]
        work = lambda p: p.import_paths(files, base_url=base_url)  # noqa: E731
        outcomes = run_recorded("import", load_settings(), work, None)
        complete = complete and not any(o.status == "failed" for o in outcomes)
    if not complete:
        sys.exit(1)


@click.command()
@click.argument("ids", nargs=-1, type=click.IntRange(1), required=True)
def revisit(ids: tuple[int, ...]) -> None:
    """Fetch stored articles' pages now and keep a new revision of each that changed, as a
    crawl's revisit would (asking conditionally, following takedowns); one line each:
    revised, unchanged, gone or failed. Exits 1 if any failed."""
    settings = load_settings()
    with open_sessions() as sessions:
        outcomes = services.revisit(settings, sessions, list(ids))
    for outcome in outcomes:
        click.echo(outcome.line())
    if any(o.status == "failed" for o in outcomes):
        sys.exit(1)


@click.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "all_", is_flag=True, help="Every article in the archive.")
def reextract(ids: tuple[int, ...], all_: bool) -> None:
    """Run extraction again on stored raw pages (after an extractor improvement)."""
    if bool(ids) == all_:
        raise click.UsageError("give article IDs or --all, not both nor neither")
    settings = load_settings()
    with open_sessions() as sessions:
        pipeline = services.pipeline(settings, sessions)

        def every_id() -> Iterator[int]:
            last = 0
            while True:
                with sessions() as session:
                    batch = archive.article_ids(session, after=last)
                if not batch:
                    return
                yield from batch
                last = batch[-1]

        failed = 0
        for article_id in every_id() if all_ else ids:
            try:
                outcome = pipeline.reextract(article_id)
            except NotFound as exc:
                click.echo(f"failed: article {article_id}: {exc.detail}")
                failed += 1
                continue
            status = "re-extracted" if outcome.status == "stored" else outcome.status
            click.echo(
                f"{status}: article {article_id}"
                + (f": {outcome.reason}" if outcome.status != "stored" else "")
            )
            failed += outcome.status == "failed"
    if failed:
        sys.exit(1)
