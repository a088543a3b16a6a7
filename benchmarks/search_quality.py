"""Known-item search on real news pages: does searching an article's rarest title words find it?

    .venv/bin/python benchmarks/search_quality.py [--corpus ../shared/corpus/articles]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--sets aeb,trafilatura,fundus]

Every page of the corpus sets (aeb, trafilatura, fundus) is extracted once and stored through the
pipeline into a fresh SQLite file and a fresh PostgreSQL database. For each stored article with a
title, the query is its two rarest title words (fewest articles hold them; three letters or
more, not all digits):
- `written`: the words as the title writes them;
- `other_form`: each word replaced by another form of it that some article of the same language
  holds (the same Snowball stem in that language: "teachers" for "teacher"); articles whose rare
  title words have no other form in the corpus are left out of this class;
- `other_form_exact`: the same other forms, quoted, which is how search matched every word before
  it knew forms (the figure to compare with).
A query scores when the article is among its first 10 hits (by relevance). Figures per store and
per article language; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import select
from sqlalchemy.engine import make_url

from newsarchive import stemming
from newsarchive.db import migrate
from newsarchive.db.models import Article
from newsarchive.db.session import make_engine, make_sessionmaker
from newsarchive.fetch.page import Page
from newsarchive.ingest.pipeline import Pipeline
from newsarchive.ingest.prepare import Prepared, prepare
from newsarchive.search import SearchParams, run_search

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "articles"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
TOP = 10


def pages(corpus: Path, sets: list[str]) -> list[Page]:
    found = []
    for name in sets:
        truth = json.loads((corpus / name / "truth.json").read_text())
        for key in sorted(truth):
            path = corpus / name / "html" / f"{key}.html.gz"
            if path.exists():
                body = gzip.decompress(path.read_bytes())
                found.append(Page(label=f"{name}/{key}", body=body, url=truth[key]["url"]))
    return found


def extracted(found: list[Page]) -> dict[str, Prepared]:
    out = {}
    for page in found:
        try:
            out[page.label] = prepare(page, NOW)
        except Exception as exc:  # noqa: BLE001  (a page the pipeline would record as failed)
            print(f"skipped {page.label}: {exc}", file=sys.stderr)
    return out


def store(url: str, found: list[Page], cache: dict[str, Prepared]) -> Any:
    """A fresh archive of these pages at `url`; its sessionmaker."""
    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    pipeline = Pipeline(sessions, extractor=lambda page, _now: cache[page.label], clock=lambda: NOW)
    for page in found:
        if page.label in cache:
            pipeline.store(page)
    return sessions


def fresh_postgres(admin_url: str, name: str) -> str:
    url = make_url(admin_url)
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def queries(sessions: Any) -> list[dict[str, Any]]:
    """Each article's two rarest title words, as written and in another form."""
    with sessions() as session:
        rows = session.execute(select(Article.id, Article.title, Article.text, Article.language))
        articles = [(r.id, r.title or "", r.text or "", r.language) for r in rows]
    df: Counter[str] = Counter()
    forms: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for _id, title, text, language in articles:
        words = stemming.words(f"{title} {text}")
        df.update(set(words))
        lang = stemming.language_of(language)
        if lang is not None:
            for word in words:
                forms[(lang, stemming.stem(word, lang))][word] += 1
    out = []
    for article_id, title, _text, language in articles:
        lang = stemming.language_of(language)
        candidates = sorted(
            {w for w in stemming.words(title) if len(w) >= 3 and not w.isdigit()},
            key=lambda w: (df[w], w),
        )[:2]
        if not candidates:
            continue
        other = []
        for word in candidates:
            others = forms[(lang, stemming.stem(word, lang))] if lang else Counter()
            alternatives = [w for w, _n in others.most_common() if w != word]
            other.append(alternatives[0] if alternatives else None)
        query = {"id": article_id, "language": language or "none", "written": candidates}
        if any(other):
            query["other"] = [o or w for o, w in zip(other, candidates, strict=True)]
        out.append(query)
    return out


def hit(sessions: Any, q: str, article_id: int) -> bool:
    with sessions() as session:
        page = run_search(session, SearchParams(q=q, limit=TOP), facets=False)
    return article_id in [h.article.id for h in page.hits]


def measure(sessions: Any, asked: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    tallies: dict[str, Counter[str]] = defaultdict(Counter)
    for query in asked:
        counts = tallies[query["language"]]
        counts["n"] += 1
        counts["written"] += hit(sessions, " ".join(query["written"]), query["id"])
        if "other" in query:
            counts["n_other"] += 1
            counts["other_form"] += hit(sessions, " ".join(query["other"]), query["id"])
            quoted = " ".join(f'"{w}"' for w in query["other"])
            counts["other_form_exact"] += hit(sessions, quoted, query["id"])
    total: Counter[str] = sum(tallies.values(), Counter())
    return {lang: _rates(c) for lang, c in sorted(tallies.items())} | {"all": _rates(total)}


def _rates(c: Counter[str]) -> dict[str, Any]:
    other = max(c["n_other"], 1)
    return {
        "n": c["n"],
        "written": round(c["written"] / max(c["n"], 1), 4),
        "n_other": c["n_other"],
        "other_form": round(c["other_form"] / other, 4),
        "other_form_exact": round(c["other_form_exact"] / other, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--sets", default="aeb,trafilatura,fundus")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"no corpus at {args.corpus} (pass --corpus)")
    started = time.perf_counter()
    found = pages(args.corpus, args.sets.split(","))
    cache = extracted(found)
    print(f"{len(cache)} of {len(found)} pages extracted in {time.perf_counter() - started:.0f} s")
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        stores = {
            "sqlite": f"sqlite:///{tmp}/quality.db",
            "postgresql": fresh_postgres(args.postgres, "newsarchive_search_quality"),
        }
        asked: list[dict[str, Any]] | None = None
        for name, url in stores.items():
            sessions = store(url, found, cache)
            asked = asked if asked is not None else queries(sessions)  # the same on both
            results[name] = measure(sessions, asked)
            sessions.kw["bind"].dispose()
            every = results[name]["all"]
            print(
                f"{name}: {every['n']} articles, written {every['written']:.3f}; "
                f"{every['n_other']} with another form: {every['other_form']:.3f} "
                f"(quoted, as before: {every['other_form_exact']:.3f})"
            )
            for lang, figures in results[name].items():
                print(f"  {lang:>5}: {json.dumps(figures)}")
    print(json.dumps({"top": TOP, "stores": results}))


if __name__ == "__main__":
    main()
