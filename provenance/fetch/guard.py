"""The SSRF guard: which hosts and addresses the crawler may connect to.

A URL's host is either an IP literal or a name. Literals are parsed the way a libc
resolver parses them (``inet_aton``: ``2130706433``, ``0177.0.0.1``, ``0x7f.1``,
``127.1`` all mean 127.0.0.1), so no spelling reaches the network unchecked. Names
are resolved, and *every* A/AAAA answer must pass, so a name with one public and
one private answer is refused. An address passes when it is globally routable, or
inside one of the operator's ``allow_networks``; IPv4-mapped, 6to4 and NAT64
addresses are judged by the IPv4 address they lead to, and the other embedding
forms (IPv4-compatible, Teredo) lie in reserved blocks that are refused whole.

The guard returns the address it checked; the dialer (``client.py``) connects to
that address and no other, so a DNS answer that changes after the check (DNS
rebinding) cannot redirect the connection.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from dataclasses import dataclass
from typing import Protocol

from provenance.errors import AddressRefusedError, URLRefusedError

__all__ = [
    "AddressPolicy",
    "IPAddress",
    "IPNetwork",
    "Resolver",
    "SystemResolver",
    "check_hostname",
    "parse_ip_literal",
    "resolve_and_check",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Labels of letters, digits, hyphens and (as real DNS names have) underscores,
# once IDNA has turned any non-ASCII label into xn--.
_HOSTNAME = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)(\.(?!-)[a-z0-9_-]{1,63}(?<!-))*$")
_INET_PART = re.compile(r"^(0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)$")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class Resolver(Protocol):
    """Turns a host name into its addresses (A and AAAA answers)."""

    async def resolve(self, host: str) -> list[str]:
        """Return every address ``host`` resolves to, as strings.

        Raises:
            OSError: The name does not resolve.
        """
        ...


class SystemResolver:
    """The operating system's resolver (``getaddrinfo``), run in the loop's executor."""

    async def resolve(self, host: str) -> list[str]:
        """Return every address ``host`` resolves to, in the resolver's order, once each.

        Raises:
            OSError: The name does not resolve.
        """
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which addresses may be connected to.

    Attributes:
        allow_networks: Non-public networks that are allowed all the same
            (``127.0.0.0/8`` in tests); public addresses are always allowed.
    """

    allow_networks: tuple[IPNetwork, ...] = ()

    def refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` may not be connected to, or None if it may.

        An IPv4-mapped address is judged as its IPv4 address. A 6to4 or NAT64
        address is judged by the IPv4 address it embeds, which must be public: the
        allow list names networks to dial directly, not through a translator.
        """
        if isinstance(address, ipaddress.IPv6Address):
            if address.ipv4_mapped is not None:
                return self.refusal(address.ipv4_mapped)
            embedded = _translated_ipv4(address)
            if embedded is not None:
                kind = _kind(embedded)
                if kind is None:
                    return None
                return f"{address} embeds {embedded}, {kind}"
        if any(address.version == net.version and address in net for net in self.allow_networks):
            return None
        kind = _kind(address)
        if kind is None:
            return None
        return f"{address} is {kind}, and not in the allowed networks"


def _translated_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address behind a 6to4 (2002::/16) or NAT64 (64:ff9b::/96) address."""
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _kind(address: IPAddress) -> str | None:
    """The name of the non-public range ``address`` is in, or None if it is public.

    The table is IANA's special-purpose registries (RFC 6890 and later), spelt out
    rather than left to ``ipaddress.is_global``, whose answer for some blocks has
    changed between Python patch releases; ``is_global`` stays as a final net.
    """
    for network, kind in _SPECIAL_V4 if address.version == 4 else _SPECIAL_V6:
        if address in network:
            return kind
    if not address.is_global:
        return "not a globally routable address"
    return None


def _table(*rows: tuple[str, str]) -> tuple[tuple[IPNetwork, str], ...]:
    return tuple((ipaddress.ip_network(cidr), kind) for cidr, kind in rows)


_SPECIAL_V4 = _table(
    ("0.0.0.0/8", "a 'this network' address (0.0.0.0/8)"),
    ("10.0.0.0/8", "a private address (RFC 1918)"),
    ("100.64.0.0/10", "a carrier-grade NAT address (RFC 6598)"),
    ("127.0.0.0/8", "a loopback address"),
    ("169.254.0.0/16", "a link-local address (cloud metadata lives here)"),
    ("172.16.0.0/12", "a private address (RFC 1918)"),
    ("192.0.0.0/24", "an IETF protocol assignment (192.0.0.0/24)"),
    ("192.0.2.0/24", "a documentation address (TEST-NET-1)"),
    ("192.88.99.0/24", "a 6to4 relay anycast address"),
    ("192.168.0.0/16", "a private address (RFC 1918)"),
    ("198.18.0.0/15", "a benchmarking address (RFC 2544)"),
    ("198.51.100.0/24", "a documentation address (TEST-NET-2)"),
    ("203.0.113.0/24", "a documentation address (TEST-NET-3)"),
    ("224.0.0.0/4", "a multicast address"),
    ("255.255.255.255/32", "the limited broadcast address"),
    ("240.0.0.0/4", "a reserved address (240.0.0.0/4)"),
)
_SPECIAL_V6 = _table(
    ("::/128", "the unspecified address"),
    ("::1/128", "a loopback address"),
    ("::/8", "a reserved address (::/8, IPv4-compatible and -translated forms)"),
    ("64:ff9b:1::/48", "a local-use NAT64 address"),
    ("100::/64", "a discard-only address"),
    ("2001::/23", "an IETF protocol assignment (2001::/23, Teredo included)"),
    ("2001:db8::/32", "a documentation address"),
    ("3fff::/20", "a documentation address"),
    ("5f00::/16", "an SRv6 segment identifier"),
    ("fc00::/7", "a unique local address (fc00::/7)"),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a site-local address (deprecated)"),
    ("ff00::/8", "a multicast address"),
)


def parse_ip_literal(host: str) -> IPAddress | None:
    """Read ``host`` as an IP address the way a libc resolver would, or None for a name.

    IPv4 follows ``inet_aton``: one to four dot-separated parts, each decimal, octal
    (leading ``0``) or hexadecimal (``0x``), the last filling the remaining bytes. It
    is written out here because ``ipaddress`` rejects these forms (so they would pass
    as names) while ``getaddrinfo`` accepts them; ``socket.inet_aton`` is not used
    because libc versions differ on trailing text.

    Raises:
        URLRefusedError: The host looks numeric but is not a valid address (such as
            ``256.0.0.1``, or an IPv6 literal with a zone id).
    """
    if ":" in host:
        if "%" in host:
            raise URLRefusedError(f"IPv6 zone ids are not fetched: {host!r}")
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            raise URLRefusedError(f"malformed IPv6 address {host!r}") from None
    parts = host.removesuffix(".").split(".")
    if not all(_INET_PART.match(part) for part in parts):
        return None
    if len(parts) > 4:
        raise URLRefusedError(f"numeric host {host!r} has more than four parts")
    values = [_inet_part(part) for part in parts]
    *head, last = values
    if any(value > 0xFF for value in head) or last >= 1 << (8 * (5 - len(values))):
        raise URLRefusedError(f"numeric host {host!r} is not a valid IPv4 address")
    number = last
    for index, value in enumerate(head):
        number |= value << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


def _inet_part(part: str) -> int:
    if part[:2].lower() == "0x":
        # glibc rejects a bare "0x"; reading it as 0 is stricter, as 0 is refused.
        return int(part[2:] or "0", 16)
    return int(part, 8 if part[0] == "0" else 10)


def check_hostname(host: str) -> str:
    """Return ``host`` without a trailing dot, after checking it is a DNS name.

    Raises:
        URLRefusedError: The host holds characters no DNS name has (``%``, spaces, ...).
    """
    name = host.removesuffix(".")
    if len(name) > 253 or not _HOSTNAME.match(name):
        raise URLRefusedError(f"host {host!r} is not a valid DNS name")
    return name


async def resolve_and_check(host: str, policy: AddressPolicy, resolver: Resolver) -> IPAddress:
    """Return the address to connect to for ``host``, after checking every answer.

    Args:
        host: The URL's host as httpx gives it (lower-case, IDNA-encoded, no brackets).
        policy: Which addresses are allowed.
        resolver: Used for names; literals are never looked up.

    Raises:
        URLRefusedError: The host is malformed.
        AddressRefusedError: The host is, or any of its answers is, a refused
            address, or the name does not resolve.
    """
    literal = parse_ip_literal(host)
    if literal is not None:
        reason = policy.refusal(literal)
        if reason is not None:
            raise AddressRefusedError(reason)
        return _connectable(literal)
    name = check_hostname(host)
    try:
        answers = await resolver.resolve(name)
    except OSError as exc:
        raise AddressRefusedError(f"{name} does not resolve: {exc}") from exc
    addresses = [_answer(name, answer) for answer in answers]
    if not addresses:
        raise AddressRefusedError(f"{name} resolves to no address")
    for address in addresses:
        reason = policy.refusal(address)
        if reason is not None:
            raise AddressRefusedError(f"{name} resolves to {reason}")
    return _connectable(addresses[0])


def _answer(name: str, answer: str) -> IPAddress:
    try:
        return ipaddress.ip_address(answer.partition("%")[0])
    except ValueError:
        raise AddressRefusedError(f"{name} resolves to {answer!r}, not an address") from None


def _connectable(address: IPAddress) -> IPAddress:
    # Connect to the IPv4 address itself: that is where a mapped address leads, and an
    # IPv4 socket needs no dual-stack support.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
