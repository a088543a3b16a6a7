import time

import pytest

from newsarchive import services
from newsarchive.config import Settings
from newsarchive.errors import Failed, Skipped
from newsarchive.fetch.http import Fetcher, parse_content_type, parse_retry_after
from tests.site import NewsSite

UA = "newsarchive-test/1.0 (+https://example.invalid)"


@pytest.fixture
def fetcher() -> Fetcher:
    with Fetcher(user_agent=UA, timeout=2, max_bytes=200_000, allow_private=True) as f:
        yield f


def test_fetches_html_with_user_agent_and_charset(site: NewsSite, fetcher: Fetcher) -> None:
    url = site.page(
        "/a", "<p>Grüße</p>".encode("cp1252"), content_type="text/html; charset=windows-1252"
    )
    result = fetcher.fetch(url)
    assert result.status == 200
    assert result.body == "<p>Grüße</p>".encode("cp1252")
    assert result.charset == "windows-1252"
    assert site.requests_to("/a")[0]["user-agent"] == UA


def test_http_errors_fail_with_the_status(site: NewsSite, fetcher: Fetcher) -> None:
    with pytest.raises(Failed, match="HTTP 404"):
        fetcher.fetch(site.url("/missing"))


def test_non_html_is_skipped_by_type(site: NewsSite, fetcher: Fetcher) -> None:
    url = site.page("/report.pdf", b"%PDF-1.4", content_type="application/pdf")
    with pytest.raises(Skipped, match="not HTML"):
        fetcher.fetch(url)


def test_endless_page_is_abandoned_while_streaming(site: NewsSite, fetcher: Fetcher) -> None:
    url = site.endless("/huge")
    started = time.monotonic()
    with pytest.raises(Skipped, match="larger than 200000 bytes"):
        fetcher.fetch(url)
    assert time.monotonic() - started < 2  # did not read the gigabyte on offer


def test_declared_oversize_is_refused_before_reading(site: NewsSite, fetcher: Fetcher) -> None:
    with pytest.raises(Skipped, match="declared"):
        fetcher.fetch(site.endless("/big", declare_length=50_000_000))


def test_slow_server_times_out(site: NewsSite) -> None:
    url = site.slow("/slow", seconds=3)
    with (
        Fetcher(user_agent=UA, timeout=0.5, allow_private=True) as f,
        pytest.raises(Failed, match="timed out"),
    ):
        f.fetch(url)


def test_dead_server_fails_clearly(fetcher: Fetcher) -> None:
    with pytest.raises(Failed, match="connection failed"):
        fetcher.fetch("http://127.0.0.1:9/nothing-listens-here")


def test_redirects_are_followed_to_the_final_url(site: NewsSite, fetcher: Fetcher) -> None:
    site.page("/final", "<p>here</p>")
    site.redirect("/hop2", "/final", status=302)
    url = site.redirect("/hop1", site.url("/hop2"))
    result = fetcher.fetch(url)
    assert result.final_url == site.url("/final")
    assert result.redirects == (site.url("/hop2"), site.url("/final"))


def test_redirect_loop_is_detected(site: NewsSite, fetcher: Fetcher) -> None:
    site.redirect("/loop-a", "/loop-b")
    site.redirect("/loop-b", "/loop-a?utm_source=loop")  # same page under a tracking parameter
    with pytest.raises(Failed, match="redirect loop"):
        fetcher.fetch(site.url("/loop-a"))


def test_a_redirect_to_a_malformed_url_fails_clearly(site: NewsSite, fetcher: Fetcher) -> None:
    with pytest.raises(Failed, match=r"redirect to a non-http URL: http://\[bad"):
        fetcher.fetch(site.redirect("/moved", "http://[bad"))


def test_redirect_chain_is_bounded(site: NewsSite) -> None:
    for i in range(10):
        site.redirect(f"/r{i}", f"/r{i + 1}")
    with (
        Fetcher(user_agent=UA, max_redirects=3, allow_private=True) as f,
        pytest.raises(Failed, match="more than 3 redirects"),
    ):
        f.fetch(site.url("/r0"))


def test_every_redirect_hop_is_checked(site: NewsSite) -> None:
    """A public page must not bounce the fetcher onto a forbidden target."""
    site.page("/internal/admin", "<p>secret</p>")
    url = site.redirect("/innocent", "/internal/admin")
    checked: list[str] = []

    def check(target: str) -> None:
        checked.append(target)
        if "/internal/" in target:
            raise Skipped("refused to fetch: private or loopback address")

    # the local site is on loopback: allow its address at connect time, test the hop check
    with (
        Fetcher(user_agent=UA, host_check=check, address_allowed=lambda address: True) as f,
        pytest.raises(Skipped),
    ):
        f.fetch(url)
    assert checked == [url, site.url("/internal/admin")]
    assert site.requests_to("/internal/admin") == []


def test_loopback_is_refused_by_default(site: NewsSite) -> None:
    url = site.page("/a", "<p>x</p>")
    with Fetcher(user_agent=UA) as f, pytest.raises(Skipped, match="private or loopback"):
        f.fetch(url)
    assert site.requests_to("/a") == []


def test_an_address_that_changes_after_the_check_is_refused_at_connect(site: NewsSite) -> None:
    # DNS rebinding: the name looked public when checked, the connection would go to loopback
    url = site.page("/rebound", "<p>x</p>")
    with (
        Fetcher(user_agent=UA, host_check=lambda url: None) as f,
        pytest.raises(Skipped, match=r"refused to fetch 127\.0\.0\.1 \(127\.0\.0\.1\)"),
    ):
        f.fetch(url)
    assert site.requests_to("/rebound") == []


def test_conditional_get(site: NewsSite, fetcher: Fetcher) -> None:
    def handler(req) -> None:  # type: ignore[no-untyped-def]
        if req.headers.get("If-None-Match") == '"v1"':
            req.send_response(304)
            req.end_headers()
            return
        req.send_response(200)
        req.send_header("ETag", '"v1"')
        req.send_header("Content-Type", "text/html")
        req.send_header("Content-Length", "8")
        req.end_headers()
        req.wfile.write(b"<p>v1</p>"[:8])

    site.routes["/feed"] = handler
    first = fetcher.fetch(site.url("/feed"))
    assert first.etag == '"v1"'
    assert not first.not_modified
    again = fetcher.fetch(site.url("/feed"), etag=first.etag)
    assert again.not_modified
    assert again.body == b""


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("text/html; charset=ISO-8859-1", ("text/html", "iso-8859-1")),
        ('text/html;charset="utf-8"', ("text/html", "utf-8")),
        ("application/xhtml+xml", ("application/xhtml+xml", None)),
        (None, (None, None)),
    ],
)
def test_parse_content_type(header: str | None, expected: tuple[str | None, str | None]) -> None:
    assert parse_content_type(header) == expected


class TestRetries:
    def _flaky(self, site: NewsSite, path: str, failures: list[tuple[int, dict[str, str]]]) -> str:
        """Answers with each of ``failures`` in turn, then 200."""
        remaining = list(failures)

        def handler(req) -> None:  # type: ignore[no-untyped-def]
            if remaining:
                status, headers = remaining.pop(0)
                req.send_response(status)
                for name, value in headers.items():
                    req.send_header(name, value)
                req.send_header("Content-Length", "0")
                req.end_headers()
                return
            req.send_response(200)
            req.send_header("Content-Type", "text/html")
            req.send_header("Content-Length", "9")
            req.end_headers()
            req.wfile.write(b"<p>ok</p>")

        site.routes[path] = handler
        return site.url(path)

    def test_503_then_200_is_retried_with_backoff(self, site: NewsSite) -> None:
        url = self._flaky(site, "/flaky", [(503, {}), (503, {})])
        waits: list[float] = []
        with Fetcher(user_agent=UA, allow_private=True, retries=2, backoff=0.25) as f:
            f.sleep = waits.append
            assert f.fetch(url).status == 200
        assert waits == [0.25, 0.5]
        assert len(site.requests_to("/flaky")) == 3

    def test_retry_after_is_honoured(self, site: NewsSite) -> None:
        url = self._flaky(site, "/busy", [(429, {"Retry-After": "3"})])
        waits: list[float] = []
        with Fetcher(user_agent=UA, allow_private=True, retries=1) as f:
            f.sleep = waits.append
            f.fetch(url)
        assert waits == [3.0]

    def test_long_retry_after_is_left_to_the_caller(self, site: NewsSite) -> None:
        url = self._flaky(site, "/later", [(503, {"Retry-After": "3600"})])
        with (
            Fetcher(user_agent=UA, allow_private=True, retries=3) as f,
            pytest.raises(Failed) as err,
        ):
            f.fetch(url)
        assert err.value.retryable
        assert err.value.retry_after == 3600.0
        assert len(site.requests_to("/later")) == 1

    def test_tries_are_bounded(self, site: NewsSite) -> None:
        url = self._flaky(site, "/down", [(500, {})] * 10)
        with Fetcher(user_agent=UA, allow_private=True, retries=2) as f:
            f.sleep = lambda _s: None
            with pytest.raises(Failed, match="HTTP 500"):
                f.fetch(url)
        assert len(site.requests_to("/down")) == 3

    def test_404_is_not_retried(self, site: NewsSite) -> None:
        with Fetcher(user_agent=UA, allow_private=True, retries=3) as f, pytest.raises(Failed):
            f.fetch(site.url("/gone"))
        assert len(site.requests_to("/gone")) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", 120.0), (None, None), ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_a_page_that_dribbles_its_headers_ends_at_the_deadline(site: NewsSite) -> None:
    """One byte every 0.2 s keeps every read within its timeout; the request's one deadline
    still ends it."""
    url = site.dribbling("/drip", every=0.2)
    started = time.monotonic()
    with (
        Fetcher(user_agent="t", timeout=1.0, allow_private=True) as fetcher,
        pytest.raises(Failed, match="timed out after 1 s"),
    ):
        fetcher.fetch(url)
    assert time.monotonic() - started < 4


def test_the_contact_setting_goes_in_the_user_agent(site: NewsSite) -> None:
    url = site.page("/who", "<html><body><p>hello</p></body></html>")
    settings = Settings(allow_private_hosts=True, contact="mailto:ops@example.org")
    with services.fetcher(settings) as fetcher:
        fetcher.fetch(url)
    [request] = site.requests_to("/who")
    assert request["user-agent"].endswith("; mailto:ops@example.org)")
    assert request["user-agent"].startswith("newsarchive/")
