"""Crawling: `services.crawler(settings, sessions).run()` is what `newsarchive crawl` runs.

crawler.py     the run: discovery first, then the worker threads on the frontier
contract.py    what a run is given (CrawlOptions) and what it answers (CrawlReport)
workers.py     worker ids, and whether a worker of this machine is gone
discovery.py   feeds and sitemaps of due sources -> new URLs in the frontier
politeness.py  robots.txt, and one request per host slot
pool.py        extraction processes that replace themselves when one dies
revisits.py    a revisit of a stored article, judged
after_run.py   source health judged, webhooks sent
exclusive.py   one crawl at a time on SQLite
metrics.py     this process's fetch and extraction timings

Nothing is imported here: an extraction process loads pool.py and what it runs, not the
crawl's database code (forkserver_preload.py).
"""
