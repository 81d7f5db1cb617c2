"""The SSRF guard: no spelling of a non-public address is ever dialled.

Every vector is tried directly and through a redirect from an allowed loopback
server, with the connection attempts counted at the dialer: a refused address is
never dialled at all, not merely answered with an error.
"""

from __future__ import annotations

import socket

import pytest

from provenance.errors import AddressRefusedError, RedirectError, URLRefusedError
from provenance.fetch import AddressPolicy, PinnedDialer
from provenance.fetch.client import pinned
from provenance.fetch.guard import parse_ip_literal
from tests.fetch.support import MapResolver, RebindingResolver, fetcher, only
from tests.fetch.web import Web, respond

pytestmark = pytest.mark.anyio

A = AddressRefusedError
U = URLRefusedError

#: (URL, the refusal expected). Names resolve through NAMES below.
VECTORS: list[tuple[str, type[Exception]]] = [
    # IPv4 loopback in every spelling inet_aton accepts
    ("http://127.0.0.1/", A),
    ("http://127.1/", A),
    ("http://127.0.1/", A),
    ("http://2130706433/", A),
    ("http://017700000001/", A),
    ("http://0177.0.0.1/", U),  # httpx itself rejects leading-zero dotted quads
    ("http://0x7f.0.0.1/", A),
    ("http://0X7F.0.0.1/", A),
    ("http://0x7f000001/", A),
    ("http://0x7f.1/", A),
    ("http://127.0.0.1./", A),
    ("http://127.127.127.127/", A),
    # IPv6 loopback and IPv4 embedded in IPv6
    ("http://[::1]/", A),
    ("http://[0:0:0:0:0:0:0:1]/", A),
    ("http://[::ffff:7f00:1]/", A),
    ("http://[::ffff:127.0.0.1]/", A),
    ("http://[0:0:0:0:0:ffff:127.0.0.1]/", A),
    ("http://[::127.0.0.1]/", A),  # IPv4-compatible
    ("http://[2002:7f00:0001::]/", A),  # 6to4
    ("http://[2002:a00:1::]/", A),  # 6to4 of 10.0.0.1
    ("http://[64:ff9b::7f00:1]/", A),  # NAT64
    ("http://[64:ff9b::a9fe:a9fe]/", A),  # NAT64 of 169.254.169.254
    ("http://[::ffff:a9fe:a9fe]/", A),
    # unspecified, link-local, CGNAT, RFC 1918, ULA, multicast, reserved
    ("http://0.0.0.0/", A),
    ("http://0/", A),
    ("http://[::]/", A),
    ("http://169.254.169.254/latest/meta-data/", A),
    ("http://[fe80::1]/", A),
    ("http://[fe80::1%25eth0]/", U),
    ("http://100.64.0.1/", A),
    ("http://100.127.255.254/", A),
    ("http://10.0.0.1/", A),
    ("http://10.255.255.255/", A),
    ("http://172.16.0.1/", A),
    ("http://172.31.255.254/", A),
    ("http://192.168.0.1/", A),
    ("http://192.168.1.1:8080/admin", A),
    ("http://[fc00::1]/", A),
    ("http://[fd12:3456:789a::1]/", A),
    ("http://224.0.0.1/", A),
    ("http://[ff02::1]/", A),
    ("http://240.0.0.1/", A),
    ("http://255.255.255.255/", A),
    ("http://192.0.0.8/", A),
    ("http://198.18.0.1/", A),
    ("http://[2001:db8::1]/", A),
    # userinfo and other URL tricks
    ("http://good.test@127.0.0.1/", U),
    ("http://good.test:secret@10.0.0.1/", U),
    ("http://127.0.0.1#@good.test/", A),
    ("http://%31%32%37.0.0.1/", U),
    # names whose answers are private, mixed, or change between lookups
    ("http://localhost/", A),
    ("http://private.test/", A),
    ("http://metadata.test/", A),
    ("http://ula.test/", A),
    ("http://mapped.test/", A),
    ("http://mixed.test/", A),
    ("http://rebind.test/", A),
    ("http://nowhere.test/", A),
]

NAMES = {
    "localhost": ["127.0.0.1", "::1"],
    "private.test": ["10.0.0.1"],
    "metadata.test": ["169.254.169.254"],
    "ula.test": ["fd00::1"],
    "mapped.test": ["::ffff:10.0.0.1"],
    "mixed.test": ["127.0.0.1", "10.0.0.1"],
}
REBIND = {"rebind.test": [["127.0.0.1"], ["10.0.0.1"], ["::1"]]}


class _Resolver:
    """NAMES as fixed answers, REBIND as answers that change on each lookup."""

    def __init__(self) -> None:
        self.fixed = MapResolver(NAMES)
        self.rebinding = RebindingResolver(REBIND)

    async def resolve(self, host: str) -> list[str]:
        if host in REBIND:
            return await self.rebinding.resolve(host)
        return await self.fixed.resolve(host)


def test_there_are_at_least_40_vectors() -> None:
    assert len(VECTORS) >= 40
    assert len({url for url, _ in VECTORS}) == len(VECTORS)


@pytest.mark.parametrize(("url", "refusal"), VECTORS)
async def test_vector_is_refused_directly_with_no_connection(
    url: str, refusal: type[Exception]
) -> None:
    async with fetcher(resolver=_Resolver(), allow_networks=()) as f:
        with pytest.raises(refusal) as caught:
            await f.fetch(url)
        assert f.dialer.connections == 0
        assert str(caught.value.reason)  # a reason a user can read
    assert f.stats.requests == 0


@pytest.mark.parametrize(("url", "refusal"), VECTORS)
async def test_vector_is_refused_after_a_redirect_with_no_connection(
    web: Web, url: str, refusal: type[Exception]
) -> None:
    site = web.site()
    site.route("/go", respond(302, "", headers=[("Location", url)]))
    # Only the redirecting server is allowed: the other loopback forms stay refused.
    # A Location httpx cannot even parse is an unusable redirect rather than a URL.
    expected = (URLRefusedError, RedirectError) if refusal is U else refusal
    async with fetcher(resolver=_Resolver(), allow_networks=only(site.host)) as f:
        with pytest.raises(expected) as caught:
            await f.fetch(site.url("/go"))
        assert set(f.dialer.attempts) == {site.host}
    assert caught.value.reason
    assert site.paths() == ["/robots.txt", "/go"]


async def test_a_rebinding_answer_cannot_redirect_the_connection(web: Web) -> None:
    site = web.site()
    site.page("/a")
    resolver = RebindingResolver({"news.test": [[site.host], ["10.0.0.1"]]})
    async with fetcher(resolver=resolver, allow_networks=only(site.host)) as f:
        # robots.txt: the lookup answers the allowed address, and the connection is
        # pinned to it (an unpinned client would look the name up again and get 10.0.0.1).
        assert await f.allowed(f"http://news.test:{site.port}/a")
        # The page: this lookup answers 10.0.0.1, which is refused before any dial.
        with pytest.raises(AddressRefusedError, match=r"10\.0\.0\.1"):
            await f.fetch(f"http://news.test:{site.port}/a")
        assert dict(f.dialer.attempts) == {site.host: 1}
    assert resolver.calls["news.test"] == 2
    assert site.paths() == ["/robots.txt"]
    assert site.requests[0].headers["host"] == f"news.test:{site.port}"


async def test_a_name_is_pinned_to_its_checked_address(web: Web) -> None:
    site = web.site()
    site.page("/a", "<html>named</html>")
    resolver = MapResolver({"outlet-a.test": [site.host]})
    async with fetcher(resolver=resolver, allow_networks=only(site.host)) as f:
        result = await f.fetch(f"http://outlet-a.test:{site.port}/a")
    assert result.text == "<html>named</html>"
    assert result.ip == site.host
    assert site.requests[-1].headers["host"] == f"outlet-a.test:{site.port}"


async def test_the_dialer_refuses_a_host_without_a_pin() -> None:
    dialer = PinnedDialer(AddressPolicy(only("127.0.0.1")))
    with pytest.raises(httpcore_connect_error()):
        await dialer.connect_tcp("127.0.0.1", 9)
    # A pin the policy refuses is refused too, before any connection.
    with pinned("127.0.0.1", parse_ip_literal("10.0.0.1")), pytest.raises(httpcore_connect_error()):  # type: ignore[arg-type]
        await dialer.connect_tcp("127.0.0.1", 9)
    assert dialer.connections == 0
    assert dialer.refused == 2


def httpcore_connect_error() -> type[Exception]:
    import httpcore

    return httpcore.ConnectError


@pytest.mark.parametrize(
    "host",
    [
        "2130706433",
        "017700000001",
        "0x7f.0.0.1",
        "0x7f000001",
        "127.1",
        "127.0.1",
        "0x7f.1",
        "10.1",
        "192.168.257",
        "0",
        "1.2.3.4",
        "0xc0.0xa8.1.1",
    ],
)
def test_numeric_hosts_read_as_libc_reads_them(host: str) -> None:
    expected = socket.inet_ntoa(socket.inet_aton(host))
    assert str(parse_ip_literal(host)) == expected


@pytest.mark.parametrize("host", ["256.0.0.1", "1.2.3.4.5", "0x100.0.0.1", "4294967296"])
def test_out_of_range_numeric_hosts_are_refused(host: str) -> None:
    with pytest.raises(URLRefusedError):
        parse_ip_literal(host)


@pytest.mark.parametrize("host", ["outlet.test", "08.0.0.1", "a1.example", "xn--bcher-kva.test"])
def test_names_are_not_literals(host: str) -> None:
    assert parse_ip_literal(host) is None


def test_an_allowed_network_admits_its_mapped_form_only_as_ipv4() -> None:
    policy = AddressPolicy(only("127.0.0.2"))
    assert policy.refusal(parse_ip_literal("::ffff:127.0.0.2")) is None  # type: ignore[arg-type]
    assert policy.refusal(parse_ip_literal("127.0.0.3")) is not None  # type: ignore[arg-type]
    # 6to4 and NAT64 go through a translator: what they embed must be public.
    assert policy.refusal(parse_ip_literal("2002:7f00:2::")) is not None  # type: ignore[arg-type]
    assert policy.refusal(parse_ip_literal("64:ff9b::7f00:2")) is not None  # type: ignore[arg-type]
    assert AddressPolicy().refusal(parse_ip_literal("64:ff9b::808:808")) is None  # type: ignore[arg-type]
