"""Load test: the API with several uvicorn workers on a database of N articles, under a bounded
mix of search, archive and article requests from this (second) process at rising concurrency.

    .venv/bin/python benchmarks/load.py --database sqlite:////tmp/load.db --articles 100000
    .venv/bin/python benchmarks/load.py --database postgresql://postgres@127.0.0.1/load --articles 100000

Prints, per concurrency step, requests per second, p50/p99 latency and errors, beside GET
/api/health with the same workers (the framework's own ceiling, measured in the same run), and
the server's peak memory. The mix runs twice: with every answer made anew (the server's answer
cache off: what the searches themselves cost), then as it is served, where the mix's 400
requests repeat and the answer cache keeps them (api/caching.py). The last line of output is
one JSON object. Needs wrk (`apt-get install wrk`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from newsarchive.config import Settings  # noqa: E402
from newsarchive.db import migrate  # noqa: E402
from newsarchive.db.models import Article  # noqa: E402
from newsarchive.db.session import make_engine, make_sessionmaker  # noqa: E402
from search import load, query_classes  # noqa: E402

STEPS = "1,4,8,16,32"


def request_mix(
    max_id: int, seed: int = 5, facets: bool = False
) -> list[tuple[str, dict[str, str]]]:
    """Searches (rare, mid, two words, phrase, filtered), archive levels and article pages.
    The searches skip the facet counts unless `facets` (the API's default: a client that does
    not say asks for them)."""
    rng = random.Random(seed)
    classes = query_classes()
    searches = [classes[k] for k in ("rare", "mid", "and", "phrase", "month_filter")]
    if facets:
        searches = [spec | {"params": spec["params"] | {"facets": "true"}} for spec in searches]
    mix: list[tuple[str, dict[str, str]]] = []
    for _ in range(400):
        roll = rng.random()
        if roll < 0.4:
            spec = rng.choice(searches)
            mix.append((spec["path"], spec["params"]))
        elif roll < 0.7:
            year = rng.randint(2015, 2024)
            mix.append(rng.choice([("/api/archive", {}), (f"/api/archive/{year}", {}),
                                   (f"/api/archive/{year}/{rng.randint(1, 12)}", {}),
                                   (f"/api/archive/{year}/{rng.randint(1, 12)}/{rng.randint(1, 28)}", {})]))  # fmt: skip
        else:
            mix.append((f"/api/articles/{rng.randint(1, max_id)}", {}))
    return mix


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %%d, "errors": %%d, "duration_us": %%d, ' ..
    '"p50_us": %%d, "p99_us": %%d}\\n', summary.requests,
    e.connect + e.read + e.write + e.timeout + e.status, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
"""


def step(
    base: str, concurrency: int, requests: list[tuple[str, dict[str, str]]], seconds: float
) -> dict[str, Any]:
    """One load step by wrk (compiled, one thread: the client takes little of a core from
    the server), each connection cycling through the request mix; errors are failed
    connections and reads, timeouts, and answers of 4xx/5xx."""
    paths = ", ".join(json.dumps(path + ("?" + urlencode(q) if q else "")) for path, q in requests)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT % paths)
        script.flush()
        out = subprocess.run(
            ["wrk", "-t1", f"-c{concurrency}", f"-d{round(seconds)}s", "--timeout", "10s", "-s",
             script.name, base],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    found = json.loads(out.strip().splitlines()[-1])
    return {
        "concurrency": concurrency,
        "rps": round(found["requests"] / (found["duration_us"] / 1e6), 1),
        "p50_ms": round(found["p50_us"] / 1000, 1),
        "p99_ms": round(found["p99_us"] / 1000, 1),
        "errors": found["errors"],
    }


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the uvicorn workers), from /proc."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            if int(entry) == pid or int(stat[1]) == pid:
                total += int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return total / 1e6


def prepare(database: str, articles: int) -> tuple[str, int]:
    """The database URL and the highest article id, after loading the articles if it has none."""
    url = Settings(database_url=database).database_url
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:  # closed before the load: its open
            present = session.scalar(select(func.count()).select_from(Article)) or 0
        if present < articles:  # transaction would hold the lock the load's DROP INDEX waits for
            if present:
                raise SystemExit(f"{present} articles in {database}: use an empty database")
            print(f"loading {articles:,} articles", file=sys.stderr)
            load(url, articles)
        with make_sessionmaker(engine)() as session:
            return url, session.scalar(select(func.max(Article.id))) or 1
    finally:
        engine.dispose()


def serve(
    url: str, workers: int, cache_mb: int, threads: int | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    env |= {"NEWSARCHIVE_DATABASE_URL": url, "NEWSARCHIVE_LOG_LEVEL": "WARNING",
            "NEWSARCHIVE_ANSWER_CACHE_MB": str(cache_mb)}  # fmt: skip
    if threads is not None:
        env["NEWSARCHIVE_API_THREADS"] = str(threads)
    server = subprocess.Popen(  # as the compose file runs it
        [sys.executable, "-m", "newsarchive", "serve", "--port", str(port), "--no-migrate",
         "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(base + "/api/health", timeout=5).raise_for_status()
            time.sleep(1)
            return server, base
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the API server did not start")


def run_mix(
    server: subprocess.Popen[bytes], base: str, mix: list[tuple[str, dict[str, str]]],
    steps: list[int], seconds: float,
) -> tuple[list[dict[str, Any]], float]:  # fmt: skip
    peak, results = 0.0, []
    print(f"{'concurrency':>11} {'rps':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for concurrency in steps:
        result = step(base, concurrency, mix, seconds)
        peak = max(peak, tree_rss_mb(server.pid))
        results.append(result)
        print(
            f"{result['concurrency']:>11} {result['rps']:>8} {result['p50_ms']:>8} {result['p99_ms']:>8} {result['errors']:>7}"
        )
    return results, peak


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="sqlite:////tmp/newsarchive-load.db")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0, help="per step")
    parser.add_argument("--steps", default=STEPS, help="connections of each step")
    parser.add_argument(
        "--threads", type=int, default=None,
        help="NEWSARCHIVE_API_THREADS of each worker (default: the server's own)",
    )  # fmt: skip
    parser.add_argument(
        "--mixes",
        default="computed,repeated",
        help="which mixes: computed (answers made anew), repeated",
    )
    parser.add_argument(
        "--facets", action="store_true",
        help="the mix's searches count their facets (the API's default) rather than skip them",
    )  # fmt: skip
    args = parser.parse_args()
    asked = set(args.mixes.split(","))
    if not asked or asked - {"computed", "repeated"}:
        parser.error(f"--mixes: computed, repeated or both, not {args.mixes!r}")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    steps = [int(n) for n in args.steps.split(",")]

    url, max_id = prepare(args.database, args.articles)
    mix = request_mix(max_id, facets=args.facets)
    found: dict[str, Any] = {}
    peak = 0.0
    mixes = [m for m in (("computed", 0), ("repeated", 64)) if m[0] in asked]
    health: dict[str, Any] = {"rps": None}
    for name, cache_mb in mixes:
        server, base = serve(url, args.workers, cache_mb, args.threads)
        try:
            if name == "computed":
                health = step(base, max(steps), [("/api/health", {})], args.seconds)
                print(
                    f"GET /api/health at {max(steps)} connections: {health['rps']} rps, p99 {health['p99_ms']} ms"
                )
            print(f"the mix, {'every answer made anew' if cache_mb == 0 else 'answers kept'}:")
            found[name], mix_peak = run_mix(server, base, mix, steps, args.seconds)
            peak = max(peak, mix_peak)
        finally:
            server.terminate()
            server.wait()
    print(f"server peak RSS {peak:.0f} MB ({args.workers} workers)")
    print(json.dumps({"database": make_engine(url).dialect.name, "articles": args.articles,
                      "workers": args.workers, "threads": args.threads, "facets": args.facets,
                      "health_rps": health["rps"], "peak_rss_mb": round(peak),
                      "steps": found.get("computed"), "repeated": found.get("repeated")}))  # fmt: skip


if __name__ == "__main__":
    main()
