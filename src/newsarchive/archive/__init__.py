"""The repositories: every query on the archive's tables lives in this package, one module per
aggregate (articles, days, sources, runs, revisions, stories, health, the crawl frontier) plus keyset paging. Functions take
the session first and never commit: the caller (a request, a CLI command, the pipeline) owns the
transaction. Callers use the names below: `archive.get_article(session, 3)`."""

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
    day_counts_between,
    day_of_row,
    ensure_archive_zone,
    latest_day,
)
from newsarchive.archive.health import (
    articles_since,
    close_alert,
    errors_since,
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
    after_revisit,
    keep_validators,
    latest_revision,
    list_revisions,
    list_takedowns,
    queue_revisits,
    recent_revisions,
    revisit_validators,
)
from newsarchive.archive.runs import (
    RUN_COUNTERS,
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
    update_source,
)
from newsarchive.archive.stories import (
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
    "MAX_LIMIT", "ArticleFilters", "DayCountRow", "DayRule", "Page", "RUN_COUNTERS",
    "SourceFields", "add_article", "add_articles", "archive_days", "archive_months",
    "archive_years", "article_counts", "article_ids", "articles_by_id", "articles_on_day", "beat",
    "check_day_range", "count", "count_articles", "count_first_seen_since", "create_source",
    "day_conditions", "day_counts_between", "decode_cursor", "delete_article", "delete_source",
    "due_sources", "encode_cursor", "ensure_archive_zone", "find_duplicate", "find_source",
    "finish_run", "get_article", "get_raw", "get_run", "get_source", "get_source_by_name",
    "interrupt_running_runs", "interrupt_stale_runs", "iter_articles", "latest_day",
    "list_articles", "list_runs", "list_sources", "mark_crawled", "record_error", "record_feed_check", "run_totals",
    "set_feeds", "source_for_host", "sources_with_failures", "start_run", "update_article",
    "update_source", "add_revision", "after_revisit", "keep_validators", "latest_revision", "list_revisions",
    "list_takedowns", "queue_revisits", "recent_revisions", "revisit_validators",
    "lock_story_keys", "set_story", "story_candidates", "story_members",
    "texts_for_grouping", "ungroup_all", "day_of_row", "keys_in", "set_stories",
    "story_signatures", "articles_since", "close_alert", "errors_since", "newest_articles",
    "newest_runs", "open_alert", "open_alerts", "run_source_ids", "source_alerts",
]  # fmt: skip
