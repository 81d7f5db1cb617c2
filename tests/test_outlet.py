"""Tests of outlet identity and declared-name matching."""

from __future__ import annotations

import pytest

from provenance.outlet import names_match, outlet_domain, outlet_name


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.bbc.co.uk/news/x", "bbc.co.uk"),
        ("https://edition.cnn.com/2024/05/17/x", "cnn.com"),
        ("https://WWW.Reuters.COM/world/", "reuters.com"),
        ("www.lemonde.fr", "lemonde.fr"),
        ("https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/", "xn--e1afmkfd.xn--p1ai"),
        ("http://outlet.test/a", "outlet.test"),
        ("https://a.b.news.local/x", "news.local"),
        ("http://127.0.0.1:8080/x", "127.0.0.1"),
        ("http://[::1]/x", "::1"),
        ("http://localhost:8000/", "localhost"),
    ],
)
def test_outlet_domain(url: str, expected: str) -> None:
    assert outlet_domain(url) == expected


def test_outlet_domain_without_host_is_an_error() -> None:
    with pytest.raises(ValueError, match="no host"):
        outlet_domain("https:///path")


def test_outlet_domain_never_fetches_the_suffix_list(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert outlet_domain("https://news.example.co.jp/a") == "example.co.jp"


@pytest.mark.parametrize(
    ("site_name", "expected"),
    [
        ("  The Daily\n  Planet ", "The Daily Planet"),
        (
            "\u0420\u0418\u0410 \u041d\u043e\u0432\u043e\u0441\u0442\u0438",
            "\u0420\u0418\u0410 \u041d\u043e\u0432\u043e\u0441\u0442\u0438",
        ),
        (None, "dailyplanet.example"),
        ("", "dailyplanet.example"),
        ("https://www.dailyplanet.example", "dailyplanet.example"),
        ("www.dailyplanet.example", "dailyplanet.example"),
        ("{{ site.name }}", "dailyplanet.example"),
        ("undefined", "dailyplanet.example"),
        ("2024", "dailyplanet.example"),
        ("x" * 81, "dailyplanet.example"),
    ],
)
def test_outlet_name(site_name: str | None, expected: str) -> None:
    assert outlet_name("https://www.dailyplanet.example/a", site_name) == expected


@pytest.mark.parametrize(
    ("declared", "outlet", "domain"),
    [
        ("Reuters", "Reuters", "reuters.com"),
        ("REUTERS", "Reuters", "reuters.com"),
        ("reuters.com", "Reuters", "reuters.com"),
        ("https://www.reuters.com/world/story-1", "Some Other Name", "reuters.com"),
        ("The Daily Planet", "Daily Planet", "dailyplanet.example"),
        ("Daily Planet", "The Daily Planet", "outlet.test"),
        ("dailyplanet", "The Daily Planet", "outlet.test"),
        ("Daily Planet", "dailyplanet.example", "dailyplanet.example"),
        ("nytimes", "The New York Times", "nytimes.com"),
        ("New York Times", "The New York Times", "nytimes.com"),
        ("The New York Times Company", "The New York Times", "nytimes.com"),
        ("Le Monde.", "Le Monde", "lemonde.fr"),
        ("S\u00fcddeutsche Zeitung", "Suddeutsche Zeitung", "sueddeutsche.de"),
        ("U.S. News", "U.S. News", "usnews.com"),
        (
            "\u0420\u0418\u0410 \u041d\u043e\u0432\u043e\u0441\u0442\u0438",
            "\u0420\u0418\u0410 \u041d\u043e\u0432\u043e\u0441\u0442\u0438",
            "ria.ru",
        ),
        (
            "\u0440\u0438\u0430 \u043d\u043e\u0432\u043e\u0441\u0442\u0438",
            "\u0420\u0418\u0410 \u041d\u043e\u0432\u043e\u0441\u0442\u0438",
            "ria.ru",
        ),
        ("\u65b0\u534e\u793e", "\u65b0\u534e\u793e", "news.cn"),
        ("\uff08\u65b0\u534e\u793e\uff09", "\u65b0\u534e\u793e", "news.cn"),
        ("\u5171\u540c\u901a\u4fe1", "\u5171\u540c\u901a\u4fe1", "kyodo.co.jp"),
        (
            "\u0627\u0644\u062c\u0632\u064a\u0631\u0629",
            "\u0627\u0644\u062c\u0632\u064a\u0631\u0629",
            "aljazeera.net",
        ),
        ("\u043f\u0440\u0438\u043c\u0435\u0440", "Primer", "xn--e1afmkfd.xn--p1ai"),
    ],
)
def test_names_match_positive(declared: str, outlet: str, domain: str) -> None:
    assert names_match(declared, outlet=outlet, domain=domain)


@pytest.mark.parametrize(
    ("declared", "outlet", "domain"),
    [
        ("Times", "The New York Times", "nytimes.com"),
        ("Thomson Reuters", "Reuters", "reuters.com"),
        ("Planet", "Daily Planet", "dailyplanet.example"),
        ("Monde", "Le Monde", "lemonde.fr"),
        ("The", "The Times", "thetimes.co.uk"),
        ("reuters.co.uk", "Reuters", "reuters.com"),
        ("https://www.bbc.co.uk/news", "BBC News", "reuters.com"),
        ("Associated Press", "Reuters", "reuters.com"),
        ("\u65b0\u534e\u7f51", "\u65b0\u534e\u793e", "news.cn"),
        (
            "\u0420\u0418\u0410",
            "\u0420\u0418\u0410 \u041d\u043e\u0432\u043e\u0441\u0442\u0438",
            "ria.ru",
        ),
        ("", "Reuters", "reuters.com"),
        ("!!!", "Reuters", "reuters.com"),
    ],
)
def test_names_match_negative(declared: str, outlet: str, domain: str) -> None:
    assert not names_match(declared, outlet=outlet, domain=domain)


def test_outlet_name_index_agrees_with_names_match() -> None:
    from provenance.outlet import OutletNameIndex

    outlets = [
        ("The Daily Planet", "dailyplanet.test"),
        ("Reuters", "reuters.com"),
        ("The New York Times", "nytimes.com"),
        ("РИА Новости", "ria.ru"),
    ]
    index = OutletNameIndex(outlets)
    for declared in (
        "Daily Planet",
        "dailyplanet",
        "reuters.com",
        "Times",
        "New York Times",
        "https://www.reuters.com/x",
        "риа новости",
        "Thomson Reuters",
        "Nobody",
    ):
        expected = sorted(d for o, d in outlets if names_match(declared, outlet=o, domain=d))
        assert index.domains(declared) == expected, declared


def test_leading_articles_in_other_languages() -> None:
    assert names_match(
        "Il Corriere Tirreno", outlet="corrieretirreno.test", domain="corrieretirreno.test"
    )
    assert names_match("Le Monde", outlet="Le Monde", domain="lemonde.fr")
    assert names_match("El País", outlet="elpais.com", domain="elpais.com")
    assert not names_match(
        "Il Giornale", outlet="Il Corriere Tirreno", domain="corrieretirreno.test"
    )
