"""Extraction quality and speed: the product's extraction (the code path ingest uses) beside bare
trafilatura with default settings and newspaper4k, on the same bytes, in the same run.

    .venv/bin/python benchmarks/extraction.py [--corpus ../shared/corpus/articles] [--limit N]

newspaper4k is a benchmark-only dependency (`pip install -e '.[bench]'` in a venv of its own,
.venv-bench: it needs python-dateutil < 3, which constraints.txt pins past; with its Japanese, Hindi,
Chinese and Thai extras); images are not fetched, and a page it fails on counts as an empty
extraction for it. Without it installed, its column is left out.

Scores exactly as ../shared/corpus/README.md defines them: body-text token F1 on aeb (averaged
over pages, an empty extraction scores 0), the share of trafilatura-set pages that pass their
with/without snippets, and exact title, date and author (case-insensitive set of names) accuracy
where the truth has the field. The date is counted twice: tolerantly (`date`: within one day of
the truth's, the usual allowance for a zone) and strictly (`date_strict`: the calendar day in the
page's own zone must be the truth's day, no tolerance). `not_article` counts the
pages the product refuses as not an article (they are stored by nobody). The last line of
output is one JSON object.
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


def run(
    extractor: Callable[[bytes, str], Result], pages: list[tuple[str, bytes, dict[str, Any]]]
) -> tuple[dict[str, Result], float]:
    started = time.perf_counter()
    out = {key: extractor(body, truth["url"]) for key, body, truth in pages}
    return out, len(pages) / (time.perf_counter() - started)


def load(folder: Path, limit: int | None) -> list[tuple[str, bytes, dict[str, Any]]]:
    truth = json.loads((folder / "truth.json").read_text())
    pages = []
    for key in sorted(truth)[:limit]:
        path = folder / "html" / f"{key}.html.gz"
        if path.exists():
            pages.append((key, gzip.decompress(path.read_bytes()), truth[key]))
    return pages


def score(
    aeb: dict[str, Result], traf: dict[str, Result], aeb_pages: list, traf_pages: list
) -> dict[str, float]:  # type: ignore[type-arg]
    aeb_f1 = sum(f1(aeb[k].text, t["articleBody"]) for k, _b, t in aeb_pages) / max(
        1, len(aeb_pages)
    )
    passed = 0
    titles = dates = near_dates = authors = 0
    n_title = n_date = n_author = 0
    for key, _body, truth in traf_pages:
        got = traf[key]
        text = got.text
        if all(s in text for s in truth.get("with", [])) and not any(
            s in text for s in truth.get("without", [])
        ):
            passed += 1
        if truth.get("title"):
            n_title += 1
            titles += norm(got.title) == norm(str(truth["title"]))
        if truth.get("date"):
            n_date += 1
            dates += got.date == truth["date"][:10]
            near_dates += within_a_day(got.date, truth["date"][:10])
        if truth.get("author"):
            n_author += 1
            authors += names(got.authors) == names(truth["author"])
    return {
        "aeb_f1": round(aeb_f1, 4),
        "snippet_pages": round(passed / max(1, len(traf_pages)), 4),
        "title": round(titles / max(1, n_title), 4),
        "date": round(near_dates / max(1, n_date), 4),
        "date_strict": round(dates / max(1, n_date), 4),
        "author": round(authors / max(1, n_author), 4),
        "not_article": sum(
            1 for r in {**aeb, **traf}.values() if (r.refused or "").startswith("not an article")
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="pages per set (default: all)")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"skipped: no corpus at {args.corpus} (the team's ../shared/corpus/articles)")
        return
    aeb_pages = load(args.corpus / "aeb", args.limit)
    traf_pages = load(args.corpus / "trafilatura", args.limit)
    pages = aeb_pages + traf_pages
    print(f"{len(aeb_pages)} aeb pages, {len(traf_pages)} trafilatura pages", file=sys.stderr)
    figures = {}
    for name, extractor in [*peers(), ("product", product)]:
        results, rate = run(extractor, pages)
        figures[name] = score(results, results, aeb_pages, traf_pages) | {
            "pages_per_s": round(rate, 2)
        }
    columns = ["product", *(name for name in figures if name != "product")]
    print(f"{'':>16}" + "".join(f"{name:>13}" for name in columns))
    for key in (
        "aeb_f1", "snippet_pages", "title", "date", "date_strict", "author", "not_article",
        "pages_per_s",
    ):  # fmt: skip
        print(f"{key:>16}" + "".join(f"{figures[name][key]:>13}" for name in columns))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
