"""The one place the crawler's httpx client is built, and the dialer under it.

The dialer is an httpcore network backend: every TCP connection httpx opens goes
through :meth:`PinnedDialer.connect_tcp`. It connects only to the address the SSRF
guard checked for that host during the current fetch (held in a context variable,
so concurrent fetches of other hosts cannot mix their pins), and it re-checks that
address against the policy before dialling. TLS still uses the host name (httpcore
passes the origin host as SNI and for certificate checks), so pinning changes only
*where* the socket goes. Every attempt is counted per address, which lets tests
prove that a refused address was never dialled.
"""

from __future__ import annotations

import contextlib
import contextvars
import http.cookiejar
import ssl
from collections import Counter
from collections.abc import Iterable, Iterator

import httpcore
import httpx

from provenance.fetch.guard import AddressPolicy, IPAddress
from provenance.fetch.options import FetchOptions

__all__ = ["ACCEPT_ENCODING", "PinnedDialer", "build_client", "build_transport", "pinned"]

ACCEPT_ENCODING = "gzip, deflate, br"
_PINS: contextvars.ContextVar[dict[str, IPAddress]] = contextvars.ContextVar("provenance_pins")


@contextlib.contextmanager
def pinned(host: str, address: IPAddress) -> Iterator[None]:
    """Let connections to ``host`` be made, to ``address`` only, within the block."""
    pins = dict(_PINS.get({}))
    pins[host] = address
    token = _PINS.set(pins)
    try:
        yield
    finally:
        _PINS.reset(token)


class PinnedDialer(httpcore.AsyncNetworkBackend):
    """A network backend that dials only guard-checked addresses, counting each attempt.

    Args:
        policy: Checked again at dial time, so a pin can never outrun the policy.
        backend: The backend that really connects (httpcore's default: asyncio via anyio).

    Attributes:
        attempts: Connection attempts per address dialled.
        refused: Dials refused here (no pin for the host, or a pin the policy refuses);
            none of them reached the network.
    """

    def __init__(
        self, policy: AddressPolicy, *, backend: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self._policy = policy
        self._backend = backend or httpcore.AnyIOBackend()
        self.attempts: Counter[str] = Counter()
        self.refused = 0

    @property
    def connections(self) -> int:
        """Connection attempts made, to any address."""
        return self.attempts.total()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Connect to the address pinned for ``host``; refuse if there is none."""
        address = _PINS.get({}).get(host)
        if address is None or self._policy.refusal(address) is not None:
            self.refused += 1
            # httpx maps this to httpx.ConnectError; the fetcher reports it as refused.
            raise httpcore.ConnectError(f"no checked address to connect to for {host!r}")
        self.attempts[str(address)] += 1
        return await self._backend.connect_tcp(
            str(address), port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refuse: the crawler only speaks TCP."""
        self.refused += 1
        raise httpcore.ConnectError("unix sockets are not used by the crawler")

    async def sleep(self, seconds: float) -> None:
        """Sleep, as the wrapped backend does."""
        await self._backend.sleep(seconds)


class _PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (request mapping, error mapping) over our dialer.

    httpx 0.28 has no ``network_backend`` option, so the pool that
    ``AsyncHTTPTransport.__init__`` makes is replaced with one built on the dialer;
    everything else is httpx's code, which is why this is not a transport of ours.
    """

    def __init__(self, dialer: PinnedDialer, *, ssl_context: ssl.SSLContext, http2: bool) -> None:
        super().__init__(verify=ssl_context, trust_env=False, http2=http2)
        limits = httpx.Limits(max_connections=256, max_keepalive_connections=64)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=http2,
            network_backend=dialer,
        )


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Keep no cookies: each request is exactly what the archive says was sent."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return False


def build_transport(
    options: FetchOptions, dialer: PinnedDialer, *, ssl_context: ssl.SSLContext | None = None
) -> httpx.AsyncBaseTransport:
    """The default transport: httpx's HTTP/1.1 and HTTP/2 over the pinned dialer.

    Args:
        options: Whether to offer HTTP/2.
        dialer: The network backend every connection goes through.
        ssl_context: Certificates to trust instead of the system's (tests' own CA).
    """
    context = ssl_context or httpx.create_ssl_context(trust_env=False)
    return _PinnedTransport(dialer, ssl_context=context, http2=options.http2)


def build_client(options: FetchOptions, transport: httpx.AsyncBaseTransport) -> httpx.AsyncClient:
    """Build the crawler's client: no redirects followed, no proxies or env, no cookies.

    The fetcher builds requests with the client (its headers and timeouts) and
    sends them through ``transport`` itself: ``AsyncClient.send`` parses a
    redirect's Location even when not following it, and fails on a malformed one
    before the response could be archived.

    Args:
        options: Timeouts and User-Agent.
        transport: What requests go through (tests may pass ``httpx.MockTransport``).
    """
    timeout = httpx.Timeout(
        connect=options.connect_timeout,
        read=options.read_timeout,
        write=options.read_timeout,
        pool=options.deadline,
    )
    return httpx.AsyncClient(
        transport=transport,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        cookies=http.cookiejar.CookieJar(policy=_NoCookies()),
        # Only the codings body.py can undo in bounded steps; httpx would otherwise
        # offer zstd whenever the zstandard package happens to be installed.
        headers={"User-Agent": options.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
    )
