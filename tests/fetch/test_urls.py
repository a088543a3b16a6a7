import socket

import pytest

from newsarchive.errors import Failed, Skipped
from newsarchive.fetch.http import Fetcher
from newsarchive.fetch.urls import (
    check_public_host,
    date_in_path,
    host_of,
    is_http_url,
    is_public_address,
    normalize,
)


class TestNormalize:
    def test_tracking_parameters_fragment_and_case_are_dropped(self) -> None:
        assert (
            normalize("HTTPS://News.Example.com:443/a/story?utm_source=x&id=7&fbclid=abc#comments")
            == "https://news.example.com/a/story?id=7"
        )

    def test_two_forms_of_one_url_agree(self) -> None:
        assert normalize("https://example.com/story?b=2&a=1") == normalize(
            "https://example.com/story?a=1&b=2&utm_campaign=spring"
        )

    def test_meaningful_parameters_are_kept(self) -> None:
        assert normalize("https://example.com/view?article=12") != normalize(
            "https://example.com/view?article=13"
        )

    @pytest.mark.parametrize("url", ["ftp://example.com/x", "javascript:alert(1)", "/relative", ""])
    def test_non_http_urls_are_refused(self, url: str) -> None:
        with pytest.raises(Skipped):
            normalize(url)

    def test_overlong_url_is_refused(self) -> None:
        with pytest.raises(Skipped, match="longer than"):
            normalize("https://example.com/" + "a" * 3000)


def test_host_of_drops_www() -> None:
    assert host_of("https://www.Example.org/x") == "example.org"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example/news/2024/12/02/story", (2024, 12, 2)),
        ("https://x.example/2019-07-14/story.html", (2019, 7, 14)),
        ("https://x.example/news/story-2024", None),
        ("https://x.example/2024/13/40/story", None),
    ],
)
def test_date_in_path(url: str, expected: tuple[int, int, int] | None) -> None:
    assert date_in_path(url) == expected


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        ("0.0.0.0", False),
        ("100.64.0.1", False),
        # IPv6 forms that embed an IPv4 address: as public as the address they carry
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
        ("64:ff9b:1::a9fe:a9fe", False),  # local-use NAT64 of 169.254.169.254
        ("::a9fe:a9fe", False),  # IPv4-compatible 169.254.169.254
        ("::7f00:1", False),  # IPv4-compatible 127.0.0.1
        ("2002:a9fe:a9fe::1", False),  # 6to4 of 169.254.169.254
        ("2002:808:808::1", True),  # 6to4 of 8.8.8.8
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo
        ("fe80::1%eth0", False),  # a scoped link-local address
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(address) is public


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8000/x",
        "http://[::1]/",
        "http://10.0.0.5/",
        "http://[64:ff9b::a00:1]/",
        "http://[::a9fe:a9fe]/",
        "http://[2002:a9fe:a9fe::1]/",
    ],
)
def test_private_targets_are_refused_after_dns(url: str) -> None:
    with pytest.raises(Skipped, match="private or loopback"):
        check_public_host(url)


@pytest.mark.parametrize(
    "url", ["http://[64:ff9b::a00:1]/", "http://[::a9fe:a9fe]/", "http://[2002:a9fe:a9fe::1]/x"]
)
def test_embedded_ipv4_is_refused_before_any_connection(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fetcher refuses before opening a socket: no connection leaves the machine."""
    opened: list[object] = []

    def no_connect(self: socket.socket, address: object) -> None:
        opened.append(address)
        raise AssertionError(f"a connection was attempted to {address}")

    monkeypatch.setattr(socket.socket, "connect", no_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", no_connect)
    with Fetcher(user_agent="test", timeout=2) as fetcher, pytest.raises(Skipped):
        fetcher.fetch(url)
    assert opened == []


def test_unresolvable_host_fails_clearly() -> None:
    with pytest.raises(Failed, match="cannot resolve"):
        check_public_host("http://no-such-host.invalid/")


def test_a_port_out_of_range_is_no_http_url() -> None:
    assert not is_http_url("https://h.example:99999/")
    assert is_http_url("https://h.example:8443/")
