"""The repositories: every query on the archive's tables lives in this package, one module per
aggregate (articles, days, sources, runs, revisions, stories, health, deliveries, saved
searches, the crawl frontier) plus keyset paging and the fresh bulk load. Functions take the
session first and never commit: the caller (a request, a CLI command, the pipeline) owns the
transaction. Callers outside this package reach it one way, `from newsarchive import archive`,
and use the names below: `archive.get_article(session, 3)`, `archive.frontier.claim(...)`."""

from newsarchive.archive import bulk, frontier, paging
from newsarchive.archive.articles import (
    MAX_LIMIT,
    ArticleFilters,
    add_article,
    add_articles,
    article_ids,
    articles_by_id,
    check_day_range,
    count_articles,
    day_conditions,
    delete_article,
    find_duplicate,
    get_article,
    get_raw,
    iter_articles,
    list_articles,
    update_article,
)
from newsarchive.archive.days import (
    DayCountRow,
    DayRule,
    archive_days,
    archive_months,
    archive_years,
    articles_on_day,
    count_first_seen_since,
    count_on_days,
    day_counts_between,
    day_of_row,
    ensure_archive_zone,
    latest_day,
)
from newsarchive.archive.deliveries import (
    claim_delivery,
    delivery_done,
    due_deliveries,
    queue_delivery,
    recent_deliveries,
)
from newsarchive.archive.health import (
    articles_since,
    close_alert,
    errors_since,
    lock_source,
    newest_articles,
    newest_runs,
    open_alert,
    open_alerts,
    run_source_ids,
    source_alerts,
)
from newsarchive.archive.paging import Page, decode_cursor, encode_cursor
from newsarchive.archive.revisions import (
    add_revision,
    keep_validators,
    latest_revision,
    list_revisions,
    list_takedowns,
    queue_revisits,
    recent_revisions,
    revisit_columns,
    revisit_validators,
    set_revisit_columns,
)
from newsarchive.archive.runs import (
    beat,
    count,
    finish_run,
    get_run,
    interrupt_running_runs,
    interrupt_stale_runs,
    list_runs,
    record_error,
    run_totals,
    sources_with_failures,
    start_run,
)
from newsarchive.archive.saved_searches import (
    create_saved_search,
    delete_saved_search,
    get_saved_search,
    last_article_id,
    list_saved_searches,
    mark_delivered,
)
from newsarchive.archive.sources import (
    SourceFields,
    article_counts,
    create_source,
    delete_source,
    due_sources,
    find_source,
    get_source,
    get_source_by_name,
    list_sources,
    mark_crawled,
    record_feed_check,
    set_feeds,
    source_for_host,
    source_names,
    update_source,
)
from newsarchive.archive.stories import (
    hand_over_story,
    keys_in,
    lock_story_keys,
    set_stories,
    set_story,
    story_candidates,
    story_members,
    story_signatures,
    texts_for_grouping,
    ungroup_all,
)

__all__ = [
    "bulk", "frontier", "paging",  # namespaces: the crawl queue, the fresh load, the cursor codec
    "MAX_LIMIT", "ArticleFilters", "DayCountRow", "DayRule", "Page",
    "SourceFields", "add_article", "add_articles", "archive_days", "archive_months",
    "archive_years", "article_counts", "article_ids", "articles_by_id", "articles_on_day", "beat",
    "check_day_range", "count", "count_articles", "count_first_seen_since", "count_on_days", "create_source",
    "day_conditions", "day_counts_between", "decode_cursor", "delete_article", "delete_source",
    "due_sources", "encode_cursor", "ensure_archive_zone", "find_duplicate", "find_source",
    "finish_run", "get_article", "get_raw", "get_run", "get_source", "get_source_by_name",
    "interrupt_running_runs", "interrupt_stale_runs", "iter_articles", "latest_day",
    "list_articles", "list_runs", "list_sources", "mark_crawled", "record_error", "record_feed_check", "run_totals",
    "set_feeds", "source_names", "source_for_host", "sources_with_failures", "start_run", "update_article",
    "update_source", "add_revision", "keep_validators", "latest_revision", "list_revisions",
    "list_takedowns", "queue_revisits", "recent_revisions", "revisit_validators", "revisit_columns", "set_revisit_columns",
    "hand_over_story", "lock_story_keys", "set_story", "story_candidates", "story_members",
    "texts_for_grouping", "ungroup_all", "day_of_row", "keys_in", "set_stories",
    "story_signatures", "articles_since", "close_alert", "errors_since", "lock_source", "newest_articles",
    "newest_runs", "open_alert", "open_alerts", "run_source_ids", "source_alerts", "claim_delivery",
    "delivery_done", "due_deliveries", "queue_delivery", "recent_deliveries",
    "create_saved_search", "delete_saved_search", "get_saved_search", "list_saved_searches",
    "mark_delivered", "last_article_id",
]  # fmt: skip
