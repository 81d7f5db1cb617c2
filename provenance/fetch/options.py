"""The fetcher's options, its result, and its counters."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from provenance import __version__
from provenance.fetch.guard import IPNetwork
from provenance.raw_record import CaptureRef

if TYPE_CHECKING:
    from provenance.settings import Settings

__all__ = ["PURPOSES", "FetchOptions", "FetchResult", "FetchStats", "parse_networks"]

#: What a fetch is for; each accepts its own content types.
PURPOSES = frozenset({"page", "feed", "sitemap", "robots"})
_MIB = 1024 * 1024


def parse_networks(value: str) -> tuple[IPNetwork, ...]:
    """Parse comma-separated CIDRs (``"127.0.0.0/8, ::1/128"``); empty parts are skipped.

    Raises:
        ValueError: A part is not a network.
    """
    parts = (part.strip() for part in value.split(","))
    return tuple(ipaddress.ip_network(part, strict=False) for part in parts if part)


def default_user_agent(contact_url: str) -> str:
    """The User-Agent: product token, version, and where to reach the operator."""
    contact = f"+{contact_url}" if contact_url else "contact URL not configured"
    return f"provenance/{__version__} (news provenance crawler; {contact})"


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """How the fetcher behaves; build it with :meth:`from_settings` outside tests.

    Attributes:
        user_agent: Sent with every request; its first product token is the name
            matched against robots.txt groups.
        contact_url: Where an outlet's operator can reach whoever runs the crawler.
        host_delay: Least seconds between the end of one request to a host and the
            start of the next (robots.txt Crawl-delay may raise it).
        allow_networks: Non-public networks that may be connected to all the same.
        deadline: Wall-clock seconds one exchange may take, from the DNS lookup to
            the last body byte; a server that drips bytes is cut off here. Each
            redirect hop and each retry is one exchange.
        connect_timeout: Seconds to wait for a TCP (and TLS) connection.
        read_timeout: Seconds to wait for each read (and write).
        max_body_bytes: Largest body as sent (before decompression).
        max_decoded_bytes: Largest body after its Content-Encoding is undone.
        max_redirects: Redirects followed before giving up.
        max_retries: Retries of a 408, 429, 5xx answer or a failed connection.
        retry_backoff: Seconds before the first retry; doubled for each further one
            (a Retry-After header takes precedence).
        crawl_delay_cap: Longest Crawl-delay honoured, and longest Retry-After waited
            for (a longer one fails the fetch rather than stall the crawl).
        robots_ttl: Seconds a fetched robots.txt is trusted (RFC 9309: at most a day).
        robots_error_ttl: Seconds an unreachable robots.txt (5xx, no connection)
            blocks its host before it is tried again.
        robots_max_bytes: Bytes of robots.txt read; RFC 9309 asks for at least 500 KiB.
        http2: Offer HTTP/2 over TLS (by ALPN) besides HTTP/1.1.
    """

    user_agent: str = field(default_factory=lambda: default_user_agent(""))
    contact_url: str = ""
    host_delay: float = 3.0
    allow_networks: tuple[IPNetwork, ...] = ()
    deadline: float = 30.0
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    max_body_bytes: int = 10 * _MIB
    max_decoded_bytes: int = 20 * _MIB
    max_redirects: int = 5
    max_retries: int = 3
    retry_backoff: float = 1.0
    crawl_delay_cap: float = 60.0
    robots_ttl: float = 86400.0
    robots_error_ttl: float = 600.0
    robots_max_bytes: int = 512 * 1024
    http2: bool = True

    def __post_init__(self) -> None:
        positive = (
            "deadline",
            "connect_timeout",
            "read_timeout",
            "max_body_bytes",
            "max_decoded_bytes",
            "robots_ttl",
            "robots_max_bytes",
        )
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        not_negative = (
            "host_delay",
            "max_redirects",
            "max_retries",
            "retry_backoff",
            "crawl_delay_cap",
            "robots_error_ttl",
        )
        for name in not_negative:
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        if not self.user_agent.strip():
            raise ValueError("user_agent must not be empty")

    @property
    def robots_token(self) -> str:
        """The product token robots.txt groups are matched against (``provenance``)."""
        return self.user_agent.split("/", 1)[0].split()[0]

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchOptions:
        """Build the options from the service settings (``PROVENANCE_*``)."""
        return cls(
            user_agent=settings.user_agent or default_user_agent(settings.contact_url),
            contact_url=settings.contact_url,
            host_delay=settings.host_delay,
            allow_networks=parse_networks(settings.allow_networks),
            deadline=settings.fetch_deadline,
            connect_timeout=settings.fetch_connect_timeout,
            read_timeout=settings.fetch_read_timeout,
            max_body_bytes=settings.max_body_bytes,
            max_decoded_bytes=settings.fetch_max_decoded_bytes,
            max_redirects=settings.fetch_max_redirects,
            max_retries=settings.fetch_max_retries,
            crawl_delay_cap=settings.crawl_delay_cap,
            robots_ttl=settings.robots_ttl,
            http2=settings.http2,
        )


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A successful fetch (2xx, or 304 for a conditional GET).

    Attributes:
        requested_url: The URL asked for.
        url: The URL that answered, after redirects.
        status: The final HTTP status.
        headers: The final response's headers, keys lower-case (repeated ones joined by ", ").
        body: The body with its Content-Encoding undone (empty for a 304).
        text: The body decoded to text, for HTML, XML, feeds and plain text; else None.
        content_type: The media type, lower-case, without parameters: as declared,
            or sniffed from the body when the declaration is missing or malformed.
        charset: The codec ``text`` was decoded with.
        ip: The address the final response came from.
        fetched_at: When the final response arrived, in UTC.
        not_modified: The server answered 304 to a conditional GET.
        etag: The response's ETag, to send as ``etag`` next time.
        last_modified: The response's Last-Modified, to send as ``last_modified`` next time.
        redirects: The URLs that answered with a redirect, in order.
        capture: Where the final response is archived, when there is an archive.
        http_version: ``HTTP/1.1`` or ``HTTP/2``.
        crawl_delay: Seconds this host asks between requests (robots.txt Crawl-delay,
            capped), when it asks.
    """

    requested_url: str
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    text: str | None
    content_type: str | None
    charset: str | None
    ip: str
    fetched_at: datetime
    not_modified: bool
    etag: str | None
    last_modified: str | None
    redirects: tuple[str, ...]
    capture: CaptureRef | None
    http_version: str = "HTTP/1.1"
    crawl_delay: float | None = None


@dataclass(slots=True)
class FetchStats:
    """Counters of one fetcher's work.

    Attributes:
        requests: HTTP requests sent (each hop and retry counts).
        responses: Responses received (any status).
        bytes_raw: Body bytes received, as sent.
        bytes_decoded: Body bytes after decompression.
        archived: Responses written to the archive.
        retries: Requests repeated after a 408, 429, 5xx or a failed connection.
        redirects: Redirects followed.
        not_modified: 304 answers to conditional GETs.
        refused_addresses: Fetches refused by the SSRF guard (no connection made).
        refused_urls: Fetches refused for their URL (scheme, credentials, syntax).
        robots_fetched: robots.txt files fetched (or found unreachable).
        robots_blocked: Fetches refused by robots.txt.
        timeouts: Exchanges cut off at the deadline.
        errors: Failed fetches, by error class name.
    """

    requests: int = 0
    responses: int = 0
    bytes_raw: int = 0
    bytes_decoded: int = 0
    archived: int = 0
    retries: int = 0
    redirects: int = 0
    not_modified: int = 0
    refused_addresses: int = 0
    refused_urls: int = 0
    robots_fetched: int = 0
    robots_blocked: int = 0
    timeouts: int = 0
    errors: dict[str, int] = field(default_factory=dict)
