"""Fetch one URL over HTTP with the limits a crawler of other people's sites needs (no db).

Redirects are followed by hand so that every hop is re-checked against the private-address
rule, loops are caught, and the hop count is bounded. The rule is applied again to the address
each connection is actually opened to, so a name that resolves to a public address when checked
and to a private one a moment later (DNS rebinding) is still refused. The body is read as a stream and abandoned
as soon as it passes the size cap; the whole request has one deadline, connect to last byte.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime

import httpx

from newsarchive.errors import Failed, Skipped, brief
from newsarchive.fetch import connections
from newsarchive.fetch.connections import within
from newsarchive.fetch.urls import (
    absolute,
    check_public_host,
    is_public_address,
    normalize,
)

HTML_TYPES = ("text/html", "application/xhtml+xml")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int
    body: bytes
    content_type: str | None = None
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    redirects: tuple[str, ...] = field(default=())

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def parse_content_type(header: str | None) -> tuple[str | None, str | None]:
    """'text/html; charset=ISO-8859-1' -> ('text/html', 'iso-8859-1')."""
    if not header:
        return None, None
    msg = Message()
    msg["content-type"] = header
    charset = msg.get_param("charset")
    return msg.get_content_type(), (str(charset).strip().lower() if charset else None)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds from now: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _is_redirect(response: httpx.Response) -> bool:
    return response.status_code in REDIRECT_STATUSES and "location" in response.headers


class Fetcher:
    """One polite HTTP client. Use as a context manager; share it across a run."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout: float = 20.0,
        max_bytes: int = 10_000_000,
        max_redirects: int = 5,
        allow_private: bool = False,
        host_check: Callable[[str], None] = check_public_host,
        address_allowed: Callable[[str], bool] = is_public_address,
        retries: int = 0,
        backoff: float = 0.5,
        max_retry_wait: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """``host_check`` raises for a URL that must not be fetched; it runs before every hop
        unless ``allow_private`` is set, and ``address_allowed`` sees the address each connection
        opens to. Timeouts, 429 and 5xx are tried again ``retries``
        times, waiting ``backoff`` * 2^n seconds or what Retry-After asks, if that is at most
        ``max_retry_wait``; a longer wait is left to the caller (the crawl frontier)."""
        self.retries = retries
        self.backoff = backoff
        self.max_retry_wait = max_retry_wait
        self.sleep: Callable[[float], None] = time.sleep
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.host_check = None if allow_private else host_check
        if transport is None:
            transport = connections.transport(None if allow_private else address_allowed)
        self._client = httpx.Client(
            headers={
                "User-Agent": user_agent,
                "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
            },
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,  # a proxy from the environment would bypass the address check
            transport=transport,
        )

    def __enter__(self) -> Fetcher:
        return self

    def post_json(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """POST a JSON body (a webhook) under the same address rules as every fetch, no
        redirect followed; the HTTP status, or Failed when no answer came."""
        if self.host_check is not None:
            self.host_check(url)
        try:
            with (
                within(time.monotonic() + self.timeout),
                self._client.stream(  # the status is all we read: a body cannot stall us
                    "POST",
                    url,
                    content=body,
                    headers={"Content-Type": "application/json", **headers},
                ) as response,
            ):
                return response.status_code
        except httpx.TimeoutException as exc:
            raise Failed(f"timed out after {self.timeout:g} s") from exc
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
            raise Failed(brief(f"connection failed: {type(exc).__name__}: {exc}")) from exc

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(
        self,
        url: str,
        *,
        html_only: bool = True,
        etag: str | None = None,
        last_modified: str | None = None,
        check_hop: Callable[[str], None] | None = None,
        before_request: Callable[[str], None] | None = None,
        after_response: Callable[[str], None] | None = None,
    ) -> FetchResult:
        """``check_hop`` sees each redirect target before it is requested and raises to refuse
        it (the crawler's robots.txt rules, which the first URL passed but the target may not).
        ``before_request`` is called with the URL before every request this fetch sends, each
        redirect hop and each retry included: the crawler waits there for the host's slot;
        ``after_response`` after each one has been answered (or has failed)."""
        for attempt in range(self.retries + 1):
            try:
                return self._fetch_once(
                    url, html_only, etag, last_modified, check_hop, before_request, after_response
                )
            except Failed as exc:
                if not exc.retryable or attempt == self.retries:
                    raise
                wait = exc.retry_after if exc.retry_after is not None else self.backoff * 2**attempt
                if wait > self.max_retry_wait:
                    raise
                self.sleep(wait)
        raise AssertionError("unreachable")

    def _fetch_once(
        self,
        url: str,
        html_only: bool,
        etag: str | None,
        last_modified: str | None,
        check_hop: Callable[[str], None] | None,
        before_request: Callable[[str], None] | None,
        after_response: Callable[[str], None] | None,
    ) -> FetchResult:
        deadline = time.monotonic() + self.timeout
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = {normalize(url)}
        hops: list[str] = []
        current = url
        while True:
            if self.host_check is not None:
                self.host_check(current)
            if before_request is not None:
                waited = time.monotonic()
                before_request(current)
                deadline += time.monotonic() - waited  # waiting for a slot is not fetching
            try:
                response = self._get(current, headers, deadline, html_only)
            finally:
                if after_response is not None:
                    after_response(current)
            if not _is_redirect(response.response):
                return self._result(url, current, response, tuple(hops))
            location = response.response.headers.get("location", "")
            # (an empty Location is the page itself, as urljoin reads it: a loop, said below)
            target = absolute(current, location or current)
            if target is None:  # also "http://[bad"
                raise Failed(f"redirect to a non-http URL: {location[:200]}")
            if normalize(target) in seen:
                raise Failed(f"redirect loop at {target}")
            if len(hops) >= self.max_redirects:
                raise Failed(f"more than {self.max_redirects} redirects")
            if check_hop is not None:
                check_hop(target)
            seen.add(normalize(target))
            hops.append(target)
            current = target

    def _get(
        self, url: str, headers: dict[str, str], deadline: float, html_only: bool
    ) -> _Response:
        try:
            with within(deadline), self._client.stream("GET", url, headers=headers) as response:
                if _is_redirect(response) or response.status_code == 304:
                    return _Response(response, b"")
                if response.status_code == 429 or response.status_code >= 500:
                    raise Failed(
                        f"HTTP {response.status_code}",
                        retryable=True,
                        retry_after=parse_retry_after(response.headers.get("retry-after")),
                        status=response.status_code,
                    )
                if response.status_code >= 300:
                    raise Failed(f"HTTP {response.status_code}", status=response.status_code)
                content_type, _ = parse_content_type(response.headers.get("content-type"))
                if html_only and content_type and content_type not in HTML_TYPES:
                    raise Skipped(f"not HTML ({content_type})")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise Skipped(f"larger than {self.max_bytes} bytes ({declared} declared)")
                return _Response(response, self._read_capped(response, deadline))
        except httpx.TimeoutException as exc:
            raise Failed(f"timed out after {self.timeout:g} s", retryable=True) from exc
        except httpx.HTTPError as exc:
            reason = brief(f"connection failed: {type(exc).__name__}: {exc}")
            raise Failed(reason, retryable=True) from exc

    def _read_capped(self, response: httpx.Response, deadline: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise Skipped(f"larger than {self.max_bytes} bytes")
            if time.monotonic() > deadline:
                raise Failed(f"timed out after {self.timeout:g} s", retryable=True)
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _result(url: str, final_url: str, r: _Response, hops: tuple[str, ...]) -> FetchResult:
        content_type, charset = parse_content_type(r.response.headers.get("content-type"))
        return FetchResult(
            url=url,
            final_url=final_url,
            status=r.response.status_code,
            body=r.body,
            content_type=content_type,
            charset=charset,
            etag=r.response.headers.get("etag"),
            last_modified=r.response.headers.get("last-modified"),
            redirects=hops,
        )


@dataclass(frozen=True)
class _Response:
    response: httpx.Response
    body: bytes
