"""Crawl throughput: end-to-end pages per second of `newsarchive crawl` against a local site,
beside bare trafilatura extraction of the same pages in one process, in the same run.

    .venv/bin/python benchmarks/crawl.py --pages 600

The site is served by a separate process on 127.0.0.1; the crawl uses SQLite in a temporary
directory, no host delay, the default concurrency and one extraction process per CPU. The goal is
a ratio of at least 1.6 on a 2-core machine: fetching hidden behind extraction, both cores busy.
A second crawl then revisits every stored page (NEWSARCHIVE_REVISIT_AFTER=0): its pages per
second and the cost of one revisit. The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pages import article_page, vocabulary  # noqa: E402


def serve(pages: int, port_queue: multiprocessing.Queue, seed: int) -> None:  # type: ignore[type-arg]
    rng = random.Random(seed)
    vocab = vocabulary()
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    bodies = {f"/news/{i}": article_page(i, rng, vocab, base).encode() for i in range(pages)}
    sitemap = "".join(f"<url><loc>{base}{path}</loc></url>" for path in bodies)
    bodies["/sitemap.xml"] = (
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{sitemap}</urlset>'.encode()
    )

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            body = bodies.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header(
                "Content-Type",
                "application/xml" if self.path.endswith(".xml") else "text/html; charset=utf-8",
            )
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server.RequestHandlerClass = Handler
    server.daemon_threads = True
    port_queue.put(base)
    server.serve_forever()


def bare_trafilatura_rate(pages: int, seed: int, base: str) -> float:
    import trafilatura

    rng = random.Random(seed)
    vocab = vocabulary()
    htmls = [article_page(i, rng, vocab, base) for i in range(pages)]
    started = time.perf_counter()
    for i, html in enumerate(htmls):
        trafilatura.bare_extraction(html, url=f"{base}/news/{i}", with_metadata=True)
    return pages / (time.perf_counter() - started)


def crawl_rate(base: str, pages: int, workdir: Path) -> tuple[float, int, float]:
    """Pages per second of a first crawl, pages stored, and pages per second of a second crawl
    that revisits every stored page (unchanged, and the site sends no validators, so each
    revisit is a full fetch, extraction and comparison: the worst case)."""
    from newsarchive import archive
    from newsarchive.config import Settings
    from newsarchive.db import migrate
    from newsarchive.db.session import make_engine, make_sessionmaker, session_scope
    from newsarchive.services import crawler

    settings = Settings(
        database_url=f"sqlite:///{workdir / 'bench.db'}",
        allow_private_hosts=True,
        host_delay=0,
        revisit_after="0",  # each stored page is due again at the next run
    )
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    with session_scope(sessions) as session:
        archive.create_source(
            session, "bench", archive.SourceFields(sitemaps=[f"{base}/sitemap.xml"])
        )
    started = time.perf_counter()
    own_before, machine_before = _cpu()
    report = crawler(settings, sessions).run()
    elapsed = time.perf_counter() - started
    own_after, machine_after = _cpu()
    own, machine = own_after - own_before, machine_after - machine_before
    print(
        f"CPU during the crawl: {machine / elapsed:.2f} cores busy on the machine "
        f"(crawl process {own / elapsed:.2f}); per page {machine / report.counts['stored'] * 1000:.1f} ms "
        f"in all, {own / report.counts['stored'] * 1000:.1f} ms in the crawl process"
    )
    if report.counts["stored"] != pages:
        print(
            f"warning: stored {report.counts['stored']} of {pages}: {report.line()}",
            file=sys.stderr,
        )
    started = time.perf_counter()
    again = crawler(settings, sessions).run()
    revisit_elapsed = time.perf_counter() - started
    engine.dispose()
    print(
        f"revisits: {again.counts['revisited']} pages in {revisit_elapsed:.1f} s, "
        f"{revisit_elapsed / max(again.counts['revisited'], 1) * 1000:.1f} ms each (revised {again.counts['revised']})"
    )
    return (
        report.counts["stored"] / elapsed,
        report.counts["stored"],
        again.counts["revisited"] / revisit_elapsed,
    )


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process, and of the whole machine (/proc/stat, Linux)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    machine = 0.0
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
        busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
        machine = busy / os.sysconf("SC_CLK_TCK")
    return usage.ru_utime + usage.ru_stime, machine


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    server = context.Process(target=serve, args=(args.pages, queue, args.seed), daemon=True)
    server.start()
    base = queue.get(timeout=60)
    try:
        extract = bare_trafilatura_rate(args.pages, args.seed, base)
        with tempfile.TemporaryDirectory() as tmp:
            crawl, stored, revisits = crawl_rate(base, args.pages, Path(tmp))
    finally:
        server.terminate()
    print(f"machine: {os.cpu_count()} CPUs")
    print(f"{'pages':>28}: {args.pages} (stored {stored})")
    print(f"{'crawl end to end':>28}: {crawl:8.1f} pages/s")
    print(f"{'bare trafilatura, 1 process':>28}: {extract:8.1f} pages/s")
    print(f"{'ratio':>28}: {crawl / extract:8.2f}  (goal >= 1.6)")
    print(f"{'revisit crawl':>28}: {revisits:8.1f} pages/s")
    print(
        json.dumps(
            {
                "pages": args.pages,
                "crawl_pages_per_s": round(crawl, 2),
                "extract_pages_per_s": round(extract, 2),
                "ratio": round(crawl / extract, 3),
                "revisit_pages_per_s": round(revisits, 2),
                "revisit_ms_per_article": round(1000 / revisits, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
