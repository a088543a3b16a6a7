"""Which meta tags name a page's dates and authors, in the order they are trusted: the
standards' names (Open Graph, schema.org's, Dublin Core) and the ones analytics and
newsroom tools write (Parse.ly, Sailthru, Cxense, the New York Times' `byl`)."""

PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "article.published",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.created",
    "date",
)
MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
    "article.updated",
)
AUTHOR_META = (
    "author",
    "article:author",
    "byl",
    "parsely-author",
    "sailthru.author",
    "cxenseparse:author",  # (Cxense's: Schibsted's papers, Mainichi)
    "dc.creator",
)
