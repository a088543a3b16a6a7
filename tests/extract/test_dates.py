"""Golden pages for each date rule: the page's own zone, the byline under the headline, parsing."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from newsarchive.extract.article import extract
from newsarchive.extract.dates import page_zone, parse_date, visible_days
from newsarchive.extract.zones import byline_zone
from tests.pages import article_html, under_headline

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def run(html: str, url: str):  # type: ignore[no-untyped-def]
    return extract(html.encode(), url, now=NOW)


def with_byline(html: str, byline: str) -> str:
    return under_headline(html, f"<p class='meta'>{byline}</p>")


class TestPageZone:
    def test_utc_stamp_of_local_midnight_is_the_next_day_on_a_german_site(self) -> None:
        article = run(
            article_html(published="2022-11-06T23:00:00.000Z", lang="de"),
            "https://reisen.example.de/provence",
        )
        assert article.published_at == datetime(2022, 11, 6, 23, tzinfo=UTC)  # same instant
        assert article.published_at.date() == date(2022, 11, 7)  # the day in Berlin

    def test_an_offset_written_elsewhere_on_the_page_is_the_pages_zone(self) -> None:
        # JSON-LD says UTC, the meta tag says local time: the page lives at +02:00
        html = article_html(
            published=None,
            json_ld={"@type": "NewsArticle", "datePublished": "2019-10-18T22:04:00Z"},
            extra_head='<meta name="date" content="Sat, 19 Oct 2019 00:04:00 +0200">',
        )
        article = run(html, "https://news.example.com/health/cancer-therapies")
        assert article.published_at.date() == date(2019, 10, 19)
        assert article.published_at.utcoffset() == timedelta(hours=2)

    def test_the_country_in_html_lang_names_the_zone(self) -> None:
        html = article_html(published="2022-05-04T02:41:00Z", lang="es-BO")
        article = run(html, "https://noticias.example.com/autos")
        assert article.published_at.date() == date(2022, 5, 3)  # 22:41 in La Paz

    def test_the_zone_a_byline_names_after_its_clock_is_the_pages_zone(self) -> None:
        # the metadata writes UTC; the byline the site's own time: the 19th in New York
        html = with_byline(
            article_html(published="2019-11-20T04:26:47Z", lang="en"),
            "11:26 pm EST, Tuesday, November 19, 2019",
        )
        article = run(html, "https://news.example.com/politics/hearing")
        assert article.published_at.date() == date(2019, 11, 19)
        assert article.published_at.utcoffset() == timedelta(hours=-5)

    @pytest.mark.parametrize(
        ("byline", "offset"),
        [
            ("Sat 24 Feb 2024 12.42 CET", timedelta(hours=1)),
            ("April 26, 2024 at 11:24 a.m. EDT", timedelta(hours=-4)),
            ("2019-11-18T20:51:19Z", None),  # an ISO stamp's Z says nothing of the site
            ("Updated 10:39", None),
            (
                "The CET meeting at 10:39 was long and went on and on past what anyone expected",
                None,
            ),
        ],
    )
    def test_byline_zone(self, byline: str, offset: timedelta | None) -> None:
        zone = byline_zone([byline])
        assert (zone.utcoffset(None) if zone else None) == offset

    def test_without_any_hint_dates_stay_in_utc(self) -> None:
        article = run(
            article_html(published="2022-05-04T02:41:00Z", lang="en"),
            "https://news.example.com/autos",
        )
        assert article.published_at.date() == date(2022, 5, 4)

    def test_a_utc_stamp_under_a_url_of_the_day_before_is_filed_under_the_urls_day(
        self,
    ) -> None:
        # nothing says the site's zone; its URL is written in its own day, the 24th
        article = run(
            article_html(published="2020-02-25T02:25:54Z", lang="en"),
            "https://news.example.com/2020/02/24/council-votes/",
        )
        assert article.published_at == datetime(2020, 2, 25, 2, 25, 54, tzinfo=UTC)
        assert article.published_at.date() == date(2020, 2, 24)
        assert article.zone is not None
        assert article.zone.utcoffset(None) == timedelta(hours=-3)

    def test_a_utc_stamp_under_a_url_of_the_day_after_is_filed_under_the_urls_day(self) -> None:
        article = run(
            article_html(published="2020-02-24T22:10:00Z", lang="en"),
            "https://news.example.com/2020/02/25/council-votes/",
        )
        assert article.published_at.date() == date(2020, 2, 25)

    @pytest.mark.parametrize(
        ("published", "url", "day"),
        [
            # the URL's day is the stamp's own: nothing to infer
            ("2020-02-24T02:25:54Z", "https://news.example.com/2020/02/24/votes/", 24),
            # two days apart is no zone: the URL names another day (a republished story)
            ("2020-02-26T02:25:54Z", "https://news.example.com/2020/02/24/votes/", 26),
            # the page's zone is known (a German site): its own day stands
            ("2020-02-25T02:25:54Z", "https://news.example.de/2020/02/24/votes/", 25),
        ],
    )
    def test_the_url_day_moves_only_an_instant_of_unknown_zone_by_one_day(
        self, published: str, url: str, day: int
    ) -> None:
        article = run(article_html(published=published, lang="en"), url)
        assert article.published_at == datetime.fromisoformat(published)
        assert article.published_at.date() == date(2020, 2, day)

    def test_a_date_without_offset_is_local_time(self) -> None:
        article = run(
            article_html(published="2022-05-03 23:30:00", lang="de"),
            "https://news.example.at/story",
        )
        assert article.published_at == datetime(
            2022, 5, 3, 23, 30, tzinfo=ZoneInfo("Europe/Vienna")
        )

    @pytest.mark.parametrize(
        ("dates", "url", "lang", "expected"),
        [
            (["2024-01-02T10:00:00Z", "2024-01-02T05:00:00-05:00"], None, None, timezone(timedelta(hours=-5))),
            ([], "https://www.example.ch/a", "fr", ZoneInfo("Europe/Zurich")),  # domain first
            ([], "https://example.com/a", "de-AT", ZoneInfo("Europe/Vienna")),
            ([], "https://example.com/a", "fi", ZoneInfo("Europe/Helsinki")),
            ([], "https://example.com/a", "en-US", None),  # the US spans six zones
            ([], "https://example.com/a", "es", None),
            ([], "https://www.example.ca/a", "fr", None),  # French in Canada is not Paris time
            ([], "https://example.com/a", "fr-CA", None),
            (["2024-01-02T10:00:00+00:00"], "https://example.com/a", None, None),
        ],
    )  # fmt: skip
    def test_page_zone(self, dates, url, lang, expected) -> None:  # type: ignore[no-untyped-def]
        assert page_zone(dates, url, lang) == expected


class TestBylineDate:
    def test_the_date_under_the_headline_beats_stale_metadata(self) -> None:
        # a republished story: the meta tags keep the first date, the page shows the new one
        html = with_byline(
            article_html(published="2021-12-14T15:41:07+01:00", lang="de"), "04.02.2022 | 15:33 Uhr"
        )
        article = run(html, "https://www.example.de/ratgeber/warten")
        assert article.published_at.date() == date(2022, 2, 4)
        assert (article.date_source, article.date_raw) == ("page", "04.02.2022 | 15:33 Uhr")

    def test_the_same_day_in_metadata_keeps_its_time(self) -> None:
        html = with_byline(
            article_html(published="2023-11-06T15:25:00+01:00", lang="de"),
            "6. November 2023, 15:25 Uhr",
        )
        article = run(html, "https://www.example.de/news/werbung")
        assert article.published_at == datetime(2023, 11, 6, 14, 25, tzinfo=UTC)
        assert article.date_raw == "2023-11-06T15:25:00+01:00"

    def test_a_us_byline_read_day_first_is_matched_to_the_metadata(self) -> None:
        # "11/08/23" is November 8 in the US; day-first it would be August 11
        html = with_byline(article_html(published="2023-11-08T17:19:00-05:00"), "11/08/23 5:19pm")
        article = run(html, "https://observer.example.com/2023/11/lvmh")
        assert article.published_at == datetime(2023, 11, 8, 22, 19, tzinfo=UTC)

    def test_a_date_inside_prose_is_not_a_byline(self) -> None:
        sentence = (
            "The law that came into force on 28 December 2012 was challenged again this year."
        )
        html = with_byline(article_html(published="2015-12-12T10:00:00Z"), sentence)
        article = run(html, "https://news.example.com/law")
        assert article.published_at.date() == date(2015, 12, 12)

    def test_a_date_that_markup_sets_inside_a_sentence_is_not_a_byline(self) -> None:
        # the broadcast this story was on, in a <time> inside a sentence under the headline
        sentence = (
            'Über dieses Thema berichtet: BR24 Radio am <time datetime="2024-04-14T17:50:00+02:00">'
            "14.04.2024 um 17:50 Uhr</time>."
        )
        html = with_byline(article_html(published="2024-04-15T12:36:37+00:00", lang="de"), sentence)
        article = run(html, "https://www.example.de/nachrichten/streiks")
        assert article.published_at == datetime(2024, 4, 15, 12, 36, 37, tzinfo=UTC)
        # the same date as a dateline of its own is the byline date
        html = with_byline(
            article_html(published="2024-04-15T12:36:37+00:00", lang="de"),
            "Stand: 14.04.2024 um 17:50 Uhr",
        )
        assert run(html, "https://www.example.de/nachrichten/streiks").published_at.date() == date(
            2024, 4, 14
        )

    def test_byline_alone_dates_a_page_without_metadata(self) -> None:
        html = with_byline(article_html(published=None), "Updated May 06, 2019")
        article = run(html, "https://home.example.com/hydrangea-care")
        assert article.published_at == datetime(2019, 5, 6, tzinfo=UTC)
        assert article.date_source == "page"

    def test_byline_under_an_h2_headline_when_the_page_has_no_h1(self) -> None:
        html = with_byline(article_html("Winter walks", published=None), "27.01.2022")
        html = html.replace("<h1>Winter walks</h1>", "<h2>Winter walks</h2>")
        article = run(html, "https://dogs.example.com/winter")
        assert article.published_at.date() == date(2022, 1, 27)

    def test_a_us_page_writes_the_month_first(self) -> None:
        html = with_byline(article_html(published=None, lang="en-US"), "11/08/23 5:19pm")
        article = run(html, "https://observer.example.com/lvmh")
        assert article.published_at.date() == date(2023, 11, 8)

    @pytest.mark.parametrize(
        ("text", "month_first", "expected"),
        [
            ("11/08/2023", False, date(2023, 8, 11)),  # day first unless the page is American
            ("11/08/2023", True, date(2023, 11, 8)),
            ("12/25/2023", False, date(2023, 12, 25)),  # only month first makes sense
            ("25/12/2023", True, date(2023, 12, 25)),  # only day first makes sense
        ],
    )
    def test_slashed_dates(self, text: str, month_first: bool, expected: date) -> None:
        assert visible_days([text], NOW, month_first=month_first) == [(expected, text)]

    @pytest.mark.parametrize(
        ("texts", "expected"),
        [
            (["By Ana Ruiz", "6. November 2023, 15:25 Uhr"], date(2023, 11, 6)),
            (["Last updated 04 Jun 2020, originally created 17 Jun 2019"], date(2020, 6, 4)),
            (["19 février 2020"], date(2020, 2, 19)),
            (["4. 2. 2022."], date(2022, 2, 4)),  # German typesetting spaces the dots
            (["Share", "3 min read"], None),
            (["12.03.2031"], None),  # after now: not a publication date
        ],
    )
    def test_visible_day(self, texts: list[str], expected: date | None) -> None:
        found = visible_days(texts, NOW)
        assert (found[0][0] if found else None) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Mon, 02 Dec 2024 16:43:00 EST", datetime(2024, 12, 2, 21, 43, tzinfo=UTC)),
        ("December 2, 2024 4:43 PM IST", datetime(2024, 12, 2, 11, 13, tzinfo=UTC)),
        ("2024-12-02 16:43 XYZT", datetime(2024, 12, 2, 16, 43, tzinfo=UTC)),
        ("2024-12-02T16:43:00+05:00", datetime(2024, 12, 2, 11, 43, tzinfo=UTC)),
    ],
)
def test_zone_names_in_dates(raw: str, expected: datetime) -> None:
    assert parse_date(raw, NOW) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2006", None),  # a year alone is no publication date
        ("2021-03", None),
        ("10.12.2022, 07:00:03", datetime(2022, 12, 10, 7, 0, 3, tzinfo=UTC)),  # day first
        ("3.4.2021", datetime(2021, 4, 3, tzinfo=UTC)),
        ("1985-06-01T00:00:00Z", None),
        ("2025-01-03T00:00:00Z", None),  # in the future
    ],
)
def test_imprecise_implausible_and_dotted_dates(raw: str, expected: datetime | None) -> None:
    assert parse_date(raw, NOW) == expected


class TestDatelineRules:
    """The rules the archive-days issue added, each on a page built for it."""

    def test_of_two_dateline_dates_the_one_the_metadata_confirms_wins(self) -> None:
        html = with_byline(
            article_html(published=None, lang="de", json_ld={
                "@type": "NewsArticle", "datePublished": "2022-12-25T08:00:00+01:00",
                "dateModified": "2023-01-07T08:00:00+01:00"}),
            "Aktualisiert 07.01.2023</p><p>Erschienen 25.12.2022",
        )  # fmt: skip
        article = run(html, "https://hiv.example.de/weihnachten")
        assert article.published_at.date() == date(2022, 12, 25)
        assert article.published_precision == "second"

    def test_a_dateline_date_after_every_metadata_date_is_an_event(self) -> None:
        html = with_byline(
            article_html(published="2019-11-27T10:00:00+01:00", lang="de",
                         extra_head='<meta property="article:modified_time" content="2019-11-28T10:00:00+01:00">'),
            "Termin: 21.02.2020",
        )  # fmt: skip
        article = run(html, "https://whisky.example.de/halle")
        assert article.published_at.date() == date(2019, 11, 27)

    def test_the_modified_date_when_nothing_else_dates_the_page(self) -> None:
        html = article_html(
            published=None,
            json_ld={"@type": "Recipe"},
            extra_head='<meta itemprop="dateModified" content="2019-06-13T12:00:00Z">',
        )
        article = run(html, "https://recipes.example.com/pineapple")
        assert article.published_at.date() == date(2019, 6, 13)

    def test_a_dateline_without_a_year_takes_the_year_of_the_url(self) -> None:
        html = with_byline(article_html(published=None, lang="de"), "30.11. | Buch der Woche")
        article = run(html, "https://books.example.de/2022/12/01/buch")
        assert article.published_at.date() == date(2022, 11, 30)
        assert article.published_precision == "day"

    def test_a_four_digit_clock_before_a_zone_is_no_year(self) -> None:
        html = with_byline(
            article_html(published=None, lang="en-US"),
            "Updated 2010 GMT (0410 HKT) March 14, 2021",
        )
        article = run(html, "https://news.example.com/royal")
        assert article.published_at.date() == date(2021, 3, 14)

    def test_an_h1_only_screen_readers_see_is_not_the_headline(self) -> None:
        html = article_html("Tabaksteuer wird modernisiert", published=None, lang="de").replace(
            "<body>", '<body><h1 class="aural">Zoll</h1>'
        )
        article = run(with_byline(html, "18.10.2021"), "https://www.zoll.example.de/meldung")
        assert article.title == "Tabaksteuer wird modernisiert"
        assert article.published_at.date() == date(2021, 10, 18)


@pytest.mark.parametrize(
    ("raw", "month_first", "expected"),
    [
        ("01-11-2023", False, date(2023, 11, 1)),  # an .at page: day first
        ("10/05/2022", False, date(2022, 5, 10)),  # a Mexican page
        ("01-11-2023", True, date(2023, 1, 11)),  # a US page: month first
    ],
)
def test_numeric_dates_are_day_first_except_on_us_pages(
    raw: str, month_first: bool, expected: date
) -> None:
    parsed = parse_date(raw, NOW, month_first=month_first)
    assert parsed is not None
    assert parsed.date() == expected


def test_numeric_metadata_on_an_austrian_page_is_day_first() -> None:
    html = article_html(
        published=None, lang="de-AT", extra_head='<meta name="date" content="01-11-2023">'
    )
    article = run(html, "https://zeitung.example.at/bericht")
    assert article.published_at.date() == date(2023, 11, 1)
