import pytest

from newsarchive.errors import Failed, Skipped
from newsarchive.ingest.urls import (
    check_public_host,
    date_in_path,
    host_of,
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
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(address) is public


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/", "http://localhost:8000/x", "http://[::1]/", "http://10.0.0.5/"]
)
def test_private_targets_are_refused_after_dns(url: str) -> None:
    with pytest.raises(Skipped, match="private or loopback"):
        check_public_host(url)


def test_unresolvable_host_fails_clearly() -> None:
    with pytest.raises(Failed, match="cannot resolve"):
        check_public_host("http://no-such-host.invalid/")
