"""Search and archive speed at scale, through the HTTP API and directly in-process.

    .venv/bin/python benchmarks/search.py --articles 1000000 --database sqlite:////tmp/bench.db
    .venv/bin/python benchmarks/search.py --articles 1000000 --database postgresql://postgres@127.0.0.1/bench

Builds N synthetic articles (about 500 words each drawn from a Zipf-like vocabulary, dates spread
over ten years) through the store layer, unless the database already holds them (--reuse), then
times each query class: median and 95th percentile through the HTTP API (a real uvicorn server
on 127.0.0.1) and the same work run in-process on the engine (the service layer and the SQL, no
HTTP), one run of each in turn: the difference is the API's own cost. The API is timed through
the standard library's keep-alive client (http.client): httpx took 0.35-0.5 ms more of its own
per request, the client's cost, not the API's (docs/benchmarks.md). The server keeps no
answers (its answer cache is off), so every run makes its answer anew. The last line of output
is one JSON object.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import numpy as np
from sqlalchemy import delete, func, select

from newsarchive import archive
from newsarchive.config import Settings
from newsarchive.db import migrate, side_reads
from newsarchive.db.models import Article, WordForm
from newsarchive.db.session import make_engine, make_sessionmaker, session_scope
from newsarchive.search import SearchParams, run_search
from newsarchive.search.timeline import timeline

VOCABULARY = 50_000
WORDS_PER_ARTICLE = 500
ZIPF_S = 1.07
START = datetime(2015, 1, 1, tzinfo=UTC)
SPAN_DAYS = 3652
CHUNK = 5_000
UTC_DAYS = archive.DayRule()  # every article on its UTC day


def vocabulary(seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    consonants, vowels = "bcdfghjklmnprstvwz", "aeiou"
    words: set[str] = set()
    while len(words) < VOCABULARY:
        n = rng.randint(2, 4)
        words.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(n)))
    return sorted(words, key=lambda w: (len(w), w))


def weights() -> list[float]:
    return [1.0 / (rank + 1) ** ZIPF_S for rank in range(VOCABULARY)]


def doc_frequency(rank: int, w: list[float], total: float) -> float:
    """The expected share of articles holding the word of this rank; `total`: sum(w)."""
    p = w[rank] / total
    return 1 - (1 - p) ** WORDS_PER_ARTICLE


def rank_with_df(target: float, w: list[float]) -> int:
    """The first vocabulary rank whose expected share of articles falls below ``target``."""
    total = sum(w)  # (once: summed per rank, this took seconds)
    for rank in range(VOCABULARY):
        if doc_frequency(rank, w, total) < target:
            return rank
    return VOCABULARY - 1


def _chunk(job: tuple[int, int]) -> list[tuple[str, int]]:
    """Texts and publication seconds of articles [start, start + size): seeded by the chunk, so
    the corpus is the same however many processes build it."""
    start, size = job
    vocab = vocabulary()
    p = np.array(weights())
    p /= p.sum()
    rng = np.random.default_rng(start)
    words = rng.choice(len(vocab), size=(size, WORDS_PER_ARTICLE), p=p).tolist()
    seconds = rng.integers(0, SPAN_DAYS * 86400, size=size).tolist()
    word = vocab.__getitem__
    return [(" ".join(map(word, row)), s) for row, s in zip(words, seconds, strict=True)]


def articles(n: int, source_ids: list[int]) -> Iterator[dict[str, Any]]:
    """The synthetic corpus, the same N articles for every store, built in another process
    so that the load is measured, not the generator."""
    jobs = [(start, min(CHUNK, n - start)) for start in range(0, n, CHUNK)]
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        i = 0
        for chunk in pool.imap(_chunk, jobs):
            for text, seconds in chunk:
                published = START + timedelta(seconds=seconds)
                url = f"https://bench.example/{i}"
                yield {
                    "source_id": source_ids[i % 20],
                    "url": url,
                    "url_normalized": url,
                    "url_key": url,
                    "content_hash": f"{i:064x}",
                    "title": text[: text.find(" ", 60)].capitalize(),
                    "text": text,
                    "authors": [f"Writer {i % 500}"],
                    "language": "en" if i % 10 else "de",
                    "word_count": WORDS_PER_ARTICLE,
                    "published_at": published,
                    "date_source": "page",
                    "first_seen_at": published,
                    "fetched_at": published,
                    "updated_at": published,
                }
                i += 1
                if i % 100_000 == 0:
                    print(f"  {i:>9,} articles", file=sys.stderr, flush=True)


def load(database_url: str, n: int) -> float:
    """Load through the fresh-load path (archive/archive.bulk.py), as `newsarchive import` does."""
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    with session_scope(sessions) as session:
        source_ids = [
            archive.create_source(session, f"source-{i:02d}", archive.SourceFields()).id
            for i in range(20)
        ]
    started = time.perf_counter()
    with engine.connect() as connection:
        archive.bulk.load_fresh(connection, UTC_DAYS, articles(n, source_ids))
        connection.commit()
    elapsed = time.perf_counter() - started
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("INSERT INTO fts_articles(fts_articles) VALUES ('optimize')")
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
        else:  # as autovacuum would, later: the visibility map, then statistics
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM (ANALYZE) articles, search_rows"
            )
    engine.dispose()
    return elapsed


def reindex(engine: Any) -> float:
    """Seconds to record every article's word forms from nothing, as migration 0012 does for
    an archive that already exists."""
    with engine.begin() as connection:
        connection.execute(delete(WordForm))
    started = time.perf_counter()
    with engine.begin() as connection:
        archive.rebuild_forms(connection)
    elapsed = time.perf_counter() - started
    print(f"word forms recorded again in {elapsed:.1f} s", file=sys.stderr)
    return round(elapsed, 1)


def query_classes() -> dict[str, dict[str, Any]]:
    vocab, w = vocabulary(), weights()
    common = vocab[rank_with_df(0.6, w)]
    mid = vocab[rank_with_df(0.02, w)]
    mid2 = vocab[rank_with_df(0.03, w)]
    rare = vocab[rank_with_df(0.0002, w)]
    day = date(2019, 6, 14)
    return {
        "rare": {"path": "/api/search", "params": {"q": rare, "facets": "false"}},
        # a word in another form than the one stored ("councils" for "council")
        "other_form": {"path": "/api/search", "params": {"q": f"{mid}s", "facets": "false"}},
        "mid": {"path": "/api/search", "params": {"q": mid, "facets": "false"}},
        "common": {"path": "/api/search", "params": {"q": common, "facets": "false"}},
        "and": {"path": "/api/search", "params": {"q": f"{mid} {mid2}", "facets": "false"}},
        "phrase": {"path": "/api/search", "params": {"q": f'"{common} {mid}"', "facets": "false"}},
        "month_filter": {
            "path": "/api/search",
            "params": {"q": mid, "from": "2020-03-01", "to": "2020-03-31", "facets": "false"},
        },
        "newest": {
            "path": "/api/search",
            "params": {"q": mid, "sort": "newest", "facets": "false"},
        },
        "archive_years": {"path": "/api/archive", "params": {}},
        "archive_months": {"path": "/api/archive/2019", "params": {}},
        "archive_day": {"path": f"/api/archive/{day.year}/{day.month}/{day.day}", "params": {}},
        "facets": {"path": "/api/search", "params": {"q": mid, "facets": "true"}},
        "common_newest": {
            "path": "/api/search",
            "params": {"q": common, "sort": "newest", "facets": "false"},
        },
        "common_facets": {"path": "/api/search", "params": {"q": common, "facets": "true"}},
        "source_filter": {
            "path": "/api/search",
            "params": {"q": mid, "source": "source-07", "facets": "false"},
        },
        "author_filter": {
            "path": "/api/search",
            "params": {"q": mid, "author": "Writer 42", "facets": "false"},
        },
        # attention over time: a common word over a year, by day (366 exact counts)
        "timeline": {
            "path": "/api/timeline",
            "params": {"q": common, "from": "2019-01-01", "to": "2019-12-31"},
        },
    }


def in_process(sessions: Any, spec: dict[str, Any]) -> None:
    path, params = spec["path"], spec["params"]
    with sessions() as session, side_reads.reading(session):  # as the API's reads
        if path == "/api/search":
            run_search(
                session,
                SearchParams(
                    q=params["q"],
                    sort=params.get("sort", "relevance"),
                    date_from=date.fromisoformat(params["from"]) if "from" in params else None,
                    date_to=date.fromisoformat(params["to"]) if "to" in params else None,
                    source=params.get("source"),
                    author=params.get("author"),
                ),
                facets=params["facets"] == "true",
            )
        elif path == "/api/timeline":
            timeline(
                session,
                [params["q"]],
                start=date.fromisoformat(params["from"]),
                end=date.fromisoformat(params["to"]),
            )
        elif path == "/api/archive":
            archive.archive_years(session)
        elif path.count("/") == 3:
            archive.archive_months(session, int(path.rsplit("/", 1)[1]))
        else:
            y, m, d = (int(p) for p in path.split("/")[3:])
            archive.articles_on_day(session, date(y, m, d))


def estimate_errors(client: httpx.Client, params: dict[str, str]) -> dict[str, Any]:
    """How far an estimated total and estimated facets are from the exact ones (exact=true):
    the total's relative error, and the largest relative error of a source or language count
    (of those over 1 % of the matches), in percent."""
    fast = client.get("/api/search", params=params).json()
    if fast["total_exact"] and fast["facets_exact"]:
        return {"estimated": False}
    exact = client.get("/api/search", params={**params, "exact": "true"}, timeout=120).json()
    out: dict[str, Any] = {
        "estimated": True,
        "total_error_pct": round(100 * abs(fast["total"] - exact["total"]) / exact["total"], 2),
    }
    if params.get("facets") == "true":
        worst = 0.0
        for facet, label in (("sources", "name"), ("languages", "language")):
            got = {f[label]: f["count"] for f in fast["facets"][facet]}
            for f in exact["facets"][facet]:
                if f["count"] >= 0.01 * exact["total"]:
                    worst = max(worst, abs(got.get(f[label], 0) - f["count"]) / f["count"])
        out["facet_error_pct"] = round(100 * worst, 2)
        out["days_exact"] = fast["facets"]["days"] == exact["facets"]["days"]
    return out


def timings(*fns: Any, runs: int) -> list[tuple[float, float]]:
    """(median, 95th percentile) in ms of each function, their runs alternated (one of each,
    then again): a drift of the machine's speed falls on all of them alike, so their
    differences (the API's time over the engine's) hold where separate rounds did not."""
    samples: list[list[float]] = [[] for _ in fns]
    for fn in fns:
        fn()  # warm caches
    for _ in range(runs):
        for fn, taken in zip(fns, samples, strict=True):
            started = time.perf_counter()
            fn()
            taken.append((time.perf_counter() - started) * 1000)
    return [_p50_p95(sorted(taken)) for taken in samples]


def _p50_p95(ordered: list[float]) -> tuple[float, float]:
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


class Timed:
    """GET over one kept-alive connection, with as little of the client's own work as can be."""

    def __init__(self, base: str) -> None:
        where = urlsplit(base)
        self.connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=60)

    def get(self, path: str, params: dict[str, str]) -> None:
        target = path + ("?" + urlencode(params) if params else "")
        try:
            self.connection.request("GET", target)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            # the server closes a connection idle for its keep-alive timeout (uvicorn: 5 s),
            # as it is while the in-process runs and the exact counts take their time: the
            # next call (the warm-up one) connects again
            self.connection.close()
            self.connection.request("GET", target)
            response = self.connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"{path} {params} answered {response.status}")


def serve(database_url: str) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    env["NEWSARCHIVE_DATABASE_URL"] = database_url
    env["NEWSARCHIVE_ANSWER_CACHE_MB"] = "0"  # every run makes its answer: what a search costs
    server = subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(base + "/api/health", timeout=5)
            return server, base
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the API server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--database", default="sqlite:////tmp/newsarchive-bench.db")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--reuse", action="store_true", help="keep the articles already there")
    parser.add_argument(
        "--reindex",
        action="store_true",
        help="also time recording every article's word forms again (migration 0012's work)",
    )
    args = parser.parse_args()

    url = Settings(database_url=args.database).database_url
    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        present = session.scalar(select(func.count()).select_from(Article)) or 0
    load_s = 0.0
    if not (args.reuse and present >= args.articles):
        if present:
            raise SystemExit(
                f"{present} articles already in {args.database}: use an empty database or --reuse"
            )
        print(f"loading {args.articles:,} articles into {engine.dialect.name}", file=sys.stderr)
        load_s = load(url, args.articles)
    reindex_s = reindex(engine) if args.reindex else None
    server, base = serve(url)
    results: dict[str, dict[str, float]] = {}
    timed = Timed(base)
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            print(
                f"{'class':>15} {'api p50':>9} {'api p95':>9} {'engine p50':>11} {'engine p95':>11} {'api-engine':>11}  (ms)"
            )
            for name, spec in query_classes().items():

                def over_http(spec: dict[str, Any] = spec) -> None:
                    timed.get(spec["path"], spec["params"])

                (api50, api95), (eng50, eng95) = timings(
                    over_http, lambda spec=spec: in_process(sessions, spec), runs=args.runs
                )
                results[name] = {
                    "api_p50_ms": round(api50, 2), "api_p95_ms": round(api95, 2),
                    "engine_p50_ms": round(eng50, 2), "engine_p95_ms": round(eng95, 2),
                }  # fmt: skip
                if spec["path"] == "/api/search":
                    results[name] |= estimate_errors(client, spec["params"])
                errors = {k: v for k, v in results[name].items() if "error" in k}
                print(
                    f"{name:>15} {api50:9.1f} {api95:9.1f} {eng50:11.1f} {eng95:11.1f} {api50 - eng50:11.1f}  {errors or ''}"
                )
    finally:
        timed.connection.close()
        server.terminate()
        server.wait()
        engine.dispose()
    print(
        json.dumps(
            {
                "articles": args.articles,
                "database": engine.dialect.name,
                "load_s": round(load_s, 1),
                "load_articles_per_s": round(args.articles / load_s) if load_s else None,
                "reindex_s": reindex_s,
                "queries": results,
            }
        )
    )


if __name__ == "__main__":
    main()
