"""Extraction quality and speed on three sets of real pages, each reported apart: the product's
extraction (the code path ingest uses) beside bare trafilatura with default settings and
newspaper4k, on the same bytes, in the same run.

    .venv/bin/python benchmarks/extraction.py [--corpus ../shared/corpus/articles] [--limit N]

newspaper4k is a benchmark-only dependency (`pip install -e '.[bench]'` in a venv of its own,
.venv-bench: it needs python-dateutil < 3, which constraints.txt pins past; with its Japanese, Hindi,
Chinese and Thai extras); images are not fetched, and a page it fails on counts as an empty
extraction for it. Without it installed, its column is left out.

Scores exactly as ../shared/corpus/README.md defines them, per set: body-text token F1 on aeb
and on fundus (averaged over pages, an empty extraction scores 0); the share of trafilatura-set
pages that pass their with/without snippets; exact title, date and author (case-insensitive set
of names) accuracy where the truth has the field, on the trafilatura and fundus sets. The date is
counted twice: tolerantly (`date`: within one day of the truth's, the usual allowance for a zone)
and strictly (`date_strict`: the calendar day in the page's own zone must be the truth's day).
`archive_day` is the share of all dated pages (both sets) that the archive files under the
truth's day, and `cpu_ms` the CPU time per page (`cpu_vs_trafilatura` its ratio to bare
trafilatura's on the same pages), in a second pass: a library's one-time loading is paid in the
first (dateparser loads a language's data on first use, 260 ms for English, where a page takes
50 ms), as a long-lived extraction worker pays it once, and whichever extractor met it first
would otherwise carry it. `not_article` counts the pages the product refuses as not an
article (they are stored by nobody). The last line of output is one JSON object
{set: {extractor: {figure: value}}}.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import trafilatura

from newsarchive.errors import IngestError
from newsarchive.extract.article import extract

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "articles"
TOKEN = re.compile(r"\w+")
# the set of names: co-authors joined as English, German, French, Danish or Dutch write them
NAME_SPLIT = re.compile(r"\s*(?:;|,|&|\b(?:and|und|et|og|en)\b)\s*", re.IGNORECASE)


@dataclass
class Result:
    text: str = ""
    title: str | None = None
    date: str | None = None  # YYYY-MM-DD in the page's own zone
    authors: str | None = None  # names joined by "; "
    refused: str | None = None  # why the product stores nothing for this page


def product(body: bytes, url: str) -> Result:
    try:
        article = extract(body, url)
    except IngestError as exc:
        return Result(refused=exc.reason)
    # published_at is in the page's own zone, so its date is the day the page means
    day = article.published_at.date().isoformat() if article.published_at else None
    return Result(article.text, article.title, day, "; ".join(article.authors) or None)


def bare(body: bytes, url: str) -> Result:
    doc = trafilatura.bare_extraction(body, url=url, with_metadata=True)
    if doc is None:
        return Result()
    return Result(doc.text or "", doc.title, doc.date, doc.author)


def newspaper4k(body: bytes, url: str) -> Result:
    from newspaper import Article

    try:
        # the same bytes: newspaper decodes them itself (UnicodeDammit), as it would a download
        page = Article(url, fetch_images=False, follow_meta_refresh=False)
        page.download(input_html=body)  # type: ignore[arg-type]
        page.parse()
    except Exception as exc:  # a page it fails on counts as an empty extraction  # noqa: BLE001
        return Result(refused=f"newspaper4k failed: {type(exc).__name__}")
    day = page.publish_date.date().isoformat() if page.publish_date else None
    return Result(page.text or "", page.title or None, day, "; ".join(page.authors) or None)


def peers() -> list[tuple[str, Callable[[bytes, str], Result]]]:
    found: list[tuple[str, Callable[[bytes, str], Result]]] = [("trafilatura", bare)]
    try:
        import newspaper  # noqa: F401
    except ImportError:
        print("newspaper4k not installed (see the README: a .venv-bench of its own): its column is left out",
              file=sys.stderr)  # fmt: skip
    else:
        found.append(("newspaper4k", newspaper4k))
    return found


def tokens(text: str) -> Counter[str]:
    return Counter(TOKEN.findall(text.lower()))


def f1(got: str, want: str) -> float:
    g, w = tokens(got), tokens(want)
    if not g or not w:
        return 0.0
    common = sum((g & w).values())
    if common == 0:
        return 0.0
    precision, recall = common / sum(g.values()), common / sum(w.values())
    return 2 * precision * recall / (precision + recall)


def names(value: str | list[str] | None) -> set[str]:
    if isinstance(value, list):
        value = "; ".join(value)
    return {n.strip().lower() for n in NAME_SPLIT.split(value or "") if n.strip()}


def within_a_day(got: str | None, want: str) -> bool:
    try:
        return got is not None and abs(date.fromisoformat(got) - date.fromisoformat(want)).days <= 1
    except ValueError:
        return False


def norm(value: str | None) -> str:
    return " ".join((value or "").split())


Page = tuple[str, bytes, dict[str, Any]]
SETS = ("aeb", "trafilatura", "fundus")
FIELDS = {
    "aeb": ("body_f1",),
    "trafilatura": ("snippet_pages", "title", "date", "date_strict", "author"),
    "fundus": ("body_f1", "title", "date", "date_strict", "author"),
}


def run(
    extractors: list[tuple[str, Callable[[bytes, str], Result]]], pages: list[Page]
) -> dict[str, tuple[dict[str, Result], float]]:
    """Each extractor's result per page and the CPU seconds they took, the extractors taking
    turns page by page so that warm caches and a busy machine favour none of them."""
    results: dict[str, dict[str, Result]] = {name: {} for name, _ in extractors}
    seconds = dict.fromkeys(results, 0.0)
    for key, body, truth in pages:
        for name, extractor in extractors:
            started = time.process_time()
            results[name][key] = extractor(body, truth["url"])
            seconds[name] += time.process_time() - started
    return {name: (results[name], seconds[name]) for name in results}


def load(folder: Path, limit: int | None) -> list[Page]:
    truth = json.loads((folder / "truth.json").read_text())
    pages = []
    for key in sorted(truth)[:limit]:
        path = folder / "html" / f"{key}.html.gz"
        if path.exists():
            pages.append((key, gzip.decompress(path.read_bytes()), truth[key]))
    return pages


def share(hits: list[bool]) -> float:
    return round(sum(hits) / max(1, len(hits)), 4)


def truth_fields(kind: str, truth: dict[str, Any]) -> tuple[str, str | None, Any, str | None]:
    """(body, title, authors, YYYY-MM-DD) as the set writes them."""
    if kind == "aeb":
        return truth["articleBody"], None, None, None
    if kind == "fundus":
        day = truth.get("date")
        return truth.get("body", ""), truth.get("title"), truth.get("authors"), day and day[:10]
    day = truth.get("date")
    return "", truth.get("title"), truth.get("author"), day and str(day)[:10]


def score(kind: str, results: dict[str, Result], pages: list[Page]) -> dict[str, float]:
    """The set's figures, as FIELDS lists them."""
    body, snippets, titles, dates, near, authors = [], [], [], [], [], []
    for key, _body, truth in pages:
        got = results[key]
        want_body, title, people, day = truth_fields(kind, truth)
        body.append(f1(got.text, want_body))
        text = got.text
        snippets.append(
            all(s in text for s in truth.get("with", []))
            and not any(s in text for s in truth.get("without", []))
        )
        if title:
            titles.append(norm(got.title) == norm(str(title)))
        if day:
            dates.append(got.date == day)
            near.append(within_a_day(got.date, day))
        if people and names(people):
            authors.append(names(got.authors) == names(people))
    figures = {
        "body_f1": round(sum(body) / max(1, len(body)), 4),
        "snippet_pages": share(snippets),
        "title": share(titles),
        "date": share(near),
        "date_strict": share(dates),
        "author": share(authors),
    }
    return {field: figures[field] for field in FIELDS[kind]}


def archive_day(results: dict[str, dict[str, Result]], sets: dict[str, list[Page]]) -> float:
    """The share of dated pages filed under the truth's day: the product files an article
    under the day its date falls on in the page's own zone, which is what Result.date holds."""
    hits = []
    for kind in ("trafilatura", "fundus"):
        for key, _body, truth in sets.get(kind, []):
            day = truth_fields(kind, truth)[3]
            if day:
                hits.append(results[kind][key].date == day)
    return share(hits)


def measure(
    sets: dict[str, list[Page]], extractors: list[tuple[str, Callable[[bytes, str], Result]]]
) -> dict[str, dict[str, dict[str, float]]]:
    figures: dict[str, dict[str, dict[str, float]]] = {kind: {} for kind in sets}
    figures["all"] = {}
    results: dict[str, dict[str, dict[str, Result]]] = {name: {} for name, _ in extractors}
    cpu = dict.fromkeys(results, 0.0)
    for pages in sets.values():  # the warm-up pass (see cpu_ms above)
        run(extractors, pages)
    for kind, pages in sets.items():
        for name, (found, seconds) in run(extractors, pages).items():
            results[name][kind] = found
            cpu[name] += seconds
            refused = sum(
                1 for r in found.values() if (r.refused or "").startswith("not an article")
            )
            figures[kind][name] = score(kind, found, pages) | {
                "not_article": refused,
                "cpu_ms": round(1000 * seconds / max(1, len(pages)), 1),
            }
    pages_n = sum(len(p) for p in sets.values())
    for name in results:
        figures["all"][name] = {
            "archive_day": archive_day(results[name], sets),
            "cpu_ms": round(1000 * cpu[name] / max(1, pages_n), 1),
        }
    for table in figures.values():
        base = table.get("trafilatura", {}).get("cpu_ms")
        for row in table.values():
            if base:
                row["cpu_vs_trafilatura"] = round(row["cpu_ms"] / base, 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="pages per set (default: all)")
    parser.add_argument("--sets", default=",".join(SETS), help="which sets, comma-separated")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"skipped: no corpus at {args.corpus} (the team's ../shared/corpus/articles)")
        return
    sets = {kind: load(args.corpus / kind, args.limit) for kind in args.sets.split(",")}
    print(", ".join(f"{len(p)} {kind} pages" for kind, p in sets.items()), file=sys.stderr)
    figures = measure(sets, [*peers(), ("product", product)])
    for kind, table in figures.items():
        columns = ["product", *(name for name in table if name != "product")]
        print(f"\n{kind:<20}" + "".join(f"{name:>13}" for name in columns))
        for key in table["product"]:
            print(f"{key:>20}" + "".join(f"{table[name].get(key, ''):>13}" for name in columns))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
