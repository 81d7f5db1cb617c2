"""Tests of URL normalisation and link resolution."""

from __future__ import annotations

import re

import pytest

from provenance.urls import absolute_url, normalize_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://WWW.Example.COM/News", "http://www.example.com/News"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a/#section-2", "https://example.com/a"),
        ("https://example.com//a///b/", "https://example.com/a/b"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/%7Euser/%41", "https://example.com/~user/A"),
        ("https://example.com/a%2fb", "https://example.com/a%2Fb"),
        ("https://example.com/caf\u00e9 menu", "https://example.com/caf%C3%A9%20menu"),
        ("https://example.com/100%", "https://example.com/100%25"),
        ("https://b\u00fccher.de/", "https://xn--bcher-kva.de/"),
        ("https://user:secret@example.com/a", "https://example.com/a"),
        ("https://[2001:DB8::1]:443/a/", "https://[2001:db8::1]/a"),
        ("  https://example.com/a\n", "https://example.com/a"),
    ],
)
def test_normalize_url_canonical_forms(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


def test_normalize_url_drops_tracking_and_sorts_the_rest() -> None:
    url = (
        "https://example.com/story?utm_source=tw&b=2&UTM_Medium=x&fbclid=abc&a=1&gclid=g"
        "&mc_cid=1&mc_eid=2&ref=home&ref_src=twsrc&cmpid=c&at_medium=m&at_campaign=c&page=3"
    )
    assert normalize_url(url) == "https://example.com/story?a=1&b=2&page=3"


def test_normalize_url_keeps_order_of_repeated_parameters() -> None:
    assert normalize_url("https://e.com/?z=1&id=2&id=1") == "https://e.com/?id=2&id=1&z=1"


def test_normalize_url_query_escapes_are_normalised_not_decoded() -> None:
    # %2f stays escaped (decoding it would change the value), hex is upper-cased,
    # "+" is left alone and a bare name keeps having no "=".
    assert normalize_url("https://e.com/s?q=a+b%2fc&flag") == "https://e.com/s?flag&q=a+b%2Fc"


def test_normalize_url_drops_query_made_only_of_tracking() -> None:
    assert normalize_url("https://e.com/a/?utm_campaign=x") == "https://e.com/a"


@pytest.mark.parametrize(
    "raw",
    [
        "HTTP://WWW.Example.COM:80//a/./b/../c/?utm_source=x&b=%7e&a=caf\u00e9#f",
        "https://b\u00fccher.de/%e4%zz/ x?x=%ff&&y",
        "https://example.com/%2F/",
        "http://a.com/?x",
    ],
)
def test_normalize_url_is_idempotent(raw: str) -> None:
    once = normalize_url(raw)
    assert normalize_url(once) == once


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("ftp://example.com/file", "not an http(s) URL"),
        ("mailto:desk@example.com", "not an http(s) URL"),
        ("/relative/path", "not an http(s) URL"),
        ("http://", "no host"),
        ("http://example.com:99999/", "invalid port"),
        ("http://exa mple.com/", "invalid host"),
    ],
)
def test_normalize_url_rejects_bad_urls(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        normalize_url(raw)


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("../x?y=1#z", "https://a.example/b/x?y=1#z"),
        ("/root", "https://a.example/root"),
        ("//cdn.example/img", "https://cdn.example/img"),
        ("http://other.example/p", "http://other.example/p"),
        ("  sub/page\n", "https://a.example/b/c/sub/page"),
    ],
)
def test_absolute_url_resolves_relative_links(href: str, expected: str) -> None:
    assert absolute_url(href, "https://a.example/b/c/d") == expected


@pytest.mark.parametrize(
    "href",
    [
        "javascript:void(0)",
        " MAILTO:x@y.example",
        "data:text/plain,hi",
        "tel:+123",
        "#top",
        "",
        "http://[bad",
    ],
)
def test_absolute_url_none_for_non_web_links(href: str) -> None:
    assert absolute_url(href, "https://a.example/b") is None
