"""The client: User-Agent, settings, no proxies from the environment, no cookies, HTTP/2."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import trustme
from pydantic import ValidationError

from provenance.errors import AddressRefusedError
from provenance.fetch import Fetcher, FetchOptions
from provenance.settings import Settings
from tests.fetch.support import LoopbackOnlyBackend, MapResolver, fetcher, loopback_options
from tests.fetch.web import Web, respond

pytestmark = pytest.mark.anyio


def test_options_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVENANCE_HOST_DELAY", "0.5")
    monkeypatch.setenv("PROVENANCE_ALLOW_NETWORKS", "127.0.0.0/8, ::1/128")
    monkeypatch.setenv("PROVENANCE_CONTACT_URL", "https://newsroom.test/crawler")
    options = FetchOptions.from_settings(Settings())
    assert options.host_delay == 0.5
    assert options.allow_networks == (
        ipaddress.ip_network("127.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    )
    assert options.user_agent.startswith("provenance/")
    assert "+https://newsroom.test/crawler" in options.user_agent
    assert options.robots_token == "provenance"


def test_defaults_are_safe() -> None:
    options = FetchOptions.from_settings(Settings())
    assert options.allow_networks == ()
    assert options.host_delay == 3.0
    assert (options.deadline, options.max_redirects, options.max_retries) == (30.0, 5, 3)
    assert Settings().warc_dir == Settings().data_dir / "warc"


def test_a_bad_network_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVENANCE_ALLOW_NETWORKS", "127.0.0.0/8, not-a-network")
    with pytest.raises(ValidationError, match="not-a-network"):
        Settings()


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="deadline"):
        FetchOptions(deadline=0)
    with pytest.raises(ValueError, match="host_delay"):
        FetchOptions(host_delay=-1)


async def test_unknown_purpose_is_a_value_error() -> None:
    async with fetcher() as f:
        with pytest.raises(ValueError, match="purpose"):
            await f.fetch("http://127.0.0.1/", purpose="image")


async def test_user_agent_and_accept_are_sent(web: Web) -> None:
    site = web.site()
    url = site.page("/a")
    async with fetcher(user_agent="provenance/9 (+https://newsroom.test/crawler)") as f:
        await f.fetch(url)
        await f.fetch(url, purpose="feed", accept="application/atom+xml")
    page, feed = (r for r in site.requests if r.path == "/a")
    assert page.headers["user-agent"] == "provenance/9 (+https://newsroom.test/crawler)"
    assert page.headers["accept"].startswith("text/html")
    assert page.headers["accept-encoding"] == "gzip, deflate, br"
    assert feed.headers["accept"] == "application/atom+xml"


async def test_proxy_variables_are_ignored(web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://10.0.0.1:3128")
    site = web.site()
    url = site.page("/a")
    async with fetcher() as f:
        assert (await f.fetch(url)).status == 200
        assert set(f.dialer.attempts) == {site.host}


async def test_cookies_are_neither_kept_nor_sent(web: Web) -> None:
    site = web.site()
    site.route("/a", respond(200, "<html>a</html>", headers=[("Set-Cookie", "id=1; Path=/")]))
    site.page("/b")
    async with fetcher() as f:
        await f.fetch(site.url("/a"))
        await f.fetch(site.url("/b"))
    assert "cookie" not in site.requests[-1].headers


class _Stream(httpx.AsyncByteStream):
    def __init__(self, data: bytes) -> None:
        self._data = data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._data


async def test_an_injected_transport_is_still_guarded() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(
            # A streamed body, as a real transport gives (content= would be read at once).
            200,
            headers={"Content-Type": "text/html"},
            stream=_Stream(b"<html>mock</html>"),
        )

    options = loopback_options(allow_networks=())
    async with Fetcher(options, archive=None, transport=httpx.MockTransport(handler)) as f:
        with pytest.raises(AddressRefusedError):
            await f.fetch("http://10.0.0.1/")
        assert calls == []
    options = loopback_options()
    async with Fetcher(options, archive=None, transport=httpx.MockTransport(handler)) as f:
        result = await f.fetch("http://127.0.0.9/a")
    assert result.text == "<html>mock</html>"
    assert result.ip == "127.0.0.9"
    assert [c.url.path for c in calls] == ["/robots.txt", "/a"]


# -- HTTP/2 over TLS, with the connection pinned and the certificate checked by name ----


async def _h2_app(
    scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]
) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    host = dict(scope["headers"]).get(b"host", b"").decode()
    body = f"<html>{scope['http_version']} {host}</html>".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/html; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
def h2_server(web: Web, tmp_path: Any) -> Iterator[tuple[str, int, ssl.SSLContext]]:
    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    ca = trustme.CA()
    cert = ca.issue_cert("h2.test")
    host = web.next_address()
    with socket.socket() as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    cert.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "cert.pem"))
    config = Config()
    config.bind = [f"{host}:{port}"]
    config.certfile = config.keyfile = str(tmp_path / "cert.pem")
    config.alpn_protocols = ["h2", "http/1.1"]
    config.accesslog = config.errorlog = None
    stop = asyncio.Event()
    task = asyncio.run_coroutine_threadsafe(
        serve(_h2_app, config, shutdown_trigger=stop.wait), web.loop
    )  # type: ignore[arg-type]
    _wait_for_port(host, port)
    context = ssl.create_default_context()
    ca.configure_trust(context)
    try:
        yield host, port, context
    finally:
        web.loop.call_soon_threadsafe(stop.set)
        task.result(timeout=10)


def _wait_for_port(host: str, port: int) -> None:
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the HTTP/2 server did not start")


@pytest.mark.parametrize("http2", [True, False])
async def test_https_with_and_without_http2(
    h2_server: tuple[str, int, ssl.SSLContext], http2: bool
) -> None:
    host, port, context = h2_server
    backend = LoopbackOnlyBackend()
    options = loopback_options(http2=http2)
    resolver = MapResolver({"h2.test": [host]})
    async with Fetcher(
        options, archive=None, resolver=resolver, ssl_context=context, network_backend=backend
    ) as f:
        result = await f.fetch(f"https://h2.test:{port}/a")
        assert set(f.dialer.attempts) == {host}
    expected = "HTTP/2" if http2 else "HTTP/1.1"
    assert result.http_version == expected
    # The server saw the name (Host or :authority) although the socket went to the address.
    assert result.text == f"<html>{expected.removeprefix('HTTP/')} h2.test:{port}</html>"
    assert backend.violations == []


async def test_certificate_is_checked_against_the_name(
    h2_server: tuple[str, int, ssl.SSLContext],
) -> None:
    from provenance.errors import FetchConnectionError, RobotsDisallowedError

    host, port, context = h2_server
    resolver = MapResolver({"other.test": [host]})
    async with Fetcher(
        loopback_options(max_retries=0),
        archive=None,
        resolver=resolver,
        ssl_context=context,
        network_backend=LoopbackOnlyBackend(),
    ) as f:
        # The robots.txt fetch fails TLS (the certificate is for h2.test), so nothing is fetched.
        with pytest.raises(RobotsDisallowedError, match=r"(?i)certificate"):
            await f.fetch(f"https://other.test:{port}/a")
        with pytest.raises(FetchConnectionError):
            await f.fetch(f"https://other.test:{port}/robots.txt", purpose="robots")
