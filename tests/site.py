"""A real HTTP news site on 127.0.0.1 for fetch, ingest and crawl tests.

Tests register routes: fixed responses, or handlers for hazards (slow, endless, redirect loops).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Response:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(
        default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"}
    )


Handler = Callable[[BaseHTTPRequestHandler], None]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up early (timeouts, size caps) are part of the tests."""


class NewsSite:
    def __init__(self, port: int = 0) -> None:
        self.routes: dict[str, Response | Handler] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.times: list[tuple[float, str]] = []  # (time.monotonic(), path) of every request
        self._server = _QuietServer(("127.0.0.1", port), self._handler_class())
        # Browsers ask every site for one; a 404 would show as a console error in admin tests.
        self.routes["/favicon.ico"] = Response(b"", headers={"Content-Type": "image/x-icon"})
        # a short poll: shutdown() waits for it, once per test that serves the site
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def page(
        self, path: str, html: str | bytes, *, content_type: str = "text/html; charset=utf-8"
    ) -> str:
        body = html.encode("utf-8") if isinstance(html, str) else html
        self.routes[path] = Response(body=body, headers={"Content-Type": content_type})
        return self.url(path)

    def feed(self, path: str, links: list[str]) -> str:
        """A minimal RSS 2.0 feed listing ``links``."""
        items = "".join(f"<item><link>{link}</link></item>" for link in links)
        body = f'<rss version="2.0"><channel>{items}</channel></rss>'
        return self.page(path, body, content_type="application/rss+xml")

    def gone(self, path: str, status: int = 404) -> str:
        """The page at `path` now answers `status` (a takedown)."""
        self.routes[path] = Response(status=status, body=b"gone")
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 301) -> str:
        self.routes[path] = Response(status=status, headers={"Location": location})
        return self.url(path)

    def slow(
        self, path: str, seconds: float, html: str = "<html><body><p>late</p></body></html>"
    ) -> str:
        def handler(req: BaseHTTPRequestHandler) -> None:
            time.sleep(seconds)
            body = html.encode()
            req.send_response(200)
            req.send_header("Content-Type", "text/html; charset=utf-8")
            req.send_header("Content-Length", str(len(body)))
            req.end_headers()
            try:
                req.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                return

        self.routes[path] = handler
        return self.url(path)

    def dribbling(self, path: str, every: float) -> str:
        """Answers its status line one byte every `every` seconds, for as long as the client
        stays (each byte well within any read timeout)."""

        def handler(req: BaseHTTPRequestHandler) -> None:
            _dribble(req, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n", every)

        self.routes[path] = handler
        return self.url(path)

    def endless(self, path: str, *, declare_length: int | None = None) -> str:
        """Streams 1 MB chunks until the client hangs up."""

        def handler(req: BaseHTTPRequestHandler) -> None:
            req.send_response(200)
            req.send_header("Content-Type", "text/html")
            if declare_length is not None:
                req.send_header("Content-Length", str(declare_length))
            req.end_headers()
            chunk = b"<p>" + b"x" * (1 << 20) + b"</p>"
            try:
                for _ in range(1000):
                    req.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                return

        self.routes[path] = handler
        return self.url(path)

    def listing(self, path: str, body: bytes, content_type: str, etag: str = '"v1"') -> str:
        """A feed or sitemap that answers 304 to a matching If-None-Match."""

        def handler(req: BaseHTTPRequestHandler) -> None:
            if req.headers.get("If-None-Match") == etag:
                req.send_response(304)
                req.send_header("ETag", etag)
                req.end_headers()
                return
            req.send_response(200)
            req.send_header("Content-Type", content_type)
            req.send_header("ETag", etag)
            req.send_header("Last-Modified", "Mon, 02 Dec 2024 10:00:00 GMT")
            req.send_header("Content-Length", str(len(body)))
            req.end_headers()
            req.wfile.write(body)

        self.routes[path] = handler
        return self.url(path)

    def flaky(self, path: str, html: str, failures: int = 1, status: int = 503) -> str:
        """Fails ``failures`` times with ``status``, then serves the page."""
        remaining = [failures]

        def handler(req: BaseHTTPRequestHandler) -> None:
            if remaining[0] > 0:
                remaining[0] -= 1
                req.send_response(status)
                req.send_header("Content-Length", "0")
                req.end_headers()
                return
            body = html.encode()
            req.send_response(200)
            req.send_header("Content-Type", "text/html; charset=utf-8")
            req.send_header("Content-Length", str(len(body)))
            req.end_headers()
            req.wfile.write(body)

        self.routes[path] = handler
        return self.url(path)

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                site.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                site.times.append((time.monotonic(), self.path))
                route = site.routes.get(self.path) or site.routes.get(self.path.split("?")[0])
                if route is None:
                    route = Response(b"<html><body>not found</body></html>", status=404)
                if callable(route):
                    self.close_connection = True
                    route(self)
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def end_headers(self) -> None:
                if self.close_connection:  # say so, or the client may reuse a closed connection
                    self.send_header("Connection", "close")
                super().end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def __enter__(self) -> NewsSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _dribble(req: BaseHTTPRequestHandler, text: str, every: float) -> None:
    req.close_connection = True
    for char in text * 100:
        try:
            req.wfile.write(char.encode())
            req.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return
        time.sleep(every)


def free_port() -> int:
    """A loopback port nobody listens on now (for servers a test starts itself)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Receiver:
    """A webhook receiver on 127.0.0.1: records every POST (path, headers, body) and answers
    `status`."""

    def __init__(self, status: int = 204, dribble: float | None = None) -> None:
        """`dribble`: send the status line one byte every this many seconds (a receiver that
        is slow on purpose: httpx's timeouts are per read)."""
        self.status = status
        self.dribble = dribble
        self.posts: list[tuple[str, dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                receiver.posts.append(
                    (
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        self.rfile.read(length),
                    )
                )
                if receiver.dribble is not None:
                    _dribble(self, f"HTTP/1.1 {receiver.status} OK\r\n", receiver.dribble)
                    return
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
