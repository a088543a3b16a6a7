"""URL normalisation and the rule that keeps the fetcher off private networks (pure)."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit, urlunsplit

from courlan import normalize_url
from courlan.clean import clean_query

from newsarchive.errors import Failed, Skipped

MAX_URL_LENGTH = 2000
_DATE_IN_PATH = re.compile(
    r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_.]|$)"
)
_HOME_PATHS = {"", "/index.html", "/index.htm", "/index.php", "/home", "/start"}  # no end "/"


def is_http_url(url: str) -> bool:
    """An http(s) URL with a host and, if it names one, a port that exists."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def normalize(url: str) -> str:
    """The form two URLs of one article share: lowercased host, no default port, no fragment,
    tracking parameters (utm_*, fbclid, gclid, ...) dropped, remaining parameters sorted."""
    if not is_http_url(url):
        raise Skipped(f"not an http(s) URL: {url[:200]}")
    if len(url) > MAX_URL_LENGTH:
        raise Skipped(f"URL longer than {MAX_URL_LENGTH} characters")
    normalized = normalize_url(url.strip(), strict=False)
    parts = urlsplit(normalized)
    path = parts.path or "/"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def without_tracking(url: str) -> str:
    """The URL as given, less its fragment and tracking parameters (utm_*, fbclid, ...): what
    is stored and fetched, so no archive row keeps `?utm_source=rss`."""
    parts = urlsplit(url.strip())
    query = clean_query(parts.query, strict=False) if parts.query else ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def absolute(base: str | None, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    try:
        joined = urljoin(base, href) if base else href
    except ValueError:  # a page's own markup: "http://[bad" is no URL
        return None
    return joined if is_http_url(joined) else None


def is_home_page(url: str) -> bool:
    """The site's front page: its root (or /index.html, /home, ...) with no query that names
    something else. `/?p=2895` is a WordPress post and `/index.php?id=12` an article; tracking
    parameters name nothing."""
    parts = urlsplit(url)
    if parts.path.rstrip("/") not in _HOME_PATHS:
        return False
    return not (parts.query and clean_query(parts.query, strict=False))


def host_of(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def date_in_path(url: str) -> tuple[int, int, int] | None:
    """A /2024/12/02/ style date in the URL path, as (year, month, day)."""
    match = _DATE_IN_PATH.search(urlsplit(url).path)
    if not match:
        return None
    return int(match[1]), int(match[2]), int(match[3])


# IPv6 forms that carry an IPv4 address a gateway may forward to: NAT64 (the well-known and the
# local-use prefix) and IPv4-compatible addresses; 6to4 and Teredo are read by ipaddress.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def is_public_address(address: str) -> bool:
    """A global unicast address; an IPv6 address that embeds an IPv4 one is public only if
    that IPv4 address is (and Teredo never: it tunnels to a server and a client at once)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.teredo is not None:
            return False
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return is_public_address(str(embedded))
    return ip.is_global and not ip.is_multicast


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in net for net in (*_NAT64, _IPV4_COMPATIBLE)):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


# The setting that lifts the rule, named in every refusal (its value is read by the entry points).
ALLOW_SETTING = "NEWSARCHIVE_ALLOW_PRIVATE_HOSTS"


def check_public_host(url: str) -> None:
    """Refuse loopback, private, link-local and other non-global targets, after DNS."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        allowed_addresses(host, port, is_public_address)
    except (socket.gaierror, UnicodeError) as exc:
        raise Failed(f"cannot resolve host {host!r}") from exc


def allowed_addresses(host: str, port: int, allowed: Callable[[str], bool]) -> list[str]:
    """The addresses `host` resolves to, in the resolver's order; Skipped when `allowed` refuses
    any of them: a name with one public and one private address is refused, since the
    connection could use either. Resolver errors (socket.gaierror) are the caller's to word."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        if not allowed(address):
            raise Skipped(
                f"refused to fetch {host} ({address}): private or loopback address "
                f"({ALLOW_SETTING}=true allows it)"
            )
    return addresses
