"""Story grouping quality: precision and recall of "same story" on real article texts.

    .venv/bin/python benchmarks/stories.py [--corpus ../shared/corpus/articles]

Texts are newsarchive's extraction of the corpus pages (aeb and trafilatura sets). Positives: each
text of at least MIN_WORDS words against an edited copy of itself, one per kind of edit a
syndicated copy gets (another headline with a credit line, boilerplate added, a paragraph
removed, a paragraph reworded, another site's name), keeping at least 80 % of the text. Negatives:
every pair of different articles (different stories, many on the same topics: politics, sport,
technology), and the pairs from one site. A pair is grouped when ingest would group it: the two
signatures share an LSH band and agree on SAME_STORY of their values. The last line is JSON.

    .venv/bin/python benchmarks/stories.py --rebuild 100000 [--database URL]

instead times `newsarchive stories rebuild` over N synthetic articles (benchmarks/search.py's
corpus, loaded first into a new SQLite file unless --database names one).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from itertools import combinations
from pathlib import Path
from urllib.parse import urlsplit

from newsarchive.errors import IngestError
from newsarchive.extract.article import extract
from newsarchive.stories.signatures import MIN_WORDS, SAME_STORY, band_keys, signature, similarity

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "articles"
BOILERPLATE = (
    "Sign up for our morning newsletter and get the news before breakfast. Follow us on social "
    "media for live updates. Advertisement. Read more: the stories our readers liked this week."
)


def texts(corpus: Path) -> list[tuple[str, str]]:
    """(site, text) of every corpus page newsarchive extracts."""
    out = []
    for name in ("aeb", "trafilatura"):
        truth = json.loads((corpus / name / "truth.json").read_text())
        for page_id, entry in truth.items():
            path = corpus / name / "html" / f"{page_id}.html.gz"
            if not path.exists():
                continue
            try:
                article = extract(gzip.decompress(path.read_bytes()), entry.get("url"))
            except IngestError:
                continue
            out.append((urlsplit(entry.get("url") or "").hostname or name, article.text))
    return out


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def edits(text: str, rng: random.Random) -> dict[str, str]:
    """Each kind of edit, applied to a copy of `text`, where it keeps >= 80 % of the words."""
    parts = paragraphs(text)
    words = len(text.split())
    small = [i for i, p in enumerate(parts) if len(p.split()) <= 0.2 * words] or [len(parts) - 1]
    pick = rng.choice(small)
    reworded = parts[pick].split()
    for i in range(0, len(reworded), 3):  # every third word of one paragraph replaced
        reworded[i] = rng.choice(["also", "said", "reported", "however", "now", "then"])
    out = {
        "headline": "Updated headline from the wire\n" + text + "\nAdditional reporting by AP.",
        "boilerplate": text + "\n" + BOILERPLATE,
        "paragraph_removed": "\n".join(parts[:pick] + parts[pick + 1 :]),
        "paragraph_reworded": "\n".join([*parts[:pick], " ".join(reworded), *parts[pick + 1 :]]),
        "site_name": "COAST COURIER —\n" + text + "\n© Coast Courier",
    }
    kept = {k: v for k, v in out.items() if _retained(text, v) >= 0.8}
    return kept


def _retained(old: str, new: str) -> float:
    before, after = set(old.split()), set(new.split())
    return len(before & after) / max(len(before), 1)


def grouped(a: bytes | None, b: bytes | None) -> bool:
    if a is None or b is None:
        return False
    return bool(set(band_keys(a)) & set(band_keys(b))) and similarity(a, b) >= SAME_STORY


def time_rebuild(n: int, database_url: str) -> None:
    import os

    from newsarchive.db import migrate
    from newsarchive.db.session import make_engine, make_sessionmaker
    from newsarchive.stories.rebuild import rebuild

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from search import load  # noqa: PLC0415  (the search benchmark's synthetic corpus)

    migrate.upgrade(database_url)
    load(database_url, n)
    engine = make_engine(database_url)
    started = time.perf_counter()
    result = rebuild(make_sessionmaker(engine), workers=os.cpu_count() or 1)
    elapsed = time.perf_counter() - started
    engine.dispose()
    rate = result.articles / elapsed
    print(f"rebuild: {result.articles:,} articles in {elapsed:.0f} s ({rate:,.0f}/s); "
          f"1,000,000 would take {1_000_000 / rate / 60:.1f} min")  # fmt: skip
    print(json.dumps({"articles": result.articles, "rebuild_s": round(elapsed, 1),
                      "articles_per_s": round(rate), "database": database_url.split(":")[0]}))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rebuild", type=int, metavar="N", help="time a rebuild of N articles")
    parser.add_argument("--database", help="for --rebuild (default: a new SQLite file)")
    args = parser.parse_args()
    if args.rebuild:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            time_rebuild(args.rebuild, args.database or f"sqlite:///{tmp}/stories.db")
        return
    if not (args.corpus / "aeb" / "truth.json").exists():
        sys.exit(f"no corpus at {args.corpus}")
    started = time.perf_counter()
    pages = [(site, text) for site, text in texts(args.corpus)]
    long = [(site, text) for site, text in pages if signature(text) is not None]
    rng = random.Random(1)
    found: dict[str, list[bool]] = {}
    for _site, text in long:
        original = signature(text)
        for kind, copy in edits(text, rng).items():
            found.setdefault(kind, []).append(grouped(original, signature(copy)))
    sigs = [(site, signature(text)) for site, text in long]
    false_pairs = same_site_false = same_site_pairs = 0
    pairs = 0
    for (site_a, a), (site_b, b) in combinations(sigs, 2):
        pairs += 1
        wrong = grouped(a, b)
        false_pairs += wrong
        if site_a == site_b:
            same_site_pairs += 1
            same_site_false += wrong
    true_pairs = sum(sum(v) for v in found.values())
    recall = {kind: sum(v) / len(v) for kind, v in found.items()}
    precision = true_pairs / max(true_pairs + false_pairs, 1)
    print(f"pages: {len(pages)} extracted, {len(long)} of at least {MIN_WORDS} words")
    for kind, value in recall.items():
        print(f"recall {kind:>20}: {value:.4f} ({len(found[kind])} copies)")
    print(f"different-article pairs grouped: {false_pairs} of {pairs} "
          f"(same site: {same_site_false} of {same_site_pairs})")  # fmt: skip
    print(
        f"precision: {precision:.4f}; overall recall: {true_pairs / sum(map(len, found.values())):.4f}"
    )
    print(f"time: {time.perf_counter() - started:.0f} s")
    print(
        json.dumps(
            {
                "pages": len(long),
                "precision": round(precision, 4),
                "recall": round(true_pairs / sum(map(len, found.values())), 4),
                "recall_by_edit": {k: round(v, 4) for k, v in recall.items()},
                "false_pairs": false_pairs,
                "pairs": pairs,
            }
        )
    )


if __name__ == "__main__":
    main()
