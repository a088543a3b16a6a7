"""Full-text search: one interface (engine.py), two engines behind it (sqlite.py, postgres.py),
one query language (query.py), and the search itself with filters, sorts and facets
(service.py)."""

from newsarchive.search.service import SearchPage, SearchParams, engine_for, run_search

__all__ = ["SearchPage", "SearchParams", "engine_for", "run_search"]
