"""The connections a fetch opens (no db): only to addresses the rule allows (checked on the
address connected to, so DNS rebinding cannot slip past), and every read and write bounded by
the request's one deadline, connect to last byte."""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

from newsarchive.fetch.urls import allowed_addresses

# The monotonic time by which the request in hand (in this thread) must be done, connect to last
# byte. httpx's timeouts are per operation: a server that sends one byte every few seconds would
# hold a request for ever; every read and write below gets at most the time left.
_deadline: ContextVar[float | None] = ContextVar("deadline", default=None)


@contextmanager
def within(deadline: float) -> Iterator[None]:
    token = _deadline.set(deadline)
    try:
        yield
    finally:
        _deadline.reset(token)


def _time_left(timeout: float | None, timeout_error: type[Exception]) -> float | None:
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise timeout_error("the request's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the request's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self.stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.stream.read(max_bytes, _time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.stream.write(buffer, _time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self.stream.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> Any:
        return self.stream.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    """httpcore's network backend, with the request's deadline on every operation."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        stream = super().connect_tcp(host, port, left, local_address, socket_options)
        return _DeadlineStream(stream)


class _CheckedBackend(_DeadlineBackend):
    """The deadline backend, connecting only to addresses the rule allows: the address
    checked is the address connected to."""

    def __init__(self, address_allowed: Callable[[str], bool]) -> None:
        self.address_allowed = address_allowed

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = allowed_addresses(host, port, self.address_allowed)
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve host {host!r}") from exc
        for address in addresses:  # in the resolver's order, as socket.create_connection does
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
        raise error


def transport(address_allowed: Callable[[str], bool] | None) -> httpx.HTTPTransport:
    """httpx's transport on these connections (`address_allowed` None: any address)."""
    backend = _DeadlineBackend() if address_allowed is None else _CheckedBackend(address_allowed)
    transport = httpx.HTTPTransport()
    # httpx takes no network backend of its own; its httpcore pool does (httpx 0.28).
    transport._pool._network_backend = backend  # noqa: SLF001
    return transport
